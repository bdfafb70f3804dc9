//! `resumes`: A person's resume (one per person).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "resumes")]
pub struct Model {
    /// Person.
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    /// Highest education code.
    pub education: String,
    /// Work experience (JSON list).
    pub experience: String,
    /// Skills (comma list).
    pub skills: String,
    /// Certificates (comma list).
    pub certificates: String,
    /// Desired work.
    pub desired_work: String,
    /// Optimistic-lock version.
    pub version: i32,
    /// Updated.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
