//! `service_items`: 一个服务事项 (service item).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "service_items")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable key.
    pub key: String,
    /// Name.
    pub name: String,
    /// 组联 / 教就 / 康复 / 权益.
    pub business_line: String,
    /// Description.
    pub description: String,
    /// JSON array of required materials.
    pub materials: String,
    /// Time limit, working days.
    pub time_limit_days: i32,
    /// `ONLINE`, `OFFLINE` or `AUTOMATIC` (免申即享).
    pub channel: String,
    /// Online entry.
    pub online_url: Option<String>,
    /// JSON array of offline service points.
    pub offline_points: String,
    /// JSON array of policy keys.
    pub policy_keys: String,
    /// JSON array of tags.
    pub tags: String,
    /// Owning district; null = city-wide.
    pub district_code: Option<String>,
    /// Published eligibility rule version (0 = none).
    pub rule_version: i32,
    /// `ACTIVE` or `WITHDRAWN`.
    pub status: String,
    /// Version, +1 per change.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
