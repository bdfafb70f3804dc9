//! `volunteers`.
use sea_orm::entity::prelude::*;

/// A registered volunteer.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteers")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Sign-in account.
    #[sea_orm(unique)]
    pub account_id: Uuid,
    /// Real name.
    pub name: String,
    /// SM4-GCM ciphertext of the ID number.
    pub id_number_enc: Vec<u8>,
    /// HMAC-SM3 blind index of the ID number.
    #[sea_orm(unique)]
    pub id_number_bidx: Vec<u8>,
    /// SM4-GCM ciphertext of the phone.
    pub phone_enc: Vec<u8>,
    /// Comma-separated skill codes.
    pub skills: String,
    /// `PENDING`, `VERIFIED`, `SUSPENDED`.
    pub status: String,
    /// On duty.
    pub available: bool,
    /// Last reported latitude (WGS-84).
    pub latitude: Option<f64>,
    /// Last reported longitude.
    pub longitude: Option<f64>,
    /// When the location was reported.
    pub location_at: Option<DateTimeUtc>,
    /// When the volunteer consented to location use and contact.
    pub consent_at: DateTimeUtc,
    /// Sum of ratings received.
    pub rating_sum: i32,
    /// Number of ratings received.
    pub rating_count: i32,
    /// Why suspended.
    pub suspension_reason: Option<String>,
    /// When verified.
    pub verified_at: Option<DateTimeUtc>,
    /// Registration time.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
