//! `questionnaire_versions`: a published definition, frozen.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaire_versions")]
pub struct Model {
    /// Questionnaire.
    #[sea_orm(primary_key, auto_increment = false)]
    pub questionnaire_id: Uuid,
    /// Version number (1, 2, …).
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: i32,
    /// The questions (JSON).
    pub definition: String,
    /// Who published it.
    pub published_by: String,
    /// When.
    pub published_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
