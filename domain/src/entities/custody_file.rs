//! `custody_files`: A receipt of a spending record or material of an alert (content in the blob
//! store).
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custody_files")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `SPENDING` or `ALERT`.
    pub owner_kind: String,
    /// The spending record or alert.
    pub owner_id: Uuid,
    /// Custodianship (scope).
    pub custodianship_id: Uuid,
    /// File name.
    pub file_name: String,
    /// Sniffed content type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// SM3 digest, hex (also the blob key).
    pub sm3: String,
    /// Uploader account.
    pub uploaded_by: String,
    /// When.
    pub at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
