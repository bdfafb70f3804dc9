//! The service catalog of 阳光申办 (R1, R2): policies and regulations, service items and
//! assistance institutions. City admins manage city-wide entries (and any district's), district
//! admins their own district's. Every change bumps the entry's version, keeps a revision and is
//! audited in the same transaction.

mod input;
mod model;
pub mod search;
mod service;
mod write;

pub use input::{
    BusinessLine, Channel, EntryStatus, InstitutionInput, InstitutionKind, PolicyInput,
    PolicyStatus, ServiceItemInput, check_key, json_list, limits, to_json_list,
};
pub use model::{Entry, Institution, Policy, Revision, ServiceItem};
pub use service::{CatalogService, SearchResults};
pub use write::CatalogWriter;

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::db::Db;
use crate::entities::{institution, policy, service_item};
use crate::error::{DomainError, DomainResult};
use crate::types::RegionLevel;
use crate::viewer::{Role, Viewer};

code_enum! {
    /// What a catalog entry is.
    EntryKind {
        /// 政策法规
        #[default]
        Policy = "POLICY",
        /// 服务事项
        ServiceItem = "SERVICE_ITEM",
        /// 助残机构
        Institution = "INSTITUTION",
        /// 阳光201 活动 (found by search; managed by the activity service, not the catalog)
        Activity = "ACTIVITY",
        /// 就业岗位 (found by search; managed by the employment service)
        Job = "JOB",
    }
}

/// Which catalog entries an admin may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogScope {
    /// City-wide entries and every district's.
    City,
    /// One district's entries (6-digit code).
    District(String),
}

impl CatalogScope {
    /// The scope of a catalog manager, or `FORBIDDEN`.
    pub fn of(viewer: &Viewer) -> DomainResult<Self> {
        match (viewer.role, &viewer.region) {
            (Role::CityAdmin, _) => Ok(Self::City),
            (Role::DistrictAdmin, Some(r)) if r.level() == RegionLevel::District => {
                Ok(Self::District(r.as_str().to_owned()))
            }
            _ => Err(DomainError::Forbidden("仅市、区管理员可维护服务目录")),
        }
    }

    /// Whether this scope may change an entry owned by `district` (`None` = city-wide).
    pub fn may_manage(&self, district: Option<&str>) -> bool {
        match self {
            Self::City => true,
            Self::District(d) => district == Some(d.as_str()),
        }
    }

    /// Whether a person living in `district` is covered by entries of this scope's rules.
    pub fn covers_district(&self, district: &str) -> bool {
        match self {
            Self::City => true,
            Self::District(d) => d == district,
        }
    }
}

/// What a catalog entry is called in messages.
pub const WHAT_POLICY: &str = "政策";
/// What a service item is called in messages.
pub const WHAT_SERVICE: &str = "服务事项";
/// What an institution is called in messages.
pub const WHAT_INSTITUTION: &str = "机构";

/// Reads of the public catalog. Entries are public: no row scope applies.
pub struct CatalogRepo<'a> {
    db: &'a Db,
}

/// Filter for service item lists.
#[derive(Debug, Clone, Default)]
pub struct ServiceItemFilter {
    /// Only this business line.
    pub business_line: Option<BusinessLine>,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// City-wide items plus this district's (None: every item).
    pub district: Option<String>,
    /// Include withdrawn items.
    pub include_withdrawn: bool,
}

impl<'a> CatalogRepo<'a> {
    /// Repository over `db`.
    pub fn new(db: &'a Db) -> Self {
        Self { db }
    }

    /// One policy.
    pub async fn policy(&self, id: Uuid) -> DomainResult<policy::Model> {
        policy::Entity::find_by_id(id)
            .one(self.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_POLICY })
    }

    /// Policies, newest first; `district` adds that district's to the city-wide ones.
    pub async fn policies(&self, district: Option<&str>) -> DomainResult<Vec<policy::Model>> {
        let mut q = policy::Entity::find().order_by_desc(policy::Column::IssuedOn);
        if let Some(d) = district {
            q = q.filter(
                Condition::any()
                    .add(policy::Column::DistrictCode.is_null())
                    .add(policy::Column::DistrictCode.eq(d)),
            );
        }
        Ok(q.all(self.db.conn()).await?)
    }

    /// Policies by id (any order).
    pub async fn policies_by_id(&self, ids: &[Uuid]) -> DomainResult<Vec<policy::Model>> {
        Ok(policy::Entity::find()
            .filter(policy::Column::Id.is_in(ids.iter().copied()))
            .all(self.db.conn())
            .await?)
    }

    /// Institutions by id (any order).
    pub async fn institutions_by_id(&self, ids: &[Uuid]) -> DomainResult<Vec<institution::Model>> {
        Ok(institution::Entity::find()
            .filter(institution::Column::Id.is_in(ids.iter().copied()))
            .all(self.db.conn())
            .await?)
    }

    /// Policies by key.
    pub async fn policies_by_key(&self, keys: &[String]) -> DomainResult<Vec<policy::Model>> {
        Ok(policy::Entity::find()
            .filter(policy::Column::Key.is_in(keys.iter().cloned()))
            .all(self.db.conn())
            .await?)
    }

    /// One service item.
    pub async fn service_item(&self, id: Uuid) -> DomainResult<service_item::Model> {
        service_item::Entity::find_by_id(id)
            .one(self.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_SERVICE })
    }

    /// Service items by id (any order).
    pub async fn service_items_by_id(
        &self,
        ids: &[Uuid],
    ) -> DomainResult<Vec<service_item::Model>> {
        Ok(service_item::Entity::find()
            .filter(service_item::Column::Id.is_in(ids.iter().copied()))
            .all(self.db.conn())
            .await?)
    }

    /// Service items, by name.
    pub async fn service_items(
        &self,
        filter: &ServiceItemFilter,
    ) -> DomainResult<Vec<service_item::Model>> {
        let mut q = service_item::Entity::find().order_by_asc(service_item::Column::Key);
        if let Some(b) = filter.business_line {
            q = q.filter(service_item::Column::BusinessLine.eq(b.as_str()));
        }
        if let Some(c) = filter.channel {
            q = q.filter(service_item::Column::Channel.eq(c.as_str()));
        }
        if let Some(d) = &filter.district {
            q = q.filter(
                Condition::any()
                    .add(service_item::Column::DistrictCode.is_null())
                    .add(service_item::Column::DistrictCode.eq(d.as_str())),
            );
        }
        if !filter.include_withdrawn {
            q = q.filter(service_item::Column::Status.eq(EntryStatus::Active.as_str()));
        }
        Ok(q.all(self.db.conn()).await?)
    }

    /// One institution.
    pub async fn institution(&self, id: Uuid) -> DomainResult<institution::Model> {
        institution::Entity::find_by_id(id)
            .one(self.db.conn())
            .await?
            .ok_or(DomainError::NotFound {
                what: WHAT_INSTITUTION,
            })
    }

    /// Active institutions, optionally of one district and kind, by name.
    pub async fn institutions(
        &self,
        district: Option<&str>,
        kind: Option<InstitutionKind>,
    ) -> DomainResult<Vec<institution::Model>> {
        let mut q = institution::Entity::find()
            .filter(institution::Column::Status.eq(EntryStatus::Active.as_str()))
            .order_by_asc(institution::Column::DistrictCode)
            .order_by_asc(institution::Column::Name);
        if let Some(d) = district {
            q = q.filter(institution::Column::DistrictCode.eq(d));
        }
        if let Some(k) = kind {
            q = q.filter(institution::Column::Kind.eq(k.as_str()));
        }
        Ok(q.all(self.db.conn()).await?)
    }
}
