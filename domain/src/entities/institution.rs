//! `institutions`: 一家助残机构 (assistance institution).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "institutions")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Kind code.
    pub kind: String,
    /// District.
    pub district_code: String,
    /// Street-town.
    pub street_code: Option<String>,
    /// Address (public).
    pub address: String,
    /// WGS-84 latitude.
    pub latitude: f64,
    /// WGS-84 longitude.
    pub longitude: f64,
    /// JSON array of services.
    pub services: String,
    /// Opening hours.
    pub opening_hours: String,
    /// JSON array of accessibility features.
    pub accessibility: String,
    /// Public phone.
    pub phone: String,
    /// Entry (flagship stores).
    pub entry_url: Option<String>,
    /// `ACTIVE` or `WITHDRAWN`.
    pub status: String,
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
