//! `api_client_documents`: a client's allow-list of trusted documents.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_client_documents")]
pub struct Model {
    /// The client (`api_clients.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_ref: Uuid,
    /// SHA-256 of the document, lower-case hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub sha256: String,
    /// Name of the document's first operation, for logs.
    pub operation_name: Option<String>,
    /// The document.
    pub document: String,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
