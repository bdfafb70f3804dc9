//! `activity_volunteer_roles`: A volunteer role at an activity, with its own capacity.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_volunteer_roles")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// Name.
    pub name: String,
    /// What the role does.
    pub description: String,
    /// Volunteers needed.
    pub capacity: i32,
    /// Volunteers approved (never above capacity).
    pub approved: i32,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
