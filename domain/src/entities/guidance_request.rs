//! `guidance_requests`: blind-guidance trips (助盲出行需求).
use sea_orm::entity::prelude::*;

/// One request.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "guidance_requests")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The person to be accompanied.
    pub person_id: Uuid,
    /// The account that published it (the person or family).
    pub requested_by: Uuid,
    /// The person's street-town (scope and dispatch area).
    pub street_code: String,
    /// SM4-GCM ciphertext of the pickup address.
    pub pickup_address_enc: Vec<u8>,
    /// Pickup latitude.
    pub pickup_latitude: f64,
    /// Pickup longitude.
    pub pickup_longitude: f64,
    /// SM4-GCM ciphertext of the destination.
    pub destination_enc: Vec<u8>,
    /// Pickup time.
    pub pickup_time: DateTimeUtc,
    /// Needs, free text.
    pub needs: String,
    /// SM4-GCM ciphertext of the contact phone.
    pub contact_phone_enc: Vec<u8>,
    /// SM4-GCM ciphertext of the pickup PIN.
    pub pin_enc: Vec<u8>,
    /// State.
    pub status: String,
    /// The volunteer who claimed it.
    pub volunteer_id: Option<Uuid>,
    /// Current offer radius in metres.
    pub radius_m: i32,
    /// When the radius widens next.
    pub next_widen_at: DateTimeUtc,
    /// When it escalates to the street-town if unclaimed.
    pub escalate_at: DateTimeUtc,
    /// When it expires if unclaimed.
    pub expires_at: DateTimeUtc,
    /// Wrong PINs entered.
    pub pin_failures: i32,
    /// Why cancelled.
    pub cancel_reason: Option<String>,
    /// Published.
    pub created_at: DateTimeUtc,
    /// First offered.
    pub offered_at: Option<DateTimeUtc>,
    /// Claimed.
    pub claimed_at: Option<DateTimeUtc>,
    /// Pickup confirmed.
    pub started_at: Option<DateTimeUtc>,
    /// Completed.
    pub completed_at: Option<DateTimeUtc>,
    /// Cancelled.
    pub cancelled_at: Option<DateTimeUtc>,
    /// Expired.
    pub expired_at: Option<DateTimeUtc>,
    /// Escalated to the street-town.
    pub escalated_at: Option<DateTimeUtc>,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
