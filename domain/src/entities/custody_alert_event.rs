//! `custody_alert_events`: One step of handling an alert, with its note.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custody_alert_events")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Alert.
    pub alert_id: Uuid,
    /// `RAISED`, `ACKNOWLEDGE`, `EXPLAIN`, `CONFIRM_MISUSE`, `ESCALATE`, `NOTE`.
    pub action: String,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Note.
    pub note: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
