//! `grant_jobs`: A 免申即享 grant run for one rule version.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "grant_jobs")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Service item.
    pub service_item_id: Uuid,
    /// Rule version.
    pub rule_version: i32,
    /// `RUNNING`, `DONE` or `FAILED`.
    pub status: String,
    /// People evaluated.
    pub evaluated: i32,
    /// Newly granted.
    pub granted: i32,
    /// Revoked.
    pub revoked: i32,
    /// Failure reason.
    pub error: Option<String>,
    /// Who confirmed.
    pub started_by: String,
    /// Started.
    pub started_at: DateTimeUtc,
    /// Finished.
    pub finished_at: Option<DateTimeUtc>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
