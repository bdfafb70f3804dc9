//! `subsidy_items`: One payment to one person.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidy_items")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Batch.
    pub batch_id: Uuid,
    /// Type.
    pub type_id: Uuid,
    /// Period.
    pub period: String,
    /// Payee person.
    pub person_id: Uuid,
    /// District at generation.
    pub district_code: String,
    /// Street-town at generation.
    pub street_code: String,
    /// Amount from the rule.
    pub base_fen: i64,
    /// Amount to pay.
    pub amount_fen: i64,
    /// Why adjusted.
    pub adjustment_reason: Option<String>,
    /// Who adjusted.
    pub adjusted_by: Option<String>,
    /// `PERSONAL`, `CUSTODY`.
    pub account_kind: Option<String>,
    /// Account paid into.
    pub account_id: Option<Uuid>,
    /// `PENDING`, `PAID`, `FAILED`.
    pub status: String,
    /// The bank's or our reason.
    pub failure_reason: Option<String>,
    /// Bank reference.
    pub bank_ref: Option<String>,
    /// `SUPPLEMENTED`, `WITHHELD`, `EXPLAINED`.
    pub resolution: Option<String>,
    /// The item paying it again.
    pub supplement_item_id: Option<Uuid>,
    /// Paid on.
    pub paid_on: Option<Date>,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Changed.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
