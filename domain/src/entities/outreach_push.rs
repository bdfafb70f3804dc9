//! `outreach_pushes`: 政策找人: one push of a policy or service item to selected people.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outreach_pushes")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Title shown to people and staff.
    pub title: String,
    /// Policy pushed.
    pub policy_id: Option<Uuid>,
    /// Service item pushed.
    pub service_item_id: Option<Uuid>,
    /// Target by the service item's rule in force.
    pub use_rule: bool,
    /// JSON registry filter (district, street, category, level, ages).
    pub filter: String,
    /// Creator's region (310000 or a district).
    pub scope_code: String,
    /// Follow-up due after this many working days.
    pub due_working_days: i32,
    /// `DRAFT`, `PUBLISHING`, `PUBLISHED`, `FAILED`.
    pub status: String,
    /// Tasks created.
    pub targeted: i32,
    /// People processed by the publishing job.
    pub progress: i32,
    /// Creator account.
    pub created_by: String,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Published.
    pub published_at: Option<DateTimeUtc>,
    /// `POLICY` (政策找人) or `NEED` (one need's follow-up, one task).
    pub kind: String,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
