//! `activity_registrations`: one person's place (or waitlist position) at an activity.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_registrations")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// Person registered.
    pub person_id: Uuid,
    /// The person's district when registering (scope).
    pub district_code: String,
    /// The person's street-town when registering (scope).
    pub street_code: String,
    /// `CONFIRMED`, `WAITLISTED`, `CANCELLED`, `ATTENDED`, `NO_SHOW`, `EXCUSED`.
    pub status: String,
    /// Arrival number: the waitlist is served in this order.
    pub position: i64,
    /// Comma-separated accessibility needs.
    pub needs: String,
    /// Companions coming along.
    pub companions: i32,
    /// Account that registered (the citizen or staff on their behalf).
    pub registered_by: String,
    /// Registered (or registered again after a cancellation).
    pub created_at: DateTimeUtc,
    /// Last change of status.
    pub updated_at: Option<DateTimeUtc>,
    /// Checked in.
    pub checked_in_at: Option<DateTimeUtc>,
    /// `CODE`, `SCAN` or `MANUAL`.
    pub check_in_method: Option<String>,
    /// Who excused a no-show.
    pub excused_by: Option<String>,
    /// Why.
    pub excuse_reason: Option<String>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
