//! Reports as XLSX workbooks, with a bearer token, in the viewer's scope; every export is audited:
//! the 政策找人 monthly report (`GET /reports/outreach/2026-11.xlsx`), the activity statistics
//! (`GET /reports/activities/2026-11.xlsx?regionCode=310115`) and a volunteer's hour statement
//! (`GET /reports/volunteer-hours.xlsx?from=2026-01&to=2026-12[&volunteerId=…]`).

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use tower_http::request_id::RequestId;

use axum::extract::Query;
use zhucan_domain::activity::ActivityService;
use zhucan_domain::custody::CustodyService;
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
        Ok((month, bytes)) => workbook(&format!("outreach-{month}.xlsx"), bytes),
        Err(e) => domain_refusal(e, "报表不存在"),
    }
}

/// An XLSX download, never cached.
fn workbook(name: &str, bytes: Vec<u8>) -> Response {
    no_store(
        (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
    )
}

/// 活动统计 as an XLSX workbook: `GET /reports/activities/2026-11.xlsx?regionCode=310115`.
pub(super) async fn activity_statistics(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(query): Query<HashMap<String, String>>,
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
    match ActivityService::new(p, &caller)
        .statistics_workbook(query.get("regionCode").map(String::as_str), month)
        .await
    {
        Ok((s, bytes)) => workbook(&format!("activities-{}-{}.xlsx", s.region, s.month), bytes),
        Err(e) => domain_refusal(e, "报表不存在"),
    }
}

/// 志愿服务时长证明 as an XLSX workbook:
/// `GET /reports/volunteer-hours.xlsx?from=2026-01&to=2026-12[&volunteerId=…]`.
pub(super) async fn volunteer_hours(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = &state.platform;
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    let caller = match download_caller(p, &headers, meta).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let volunteer = match query.get("volunteerId").map(|v| uuid::Uuid::parse_str(v)) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            return domain_refusal(
                zhucan_domain::DomainError::bad_input("volunteerId", "volunteerId 不是有效的标识"),
                "",
            );
        }
    };
    let arg = |k: &str| query.get(k).map_or("", String::as_str);
    match ActivityService::new(p, &caller)
        .volunteer_hours_workbook(volunteer, arg("from"), arg("to"))
        .await
    {
        Ok((s, bytes)) => workbook(&format!("volunteer-hours-{}-{}.xlsx", s.from, s.to), bytes),
        Err(e) => domain_refusal(e, "报表不存在"),
    }
}

/// 代管资金支出统计 as an XLSX workbook:
/// `GET /reports/custody-spending.xlsx?regionCode=310115005&from=2026-01&to=2026-12`.
pub(super) async fn custody_spending(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = &state.platform;
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    let caller = match download_caller(p, &headers, meta).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let arg = |k: &str| query.get(k).map_or("", String::as_str);
    match CustodyService::new(p, &caller)
        .statistics_workbook(
            query.get("regionCode").map(String::as_str),
            arg("from"),
            arg("to"),
        )
        .await
    {
        Ok((s, bytes)) => workbook(
            &format!("custody-spending-{}-{}-{}.xlsx", s.region, s.from, s.to),
            bytes,
        ),
        Err(e) => domain_refusal(e, "报表不存在"),
    }
}

/// 问卷结果与答卷 as an XLSX workbook (results with small cells suppressed, answers with names
/// masked): `GET /reports/questionnaire.xlsx?id=…[&version=2][&regionCode=310115]`.
pub(super) async fn questionnaire_results(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = &state.platform;
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    let caller = match download_caller(p, &headers, meta).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let Some(id) = query.get("id").and_then(|i| uuid::Uuid::parse_str(i).ok()) else {
        return refusal(StatusCode::NOT_FOUND, codes::NOT_FOUND, "问卷不存在");
    };
    let version = match query.get("version").map(|v| v.parse::<i32>()) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                codes::BAD_USER_INPUT,
                "version 应为整数",
            );
        }
    };
    match zhucan_domain::survey::SurveyService::new(p, &caller)
        .results_workbook(id, version, query.get("regionCode").map(String::as_str))
        .await
    {
        Ok((name, bytes)) => workbook(&name, bytes),
        Err(e) => domain_refusal(e, "问卷不存在"),
    }
}

/// 招聘统计 as an XLSX workbook: `GET /reports/recruitment.xlsx?by=DISTRICT|CATEGORY|FAIR`.
pub(super) async fn recruitment_statistics(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = &state.platform;
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    let caller = match download_caller(p, &headers, meta).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let by = match query.get("by") {
        None => zhucan_domain::employment::RecruitmentDimension::District,
        Some(b) => match zhucan_domain::employment::RecruitmentDimension::parse("by", b) {
            Ok(d) => d,
            Err(_) => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    codes::BAD_USER_INPUT,
                    "by 应为 DISTRICT、CATEGORY 或 FAIR",
                );
            }
        },
    };
    match zhucan_domain::employment::EmploymentService::new(p, &caller)
        .recruitment_workbook(by)
        .await
    {
        Ok((name, bytes)) => workbook(&name, bytes),
        Err(e) => domain_refusal(e, "报表不存在"),
    }
}

/// 补贴统计 as an XLSX workbook:
/// `GET /reports/subsidies.xlsx?from=2026-01&to=2026-12[&regionCode=310115][&typeId=…][&by=STREET]`.
pub(super) async fn subsidy_statistics(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    use zhucan_domain::subsidy::{StatisticsBy, SubsidyService};
    let p = &state.platform;
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    let caller = match download_caller(p, &headers, meta).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let arg = |k: &str| query.get(k).map_or("", String::as_str);
    let by = match query.get("by") {
        None => StatisticsBy::District,
        Some(b) => match StatisticsBy::parse("by", b) {
            Ok(d) => d,
            Err(_) => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    codes::BAD_USER_INPUT,
                    "by 应为 TYPE、DISTRICT、STREET 或 PERIOD",
                );
            }
        },
    };
    let type_id = match query.get("typeId").map(|t| uuid::Uuid::parse_str(t)) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(_)) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                codes::BAD_USER_INPUT,
                "typeId 格式无效",
            );
        }
    };
    match SubsidyService::new(p, &caller)
        .statistics_workbook(
            query.get("regionCode").map(String::as_str),
            type_id,
            arg("from"),
            arg("to"),
            by,
        )
        .await
    {
        Ok((s, bytes)) => workbook(
            &format!("subsidies-{}-{}-{}.xlsx", s.region, s.from, s.to),
            bytes,
        ),
        Err(e) => domain_refusal(e, "报表不存在"),
    }
}
