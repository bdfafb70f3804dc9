//! `spending_records`: Money spent from a ward's account, in fen.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spending_records")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Custodianship.
    pub custodianship_id: Uuid,
    /// Ward.
    pub ward_person_id: Uuid,
    /// The ward's street-town (scope).
    pub street_code: String,
    /// Amount in fen (> 0).
    pub amount_fen: i64,
    /// `LIVING`, `MEDICAL`, `REHABILITATION`, `EDUCATION`, `CARE`, `OTHER`.
    pub category: String,
    /// Merchant or payee.
    pub merchant: String,
    /// Day spent.
    pub spent_on: Date,
    /// Note.
    pub note: String,
    /// `ENTERED`, `IMPORTED`.
    pub source: String,
    /// The bank's transaction id (imports).
    pub bank_txn_id: Option<String>,
    /// Account that entered or imported it.
    pub entered_by: String,
    /// Recorded.
    pub created_at: DateTimeUtc,
    /// The statement import that brought it.
    pub import_id: Option<Uuid>,
    /// Hour of the bank's transaction (0–23), where the statement gives a time.
    pub spent_hour: Option<i16>,
    /// Balance after it, fen, where the statement gives one.
    pub balance_fen: Option<i64>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
