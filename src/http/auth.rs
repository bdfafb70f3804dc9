//! Authentication at the edge: a bearer token (HTTP) or `connection_init` payload (WebSocket)
//! becomes a `Viewer` with its `Session`; staff sessions' idle timeout; rate limits.

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use zhucan_domain::identity::Session;
use zhucan_domain::viewer::Viewer;
use zhucan_domain::{DomainError, Platform};
use zhucan_resolvers::error::codes;

use super::{AppState, refusal};

/// Turn a bearer token into a viewer; no token is an anonymous request. Revoked tokens (logout,
/// forced sign-out) are refused like invalid ones.
pub(super) fn authenticate(
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

pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
}

/// The caller of a plain HTTP request (downloads): a full, active session, or the refusal to
/// send. What the caller may download is the domain service's decision.
pub(super) async fn download_caller(
    p: &Platform,
    headers: &HeaderMap,
    meta: zhucan_domain::viewer::RequestMeta,
) -> Result<zhucan_domain::Caller, Response> {
    let unauthenticated = |m: &str| refusal(StatusCode::UNAUTHORIZED, codes::UNAUTHENTICATED, m);
    let (viewer, session) = match authenticate(p, bearer(headers)) {
        Ok(Some(pair)) => pair,
        Ok(None) => return Err(unauthenticated("请先登录")),
        Err(e) => return Err(unauthenticated(&e.to_string())),
    };
    if session.stage != zhucan_domain::identity::SessionStage::Full {
        return Err(refusal(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "须先完成动态口令绑定或修改密码",
        ));
    }
    let pair = (viewer, session);
    if let Err(e) = still_active(p, Some(&pair)).await {
        return Err(unauthenticated(&e.to_string()));
    }
    Ok(zhucan_domain::Caller::signed_in(
        pair.0,
        session.stage,
        meta,
    ))
}

/// A domain refusal as a plain HTTP answer (downloads), with the error's code; internal causes
/// are logged, never sent.
pub(super) fn domain_refusal(e: DomainError, not_found: &str) -> Response {
    let code = e.code();
    let status = match &e {
        DomainError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
        DomainError::BadInput { .. } => StatusCode::BAD_REQUEST,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::FORBIDDEN,
    };
    let message = match e {
        DomainError::Internal(cause) => {
            tracing::error!(error = %cause, "download failed");
            "服务器内部错误".to_owned()
        }
        DomainError::NotFound { .. } => not_found.to_owned(),
        DomainError::BadInput { message, .. } => message,
        other => other.to_string(),
    };
    refusal(status, code, &message)
}

/// The idle timeout of staff sessions: each use keeps the session alive; one unused too long
/// is over (citizens and volunteers, whose apps stay open for hours, are not affected).
pub(super) async fn still_active(
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

/// Count a request against the per-IP and per-account limits.
pub(super) async fn rate_limit(
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
pub(super) fn too_many(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut resp = refusal(
        StatusCode::TOO_MANY_REQUESTS,
        codes::RATE_LIMITED,
        &format!("请求过于频繁，请 {secs} 秒后再试"),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.max(1).to_string()) {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
    resp
}

/// Whether a session is still good for one more operation: not revoked, not expired, and (staff)
/// not idle too long. A WebSocket checks this at every operation it is sent, as HTTP checks the
/// bearer token at every request: a socket is only as good as the session that opened it.
pub(super) async fn session_in_force(
    platform: &Platform,
    pair: &(Viewer, Session),
) -> Result<(), DomainError> {
    let (viewer, session) = pair;
    if platform.revocations.is_revoked(viewer.account_id, session) {
        return Err(DomainError::Unauthenticated("登录凭证已失效，请重新登录"));
    }
    if session.expires_at <= chrono::Utc::now() {
        return Err(DomainError::Unauthenticated(
            "登录凭证无效或已过期，请重新登录",
        ));
    }
    still_active(platform, Some(pair)).await
}
