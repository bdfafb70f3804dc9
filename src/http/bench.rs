//! Bench-only routes (setting `bench_routes`, refused by the production profile): the baselines
//! the load scenarios compare GraphQL against, served by the same binary.
//!
//! - `POST /bench/raw`: parse the JSON body, answer `{"data":{"__typename":"QueryRoot"}}` — what
//!   `{ __typename }` answers, without GraphQL (S1).
//! - `GET /bench/persons?first=N`: the first N files (profile, certificate, regions, household
//!   members) with one hand-written SQL statement, decrypted and masked as the field policy
//!   would for a region admin (S3).
//! - `GET /bench/stats`: SQL statements executed so far (S3: statements per request).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sea_orm::{ConnectionTrait, Statement, Value as SqlValue};
use serde_json::{Value, json};
use zhucan_domain::Platform;
use zhucan_domain::crypto::FieldAad;
use zhucan_domain::policy::{SensitiveField, mask};

use super::AppState;
use super::graphql::{csrf_guard, json_body_limit};
use crate::config::Settings;

/// The bench routes; the raw route sits behind the same route layers as `/graphql`.
pub(super) fn router(settings: &Settings, state: AppState) -> Router {
    Router::new()
        .route(
            "/bench/raw",
            post(raw)
                .route_layer(axum::middleware::from_fn(csrf_guard))
                .route_layer(axum::middleware::from_fn_with_state(
                    settings.body_limit_bytes,
                    json_body_limit,
                )),
        )
        .route("/bench/persons", get(persons))
        .route("/bench/stats", get(stats))
        .with_state(state.platform)
}

async fn raw(Json(_body): Json<Value>) -> Json<Value> {
    Json(json!({"data": {"__typename": "QueryRoot"}}))
}

async fn stats(State(p): State<Platform>) -> Json<Value> {
    Json(json!({"statements": p.db.statements_executed()}))
}

#[derive(serde::Deserialize)]
struct Page {
    first: u64,
}

const FILE_SQL: &str = "SELECT p.id, p.name, p.sex, p.birth_date, p.id_number_enc, p.phone_enc, \
     p.address_enc, p.certificate_enc, p.category, p.level, p.certificate_valid_until, \
     p.relationship, p.status, p.created_at, p.district_code, p.street_code, p.committee_code, \
     p.household_id, m.id AS m_id, m.name AS m_name, m.relationship AS m_relationship, \
     m.phone_enc AS m_phone_enc \
     FROM (SELECT * FROM persons ORDER BY id LIMIT $1) p \
     JOIN persons m ON m.household_id = p.household_id \
     ORDER BY p.id, m.id";

fn reveal(
    p: &Platform,
    column: &'static str,
    row: &uuid::Uuid,
    stored: Option<Vec<u8>>,
) -> Option<String> {
    let stored = stored?;
    p.cipher
        .decrypt(
            FieldAad {
                table: zhucan_domain::person::TABLE,
                column,
                row,
            },
            &stored,
        )
        .ok()
}

fn region(p: &Platform, code: &str) -> Value {
    json!({"code": code, "name": p.regions.name_of(code)})
}

async fn persons(State(p): State<Platform>, Query(page): Query<Page>) -> Response {
    match file_page(&p, page.first.min(500)).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn file_page(p: &Platform, first: u64) -> anyhow::Result<Value> {
    let conn = p.db.conn();
    let backend = conn.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Postgres {
        FILE_SQL.to_owned()
    } else {
        FILE_SQL.replace("$1", "?")
    };
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [SqlValue::BigInt(Some(i64::try_from(first)?))],
        ))
        .await?;
    let today = chrono::Utc::now().date_naive();
    let mut edges: Vec<Value> = Vec::new();
    let mut last: Option<uuid::Uuid> = None;
    for r in rows {
        let id: uuid::Uuid = r.try_get("", "id")?;
        if last != Some(id) {
            last = Some(id);
            let birth: chrono::NaiveDate = r.try_get("", "birth_date")?;
            let masked =
                |field, column, stored| reveal(p, column, &id, stored).map(|v| mask(field, &v));
            let committee: Option<String> = r.try_get("", "committee_code")?;
            let household: uuid::Uuid = r.try_get("", "household_id")?;
            edges.push(json!({"node": {
                "id": id.to_string(),
                "name": r.try_get::<String>("", "name")?,
                "sex": r.try_get::<String>("", "sex")?,
                "birthDate": birth.to_string(),
                "age": today.years_since(birth).unwrap_or(0),
                "idNumber": masked(SensitiveField::IdNumber, "id_number", Some(r.try_get("", "id_number_enc")?)),
                "phone": masked(SensitiveField::Phone, "phone", r.try_get("", "phone_enc")?),
                "address": masked(SensitiveField::Address, "address", r.try_get("", "address_enc")?),
                "relationship": r.try_get::<String>("", "relationship")?,
                "status": r.try_get::<String>("", "status")?,
                "createdAt": r.try_get::<chrono::DateTime<chrono::Utc>>("", "created_at")?.to_rfc3339(),
                "certificate": {
                    "number": masked(SensitiveField::CertificateNumber, "certificate", Some(r.try_get("", "certificate_enc")?)),
                    "category": r.try_get::<i16>("", "category")?,
                    "level": r.try_get::<i16>("", "level")?,
                    "validUntil": r.try_get::<Option<chrono::NaiveDate>>("", "certificate_valid_until")?.map(|d| d.to_string()),
                },
                "district": region(p, &r.try_get::<String>("", "district_code")?),
                "street": region(p, &r.try_get::<String>("", "street_code")?),
                "committee": committee.as_deref().map(|c| region(p, c)),
                "household": {"id": household.to_string(), "members": []},
            }}));
        }
        let member: uuid::Uuid = r.try_get("", "m_id")?;
        let phone = reveal(p, "phone", &member, r.try_get("", "m_phone_enc")?)
            .map(|v| mask(SensitiveField::Phone, &v));
        if let Some(members) = edges
            .last_mut()
            .and_then(|e| e["node"]["household"]["members"].as_array_mut())
        {
            members.push(json!({
                "id": member.to_string(),
                "name": r.try_get::<String>("", "m_name")?,
                "relationship": r.try_get::<String>("", "m_relationship")?,
                "phone": phone,
            }));
        }
    }
    Ok(json!({"data": {"persons": {"edges": edges}}}))
}
