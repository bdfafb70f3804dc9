//! Volunteers as one service: self-registration (anyone), the volunteer's own profile,
//! availability and location, and verification, suspension, lists and counts for region admins
//! whose scope holds a street-town the volunteer serves.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Skill, VolunteerRegistration, VolunteerRepo, VolunteerStats, VolunteerStatus, register,
    report_location, set_availability, set_status, volunteer_phone,
};
use crate::Platform;
use crate::audit;
use crate::caller::Caller;
use crate::entities::volunteer;
use crate::error::DomainResult;
use crate::page::{Page, PageRequest};
use crate::policy::mask_phone;
use crate::viewer::PersonScope;

/// A volunteer as staff and the volunteer see them (phone masked).
#[derive(Debug, Clone, PartialEq)]
pub struct Volunteer {
    /// Id.
    pub id: Uuid,
    /// 姓名
    pub name: String,
    /// 手机号码, masked.
    pub phone_masked: String,
    /// 技能
    pub skills: Vec<Skill>,
    /// 审核状态
    pub status: VolunteerStatus,
    /// 在岗
    pub available: bool,
    /// Average rating from requesters (1–5), `None` before the first.
    pub rating: Option<f64>,
    /// 暂停原因
    pub suspension_reason: Option<String>,
    /// 注册时间
    pub created_at: DateTime<Utc>,
}

impl VolunteerStatus {
    /// The status of a stored code (unknown codes: pending, the least trusted).
    pub fn from_stored(code: &str) -> Self {
        match code {
            "VERIFIED" => Self::Verified,
            "SUSPENDED" => Self::Suspended,
            _ => Self::Pending,
        }
    }
}

/// The read model of a stored volunteer (the phone decrypted to be masked).
pub(crate) fn view(p: &Platform, v: volunteer::Model) -> DomainResult<Volunteer> {
    let phone = volunteer_phone(p, &v)?;
    Ok(Volunteer {
        id: v.id,
        name: v.name,
        phone_masked: mask_phone(&phone),
        skills: Skill::parse_list(&v.skills),
        status: VolunteerStatus::from_stored(&v.status),
        available: v.available,
        rating: (v.rating_count > 0).then(|| f64::from(v.rating_sum) / f64::from(v.rating_count)),
        suspension_reason: v.suspension_reason,
        created_at: v.created_at,
    })
}

/// Volunteers for one caller.
pub struct VolunteerService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> VolunteerService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    fn repo(&self) -> VolunteerRepo<'a> {
        VolunteerRepo::new(&self.p.db)
    }

    fn admin_scope(&self) -> DomainResult<PersonScope> {
        let viewer = self
            .caller
            .region_admin("仅市、区、街镇管理员可管理志愿者")?;
        Ok(PersonScope::of(viewer))
    }

    fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(self.p, self.caller, operation, "volunteer", object_id, body)
    }

    /// 志愿者注册 (anyone): `PENDING` until an admin verifies them.
    pub async fn register(&self, reg: VolunteerRegistration) -> DomainResult<Volunteer> {
        self.audited("volunteer.register", String::new(), async {
            let v = register(self.p, reg, self.caller.meta()).await?;
            view(self.p, v)
        })
        .await
    }

    /// 我的志愿者档案 (`None` for an account that is not a volunteer).
    pub async fn my_profile(&self) -> DomainResult<Option<Volunteer>> {
        let viewer = self.caller.viewer()?;
        self.repo()
            .by_account(viewer.account_id)
            .await?
            .map(|v| view(self.p, v))
            .transpose()
    }

    /// 志愿者管理: a page of volunteers serving a street-town in the admin's scope.
    pub async fn list(
        &self,
        status: Option<VolunteerStatus>,
        page: PageRequest,
    ) -> DomainResult<Page<Volunteer>> {
        let scope = self.admin_scope()?;
        let rows = self.repo().page(&scope, status, page).await?;
        let items = rows
            .items
            .into_iter()
            .map(|v| view(self.p, v))
            .collect::<DomainResult<Vec<_>>>()?;
        Ok(Page {
            items,
            has_previous: rows.has_previous,
            has_next: rows.has_next,
        })
    }

    /// One volunteer: for admins whose scope holds a street-town they serve, and for the
    /// volunteer themself (`NOT_FOUND` otherwise).
    pub async fn get(&self, id: Uuid) -> DomainResult<Volunteer> {
        const MISSING: crate::error::DomainError =
            crate::error::DomainError::NotFound { what: "志愿者" };
        let viewer = self.caller.viewer()?;
        let found = if viewer.role.is_region_admin() {
            self.repo()
                .get_in_scope(&PersonScope::of(viewer), id)
                .await?
        } else {
            self.repo()
                .by_account(viewer.account_id)
                .await?
                .filter(|v| v.id == id)
                .ok_or(MISSING)?
        };
        view(self.p, found)
    }

    /// 志愿者统计 in the admin's scope.
    pub async fn stats(&self) -> DomainResult<VolunteerStats> {
        let scope = self.admin_scope()?;
        self.repo().stats(&scope).await
    }

    /// Service street-towns of volunteers (DataLoaders; areas are not personal data).
    pub async fn areas_of(&self, ids: &[Uuid]) -> DomainResult<HashMap<Uuid, Vec<String>>> {
        self.repo().areas_of(ids).await
    }

    /// 审核通过 / 暂停 a volunteer in the admin's scope.
    pub async fn set_status(
        &self,
        id: Uuid,
        to: VolunteerStatus,
        reason: Option<String>,
    ) -> DomainResult<Volunteer> {
        let op = match to {
            VolunteerStatus::Verified => "volunteer.verify",
            _ => "volunteer.suspend",
        };
        self.audited(op, id.to_string(), async {
            let scope = self.admin_scope()?;
            let reason = match to {
                VolunteerStatus::Suspended => Some(
                    crate::types::BoundedText::parse(
                        "reason",
                        reason.as_deref().unwrap_or(""),
                        200,
                    )?
                    .into_string(),
                ),
                _ => None,
            };
            let v = set_status(self.p, &self.caller.actor(), &scope, id, to, reason).await?;
            view(self.p, v)
        })
        .await
    }

    /// 上岗 / 下岗 (the volunteer).
    pub async fn set_availability(&self, available: bool) -> DomainResult<Volunteer> {
        self.audited("volunteer.availability", String::new(), async {
            let viewer = self.caller.viewer()?;
            let v = set_availability(self.p, viewer.account_id, available).await?;
            view(self.p, v)
        })
        .await
    }

    /// 上报位置 (the volunteer, while on duty).
    pub async fn report_location(&self, lat: f64, lng: f64) -> DomainResult<()> {
        let viewer = self.caller.viewer()?;
        report_location(self.p, viewer.account_id, lat, lng)
            .await
            .map(|_| ())
    }
}
