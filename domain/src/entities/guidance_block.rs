//! `guidance_blocks`: a person excludes a volunteer from future matches.
use sea_orm::entity::prelude::*;

/// One block.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guidance_blocks")]
pub struct Model {
    /// Person.
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    /// Volunteer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: Uuid,
    /// Reason.
    pub reason: Option<String>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
