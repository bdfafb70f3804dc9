//! Generating a batch: every active person of the district the type's eligibility rule admits,
//! with the amount the type gives them, page by page — each page one transaction that writes its
//! payments and moves the batch's cursor. A crash between pages leaves a `DRAFT` batch whose
//! cursor says where to go on; generating again resumes there, and the partial unique index on
//! payments refuses a second payment whatever happens. The last step lists who stopped since the
//! previous period and why (deceased or deactivated people are *excluded*), and sets the totals
//! from the items themselves.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::service::expect_status;
use super::types::Amount;
use super::{
    Batch, BatchKind, BatchStatus, ChangeKind, ItemStatus, PAGE, Payee, Period, PeriodKind,
    SubsidyService, WHAT_TYPE, now, today,
};
use crate::eligibility::{Evaluator, Facts, granted_keys_of, ruled_services};
use crate::entities::{
    custody_account, person, person_bank_account, subsidy_batch, subsidy_change, subsidy_item,
    subsidy_type,
};
use crate::error::{DomainError, DomainResult};

/// How generation runs (tests inject a crash between pages).
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions {
    /// People per page.
    pub page_size: u64,
    /// Stop with an error right after this many pages have committed, as a crash would (tests,
    /// and the demo's interrupted batch).
    pub crash_after_pages: Option<u32>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            page_size: PAGE,
            crash_after_pages: None,
        }
    }
}

/// Rows written per insert statement (PostgreSQL takes at most 65,535 parameters, SQLite
/// 32,766).
const INSERT_CHUNK: usize = 1_000;

/// The reason an excluded person's record gives, as a code.
fn exclusion_code(reason: Option<&str>) -> &'static str {
    match reason {
        Some(r)
            if ["死亡", "去世", "身故", "DECEASED"]
                .iter()
                .any(|k| r.contains(k)) =>
        {
            "DECEASED"
        }
        _ => "DEACTIVATED",
    }
}

impl SubsidyService<'_> {
    /// 生成发放批次 for a type, period and district (the district's admins or the city's).
    pub async fn generate(
        &self,
        type_id: Uuid,
        period: &str,
        district: &str,
    ) -> DomainResult<Batch> {
        self.generate_with(type_id, period, district, GenerateOptions::default())
            .await
    }

    /// [`Self::generate`] with explicit options.
    pub async fn generate_with(
        &self,
        type_id: Uuid,
        period: &str,
        district: &str,
        opts: GenerateOptions,
    ) -> DomainResult<Batch> {
        self.audited(
            "subsidy.batch.generate",
            "subsidy_type",
            type_id.to_string(),
            async {
                let district = Self::district("districtCode", district)?;
                let viewer = self.district_staff(district.as_str())?;
                let conn = self.p.db.conn();
                let t = subsidy_type::Entity::find_by_id(type_id)
                    .one(conn)
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_TYPE })?;
                if t.status != "ACTIVE" {
                    return Err(DomainError::Conflict(
                        "该补贴类型已停用，不能生成新批次".to_owned(),
                    ));
                }
                let kind = PeriodKind::parse("periodKind", &t.period_kind)?;
                let period = Period::parse("period", kind, period)?;
                if !period.has_begun(today()) {
                    return Err(DomainError::bad_input(
                        "period",
                        "不能提前生成尚未开始的期次",
                    ));
                }
                let ruled = ruled_services(conn, None, false)
                    .await?
                    .into_iter()
                    .find(|s| s.item.id == t.service_item_id)
                    .ok_or_else(|| {
                        DomainError::Conflict("该补贴关联的服务事项没有生效的适用条件".to_owned())
                    })?;
                if let Some(d) = ruled.item.district_code.as_deref()
                    && d != district.as_str()
                {
                    return Err(DomainError::Conflict(
                        "该补贴关联的服务事项只适用于其他区".to_owned(),
                    ));
                }
                let amount = Amount::of(&t)?;
                let period_s = period.to_string();
                let existing = subsidy_batch::Entity::find()
                    .filter(subsidy_batch::Column::TypeId.eq(t.id))
                    .filter(subsidy_batch::Column::Period.eq(period_s.as_str()))
                    .filter(subsidy_batch::Column::DistrictCode.eq(district.as_str()))
                    .filter(subsidy_batch::Column::Kind.eq(BatchKind::Regular.as_str()))
                    .one(conn)
                    .await?;
                let batch = match existing {
                    Some(b) if b.status == BatchStatus::Draft.as_str() => {
                        if b.rule_version != ruled.rule.version {
                            return Err(DomainError::Conflict(format!(
                                "中断的批次按第{}版适用条件生成，现行为第{}版；请联系市残联处理",
                                b.rule_version, ruled.rule.version
                            )));
                        }
                        tracing::info!(batch = %b.id, "resuming an interrupted subsidy batch");
                        b
                    }
                    Some(_) => {
                        return Err(DomainError::Conflict(format!(
                            "{}{}期本区批次已生成，同一期次不能重复生成（失败的发放请走补发批次）",
                            t.name, period_s
                        )));
                    }
                    None => {
                        let w = self.p.db.begin_write().await?;
                        let row = new_batch(
                            t.id,
                            &period_s,
                            district.as_str(),
                            BatchKind::Regular,
                            None,
                            ruled.rule.version,
                            &viewer.account_id.to_string(),
                        )
                        .insert(&w.txn)
                        .await
                        .map_err(|e| match DomainError::from(e) {
                            DomainError::Conflict(_) => DomainError::Conflict(format!(
                                "{}{}期本区批次已生成，同一期次不能重复生成",
                                t.name, period_s
                            )),
                            other => other,
                        })?;
                        self.append(
                            &w.txn,
                            "subsidy.batch.create",
                            "subsidy_batch",
                            row.id,
                            format!("type={} period={period_s} district={district}", t.key),
                        )
                        .await?;
                        w.commit().await?;
                        row
                    }
                };
                let previous = period.previous().to_string();
                let has_previous = subsidy_batch::Entity::find()
                    .filter(subsidy_batch::Column::TypeId.eq(t.id))
                    .filter(subsidy_batch::Column::Period.eq(previous.as_str()))
                    .filter(subsidy_batch::Column::DistrictCode.eq(district.as_str()))
                    .count(conn)
                    .await?
                    > 0;
                let run = Run {
                    svc: self,
                    t: &t,
                    batch: &batch,
                    ruled_key: ruled.item.key.clone(),
                    compiled: ruled.compiled.clone(),
                    amount,
                    previous: has_previous.then_some(previous),
                    opts,
                };
                run.pages().await?;
                run.finish().await?;
                self.batch(batch.id).await
            },
        )
        .await
    }
}

struct Run<'r, 'a> {
    svc: &'r SubsidyService<'a>,
    t: &'r subsidy_type::Model,
    batch: &'r subsidy_batch::Model,
    ruled_key: String,
    compiled: std::sync::Arc<crate::eligibility::rule::CompiledRule>,
    amount: Amount,
    previous: Option<String>,
    opts: GenerateOptions,
}

impl Run<'_, '_> {
    async fn pages(&self) -> DomainResult<()> {
        let p = self.svc.p;
        let conn = p.db.conn();
        let day = today();
        let mut cursor = subsidy_batch::Entity::find_by_id(self.batch.id)
            .one(conn)
            .await?
            .and_then(|b| b.cursor);
        let mut pages = 0u32;
        loop {
            let mut q = person::Entity::find()
                .filter(person::Column::Status.eq("ACTIVE"))
                .filter(person::Column::DistrictCode.eq(self.batch.district_code.as_str()))
                .order_by_asc(person::Column::Id)
                .limit(self.opts.page_size);
            if let Some(c) = cursor {
                q = q.filter(person::Column::Id.gt(c));
            }
            let rows = q.all(conn).await?;
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let granted = granted_keys_of(conn, &ids).await?;
            let mut ev = Evaluator::default();
            let mut payable: Vec<(&person::Model, i64)> = Vec::new();
            for r in &rows {
                let facts = Facts::for_item(r, day, &granted, &self.ruled_key);
                if !ev.holds(&self.compiled, &facts) {
                    continue;
                }
                let fen = self.amount.for_facts(&mut ev, &facts).map_err(|m| {
                    DomainError::Conflict(format!(
                        "补贴金额表达式无法计算：{m}；请修改补贴类型后重新生成"
                    ))
                })?;
                if fen > 0 {
                    payable.push((r, fen));
                }
            }
            let payable_ids: Vec<Uuid> = payable.iter().map(|(r, _)| r.id).collect();
            let own: HashMap<Uuid, Uuid> = crate::db::find_each::<person_bank_account::Entity, _>(
                conn,
                person_bank_account::Column::PersonId,
                &payable_ids,
            )
            .await?
            .into_iter()
            .filter(|a| a.status == "ACTIVE")
            .map(|a| (a.person_id, a.id))
            .collect();
            let custody: HashMap<Uuid, Uuid> = if self.t.payee == Payee::Custody.as_str() {
                crate::db::find_each::<custody_account::Entity, _>(
                    conn,
                    custody_account::Column::WardPersonId,
                    &payable_ids,
                )
                .await?
                .into_iter()
                .filter(|a| a.status == "ACTIVE")
                .map(|a| (a.ward_person_id, a.id))
                .collect()
            } else {
                HashMap::new()
            };
            let before: HashMap<Uuid, i64> = match &self.previous {
                Some(prev) => crate::db::find_each::<subsidy_item::Entity, _>(
                    conn,
                    subsidy_item::Column::PersonId,
                    &payable_ids,
                )
                .await?
                .into_iter()
                .filter(|i| {
                    i.type_id == self.t.id
                        && i.period == *prev
                        && i.status != ItemStatus::Failed.as_str()
                })
                .map(|i| (i.person_id, i.amount_fen))
                .collect(),
                None => HashMap::new(),
            };
            let ts = now();
            let mut items = Vec::with_capacity(payable.len());
            let mut changes = Vec::new();
            let (mut total, mut missing) = (0i64, 0i32);
            for (r, fen) in &payable {
                let (kind, account) = match (custody.get(&r.id), own.get(&r.id)) {
                    (Some(c), _) => (Some("CUSTODY"), Some(*c)),
                    (None, Some(a)) => (Some("PERSONAL"), Some(*a)),
                    (None, None) => (None, None),
                };
                if account.is_none() {
                    missing += 1;
                }
                total += fen;
                items.push(subsidy_item::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    batch_id: Set(self.batch.id),
                    type_id: Set(self.t.id),
                    period: Set(self.batch.period.clone()),
                    person_id: Set(r.id),
                    district_code: Set(r.district_code.clone()),
                    street_code: Set(r.street_code.clone()),
                    base_fen: Set(*fen),
                    amount_fen: Set(*fen),
                    adjustment_reason: Set(None),
                    adjusted_by: Set(None),
                    account_kind: Set(kind.map(str::to_owned)),
                    account_id: Set(account),
                    status: Set(ItemStatus::Pending.as_str().to_owned()),
                    failure_reason: Set(None),
                    bank_ref: Set(None),
                    resolution: Set(None),
                    supplement_item_id: Set(None),
                    paid_on: Set(None),
                    created_at: Set(ts),
                    updated_at: Set(ts),
                });
                if self.previous.is_some() {
                    let change = match before.get(&r.id) {
                        None => Some((ChangeKind::New, "NEW", "本期新增".to_owned(), None)),
                        Some(b) if b != fen => Some((
                            ChangeKind::Changed,
                            "AMOUNT",
                            "金额按本期条件重新计算".to_owned(),
                            Some(*b),
                        )),
                        Some(_) => None,
                    };
                    if let Some((k, code, reason, prev)) = change {
                        changes.push(change_row(
                            self.batch.id,
                            r.id,
                            k,
                            code,
                            reason,
                            prev,
                            Some(*fen),
                        ));
                    }
                }
            }
            let w = p.db.begin_write().await?;
            let mut it = items.into_iter().peekable();
            while it.peek().is_some() {
                let chunk: Vec<_> = it.by_ref().take(INSERT_CHUNK).collect();
                subsidy_item::Entity::insert_many(chunk)
                    .exec(&w.txn)
                    .await?;
            }
            let mut ct = changes.into_iter().peekable();
            while ct.peek().is_some() {
                let chunk: Vec<_> = ct.by_ref().take(INSERT_CHUNK).collect();
                subsidy_change::Entity::insert_many(chunk)
                    .exec(&w.txn)
                    .await?;
            }
            let n = i32::try_from(payable.len()).unwrap_or(i32::MAX);
            let mut up = subsidy_batch::Entity::update_many()
                .col_expr(subsidy_batch::Column::Cursor, Expr::value(Some(last)))
                .col_expr(
                    subsidy_batch::Column::People,
                    Expr::col(subsidy_batch::Column::People).add(n),
                )
                .col_expr(
                    subsidy_batch::Column::TotalFen,
                    Expr::col(subsidy_batch::Column::TotalFen).add(total),
                )
                .col_expr(
                    subsidy_batch::Column::MissingAccounts,
                    Expr::col(subsidy_batch::Column::MissingAccounts).add(missing),
                )
                .col_expr(subsidy_batch::Column::UpdatedAt, Expr::value(ts))
                .filter(subsidy_batch::Column::Id.eq(self.batch.id))
                .filter(subsidy_batch::Column::Status.eq(BatchStatus::Draft.as_str()));
            up = match cursor {
                Some(c) => up.filter(subsidy_batch::Column::Cursor.eq(c)),
                None => up.filter(subsidy_batch::Column::Cursor.is_null()),
            };
            if up.exec(&w.txn).await?.rows_affected != 1 {
                return Err(DomainError::Conflict(
                    "该批次正由另一次生成处理，请稍后刷新".to_owned(),
                ));
            }
            w.commit().await?;
            pages += 1;
            if self.opts.crash_after_pages == Some(pages) {
                return Err(DomainError::Conflict(format!(
                    "批次生成在第{pages}页后中断，重新生成即从断点继续"
                )));
            }
            if (rows.len() as u64) < self.opts.page_size {
                break;
            }
            cursor = Some(last);
        }
        Ok(())
    }

    /// Who stopped since the previous period and why; totals from the items; `GENERATED`.
    async fn finish(&self) -> DomainResult<()> {
        let p = self.svc.p;
        let w = p.db.begin_write().await?;
        let b = subsidy_batch::Entity::find_by_id(self.batch.id)
            .one(&w.txn)
            .await?
            .ok_or(DomainError::NotFound {
                what: super::WHAT_BATCH,
            })?;
        expect_status(&b, &[BatchStatus::Draft])?;
        let mut changes = Vec::new();
        if let Some(prev) = &self.previous {
            let paid_now = Query::select()
                .column(subsidy_item::Column::PersonId)
                .from(subsidy_item::Entity)
                .and_where(subsidy_item::Column::BatchId.eq(b.id))
                .to_owned();
            let stopped: Vec<subsidy_item::Model> = subsidy_item::Entity::find()
                .filter(subsidy_item::Column::TypeId.eq(self.t.id))
                .filter(subsidy_item::Column::Period.eq(prev.as_str()))
                .filter(subsidy_item::Column::DistrictCode.eq(b.district_code.as_str()))
                .filter(subsidy_item::Column::Status.ne(ItemStatus::Failed.as_str()))
                .filter(subsidy_item::Column::PersonId.not_in_subquery(paid_now))
                .all(&w.txn)
                .await?;
            let day = today();
            let mut ev = Evaluator::default();
            for chunk in stopped.chunks(1_000) {
                let ids: Vec<Uuid> = chunk.iter().map(|i| i.person_id).collect();
                let people: HashMap<Uuid, person::Model> = person::Entity::find()
                    .filter(person::Column::Id.is_in(ids.iter().copied()))
                    .all(&w.txn)
                    .await?
                    .into_iter()
                    .map(|r| (r.id, r))
                    .collect();
                let granted = granted_keys_of(&w.txn, &ids).await?;
                for it in chunk {
                    let Some(r) = people.get(&it.person_id) else {
                        continue;
                    };
                    let (kind, code, reason) = if r.status != "ACTIVE" {
                        let why = r.deactivation_reason.clone().unwrap_or_default();
                        (
                            ChangeKind::Excluded,
                            exclusion_code(r.deactivation_reason.as_deref()),
                            format!("档案已注销：{why}"),
                        )
                    } else if r.district_code != b.district_code {
                        let name = p
                            .regions
                            .get(&r.district_code)
                            .map_or_else(|| r.district_code.clone(), |g| g.name.clone());
                        (
                            ChangeKind::Stopped,
                            "MOVED_OUT",
                            format!("已迁出至{name}，由迁入区发放"),
                        )
                    } else {
                        let facts = Facts::for_item(r, day, &granted, &self.ruled_key);
                        let v = ev.explain(&self.compiled, &facts);
                        if v.eligible {
                            (
                                ChangeKind::Stopped,
                                "AMOUNT_ZERO",
                                "按本期条件金额为零".to_owned(),
                            )
                        } else {
                            let failed: Vec<String> = v
                                .conditions
                                .iter()
                                .filter(|c| !c.held)
                                .map(|c| format!("{}（{}）", c.label, c.facts.join("，")))
                                .collect();
                            (
                                ChangeKind::Stopped,
                                "NOT_ELIGIBLE",
                                format!("不再符合：{}", failed.join("；")),
                            )
                        }
                    };
                    changes.push(change_row(
                        b.id,
                        r.id,
                        kind,
                        code,
                        reason,
                        Some(it.amount_fen),
                        None,
                    ));
                }
            }
        }
        let excluded = changes
            .iter()
            .filter(|c| matches!(&c.kind, sea_orm::ActiveValue::Set(k) if k == ChangeKind::Excluded.as_str()))
            .count();
        let mut ct = changes.into_iter().peekable();
        while ct.peek().is_some() {
            let chunk: Vec<_> = ct.by_ref().take(INSERT_CHUNK).collect();
            subsidy_change::Entity::insert_many(chunk)
                .exec(&w.txn)
                .await?;
        }
        super::workflow::recount(&w.txn, b.id).await?;
        let ts = now();
        subsidy_batch::Entity::update_many()
            .col_expr(
                subsidy_batch::Column::Status,
                Expr::value(BatchStatus::Generated.as_str()),
            )
            .col_expr(
                subsidy_batch::Column::Excluded,
                Expr::value(i32::try_from(excluded).unwrap_or(i32::MAX)),
            )
            .col_expr(subsidy_batch::Column::GeneratedAt, Expr::value(Some(ts)))
            .col_expr(subsidy_batch::Column::UpdatedAt, Expr::value(ts))
            .filter(subsidy_batch::Column::Id.eq(b.id))
            .exec(&w.txn)
            .await?;
        let done = subsidy_batch::Entity::find_by_id(b.id)
            .one(&w.txn)
            .await?
            .ok_or(DomainError::NotFound {
                what: super::WHAT_BATCH,
            })?;
        self.svc
            .append(
                &w.txn,
                "subsidy.batch.generate",
                "subsidy_batch",
                b.id,
                format!(
                    "type={} period={} district={} people={} total_fen={} excluded={} missing_accounts={}",
                    self.t.key,
                    done.period,
                    done.district_code,
                    done.people,
                    done.total_fen,
                    done.excluded,
                    done.missing_accounts
                ),
            )
            .await?;
        w.commit().await?;
        tracing::info!(batch = %b.id, people = done.people, total_fen = done.total_fen, "subsidy batch generated");
        Ok(())
    }
}

/// A new, empty batch (`DRAFT` for a regular one, which generation fills; `GENERATED` for a
/// supplementary one, which the results import fills).
pub(super) fn new_batch(
    type_id: Uuid,
    period: &str,
    district: &str,
    kind: BatchKind,
    parent: Option<Uuid>,
    rule_version: i32,
    maker: &str,
) -> subsidy_batch::ActiveModel {
    let ts = now();
    let supplementary = kind == BatchKind::Supplementary;
    subsidy_batch::ActiveModel {
        id: Set(Uuid::now_v7()),
        type_id: Set(type_id),
        period: Set(period.to_owned()),
        district_code: Set(district.to_owned()),
        kind: Set(kind.as_str().to_owned()),
        parent_id: Set(parent),
        status: Set(if supplementary {
            BatchStatus::Generated
        } else {
            BatchStatus::Draft
        }
        .as_str()
        .to_owned()),
        cursor: Set(None),
        people: Set(0),
        total_fen: Set(0),
        paid_fen: Set(0),
        failed: Set(0),
        excluded: Set(0),
        missing_accounts: Set(0),
        rule_version: Set(rule_version),
        generated_by: Set(maker.to_owned()),
        generated_at: Set(supplementary.then_some(ts)),
        submitted_by: Set(None),
        submitted_at: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        approved_by: Set(None),
        approved_at: Set(None),
        exported_by: Set(None),
        exported_at: Set(None),
        exports: Set(0),
        reconciled_at: Set(None),
        note: Set(String::new()),
        version: Set(1),
        created_at: Set(ts),
        updated_at: Set(ts),
    }
}

/// A change row.
pub(super) fn change_row(
    batch: Uuid,
    person: Uuid,
    kind: ChangeKind,
    code: &str,
    reason: String,
    previous: Option<i64>,
    amount: Option<i64>,
) -> subsidy_change::ActiveModel {
    subsidy_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        batch_id: Set(batch),
        person_id: Set(person),
        kind: Set(kind.as_str().to_owned()),
        reason_code: Set(code.to_owned()),
        reason: Set(reason.chars().take(500).collect()),
        previous_fen: Set(previous),
        amount_fen: Set(amount),
        created_at: Set(now()),
    }
}
