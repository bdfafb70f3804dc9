//! `sms_outbox`: SMS waiting to be sent, written in the transaction of the change that causes
//! them (R52). The recipient's phone is SM4-GCM ciphertext bound to (`sms_outbox`, `phone`, id).
use sea_orm::entity::prelude::*;

/// One outbound SMS.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_outbox")]
pub struct Model {
    /// Id (UUID v7); also the gateway's idempotency key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// One SMS per event: `guidance:<request-id>:escalated:<account-id>`.
    #[sea_orm(unique)]
    pub dedupe_key: String,
    /// Template code (`GUIDANCE_ESCALATED`…).
    pub template: String,
    /// JSON object of the template's parameters, nothing else.
    pub params: String,
    /// SM4-GCM ciphertext of the recipient's mobile number.
    pub phone_enc: Vec<u8>,
    /// `PENDING`, `SENDING`, `SENT` or `FAILED`.
    pub status: String,
    /// Send attempts so far (counted when a worker claims the row).
    pub attempts: i32,
    /// Earliest time of the next attempt.
    pub next_attempt_at: DateTimeUtc,
    /// Lease of the worker sending it (status `SENDING`); another worker may take over after it.
    pub locked_until: Option<DateTimeUtc>,
    /// Last failure, never containing the phone number or the text.
    pub last_error: Option<String>,
    /// The gateway's message id once sent.
    pub gateway_message_id: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTimeUtc,
    /// When the gateway accepted it.
    pub sent_at: Option<DateTimeUtc>,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
