//! `revoked_sessions`: tokens signed out before they expire.
use sea_orm::entity::prelude::*;

/// One revoked token.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revoked_sessions")]
pub struct Model {
    /// The token's `jti`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub jti: Uuid,
    /// Its account.
    pub account_id: Uuid,
    /// When the token would have expired (after that the row is moot).
    pub expires_at: DateTimeUtc,
    /// When it was revoked.
    pub revoked_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
