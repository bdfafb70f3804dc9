//! `/graphql` over POST and GET (GraphQL over HTTP): CSRF and body limits, the request read into a
//! GraphQL request (anything unreadable answers a GraphQL error, never plain text), no writes
//! over GET (decided on the document a persisted hash stands for), and the answer's status,
//! media type and caching.

use std::net::SocketAddr;

use async_graphql_axum::GraphQLRequest;
use async_graphql_axum::rejection::GraphQLRejection;
use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_http::request_id::RequestId;
use zhucan_resolvers::error::codes;

use super::auth::{authenticate, bearer, rate_limit, still_active, too_many};
use super::{AppState, meta, refusal, third_party};

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

/// How long anonymous (public catalog) GET answers may be cached.
const PUBLIC_MAX_AGE_SECS: u32 = 60;

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

/// Whether the operation the request would run is a mutation (or subscription). Called on the
/// document itself: a persisted hash is resolved first.
pub(super) fn is_write(request: &async_graphql::Request) -> bool {
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

/// Who may keep an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Caching {
    /// An anonymous GET: public catalog data, cacheable briefly, with an `ETag`.
    Public,
    /// Anything signed in (or a POST): `no-store`, it may carry personal data.
    NoStore,
}

/// Whether a response failed before execution: no data and only errors about the document or
/// request (parse, validation, variables, persisted query), none at a field path. Once execution
/// starts the answer is a GraphQL result, whatever its errors (GraphQL over HTTP §6.4.2).
fn is_request_error(resp: &async_graphql::Response) -> bool {
    resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| e.path.is_empty())
}

/// The ETag of an answer's bytes.
fn etag(body: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&Sha256::digest(body)[..16]))
}

/// GraphQL over HTTP: answer in the media type the client accepts. With
/// `application/graphql-response+json`, a request that failed before execution is `400` without
/// a `data` entry; once execution started the answer is `200` with `data` (possibly `null`) and
/// `errors`. With `application/json` (or `*/*`, or no `Accept`) every GraphQL result is `200`.
pub(super) fn respond(
    headers: &HeaderMap,
    resp: async_graphql::Response,
    caching: Caching,
) -> Response {
    const GQL_JSON: &str = "application/graphql-response+json";
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let wants_gql = accept.split(',').any(|m| m.trim().starts_with(GQL_JSON));
    let (status, body) = if wants_gql && is_request_error(&resp) {
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
                codes::INTERNAL,
                "服务器内部错误",
            );
        }
    };
    let content_type = if wants_gql {
        "application/graphql-response+json; charset=utf-8"
    } else {
        "application/json; charset=utf-8"
    };
    let cacheable =
        caching == Caching::Public && status == StatusCode::OK && resp.errors.is_empty();
    if !cacheable {
        return (
            status,
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    HeaderValue::from_static(content_type),
                ),
                (
                    axum::http::header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                ),
            ],
            body,
        )
            .into_response();
    }
    let tag = etag(&body);
    let cache_control = format!("public, max-age={PUBLIC_MAX_AGE_SECS}");
    let fresh = headers
        .get(axum::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut out = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            status,
            [(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static(content_type),
            )],
            body,
        )
            .into_response()
    };
    let h = out.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(axum::http::header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&cache_control) {
        h.insert(axum::http::header::CACHE_CONTROL, v);
    }
    h.insert(
        axum::http::header::VARY,
        HeaderValue::from_static("accept, accept-encoding, authorization"),
    );
    out
}

/// Hold requests other than multipart uploads to `body_limit_bytes`.
pub(super) async fn json_body_limit(
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
        return refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::BAD_REQUEST,
            "请求体过大",
        );
    }
    next.run(axum::extract::Request::from_parts(parts, limited))
        .await
}

/// Refuse CSRF-prone requests before the body is read.
pub(super) async fn csrf_guard(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if csrf_refused(req.method(), req.headers()) {
        return refusal(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            "请求被拒绝：请使用 application/json 提交，或携带 x-zhucan-csrf 请求头",
        );
    }
    next.run(req).await
}

/// A request that could not be read as a GraphQL request: a GraphQL error (`BAD_REQUEST`) like
/// every other refusal, never async-graphql's plain-text `Debug` of its parse error.
fn unreadable(rejection: &GraphQLRejection) -> Response {
    use async_graphql::ParseRequestError as E;
    let (status, message) = match &rejection.0 {
        E::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "请求体过大".to_owned()),
        E::UnsupportedBatch => (
            StatusCode::BAD_REQUEST,
            "不支持批量请求：每个请求只能包含一个 GraphQL 操作".to_owned(),
        ),
        E::InvalidRequest(e) => {
            // serde_json's message names the position and the problem, never a value.
            (
                StatusCode::BAD_REQUEST,
                format!("请求体不是有效的 GraphQL 请求（须为含 query 的 JSON 对象）：{e}"),
            )
        }
        E::Io(_) => (StatusCode::BAD_REQUEST, "请求体无法读取".to_owned()),
        other => (
            StatusCode::BAD_REQUEST,
            format!("上传请求格式无效：{other}"),
        ),
    };
    refusal(status, codes::BAD_REQUEST, &message)
}

/// `/graphql`, POST and GET.
pub(super) async fn handler(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    method: Method,
    headers: HeaderMap,
    req: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let mut request = match req {
        Ok(r) => r.into_inner(),
        Err(rejection) => return unreadable(&rejection),
    };
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    if let Some(credentials) = third_party::basic_credentials(&headers) {
        return third_party::serve(&state, addr, meta, &method, &headers, credentials, request)
            .await;
    }
    if method == Method::GET {
        // A persisted hash stands for its document: decide on the document whether this is a
        // write (a hash of `mutation { login … }` is as much a mutation as its text).
        if let Err(refused) = state.schema.resolve_persisted(&mut request).await {
            return respond(&headers, refused, Caching::NoStore);
        }
        if is_write(&request) {
            return refusal(
                StatusCode::METHOD_NOT_ALLOWED,
                codes::BAD_REQUEST,
                "变更操作只能通过 POST 提交",
            );
        }
    }
    let viewer = match authenticate(&state.platform, bearer(&headers)) {
        Ok(v) => v,
        Err(e) => return refusal(StatusCode::OK, codes::UNAUTHENTICATED, &e.to_string()),
    };
    let account = viewer.as_ref().map(|(v, _)| v.account_id);
    if let Err(wait) = rate_limit(&state, addr, account).await {
        return too_many(wait);
    }
    if let Err(e) = still_active(&state.platform, viewer.as_ref()).await {
        return refusal(StatusCode::OK, codes::UNAUTHENTICATED, &e.to_string());
    }
    let caching = if method == Method::GET && viewer.is_none() {
        Caching::Public
    } else {
        Caching::NoStore
    };
    request.data = zhucan_resolvers::attach_request_data(&state.platform, viewer, meta);
    respond(&headers, state.schema.execute(request).await, caching)
}
