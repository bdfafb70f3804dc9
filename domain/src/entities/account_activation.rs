//! `account_activations`: A one-time SMS code for opening a citizen account.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_activations")]
pub struct Model {
    /// Id (the challenge the client answers).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The registered person.
    pub person_id: Uuid,
    /// HMAC-SM3 digest of the code (never the code).
    pub code_digest: Vec<u8>,
    /// Wrong codes tried.
    pub attempts: i32,
    /// Expires.
    pub expires_at: DateTimeUtc,
    /// Used.
    pub used_at: Option<DateTimeUtc>,
    /// Client address that asked (for the audit trail).
    pub requested_from: String,
    /// Asked.
    pub created_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
