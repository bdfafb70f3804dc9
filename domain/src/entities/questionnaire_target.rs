//! `questionnaire_targets`: who a push asked (never what they answered).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaire_targets")]
pub struct Model {
    /// Push.
    #[sea_orm(primary_key, auto_increment = false)]
    pub push_id: Uuid,
    /// Person asked.
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    /// Their district.
    pub district_code: String,
    /// Their street-town.
    pub street_code: String,
    /// When they were notified (inbox, SMS).
    pub notified_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
