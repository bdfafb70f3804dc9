#!/usr/bin/env bash
# Re-fetch the vendored GraphiQL / React files from the npm registry (npm's ordinary client).
#
#   ./update.sh            install the exact versions of package-lock.json (npm ci) into a temp dir,
#                          copy the browser builds here, regenerate LICENSES.md, licenses/*.txt, SHA256SUMS
#   ./update.sh --relock   after editing the versions in package.json: resolve afresh, rewrite
#                          package-lock.json, then as above
#   ./update.sh --check    change nothing; fail when a vendored file differs from its npm package
#
# Hand-written and kept as they are: index.html, bootstrap.js, README.md and
# licenses/font-*.txt (the fonts GraphiQL embeds in its CSS ship no licence file in npm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="${1:-}"
case "$mode" in ""|--relock|--check) ;; *) echo "usage: $0 [--relock|--check]" >&2; exit 2 ;; esac

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$here/package.json" "$tmp/"
if [ "$mode" = --relock ]; then
  (cd "$tmp" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$tmp/package-lock.json" "$here/package-lock.json"
else
  cp "$here/package-lock.json" "$tmp/"
  (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
nm="$tmp/node_modules"

# vendored file <- file inside node_modules
files=(
  "graphiql.min.js=graphiql/graphiql.min.js"
  "graphiql.min.css=graphiql/graphiql.min.css"
  "react.production.min.js=react/umd/react.production.min.js"
  "react-dom.production.min.js=react-dom/umd/react-dom.production.min.js"
  "graphql-ws.min.js=graphql-ws/umd/graphql-ws.min.js"
)

if [ "$mode" = --check ]; then
  bad=0
  for f in "${files[@]}"; do
    if cmp -s "$nm/${f#*=}" "$here/${f%%=*}"; then echo "ok       ${f%%=*}"; else echo "DIFFERS  ${f%%=*}"; bad=1; fi
  done
  (cd "$here" && sha256sum -c --quiet SHA256SUMS) || bad=1
  exit $bad
fi

for f in "${files[@]}"; do
  cp "$nm/${f#*=}" "$here/${f%%=*}"
done

# LICENSES.md and licenses/<package>.txt, from the installed packages.
node --input-type=module - "$nm" "$here" <<'EOF'
import fs from 'node:fs';
import path from 'node:path';
const [nm, out] = process.argv.slice(2);
const pkg = (name) => JSON.parse(fs.readFileSync(path.join(nm, name, 'package.json'), 'utf8'));
const licenceText = (name) => {
  const dir = path.join(nm, name);
  const f = fs.readdirSync(dir).filter((f) => /^(licen[cs]e|copying)/i.test(f)).sort()[0];
  return f ? fs.readFileSync(path.join(dir, f), 'utf8').trim() : null;
};
const slug = (name) => name.replace(/^@/, '').replace(/\//g, '__');
const licDir = path.join(out, 'licenses');
fs.mkdirSync(licDir, { recursive: true });
const write = (name) => {
  const p = pkg(name);
  const text = licenceText(name);
  if (!text) throw new Error(`${name}: no licence file`);
  fs.writeFileSync(path.join(licDir, `${slug(name)}.txt`),
    `${p.name}@${p.version} — ${p.license}\n\n${text}\n`);
  return p;
};
const graphiql = write('graphiql');
const react = write('react');
const reactDom = write('react-dom');
const scheduler = write('scheduler'); // inlined in react-dom's UMD build
const graphqlWs = write('graphql-ws');

// Everything graphiql.min.js bundles (all but react and react-dom are inlined): the production
// dependency tree of graphiql, plus graphql (peer) and graphql-ws (a build-time dependency of
// @graphiql/toolkit). This is a superset of what the bundle holds; left out are type
// declarations and packages verified absent from the bundle.
const external = new Set(['react', 'react-dom', 'scheduler', 'loose-envify', 'js-tokens']);
const notInBundle = (n) => n.startsWith('@types/') || n.startsWith('@codemirror/') ||
  n.startsWith('@lezer/') || ['argparse', 'style-mod', 'w3c-keyname', 'crelt',
  '@marijn/find-cluster-break'].includes(n);
const seen = new Map();
const root = path.dirname(nm);
const resolve = (name, from) => { // node's lookup: from/node_modules, then each parent's
  for (let dir = from; dir.startsWith(root); dir = path.dirname(dir)) {
    const cand = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(cand, 'package.json'))) return cand;
  }
  return null;
};
const walk = (dir) => {
  const p = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const key = `${p.name}@${p.version}`;
  if (seen.has(key)) return;
  seen.set(key, { p, dir });
  for (const dep of Object.keys(p.dependencies || {})) {
    if (external.has(dep)) continue;
    const d = resolve(dep, dir);
    if (d) walk(d);
  }
};
walk(path.join(nm, 'graphiql'));
walk(path.join(nm, 'graphql'));
walk(path.join(nm, 'graphql-ws'));
const bundled = [...seen.values()]
  .filter(({ p }) => p.name !== 'graphiql' && !notInBundle(p.name))
  .sort((a, b) => a.p.name.localeCompare(b.p.name));
let notice = `Third-party components inlined in graphiql.min.js / graphiql.min.css (graphiql@${graphiql.version}).\n` +
  `Versions are those package-lock.json resolves for graphiql's dependency ranges; the bundle itself was\n` +
  `built by the GraphiQL project from its own lock file (it reports graphql 16.9.0, codemirror 5.65.3).\n`;
for (const { p, dir } of bundled) {
  const text = (() => {
    const f = fs.readdirSync(dir).filter((f) => /^(licen[cs]e|copying)/i.test(f)).sort()[0];
    return f ? fs.readFileSync(path.join(dir, f), 'utf8').trim()
      : `(the package ships no licence file; its package.json declares "${p.license}")`;
  })();
  notice += `\n${'='.repeat(78)}\n${p.name}@${p.version} — ${p.license}\n${'='.repeat(78)}\n\n${text}\n`;
}
fs.writeFileSync(path.join(licDir, 'graphiql-bundled.txt'), notice);
const licences = [...new Set(bundled.map(({ p }) => p.license))].sort().join(', ');

const md = `# Vendored browser files: licences

Generated by \`update.sh\` from the npm packages pinned in \`package.json\` / \`package-lock.json\`.
\`index.html\`, \`bootstrap.js\` and \`README.md\` are the project's own.

| file | npm package | version | licence | licence text |
| --- | --- | --- | --- | --- |
| \`graphiql.min.js\` | graphiql (\`graphiql.min.js\`, UMD) | ${graphiql.version} | ${graphiql.license} | [licenses/graphiql.txt](licenses/graphiql.txt); inlined components: [licenses/graphiql-bundled.txt](licenses/graphiql-bundled.txt) (${licences}) |
| \`graphiql.min.css\` | graphiql (\`graphiql.min.css\`) | ${graphiql.version} | ${graphiql.license}; embedded fonts: SIL OFL 1.1 | [licenses/graphiql.txt](licenses/graphiql.txt); fonts: [licenses/font-roboto.txt](licenses/font-roboto.txt), [licenses/font-fira-code.txt](licenses/font-fira-code.txt) |
| \`react.production.min.js\` | react (\`umd/react.production.min.js\`) | ${react.version} | ${react.license} | [licenses/react.txt](licenses/react.txt) |
| \`react-dom.production.min.js\` | react-dom (\`umd/react-dom.production.min.js\`) | ${reactDom.version} | ${reactDom.license} | [licenses/react-dom.txt](licenses/react-dom.txt); inlined scheduler@${scheduler.version} (${scheduler.license}): [licenses/scheduler.txt](licenses/scheduler.txt) |
| \`graphql-ws.min.js\` | graphql-ws (\`umd/graphql-ws.min.js\`) | ${graphqlWs.version} | ${graphqlWs.license} | [licenses/graphql-ws.txt](licenses/graphql-ws.txt) |

\`graphiql.min.js\` inlines its own copy of graphql-ws but does not expose it; \`bootstrap.js\` uses
the separate \`graphql-ws.min.js\` (global \`graphqlWs\`) to control the subscription client
(\`connectionParams\` with the token, no retries of a refused token). The CSS embeds the Roboto and
Fira Code fonts as \`data:\` URIs (both SIL Open Font License 1.1; older Roboto releases were
Apache-2.0, which equally permits redistribution).

SHA-256 of every vendored file: \`SHA256SUMS\` (\`sha256sum -c SHA256SUMS\`).
`;
fs.writeFileSync(path.join(out, 'LICENSES.md'), md);
EOF

(cd "$here" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js graphql-ws.min.js > SHA256SUMS)
echo "updated: $(cd "$here" && du -cb graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js graphql-ws.min.js | tail -n1 | cut -f1) bytes vendored"
