//! `employment_follow_ups`: 就业跟踪回访 at 1, 3 and 6 months after a hire.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "employment_follow_ups")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The hire.
    pub application_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// Enterprise.
    pub enterprise_id: Uuid,
    /// The person's district (who follows up).
    pub district_code: String,
    /// 1, 3 or 6.
    pub month: i16,
    /// Due.
    pub due_on: Date,
    /// `DUE`, `DONE`.
    pub status: String,
    /// Still employed.
    pub still_employed: Option<bool>,
    /// Problems met.
    pub problems: String,
    /// Support given.
    pub support: String,
    /// Who followed up.
    pub recorded_by: Option<String>,
    /// When.
    pub recorded_at: Option<DateTimeUtc>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
