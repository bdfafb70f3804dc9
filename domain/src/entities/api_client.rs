//! `api_clients`: registered third-party clients (合作方).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_clients")]
pub struct Model {
    /// Internal id (the principal id in audit records).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Public client id, e.g. `pudong-flagship`.
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// Why the client was granted access.
    pub purpose: String,
    /// Granted scope: a region admin role code, or `PUBLIC`.
    pub role: String,
    /// Region of a region-scoped client.
    pub region: Option<String>,
    /// Requests per minute.
    pub quota_per_minute: i32,
    /// HMAC-SM3 of the secret (blind-index key).
    pub secret_digest: Vec<u8>,
    /// Disabled clients are refused.
    pub active: bool,
    /// Registered.
    pub created_at: DateTimeUtc,
    /// Last registration or change.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
