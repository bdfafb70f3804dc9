//! `jobs`: 岗位: per enterprise, standing or at a fair.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Enterprise.
    pub enterprise_id: Uuid,
    /// Fair it is offered at.
    pub fair_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Monthly salary from (yuan).
    pub salary_min: i32,
    /// Monthly salary to (yuan).
    pub salary_max: i32,
    /// Where the work is.
    pub district_code: String,
    /// Address.
    pub address: String,
    /// Latitude (WGS-84).
    pub latitude: Option<f64>,
    /// Longitude (WGS-84).
    pub longitude: Option<f64>,
    /// `FULL_TIME`, `PART_TIME`, `FLEXIBLE`.
    pub hours: String,
    /// Places.
    pub vacancies: i32,
    /// Hired so far.
    pub hired: i32,
    /// Suitable disability categories (comma list of 1–7; empty: any).
    pub categories: String,
    /// Suitable levels (comma list of 1–4; empty: any).
    pub levels: String,
    /// Accommodations offered (comma list of codes).
    pub accommodations: String,
    /// `DRAFT`, `OPEN`, `FILLED`, `CLOSED`.
    pub status: String,
    /// Optimistic-lock version.
    pub version: i32,
    /// Creator.
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
