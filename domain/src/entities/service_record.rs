//! `service_records`: A service record on a person's file: grant, revocation, application, offline handling.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_records")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// Service item.
    pub service_item_id: Uuid,
    /// `GRANT`, `REVOKE`, `APPLICATION`, `OFFLINE`.
    pub kind: String,
    /// Person's district at the time.
    pub district_code: String,
    /// Person's street-town at the time.
    pub street_code: String,
    /// Note (no personal values).
    pub note: String,
    /// Account or `system`.
    pub actor_id: String,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
