//! `activity_goods_distributions`: One hand-out of goods to an attendee.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_goods_distributions")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Goods.
    pub goods_id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// The attendee's registration.
    pub registration_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// How many.
    pub quantity: i32,
    /// Account that recorded it.
    pub recorded_by: String,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
