//! `SubsidyService`: subsidies for one caller. Types, accounts, generation, the workflow, bank
//! files and statistics extend it in their own files; this one holds who may see what.

use std::collections::HashMap;

use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{Batch, BatchStatus, Change, ChangeKind, Item, ItemStatus, PersonSubsidy, WHAT_BATCH};
use crate::Platform;
use crate::audit::{self, AuditEntry};
use crate::caller::Caller;
use crate::entities::{
    person, person_bank_account, subsidy_batch, subsidy_change, subsidy_item, subsidy_type,
};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::RegionCode;
use crate::viewer::{PersonScope, Role, ScopeKind, Viewer};

/// Subsidies for one caller.
pub struct SubsidyService<'a> {
    pub(super) p: &'a Platform,
    pub(super) caller: &'a Caller,
}

/// Most items a person's file lists.
pub const PERSON_ITEMS: u64 = 60;

impl<'a> SubsidyService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    pub(super) fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_type: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(self.p, self.caller, operation, object_type, object_id, body)
    }

    pub(super) async fn append<C: ConnectionTrait>(
        &self,
        conn: &C,
        operation: &'static str,
        object_type: &'static str,
        object_id: Uuid,
        detail: String,
    ) -> DomainResult<()> {
        audit::append(
            conn,
            self.p.audit_key(),
            &self.caller.actor(),
            AuditEntry {
                operation,
                object_type,
                object_id: object_id.to_string(),
                result: "SUCCESS".to_owned(),
                detail,
            },
        )
        .await
        .map(|_| ())
    }

    /// A region admin (not a partner client) and their scope.
    pub(super) fn staff(&self) -> DomainResult<(&Viewer, ScopeKind)> {
        let viewer = self.caller.region_admin("补贴发放仅限市、区、街镇管理员")?;
        Ok((viewer, PersonScope::of(viewer).kind().clone()))
    }

    /// A city or district admin acting on `district`'s batches (street-towns only look).
    pub(super) fn district_staff(&self, district: &str) -> DomainResult<&Viewer> {
        let (viewer, scope) = self.staff()?;
        if viewer.client.is_some() {
            return Err(DomainError::Forbidden("合作方不能办理补贴发放"));
        }
        match (viewer.role, scope) {
            (Role::CityAdmin, ScopeKind::City) => Ok(viewer),
            (Role::DistrictAdmin, ScopeKind::District(d)) if d.as_str() == district => Ok(viewer),
            (Role::DistrictAdmin, ScopeKind::District(_)) => {
                Err(DomainError::NotFound { what: WHAT_BATCH })
            }
            _ => Err(DomainError::Forbidden(
                "补贴批次由区残联经办、审核，市残联审批；街镇只能查看",
            )),
        }
    }

    /// Which batches the viewer sees: the city all, a district or street-town its district's.
    pub(super) fn batch_scope(&self) -> DomainResult<Condition> {
        let (_, scope) = self.staff()?;
        Ok(match scope {
            ScopeKind::City => Condition::all(),
            ScopeKind::District(d) => {
                Condition::all().add(subsidy_batch::Column::DistrictCode.eq(d.as_str()))
            }
            ScopeKind::Street(s) => Condition::all().add(
                subsidy_batch::Column::DistrictCode.eq(s
                    .district()
                    .map(|d| d.as_str().to_owned())
                    .unwrap_or_default()),
            ),
            _ => return Err(DomainError::Forbidden("补贴发放仅限市、区、街镇管理员")),
        })
    }

    /// Which items the viewer sees (a street-town only its own people's).
    pub(super) fn item_scope(&self) -> DomainResult<Condition> {
        let (_, scope) = self.staff()?;
        Ok(match scope {
            ScopeKind::City => Condition::all(),
            ScopeKind::District(d) => {
                Condition::all().add(subsidy_item::Column::DistrictCode.eq(d.as_str()))
            }
            ScopeKind::Street(s) => {
                Condition::all().add(subsidy_item::Column::StreetCode.eq(s.as_str()))
            }
            _ => return Err(DomainError::Forbidden("补贴发放仅限市、区、街镇管理员")),
        })
    }

    /// One batch row the viewer sees.
    pub(super) async fn batch_row<C: ConnectionTrait>(
        &self,
        conn: &C,
        id: Uuid,
    ) -> DomainResult<subsidy_batch::Model> {
        subsidy_batch::Entity::find_by_id(id)
            .filter(self.batch_scope()?)
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_BATCH })
    }

    /// Names of types.
    pub(super) async fn type_names<C: ConnectionTrait>(
        conn: &C,
    ) -> DomainResult<HashMap<Uuid, String>> {
        Ok(subsidy_type::Entity::find()
            .select_only()
            .column(subsidy_type::Column::Id)
            .column(subsidy_type::Column::Name)
            .into_tuple::<(Uuid, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect())
    }

    async fn present_batches(&self, rows: Vec<subsidy_batch::Model>) -> DomainResult<Vec<Batch>> {
        let names = Self::type_names(self.p.db.conn()).await?;
        Ok(rows
            .into_iter()
            .map(|row| Batch {
                type_name: names.get(&row.type_id).cloned().unwrap_or_default(),
                row,
            })
            .collect())
    }

    /// 发放批次 in the viewer's scope, newest first by id, optionally by type, period, state.
    pub async fn batches(
        &self,
        type_id: Option<Uuid>,
        period: Option<&str>,
        status: Option<BatchStatus>,
        page: &PageRequest,
    ) -> DomainResult<Page<Batch>> {
        let mut q = subsidy_batch::Entity::find().filter(self.batch_scope()?);
        if let Some(t) = type_id {
            q = q.filter(subsidy_batch::Column::TypeId.eq(t));
        }
        if let Some(p) = period {
            q = q.filter(subsidy_batch::Column::Period.eq(p.trim()));
        }
        if let Some(s) = status {
            q = q.filter(subsidy_batch::Column::Status.eq(s.as_str()));
        }
        let rows = page
            .apply(q, subsidy_batch::Column::Id)
            .all(self.p.db.conn())
            .await?;
        let page = page.finish(rows);
        let items = self.present_batches(page.items.clone()).await?;
        Ok(Page {
            items,
            has_previous: page.has_previous,
            has_next: page.has_next,
        })
    }

    /// One batch.
    pub async fn batch(&self, id: Uuid) -> DomainResult<Batch> {
        let row = self.batch_row(self.p.db.conn(), id).await?;
        self.present_batches(vec![row])
            .await?
            .pop()
            .ok_or(DomainError::NotFound { what: WHAT_BATCH })
    }

    /// The payments of a batch the viewer sees (a street-town only its own people).
    pub async fn items(
        &self,
        batch_id: Uuid,
        status: Option<ItemStatus>,
        page: &PageRequest,
    ) -> DomainResult<Page<Item>> {
        let conn = self.p.db.conn();
        let b = self.batch_row(conn, batch_id).await?;
        let mut q = subsidy_item::Entity::find()
            .filter(subsidy_item::Column::BatchId.eq(b.id))
            .filter(self.item_scope()?);
        if let Some(s) = status {
            q = q.filter(subsidy_item::Column::Status.eq(s.as_str()));
        }
        let rows = page.apply(q, subsidy_item::Column::Id).all(conn).await?;
        let page = page.finish(rows);
        let items = self.present_items(conn, page.items.clone()).await?;
        Ok(Page {
            items,
            has_previous: page.has_previous,
            has_next: page.has_next,
        })
    }

    pub(super) async fn present_items<C: ConnectionTrait>(
        &self,
        conn: &C,
        rows: Vec<subsidy_item::Model>,
    ) -> DomainResult<Vec<Item>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let names = Self::type_names(conn).await?;
        let people = names_of(conn, rows.iter().map(|r| r.person_id)).await?;
        let personal: HashMap<Uuid, String> = person_bank_account::Entity::find()
            .select_only()
            .column(person_bank_account::Column::Id)
            .column(person_bank_account::Column::Last4)
            .filter(person_bank_account::Column::Id.is_in(rows.iter().filter_map(|r| r.account_id)))
            .into_tuple::<(Uuid, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let custody: HashMap<Uuid, String> = crate::entities::custody_account::Entity::find()
            .select_only()
            .column(crate::entities::custody_account::Column::Id)
            .column(crate::entities::custody_account::Column::Last4)
            .filter(
                crate::entities::custody_account::Column::Id
                    .is_in(rows.iter().filter_map(|r| r.account_id)),
            )
            .into_tuple::<(Uuid, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        Ok(rows
            .into_iter()
            .map(|row| {
                let account_masked = row.account_id.and_then(|a| {
                    personal
                        .get(&a)
                        .or_else(|| custody.get(&a))
                        .map(|l4| masked_last4(l4))
                });
                Item {
                    person_name: people.get(&row.person_id).cloned().unwrap_or_default(),
                    type_name: names.get(&row.type_id).cloned().unwrap_or_default(),
                    account_masked,
                    row,
                }
            })
            .collect())
    }

    /// The batch's differences against the previous period and its exclusions.
    pub async fn changes(
        &self,
        batch_id: Uuid,
        kind: Option<ChangeKind>,
        page: &PageRequest,
    ) -> DomainResult<Page<Change>> {
        let conn = self.p.db.conn();
        let b = self.batch_row(conn, batch_id).await?;
        let mut q = subsidy_change::Entity::find().filter(subsidy_change::Column::BatchId.eq(b.id));
        if let Some(k) = kind {
            q = q.filter(subsidy_change::Column::Kind.eq(k.as_str()));
        }
        // A street-town sees only its own people's changes.
        if let (_, ScopeKind::Street(s)) = self.staff()? {
            let own = sea_orm::sea_query::Query::select()
                .column(person::Column::Id)
                .from(person::Entity)
                .and_where(person::Column::StreetCode.eq(s.as_str()))
                .to_owned();
            q = q.filter(subsidy_change::Column::PersonId.in_subquery(own));
        }
        let rows = page.apply(q, subsidy_change::Column::Id).all(conn).await?;
        let page = page.finish(rows);
        let people = names_of(conn, page.items.iter().map(|r| r.person_id)).await?;
        Ok(page.map(|row| Change {
            person_name: people.get(&row.person_id).cloned().unwrap_or_default(),
            row,
        }))
    }

    /// Subsidies of several persons already admitted by the caller's person scope (the file's
    /// loader), newest first, at most [`PERSON_ITEMS`] each: two statements for any number.
    pub async fn of_persons(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<PersonSubsidy>>> {
        let conn = self.p.db.conn();
        let rows = crate::db::find_each::<subsidy_item::Entity, _>(
            conn,
            subsidy_item::Column::PersonId,
            persons,
        )
        .await?;
        // The names are read whether or not there are payments: the file's statement count
        // does not depend on the data.
        let names = Self::type_names(conn).await?;
        let mut out: HashMap<Uuid, Vec<PersonSubsidy>> = HashMap::new();
        for row in rows {
            out.entry(row.person_id).or_default().push(PersonSubsidy {
                type_name: names.get(&row.type_id).cloned().unwrap_or_default(),
                row,
            });
        }
        for list in out.values_mut() {
            list.sort_by_key(|a| std::cmp::Reverse(a.row.id));
            list.truncate(usize::try_from(PERSON_ITEMS).unwrap_or(usize::MAX));
        }
        Ok(out)
    }

    /// The district a batch operation is for, parsed.
    pub(super) fn district(field: &str, raw: &str) -> DomainResult<RegionCode> {
        let code = RegionCode::parse(field, raw)?;
        if code.as_str().len() != 6 || code.as_str() == "310000" {
            return Err(DomainError::bad_input(
                field,
                "补贴批次按区生成，请填写 6 位区级代码",
            ));
        }
        Ok(code)
    }
}

/// Names of persons by id (one statement).
pub(super) async fn names_of<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for chunk in ids.chunks(1_000) {
        out.extend(
            person::Entity::find()
                .select_only()
                .column(person::Column::Id)
                .column(person::Column::Name)
                .filter(person::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple::<(Uuid, String)>()
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// A batch's state, checked.
pub(super) fn expect_status(b: &subsidy_batch::Model, allowed: &[BatchStatus]) -> DomainResult<()> {
    if allowed.iter().any(|s| s.as_str() == b.status) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(|s| status_zh(*s)).collect();
    Err(DomainError::Conflict(format!(
        "批次当前为“{}”，此操作只能在“{}”时进行",
        BatchStatus::parse("status", &b.status).map_or("未知", status_zh),
        names.join("”或“")
    )))
}

/// A state's name in Chinese.
pub fn status_zh(s: BatchStatus) -> &'static str {
    match s {
        BatchStatus::Draft => "生成中",
        BatchStatus::Generated => "已生成",
        BatchStatus::Submitted => "已提交",
        BatchStatus::Reviewed => "区已审核",
        BatchStatus::Approved => "市已审批",
        BatchStatus::Exported => "已导出",
        BatchStatus::Reconciled => "已对账",
    }
}

/// An account shown by its last four digits only (`**** 1234`).
pub fn masked_last4(last4: &str) -> String {
    format!("**** {last4}")
}
