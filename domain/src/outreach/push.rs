//! Pushes: who creates them (city: the whole city; district: its district), how targets are
//! chosen (registry filters and/or the service item's eligibility rule, always within the
//! creator's scope), the dry run by district and street-town, and publication as a batch job that
//! creates one task per person, page by page, idempotently.

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::targets::{TargetPages, Targeting, check_filter};
use super::{OutreachConfig, TaskStatus};
use crate::audit::{self, Actor, AuditEntry};
use crate::crypto::FieldCipher;
use crate::db::Db;
use crate::entities::{
    inbox_message, outreach_event, outreach_push, outreach_task, person, policy,
};
use crate::error::{DomainError, DomainResult};
use crate::region::RegionDirectory;
use crate::sms::{self, SmsTemplate};
use crate::types::{BoundedText, Phone, RegionLevel};
use crate::viewer::{Role, Viewer};

/// What a push is called in messages.
pub const WHAT_PUSH: &str = "政策推送";
/// A push of a policy or service item (政策找人).
pub const KIND_POLICY: &str = "POLICY";
/// A push holding one need's follow-up task (需求跟进).
pub const KIND_NEED: &str = "NEED";
/// People per page (and per transaction) of the publishing job.
pub const PAGE: u64 = 1_000;

/// Where a push may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutreachScope {
    /// The whole city.
    City,
    /// One district.
    District(String),
}

impl OutreachScope {
    /// The scope of a push manager (city or district admin), or `FORBIDDEN`.
    pub fn of(viewer: &Viewer) -> DomainResult<Self> {
        match (viewer.role, &viewer.region) {
            (Role::CityAdmin, _) => Ok(Self::City),
            (Role::DistrictAdmin, Some(r)) if r.level() == RegionLevel::District => {
                Ok(Self::District(r.as_str().to_owned()))
            }
            _ => Err(DomainError::Forbidden("仅市、区管理员可发起政策推送")),
        }
    }

    /// The region code stored on a push.
    pub fn code(&self) -> &str {
        match self {
            Self::City => crate::types::region_code_city(),
            Self::District(d) => d,
        }
    }

    /// Whether this scope manages a push created in `code`.
    pub fn manages(&self, code: &str) -> bool {
        match self {
            Self::City => true,
            Self::District(d) => d == code,
        }
    }

    /// Whether this scope covers a person or task in `district`.
    pub fn covers(&self, district: &str) -> bool {
        match self {
            Self::City => true,
            Self::District(d) => d == district,
        }
    }
}

/// Registry filters of a push (stored as JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetFilter {
    /// District code.
    pub district: Option<String>,
    /// Street-town code.
    pub street: Option<String>,
    /// Disability category 1–7.
    pub category: Option<i16>,
    /// Disability level 1–4.
    pub level: Option<i16>,
    /// Minimum age.
    pub min_age: Option<u32>,
    /// Maximum age.
    pub max_age: Option<u32>,
}

/// A push as submitted.
#[derive(Debug, Clone, Default)]
pub struct PushInput {
    /// Title shown to people and staff.
    pub title: String,
    /// The policy pushed.
    pub policy_id: Option<Uuid>,
    /// The service item pushed.
    pub service_item_id: Option<Uuid>,
    /// Target by the service item's rule in force.
    pub use_rule: bool,
    /// Registry filters.
    pub filter: TargetFilter,
    /// Follow-up period in working days (default from configuration).
    pub due_working_days: Option<u32>,
}

/// People a push would reach, per street-town.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRunRow {
    /// District.
    pub district: String,
    /// Street-town.
    pub street: String,
    /// People.
    pub count: u64,
}

/// Create a push (draft) in the creator's scope.
pub async fn create_push(
    db: &Db,
    audit_key: &[u8],
    regions: &RegionDirectory,
    actor: &Actor,
    scope: &OutreachScope,
    config: &OutreachConfig,
    input: &PushInput,
) -> DomainResult<outreach_push::Model> {
    let title = BoundedText::parse("input.title", &input.title, 200)?.into_string();
    if input.policy_id.is_none() && input.service_item_id.is_none() {
        return Err(DomainError::bad_input(
            "input",
            "须选择推送的政策或服务事项",
        ));
    }
    let filter = check_filter(regions, scope, &input.filter)?;
    let days = input.due_working_days.unwrap_or(config.due_working_days);
    if !(1..=60).contains(&days) {
        return Err(DomainError::bad_input(
            "input.dueWorkingDays",
            "走访时限应为1–60个工作日",
        ));
    }
    if let Some(pid) = input.policy_id
        && policy::Entity::find_by_id(pid)
            .one(db.conn())
            .await?
            .is_none()
    {
        return Err(DomainError::bad_input("input.policyId", "政策不存在"));
    }
    Targeting {
        filter: filter.clone(),
        scope_code: scope.code().to_owned(),
        use_rule: input.use_rule,
        service_item_id: input.service_item_id,
    }
    .check(db.conn())
    .await?;
    let w = db.begin_write().await?;
    let row = outreach_push::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(title),
        policy_id: Set(input.policy_id),
        service_item_id: Set(input.service_item_id),
        use_rule: Set(input.use_rule),
        filter: Set(serde_json::to_string(&filter).map_err(DomainError::internal)?),
        scope_code: Set(scope.code().to_owned()),
        due_working_days: Set(i32::try_from(days).unwrap_or(10)),
        status: Set("DRAFT".to_owned()),
        targeted: Set(0),
        progress: Set(0),
        created_by: Set(actor.id.clone()),
        created_at: Set(Utc::now()),
        published_at: Set(None),
        kind: Set(KIND_POLICY.to_owned()),
    }
    .insert(&w.txn)
    .await?;
    audit::append(
        &w.txn,
        audit_key,
        actor,
        AuditEntry {
            operation: "outreach.push.create",
            object_type: "outreach_push",
            object_id: row.id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: String::new(),
        },
    )
    .await?;
    w.commit().await?;
    Ok(row)
}

/// One push, if the scope manages it.
pub async fn push_by_id(
    db: &Db,
    scope: &OutreachScope,
    id: Uuid,
) -> DomainResult<outreach_push::Model> {
    outreach_push::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .filter(|p| scope.manages(&p.scope_code) || scope.covers(&p.scope_code))
        .ok_or(DomainError::NotFound { what: WHAT_PUSH })
}

/// A page of the pushes the scope manages, in the order they were created.
pub async fn pushes(
    db: &Db,
    scope: &OutreachScope,
    page: &crate::page::PageRequest,
) -> DomainResult<crate::page::Page<outreach_push::Model>> {
    let mut q = outreach_push::Entity::find().filter(outreach_push::Column::Kind.eq(KIND_POLICY));
    if let OutreachScope::District(d) = scope {
        q = q.filter(outreach_push::Column::ScopeCode.eq(d.as_str()));
    }
    let rows = page
        .apply(q, outreach_push::Column::Id)
        .all(db.conn())
        .await?;
    Ok(page.finish(rows))
}

/// Who a push reaches.
fn targeting(push: &outreach_push::Model) -> DomainResult<Targeting> {
    Ok(Targeting {
        filter: serde_json::from_str(&push.filter).map_err(DomainError::internal)?,
        scope_code: push.scope_code.clone(),
        use_rule: push.use_rule,
        service_item_id: push.service_item_id,
    })
}

/// Shanghai's date now (UTC+8, no daylight saving).
pub(crate) fn today_shanghai() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// How many people a push would reach, per street-town (in code order), and in all.
pub async fn dry_run(
    db: &Db,
    scope: &OutreachScope,
    push_id: Uuid,
) -> DomainResult<(Vec<DryRunRow>, u64)> {
    let push = push_by_id(db, scope, push_id).await?;
    if !scope.manages(&push.scope_code) {
        return Err(DomainError::NotFound { what: WHAT_PUSH });
    }
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut pages = TargetPages::new(db.conn(), &targeting(&push)?).await?;
    while let Some(rows) = pages.next(db.conn()).await? {
        for r in rows {
            *counts
                .entry((r.district_code.clone(), r.street_code.clone()))
                .or_default() += 1;
        }
    }
    let total = counts.values().sum();
    Ok((
        counts
            .into_iter()
            .map(|((district, street), count)| DryRunRow {
                district,
                street,
                count,
            })
            .collect(),
        total,
    ))
}

/// Publish a push: from `DRAFT` (or `FAILED`, to resume) to `PUBLISHING`. Returns the push and
/// whether a publishing job must start; a repeated click on a push already publishing or
/// published changes nothing and starts nothing.
pub async fn publish(
    db: &Db,
    audit_key: &[u8],
    actor: &Actor,
    scope: &OutreachScope,
    push_id: Uuid,
) -> DomainResult<(outreach_push::Model, bool)> {
    let push = push_by_id(db, scope, push_id).await?;
    if !scope.manages(&push.scope_code) {
        return Err(DomainError::NotFound { what: WHAT_PUSH });
    }
    if matches!(push.status.as_str(), "PUBLISHING" | "PUBLISHED") {
        return Ok((push, false));
    }
    // Empty targets are refused before anything is written.
    let (_, total) = dry_run(db, scope, push_id).await?;
    if total == 0 {
        return Err(DomainError::bad_input(
            "pushId",
            "没有符合条件的推送对象，请调整条件",
        ));
    }
    let w = db.begin_write().await?;
    let res = outreach_push::Entity::update_many()
        .col_expr(outreach_push::Column::Status, Expr::value("PUBLISHING"))
        .filter(outreach_push::Column::Id.eq(push.id))
        .filter(outreach_push::Column::Status.is_in(["DRAFT", "FAILED"]))
        .exec(&w.txn)
        .await?;
    if res.rows_affected != 1 {
        // Another click won the race.
        drop(w);
        return Ok((push_by_id(db, scope, push_id).await?, false));
    }
    audit::append(
        &w.txn,
        audit_key,
        actor,
        AuditEntry {
            operation: "outreach.push.publish",
            object_type: "outreach_push",
            object_id: push.id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!("targets={total}"),
        },
    )
    .await?;
    w.commit().await?;
    Ok((push_by_id(db, scope, push_id).await?, true))
}

/// The publishing job: one task per target, assigned to their street-town, due in working days;
/// each person is notified (inbox + SMS). Each page is one transaction; people who already have a
/// task of this push are skipped, so resuming after a failure creates nothing twice.
pub async fn run_publish_job(
    db: &Db,
    cipher: &FieldCipher,
    config: &OutreachConfig,
    push_id: Uuid,
) -> DomainResult<outreach_push::Model> {
    let push = outreach_push::Entity::find_by_id(push_id)
        .one(db.conn())
        .await?
        .ok_or(DomainError::NotFound { what: WHAT_PUSH })?;
    let result = publish_pages(db, cipher, config, &push).await;
    let w = db.begin_write().await?;
    let cur = outreach_push::Entity::find_by_id(push_id)
        .one(&w.txn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT_PUSH })?;
    let mut m: outreach_push::ActiveModel = cur.clone().into();
    let outcome = match &result {
        Ok(()) => {
            m.status = Set("PUBLISHED".to_owned());
            m.published_at = Set(Some(Utc::now()));
            "SUCCESS".to_owned()
        }
        Err(e) => {
            tracing::error!(push = %push_id, error = %e, "outreach publishing failed");
            m.status = Set("FAILED".to_owned());
            "FAILURE:INTERNAL".to_owned()
        }
    };
    let done = m.update(&w.txn).await?;
    audit::append(
        &w.txn,
        cipher.keys().audit_key(),
        &Actor::system("outreach-publish"),
        AuditEntry {
            operation: "outreach.push.published",
            object_type: "outreach_push",
            object_id: push_id.to_string(),
            result: outcome,
            detail: format!("targeted={} processed={}", done.targeted, done.progress),
        },
    )
    .await?;
    w.commit().await?;
    Ok(done)
}

async fn publish_pages(
    db: &Db,
    cipher: &FieldCipher,
    config: &OutreachConfig,
    push: &outreach_push::Model,
) -> DomainResult<()> {
    let due = config.calendar.add_working_days(
        today_shanghai(),
        u32::try_from(push.due_working_days).unwrap_or(config.due_working_days),
    );
    let actor_id = format!("outreach-publish:{}", push.id);
    let policy_name: String = push.title.chars().take(sms::MAX_PARAM_CHARS).collect();
    let mut pages = TargetPages::new(db.conn(), &targeting(push)?).await?;
    while let Some(rows) = pages.next(db.conn()).await? {
        let w = db.begin_write().await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        // Probed person by person: `outreach_tasks` grows while this runs.
        let existing: HashSet<Uuid> = crate::db::find_each::<outreach_task::Entity, _>(
            &w.txn,
            outreach_task::Column::PersonId,
            &ids,
        )
        .await?
        .into_iter()
        .filter(|t| t.push_id == push.id)
        .map(|t| t.person_id)
        .collect();
        let now = Utc::now();
        let fresh: Vec<&person::Model> =
            rows.iter().filter(|r| !existing.contains(&r.id)).collect();
        let mut tasks = Vec::with_capacity(fresh.len());
        let mut events = Vec::with_capacity(fresh.len());
        let mut inbox = Vec::with_capacity(fresh.len());
        let mut texts = Vec::new();
        for r in &fresh {
            let (task, event) = new_task(push.id, r, due, now, &actor_id);
            tasks.push(task);
            events.push(event);
            inbox.push(inbox_message::ActiveModel {
                id: Set(Uuid::now_v7()),
                person_id: Set(r.id),
                kind: Set(SmsTemplate::OutreachNotice.code().to_owned()),
                title: Set(format!("政策推送：{}", push.title)
                    .chars()
                    .take(200)
                    .collect()),
                body: Set(format!(
                    "您可能符合“{}”。所在街镇工作人员将在{}前与您联系，请留意。",
                    push.title, due
                )
                .chars()
                .take(1000)
                .collect()),
                ref_id: Set(Some(push.id)),
                created_at: Set(now),
                read_at: Set(None),
            });
            if let Some(enc) = &r.phone_enc
                && let Ok(plain) = cipher.decrypt(crate::person::aad("phone", &r.id), enc)
                && let Ok(phone) = Phone::parse("phone", &plain)
            {
                texts.push((
                    format!("outreach:{}:{}", push.id.simple(), r.id.simple()),
                    phone,
                ));
            }
        }
        if !tasks.is_empty() {
            outreach_task::Entity::insert_many(tasks)
                .exec(&w.txn)
                .await?;
            outreach_event::Entity::insert_many(events)
                .exec(&w.txn)
                .await?;
            inbox_message::Entity::insert_many(inbox)
                .exec(&w.txn)
                .await?;
        }
        let texts = texts
            .into_iter()
            .map(|(dedupe, phone)| {
                let params = sms::params([("policy", policy_name.as_str())]);
                (dedupe, phone, SmsTemplate::OutreachNotice, params)
            })
            .collect();
        sms::enqueue_many(&w.txn, cipher, texts).await?;
        let n = i32::try_from(rows.len()).unwrap_or(i32::MAX);
        let created = i32::try_from(fresh.len()).unwrap_or(i32::MAX);
        outreach_push::Entity::update_many()
            .col_expr(
                outreach_push::Column::Progress,
                Expr::col(outreach_push::Column::Progress).add(Expr::value(n)),
            )
            .col_expr(
                outreach_push::Column::Targeted,
                Expr::col(outreach_push::Column::Targeted).add(Expr::value(created)),
            )
            .filter(outreach_push::Column::Id.eq(push.id))
            .exec(&w.txn)
            .await?;
        w.commit().await?;
    }
    Ok(())
}

/// A task of `push` for one person, assigned to their street-town, and its first step.
fn new_task(
    push: Uuid,
    person: &person::Model,
    due: NaiveDate,
    now: chrono::DateTime<Utc>,
    actor_id: &str,
) -> (outreach_task::ActiveModel, outreach_event::ActiveModel) {
    let task_id = Uuid::now_v7();
    let task = outreach_task::ActiveModel {
        id: Set(task_id),
        push_id: Set(push),
        person_id: Set(person.id),
        district_code: Set(person.district_code.clone()),
        street_code: Set(person.street_code.clone()),
        status: Set(TaskStatus::Assigned.as_str().to_owned()),
        due_on: Set(due),
        method: Set(None),
        outcome: Set(None),
        notes: Set(None),
        visited_on: Set(None),
        submitted_at: Set(None),
        first_submitted_at: Set(None),
        reviewed_at: Set(None),
        return_count: Set(0),
        recheck_sample_seed: Set(None),
        recheck_result: Set(None),
        updated_at: Set(now),
    };
    let event = outreach_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        task_id: Set(task_id),
        person_id: Set(person.id),
        from_status: Set(None),
        to_status: Set(TaskStatus::Assigned.as_str().to_owned()),
        action: Set("ASSIGN".to_owned()),
        reason_code: Set(None),
        note: Set(None),
        actor_id: Set(actor_id.chars().take(64).collect()),
        actor_role: Set("SYSTEM".to_owned()),
        at: Set(now),
    };
    (task, event)
}

/// 需求跟进: one person's need made a follow-up visit of their street-town, inside the caller's
/// transaction: a `NEED` push (published, one target) and its task, due in `due_working_days`
/// working days (the configured period when `None`), with an inbox message telling the person.
/// Returns the task's id. The task is then worked like any 政策找人 task (visit, submit, review).
#[allow(clippy::too_many_arguments)]
pub async fn create_follow_up<C: ConnectionTrait>(
    conn: &C,
    config: &OutreachConfig,
    person: &person::Model,
    title: &str,
    service_item_id: Option<Uuid>,
    due_working_days: Option<u32>,
    actor: &str,
) -> DomainResult<Uuid> {
    let days = match due_working_days {
        None => config.due_working_days,
        Some(d) if (1..=60).contains(&d) => d,
        Some(_) => {
            return Err(DomainError::bad_input(
                "dueWorkingDays",
                "跟进时限须为 1–60 个工作日",
            ));
        }
    };
    let due = config.calendar.add_working_days(today_shanghai(), days);
    let now = Utc::now();
    let title: String = title.chars().take(200).collect();
    let push =
        outreach_push::ActiveModel {
            id: Set(Uuid::now_v7()),
            title: Set(title.clone()),
            policy_id: Set(None),
            service_item_id: Set(service_item_id),
            use_rule: Set(false),
            filter: Set(
                serde_json::to_string(&TargetFilter::default()).map_err(DomainError::internal)?
            ),
            scope_code: Set(person.district_code.clone()),
            due_working_days: Set(i32::try_from(days).unwrap_or(10)),
            status: Set("PUBLISHED".to_owned()),
            targeted: Set(1),
            progress: Set(1),
            created_by: Set(actor.chars().take(64).collect()),
            created_at: Set(now),
            published_at: Set(Some(now)),
            kind: Set(KIND_NEED.to_owned()),
        }
        .insert(conn)
        .await?;
    let (task, event) = new_task(push.id, person, due, now, actor);
    let task = task.insert(conn).await?;
    event.insert(conn).await?;
    inbox_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person.id),
        kind: Set("NEED_FOLLOW_UP".to_owned()),
        title: Set(title.clone()),
        body: Set(format!(
            "您反映的需求（{}）已安排所在街镇工作人员跟进，将在{}前与您联系。",
            title.trim_start_matches("需求跟进："),
            due
        )),
        ref_id: Set(Some(push.id)),
        created_at: Set(now),
        read_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(task.id)
}

/// Tasks of a push (for counts in tests and statistics).
pub async fn task_count(db: &Db, push: Uuid) -> DomainResult<u64> {
    Ok(outreach_task::Entity::find()
        .filter(outreach_task::Column::PushId.eq(push))
        .count(db.conn())
        .await?)
}
