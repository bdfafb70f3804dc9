//! `eligibility_rules`: One version of a service item's eligibility rule (immutable once saved).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "eligibility_rules")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Service item.
    pub service_item_id: Uuid,
    /// Version (1, 2, …).
    pub version: i32,
    /// JSON array of {label, expression}.
    pub conditions: String,
    /// `DRAFT`, `PUBLISHED` or `SUPERSEDED`.
    pub status: String,
    /// Author account.
    pub created_by: String,
    /// Saved.
    pub created_at: DateTimeUtc,
    /// Published.
    pub published_at: Option<DateTimeUtc>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
