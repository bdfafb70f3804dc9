//! The 政策找人 monthly report as an XLSX workbook: `GET /reports/outreach/2026-11.xlsx` with a
//! bearer token, in the viewer's scope; every export is audited.

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

/// The 政策找人 monthly report as an XLSX workbook: `GET /reports/outreach/2026-11.xlsx` with a
/// bearer token; the scope is the viewer's. The outreach service decides and audits the export.
pub(super) async fn outreach_report(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let p = &state.platform;
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    let caller = match download_caller(p, &headers, meta).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let Some(month) = file.strip_suffix(".xlsx") else {
        return refusal(StatusCode::NOT_FOUND, codes::NOT_FOUND, "报表不存在");
    };
    match OutreachService::new(p, &caller)
        .monthly_workbook(month)
        .await
    {
        Ok((month, bytes)) => no_store(
            (
                [
                    (
                        axum::http::header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_owned(),
                    ),
                    (
                        axum::http::header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"outreach-{month}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response(),
        ),
        Err(e) => domain_refusal(e, "报表不存在"),
    }
}
