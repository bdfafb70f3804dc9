//! 用人单位: registered by the enterprise itself (with its own `ENTERPRISE` account) or by staff,
//! verified by its district (`PENDING → VERIFIED ⇄ SUSPENDED`), with its proportional-employment
//! figures: employees, disabled employees, and the places the ratio requires (levels 1–2 count
//! twice, as Shanghai's 按比例安置 rules count them).

use chrono::Utc;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::service::{Party, covers_district, manages_district};
use super::{EmploymentConfig, EnterpriseSize, EnterpriseStatus, WHAT_ENTERPRISE};
use crate::audit::{self, Actor, AuditEntry};
use crate::crypto::FieldAad;
use crate::entities::{account, enterprise};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::{BoundedText, CreditCode, IndustrySection, Phone, RegionLevel};
use crate::viewer::{RequestMeta, Role, ScopeKind};
use crate::{Platform, employment::EmploymentService};

/// Largest headcount an enterprise may state.
pub const MAX_HEADCOUNT: i32 = 1_000_000;

/// An enterprise as read, with its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise {
    /// Row.
    pub row: enterprise::Model,
    /// Places the ratio requires, in hundredths of a person (e.g. 150 = 1.5 people).
    pub required_centi: i64,
    /// Places counted (levels 1–2 twice), in hundredths.
    pub counted_centi: i64,
    /// Contact phone, for the enterprise itself and the staff who manage it.
    pub contact_phone: Option<String>,
    /// Whether the viewer is the enterprise itself or staff over it (figures, notes, contact);
    /// the public sees name, district, industry and size only.
    pub full: bool,
}

impl Enterprise {
    /// Status.
    pub fn status(&self) -> EnterpriseStatus {
        EnterpriseStatus::from_stored(&self.row.status)
    }
    /// How many places short of the ratio, in hundredths of a person (0 when met).
    pub fn gap_centi(&self) -> i64 {
        (self.required_centi - self.counted_centi).max(0)
    }
}

/// The places `headcount` employees require at `ratio_bp` basis points, in hundredths of a
/// person: 200 employees at 1.5 % require 3.00 places (300).
pub fn required_places(headcount: i32, ratio_bp: u32) -> i64 {
    i64::from(headcount) * i64::from(ratio_bp) / 100
}

/// What an enterprise states about itself (registration and edits).
#[derive(Debug, Clone, Default)]
pub struct EnterpriseInput {
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// District (6 digits).
    pub district_code: String,
    /// GB/T 4754 section letter.
    pub industry: String,
    /// Size.
    pub size: EnterpriseSize,
    /// Address.
    pub address: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone.
    pub contact_phone: String,
    /// Employees.
    pub headcount: i32,
    /// Disabled employees.
    pub disabled_employees: i32,
    /// Of them, levels 1–2.
    pub severe_employees: i32,
}

/// A self-registration: the enterprise and its account.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseRegistration {
    /// Sign-in name of the enterprise's account.
    pub username: String,
    /// Its password.
    pub password: String,
    /// The enterprise.
    pub enterprise: EnterpriseInput,
}

/// An input checked.
pub(super) struct Checked {
    credit_code: CreditCode,
    name: String,
    district: String,
    industry: IndustrySection,
    address: String,
    contact_name: String,
    phone: Phone,
}

impl EnterpriseInput {
    pub(super) fn check(&self, p: &Platform) -> DomainResult<Checked> {
        let credit_code = CreditCode::parse("input.creditCode", &self.credit_code)?;
        let name = BoundedText::parse("input.name", &self.name, 200)?.into_string();
        let district = p
            .regions
            .parse_existing(
                "input.districtCode",
                &self.district_code,
                RegionLevel::District,
            )?
            .as_str()
            .to_owned();
        let industry = IndustrySection::parse("input.industry", &self.industry)?;
        let address = if self.address.trim().is_empty() {
            String::new()
        } else {
            BoundedText::parse("input.address", &self.address, 200)?.into_string()
        };
        let contact_name =
            BoundedText::parse("input.contactName", &self.contact_name, 50)?.into_string();
        let phone = Phone::parse("input.contactPhone", &self.contact_phone)?;
        if !(1..=MAX_HEADCOUNT).contains(&self.headcount) {
            return Err(DomainError::bad_input(
                "input.headcount",
                format!("职工人数应为 1–{MAX_HEADCOUNT}"),
            ));
        }
        if self.disabled_employees < 0 || self.disabled_employees > self.headcount {
            return Err(DomainError::bad_input(
                "input.disabledEmployees",
                "残疾职工人数应在 0 与职工人数之间",
            ));
        }
        if self.severe_employees < 0 || self.severe_employees > self.disabled_employees {
            return Err(DomainError::bad_input(
                "input.severeEmployees",
                "一、二级残疾职工人数应在 0 与残疾职工人数之间",
            ));
        }
        Ok(Checked {
            credit_code,
            name,
            district,
            industry,
            address,
            contact_name,
            phone,
        })
    }
}

fn aad(id: &Uuid) -> FieldAad<'_> {
    FieldAad {
        table: "enterprises",
        column: "contact_phone",
        row: id,
    }
}

/// A new enterprise row from a checked input.
fn new_row(
    p: &Platform,
    input: &EnterpriseInput,
    c: Checked,
    account_id: Option<Uuid>,
    registered_by: &str,
) -> DomainResult<enterprise::Model> {
    let id = Uuid::now_v7();
    let now = Utc::now();
    Ok(enterprise::Model {
        id,
        credit_code: c.credit_code.as_str().to_owned(),
        name: c.name,
        district_code: c.district,
        industry: c.industry.as_str().to_owned(),
        size: input.size.as_str().to_owned(),
        address: c.address,
        contact_name: c.contact_name,
        contact_phone_enc: p.cipher.encrypt(aad(&id), c.phone.as_str())?,
        headcount: input.headcount,
        disabled_employees: input.disabled_employees,
        severe_employees: input.severe_employees,
        status: EnterpriseStatus::Pending.as_str().to_owned(),
        status_note: String::new(),
        account_id,
        registered_by: registered_by.chars().take(64).collect(),
        verified_by: None,
        verified_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

async fn credit_code_free<C: sea_orm::ConnectionTrait>(
    conn: &C,
    code: &CreditCode,
    except: Option<Uuid>,
) -> DomainResult<()> {
    let existing = enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(code.as_str()))
        .one(conn)
        .await?;
    if existing.is_some_and(|e| Some(e.id) != except) {
        return Err(DomainError::Conflict("该统一社会信用代码已登记".to_owned()));
    }
    Ok(())
}

/// Self-registration: the enterprise (`PENDING`) and its `ENTERPRISE` account, one transaction.
pub async fn register(
    p: &Platform,
    reg: EnterpriseRegistration,
    meta: &RequestMeta,
) -> DomainResult<enterprise::Model> {
    let username = reg.username.trim().to_owned();
    if username.len() < 3
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(DomainError::bad_input(
            "input.username",
            "用户名应为3–64位字母、数字或下划线",
        ));
    }
    crate::volunteer::check_password("input.password", &reg.password)?;
    let checked = reg.enterprise.check(p)?;
    let hasher = p.hasher;
    let password = reg.password.clone();
    let hash = tokio::task::spawn_blocking(move || hasher.hash(&password))
        .await
        .map_err(DomainError::internal)??;
    let now = Utc::now();
    let account_id = Uuid::now_v7();
    let w = p.db.begin_write().await?;
    if account::Entity::find()
        .filter(account::Column::Username.eq(&username))
        .one(&w.txn)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict("用户名已被使用".to_owned()));
    }
    credit_code_free(&w.txn, &checked.credit_code, None).await?;
    let display: String = checked.name.chars().take(64).collect();
    account::ActiveModel::from(crate::identity::self_registered(
        account_id,
        username.clone(),
        display,
        hash,
        Role::Enterprise,
        now,
    ))
    .insert(&w.txn)
    .await?;
    let row = new_row(p, &reg.enterprise, checked, Some(account_id), &username)?;
    let saved = enterprise::ActiveModel::from(row).insert(&w.txn).await?;
    audit::append(
        &w.txn,
        p.audit_key(),
        &Actor::anonymous(&username, meta),
        AuditEntry {
            operation: "employment.enterprise.register",
            object_type: "enterprise",
            object_id: saved.id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!("district={}", saved.district_code),
        },
    )
    .await?;
    w.commit().await?;
    Ok(saved)
}

code_enum! {
    /// 单位审核动作
    VerifyAction {
        /// 审核通过
        #[default]
        Verify = "VERIFY",
        /// 暂停
        Suspend = "SUSPEND",
        /// 恢复
        Reinstate = "REINSTATE",
    }
}

/// The status a verification step leads to.
pub fn verify_transition(
    from: EnterpriseStatus,
    action: VerifyAction,
) -> DomainResult<EnterpriseStatus> {
    use EnterpriseStatus as S;
    match (from, action) {
        (S::Pending, VerifyAction::Verify) | (S::Suspended, VerifyAction::Reinstate) => {
            Ok(S::Verified)
        }
        (S::Verified | S::Pending, VerifyAction::Suspend) => Ok(S::Suspended),
        _ => Err(DomainError::Conflict(format!(
            "单位当前为“{}”，不能{}",
            match from {
                S::Pending => "待审核",
                S::Verified => "已审核",
                S::Suspended => "已暂停",
            },
            match action {
                VerifyAction::Verify => "审核通过",
                VerifyAction::Suspend => "暂停",
                VerifyAction::Reinstate => "恢复",
            }
        ))),
    }
}

impl EmploymentService<'_> {
    pub(super) fn config(&self) -> EmploymentConfig {
        self.p.employment
    }

    /// An enterprise as shown to a viewer who may see it.
    pub(super) fn present(&self, row: enterprise::Model, contact: bool) -> Enterprise {
        let ratio = self.config().ratio_bp;
        let required_centi = required_places(row.headcount, ratio);
        let counted_centi = i64::from(row.disabled_employees + row.severe_employees) * 100;
        let contact_phone = contact
            .then(|| {
                self.p
                    .cipher
                    .decrypt(aad(&row.id), &row.contact_phone_enc)
                    .ok()
            })
            .flatten();
        Enterprise {
            row,
            required_centi,
            counted_centi,
            contact_phone,
            full: contact,
        }
    }

    /// Which enterprises the viewer sees in lists, and whether they see contacts.
    async fn visible(&self) -> DomainResult<(Condition, bool)> {
        use enterprise::Column as C;
        Ok(match self.party().await? {
            Party::Enterprise(e) => (Condition::all().add(C::Id.eq(e.id)), true),
            Party::Staff(ScopeKind::City) => (Condition::all(), true),
            Party::Staff(ScopeKind::District(d)) => {
                (Condition::all().add(C::DistrictCode.eq(d.as_str())), true)
            }
            Party::Staff(ScopeKind::Street(s)) => (
                Condition::all().add(C::DistrictCode.eq(&s.as_str()[..6])),
                true,
            ),
            Party::Staff(_) => (Condition::all().add(C::Id.is_null()), false),
            // Citizens see verified enterprises (who offers the jobs), not their contacts.
            Party::Person(_) => (
                Condition::all().add(C::Status.eq(EnterpriseStatus::Verified.as_str())),
                false,
            ),
        })
    }

    /// 用人单位列表 in the viewer's scope, optionally of one status and district.
    pub async fn enterprises(
        &self,
        status: Option<EnterpriseStatus>,
        district: Option<&str>,
        page: &PageRequest,
    ) -> DomainResult<Page<Enterprise>> {
        let (cond, contact) = self.visible().await?;
        let mut q = enterprise::Entity::find().filter(cond);
        if let Some(s) = status {
            q = q.filter(enterprise::Column::Status.eq(s.as_str()));
        }
        if let Some(d) = district {
            let d = crate::types::RegionCode::parse("districtCode", d)?;
            q = q.filter(enterprise::Column::DistrictCode.eq(d.as_str()));
        }
        let rows = page
            .apply(q, enterprise::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(page.finish(rows).map(|r| self.present(r, contact)))
    }

    /// One enterprise the viewer sees.
    pub async fn enterprise(&self, id: Uuid) -> DomainResult<Enterprise> {
        let (cond, contact) = self.visible().await?;
        let row = enterprise::Entity::find_by_id(id)
            .filter(cond)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound {
                what: WHAT_ENTERPRISE,
            })?;
        Ok(self.present(row, contact))
    }

    /// The enterprise of an `ENTERPRISE` account (`myEnterprise`).
    pub async fn my_enterprise(&self) -> DomainResult<Enterprise> {
        let viewer = self.viewer()?;
        if viewer.role != Role::Enterprise {
            return Err(DomainError::Forbidden("仅用人单位账户可用"));
        }
        let row = self.own_enterprise(self.p.db.conn(), viewer).await?;
        Ok(self.present(row, true))
    }

    /// Enterprises by id, as public facts (name, district, industry) for job listings.
    pub async fn enterprises_by_id(
        &self,
        ids: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Enterprise>> {
        if ids.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        Ok(enterprise::Entity::find()
            .filter(enterprise::Column::Id.is_in(ids.iter().copied()))
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(|r| (r.id, self.present(r, false)))
            .collect())
    }

    /// 登记用人单位: by the enterprise itself when nobody is signed in (with its account), or
    /// by staff of its district (without one).
    pub async fn register_enterprise(
        &self,
        reg: EnterpriseRegistration,
    ) -> DomainResult<Enterprise> {
        if self.caller.session_viewer().is_ok() {
            return self.register_by_staff(reg.enterprise).await;
        }
        let meta = self.caller.meta().clone();
        let row = self
            .audited(
                "employment.enterprise.register",
                "enterprise",
                String::new(),
                async { register(self.p, reg, &meta).await },
            )
            .await?;
        Ok(self.present(row, true))
    }

    /// 登记用人单位 by staff of the enterprise's district (or the city): `PENDING` like a
    /// self-registration, without an account.
    pub async fn register_by_staff(&self, input: EnterpriseInput) -> DomainResult<Enterprise> {
        self.audited(
            "employment.enterprise.register",
            "enterprise",
            String::new(),
            async {
                let (viewer, scope) = self.staff()?;
                let checked = input.check(self.p)?;
                if !manages_district(&scope, &checked.district) {
                    return Err(DomainError::Forbidden("只能登记本区的用人单位"));
                }
                let w = self.p.db.begin_write().await?;
                credit_code_free(&w.txn, &checked.credit_code, None).await?;
                let row = new_row(self.p, &input, checked, None, &viewer.username)?;
                let saved = enterprise::ActiveModel::from(row).insert(&w.txn).await?;
                self.append(
                    &w.txn,
                    "employment.enterprise.register",
                    "enterprise",
                    saved.id,
                    format!("district={}", saved.district_code),
                )
                .await?;
                w.commit().await?;
                Ok(self.present(saved, true))
            },
        )
        .await
    }

    /// Bring the search index up to date with every job of an enterprise.
    async fn reindex_jobs_of(&self, e: &enterprise::Model) -> DomainResult<()> {
        for j in crate::entities::job::Entity::find()
            .filter(crate::entities::job::Column::EnterpriseId.eq(e.id))
            .all(self.p.db.conn())
            .await?
        {
            self.reindex_job(&j, e)?;
        }
        Ok(())
    }

    /// 修改单位信息 (the enterprise itself, or staff who manage its district), with the
    /// version read. A change of name or credit code sends a verified enterprise back to
    /// `PENDING`; figures alone do not.
    pub async fn update_enterprise(
        &self,
        id: Uuid,
        version: i32,
        input: EnterpriseInput,
    ) -> DomainResult<Enterprise> {
        self.audited(
            "employment.enterprise.update",
            "enterprise",
            id.to_string(),
            async {
                let party = self.party().await?;
                let checked = input.check(self.p)?;
                let w = self.p.db.begin_write().await?;
                let cur = enterprise::Entity::find_by_id(id)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound {
                        what: WHAT_ENTERPRISE,
                    })?;
                let allowed = match &party {
                    Party::Enterprise(e) => e.id == cur.id && checked.district == cur.district_code,
                    Party::Staff(scope) => {
                        manages_district(scope, &cur.district_code)
                            && manages_district(scope, &checked.district)
                    }
                    Party::Person(_) => false,
                };
                if !allowed {
                    return Err(DomainError::NotFound {
                        what: WHAT_ENTERPRISE,
                    });
                }
                if cur.version != version {
                    return Err(DomainError::Conflict(
                        "单位信息已被他人更新，请刷新后重试".to_owned(),
                    ));
                }
                super::service::claim::<enterprise::Entity, _>(
                    &w.txn,
                    enterprise::Column::Id,
                    cur.id,
                    enterprise::Column::Version,
                    version,
                    "单位信息已被他人更新，请刷新后重试",
                )
                .await?;
                credit_code_free(&w.txn, &checked.credit_code, Some(cur.id)).await?;
                let identity_changed =
                    checked.credit_code.as_str() != cur.credit_code || checked.name != cur.name;
                let mut m: enterprise::ActiveModel = cur.clone().into();
                m.credit_code = Set(checked.credit_code.as_str().to_owned());
                m.name = Set(checked.name);
                m.district_code = Set(checked.district);
                m.industry = Set(checked.industry.as_str().to_owned());
                m.size = Set(input.size.as_str().to_owned());
                m.address = Set(checked.address);
                m.contact_name = Set(checked.contact_name);
                m.contact_phone_enc = Set(self
                    .p
                    .cipher
                    .encrypt(aad(&cur.id), checked.phone.as_str())?);
                m.headcount = Set(input.headcount);
                m.disabled_employees = Set(input.disabled_employees);
                m.severe_employees = Set(input.severe_employees);
                if identity_changed && cur.status == EnterpriseStatus::Verified.as_str() {
                    m.status = Set(EnterpriseStatus::Pending.as_str().to_owned());
                    m.status_note = Set("名称或信用代码变更，待重新审核".to_owned());
                }
                m.version = Set(cur.version + 1);
                m.updated_at = Set(Utc::now());
                let saved = m.update(&w.txn).await?;
                self.append(
                    &w.txn,
                    "employment.enterprise.update",
                    "enterprise",
                    saved.id,
                    format!(
                        "headcount={} disabled={} severe={}",
                        saved.headcount, saved.disabled_employees, saved.severe_employees
                    ),
                )
                .await?;
                w.commit().await?;
                // A renamed enterprise is found under its new name, and not at all while its
                // district checks it again.
                self.reindex_jobs_of(&saved).await?;
                Ok(self.present(saved, true))
            },
        )
        .await
    }

    /// 审核用人单位 (district of the enterprise, or the city): verify, suspend (with a note)
    /// or reinstate, with the version read.
    pub async fn verify_enterprise(
        &self,
        id: Uuid,
        version: i32,
        action: VerifyAction,
        note: &str,
    ) -> DomainResult<Enterprise> {
        self.audited(
            "employment.enterprise.verify",
            "enterprise",
            id.to_string(),
            async {
                let (viewer, scope) = self.staff()?;
                let note = if note.trim().is_empty() {
                    String::new()
                } else {
                    BoundedText::parse("note", note, 500)?.into_string()
                };
                if action == VerifyAction::Suspend && note.is_empty() {
                    return Err(DomainError::bad_input("note", "暂停须填写原因"));
                }
                let w = self.p.db.begin_write().await?;
                let cur = enterprise::Entity::find_by_id(id)
                    .one(&w.txn)
                    .await?
                    .filter(|e| covers_district(&scope, &e.district_code))
                    .ok_or(DomainError::NotFound {
                        what: WHAT_ENTERPRISE,
                    })?;
                if !manages_district(&scope, &cur.district_code) {
                    return Err(DomainError::Forbidden("用人单位由所在区审核"));
                }
                if cur.version != version {
                    return Err(DomainError::Conflict(
                        "单位信息已被他人更新，请刷新后重试".to_owned(),
                    ));
                }
                super::service::claim::<enterprise::Entity, _>(
                    &w.txn,
                    enterprise::Column::Id,
                    cur.id,
                    enterprise::Column::Version,
                    version,
                    "单位信息已被他人更新，请刷新后重试",
                )
                .await?;
                let from = EnterpriseStatus::from_stored(&cur.status);
                let to = verify_transition(from, action)?;
                let now = Utc::now();
                let mut m: enterprise::ActiveModel = cur.clone().into();
                m.status = Set(to.as_str().to_owned());
                m.status_note = Set(note);
                if to == EnterpriseStatus::Verified {
                    m.verified_by = Set(Some(viewer.username.chars().take(64).collect()));
                    m.verified_at = Set(Some(now));
                }
                m.version = Set(cur.version + 1);
                m.updated_at = Set(now);
                let saved = m.update(&w.txn).await?;
                self.append(
                    &w.txn,
                    "employment.enterprise.verify",
                    "enterprise",
                    saved.id,
                    format!("{}:{}->{}", action.as_str(), from.as_str(), to.as_str()),
                )
                .await?;
                w.commit().await?;
                // A suspended enterprise's jobs are no longer found; a reinstated one's again.
                self.reindex_jobs_of(&saved).await?;
                Ok(self.present(saved, true))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_requires_places_in_hundredths() {
        assert_eq!(required_places(200, 150), 300);
        assert_eq!(required_places(67, 150), 100);
        assert_eq!(required_places(1, 150), 1);
        assert_eq!(required_places(MAX_HEADCOUNT, 150), 1_500_000);
    }

    #[test]
    fn verification_moves_only_forward_or_back_from_suspension() {
        use EnterpriseStatus as S;
        assert_eq!(
            verify_transition(S::Pending, VerifyAction::Verify).unwrap(),
            S::Verified
        );
        assert_eq!(
            verify_transition(S::Verified, VerifyAction::Suspend).unwrap(),
            S::Suspended
        );
        assert_eq!(
            verify_transition(S::Suspended, VerifyAction::Reinstate).unwrap(),
            S::Verified
        );
        assert!(verify_transition(S::Verified, VerifyAction::Verify).is_err());
        assert!(verify_transition(S::Pending, VerifyAction::Reinstate).is_err());
        assert!(verify_transition(S::Suspended, VerifyAction::Suspend).is_err());
    }
}
