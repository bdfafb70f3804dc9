//! `policies`: 一项政策法规 (policy or regulation). `district_code` is null for city-wide entries.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "policies")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Issuing body.
    pub issuer: String,
    /// Document number (文号).
    pub document_number: Option<String>,
    /// Issued on.
    pub issued_on: Date,
    /// In force from.
    pub effective_from: Date,
    /// In force until.
    pub effective_until: Option<Date>,
    /// `IN_FORCE` or `REPEALED`.
    pub status: String,
    /// JSON array of tags.
    pub tags: String,
    /// Full text.
    pub full_text: String,
    /// Owning district; null = city-wide.
    pub district_code: Option<String>,
    /// Version, +1 per change.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
