//! `need_events`: one step of a need (identified, referred, met, declined), with who and when.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "need_events")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Need.
    pub need_id: Uuid,
    /// `IDENTIFY`, `REFER`, `MEET`, `DECLINE`, `REOPEN`.
    pub action: String,
    /// Status before (empty when identified).
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Note.
    pub note: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
