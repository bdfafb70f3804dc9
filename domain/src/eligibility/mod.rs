//! Eligibility (R3, R5): versioned rules per service item, explained matching for one person,
//! dry runs, and 免申即享 automatic grants — a job that grants an automatic service to every
//! eligible person once (a second run grants nothing), records it on their file and notifies
//! them, and that re-evaluates one person when their facts change.

mod grant;
pub mod rule;
mod service;

pub use grant::{Applied, GrantContext, record, reevaluate_person, run_grant_job};
pub use rule::{Condition, Evaluator, Facts, Verdict};
pub use service::{EligibilityRule, EligibilityService, Fact, GrantJob, Match};

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEntry};
use crate::catalog::{CatalogScope, Channel, EntryStatus, WHAT_SERVICE};
use crate::db::Db;
use crate::entities::{eligibility_rule, grant_job, person, service_grant, service_item};
use crate::error::{DomainError, DomainResult};
use rule::CompiledRule;

/// What a rule is called in messages.
pub const WHAT_RULE: &str = "适用条件";
/// Persons read per page when evaluating many.
pub const PAGE: u64 = 2_000;

code_enum! {
    /// Lifecycle of a rule version.
    RuleStatus {
        /// Saved, not in force.
        #[default]
        Draft = "DRAFT",
        /// In force.
        Published = "PUBLISHED",
        /// Replaced by a later version.
        Superseded = "SUPERSEDED",
    }
}

code_enum! {
    /// Lifecycle of a grant job.
    JobStatus {
        /// Running.
        #[default]
        Running = "RUNNING",
        /// Finished.
        Done = "DONE",
        /// Stopped by an error (re-running is safe).
        Failed = "FAILED",
    }
}

/// A service item with its rule in force.
#[derive(Clone)]
pub struct RuledService {
    /// The item.
    pub item: service_item::Model,
    /// Its published rule row.
    pub rule: eligibility_rule::Model,
    /// Compiled.
    pub compiled: Arc<CompiledRule>,
}

/// One service's verdict for one person.
#[derive(Debug, Clone)]
pub struct ServiceMatch {
    /// The item.
    pub item: service_item::Model,
    /// Rule version applied.
    pub rule_version: i32,
    /// Whether the person already holds an automatic grant of it.
    pub granted: bool,
    /// Verdict and reasons.
    pub verdict: Verdict,
}

/// Dry-run figures for one district.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistrictImpact {
    /// District code.
    pub district: String,
    /// Eligible under the new version.
    pub eligible: u64,
    /// Would newly qualify.
    pub newly_eligible: u64,
    /// Would lose it.
    pub losing: u64,
}

/// What publishing a rule version would change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DryRun {
    /// People evaluated (active registrations the item covers).
    pub evaluated: u64,
    /// Eligible under the new version.
    pub eligible: u64,
    /// Would newly qualify.
    pub newly_eligible: u64,
    /// Would lose it.
    pub losing: u64,
    /// The rule admits every person evaluated: almost always a mistake.
    pub admits_everyone: bool,
    /// Per district, in code order.
    pub by_district: Vec<DistrictImpact>,
}

/// Published rules of every active service item (optionally only those covering `district`).
pub async fn ruled_services<C: ConnectionTrait>(
    conn: &C,
    district: Option<&str>,
    automatic_only: bool,
) -> DomainResult<Vec<RuledService>> {
    let mut q = service_item::Entity::find()
        .filter(service_item::Column::Status.eq(EntryStatus::Active.as_str()))
        .filter(service_item::Column::RuleVersion.gt(0))
        .order_by_asc(service_item::Column::Key);
    if automatic_only {
        q = q.filter(service_item::Column::Channel.eq(Channel::Automatic.as_str()));
    }
    let items: Vec<service_item::Model> = q
        .all(conn)
        .await?
        .into_iter()
        .filter(|i| match (district, &i.district_code) {
            (Some(d), Some(own)) => d == own,
            _ => true,
        })
        .collect();
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let rules = eligibility_rule::Entity::find()
        .filter(eligibility_rule::Column::ServiceItemId.is_in(items.iter().map(|i| i.id)))
        .filter(eligibility_rule::Column::Status.eq(RuleStatus::Published.as_str()))
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(rule) = rules
            .iter()
            .find(|r| r.service_item_id == item.id && r.version == item.rule_version)
        else {
            continue;
        };
        let compiled = rule::compiled(rule.id, &rule.conditions)?;
        out.push(RuledService {
            item,
            rule: rule.clone(),
            compiled,
        });
    }
    Ok(out)
}

/// Keys of the services a person holds an active grant of.
pub async fn granted_keys<C: ConnectionTrait>(
    conn: &C,
    person: Uuid,
) -> DomainResult<Vec<(Uuid, String)>> {
    let grants = service_grant::Entity::find()
        .filter(service_grant::Column::PersonId.eq(person))
        .filter(service_grant::Column::Status.eq("ACTIVE"))
        .all(conn)
        .await?;
    if grants.is_empty() {
        return Ok(Vec::new());
    }
    let items = service_item::Entity::find()
        .filter(service_item::Column::Id.is_in(grants.iter().map(|g| g.service_item_id)))
        .all(conn)
        .await?;
    Ok(items.into_iter().map(|i| (i.id, i.key)).collect())
}

/// Every service with a rule in force, matched against one person (already loaded within the
/// caller's scope), with reasons.
pub async fn match_person(db: &Db, row: &person::Model) -> DomainResult<Vec<ServiceMatch>> {
    let services = ruled_services(db.conn(), Some(&row.district_code), false).await?;
    let granted = granted_keys(db.conn(), row.id).await?;
    let facts = Facts::of(
        row,
        Utc::now().date_naive(),
        granted.iter().map(|(_, k)| k.clone()).collect(),
    );
    let mut ev = Evaluator::default();
    Ok(services
        .into_iter()
        .map(|s| {
            // A person's own grant of this item does not count against them.
            let mut own = facts.clone();
            own.granted.retain(|k| *k != s.item.key);
            ServiceMatch {
                granted: granted.iter().any(|(id, _)| *id == s.item.id),
                rule_version: s.rule.version,
                verdict: ev.explain(&s.compiled, &own),
                item: s.item,
            }
        })
        .collect())
}

/// [`match_person`] for many persons at once: the rules in force read once, the grants of all of
/// them in one statement.
pub async fn match_persons(
    db: &Db,
    rows: &[person::Model],
) -> DomainResult<HashMap<Uuid, Vec<ServiceMatch>>> {
    let mut out = HashMap::new();
    if rows.is_empty() {
        return Ok(out);
    }
    let services = ruled_services(db.conn(), None, false).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let granted = granted_keys_of(db.conn(), &ids).await?;
    let today = Utc::now().date_naive();
    let mut ev = Evaluator::default();
    for row in rows {
        let keys = granted.get(&row.id).cloned().unwrap_or_default();
        let facts = Facts::of(row, today, keys.clone());
        let matches = services
            .iter()
            .filter(|s| {
                s.item
                    .district_code
                    .as_deref()
                    .is_none_or(|d| d == row.district_code)
            })
            .map(|s| {
                let mut own = facts.clone();
                own.granted.retain(|k| *k != s.item.key);
                ServiceMatch {
                    granted: keys.contains(&s.item.key),
                    rule_version: s.rule.version,
                    verdict: ev.explain(&s.compiled, &own),
                    item: s.item.clone(),
                }
            })
            .collect();
        out.insert(row.id, matches);
    }
    Ok(out)
}

async fn item_in_scope<C: ConnectionTrait>(
    conn: &C,
    scope: &CatalogScope,
    id: Uuid,
) -> DomainResult<service_item::Model> {
    let item = service_item::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT_SERVICE })?;
    if !scope.may_manage(item.district_code.as_deref()) {
        return Err(DomainError::Forbidden(
            "区管理员只能维护本区服务事项的适用条件",
        ));
    }
    Ok(item)
}

/// Rule versions of one item, newest first.
pub async fn rule_versions(db: &Db, item: Uuid) -> DomainResult<Vec<eligibility_rule::Model>> {
    Ok(eligibility_rule::Entity::find()
        .filter(eligibility_rule::Column::ServiceItemId.eq(item))
        .order_by_desc(eligibility_rule::Column::Version)
        .all(db.conn())
        .await?)
}

/// One rule version.
pub async fn rule_by_id(db: &Db, id: Uuid) -> DomainResult<eligibility_rule::Model> {
    eligibility_rule::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(DomainError::NotFound { what: WHAT_RULE })
}

/// Save a new draft version of an item's rule (checked: parses, known facts, boolean).
pub async fn save_rule(
    db: &Db,
    audit_key: &[u8],
    actor: &Actor,
    scope: &CatalogScope,
    item_id: Uuid,
    conditions: &[Condition],
) -> DomainResult<eligibility_rule::Model> {
    let compiled = rule::compile(conditions)?;
    let normalized: Vec<Condition> = compiled
        .conditions
        .iter()
        .map(|c| Condition {
            label: c.label.clone(),
            expression: c.expression.clone(),
        })
        .collect();
    let w = db.begin_write().await?;
    let item = item_in_scope(&w.txn, scope, item_id).await?;
    let last = eligibility_rule::Entity::find()
        .filter(eligibility_rule::Column::ServiceItemId.eq(item.id))
        .order_by_desc(eligibility_rule::Column::Version)
        .one(&w.txn)
        .await?
        .map_or(0, |r| r.version);
    let row = eligibility_rule::ActiveModel {
        id: Set(Uuid::now_v7()),
        service_item_id: Set(item.id),
        version: Set(last + 1),
        conditions: Set(serde_json::to_string(&normalized).map_err(DomainError::internal)?),
        status: Set(RuleStatus::Draft.as_str().to_owned()),
        created_by: Set(actor.id.clone()),
        created_at: Set(Utc::now()),
        published_at: Set(None),
    }
    .insert(&w.txn)
    .await
    .map_err(|e| match DomainError::from(e) {
        DomainError::Conflict(_) => {
            DomainError::Conflict("同时保存了同一事项的另一个版本，请刷新后重试".to_owned())
        }
        other => other,
    })?;
    audit::append(
        &w.txn,
        audit_key,
        actor,
        AuditEntry {
            operation: "eligibility.rule.save",
            object_type: "service_item",
            object_id: item.id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!("version={}", row.version),
        },
    )
    .await?;
    w.commit().await?;
    Ok(row)
}

/// The next page of active persons an item covers, in id order, after `after`.
pub(crate) async fn next_page<C: ConnectionTrait>(
    conn: &C,
    item: &service_item::Model,
    after: Option<Uuid>,
) -> DomainResult<Vec<person::Model>> {
    let mut q = person::Entity::find()
        .filter(person::Column::Status.eq("ACTIVE"))
        .order_by_asc(person::Column::Id)
        .limit(PAGE);
    if let Some(d) = &item.district_code {
        q = q.filter(person::Column::DistrictCode.eq(d.as_str()));
    }
    if let Some(a) = after {
        q = q.filter(person::Column::Id.gt(a));
    }
    Ok(q.all(conn).await?)
}

/// Holders of an active grant of `item`.
pub(crate) async fn active_grantees<C: ConnectionTrait>(
    conn: &C,
    item: Uuid,
) -> DomainResult<HashSet<Uuid>> {
    let ids: Vec<Uuid> = service_grant::Entity::find()
        .select_only()
        .column(service_grant::Column::PersonId)
        .filter(service_grant::Column::ServiceItemId.eq(item))
        .filter(service_grant::Column::Status.eq("ACTIVE"))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Active grants of every person, as item keys (for the `granted` fact), for people in `ids`.
pub(crate) async fn granted_keys_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<String>>> {
    // Probed person by person: grant jobs ask this for every page while `service_grants` grows.
    let rows: Vec<(Uuid, Uuid)> = crate::db::find_each::<service_grant::Entity, _>(
        conn,
        service_grant::Column::PersonId,
        ids,
    )
    .await?
    .into_iter()
    .filter(|g| g.status == "ACTIVE")
    .map(|g| (g.person_id, g.service_item_id))
    .collect();
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let items: HashMap<Uuid, String> = service_item::Entity::find()
        .select_only()
        .column(service_item::Column::Id)
        .column(service_item::Column::Key)
        .into_tuple::<(Uuid, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (p, i) in rows {
        if let Some(k) = items.get(&i) {
            out.entry(p).or_default().push(k.clone());
        }
    }
    Ok(out)
}

/// Who is eligible under `compiled`, page by page: `(person row, eligible)` for each active person
/// the item covers.
pub(crate) async fn evaluate_all<C: ConnectionTrait>(
    conn: &C,
    item: &service_item::Model,
    compiled: &CompiledRule,
    mut each: impl FnMut(&person::Model, bool),
) -> DomainResult<()> {
    let today = Utc::now().date_naive();
    let mut after = None;
    loop {
        let rows = next_page(conn, item, after).await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            return Ok(());
        };
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let granted = granted_keys_of(conn, &ids).await?;
        // The CEL context is not Send: it lives only between awaits.
        {
            let mut ev = Evaluator::default();
            for r in &rows {
                let ok = ev.holds(compiled, &Facts::for_item(r, today, &granted, &item.key));
                each(r, ok);
            }
        }
        if (rows.len() as u64) < PAGE {
            return Ok(());
        }
        after = Some(last);
    }
}

/// What publishing rule version `rule_id` would change: for an automatic item against the
/// grants people hold now, otherwise against the version in force.
pub async fn dry_run(db: &Db, scope: &CatalogScope, rule_id: Uuid) -> DomainResult<DryRun> {
    let rule = rule_by_id(db, rule_id).await?;
    let item = item_in_scope(db.conn(), scope, rule.service_item_id).await?;
    let new = rule::compiled(rule.id, &rule.conditions)?;
    let current: HashSet<Uuid> = if item.channel == Channel::Automatic.as_str() {
        active_grantees(db.conn(), item.id).await?
    } else if let Some(cur) = ruled_services(db.conn(), None, false)
        .await?
        .into_iter()
        .find(|s| s.item.id == item.id)
    {
        let mut set = HashSet::new();
        evaluate_all(db.conn(), &item, &cur.compiled, |p, ok| {
            if ok {
                set.insert(p.id);
            }
        })
        .await?;
        set
    } else {
        HashSet::new()
    };
    let mut by: HashMap<String, DistrictImpact> = HashMap::new();
    let mut run = DryRun::default();
    let mut seen_current = 0u64;
    evaluate_all(db.conn(), &item, &new, |p, ok| {
        run.evaluated += 1;
        let had = current.contains(&p.id);
        if had {
            seen_current += 1;
        }
        let d = by
            .entry(p.district_code.clone())
            .or_insert_with(|| DistrictImpact {
                district: p.district_code.clone(),
                ..Default::default()
            });
        if ok {
            run.eligible += 1;
            d.eligible += 1;
            if !had {
                run.newly_eligible += 1;
                d.newly_eligible += 1;
            }
        } else if had {
            run.losing += 1;
            d.losing += 1;
        }
    })
    .await?;
    // Holders no longer registered or covered lose it too.
    run.losing += current.len() as u64 - seen_current.min(current.len() as u64);
    run.admits_everyone = run.evaluated > 0 && run.eligible == run.evaluated;
    let mut districts: Vec<DistrictImpact> = by.into_values().collect();
    districts.sort_by(|a, b| a.district.cmp(&b.district));
    run.by_district = districts;
    Ok(run)
}

/// Publish rule version `rule_id`, provided the version in force is still `expected_current`
/// (0 = none). For an automatic item this starts a grant job, returned for the caller to run.
pub async fn publish_rule(
    db: &Db,
    audit_key: &[u8],
    actor: &Actor,
    scope: &CatalogScope,
    rule_id: Uuid,
    expected_current: i32,
) -> DomainResult<(eligibility_rule::Model, Option<grant_job::Model>)> {
    let rule = rule_by_id(db, rule_id).await?;
    let w = db.begin_write().await?;
    let item = item_in_scope(&w.txn, scope, rule.service_item_id).await?;
    if rule.status != RuleStatus::Draft.as_str() {
        return Err(DomainError::Conflict(format!(
            "该版本当前状态为 {}，只有草稿可以发布",
            rule.status
        )));
    }
    // Compare-and-set on the item: of two concurrent publications, one wins.
    let res = service_item::Entity::update_many()
        .col_expr(service_item::Column::RuleVersion, Expr::value(rule.version))
        .filter(service_item::Column::Id.eq(item.id))
        .filter(service_item::Column::RuleVersion.eq(expected_current))
        .exec(&w.txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(DomainError::Conflict(format!(
            "适用条件已被他人发布（当前版本 {}），请刷新后重试",
            item.rule_version
        )));
    }
    let automatic = item.channel == Channel::Automatic.as_str();
    if automatic {
        let running = grant_job::Entity::find()
            .filter(grant_job::Column::ServiceItemId.eq(item.id))
            .filter(grant_job::Column::Status.eq(JobStatus::Running.as_str()))
            .one(&w.txn)
            .await?;
        if running.is_some() {
            return Err(DomainError::Conflict(
                "该事项的自动发放任务正在运行，请待其完成后再发布".to_owned(),
            ));
        }
    }
    eligibility_rule::Entity::update_many()
        .col_expr(
            eligibility_rule::Column::Status,
            Expr::value(RuleStatus::Superseded.as_str()),
        )
        .filter(eligibility_rule::Column::ServiceItemId.eq(item.id))
        .filter(eligibility_rule::Column::Status.eq(RuleStatus::Published.as_str()))
        .exec(&w.txn)
        .await?;
    let now = Utc::now();
    let mut m: eligibility_rule::ActiveModel = rule.into();
    m.status = Set(RuleStatus::Published.as_str().to_owned());
    m.published_at = Set(Some(now));
    let rule = m.update(&w.txn).await?;
    let job = if automatic {
        Some(
            grant_job::ActiveModel {
                id: Set(Uuid::now_v7()),
                service_item_id: Set(item.id),
                rule_version: Set(rule.version),
                status: Set(JobStatus::Running.as_str().to_owned()),
                evaluated: Set(0),
                granted: Set(0),
                revoked: Set(0),
                error: Set(None),
                started_by: Set(actor.id.clone()),
                started_at: Set(now),
                finished_at: Set(None),
            }
            .insert(&w.txn)
            .await?,
        )
    } else {
        None
    };
    audit::append(
        &w.txn,
        audit_key,
        actor,
        AuditEntry {
            operation: "eligibility.rule.publish",
            object_type: "service_item",
            object_id: item.id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!("version={}", rule.version),
        },
    )
    .await?;
    w.commit().await?;
    Ok((rule, job))
}

/// One grant job.
pub async fn job(db: &Db, id: Uuid) -> DomainResult<grant_job::Model> {
    grant_job::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(DomainError::NotFound {
            what: "发放任务"
        })
}

/// Start a new run of the grant job for an automatic item's rule in force (after a failure, or
/// to catch up): idempotent, it grants only what is missing.
pub async fn rerun_job(
    db: &Db,
    actor: &Actor,
    scope: &CatalogScope,
    item_id: Uuid,
) -> DomainResult<grant_job::Model> {
    let w = db.begin_write().await?;
    let item = item_in_scope(&w.txn, scope, item_id).await?;
    if item.channel != Channel::Automatic.as_str() || item.rule_version == 0 {
        return Err(DomainError::Conflict(
            "只有已发布适用条件的免申即享事项可以运行自动发放".to_owned(),
        ));
    }
    let running = grant_job::Entity::find()
        .filter(grant_job::Column::ServiceItemId.eq(item.id))
        .filter(grant_job::Column::Status.eq(JobStatus::Running.as_str()))
        .one(&w.txn)
        .await?;
    if running.is_some() {
        return Err(DomainError::Conflict(
            "该事项的自动发放任务正在运行".to_owned(),
        ));
    }
    let job = grant_job::ActiveModel {
        id: Set(Uuid::now_v7()),
        service_item_id: Set(item.id),
        rule_version: Set(item.rule_version),
        status: Set(JobStatus::Running.as_str().to_owned()),
        evaluated: Set(0),
        granted: Set(0),
        revoked: Set(0),
        error: Set(None),
        started_by: Set(actor.id.clone()),
        started_at: Set(Utc::now()),
        finished_at: Set(None),
    }
    .insert(&w.txn)
    .await?;
    w.commit().await?;
    Ok(job)
}
