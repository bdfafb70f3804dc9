//! The HTTP and WebSocket edge: routes, request ids, limits, CORS, compression, and
//! authentication (the bearer token of HTTP and the `connection_init` payload of WebSocket both
//! become the same `Viewer`). One module per concern:
//!
//! - `auth`: tokens to viewers, session activity, rate limits;
//! - `graphql`: `/graphql` over POST and GET, the answer's status, media type and caching;
//! - `ws`: `/graphql/ws` (graphql-transport-ws and the legacy protocol), with `ws_guard`;
//! - `graphiql`: the GraphiQL page and its vendored assets (no CDN);
//! - `files`, `reports`: downloads of follow-up materials and monthly reports;
//! - `third_party`: partner systems with trusted documents; `bench`: load-scenario baselines.

mod auth;
mod bench;
mod files;
mod graphiql;
mod graphql;
mod reports;
mod third_party;
mod ws;
mod ws_guard;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use zhucan_domain::Platform;
use zhucan_domain::viewer::RequestMeta;
use zhucan_schema::ZhucanSchema;

use crate::config::Settings;

pub use ws::Sockets;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler shares.
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
    /// Origins allowed to call from a browser (CORS) and to open WebSockets; empty: same origin.
    allowed_origins: Arc<[String]>,
    /// Open WebSockets, told when the server shuts down.
    sockets: Sockets,
}

/// Headers a browser app may send cross-origin.
const CORS_HEADERS: [HeaderName; 6] = [
    axum::http::header::AUTHORIZATION,
    axum::http::header::CONTENT_TYPE,
    HeaderName::from_static("x-zhucan-csrf"),
    HeaderName::from_static("apollo-require-preflight"),
    HeaderName::from_static("graphql-require-preflight"),
    REQUEST_ID,
];

/// The CORS layer for the configured origins (`None`: same origin only, no CORS headers).
fn cors(settings: &Settings) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = settings
        .cors_allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers(CORS_HEADERS)
            .expose_headers([REQUEST_ID, axum::http::header::RETRY_AFTER])
            // Bearer tokens travel in a header, never in cookies: no credentials mode.
            .allow_credentials(false)
            .max_age(Duration::from_secs(settings.cors_max_age_secs)),
    )
}

/// Build the router. `sockets` learns of every WebSocket so that shutdown can close them.
pub fn router(
    settings: &Settings,
    schema: ZhucanSchema,
    platform: Platform,
    sockets: Sockets,
) -> Router {
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
        allowed_origins: settings
            .cors_allowed_origins
            .iter()
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect(),
        sockets,
    };
    let mut router = Router::new()
        .route(
            "/graphql",
            get(graphql::handler)
                .post(graphql::handler)
                .route_layer(axum::middleware::from_fn(graphql::csrf_guard))
                .route_layer(axum::middleware::from_fn_with_state(
                    settings.body_limit_bytes,
                    graphql::json_body_limit,
                )),
        )
        .route("/graphql/ws", get(ws::handler))
        .route("/reports/outreach/{file}", get(reports::outreach_report))
        .route(
            "/reports/activities/{file}",
            get(reports::activity_statistics),
        )
        .route(
            "/reports/volunteer-hours.xlsx",
            get(reports::volunteer_hours),
        )
        .route(
            "/reports/custody-spending.xlsx",
            get(reports::custody_spending),
        )
        .route(
            "/reports/questionnaire.xlsx",
            get(reports::questionnaire_results),
        )
        .route(
            "/reports/recruitment.xlsx",
            get(reports::recruitment_statistics),
        )
        .route("/reports/subsidies.xlsx", get(reports::subsidy_statistics))
        .route("/files/outreach/{id}", get(files::outreach_file))
        .route("/files/custody/{id}", get(files::custody_file))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz));
    if settings.graphiql {
        router = router.merge(graphiql::router());
    }
    let mut router = router.with_state(state.clone());
    if settings.bench_routes {
        router = router.merge(bench::router(settings, state));
    }
    let router = match cors(settings) {
        Some(layer) => router.layer(layer),
        None => router,
    };
    let upload_mb = settings.upload_limit_bytes >> 20;
    router
        // gzip, Brotli or zstd as the client accepts (a 500-person page: 162 KB → 22 KB).
        .layer(CompressionLayer::new())
        // Uploads (multipart) may be up to `upload_limit_bytes`; everything else is held to
        // `body_limit_bytes` by `json_body_limit` on the GraphQL route.
        .layer(RequestBodyLimitLayer::new(settings.body_limit_bytes.max(settings.upload_limit_bytes)))
        // The limit layer answers 413 with an empty body: say what happened, in zh-CN JSON.
        .layer(axum::middleware::map_response(move |res: Response| async move {
            too_large(res, upload_mb)
        }))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(settings.request_timeout_secs)))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            // Method, path and request id only: query strings may carry personal data.
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
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

/// Where a request came from, for audit records and logs.
fn meta(addr: SocketAddr, request_id: Option<&RequestId>) -> RequestMeta {
    RequestMeta {
        client_ip: addr.ip().to_string(),
        request_id: request_id
            .and_then(|r| r.header_value().to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    }
}

/// A GraphQL error response with `code` and the given HTTP status. Server-made errors have no
/// position in any document, so they carry no `locations`.
/// A bare 413 (from the body-limit layer) as a GraphQL-shaped zh-CN error; anything else as is.
fn too_large(res: Response, upload_mb: usize) -> Response {
    let bare = res.status() == StatusCode::PAYLOAD_TOO_LARGE
        && !res
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
    if bare {
        refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            zhucan_resolvers::error::codes::BAD_REQUEST,
            &format!("请求体过大：上传的文件不能超过 {upload_mb} MB，较大的流水请按月拆分后上传"),
        )
    } else {
        res
    }
}

fn refusal(status: StatusCode, code: &'static str, message: &str) -> Response {
    let mut err = async_graphql::ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code);
    err.extensions = Some(ext);
    let body =
        serde_json::to_vec(&async_graphql::Response::from_errors(vec![err])).unwrap_or_default();
    (
        status,
        [
            (
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Answers that carry personal data are never stored by a browser or proxy.
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    resp
}
