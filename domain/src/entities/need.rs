//! `needs`: a need on a person's file (康复, 辅具, 托养…), found by a questionnaire or recorded by
//! staff, worked by the street-town.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "needs")]
pub struct Model {
    /// Id (UUID v7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// Need category code.
    pub category: String,
    /// `IDENTIFIED`, `REFERRED`, `MET`, `DECLINED`.
    pub status: String,
    /// `QUESTIONNAIRE` or `STAFF`.
    pub source: String,
    /// The submission that found it.
    pub response_id: Option<Uuid>,
    /// The question that found it.
    pub question_code: Option<String>,
    /// District of the person.
    pub district_code: String,
    /// Street-town of the person.
    pub street_code: String,
    /// Catalog service item it was referred to.
    pub service_item_id: Option<Uuid>,
    /// Follow-up task it became.
    pub outreach_task_id: Option<Uuid>,
    /// Latest note.
    pub note: String,
    /// Optimistic-lock version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Updated.
    pub updated_at: DateTimeUtc,
    /// Who last changed it.
    pub updated_by: String,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
