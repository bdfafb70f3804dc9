//! The sender behind a trait: an HTTP gateway client in production (`zhucan-integrations`), a
//! local fake gateway in tests.

use crate::types::Phone;

/// Why a send failed. Messages never contain the phone number or the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsSendError {
    /// Worth another attempt later (rate limit, gateway outage, timeout, connection error).
    #[error("retryable: {0}")]
    Retryable(String),
    /// Another attempt would fail the same way (rejected number, bad request, bad credentials).
    #[error("permanent: {0}")]
    Permanent(String),
}

impl SmsSendError {
    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable(_))
    }

    /// The message without its kind.
    pub fn message(&self) -> &str {
        match self {
            Self::Retryable(m) | Self::Permanent(m) => m,
        }
    }
}

/// Something that delivers an SMS.
#[async_trait::async_trait]
pub trait SmsGateway: Send + Sync {
    /// Send `text` to `to`. `idempotency_key` is the same for every attempt of one SMS, so that a
    /// gateway that received an earlier attempt does not deliver it again. Returns the gateway's
    /// message id.
    async fn send(
        &self,
        to: &Phone,
        text: &str,
        idempotency_key: &str,
    ) -> Result<String, SmsSendError>;
}
