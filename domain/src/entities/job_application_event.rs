//! `job_application_events`: A step of an application.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "job_application_events")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Application.
    pub application_id: Uuid,
    /// From.
    pub from_status: String,
    /// To.
    pub to_status: String,
    /// Who.
    pub actor: String,
    /// Their role.
    pub actor_role: String,
    /// Note.
    pub note: String,
    /// When.
    pub at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
