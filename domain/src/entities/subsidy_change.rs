//! `subsidy_changes`: A difference against the previous period, or an exclusion.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidy_changes")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Batch.
    pub batch_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// `NEW`, `STOPPED`, `CHANGED`, `EXCLUDED`, `REMOVED`.
    pub kind: String,
    /// Stable reason code.
    pub reason_code: String,
    /// Why, in words.
    pub reason: String,
    /// Previous amount.
    pub previous_fen: Option<i64>,
    /// Amount now.
    pub amount_fen: Option<i64>,
    /// Recorded.
    pub created_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
