//! `volunteer_areas`: the street-towns a volunteer serves.
use sea_orm::entity::prelude::*;

/// One service area.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_areas")]
pub struct Model {
    /// Volunteer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: Uuid,
    /// Street-town code.
    #[sea_orm(primary_key, auto_increment = false)]
    pub street_code: String,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
