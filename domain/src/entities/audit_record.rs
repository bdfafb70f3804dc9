//! `audit_records`: append-only, each record's MAC chains over the previous one (HMAC-SM3).
use sea_orm::entity::prelude::*;

/// One audit record.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_records")]
pub struct Model {
    /// Position in the chain, from 1, without gaps.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    /// Time of the event.
    pub at: DateTimeUtc,
    /// Account id, or `anonymous`.
    pub actor_id: String,
    /// Username (or the attempted one for sign-in failures).
    pub actor_name: String,
    /// Role code.
    pub actor_role: String,
    /// Scope description (`DISTRICT:310115`).
    pub scope: String,
    /// Client IP.
    pub client_ip: String,
    /// Request id.
    pub request_id: String,
    /// Operation (`person.create`, `person.reveal`, `auth.login`…).
    pub operation: String,
    /// Object type (`person`, `account`…).
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// `SUCCESS` or `FAILURE:<code>`.
    pub result: String,
    /// Extra detail (field names, never values).
    pub detail: String,
    /// MAC of the previous record (32 zero bytes for the first).
    pub prev_mac: Vec<u8>,
    /// HMAC-SM3 over `prev_mac` and this record's fields.
    pub mac: Vec<u8>,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
