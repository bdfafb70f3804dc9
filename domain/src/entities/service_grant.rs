//! `service_grants`: A service granted to a person (免申即享), one row per person and item.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_grants")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// Service item.
    pub service_item_id: Uuid,
    /// Rule version that granted it.
    pub rule_version: i32,
    /// `ACTIVE` or `REVOKED`.
    pub status: String,
    /// Granted.
    pub granted_at: DateTimeUtc,
    /// Revoked.
    pub revoked_at: Option<DateTimeUtc>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
