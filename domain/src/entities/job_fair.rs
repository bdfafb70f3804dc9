//! `job_fairs`: 招聘会: offline (venue, day, booths) or online (a window of dates), organised by a region.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "job_fairs")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// `OFFLINE` or `ONLINE`.
    pub kind: String,
    /// Organising region (city, district or street-town).
    pub organiser_code: String,
    /// Venue (offline; empty online).
    pub venue: String,
    /// Description.
    pub description: String,
    /// Opens.
    pub starts_at: DateTimeUtc,
    /// Closes.
    pub ends_at: DateTimeUtc,
    /// Booths (offline; 0 online).
    pub booths: i32,
    /// `DRAFT`, `PUBLISHED`, `CANCELLED`.
    pub status: String,
    /// Optimistic-lock version.
    pub version: i32,
    /// Creator.
    pub created_by: String,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Updated.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
