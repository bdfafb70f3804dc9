//! `questionnaire_pushes`: a published version sent to the people a filter or rule selects,
//! with a deadline.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaire_pushes")]
pub struct Model {
    /// Id (UUID v7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Questionnaire.
    pub questionnaire_id: Uuid,
    /// The version answered.
    pub version_number: i32,
    /// Registry filters (JSON, as 政策找人's).
    pub filter: String,
    /// Whether the service item's rule in force selects the people too.
    pub use_rule: bool,
    /// Service item whose rule selects.
    pub service_item_id: Option<Uuid>,
    /// Region of the pusher (`310000` or a district).
    pub scope_code: String,
    /// Answers are accepted until then.
    pub deadline: DateTimeUtc,
    /// When the reminder went out.
    pub reminded_at: Option<DateTimeUtc>,
    /// `PUBLISHING`, `PUBLISHED`, `FAILED`.
    pub status: String,
    /// People asked.
    pub targeted: i32,
    /// People processed by the publishing job.
    pub progress: i32,
    /// Who pushed.
    pub created_by: String,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
