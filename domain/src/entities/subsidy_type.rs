//! `subsidy_types`: A kind of subsidy paid periodically.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidy_types")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable code.
    pub key: String,
    /// Name.
    pub name: String,
    /// Catalog item whose eligibility rule decides who is paid.
    pub service_item_id: Uuid,
    /// Fixed amount per period, in fen.
    pub amount_fen: Option<i64>,
    /// CEL expression giving fen from the person's facts.
    pub amount_expression: Option<String>,
    /// `MONTH`, `QUARTER`, `YEAR`.
    pub period_kind: String,
    /// `OWN`, `CUSTODY`.
    pub payee: String,
    /// `ACTIVE`, `RETIRED`.
    pub status: String,
    /// Optimistic version.
    pub version: i32,
    /// Last changed by.
    pub updated_by: String,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Changed.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
