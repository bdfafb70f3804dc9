//! `activity_service_deliveries`: A service delivered to one attendee.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_service_deliveries")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Service.
    pub service_id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// The attendee's registration.
    pub registration_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// The service record written on the person's file (when the service is a catalog item).
    pub record_id: Option<Uuid>,
    /// Account that recorded it.
    pub recorded_by: String,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
