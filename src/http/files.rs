//! Downloads of follow-up materials: `GET /files/outreach/{attachment id}` with a bearer token,
//! for staff whose scope holds the task; the digest is re-checked and the download audited.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_http::request_id::RequestId;
use zhucan_domain::DomainError;
use zhucan_resolvers::error::codes;

use super::auth::region_admin;
use super::{AppState, meta, no_store, refusal};

/// A follow-up attachment: `GET /files/outreach/{attachment id}` with a bearer token; only for
/// staff whose scope holds the task; the digest is checked and the download audited.
pub(super) async fn outreach_file(
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
            codes::NOT_FOUND,
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
        Ok((a, bytes)) => no_store(
            (
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
        ),
        Err(DomainError::NotFound { .. }) => refusal(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "佐证材料不存在或无权访问",
        ),
        Err(e) => {
            tracing::error!(error = %e, "attachment download failed");
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                "服务器内部错误",
            )
        }
    }
}
