//! `inbox_messages`: A message in a citizen's in-app inbox.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox_messages")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Recipient.
    pub person_id: Uuid,
    /// Kind code.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Related object.
    pub ref_id: Option<Uuid>,
    /// Sent.
    pub created_at: DateTimeUtc,
    /// Read.
    pub read_at: Option<DateTimeUtc>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
