//! SMS push (R52). A domain change that should notify someone calls [`enqueue`] inside its own
//! write transaction; the row in `sms_outbox` commits or rolls back with the change. A worker
//! (`zhucan-integrations`) claims due rows ([`claim_due`]), renders them ([`render`]), sends
//! them through an [`SmsGateway`] with the row id as idempotency key, and records the outcome
//! ([`mark_sent`], [`mark_failed`]) with exponential [`Backoff`].
//!
//! Privacy: the phone number is SM4-GCM ciphertext (table `sms_outbox`, column `phone`, row id);
//! parameters are exactly what the zh-CN template needs (never ID numbers or phone numbers);
//! stored errors have digit runs scrubbed; logs carry row ids and template codes only.
//!
//! ```ignore
//! let w = db.begin_write().await?;
//! // … the change …
//! sms::enqueue(
//!     &w.txn,
//!     cipher,
//!     &format!("guidance:{request_id}:escalated:{admin_id}"),
//!     &admin_phone,
//!     SmsTemplate::GuidanceEscalated,
//!     sms::params([("request_no", no), ("street", street_name), ("minutes", "15")]),
//! )
//! .await?;
//! w.commit().await?;
//! ```

mod gateway;
mod outbox;
mod retry;
mod template;

pub use gateway::{SmsGateway, SmsSendError};
pub use outbox::{
    MAX_DEDUPE_KEY_CHARS, Queued, SmsStatus, claim_due, enqueue, enqueue_many, mark_failed,
    mark_sent, params_aad, phone_aad, render, scrub_numbers,
};
pub use retry::Backoff;
pub use template::{MAX_PARAM_CHARS, SmsTemplate, params};
