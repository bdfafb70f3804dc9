//! `person_bank_accounts`: A person's own bank account for subsidy payments.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_bank_accounts")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// `CARD`, `PASSBOOK`.
    pub kind: String,
    /// Bank (CNAPS category code).
    pub bank_code: String,
    /// SM4-GCM ciphertext of the number.
    pub number_enc: Vec<u8>,
    /// HMAC-SM3 blind index of the number.
    pub number_bidx: Vec<u8>,
    /// Last four digits.
    pub last4: String,
    /// `ACTIVE`, `CLOSED`.
    pub status: String,
    /// Who registered it.
    pub created_by: String,
    /// Registered.
    pub created_at: DateTimeUtc,
    /// Replaced or closed.
    pub closed_at: Option<DateTimeUtc>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
