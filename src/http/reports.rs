//! The 政策找人 monthly report as an XLSX workbook: `GET /reports/outreach/2026-11.xlsx` with a
//! bearer token, in the viewer's scope; every export is audited.

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

/// The 政策找人 monthly report as an XLSX workbook: `GET /reports/outreach/2026-11.xlsx` with a
/// bearer token; the scope is the viewer's. The export is audited.
pub(super) async fn outreach_report(
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
        return refusal(StatusCode::NOT_FOUND, codes::NOT_FOUND, "报表不存在");
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
            return refusal(StatusCode::BAD_REQUEST, codes::BAD_USER_INPUT, &message);
        }
        Err(e) => {
            tracing::error!(error = %e, "monthly report failed");
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
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
                codes::INTERNAL,
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
            codes::INTERNAL,
            "服务器内部错误",
        );
    }
    no_store(
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
            .into_response(),
    )
}
