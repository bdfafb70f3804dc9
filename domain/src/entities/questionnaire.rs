//! `questionnaires`: a questionnaire — its draft definition being edited and the number of the
//! version last published.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaires")]
pub struct Model {
    /// Id (UUID v7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Description shown before the first question.
    pub description: String,
    /// `NEEDS`, `SATISFACTION`, `EMPLOYMENT_INTENTION`, `OTHER`.
    pub kind: String,
    /// Whether answers are stored without the person.
    pub anonymous: bool,
    /// Region that owns it (`310000` for the city, or a district).
    pub scope_code: String,
    /// `DRAFT`, `PUBLISHED`, `CLOSED`.
    pub status: String,
    /// The definition being edited (JSON: the questions).
    pub definition: String,
    /// The version last published (0: none).
    pub published_version: i32,
    /// Optimistic-lock version of this row.
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
