//! `guidance_ratings`: each side rates the other once after completion.
use sea_orm::entity::prelude::*;

/// One rating.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guidance_ratings")]
pub struct Model {
    /// Request.
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: Uuid,
    /// `REQUESTER` or `VOLUNTEER`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub rater_role: String,
    /// 1–5.
    pub stars: i16,
    /// Comment.
    pub comment: Option<String>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
