//! `care_capacities`: an institution's places for one care type.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_capacities")]
pub struct Model {
    /// Institution (catalog).
    #[sea_orm(primary_key, auto_increment = false)]
    pub institution_id: Uuid,
    /// `RESIDENTIAL`, `DAY_CARE`, `RESPITE`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub care_type: String,
    /// The institution's district.
    pub district_code: String,
    /// Places.
    pub places: i32,
    /// Who set it.
    pub updated_by: String,
    /// When.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
