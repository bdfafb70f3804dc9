//! `audit_head`: one row holding the chain's last sequence number and MAC. Appending locks it
//! first, which serialises appends on every node and lets `verify` detect a truncated tail.
use sea_orm::entity::prelude::*;

/// The chain head.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_head")]
pub struct Model {
    /// Always 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Last sequence number (0 when empty).
    pub last_seq: i64,
    /// Last MAC (32 zero bytes when empty).
    pub last_mac: Vec<u8>,
    /// First sequence number kept (after retention pruning; 1 before any).
    pub first_seq: i64,
    /// MAC the first kept record links to (None: the genesis zeros).
    pub first_prev_mac: Option<Vec<u8>>,
    /// HMAC-SM3 of the anchor (first_seq, first_prev_mac).
    pub anchor_mac: Option<Vec<u8>>,
    /// HMAC-SM3 of the end (last_seq, last_mac): moving the head back needs the audit key.
    pub head_mac: Option<Vec<u8>>,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
