//! Downloads of stored files with a bearer token: follow-up materials
//! (`GET /files/outreach/{attachment id}`, for staff whose scope holds the task) and custody
//! receipts and alert materials (`GET /files/custody/{file id}`, for those who see the
//! custodianship or alert). The domain service admits the caller, re-checks the digest and
//! audits the download; a file the caller may not see is indistinguishable from a missing one.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_http::request_id::RequestId;
use uuid::Uuid;
use zhucan_domain::custody::CustodyService;
use zhucan_domain::outreach::OutreachService;
use zhucan_domain::{Caller, DomainResult, Platform};
use zhucan_resolvers::error::codes;

use super::auth::{domain_refusal, download_caller};
use super::{AppState, meta, no_store, refusal};

/// What a download answers with besides the bytes.
struct Stored {
    id: Uuid,
    content_type: String,
    sm3: String,
}

/// Admit the caller, fetch the file through its domain service and answer it (never cached).
async fn serve<F>(
    state: &AppState,
    addr: SocketAddr,
    request_id: Option<&RequestId>,
    id: &str,
    headers: &HeaderMap,
    not_found: &'static str,
    fetch: impl FnOnce(Platform, Caller, Uuid) -> F,
) -> Response
where
    F: Future<Output = DomainResult<(Stored, Vec<u8>)>>,
{
    let p = &state.platform;
    let caller = match download_caller(p, headers, meta(addr, request_id)).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let Ok(id) = Uuid::parse_str(id) else {
        return refusal(StatusCode::NOT_FOUND, codes::NOT_FOUND, not_found);
    };
    match fetch(p.clone(), caller, id).await {
        Ok((f, bytes)) => no_store(
            (
                [
                    (axum::http::header::CONTENT_TYPE, f.content_type),
                    (
                        axum::http::header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}\"", f.id),
                    ),
                    (
                        axum::http::header::HeaderName::from_static("x-content-sm3"),
                        f.sm3,
                    ),
                ],
                bytes,
            )
                .into_response(),
        ),
        Err(e) => domain_refusal(e, not_found),
    }
}

/// A follow-up attachment: `GET /files/outreach/{attachment id}`.
pub(super) async fn outreach_file(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let rid = request_id.as_ref().map(|e| &e.0);
    serve(
        &state,
        addr,
        rid,
        &id,
        &headers,
        "佐证材料不存在或无权访问",
        |p, caller, id| async move {
            let (a, bytes) = OutreachService::new(&p, &caller).download(id).await?;
            Ok((
                Stored {
                    id: a.id,
                    content_type: a.content_type,
                    sm3: a.sm3,
                },
                bytes,
            ))
        },
    )
    .await
}

/// A custody receipt or alert material: `GET /files/custody/{file id}`.
pub(super) async fn custody_file(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let rid = request_id.as_ref().map(|e| &e.0);
    serve(
        &state,
        addr,
        rid,
        &id,
        &headers,
        "附件不存在或无权访问",
        |p, caller, id| async move {
            let (f, bytes) = CustodyService::new(&p, &caller).download_file(id).await?;
            Ok((
                Stored {
                    id: f.id,
                    content_type: f.content_type,
                    sm3: f.sm3,
                },
                bytes,
            ))
        },
    )
    .await
}
