//! `custody_alerts`: A spending record that met an abnormal-spending rule.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custody_alerts")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Rule code.
    pub rule_code: String,
    /// Rule label when raised.
    pub label: String,
    /// `LOW`, `MEDIUM`, `HIGH`.
    pub severity: String,
    /// Custodianship.
    pub custodianship_id: Uuid,
    /// Ward.
    pub ward_person_id: Uuid,
    /// The ward's district (scope).
    pub district_code: String,
    /// The ward's street-town (scope).
    pub street_code: String,
    /// Supervisor when raised.
    pub supervisor_account_id: Uuid,
    /// The spending record.
    pub spending_record_id: Uuid,
    /// Its amount, fen.
    pub amount_fen: i64,
    /// Its day.
    pub spent_on: Date,
    /// `OPEN`, `ACKNOWLEDGED`, `EXPLAINED`, `CONFIRMED_MISUSE`.
    pub status: String,
    /// `STREET`, or `DISTRICT` once escalated.
    pub level: String,
    /// Raised.
    pub raised_at: DateTimeUtc,
    /// Escalated to the district.
    pub escalated_at: Option<DateTimeUtc>,
    /// Last handler.
    pub handled_by: Option<String>,
    /// Last handled.
    pub handled_at: Option<DateTimeUtc>,
    /// Version (optimistic concurrency).
    pub version: i32,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
