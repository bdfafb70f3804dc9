//! `activity_volunteers`: A volunteer's sign-up for a role at an activity, and the time served.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_volunteers")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Role.
    pub role_id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// `PENDING`, `APPROVED`, `REJECTED`, `WITHDRAWN`.
    pub status: String,
    /// Account that approved or rejected.
    pub decided_by: Option<String>,
    /// Why rejected.
    pub decision_reason: Option<String>,
    /// Checked in.
    pub checked_in_at: Option<DateTimeUtc>,
    /// Checked out.
    pub checked_out_at: Option<DateTimeUtc>,
    /// Minutes served (from check-in to check-out).
    pub minutes: i32,
    /// Signed up.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
