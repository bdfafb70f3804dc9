//! `CustodyService`: custodianships, their accounts and spending, for one caller.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::alerts::{Ward, day_totals, last_balance, publish, raise, supervisor_phone};
use super::files::FileOwner;
use super::rules::RuleSet;
use super::{
    AccountInput, AccountKind, Custodianship, CustodianshipInput, CustodyAccount, CustodyFilter,
    CustodyStatus, MAX_SPENDING_PAGE, NUMBER_INDEX, Spending, SpendingInput, SpendingSource, WHAT,
    WHAT_ACCOUNT, bank_name,
};
use crate::Platform;
use crate::audit::{self, AuditEntry};
use crate::caller::Caller;
use crate::crypto::FieldAad;
use crate::entities::{account, custodianship, custody_account, person, spending_record};
use crate::error::{DomainError, DomainResult};
use crate::identity::AccountRepo;
use crate::page::{Page, PageRequest};
use crate::person::PersonRepo;
use crate::types::bank_account::{AccountNumber, AccountNumberKind, mask_account_number};
use crate::types::{BoundedText, Fen, PersonName, RegionCode};
use crate::viewer::{PersonScope, Role, ScopeKind, Viewer};

/// Custodianships, accounts and spending for one caller.
pub struct CustodyService<'a> {
    pub(super) p: &'a Platform,
    pub(super) caller: &'a Caller,
}

/// Who a row of `custodianships` is shown to: region admins in scope (by the ward's street-town),
/// the custodian, the supervisor and the ward themself.
fn visible(viewer: &Viewer) -> Condition {
    use custodianship::Column as C;
    match PersonScope::of(viewer).kind() {
        ScopeKind::City if viewer.role.is_region_admin() => Condition::all(),
        ScopeKind::District(d) if viewer.role.is_region_admin() => {
            Condition::all().add(C::WardStreetCode.starts_with(d.as_str()))
        }
        ScopeKind::Street(s) if viewer.role.is_region_admin() => Condition::any()
            .add(C::WardStreetCode.eq(s.as_str()))
            .add(C::SupervisorAccountId.eq(viewer.account_id)),
        _ => {
            let mut any = Condition::any()
                .add(C::CustodianAccountId.eq(viewer.account_id))
                .add(C::SupervisorAccountId.eq(viewer.account_id));
            if let Some(own) = viewer.person_id {
                any = any.add(C::WardPersonId.eq(own));
            }
            any
        }
    }
}

impl<'a> CustodyService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    pub(super) fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(
            self.p,
            self.caller,
            operation,
            "custodianship",
            object_id,
            body,
        )
    }

    pub(super) async fn append<C: ConnectionTrait>(
        &self,
        conn: &C,
        operation: &'static str,
        object_id: Uuid,
        detail: String,
    ) -> DomainResult<()> {
        audit::append(
            conn,
            self.p.audit_key(),
            &self.caller.actor(),
            AuditEntry {
                operation,
                object_type: "custodianship",
                object_id: object_id.to_string(),
                result: "SUCCESS".to_owned(),
                detail,
            },
        )
        .await
        .map(|_| ())
    }

    /// The street admin of the ward's street-town (who manages custodianships).
    pub(super) fn manager(&self) -> DomainResult<(&Viewer, RegionCode)> {
        let viewer = self.caller.viewer()?;
        match (viewer.role, PersonScope::of(viewer).kind()) {
            (Role::StreetAdmin, ScopeKind::Street(s)) => Ok((viewer, s.clone())),
            _ => Err(DomainError::Forbidden(
                "代管关系由被代管人所在街镇管理，区、市只能查看",
            )),
        }
    }

    /// One custodianship row the caller may see.
    pub(super) async fn row<C: ConnectionTrait>(
        &self,
        conn: &C,
        id: Uuid,
    ) -> DomainResult<custodianship::Model> {
        let viewer = self.caller.viewer()?;
        custodianship::Entity::find_by_id(id)
            .filter(visible(viewer))
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound { what: WHAT })
    }

    /// One custodianship the caller manages (the ward's street admin).
    pub(super) async fn managed<C: ConnectionTrait>(
        &self,
        conn: &C,
        id: Uuid,
    ) -> DomainResult<custodianship::Model> {
        let (_, street) = self.manager()?;
        let row = self.row(conn, id).await?;
        if row.ward_street_code != street.as_str() {
            return Err(DomainError::Forbidden("代管关系由被代管人所在街镇管理"));
        }
        Ok(row)
    }

    /// Rows as their viewer sees them: wards' names, accounts masked.
    async fn present(&self, rows: Vec<custodianship::Model>) -> DomainResult<Vec<Custodianship>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.p.db.conn();
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let wards: Vec<Uuid> = rows.iter().map(|r| r.ward_person_id).collect();
        let names: HashMap<Uuid, String> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::Name)
            .filter(person::Column::Id.is_in(wards))
            .into_tuple::<(Uuid, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let mut accounts: HashMap<Uuid, Vec<CustodyAccount>> = HashMap::new();
        for a in custody_account::Entity::find()
            .filter(custody_account::Column::CustodianshipId.is_in(ids))
            .order_by_asc(custody_account::Column::Id)
            .all(conn)
            .await?
        {
            let shown = self.account_view(&a)?;
            accounts.entry(a.custodianship_id).or_default().push(shown);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let name = names.get(&r.ward_person_id).cloned().unwrap_or_default();
                let acc = accounts.remove(&r.id).unwrap_or_default();
                Custodianship::from_row(r, name, acc)
            })
            .collect())
    }

    fn account_view(&self, a: &custody_account::Model) -> DomainResult<CustodyAccount> {
        let number = self.p.cipher.decrypt(
            FieldAad {
                table: "custody_accounts",
                column: "number",
                row: &a.id,
            },
            &a.number_enc,
        )?;
        Ok(CustodyAccount {
            id: a.id,
            custodianship_id: a.custodianship_id,
            kind: AccountKind::from_stored(&a.kind),
            bank_code: a.bank_code.clone(),
            number_masked: mask_account_number(&number),
            active: a.status == "ACTIVE",
            created_at: a.created_at,
        })
    }

    /// 代管关系列表, in the caller's view, oldest first.
    pub async fn custodianships(
        &self,
        filter: &CustodyFilter,
        page: &PageRequest,
    ) -> DomainResult<Page<Custodianship>> {
        let viewer = self.caller.viewer()?;
        if matches!(
            viewer.role,
            Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor | Role::Enterprise
        ) {
            return Err(DomainError::Forbidden("当前角色无权查看代管信息"));
        }
        let mut q = custodianship::Entity::find().filter(visible(viewer));
        if let Some(region) = &filter.region {
            let r = RegionCode::parse("filter.regionCode", region)?;
            q = q.filter(custodianship::Column::WardStreetCode.starts_with(r.as_str()));
        }
        if let Some(status) = filter.status {
            q = q.filter(custodianship::Column::Status.eq(status.as_str()));
        }
        if let Some(ward) = filter.ward_person_id {
            q = q.filter(custodianship::Column::WardPersonId.eq(ward));
        }
        let rows = page
            .apply(q, custodianship::Column::Id)
            .all(self.p.db.conn())
            .await?;
        let found = page.finish(rows);
        Ok(Page {
            items: self.present(found.items).await?,
            has_previous: found.has_previous,
            has_next: found.has_next,
        })
    }

    /// 一个代管关系.
    pub async fn custodianship(&self, id: Uuid) -> DomainResult<Custodianship> {
        let row = self.row(self.p.db.conn(), id).await?;
        Ok(self.present(vec![row]).await?.remove(0))
    }

    /// Custodianships of many wards the caller may see (the person file), newest first.
    pub async fn of_wards(
        &self,
        wards: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<Custodianship>>> {
        let viewer = self.caller.viewer()?;
        let rows = custodianship::Entity::find()
            .filter(custodianship::Column::WardPersonId.is_in(wards.iter().copied()))
            .filter(visible(viewer))
            .order_by_desc(custodianship::Column::Id)
            .all(self.p.db.conn())
            .await?;
        let mut out: HashMap<Uuid, Vec<Custodianship>> =
            wards.iter().map(|w| (*w, Vec::new())).collect();
        for c in self.present(rows).await? {
            out.entry(c.ward_person_id).or_default().push(c);
        }
        Ok(out)
    }

    /// An account by username, which must exist.
    async fn account_named(&self, field: &str, username: &str) -> DomainResult<account::Model> {
        AccountRepo::new(&self.p.db)
            .by_username(username.trim())
            .await?
            .ok_or_else(|| DomainError::bad_input(field, "该登录账号不存在"))
    }

    /// 保存代管关系 (the ward's street admin): a new one (the ward may have none in force), or
    /// an edit of the version read.
    pub async fn save(&self, input: CustodianshipInput) -> DomainResult<Custodianship> {
        self.audited(
            "custody.save",
            input.id.map(|i| i.to_string()).unwrap_or_default(),
            async {
                let (viewer, street) = self.manager()?;
                let name = PersonName::parse("input.custodianName", &input.custodian_name)?;
                let document = input
                    .basis_document
                    .as_deref()
                    .filter(|d| !d.trim().is_empty())
                    .map(|d| BoundedText::parse("input.basisDocument", d, 200))
                    .transpose()?
                    .map(BoundedText::into_string);
                if input.starts_on > Utc::now().date_naive() + chrono::Duration::days(366) {
                    return Err(DomainError::bad_input(
                        "input.startsOn",
                        "开始日期不能晚于一年以后",
                    ));
                }
                let custodian = self
                    .account_named("input.custodianUsername", &input.custodian_username)
                    .await?;
                if custodian.role != Role::Citizen.as_str() {
                    return Err(DomainError::bad_input(
                        "input.custodianUsername",
                        "代管人须为个人账号（亲属、监护人或机构经办人）",
                    ));
                }
                let supervisor = match input.supervisor_username.as_deref() {
                    None | Some("") => viewer.account_id,
                    Some(u) => {
                        let a = self.account_named("input.supervisorUsername", u).await?;
                        let ok = (a.role == Role::StreetAdmin.as_str()
                            && a.region_code.as_deref() == Some(street.as_str()))
                            || a.role == Role::Citizen.as_str();
                        if !ok {
                            return Err(DomainError::bad_input(
                                "input.supervisorUsername",
                                "监管人须为本街镇工作人员或指定的个人",
                            ));
                        }
                        a.id
                    }
                };
                if supervisor == custodian.id {
                    return Err(DomainError::bad_input(
                        "input.supervisorUsername",
                        "监管人不能是代管人本人",
                    ));
                }
                let ward = PersonRepo::new(&self.p.db)
                    .get(&PersonScope::of(viewer), input.ward_person_id)
                    .await?;
                if custodian.person_id == Some(ward.id()) {
                    return Err(DomainError::bad_input(
                        "input.custodianUsername",
                        "代管人不能是被代管人本人",
                    ));
                }
                let now = Utc::now();
                let w = self.p.db.begin_write().await?;
                let row = match input.id {
                    None => {
                        let in_force = custodianship::Entity::find()
                            .filter(custodianship::Column::WardPersonId.eq(ward.id()))
                            .filter(
                                custodianship::Column::Status.eq(CustodyStatus::Active.as_str()),
                            )
                            .one(&w.txn)
                            .await?;
                        if in_force.is_some() {
                            return Err(DomainError::Conflict(
                                "该残疾人已有生效中的代管关系，请先终止原关系".to_owned(),
                            ));
                        }
                        custodianship::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            ward_person_id: Set(ward.id()),
                            ward_district_code: Set(ward.district_code().to_owned()),
                            ward_street_code: Set(ward.street_code().to_owned()),
                            custodian_account_id: Set(custodian.id),
                            custodian_name: Set(name.as_str().to_owned()),
                            relation: Set(input.relation.as_str().to_owned()),
                            supervisor_account_id: Set(supervisor),
                            basis: Set(input.basis.as_str().to_owned()),
                            basis_document: Set(document),
                            starts_on: Set(input.starts_on),
                            ends_on: Set(None),
                            status: Set(CustodyStatus::Active.as_str().to_owned()),
                            end_reason: Set(None),
                            version: Set(1),
                            created_by: Set(viewer.username.chars().take(64).collect()),
                            created_at: Set(now),
                            updated_at: Set(now),
                        }
                        .insert(&w.txn)
                        .await?
                    }
                    Some(id) => {
                        let version = input.version.ok_or_else(|| {
                            DomainError::bad_input("input.version", "修改须提交读取时的版本")
                        })?;
                        let current = self.managed(&w.txn, id).await?;
                        if current.ward_person_id != ward.id() {
                            return Err(DomainError::bad_input(
                                "input.wardPersonId",
                                "不能更换被代管人，请终止后新建",
                            ));
                        }
                        if current.status != CustodyStatus::Active.as_str() {
                            return Err(DomainError::Conflict(
                                "代管关系已终止，不能修改".to_owned(),
                            ));
                        }
                        let done = custodianship::Entity::update_many()
                            .col_expr(
                                custodianship::Column::CustodianAccountId,
                                Expr::value(custodian.id),
                            )
                            .col_expr(
                                custodianship::Column::CustodianName,
                                Expr::value(name.as_str()),
                            )
                            .col_expr(
                                custodianship::Column::Relation,
                                Expr::value(input.relation.as_str()),
                            )
                            .col_expr(
                                custodianship::Column::SupervisorAccountId,
                                Expr::value(supervisor),
                            )
                            .col_expr(
                                custodianship::Column::Basis,
                                Expr::value(input.basis.as_str()),
                            )
                            .col_expr(custodianship::Column::BasisDocument, Expr::value(document))
                            .col_expr(
                                custodianship::Column::StartsOn,
                                Expr::value(input.starts_on),
                            )
                            .col_expr(custodianship::Column::Version, Expr::value(version + 1))
                            .col_expr(custodianship::Column::UpdatedAt, Expr::value(now))
                            .filter(custodianship::Column::Id.eq(id))
                            .filter(custodianship::Column::Version.eq(version))
                            .exec(&w.txn)
                            .await?
                            .rows_affected;
                        if done != 1 {
                            return Err(DomainError::Conflict(format!(
                                "代管关系已被他人修改（当前版本{}），请刷新后重试",
                                current.version
                            )));
                        }
                        custodianship::Entity::find_by_id(id)
                            .one(&w.txn)
                            .await?
                            .ok_or(DomainError::NotFound { what: WHAT })?
                    }
                };
                self.append(
                    &w.txn,
                    if input.id.is_some() {
                        "custody.update"
                    } else {
                        "custody.create"
                    },
                    row.id,
                    format!(
                        "version={} relation={} basis={}",
                        row.version, row.relation, row.basis
                    ),
                )
                .await?;
                w.commit().await?;
                Ok(self.present(vec![row]).await?.remove(0))
            },
        )
        .await
    }

    /// 终止代管关系 (the ward's street admin): kept with its history; its accounts close.
    pub async fn end(
        &self,
        id: Uuid,
        version: i32,
        ends_on: NaiveDate,
        reason: &str,
    ) -> DomainResult<Custodianship> {
        self.audited("custody.end", id.to_string(), async {
            let reason = BoundedText::parse("reason", reason, 500)?.into_string();
            let w = self.p.db.begin_write().await?;
            let current = self.managed(&w.txn, id).await?;
            if current.status != CustodyStatus::Active.as_str() {
                return Err(DomainError::Conflict("代管关系已终止".to_owned()));
            }
            if ends_on < current.starts_on {
                return Err(DomainError::bad_input("endsOn", "终止日期不能早于开始日期"));
            }
            let now = Utc::now();
            let done = custodianship::Entity::update_many()
                .col_expr(
                    custodianship::Column::Status,
                    Expr::value(CustodyStatus::Ended.as_str()),
                )
                .col_expr(custodianship::Column::EndsOn, Expr::value(Some(ends_on)))
                .col_expr(custodianship::Column::EndReason, Expr::value(Some(reason)))
                .col_expr(custodianship::Column::Version, Expr::value(version + 1))
                .col_expr(custodianship::Column::UpdatedAt, Expr::value(now))
                .filter(custodianship::Column::Id.eq(id))
                .filter(custodianship::Column::Version.eq(version))
                .exec(&w.txn)
                .await?
                .rows_affected;
            if done != 1 {
                return Err(DomainError::Conflict(format!(
                    "代管关系已被他人修改（当前版本{}），请刷新后重试",
                    current.version
                )));
            }
            custody_account::Entity::update_many()
                .col_expr(custody_account::Column::Status, Expr::value("CLOSED"))
                .col_expr(custody_account::Column::ClosedAt, Expr::value(Some(now)))
                .filter(custody_account::Column::CustodianshipId.eq(id))
                .filter(custody_account::Column::Status.eq("ACTIVE"))
                .exec(&w.txn)
                .await?;
            self.append(&w.txn, "custody.end", id, format!("ends_on={ends_on}"))
                .await?;
            w.commit().await?;
            self.custodianship(id).await
        })
        .await
    }

    /// 登记代管账户 (the ward's street admin): a Luhn-valid card or a passbook of a known bank;
    /// no number is held for two wards.
    pub async fn add_account(&self, input: AccountInput) -> DomainResult<CustodyAccount> {
        self.audited(
            "custody.account.add",
            input.custodianship_id.to_string(),
            async {
                let (viewer, _) = self.manager()?;
                if bank_name(&input.bank_code).is_none() {
                    return Err(DomainError::bad_input(
                        "input.bankCode",
                        "不支持的开户行代码",
                    ));
                }
                let kind = match input.kind {
                    AccountKind::Card => AccountNumberKind::Card,
                    AccountKind::Passbook => AccountNumberKind::Passbook,
                };
                let number = AccountNumber::parse("input.number", kind, &input.number)?;
                let bidx = self.p.cipher.blind_index(NUMBER_INDEX, number.as_str());
                let w = self.p.db.begin_write().await?;
                let c = self.managed(&w.txn, input.custodianship_id).await?;
                if c.status != CustodyStatus::Active.as_str() {
                    return Err(DomainError::Conflict(
                        "代管关系已终止，不能登记账户".to_owned(),
                    ));
                }
                let held = custody_account::Entity::find()
                    .filter(custody_account::Column::NumberBidx.eq(bidx.clone()))
                    .one(&w.txn)
                    .await?;
                if held.is_some() {
                    return Err(DomainError::Conflict(
                        "该账号已登记在其他代管关系下，同一账号不能重复登记".to_owned(),
                    ));
                }
                let id = Uuid::now_v7();
                let enc = self.p.cipher.encrypt(
                    FieldAad {
                        table: "custody_accounts",
                        column: "number",
                        row: &id,
                    },
                    number.as_str(),
                )?;
                let row = custody_account::ActiveModel {
                    id: Set(id),
                    custodianship_id: Set(c.id),
                    ward_person_id: Set(c.ward_person_id),
                    kind: Set(input.kind.as_str().to_owned()),
                    bank_code: Set(input.bank_code.clone()),
                    number_enc: Set(enc),
                    number_bidx: Set(bidx),
                    last4: Set(number.last4().to_owned()),
                    status: Set("ACTIVE".to_owned()),
                    created_by: Set(viewer.username.chars().take(64).collect()),
                    created_at: Set(Utc::now()),
                    closed_at: Set(None),
                }
                .insert(&w.txn)
                .await?;
                self.append(
                    &w.txn,
                    "custody.account.add",
                    c.id,
                    format!(
                        "account={} kind={} bank={}",
                        row.id, row.kind, row.bank_code
                    ),
                )
                .await?;
                w.commit().await?;
                self.account_view(&row)
            },
        )
        .await
    }

    /// 查看完整账号 (the custodianship's supervisor only; never a partner client): audited before
    /// the number is returned.
    pub async fn reveal_account_number(&self, account_id: Uuid) -> DomainResult<String> {
        self.audited("custody.account.reveal", account_id.to_string(), async {
            let viewer = self.caller.viewer()?;
            let a = custody_account::Entity::find_by_id(account_id)
                .one(self.p.db.conn())
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_ACCOUNT })?;
            let c = self
                .row(self.p.db.conn(), a.custodianship_id)
                .await
                .map_err(|_| DomainError::NotFound { what: WHAT_ACCOUNT })?;
            if c.supervisor_account_id != viewer.account_id || viewer.client.is_some() {
                return Err(DomainError::Forbidden(
                    "只有该代管关系的监管人可以查看完整账号",
                ));
            }
            let number = self.p.cipher.decrypt(
                FieldAad {
                    table: "custody_accounts",
                    column: "number",
                    row: &a.id,
                },
                &a.number_enc,
            )?;
            let w = self.p.db.begin_write().await?;
            self.append(
                &w.txn,
                "custody.account.reveal",
                c.id,
                format!("account={}", a.id),
            )
            .await?;
            w.commit().await?;
            Ok(number)
        })
        .await
    }

    /// 录入支出 (the custodian, on an account of a custodianship in force): in fen, not in the
    /// future, not before the custodianship began.
    pub async fn record_spending(&self, input: SpendingInput) -> DomainResult<Spending> {
        self.audited(
            "custody.spending.record",
            input.account_id.to_string(),
            async {
                let viewer = self.caller.viewer()?;
                let amount = Fen::parse_yuan("input.amount", &input.amount)?;
                let merchant =
                    BoundedText::parse("input.merchant", &input.merchant, 100)?.into_string();
                let note = if input.note.trim().is_empty() {
                    String::new()
                } else {
                    BoundedText::parse("input.note", &input.note, 500)?.into_string()
                };
                // Today in Shanghai (UTC+8, no daylight saving).
                let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
                if input.spent_on > today {
                    return Err(DomainError::bad_input(
                        "input.spentOn",
                        "支出日期不能晚于今天",
                    ));
                }
                let a = custody_account::Entity::find_by_id(input.account_id)
                    .one(self.p.db.conn())
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_ACCOUNT })?;
                let c = self
                    .row(self.p.db.conn(), a.custodianship_id)
                    .await
                    .map_err(|_| DomainError::NotFound { what: WHAT_ACCOUNT })?;
                if c.custodian_account_id != viewer.account_id {
                    return Err(DomainError::Forbidden("只有代管人本人可以录入支出"));
                }
                if c.status != CustodyStatus::Active.as_str() || a.status != "ACTIVE" {
                    return Err(DomainError::Conflict(
                        "代管关系已终止或账户已关闭".to_owned(),
                    ));
                }
                if input.spent_on < c.starts_on {
                    return Err(DomainError::bad_input(
                        "input.spentOn",
                        "支出日期早于代管关系开始日期",
                    ));
                }
                let receipt = input
                    .receipt
                    .as_ref()
                    .map(|(name, bytes)| self.checked_file(name, bytes))
                    .transpose()?;
                let mut rules = RuleSet::load(&self.p.db).await?;
                let w = self.p.db.begin_write().await?;
                let balance_before = last_balance(&w.txn, a.id).await?;
                let row = spending_record::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    account_id: Set(a.id),
                    custodianship_id: Set(c.id),
                    ward_person_id: Set(c.ward_person_id),
                    street_code: Set(c.ward_street_code.clone()),
                    amount_fen: Set(amount.fen()),
                    category: Set(input.category.as_str().to_owned()),
                    merchant: Set(merchant),
                    spent_on: Set(input.spent_on),
                    note: Set(note),
                    source: Set(SpendingSource::Entered.as_str().to_owned()),
                    bank_txn_id: Set(None),
                    entered_by: Set(viewer.username.chars().take(64).collect()),
                    created_at: Set(Utc::now()),
                    import_id: Set(None),
                    spent_hour: Set(None),
                    balance_fen: Set(None),
                }
                .insert(&w.txn)
                .await?;
                if let (Some((name, content_type)), Some((_, bytes))) =
                    (receipt, input.receipt.as_ref())
                {
                    self.store_file(
                        &w.txn,
                        FileOwner::Spending,
                        row.id,
                        c.id,
                        name,
                        content_type,
                        bytes,
                    )
                    .await?;
                }
                self.append(
                    &w.txn,
                    "custody.spending.record",
                    c.id,
                    format!(
                        "record={} fen={} category={}",
                        row.id, row.amount_fen, row.category
                    ),
                )
                .await?;
                // The rules, over this record and its day on the account (it included).
                let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
                let ward = Ward::load(&w.txn, self.p, c.ward_person_id, today).await?;
                let (day_total, day_count) = day_totals(&w.txn, a.id, &[row.spent_on])
                    .await?
                    .get(&row.spent_on)
                    .copied()
                    .unwrap_or((row.amount_fen, 1));
                let balance = balance_before.map(|b| (b - row.amount_fen).max(0));
                let hits = rules.evaluate(&ward.facts(&row, day_total, day_count, balance));
                let raised = if hits.is_empty() {
                    Vec::new()
                } else {
                    let phone = supervisor_phone(&w.txn, self.p, c.supervisor_account_id).await?;
                    raise(
                        &w.txn,
                        self.p,
                        &c,
                        &ward,
                        phone.as_ref(),
                        vec![(&row, hits)],
                    )
                    .await?
                };
                w.commit().await?;
                publish(self.p, raised);
                Ok(row.into())
            },
        )
        .await
    }

    /// 支出记录 of a custodianship the caller may see, from `from` to `to` (inclusive), newest
    /// first, at most [`MAX_SPENDING_PAGE`].
    pub async fn spending(
        &self,
        custodianship_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> DomainResult<Vec<Spending>> {
        let c = self.row(self.p.db.conn(), custodianship_id).await?;
        let mut q = spending_record::Entity::find()
            .filter(spending_record::Column::CustodianshipId.eq(c.id));
        if let Some(f) = from {
            q = q.filter(spending_record::Column::SpentOn.gte(f));
        }
        if let Some(t) = to {
            q = q.filter(spending_record::Column::SpentOn.lte(t));
        }
        Ok(q.order_by_desc(spending_record::Column::SpentOn)
            .order_by_desc(spending_record::Column::Id)
            .limit(MAX_SPENDING_PAGE)
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
