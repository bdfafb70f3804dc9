//! The HTTP and WebSocket edge: routes, request ids, limits, and authentication (the bearer
//! token of HTTP and the `connection_init` payload of WebSocket both become the same `Viewer`).

mod bench;
mod third_party;

use std::net::SocketAddr;
use std::time::Duration;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource, WebSocketProtocols};
use async_graphql::{Data, ErrorExtensions};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use zhucan_domain::identity::Session;
use zhucan_domain::viewer::{RequestMeta, Viewer};
use zhucan_domain::{DomainError, Platform};
use zhucan_schema::ZhucanSchema;

use crate::config::Settings;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone)]
struct AppState {
    schema: ZhucanSchema,
    platform: Platform,
    ip_per_minute: u32,
    account_per_minute: u32,
    ws_send_timeout: Duration,
    ws_init_timeout: Duration,
    ws_max_subscriptions: usize,
    ws_keepalive: Option<Duration>,
}

/// Build the router.
pub fn router(settings: &Settings, schema: ZhucanSchema, platform: Platform) -> Router {
    let state = AppState {
        schema,
        platform,
        ip_per_minute: settings.rate_limit_ip_per_minute,
        account_per_minute: settings.rate_limit_account_per_minute,
        ws_send_timeout: Duration::from_millis(settings.ws_send_timeout_ms.max(1)),
        ws_init_timeout: Duration::from_secs(settings.ws_init_timeout_secs.max(1)),
        ws_max_subscriptions: settings.ws_max_subscriptions,
        ws_keepalive: (settings.ws_keepalive_secs > 0)
            .then(|| Duration::from_secs(settings.ws_keepalive_secs)),
    };
    let mut router = Router::new()
        .route(
            "/graphql",
            get(graphql_handler)
                .post(graphql_handler)
                .route_layer(axum::middleware::from_fn(csrf_guard))
                .route_layer(axum::middleware::from_fn_with_state(
                    settings.body_limit_bytes,
                    json_body_limit,
                )),
        )
        .route("/graphql/ws", get(ws_handler))
        .route("/reports/outreach/{file}", get(outreach_report))
        .route("/files/outreach/{id}", get(outreach_file))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz));
    if settings.graphiql {
        router = router.route("/graphiql", get(graphiql));
    }
    let mut router = router.with_state(state.clone());
    if settings.bench_routes {
        router = router.merge(bench::router(settings, state));
    }
    router
        // Uploads (multipart) may be up to `upload_limit_bytes`; everything else is held to
        // `body_limit_bytes` by `json_body_limit` on the GraphQL route.
        .layer(RequestBodyLimitLayer::new(settings.body_limit_bytes.max(settings.upload_limit_bytes)))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(settings.request_timeout_secs)))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            // Method, path and request id only: query strings may carry personal data.
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("助残云 GraphiQL")
            .finish(),
    )
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.platform.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

fn meta(addr: SocketAddr, request_id: Option<&RequestId>) -> RequestMeta {
    RequestMeta {
        client_ip: addr.ip().to_string(),
        request_id: request_id
            .and_then(|r| r.header_value().to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Turn a bearer token into a viewer; no token is an anonymous request. Revoked tokens (logout,
/// forced sign-out) are refused like invalid ones.
fn authenticate(
    platform: &Platform,
    token: Option<&str>,
) -> Result<Option<(Viewer, Session)>, DomainError> {
    let Some(t) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let (viewer, session) = platform.tokens.verify(t)?;
    if platform.revocations.is_revoked(viewer.account_id, &session) {
        return Err(DomainError::Unauthenticated("登录凭证已失效，请重新登录"));
    }
    Ok(Some((viewer, session)))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
}

/// A GraphQL error response with `code` and the given HTTP status.
fn refusal(status: StatusCode, code: &'static str, message: &str) -> Response {
    let err = async_graphql::Error::new(message).extend_with(|_, x| x.set("code", code));
    let resp = async_graphql::Response::from_errors(vec![
        err.into_server_error(async_graphql::Pos::default()),
    ]);
    (status, GraphQLResponse::from(resp)).into_response()
}

/// Content types a browser sends cross-site without a CORS preflight.
const SIMPLE_CONTENT_TYPES: [&str; 3] = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];
/// Any of these headers forces a preflight, so their presence proves a same-site or allowed caller.
const PREFLIGHT_HEADERS: [&str; 3] = [
    "x-zhucan-csrf",
    "apollo-require-preflight",
    "graphql-require-preflight",
];

/// CSRF: a POST with a "simple" content type must carry a header that forces a preflight.
fn csrf_refused(method: &Method, headers: &HeaderMap) -> bool {
    if method != Method::POST {
        return false;
    }
    let essence = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    let simple = essence
        .as_deref()
        .is_none_or(|e| SIMPLE_CONTENT_TYPES.contains(&e));
    simple && !PREFLIGHT_HEADERS.iter().any(|h| headers.contains_key(*h))
}

/// Whether the operation the request would run is a mutation (or subscription).
fn is_write(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false; // execution will report the parse error
    };
    let op = match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|o| &o.node),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|o| &o.node),
    };
    op.is_some_and(|o| o.ty != OperationType::Query)
}

/// The signed-in region admin of a plain HTTP request (downloads), with a full, active session;
/// otherwise the refusal to send.
async fn region_admin(p: &Platform, headers: &HeaderMap) -> Result<Viewer, Response> {
    let unauthenticated = |m: &str| refusal(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", m);
    let (viewer, session) = match authenticate(p, bearer(headers)) {
        Ok(Some(pair)) => pair,
        Ok(None) => return Err(unauthenticated("请先登录")),
        Err(e) => return Err(unauthenticated(&e.to_string())),
    };
    if session.stage != zhucan_domain::identity::SessionStage::Full {
        return Err(refusal(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "须先完成动态口令绑定或修改密码",
        ));
    }
    let pair = (viewer, session);
    if let Err(e) = still_active(p, Some(&pair)).await {
        return Err(unauthenticated(&e.to_string()));
    }
    if !pair.0.role.is_region_admin() {
        return Err(refusal(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "仅市、区、街镇管理员可下载",
        ));
    }
    Ok(pair.0)
}

/// The 政策找人 monthly report as an XLSX workbook: `GET /reports/outreach/2026-11.xlsx` with a
/// bearer token; the scope is the viewer's. The export is audited.
async fn outreach_report(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let p = &state.platform;
    let viewer = match region_admin(p, &headers).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let Some(month) = file.strip_suffix(".xlsx") else {
        return refusal(StatusCode::NOT_FOUND, "NOT_FOUND", "报表不存在");
    };
    let scope = zhucan_domain::viewer::PersonScope::of(&viewer);
    let report = match zhucan_domain::outreach::monthly_report(
        &p.db,
        &scope,
        month,
        p.outreach.report_closing_day,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(r) => r,
        Err(DomainError::BadInput { message, .. }) => {
            return refusal(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", &message);
        }
        Err(e) => {
            tracing::error!(error = %e, "monthly report failed");
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "服务器内部错误",
            );
        }
    };
    let bytes = match zhucan_domain::outreach::report_xlsx(&report, &p.regions) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "xlsx failed");
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "服务器内部错误",
            );
        }
    };
    let actor =
        zhucan_domain::audit::Actor::of(&viewer, &meta(addr, request_id.as_ref().map(|e| &e.0)));
    if let Err(e) = zhucan_domain::audit::record_failure(
        &p.db,
        p.audit_key(),
        &actor,
        zhucan_domain::audit::AuditEntry {
            operation: "outreach.report.export",
            object_type: "report",
            object_id: report.month.clone(),
            result: "SUCCESS".to_owned(),
            detail: format!("scope={} rows={}", scope.describe(), report.rows.len()),
        },
    )
    .await
    {
        tracing::error!(error = %e, "could not audit an export");
        return refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "服务器内部错误",
        );
    }
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"outreach-{}.xlsx\"", report.month),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The idle timeout of staff sessions: each use keeps the session alive; one unused too long
/// is over (citizens and volunteers, whose apps stay open for hours, are not affected).
async fn still_active(
    platform: &Platform,
    viewer: Option<&(Viewer, Session)>,
) -> Result<(), DomainError> {
    match viewer {
        Some((v, s)) if zhucan_domain::identity::staff::needs_second_factor(v.role) => {
            platform
                .activity
                .touch(&platform.db, s.jti, v.account_id, chrono::Utc::now())
                .await
        }
        _ => Ok(()),
    }
}

/// GraphQL over HTTP: answer in the media type the client accepts. With
/// `application/graphql-response+json`, a request that failed before execution (parse,
/// validation, variable coercion: no `data`) is `400` without a `data` entry; with
/// `application/json` (or `*/*`, or no `Accept`) every GraphQL result is `200`.
fn respond(headers: &HeaderMap, resp: async_graphql::Response) -> Response {
    const GQL_JSON: &str = "application/graphql-response+json";
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let wants_gql = accept.split(',').any(|m| m.trim().starts_with(GQL_JSON));
    let request_error = resp.data == async_graphql::Value::Null && !resp.errors.is_empty();
    let (status, body) = if wants_gql && request_error {
        // A request error: the body without `data` (rare; through a JSON tree).
        let body = serde_json::to_value(&resp).map(|mut v| {
            if let Some(o) = v.as_object_mut() {
                o.remove("data");
            }
            v
        });
        (
            StatusCode::BAD_REQUEST,
            body.and_then(|v| serde_json::to_vec(&v)),
        )
    } else {
        // Straight to bytes: no intermediate JSON tree for a large page.
        (StatusCode::OK, serde_json::to_vec(&resp))
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "response serialisation failed");
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "服务器内部错误",
            );
        }
    };
    let content_type = if wants_gql {
        "application/graphql-response+json; charset=utf-8"
    } else {
        "application/json; charset=utf-8"
    };
    let mut out = (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static(content_type),
        )],
        body,
    )
        .into_response();
    if let Some(cc) = resp.cache_control.value()
        && let Ok(v) = axum::http::HeaderValue::from_str(&cc)
    {
        out.headers_mut()
            .insert(axum::http::header::CACHE_CONTROL, v);
    }
    out
}

/// Count a request against the per-IP and per-account limits.
async fn rate_limit(
    state: &AppState,
    addr: SocketAddr,
    account: Option<uuid::Uuid>,
) -> Result<(), Duration> {
    let limiter = &state.platform.limiter;
    if state.ip_per_minute > 0 {
        limiter
            .check(&format!("ip:{}", addr.ip()), state.ip_per_minute)
            .await?;
    }
    if let Some(a) = account.filter(|_| state.account_per_minute > 0) {
        limiter
            .check(&format!("acct:{a}"), state.account_per_minute)
            .await?;
    }
    Ok(())
}

/// `429 Too Many Requests` with `Retry-After` (whole seconds) and the `RATE_LIMITED` code.
fn too_many(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut resp = refusal(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        &format!("请求过于频繁，请 {secs} 秒后再试"),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.max(1).to_string()) {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
    resp
}

/// A follow-up attachment: `GET /files/outreach/{attachment id}` with a bearer token; only for
/// staff whose scope holds the task; the digest is checked and the download audited.
async fn outreach_file(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let p = &state.platform;
    let viewer = match region_admin(p, &headers).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return refusal(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "佐证材料不存在或无权访问",
        );
    };
    let actor =
        zhucan_domain::audit::Actor::of(&viewer, &meta(addr, request_id.as_ref().map(|e| &e.0)));
    let scope = zhucan_domain::viewer::PersonScope::of(&viewer);
    match zhucan_domain::outreach::download(
        &p.db,
        p.audit_key(),
        p.blobs.as_ref(),
        &actor,
        &scope,
        id,
    )
    .await
    {
        Ok((a, bytes)) => (
            [
                (axum::http::header::CONTENT_TYPE, a.content_type.clone()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", a.id),
                ),
                (
                    axum::http::header::HeaderName::from_static("x-content-sm3"),
                    a.sm3.clone(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(DomainError::NotFound { .. }) => refusal(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "佐证材料不存在或无权访问",
        ),
        Err(e) => {
            tracing::error!(error = %e, "attachment download failed");
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "服务器内部错误",
            )
        }
    }
}

/// Hold requests other than multipart uploads to `body_limit_bytes`.
async fn json_body_limit(
    State(limit): State<usize>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if multipart {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let limited = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, "BAD_REQUEST", "请求体过大");
    }
    next.run(axum::extract::Request::from_parts(parts, limited))
        .await
}

/// Refuse CSRF-prone requests before the body is read.
async fn csrf_guard(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if csrf_refused(req.method(), req.headers()) {
        return refusal(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "请求被拒绝：请使用 application/json 提交，或携带 x-zhucan-csrf 请求头",
        );
    }
    next.run(req).await
}

async fn graphql_handler(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    method: Method,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> Response {
    let mut request = req.into_inner();
    if method == Method::GET && is_write(&request) {
        return refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_REQUEST",
            "变更操作只能通过 POST 提交",
        );
    }
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    if let Some(credentials) = third_party::basic_credentials(&headers) {
        return third_party::serve(&state, addr, meta, &method, &headers, credentials, request)
            .await;
    }
    let viewer = match authenticate(&state.platform, bearer(&headers)) {
        Ok(v) => v,
        Err(e) => return refusal(StatusCode::OK, "UNAUTHENTICATED", &e.to_string()),
    };
    let account = viewer.as_ref().map(|(v, _)| v.account_id);
    if let Err(wait) = rate_limit(&state, addr, account).await {
        return too_many(wait);
    }
    if let Err(e) = still_active(&state.platform, viewer.as_ref()).await {
        return refusal(StatusCode::OK, "UNAUTHENTICATED", &e.to_string());
    }
    request.data = zhucan_resolvers::attach_request_data(&state.platform, viewer, meta);
    respond(&headers, state.schema.execute(request).await)
}

/// The token in a `connection_init` payload: `accessToken`, `token`, or `Authorization: Bearer …`.
fn token_from_payload(payload: &serde_json::Value) -> Option<String> {
    for key in ["accessToken", "token"] {
        if let Some(t) = payload.get(key).and_then(|v| v.as_str()) {
            return Some(t.to_owned());
        }
    }
    let auth = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(|v| v.as_str())?;
    auth.strip_prefix("Bearer ").map(str::to_owned)
}

async fn ws_handler(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    // Opening a socket counts against the IP's limit like a request.
    if let Err(wait) = rate_limit(&state, addr, None).await {
        return too_many(wait);
    }
    // The first sub-protocol we speak: graphql-transport-ws, or the legacy graphql-ws.
    let protocol = headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok());
    let Some(protocol) = protocol else {
        return (
            StatusCode::BAD_REQUEST,
            "unsupported WebSocket sub-protocol: use graphql-transport-ws",
        )
            .into_response();
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // Small buffers: tungstenite zero-fills its read buffer on every read, and most
        // subscribers only receive. Client messages are small (init, subscribe, complete); a
        // longer frame grows the buffer as it arrives. 2 KiB rather than 8 KiB saved 6 KB of
        // each idle connection's 32 KB (S5, heap profile).
        .read_buffer_size(2 * 1024)
        .write_buffer_size(8 * 1024)
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| serve_socket(socket, state, protocol, meta))
        .into_response()
}

/// Serve one WebSocket (graphql-transport-ws or the legacy graphql-ws protocol). Unlike
/// async-graphql-axum's `serve`, every send is bounded by `ws_send_timeout`: a client that stops
/// reading is disconnected instead of holding the connection (its subscriptions' buffers are
/// bounded, so the server's memory does not grow meanwhile).
async fn serve_socket(
    socket: axum::extract::ws::WebSocket,
    state: AppState,
    protocol: WebSocketProtocols,
    meta: RequestMeta,
) {
    use async_graphql::http::WsMessage;
    use axum::extract::ws::{CloseFrame, Message};
    use futures::StreamExt;

    let (sink, stream) = socket.split();
    // graphql-transport-ws is enforced by the guard; the legacy protocol passes through.
    let strict = protocol == WebSocketProtocols::GraphQLWS;
    let guard = std::sync::Arc::new(crate::ws_guard::Guard::new(state.ws_max_subscriptions));
    let input_guard = guard.clone();
    let heard_guard = guard.clone();
    let input = stream
        .take_while(|m| futures::future::ready(m.is_ok()))
        .inspect(move |_| heard_guard.heard())
        .filter_map(|m| {
            futures::future::ready(match m {
                Ok(msg @ (Message::Text(_) | Message::Binary(_))) => Some(msg.into_data()),
                _ => None,
            })
        })
        // A violation ends the input; the output then ends and the close code follows.
        .take_while(move |data| futures::future::ready(!strict || input_guard.client(data)));
    let platform = state.platform.clone();
    let outgoing = async_graphql::http::WebSocket::new(state.schema.clone(), input, protocol)
        .on_connection_init(move |payload| async move {
            let token = token_from_payload(&payload);
            let viewer = authenticate(&platform, token.as_deref())
                .map_err(|e| async_graphql::Error::new(e.to_string()))?;
            still_active(&platform, viewer.as_ref())
                .await
                .map_err(|e| async_graphql::Error::new(e.to_string()))?;
            let data: Data = zhucan_resolvers::attach_request_data(&platform, viewer, meta);
            Ok(data)
        });
    let init_guard = guard.clone();
    let init_timeout = state.ws_init_timeout;
    let init_deadline = async move {
        tokio::time::sleep(init_timeout).await;
        if !strict || init_guard.init_seen() {
            futures::future::pending::<()>().await;
        }
        init_guard.violate(4408, "Connection initialisation timeout");
    };
    let out_guard = guard.clone();
    let end_guard = guard.clone();
    let messages = outgoing
        .take_until(init_deadline)
        .map(move |msg| match msg {
            WsMessage::Text(text) => {
                if strict {
                    out_guard.server(&text);
                }
                Message::Text(text.into())
            }
            // A refused initialisation (bad, expired or revoked token) is 4403 Forbidden.
            WsMessage::Close(1002, reason) if strict && !out_guard.acked() => {
                Message::Close(Some(CloseFrame {
                    code: 4403,
                    reason: format!("Forbidden: {reason}").into(),
                }))
            }
            WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })),
        })
        .chain(
            futures::stream::once(async move { end_guard.violation() }).filter_map(|v| {
                futures::future::ready(v.map(|(code, reason)| {
                    Message::Close(Some(CloseFrame {
                        code,
                        reason: reason.into(),
                    }))
                }))
            }),
        );
    let messages = with_keepalive(messages, state.ws_keepalive, guard.clone());
    if forward(messages, sink, state.ws_send_timeout).await == Forwarded::TooSlow {
        tracing::info!("WebSocket client stopped reading: disconnected");
    }
}

/// Interleave WebSocket pings every `every` with the outgoing messages, and close the socket
/// (1001) when the client has sent nothing, not even the pong every WebSocket client answers a
/// ping with, for three intervals: a vanished phone does not hold its subscriptions for the
/// minutes TCP takes to notice. Live clients need not ping themselves; before, async-graphql's
/// `keepalive_timeout` closed every subscriber that sent nothing for 30 s (3008), which the
/// 10-minute S7 soak found: 95 % of offers lost after the first half-minute.
fn with_keepalive<S>(
    messages: S,
    every: Option<Duration>,
    guard: std::sync::Arc<crate::ws_guard::Guard>,
) -> futures::stream::BoxStream<'static, axum::extract::ws::Message>
where
    S: futures::Stream<Item = axum::extract::ws::Message> + Send + 'static,
{
    use axum::extract::ws::{CloseFrame, Message};
    use futures::StreamExt;
    let Some(every) = every else {
        return messages.boxed();
    };
    let start = tokio::time::Instant::now() + every;
    let ticks = ticks_from(start, every).map(move |()| {
        if guard.silent_for() > every * 3 {
            Some(Message::Close(Some(CloseFrame {
                code: 1001,
                reason: "keep-alive timeout".into(),
            })))
        } else {
            Some(Message::Ping(axum::body::Bytes::new()))
        }
    });
    // The socket's own messages end the stream; a close for silence ends it too.
    futures::stream::select(
        messages
            .map(Some)
            .chain(futures::stream::once(async { None })),
        ticks,
    )
    .take_while(|m| futures::future::ready(m.is_some()))
    .filter_map(futures::future::ready)
    .scan(false, |closed, m| {
        let done = *closed;
        *closed |= matches!(m, Message::Close(_));
        futures::future::ready((!done).then_some(m))
    })
    .boxed()
}

/// Ticks at `start`, then every `every`.
fn ticks_from(
    start: tokio::time::Instant,
    every: Duration,
) -> impl futures::Stream<Item = ()> + Send + 'static {
    let mut interval = tokio::time::interval_at(start, every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    futures::stream::unfold(interval, |mut i| async move {
        i.tick().await;
        Some(((), i))
    })
}

/// How forwarding to a client ended.
#[derive(Debug, PartialEq, Eq)]
enum Forwarded {
    /// The server side finished (connection closed normally).
    Finished,
    /// The client went away.
    ClientGone,
    /// One send took longer than the timeout: the client stopped reading.
    TooSlow,
}

/// Forward every message to the sink, giving up when a single send takes longer than `timeout`.
async fn forward<T, S, K>(messages: S, sink: K, timeout: Duration) -> Forwarded
where
    S: futures::Stream<Item = T>,
    K: futures::Sink<T>,
{
    use futures::{SinkExt, StreamExt};
    futures::pin_mut!(messages, sink);
    while let Some(msg) = messages.next().await {
        match tokio::time::timeout(timeout, sink.send(msg)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Forwarded::ClientGone,
            Err(_) => return Forwarded::TooSlow,
        }
    }
    Forwarded::Finished
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Forwarded, forward};

    #[tokio::test]
    async fn a_client_that_stops_reading_is_dropped_after_the_send_timeout() {
        let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        // Accepts two messages, then never again (a full socket whose reader stopped).
        let sink = futures::sink::unfold((), move |(), _msg: u32| {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 2 {
                    futures::future::pending::<()>().await;
                }
                Ok::<(), ()>(())
            }
        });
        let endless = futures::stream::iter(0u32..);
        let started = std::time::Instant::now();
        let outcome = tokio::time::timeout(
            Duration::from_secs(5),
            forward(endless, sink, Duration::from_millis(100)),
        )
        .await;
        assert_eq!(outcome, Ok(Forwarded::TooSlow));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            accepted.load(std::sync::atomic::Ordering::SeqCst),
            3,
            "two delivered, the third never completed"
        );
    }

    #[tokio::test]
    async fn forwarding_ends_cleanly_when_the_server_side_ends_or_the_client_is_gone() {
        let sink = futures::sink::drain::<u32>();
        assert_eq!(
            forward(
                futures::stream::iter([1u32, 2, 3]),
                sink,
                Duration::from_millis(100)
            )
            .await,
            Forwarded::Finished
        );
        let broken = futures::sink::unfold((), |(), _m: u32| async { Err::<(), ()>(()) });
        assert_eq!(
            forward(
                futures::stream::iter([1u32]),
                broken,
                Duration::from_millis(100)
            )
            .await,
            Forwarded::ClientGone
        );
    }
}
