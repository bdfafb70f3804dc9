//! Third-party requests: `Authorization: Basic base64(clientId:secret)` on `/graphql`. A client
//! runs only the trusted documents of its manifest, named by hash
//! (`extensions.persistedQuery.sha256Hash`); any other document is refused before parsing. Its
//! requests count against its own quota as well as its IP's.

use std::net::SocketAddr;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use zhucan_domain::Caller;
use zhucan_domain::partners::PartnerService;
use zhucan_domain::viewer::RequestMeta;

use zhucan_resolvers::error::codes;

use super::auth::too_many;
use super::graphql::{Caching, is_write, respond};
use super::{AppState, refusal};

/// The `Authorization: Basic` credentials, if the request carries them (client id, secret).
pub(super) fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    // Malformed Basic credentials are still a client's attempt: answer as to a wrong secret.
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let (id, secret) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
    Some((id.to_owned(), secret.to_owned()))
}

/// The hash a request names, lower-case, and the request without the extension (so the
/// first-party APQ store never sees third-party traffic).
fn take_hash(request: &mut async_graphql::Request) -> Option<String> {
    let value = request.extensions.remove("persistedQuery")?;
    let json = value.into_json().ok()?;
    json.get("sha256Hash")
        .and_then(serde_json::Value::as_str)
        .map(str::to_ascii_lowercase)
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Serve one third-party request.
pub(super) async fn serve(
    state: &AppState,
    addr: SocketAddr,
    meta: RequestMeta,
    method: &Method,
    headers: &HeaderMap,
    (client_id, secret): (String, String),
    mut request: async_graphql::Request,
) -> Response {
    let p = &state.platform;
    // The IP's limit first: guessing secrets costs requests.
    if let Err(wait) = p
        .limiter
        .check(&format!("ip:{}", addr.ip()), state.ip_per_minute)
        .await
    {
        return too_many(wait);
    }
    let caller = Caller::anonymous(meta.clone());
    let partners = PartnerService::new(p, &caller);
    let client = match partners.authenticate(&client_id, &secret).await {
        Ok(c) => c,
        Err(e) => {
            let mut resp = refusal(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHENTICATED,
                &e.to_string(),
            );
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Basic realm=\"zhucan\""),
            );
            return resp;
        }
    };
    if let Err(wait) = p
        .limiter
        .check(
            &format!("client:{}", client.client_id),
            client.quota_per_minute,
        )
        .await
    {
        return too_many(wait);
    }
    let Some(hash) = take_hash(&mut request) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            codes::PERSISTED_QUERY_REQUIRED,
            "第三方客户端只能执行已登记的操作：请在 extensions.persistedQuery.sha256Hash 中给出操作的哈希",
        );
    };
    let document = match partners.trusted_document(&client, &hash).await {
        Ok(Some(d)) => d,
        Ok(None) => return not_allowed(&hash),
        Err(e) => {
            tracing::error!(error = %e, "trusted document lookup failed");
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                "服务暂时不可用",
            );
        }
    };
    // A document sent along must be the trusted one itself.
    if !request.query.trim().is_empty() && request.query != document {
        return not_allowed(&hash);
    }
    request.query = document;
    if method == Method::GET && is_write(&request) {
        return refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::BAD_REQUEST,
            "变更操作只能通过 POST 提交",
        );
    }
    tracing::info!(client = %client.client_id, operation = %hash, "third-party operation");
    request.data = zhucan_resolvers::attach_request_data(p, client.principal(), meta);
    respond(
        headers,
        state.schema.execute(request).await,
        Caching::NoStore,
    )
}

fn not_allowed(hash: &str) -> Response {
    refusal(
        StatusCode::FORBIDDEN,
        codes::PERSISTED_QUERY_NOT_ALLOWED,
        &format!("该客户端未获准执行此操作（{hash}）"),
    )
}
