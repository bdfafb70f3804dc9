//! `activity_goods`: One kind of goods handed out at an activity: stock and how many were issued.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_goods")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// Name.
    pub name: String,
    /// Stock brought to the activity.
    pub stock: i32,
    /// Issued so far (never above stock).
    pub issued: i32,
    /// Most one person may receive.
    pub per_person_limit: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
