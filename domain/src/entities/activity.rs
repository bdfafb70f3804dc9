//! `activities`: 阳光201 activities organised by the city, a district or a street-town.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Organiser's region: 310000, a district or a street-town.
    pub scope_code: String,
    /// `REHABILITATION`, `TRAINING`, `CULTURE_SPORT`, `ASSISTIVE_DEVICES`, `VOLUNTEER_SERVICE`, `OTHER`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Venue address.
    pub venue_address: String,
    /// Venue latitude (GCJ-02).
    pub venue_lat: Option<f64>,
    /// Venue longitude (GCJ-02).
    pub venue_lng: Option<f64>,
    /// Step-free access.
    pub step_free: bool,
    /// Accessible toilet.
    pub accessible_toilet: bool,
    /// Hearing loop.
    pub hearing_loop: bool,
    /// Sign-language interpreter.
    pub sign_language: bool,
    /// Starts.
    pub starts_at: DateTimeUtc,
    /// Ends.
    pub ends_at: DateTimeUtc,
    /// Registration opens.
    pub registration_opens_at: DateTimeUtc,
    /// Registration closes.
    pub registration_closes_at: DateTimeUtc,
    /// Places.
    pub capacity: i32,
    /// `ALL`, `CATEGORIES`, `RULE`.
    pub audience_kind: String,
    /// Comma-separated category codes (`CATEGORIES`).
    pub audience_categories: String,
    /// Eligibility rule version (`RULE`).
    pub audience_rule_id: Option<Uuid>,
    /// `DRAFT`, `PUBLISHED`, `REGISTRATION_CLOSED`, `IN_PROGRESS`, `FINISHED`, `CANCELLED`.
    pub status: String,
    /// Edit version (optimistic concurrency).
    pub version: i32,
    /// Confirmed registrations.
    pub confirmed: i32,
    /// Waitlisted registrations.
    pub waitlisted: i32,
    /// Last arrival number handed to a registration.
    pub arrival_seq: i64,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Creator account.
    pub created_by: String,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
    /// Secret of the rotating check-in code (made on first use).
    pub checkin_secret: Option<Vec<u8>>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
