//! The HTTP and WebSocket edge: routes, request ids, limits, and authentication (the bearer
//! token of HTTP and the `connection_init` payload of WebSocket both become the same `Viewer`).

use std::net::SocketAddr;
use std::time::Duration;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource};
use async_graphql::{Data, ErrorExtensions};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use chrono::{DateTime, Utc};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use zhucan_domain::viewer::{RequestMeta, Viewer};
use zhucan_domain::{DomainError, Platform};
use zhucan_schema::ZhucanSchema;

use crate::config::Settings;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone)]
struct AppState {
    schema: ZhucanSchema,
    platform: Platform,
}

/// Build the router.
pub fn router(settings: &Settings, schema: ZhucanSchema, platform: Platform) -> Router {
    let state = AppState { schema, platform };
    let mut router = Router::new()
        .route("/graphql", get(graphql_handler).post(graphql_handler))
        .route("/graphql/ws", get(ws_handler))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz));
    if settings.graphiql {
        router = router.route("/graphiql", get(graphiql));
    }
    router
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(settings.body_limit_bytes))
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

/// Turn a bearer token into a viewer; no token is an anonymous request.
fn authenticate(
    platform: &Platform,
    token: Option<&str>,
) -> Result<Option<(Viewer, DateTime<Utc>)>, DomainError> {
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => platform.tokens.verify(t).map(Some),
    }
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

async fn graphql_handler(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> GraphQLResponse {
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    let viewer = match authenticate(&state.platform, bearer(&headers)) {
        Ok(v) => v,
        Err(e) => {
            let err = async_graphql::Error::new(e.to_string())
                .extend_with(|_, x| x.set("code", "UNAUTHENTICATED"));
            let resp = async_graphql::Response::from_errors(vec![
                err.into_server_error(async_graphql::Pos::default()),
            ]);
            return resp.into();
        }
    };
    let data = zhucan_resolvers::attach_request_data(&state.platform, viewer, meta);
    let mut request = req.into_inner();
    request.data = data;
    state.schema.execute(request).await.into()
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
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let platform = state.platform.clone();
            GraphQLWebSocket::new(socket, state.schema.clone(), protocol)
                .on_connection_init(move |payload| async move {
                    let token = token_from_payload(&payload);
                    let viewer = authenticate(&platform, token.as_deref())
                        .map_err(|e| async_graphql::Error::new(e.to_string()))?;
                    let data: Data = zhucan_resolvers::attach_request_data(&platform, viewer, meta);
                    Ok(data)
                })
                .serve()
        })
        .into_response()
}
