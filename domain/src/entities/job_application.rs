//! `job_applications`: 求职申请: a person applying to a job; the enterprise sees them de-identified until it invites them and they consent.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "job_applications")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Job.
    pub job_id: Uuid,
    /// Enterprise of the job.
    pub enterprise_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// `APPLIED`, `VIEWED`, `INTERVIEW`, `OFFERED`, `HIRED`, `REJECTED`, `WITHDRAWN`.
    pub status: String,
    /// The resume as sent (JSON).
    pub resume: String,
    /// The person's district.
    pub district_code: String,
    /// The person's street-town.
    pub street_code: String,
    /// Disability category at application.
    pub category: i16,
    /// Disability level at application.
    pub level: i16,
    /// Age band at application.
    pub age_band: String,
    /// Surname initial shown de-identified (encrypted name stays in the registry).
    pub surname: String,
    /// Interview time.
    pub interview_at: Option<DateTimeUtc>,
    /// Interview place.
    pub interview_place: String,
    /// When the person agreed to show their identity to this enterprise.
    pub consent_at: Option<DateTimeUtc>,
    /// First day of work.
    pub hired_on: Option<Date>,
    /// Optimistic-lock version.
    pub version: i32,
    /// Applied.
    pub created_at: DateTimeUtc,
    /// Updated.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
