//! `custodianships`: A ward's money held by a custodian and watched by a supervisor (代管关系).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custodianships")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The ward (a registered person).
    pub ward_person_id: Uuid,
    /// The ward's district when the custodianship began (scope).
    pub ward_district_code: String,
    /// The ward's street-town when the custodianship began (scope).
    pub ward_street_code: String,
    /// The custodian's account (代管人).
    pub custodian_account_id: Uuid,
    /// The custodian's name as recorded.
    pub custodian_name: String,
    /// `PARENT`, `SPOUSE`, `CHILD`, `SIBLING`, `GUARDIAN`, `INSTITUTION`, `OTHER`.
    pub relation: String,
    /// The supervisor's account (监管人).
    pub supervisor_account_id: Uuid,
    /// `COURT_DECISION`, `RESIDENTS_COMMITTEE`, `FAMILY_AGREEMENT`.
    pub basis: String,
    /// Number or reference of the deciding document.
    pub basis_document: Option<String>,
    /// First day.
    pub starts_on: Date,
    /// Last day, once ended.
    pub ends_on: Option<Date>,
    /// `ACTIVE`, `ENDED`.
    pub status: String,
    /// Why it ended.
    pub end_reason: Option<String>,
    /// Version (edits carry the one read).
    pub version: i32,
    /// Account that created it.
    pub created_by: String,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
