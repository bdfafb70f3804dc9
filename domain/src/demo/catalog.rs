//! The demo catalog: real Shanghai disability policies and service items by their public names,
//! with plausible eligibility rules, and institutions in every district (`catalog.json`). Seeding
//! goes through the same writers, rule checks and grant job as the API.

use chrono::{Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Deserialize;
use uuid::Uuid;

use crate::Platform;
use crate::audit::Actor;
use crate::catalog::{
    BusinessLine, CatalogScope, CatalogWriter, Channel, EntryStatus, InstitutionInput,
    InstitutionKind, PolicyInput, PolicyStatus, ServiceItemInput,
};
use crate::eligibility::{self, Condition, GrantContext};
use crate::entities::{person, service_record};
use crate::error::{DomainError, DomainResult};

const CATALOG_JSON: &str = include_str!("catalog.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Catalog {
    policies: Vec<PolicyJson>,
    service_items: Vec<ServiceJson>,
    institutions: Vec<InstitutionJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyJson {
    key: String,
    title: String,
    issuer: String,
    document_number: Option<String>,
    issued_on: NaiveDate,
    effective_from: NaiveDate,
    effective_until: Option<NaiveDate>,
    status: String,
    tags: Vec<String>,
    full_text: String,
    district_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceJson {
    key: String,
    name: String,
    business_line: String,
    description: String,
    materials: Vec<String>,
    time_limit_days: i32,
    channel: String,
    online_url: Option<String>,
    offline_points: Vec<String>,
    policy_keys: Vec<String>,
    tags: Vec<String>,
    district_code: Option<String>,
    rule: Vec<Condition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstitutionJson {
    name: String,
    kind: String,
    district_code: String,
    street_code: Option<String>,
    address: String,
    latitude: f64,
    longitude: f64,
    services: Vec<String>,
    opening_hours: String,
    accessibility: Vec<String>,
    phone: String,
    entry_url: Option<String>,
}

/// The demo service items' names, descriptions and rules (benches and tests use them).
pub fn demo_services() -> DomainResult<Vec<(String, String, Vec<Condition>)>> {
    let catalog: Catalog = serde_json::from_str(CATALOG_JSON).map_err(bad)?;
    Ok(catalog
        .service_items
        .into_iter()
        .map(|s| (s.name, s.description, s.rule))
        .collect())
}

/// What seeding the catalog did.
#[derive(Debug, Clone, Default)]
pub struct CatalogReport {
    /// Policies saved.
    pub policies: usize,
    /// Service items saved.
    pub services: usize,
    /// Institutions saved.
    pub institutions: usize,
    /// 免申即享 grants made.
    pub granted: i64,
    /// Service records generated for the high-frequency lists.
    pub records: usize,
}

fn bad(e: impl std::fmt::Display) -> DomainError {
    DomainError::internal(format!("demo catalog: {e}"))
}

/// Seed the demo catalog, publish its rules, run its automatic grants and generate a month of
/// applications and offline handlings. `progress` hears each stage.
pub async fn seed_catalog(p: &Platform, progress: impl Fn(&str)) -> DomainResult<CatalogReport> {
    let catalog: Catalog = serde_json::from_str(CATALOG_JSON).map_err(bad)?;
    let actor = Actor::system("seed-catalog");
    let scope = CatalogScope::City;
    let writer = CatalogWriter {
        db: &p.db,
        audit_key: p.audit_key(),
        regions: &p.regions,
        actor: &actor,
        scope: &scope,
    };
    let mut report = CatalogReport::default();
    progress("演示目录：政策法规");
    for j in &catalog.policies {
        let input = PolicyInput {
            key: j.key.clone(),
            title: j.title.clone(),
            issuer: j.issuer.clone(),
            document_number: j.document_number.clone(),
            issued_on: j.issued_on,
            effective_from: j.effective_from,
            effective_until: j.effective_until,
            status: PolicyStatus::parse("status", &j.status)?,
            tags: j.tags.clone(),
            full_text: j.full_text.clone(),
            district_code: j.district_code.clone(),
        };
        writer
            .save_policy(None, None, &input)
            .await
            .map_err(|e| bad(format!("{}: {e}", j.key)))?;
        report.policies += 1;
    }
    progress("演示目录：服务事项与适用条件");
    let mut jobs = Vec::new();
    let mut handled = Vec::new();
    for j in &catalog.service_items {
        let input = ServiceItemInput {
            key: j.key.clone(),
            name: j.name.clone(),
            business_line: BusinessLine::parse("businessLine", &j.business_line)?,
            description: j.description.clone(),
            materials: j.materials.clone(),
            time_limit_days: j.time_limit_days,
            channel: Channel::parse("channel", &j.channel)?,
            online_url: j.online_url.clone(),
            offline_points: j.offline_points.clone(),
            policy_keys: j.policy_keys.clone(),
            tags: j.tags.clone(),
            district_code: j.district_code.clone(),
            status: EntryStatus::Active,
        };
        let item = writer
            .save_service_item(None, None, &input)
            .await
            .map_err(|e| bad(format!("{}: {e}", j.key)))?;
        report.services += 1;
        if input.channel != Channel::Automatic {
            handled.push((item.id, item.district_code.clone()));
        }
        if j.rule.is_empty() {
            continue;
        }
        let rule = eligibility::save_rule(&p.db, p.audit_key(), &actor, &scope, item.id, &j.rule)
            .await
            .map_err(|e| bad(format!("{} rule: {e}", j.key)))?;
        let (_, job) =
            eligibility::publish_rule(&p.db, p.audit_key(), &actor, &scope, rule.id, 0).await?;
        jobs.extend(job);
    }
    progress("演示目录：助残机构");
    for j in &catalog.institutions {
        let input = InstitutionInput {
            name: j.name.clone(),
            kind: InstitutionKind::parse("kind", &j.kind)?,
            district_code: j.district_code.clone(),
            street_code: j.street_code.clone(),
            address: j.address.clone(),
            latitude: j.latitude,
            longitude: j.longitude,
            services: j.services.clone(),
            opening_hours: j.opening_hours.clone(),
            accessibility: j.accessibility.clone(),
            phone: j.phone.clone(),
            entry_url: j.entry_url.clone(),
            status: EntryStatus::Active,
        };
        writer
            .save_institution(None, None, &input)
            .await
            .map_err(|e| bad(format!("{}: {e}", j.name)))?;
        report.institutions += 1;
    }
    progress("演示目录：免申即享自动发放");
    let g = GrantContext {
        db: &p.db,
        cipher: &p.cipher,
    };
    for job in jobs {
        let done = eligibility::run_grant_job(&g, job.id).await?;
        report.granted += i64::from(done.granted);
    }
    progress("演示目录：近30天办件记录");
    report.records = seed_records(p, &handled).await?;
    Ok(report)
}

/// A month of applications and offline handlings by a sample of people, so that every district
/// has a high-frequency list.
async fn seed_records(p: &Platform, items: &[(Uuid, Option<String>)]) -> DomainResult<usize> {
    if items.is_empty() {
        return Ok(0);
    }
    let people: Vec<(Uuid, String, String)> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::DistrictCode)
        .column(person::Column::StreetCode)
        .filter(person::Column::Status.eq("ACTIVE"))
        .limit(3_000)
        .into_tuple()
        .all(p.db.conn())
        .await?;
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let now = Utc::now();
    let w = p.db.begin_write().await?;
    let mut n = 0;
    for (id, district, street) in &people {
        // Popularity falls with position in the list: the first items are the frequent ones.
        let local: Vec<&(Uuid, Option<String>)> = items
            .iter()
            .filter(|(_, d)| d.as_deref().is_none_or(|d| d == district))
            .collect();
        if local.is_empty() {
            continue;
        }
        let pick = rng
            .random_range(0..local.len())
            .min(rng.random_range(0..local.len()));
        let kind = if rng.random_bool(0.6) {
            "APPLICATION"
        } else {
            "OFFLINE"
        };
        service_record::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(*id),
            service_item_id: Set(local[pick].0),
            kind: Set(kind.to_owned()),
            district_code: Set(district.clone()),
            street_code: Set(street.clone()),
            note: Set("演示办件".to_owned()),
            actor_id: Set("seed-catalog".to_owned()),
            created_at: Set(now - Duration::minutes(rng.random_range(0..30 * 24 * 60))),
        }
        .insert(&w.txn)
        .await?;
        n += 1;
    }
    w.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalog_parses_and_its_rules_compile() {
        let c: Catalog = serde_json::from_str(CATALOG_JSON).unwrap();
        assert!(c.policies.len() >= 10);
        assert!(c.service_items.len() >= 20);
        assert!(
            c.service_items
                .iter()
                .filter(|s| s.channel == "AUTOMATIC" && !s.rule.is_empty())
                .count()
                >= 4
        );
        for s in &c.service_items {
            eligibility::rule::compile(&s.rule).unwrap_or_else(|e| panic!("{}: {e}", s.key));
        }
        let districts: std::collections::HashSet<&str> = c
            .institutions
            .iter()
            .filter(|i| i.kind == "FLAGSHIP_STORE")
            .map(|i| i.district_code.as_str())
            .collect();
        assert_eq!(districts.len(), 16, "one flagship store per district");
    }
}
