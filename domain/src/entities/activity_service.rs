//! `activity_services`: A service delivered at an activity.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_services")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// Name.
    pub name: String,
    /// The catalog service item, where one exists.
    pub service_item_id: Option<Uuid>,
    /// How many people it was delivered to.
    pub delivered: i32,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
