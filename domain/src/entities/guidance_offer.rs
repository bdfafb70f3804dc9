//! `guidance_offers`: a request shown to one volunteer.
use sea_orm::entity::prelude::*;

/// One offer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guidance_offers")]
pub struct Model {
    /// Request.
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: Uuid,
    /// Volunteer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: Uuid,
    /// Great-circle distance to the pickup point when offered.
    pub distance_m: i32,
    /// When offered.
    pub offered_at: DateTimeUtc,
    /// When withdrawn (claimed by another, cancelled, expired).
    pub withdrawn_at: Option<DateTimeUtc>,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
