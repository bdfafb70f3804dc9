// GraphiQL offline check in Debian's headless Chromium (playwright-core drives it; no browser
// download). Usage: node graphiql.mjs URL   (URL = http://host:port, or …/graphql, …/graphiql)
//
// Fails when: any request goes to another origin than the page's (it is aborted and recorded),
// a Content-Security-Policy violation or an uncaught page error occurs, the editor does not
// render, the headers pane is not shown pre-filled, schema introspection fails, running
// `{ __typename }` does not show "__typename": "QueryRoot", or a subscription does not open
// ws(s)://<host>/graphql/ws (graphql-transport-ws) with the headers pane's token as
// `accessToken` in connection_init.
import { chromium } from 'playwright-core';

const arg = process.argv[2];
if (!arg) {
  console.error('usage: node graphiql.mjs URL   (e.g. http://127.0.0.1:8080)');
  process.exit(2);
}
const base = arg.replace(/\/+$/, '').replace(/\/(graphql|graphiql)$/, '');
const pageUrl = `${base}/graphiql`;
const origin = new URL(pageUrl).origin;
const wsExpected = `${origin.replace(/^http/, 'ws')}/graphql/ws`;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const TEST_TOKEN = 'zhucan-browser-test-token';
const STEP_TIMEOUT = 20_000;

const checked = [];
const ok = (what) => { checked.push(what); console.log(`  ok  ${what}`); };
class Failure extends Error {}
const fail = (msg) => { throw new Failure(msg); };

const foreign = [];      // requests to another origin (aborted)
const cspViolations = [];
const pageErrors = [];
const consoleErrors = [];
const graphqlPosts = []; // { body, authorization, status, json }
const sockets = [];      // { url, sent: [] , protocol }

let browser;
let page;
async function main() {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, serviceWorkers: 'block' });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);

  await page.route('**/*', (route) => {
    const url = route.request().url();
    let o;
    try { o = new URL(url).origin; } catch { o = null; }
    if (o !== origin) {
      foreign.push(url);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  context.on('requestfailed', (r) => {
    if (!foreign.includes(r.url()) && new URL(r.url()).origin !== origin) foreign.push(r.url());
  });
  page.on('websocket', (ws) => {
    const s = { url: ws.url(), sent: [], closed: false };
    sockets.push(s);
    if (new URL(ws.url()).host !== new URL(origin).host) foreign.push(ws.url());
    ws.on('framesent', (f) => s.sent.push(typeof f.payload === 'string' ? f.payload : f.payload.toString()));
    ws.on('close', () => { s.closed = true; });
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text().replace(/data:[^'"\s)]{16,}/g, 'data:…').slice(0, 300)); });
  const postOf = new Map();
  page.on('request', (req) => {
    if (req.method() !== 'POST' || new URL(req.url()).pathname !== '/graphql') return;
    const entry = { body: req.postData() || '', authorization: req.headers().authorization, status: null, json: undefined };
    postOf.set(req, entry);
    graphqlPosts.push(entry);
  });
  page.on('requestfinished', async (req) => {
    const entry = postOf.get(req);
    if (!entry) return;
    const resp = await req.response();
    entry.status = resp.status();
    try { entry.json = await resp.json(); } catch { entry.json = null; }
  });
  // The WebSocket sub-protocol is only visible in the handshake.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const wsProtocols = [];
  cdp.on('Network.webSocketWillSendHandshakeRequest', (e) => {
    const h = Object.fromEntries(Object.entries(e.request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    wsProtocols.push(h['sec-websocket-protocol']);
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.effectiveDirective} blocked ${String(e.blockedURI).slice(0, 60)}`);
    });
  });

  const resp = await page.goto(pageUrl, { waitUntil: 'load' });
  if (!resp || resp.status() !== 200) fail(`GET ${pageUrl} answered ${resp && resp.status()}`);
  const csp = resp.headers()['content-security-policy'];
  ok(`GET /graphiql: 200${csp ? `, CSP: ${csp}` : ', no CSP header'}`);

  const title = await page.title();
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (title !== '助残云 GraphiQL' || lang !== 'zh-CN') fail(`title/lang are ${JSON.stringify(title)}/${JSON.stringify(lang)}`);
  ok('title "助残云 GraphiQL", lang zh-CN');

  const scripts = await page.evaluate(() => [...document.querySelectorAll('script[src], link[href]')].map((e) => e.src || e.href));
  const offsite = scripts.filter((u) => !u.startsWith(`${origin}/graphiql/assets/`) && !u.startsWith('data:'));
  if (offsite.length) fail(`page references files outside /graphiql/assets/: ${offsite.join(', ')}`);

  await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ state: 'visible' }).catch(() => fail('the query editor (CodeMirror) did not render: is GraphiQL still "Loading…"?'));
  ok('GraphiQL rendered: query editor (CodeMirror) visible');

  const headersPane = await page.evaluate(() => {
    const cms = [...document.querySelectorAll('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')];
    return cms.map((e) => e.CodeMirror.getValue());
  });
  if (!headersPane.some((v) => v.includes('"Authorization"') && v.includes('Bearer <在此粘贴 accessToken>'))) {
    fail(`headers pane not visible with the Authorization placeholder (visible tool editors: ${JSON.stringify(headersPane)})`);
  }
  ok('headers pane visible, pre-filled with {"Authorization": "Bearer <在此粘贴 accessToken>"}');

  // GraphiQL introspects on load; bootstrap.js asks again with a shallower query when the
  // server's depth limit refuses the standard one.
  const intros = () => graphqlPosts.filter((p) => /__schema/.test(p.body));
  const intro = await waitFor(() => intros().find((p) => p.json?.data?.__schema), 'a successful schema introspection', () => {
    const last = intros().filter((p) => p.json !== undefined).pop();
    return last ? `last answer: HTTP ${last.status} ${JSON.stringify(last.json).slice(0, 300)}` : 'no introspection answered';
  });
  if (intros().some((p) => p.authorization !== undefined)) fail(`the placeholder token was sent: Authorization: ${intros()[0].authorization}`);
  const tries = intros().indexOf(intro) + 1;
  ok(`schema introspection over POST /graphql succeeded${tries > 1 ? ` (after ${tries - 1} refused as too deep: shallower query used)` : ''}; placeholder token not sent`);

  // Run { __typename }.
  await setEditor(page, '.graphiql-query-editor .CodeMirror', '{ __typename }');
  const before = graphqlPosts.length;
  await page.locator('.graphiql-execute-button').click();
  const result = await waitFor(async () => {
    const v = await responseText(page);
    return v.includes('"__typename": "QueryRoot"') ? v : null;
  }, 'the result pane to show "__typename": "QueryRoot"', async () => `result pane: ${JSON.stringify(await responseText(page))}`);
  const run = graphqlPosts.slice(before).find((p) => /__typename/.test(p.body) && !/__schema/.test(p.body));
  if (!run) fail('no POST /graphql was made for { __typename }');
  if (JSON.stringify(JSON.parse(result)) !== JSON.stringify({ data: { __typename: 'QueryRoot' } })) fail(`unexpected result ${result}`);
  ok('ran { __typename } with the run button: result pane shows "__typename": "QueryRoot"');

  // Subscription: the token typed into the headers pane must reach connection_init.
  await setEditor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror', JSON.stringify({ Authorization: `Bearer ${TEST_TOKEN}` }, null, 2));
  await setEditor(page, '.graphiql-query-editor .CodeMirror', 'subscription { __typename }');
  await page.locator('.graphiql-execute-button').click();
  const init = await waitFor(() => {
    for (const s of sockets) {
      for (const f of s.sent) {
        try { const m = JSON.parse(f); if (m.type === 'connection_init') return { s, m }; } catch { /* not JSON */ }
      }
    }
    return null;
  }, 'a WebSocket connection_init', () => `sockets: ${JSON.stringify(sockets)}`);
  if (init.s.url !== wsExpected) fail(`subscription WebSocket went to ${init.s.url}, expected ${wsExpected}`);
  if (!wsProtocols.includes('graphql-transport-ws')) fail(`WebSocket sub-protocols offered: ${JSON.stringify(wsProtocols)}`);
  if (init.m.payload?.accessToken !== TEST_TOKEN) fail(`connection_init payload ${JSON.stringify(init.m.payload)} lacks accessToken ${TEST_TOKEN}`);
  ok(`subscription opened ${wsExpected} (graphql-transport-ws), connection_init payload {"accessToken": "<headers pane token>"}`);
  // The test token is not a real one: the server refuses it (4403) and GraphiQL shows that, without retrying.
  const refused = await waitFor(async () => {
    const v = await responseText(page);
    return /4403|Forbidden|4401|Unauthorized/.test(v) ? v : null;
  }, 'the refused subscription to be reported', async () => `result pane: ${JSON.stringify(await responseText(page))}`).catch((e) => {
    console.log(`  note ${e.message} (not fatal)`);
    return null;
  });
  if (refused) ok('the made-up token was refused (close 4403) and the refusal is shown in the result pane');
  await page.waitForTimeout(300);
}

async function setEditor(page, selector, text) {
  const found = await page.evaluate(([sel, value]) => {
    const el = document.querySelector(sel);
    if (!el || !el.CodeMirror) return false;
    el.CodeMirror.setValue(value);
    return true;
  }, [selector, text]);
  if (!found) fail(`editor ${selector} not found`);
}

async function responseText(page) {
  return page.evaluate(() => {
    const el = document.querySelector('.graphiql-response .CodeMirror');
    return el && el.CodeMirror ? el.CodeMirror.getValue() : '';
  });
}

async function waitFor(probe, what, detail) {
  const end = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) fail(`timed out waiting for ${what}${detail ? `; ${await detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let code = 0;
try {
  await main();
} catch (e) {
  console.error(`FAIL: ${e instanceof Failure ? e.message : e.stack || e}`);
  code = 1;
} finally {
  if (page) cspViolations.push(...(await page.evaluate(() => window.__cspViolations || []).catch(() => [])));
  if (browser) await browser.close().catch(() => {});
}
if (foreign.length) {
  console.error(`FAIL: requests to other hosts than ${origin} (aborted):\n  ${[...new Set(foreign)].join('\n  ')}`);
  code = 1;
}
if (cspViolations.length) {
  const counts = new Map();
  for (const v of cspViolations) counts.set(v, (counts.get(v) || 0) + 1);
  console.error(`FAIL: Content-Security-Policy violations (the server's CSP blocks what GraphiQL needs):\n  ${
    [...counts].map(([v, n]) => (n > 1 ? `${v} (x${n})` : v)).join('\n  ')}`);
  code = 1;
}
if (pageErrors.length) {
  console.error(`FAIL: uncaught errors in the page:\n  ${pageErrors.join('\n  ')}`);
  code = 1;
}
if (consoleErrors.length) {
  const shown = [...new Set(consoleErrors.map((m) => m.slice(0, 160)))];
  console.log(`console errors (${consoleErrors.length}; not fatal by themselves):\n  ${shown.slice(0, 5).join('\n  ')}${shown.length > 5 ? `\n  … ${shown.length - 5} more` : ''}`);
}
if (code === 0) {
  ok(`no request left ${origin}; no CSP violation; no page error`);
  console.log(`GraphiQL browser check passed (${checked.length} checks, Chromium at ${executablePath})`);
}
process.exit(code);
