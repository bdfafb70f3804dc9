//! `catalog_revisions`: One version of a catalog entry, as saved.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_revisions")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `POLICY`, `SERVICE_ITEM`, `INSTITUTION`.
    pub entity_kind: String,
    /// Entry id.
    pub entity_id: Uuid,
    /// Version.
    pub version: i32,
    /// JSON snapshot of the entry.
    pub snapshot: String,
    /// Who saved it.
    pub actor_id: String,
    /// When.
    pub at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
