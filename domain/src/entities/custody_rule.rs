//! `custody_rules`: An abnormal-spending rule (a CEL condition over a transaction and its context).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custody_rules")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable code (`LARGE_SINGLE`).
    pub code: String,
    /// What it means, for people.
    pub label: String,
    /// CEL condition.
    pub expression: String,
    /// `LOW`, `MEDIUM`, `HIGH`.
    pub severity: String,
    /// Whether it runs (built-in rules always run).
    pub enabled: bool,
    /// Built in: cannot be switched off or rewritten.
    pub builtin: bool,
    /// Version (optimistic concurrency).
    pub version: i32,
    /// Last editor.
    pub updated_by: String,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
