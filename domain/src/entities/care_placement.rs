//! `care_placements`: a person placed in (or waiting for) an institution's care.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_placements")]
pub struct Model {
    /// Id (UUID v7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// Institution.
    pub institution_id: Uuid,
    /// Care type.
    pub care_type: String,
    /// The person's district.
    pub district_code: String,
    /// The person's street-town.
    pub street_code: String,
    /// The institution's district.
    pub institution_district_code: String,
    /// `WAITING`, `ACTIVE`, `ENDED`, `WITHDRAWN`.
    pub status: String,
    /// When the place was asked for.
    pub requested_on: Date,
    /// First day in care.
    pub starts_on: Option<Date>,
    /// Last day in care.
    pub ends_on: Option<Date>,
    /// Monthly fee (fen).
    pub fee_fen: i64,
    /// Monthly subsidy (fen).
    pub subsidy_fen: i64,
    /// Why it ended.
    pub end_reason: Option<String>,
    /// Optimistic-lock version.
    pub version: i32,
    /// Who recorded it.
    pub created_by: String,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Updated.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
