//! `outreach_tasks`: One follow-up task: one person of one push, assigned to their street-town.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outreach_tasks")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Push.
    pub push_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// District.
    pub district_code: String,
    /// Street-town it is assigned to.
    pub street_code: String,
    /// State.
    pub status: String,
    /// Due date.
    pub due_on: Date,
    /// Visit method.
    pub method: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Visit date.
    pub visited_on: Option<Date>,
    /// Last submitted.
    pub submitted_at: Option<DateTimeUtc>,
    /// First submitted (on-time statistics).
    pub first_submitted_at: Option<DateTimeUtc>,
    /// Last reviewed.
    pub reviewed_at: Option<DateTimeUtc>,
    /// Times returned.
    pub return_count: i32,
    /// Seed of the re-check draw that picked it.
    pub recheck_sample_seed: Option<i64>,
    /// `AGREE` or `DISAGREE`.
    pub recheck_result: Option<String>,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
