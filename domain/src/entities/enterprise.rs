//! `enterprises`: 用人单位 (enterprise): registered by itself or by staff, verified by its district.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enterprises")]
pub struct Model {
    /// Id (UUID v7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// 统一社会信用代码 (GB 32100-2015), unique.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// District.
    pub district_code: String,
    /// GB/T 4754 section letter.
    pub industry: String,
    /// `MICRO`, `SMALL`, `MEDIUM`, `LARGE`.
    pub size: String,
    /// Address.
    pub address: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone, SM4-encrypted.
    pub contact_phone_enc: Vec<u8>,
    /// Employees (annual average).
    pub headcount: i32,
    /// Disabled employees (each counts once).
    pub disabled_employees: i32,
    /// Of them, levels 1–2 (each counts twice).
    pub severe_employees: i32,
    /// `PENDING`, `VERIFIED`, `SUSPENDED`.
    pub status: String,
    /// Why the last verification step was taken.
    pub status_note: String,
    /// The enterprise's own account (self-registered), unique.
    pub account_id: Option<Uuid>,
    /// Who registered it.
    pub registered_by: String,
    /// Who verified it.
    pub verified_by: Option<String>,
    /// When it was verified.
    pub verified_at: Option<DateTimeUtc>,
    /// Optimistic-lock version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Updated.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
