//! `persons`: the registry. Sensitive columns hold SM4-GCM ciphertext (`*_enc`), the ID number
//! also an HMAC-SM3 blind index (`id_number_bidx`) for exact lookups.
use sea_orm::entity::prelude::*;

/// One registered disabled person.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persons")]
pub struct Model {
    /// Id (UUID v7: time-ordered, used as the pagination key).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// `MALE` / `FEMALE`, derived from the ID number.
    pub sex: String,
    /// Date of birth, derived from the ID number.
    pub birth_date: Date,
    /// SM4-GCM ciphertext of the ID number.
    pub id_number_enc: Vec<u8>,
    /// HMAC-SM3 blind index of the ID number.
    #[sea_orm(unique)]
    pub id_number_bidx: Vec<u8>,
    /// SM4-GCM ciphertext of the certificate number.
    pub certificate_enc: Vec<u8>,
    /// Disability category 1–7.
    pub category: i16,
    /// Disability level 1–4.
    pub level: i16,
    /// Certificate valid until.
    pub certificate_valid_until: Option<Date>,
    /// SM4-GCM ciphertext of the mobile phone.
    pub phone_enc: Option<Vec<u8>>,
    /// SM4-GCM ciphertext of the residential address.
    pub address_enc: Option<Vec<u8>>,
    /// District of residence (6 digits).
    pub district_code: String,
    /// Street-town of residence (9 digits).
    pub street_code: String,
    /// Committee of residence (12 digits).
    pub committee_code: Option<String>,
    /// Household.
    pub household_id: Uuid,
    /// Relationship to the household head (`HEAD`, `SPOUSE`, …).
    pub relationship: String,
    /// `ACTIVE` or `DEACTIVATED`.
    pub status: String,
    /// Why the record was deactivated.
    pub deactivation_reason: Option<String>,
    /// 低保 / 低收入 / 特困 household status (`NONE`, `DIBAO`, `LOW_INCOME`, `SPECIAL_HARDSHIP`).
    pub household_status: String,
    /// Employment (`EMPLOYED`, `UNEMPLOYED`, `STUDENT`, `RETIRED`, `UNABLE`).
    pub employment: String,
    /// 本市户籍.
    pub local_hukou: bool,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm (DataLoaders do the joining).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
