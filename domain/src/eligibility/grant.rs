//! 免申即享: applying a verdict to one person (grant or revoke, with a service record, an inbox
//! message and an SMS, in the caller's transaction), the grant job over everyone an automatic
//! item covers, and re-evaluation of one person after their facts change.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{Evaluator, Facts, JobStatus, granted_keys_of, next_page, ruled_services};
use crate::audit::{self, Actor, AuditEntry};
use crate::crypto::FieldCipher;
use crate::db::{Db, find_each};
use crate::entities::{
    grant_job, inbox_message, person, service_grant, service_item, service_record,
};
use crate::error::{DomainError, DomainResult};
use crate::sms::{self, SmsTemplate};
use crate::types::Phone;

/// What a grant run needs.
pub struct GrantContext<'a> {
    /// Database.
    pub db: &'a Db,
    /// Field cipher (phones) and audit key.
    pub cipher: &'a FieldCipher,
}

/// What applying a verdict did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Newly granted.
    Granted,
    /// Revoked.
    Revoked,
    /// Nothing to do.
    Unchanged,
}

/// Write a service record.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    p: &person::Model,
    item: Uuid,
    kind: &str,
    note: &str,
    actor_id: &str,
) -> DomainResult<service_record::Model> {
    Ok(service_record::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(p.id),
        service_item_id: Set(item),
        kind: Set(kind.to_owned()),
        district_code: Set(p.district_code.clone()),
        street_code: Set(p.street_code.clone()),
        note: Set(note.chars().take(500).collect()),
        actor_id: Set(actor_id.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?)
}

/// Grant changes planned for a batch of people, written with a handful of statements (plus one
/// per SMS): the job writes a page of 2,000 people this way.
#[derive(Default)]
pub struct Batch {
    new_grants: Vec<service_grant::ActiveModel>,
    reactivate: Vec<Uuid>,
    revoke: Vec<Uuid>,
    records: Vec<service_record::ActiveModel>,
    inbox: Vec<inbox_message::ActiveModel>,
    sms: Vec<(String, Phone, SmsTemplate, String)>,
    rule_version: i32,
}

impl Batch {
    /// An empty batch for rule version `rule_version`.
    pub fn new(rule_version: i32) -> Self {
        Self {
            rule_version,
            ..Self::default()
        }
    }

    /// Plan bringing one person's grant of an automatic item in line with `eligible`.
    pub fn plan(
        &mut self,
        cipher: &FieldCipher,
        p: &person::Model,
        item: &service_item::Model,
        existing: Option<&service_grant::Model>,
        eligible: bool,
        actor_id: &str,
    ) -> DomainResult<Applied> {
        let active = existing.is_some_and(|g| g.status == "ACTIVE");
        let now = Utc::now();
        let granted = match (eligible, active, existing) {
            (true, true, _) | (false, false, _) | (false, true, None) => {
                return Ok(Applied::Unchanged);
            }
            (true, false, None) => {
                self.new_grants.push(service_grant::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    person_id: Set(p.id),
                    service_item_id: Set(item.id),
                    rule_version: Set(self.rule_version),
                    status: Set("ACTIVE".to_owned()),
                    granted_at: Set(now),
                    revoked_at: Set(None),
                });
                true
            }
            (true, false, Some(g)) => {
                self.reactivate.push(g.id);
                true
            }
            (false, true, Some(g)) => {
                self.revoke.push(g.id);
                false
            }
        };
        let kind = if granted { "GRANT" } else { "REVOKE" };
        self.records.push(service_record::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(p.id),
            service_item_id: Set(item.id),
            kind: Set(kind.to_owned()),
            district_code: Set(p.district_code.clone()),
            street_code: Set(p.street_code.clone()),
            note: Set(format!("免申即享，适用条件第{}版", self.rule_version)),
            actor_id: Set(actor_id.chars().take(64).collect()),
            created_at: Set(now),
        });
        let (title, body, template) = if granted {
            (
                format!("免申即享：{}", item.name),
                format!(
                    "您符合“{}”的享受条件，无需申请，已自动为您办理。如有疑问请咨询所在街镇残联。",
                    item.name
                ),
                SmsTemplate::ServiceGranted,
            )
        } else {
            (
                format!("待遇停止：{}", item.name),
                format!(
                    "根据最新的享受条件，您的“{}”待遇已停止。如有疑问请咨询所在街镇残联。",
                    item.name
                ),
                SmsTemplate::ServiceRevoked,
            )
        };
        self.inbox.push(inbox_message::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(p.id),
            kind: Set(template.code().to_owned()),
            title: Set(title.chars().take(200).collect()),
            body: Set(body.chars().take(1000).collect()),
            ref_id: Set(Some(item.id)),
            created_at: Set(now),
            read_at: Set(None),
        });
        if let Some(enc) = &p.phone_enc {
            let plain = cipher.decrypt(crate::person::aad("phone", &p.id), enc)?;
            if let Ok(phone) = Phone::parse("phone", &plain) {
                let dedupe = format!(
                    "{}:{}:{}:{}",
                    kind.to_ascii_lowercase(),
                    item.id.simple(),
                    p.id.simple(),
                    now.timestamp_micros()
                );
                let service: String = item.name.chars().take(sms::MAX_PARAM_CHARS).collect();
                self.sms.push((dedupe, phone, template, service));
            }
        }
        Ok(if granted {
            Applied::Granted
        } else {
            Applied::Revoked
        })
    }

    /// Write everything planned, in the caller's transaction.
    pub async fn write<C: ConnectionTrait>(
        self,
        conn: &C,
        cipher: &FieldCipher,
    ) -> DomainResult<()> {
        let now = Utc::now();
        if !self.new_grants.is_empty() {
            service_grant::Entity::insert_many(self.new_grants)
                .exec(conn)
                .await?;
        }
        if !self.reactivate.is_empty() {
            service_grant::Entity::update_many()
                .col_expr(service_grant::Column::Status, Expr::value("ACTIVE"))
                .col_expr(
                    service_grant::Column::RuleVersion,
                    Expr::value(self.rule_version),
                )
                .col_expr(service_grant::Column::GrantedAt, Expr::value(now))
                .col_expr(
                    service_grant::Column::RevokedAt,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                .filter(service_grant::Column::Id.is_in(self.reactivate))
                .exec(conn)
                .await?;
        }
        if !self.revoke.is_empty() {
            service_grant::Entity::update_many()
                .col_expr(service_grant::Column::Status, Expr::value("REVOKED"))
                .col_expr(service_grant::Column::RevokedAt, Expr::value(Some(now)))
                .filter(service_grant::Column::Id.is_in(self.revoke))
                .exec(conn)
                .await?;
        }
        if !self.records.is_empty() {
            service_record::Entity::insert_many(self.records)
                .exec(conn)
                .await?;
        }
        if !self.inbox.is_empty() {
            inbox_message::Entity::insert_many(self.inbox)
                .exec(conn)
                .await?;
        }
        let texts = self
            .sms
            .into_iter()
            .map(|(dedupe, phone, template, service)| {
                let params = sms::params([("service", service.as_str())]);
                (dedupe, phone, template, params)
            })
            .collect();
        sms::enqueue_many(conn, cipher, texts).await?;
        Ok(())
    }
}

/// The grants of `item` held by `people` (any status), by person: probed by person
/// ([`crate::db::find_each`]), the item picked here. With the item in the query PostgreSQL once
/// planned it through the item index and read every grant of the item for every page.
async fn grants_of_item<C: ConnectionTrait>(
    conn: &C,
    item: Uuid,
    people: &[Uuid],
) -> DomainResult<HashMap<Uuid, service_grant::Model>> {
    Ok(
        find_each::<service_grant::Entity, _>(conn, service_grant::Column::PersonId, people)
            .await?
            .into_iter()
            .filter(|g| g.service_item_id == item)
            .map(|g| (g.person_id, g))
            .collect(),
    )
}

/// Run grant job `job_id` to the end: page by page, each page in one transaction. Safe to run
/// again after a failure: people already granted are left alone.
pub async fn run_grant_job(g: &GrantContext<'_>, job_id: Uuid) -> DomainResult<grant_job::Model> {
    let job = super::job(g.db, job_id).await?;
    let result = run_pages(g, &job).await;
    let w = g.db.begin_write().await?;
    let current = super::job(g.db, job_id).await?;
    let mut m: grant_job::ActiveModel = current.clone().into();
    m.finished_at = Set(Some(Utc::now()));
    let outcome = match &result {
        Ok(()) => {
            m.status = Set(JobStatus::Done.as_str().to_owned());
            "SUCCESS".to_owned()
        }
        Err(e) => {
            tracing::error!(job = %job_id, error = %e, "grant job failed");
            m.status = Set(JobStatus::Failed.as_str().to_owned());
            m.error = Set(Some(
                "发放中断（系统错误），已发放的不受影响，可重新运行".to_owned(),
            ));
            format!(
                "FAILURE:{}",
                match e {
                    DomainError::Conflict(_) => "CONFLICT",
                    DomainError::NotFound { .. } => "NOT_FOUND",
                    _ => "INTERNAL",
                }
            )
        }
    };
    let done = m.update(&w.txn).await?;
    audit::append(
        &w.txn,
        g.cipher.keys().audit_key(),
        &Actor::system("grant-job"),
        AuditEntry {
            operation: "eligibility.grant_job",
            object_type: "service_item",
            object_id: job.service_item_id.to_string(),
            result: outcome,
            detail: format!(
                "job={} version={} evaluated={} granted={} revoked={}",
                job.id, job.rule_version, done.evaluated, done.granted, done.revoked
            ),
        },
    )
    .await?;
    w.commit().await?;
    tracing::info!(job = %job_id, evaluated = done.evaluated, granted = done.granted, revoked = done.revoked, "grant job finished");
    Ok(done)
}

async fn run_pages(g: &GrantContext<'_>, job: &grant_job::Model) -> DomainResult<()> {
    let item = service_item::Entity::find_by_id(job.service_item_id)
        .one(g.db.conn())
        .await?
        .ok_or(DomainError::NotFound {
            what: "服务事项"
        })?;
    let Some(ruled) = ruled_services(g.db.conn(), None, true)
        .await?
        .into_iter()
        .find(|s| s.item.id == item.id && s.rule.version == job.rule_version)
    else {
        return Err(DomainError::Conflict(
            "该版本已不是现行适用条件，任务停止".to_owned(),
        ));
    };
    let today = Utc::now().date_naive();
    let actor = format!("grant-job:{}", job.id);
    let mut after = None;
    loop {
        let rows = next_page(g.db.conn(), &item, after).await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let granted = granted_keys_of(g.db.conn(), &ids).await?;
        let verdicts: Vec<bool> = {
            let mut ev = Evaluator::default();
            rows.iter()
                .map(|r| {
                    ev.holds(
                        &ruled.compiled,
                        &Facts::for_item(r, today, &granted, &item.key),
                    )
                })
                .collect()
        };
        let w = g.db.begin_write().await?;
        let existing = grants_of_item(&w.txn, item.id, &ids).await?;
        let (mut granted_n, mut revoked_n) = (0, 0);
        let mut batch = Batch::new(job.rule_version);
        for (r, ok) in rows.iter().zip(verdicts) {
            match batch.plan(g.cipher, r, &item, existing.get(&r.id), ok, &actor)? {
                Applied::Granted => granted_n += 1,
                Applied::Revoked => revoked_n += 1,
                Applied::Unchanged => {}
            }
        }
        batch.write(&w.txn, g.cipher).await?;
        let cur = grant_job::Entity::find_by_id(job.id)
            .one(&w.txn)
            .await?
            .ok_or(DomainError::NotFound {
                what: "发放任务"
            })?;
        let n = i32::try_from(rows.len()).unwrap_or(i32::MAX);
        let mut m: grant_job::ActiveModel = cur.clone().into();
        m.evaluated = Set(cur.evaluated + n);
        m.granted = Set(cur.granted + granted_n);
        m.revoked = Set(cur.revoked + revoked_n);
        m.update(&w.txn).await?;
        w.commit().await?;
        if (rows.len() as u64) < super::PAGE {
            break;
        }
        after = Some(last);
    }
    // Holders who left the item's coverage (moved away, deactivated) lose it. Only those are
    // read: the database finds them (loading every holder and binding all their ids in one
    // `IN (…)` exceeded PostgreSQL's 65,535 parameters at Shanghai's scale).
    let w = g.db.begin_write().await?;
    let holding = Query::select()
        .column(service_grant::Column::PersonId)
        .from(service_grant::Entity)
        .and_where(service_grant::Column::ServiceItemId.eq(item.id))
        .and_where(service_grant::Column::Status.eq("ACTIVE"))
        .to_owned();
    let mut uncovered = Condition::any().add(person::Column::Status.ne("ACTIVE"));
    if let Some(d) = item.district_code.as_deref() {
        uncovered = uncovered.add(person::Column::DistrictCode.ne(d));
    }
    let people = person::Entity::find()
        .filter(person::Column::Id.in_subquery(holding))
        .filter(uncovered)
        .all(&w.txn)
        .await?;
    let mut holders: HashMap<Uuid, service_grant::Model> = HashMap::new();
    for chunk in people.chunks(1_000) {
        let ids: Vec<Uuid> = chunk.iter().map(|p| p.id).collect();
        holders.extend(grants_of_item(&w.txn, item.id, &ids).await?);
    }
    let mut revoked_n = 0;
    let mut batch = Batch::new(job.rule_version);
    for p in &people {
        if batch.plan(g.cipher, p, &item, holders.get(&p.id), false, &actor)? == Applied::Revoked {
            revoked_n += 1;
        }
    }
    batch.write(&w.txn, g.cipher).await?;
    if revoked_n > 0 {
        let cur = super::job(g.db, job.id).await?;
        let mut m: grant_job::ActiveModel = cur.clone().into();
        m.revoked = Set(cur.revoked + revoked_n);
        m.update(&w.txn).await?;
    }
    w.commit().await
}

/// Re-evaluate every automatic grant of one person inside the caller's transaction (after their
/// facts changed, they moved, or were deactivated). Returns how many grants changed.
pub async fn reevaluate_person<C: ConnectionTrait>(
    conn: &C,
    cipher: &FieldCipher,
    p: &person::Model,
    actor_id: &str,
) -> DomainResult<usize> {
    let holdings: Vec<service_grant::Model> = service_grant::Entity::find()
        .filter(service_grant::Column::PersonId.eq(p.id))
        .all(conn)
        .await?;
    // Items that cover them now, plus district items they hold from where they lived before.
    let mut services = ruled_services(conn, Some(&p.district_code), true).await?;
    for other in ruled_services(conn, None, true).await? {
        if !services.iter().any(|s| s.item.id == other.item.id)
            && holdings
                .iter()
                .any(|h| h.service_item_id == other.item.id && h.status == "ACTIVE")
        {
            services.push(other);
        }
    }
    if services.is_empty() {
        return Ok(0);
    }
    let keys = granted_keys_of(conn, &[p.id])
        .await?
        .remove(&p.id)
        .unwrap_or_default();
    let today = Utc::now().date_naive();
    let verdicts: Vec<bool> = {
        let mut ev = Evaluator::default();
        services
            .iter()
            .map(|s| {
                let covered = p.status == "ACTIVE"
                    && s.item
                        .district_code
                        .as_deref()
                        .is_none_or(|d| d == p.district_code);
                let mut own = keys.clone();
                own.retain(|k| *k != s.item.key);
                covered && ev.holds(&s.compiled, &Facts::of(p, today, own))
            })
            .collect()
    };
    let mut changed = 0;
    for (s, ok) in services.iter().zip(verdicts) {
        let existing = holdings.iter().find(|h| h.service_item_id == s.item.id);
        let mut batch = Batch::new(s.rule.version);
        if batch.plan(cipher, p, &s.item, existing, ok, actor_id)? != Applied::Unchanged {
            changed += 1;
        }
        batch.write(conn, cipher).await?;
    }
    Ok(changed)
}
