//! `fair_participations`: An enterprise taking part in a fair: applied, approved (with a booth offline) or refused.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fair_participations")]
pub struct Model {
    /// Fair.
    #[sea_orm(primary_key, auto_increment = false)]
    pub fair_id: Uuid,
    /// Enterprise.
    #[sea_orm(primary_key, auto_increment = false)]
    pub enterprise_id: Uuid,
    /// `APPLIED`, `APPROVED`, `REJECTED`.
    pub status: String,
    /// Booth number (offline, approved).
    pub booth: Option<String>,
    /// Note of the decision.
    pub note: String,
    /// Who decided.
    pub decided_by: Option<String>,
    /// Applied.
    pub created_at: DateTimeUtc,
    /// Updated.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
