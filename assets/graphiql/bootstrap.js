/*
 * 助残云 GraphiQL — bootstrap. A separate file (no inline script, no eval) so the page runs
 * under `script-src 'self'`. Loaded after react, react-dom, graphiql and graphql-ws (all vendored,
 * served from /graphiql/assets/).
 *
 * Queries and mutations: POST /graphql (application/json) with the headers pane's headers (an
 * `Authorization: Bearer` still holding the placeholder is left out).
 * Subscriptions: WebSocket /graphql/ws (graphql-transport-ws). The server reads the token from
 * the `connection_init` payload, not from headers, so the token of the headers pane's
 * `Authorization: Bearer …` is sent there as `{"accessToken": "…"}`. The token is read from the
 * headers pane each time an operation runs; when it has changed, the WebSocket client is replaced
 * (its connection, and the subscriptions running on it, are closed) so that no subscription goes
 * on under a token other than the one last used.
 */
(function () {
  'use strict';

  var HTTP_URL = '/graphql';
  var WS_URL = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql/ws';
  var TOKEN_PLACEHOLDER = '<在此粘贴 accessToken>';
  var DEFAULT_HEADERS = JSON.stringify({ Authorization: 'Bearer ' + TOKEN_PLACEHOLDER }, null, 2);
  var DEFAULT_QUERY = [
    '# 助残云 GraphiQL（离线版：脚本与样式均由本服务器提供）',
    '#',
    '# 登录步骤：',
    '# 1. 去掉下面 mutation 各行开头的 “# ”，',
    '#    填入用户名和密码，按 Ctrl-Enter 运行；',
    '# 2. 复制返回的 accessToken，粘贴到下方',
    '#    Headers（请求头）面板中，替换',
    '#    <在此粘贴 accessToken>；',
    '# 3. 此后的查询、变更和订阅都以该身份执行',
    '#    （订阅走 WebSocket /graphql/ws，令牌在',
    '#    connection_init 的 accessToken 中发送）。',
    '#',
    '# mutation Login {',
    '#   login(input: { username: "用户名", password: "密码" }) {',
    '#     accessToken',
    '#     expiresAt',
    '#     stage',
    '#   }',
    '# }',
    '#',
    '# 已绑定动态口令的管理员：在 input 中加上',
    '#   otp: "动态口令"；UKey 登录另需 challengeId',
    '#   与 sm2Signature（见文档中的 LoginInput）。',
    '# stage 不是 FULL 时，令牌只能用于完成',
    '#   剩余的登录步骤。',
    '# 快捷键：Ctrl-Enter 运行，Ctrl-Space 补全，',
    '#   Shift-Ctrl-P 格式化。',
    '',
    '{ __typename }',
    ''
  ].join('\n');

  function fail(message) {
    var root = document.getElementById('graphiql');
    root.textContent = '';
    var p = document.createElement('p');
    p.className = 'zhucan-error';
    p.textContent = message;
    root.appendChild(p);
  }

  if (!window.React || !window.ReactDOM || !window.GraphiQL || !window.graphqlWs) {
    fail('GraphiQL 未能加载：/graphiql/assets/ 下的脚本缺失或被拦截。');
    return;
  }

  // The headers pane's `Authorization` entry, whatever its case: [key, value] or null.
  function authorizationEntry(headers) {
    if (!headers || typeof headers !== 'object') return null;
    for (var key in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, key) && key.toLowerCase() === 'authorization') {
        return [key, headers[key]];
      }
    }
    return null;
  }

  function isBearer(value) {
    return typeof value === 'string' && /^\s*bearer(\s|$)/i.test(value);
  }

  // The bearer token of the headers, or null when there is none, it is empty, or it is still
  // the placeholder (or anything else that is not a token: a fetch header must be Latin-1).
  function bearerToken(headers) {
    var entry = authorizationEntry(headers);
    if (!entry || !isBearer(entry[1])) return null;
    var m = /^\s*bearer\s+(\S+)\s*$/i.exec(entry[1]);
    if (!m || /[<>]/.test(m[1]) || /[^\x21-\x7e]/.test(m[1])) return null;
    return m[1];
  }

  // Headers for HTTP: the pane's, less an `Authorization: Bearer` that carries no token (the
  // placeholder would otherwise be refused by the server — or by fetch, being non-Latin-1).
  function httpHeaders(headers) {
    var out = {};
    var token = bearerToken(headers);
    for (var key in headers || {}) {
      if (!Object.prototype.hasOwnProperty.call(headers, key)) continue;
      if (key.toLowerCase() === 'authorization' && isBearer(headers[key]) && token === null) continue;
      out[key] = headers[key];
    }
    if (token !== null) {
      var entry = authorizationEntry(headers);
      out[entry[0]] = 'Bearer ' + token;
    }
    return out;
  }

  // The operation that will run, parsed from the text that is sent: GraphiQL's own documentAST
  // and operationName can lag behind the editor (a stale name makes the server answer "unknown
  // operation", a stale AST would pick the wrong transport).
  function resolveOperation(params) {
    var doc;
    try {
      doc = window.GraphiQL.GraphQL.parse(params.query);
    } catch (e) {
      // A syntax error: the server reports it.
      return { operationName: params.operationName, subscription: false };
    }
    var ops = doc.definitions.filter(function (d) {
      return d.kind === 'OperationDefinition';
    });
    var named = params.operationName && ops.filter(function (o) {
      return o.name && o.name.value === params.operationName;
    })[0];
    var op = named || (ops.length === 1 ? ops[0] : null);
    return {
      operationName: op ? (op.name ? op.name.value : undefined) : params.operationName,
      subscription: !!op && op.operation === 'subscription'
    };
  }

  // Queries and mutations: a plain JSON POST. x-zhucan-csrf is not needed for application/json
  // but lets the request through the server's CSRF guard regardless.
  function postGraphQL(payload, headers) {
    var h = { 'content-type': 'application/json', accept: 'application/json', 'x-zhucan-csrf': '1' };
    for (var k in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, k)) h[k] = headers[k];
    }
    return window.fetch(HTTP_URL, {
      method: 'POST',
      headers: h,
      body: JSON.stringify(payload),
      credentials: 'same-origin'
    }).then(function (resp) {
      return resp.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (e) {
          return { errors: [{ message: 'HTTP ' + resp.status + (text ? '：' + text.slice(0, 500) : '') }] };
        }
      });
    });
  }

  // One lazy graphql-ws client per token: it connects on the first subscription and closes
  // after the last one. connectionParams is evaluated on each (re)connection.
  var ws = null;
  function wsClient(token) {
    if (ws && ws.token !== token) {
      ws.client.dispose(); // signed out, or in as someone else: end the old identity's subscriptions
      ws = null;
    }
    if (!ws) {
      ws = {
        token: token,
        client: window.graphqlWs.createClient({
          url: WS_URL,
          lazy: true,
          connectionParams: function () {
            return token === null ? {} : { accessToken: token };
          },
          retryAttempts: 3,
          // 4403: the server refused the token (invalid, expired or revoked); retrying won't help.
          shouldRetry: function (e) {
            return !(e && (e.code === 4403 || e.code === 4401));
          }
        })
      };
    }
    return ws.client;
  }

  // Why the socket ended, for the result pane.
  function socketError(e) {
    if (e && typeof e.code === 'number') {
      var what = 'WebSocket 已关闭（' + e.code + (e.reason ? ' ' + e.reason : '') + '）';
      if (e.code === 4403 || e.code === 4401) {
        what += '：令牌无效、已过期或已注销。请重新登录，并把新的 accessToken 填入 Headers 面板。';
      }
      return new Error(what);
    }
    if (e instanceof Error) return e;
    return new Error('无法连接 ' + WS_URL);
  }

  // A subscription as the async iterator GraphiQL consumes. Errors reach GraphiQL through next()
  // (GraphiQL's own sink adapter throws them into nowhere: an unhandled rejection per error).
  function subscribe(client, payload) {
    var queue = [];
    var waiter = null;
    var finished = false;
    var failure = null;
    function wake() {
      if (!waiter) return;
      var w = waiter;
      if (queue.length) {
        waiter = null;
        w.resolve({ value: queue.shift(), done: false });
      } else if (failure) {
        waiter = null;
        w.reject(failure);
        failure = null;
      } else if (finished) {
        waiter = null;
        w.resolve({ value: undefined, done: true });
      }
    }
    var dispose = client.subscribe(payload, {
      next: function (value) {
        queue.push(value);
        wake();
      },
      error: function (e) {
        if (Array.isArray(e)) {
          queue.push({ errors: e }); // GraphQL errors (e.g. validation): show them as a result
        } else {
          failure = socketError(e);
        }
        finished = true;
        wake();
      },
      complete: function () {
        finished = true;
        wake();
      }
    });
    var iterator = {
      next: function () {
        return new Promise(function (resolve, reject) {
          waiter = { resolve: resolve, reject: reject };
          wake();
        });
      },
      'return': function () {
        finished = true;
        dispose();
        wake();
        return Promise.resolve({ value: undefined, done: true });
      }
    };
    iterator[Symbol.asyncIterator] = function () {
      return iterator;
    };
    return iterator;
  }

  function fetcher(params, opts) {
    var headers = (opts && opts.headers) || {};
    var token = bearerToken(headers);
    if (ws && ws.token !== token) wsClient(token); // the token changed: drop the old connection now
    var op = resolveOperation(params);
    var payload = { query: params.query };
    if (params.variables) payload.variables = params.variables;
    if (op.operationName) payload.operationName = op.operationName;
    if (op.subscription) return subscribe(wsClient(token), payload);
    return postGraphQL(payload, httpHeaders(headers));
  }

  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      headers: DEFAULT_HEADERS,
      defaultHeaders: DEFAULT_HEADERS,
      isHeadersEditorEnabled: true,
      // Tokens are not written to localStorage.
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: 'headers'
    })
  );
})();
