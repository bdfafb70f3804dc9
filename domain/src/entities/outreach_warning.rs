//! `outreach_warnings`: A warning on a follow-up task: overdue or failed outcome.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outreach_warnings")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Task.
    pub task_id: Uuid,
    /// Push.
    pub push_id: Uuid,
    /// `OVERDUE` or `FAILED_OUTCOME`.
    pub kind: String,
    /// `STREET` or `DISTRICT`.
    pub level: String,
    /// District.
    pub district_code: String,
    /// Street-town.
    pub street_code: String,
    /// Raised.
    pub raised_at: DateTimeUtc,
    /// Escalated to the district.
    pub escalated_at: Option<DateTimeUtc>,
    /// Resolved.
    pub resolved_at: Option<DateTimeUtc>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
