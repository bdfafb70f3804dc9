//! `outreach_events`: One transition of a follow-up task.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outreach_events")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Task.
    pub task_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// From.
    pub from_status: Option<String>,
    /// To.
    pub to_status: String,
    /// Action code.
    pub action: String,
    /// Coded reason.
    pub reason_code: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Actor account.
    pub actor_id: String,
    /// Actor role.
    pub actor_role: String,
    /// When.
    pub at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
