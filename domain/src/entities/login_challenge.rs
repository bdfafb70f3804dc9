//! `login_challenges`: one-time challenges a UKey signs with SM2 at sign-in.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_challenges")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// 32 random bytes.
    pub challenge: Vec<u8>,
    /// Expiry.
    pub expires_at: DateTimeUtc,
    /// Used (a challenge works once).
    pub used: bool,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
