//! `employment_intentions`: 就业意向: what work a person wants, recorded with consent by them or by staff (at a fair).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "employment_intentions")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// Fair where it was recorded.
    pub fair_id: Option<Uuid>,
    /// Desired work.
    pub desired_work: String,
    /// Desired district.
    pub desired_district: Option<String>,
    /// `FULL_TIME`, `PART_TIME`, `FLEXIBLE`.
    pub hours: String,
    /// Lowest acceptable monthly salary (yuan).
    pub salary_min: Option<i32>,
    /// The person's district.
    pub district_code: String,
    /// The person's street-town.
    pub street_code: String,
    /// Recorded by staff on the person's behalf.
    pub proxy: bool,
    /// Who recorded it.
    pub recorded_by: String,
    /// When the person consented to its use for matching.
    pub consent_at: DateTimeUtc,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
