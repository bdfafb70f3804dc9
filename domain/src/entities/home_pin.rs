//! `home_pins`: services a citizen pinned to their home page, in order.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "home_pins")]
pub struct Model {
    /// Account.
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// Service item.
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_item_id: Uuid,
    /// Position (0 first).
    pub position: i32,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
