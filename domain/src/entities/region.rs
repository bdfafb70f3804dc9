//! `regions`: the statistical division hierarchy of Shanghai.
use sea_orm::entity::prelude::*;

/// One region.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    /// Division code.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// Parent code (`None` for the city).
    pub parent_code: Option<String>,
    /// 1 city, 2 district, 3 street-town, 4 committee.
    pub level: i16,
    /// Official name.
    pub name: String,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
