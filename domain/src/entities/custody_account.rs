//! `custody_accounts`: A ward's bank card or passbook held by the custodian.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custody_accounts")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Custodianship.
    pub custodianship_id: Uuid,
    /// Ward.
    pub ward_person_id: Uuid,
    /// `CARD`, `PASSBOOK`.
    pub kind: String,
    /// Bank (CNAPS bank category code).
    pub bank_code: String,
    /// SM4-GCM ciphertext of the number.
    pub number_enc: Vec<u8>,
    /// HMAC-SM3 blind index of the number.
    pub number_bidx: Vec<u8>,
    /// Last four digits (for masking without decrypting).
    pub last4: String,
    /// `ACTIVE`, `CLOSED`.
    pub status: String,
    /// Account that added it.
    pub created_by: String,
    /// Added.
    pub created_at: DateTimeUtc,
    /// Closed.
    pub closed_at: Option<DateTimeUtc>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
