//! Downloads of follow-up materials: `GET /files/outreach/{attachment id}` with a bearer token,
//! for staff whose scope holds the task; the digest is re-checked and the download audited.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_http::request_id::RequestId;
use zhucan_domain::outreach::OutreachService;
use zhucan_resolvers::error::codes;

use super::auth::{domain_refusal, download_caller};
use super::{AppState, meta, no_store, refusal};

const NOT_FOUND: &str = "佐证材料不存在或无权访问";

/// A follow-up attachment: `GET /files/outreach/{attachment id}` with a bearer token; the
/// outreach service admits staff whose scope holds the task, checks the digest and audits the
/// download.
pub(super) async fn outreach_file(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let p = &state.platform;
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    let caller = match download_caller(p, &headers, meta).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return refusal(StatusCode::NOT_FOUND, codes::NOT_FOUND, NOT_FOUND);
    };
    match OutreachService::new(p, &caller).download(id).await {
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
        Err(e) => domain_refusal(e, NOT_FOUND),
    }
}
