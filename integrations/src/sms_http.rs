//! The SMS gateway over HTTP.
//!
//! Protocol: `POST {base_url}/v1/messages` with `Authorization: Bearer <api_key>` and the JSON
//! body `{"to": "13812345678", "text": "…", "idempotencyKey": "…"}`; a 2xx answer carries
//! `{"messageId": "…"}`. 429, 408, 5xx, timeouts and connection errors are worth retrying; any
//! other 4xx is permanent. The gateway is expected to deliver one message per idempotency key.
//!
//! Nothing here logs or returns the phone number or the text.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Deserialize;
use zhucan_domain::sms::{SmsGateway, SmsSendError};
use zhucan_domain::types::Phone;

/// Per-request timeout (connect, send, answer).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// `reqwest` is built without a TLS backend (the workspace enables only `json`), so the gateway
/// must be reached over plain HTTP (e.g. through a local egress proxy). Enabling a TLS feature
/// of `reqwest` lifts this.
const TLS_AVAILABLE: bool = false;

/// The gateway settings are unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsGatewayConfigError(pub String);

impl std::error::Error for SmsGatewayConfigError {}

impl std::fmt::Display for SmsGatewayConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An [`SmsGateway`] speaking the HTTP protocol above.
#[derive(Clone)]
pub struct HttpSmsGateway {
    base_url: String,
    endpoint: String,
    auth: HeaderValue,
    client: reqwest::Client,
}

impl std::fmt::Debug for HttpSmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSmsGateway")
            .field("base_url", &self.base_url)
            .field("api_key", &"***")
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Accepted {
    message_id: Option<String>,
}

#[derive(Deserialize)]
struct Rejected {
    code: Option<String>,
}

impl HttpSmsGateway {
    /// A client of the gateway at `base_url` (`http://host:port`, optionally with a path
    /// prefix) authenticating with `api_key`.
    pub fn new(base_url: &str, api_key: &str) -> Result<Self, SmsGatewayConfigError> {
        let base = base_url.trim().trim_end_matches('/');
        let scheme_ok =
            base.starts_with("http://") || (TLS_AVAILABLE && base.starts_with("https://"));
        if base.starts_with("https://") && !TLS_AVAILABLE {
            return Err(SmsGatewayConfigError(
                "sms_gateway_url: 此版本未启用 TLS，请通过本地 http:// 出口代理访问短信网关"
                    .to_owned(),
            ));
        }
        if !scheme_ok || base.len() <= "http://".len() {
            return Err(SmsGatewayConfigError(
                "sms_gateway_url: 应为 http://主机[:端口][/路径]".to_owned(),
            ));
        }
        let key = api_key.trim();
        if key.is_empty() {
            return Err(SmsGatewayConfigError("sms_api_key: 不能为空".to_owned()));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
            SmsGatewayConfigError("sms_api_key: 含有不能用于HTTP头的字符".to_owned())
        })?;
        auth.set_sensitive(true);
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SmsGatewayConfigError(format!("HTTP client: {e}")))?;
        Ok(Self {
            base_url: base.to_owned(),
            endpoint: format!("{base}/v1/messages"),
            auth,
            client,
        })
    }

    /// The gateway's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// A short description of a transport error, without the URL or any request content.
fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        format!("timeout after {} s", REQUEST_TIMEOUT.as_secs())
    } else if err.is_connect() {
        "connection to the SMS gateway failed".to_owned()
    } else if err.is_body() || err.is_decode() {
        "unreadable answer from the SMS gateway".to_owned()
    } else {
        "request to the SMS gateway failed".to_owned()
    }
}

/// A gateway error code worth keeping: at most 64 ASCII letters, digits, `_`, `-` or `.`, with
/// at most 6 digits (so that it cannot be a phone number).
fn safe_code(code: Option<String>) -> Option<String> {
    code.filter(|c| {
        !c.is_empty()
            && c.len() <= 64
            && c.chars().filter(char::is_ascii_digit).count() <= 6
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.'))
    })
}

#[async_trait::async_trait]
impl SmsGateway for HttpSmsGateway {
    async fn send(
        &self,
        to: &Phone,
        text: &str,
        idempotency_key: &str,
    ) -> Result<String, SmsSendError> {
        let body = serde_json::json!({
            "to": to.as_str(),
            "text": text,
            "idempotencyKey": idempotency_key,
        });
        let answer = self
            .client
            .post(&self.endpoint)
            .header(AUTHORIZATION, self.auth.clone())
            .json(&body)
            .send()
            .await;
        let resp = match answer {
            Ok(r) => r,
            Err(e) if e.is_builder() => {
                return Err(SmsSendError::Permanent(describe(&e)));
            }
            Err(e) => return Err(SmsSendError::Retryable(describe(&e))),
        };
        let status = resp.status();
        tracing::debug!(
            idempotency_key,
            status = status.as_u16(),
            "SMS gateway answered"
        );
        if status.is_success() {
            let accepted: Accepted = resp
                .json()
                .await
                .map_err(|e| SmsSendError::Retryable(describe(&e)))?;
            // Accepted but unreadable: retrying with the same idempotency key is harmless.
            return accepted
                .message_id
                .filter(|id| !id.trim().is_empty())
                .ok_or_else(|| {
                    SmsSendError::Retryable(format!("HTTP {} without messageId", status.as_u16()))
                });
        }
        let retryable = status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
            || status.is_server_error();
        let code = resp
            .json::<Rejected>()
            .await
            .ok()
            .and_then(|r| safe_code(r.code));
        let message = match code {
            Some(c) => format!("HTTP {} {c}", status.as_u16()),
            None => format!("HTTP {}", status.as_u16()),
        };
        if retryable {
            Err(SmsSendError::Retryable(message))
        } else {
            Err(SmsSendError::Permanent(message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_https_or_schemeless_url_or_an_empty_key_is_refused() {
        assert!(HttpSmsGateway::new("https://sms.example.com", "k").is_err());
        assert!(HttpSmsGateway::new("sms.example.com", "k").is_err());
        assert!(HttpSmsGateway::new("http://", "k").is_err());
        assert!(HttpSmsGateway::new("http://127.0.0.1:9", " ").is_err());
        assert!(HttpSmsGateway::new("http://127.0.0.1:9", "bad\nkey").is_err());
    }

    #[test]
    fn the_endpoint_is_v1_messages_under_the_base_url() {
        let g = HttpSmsGateway::new("http://127.0.0.1:9/sms/", "k").unwrap();
        assert_eq!(g.endpoint, "http://127.0.0.1:9/sms/v1/messages");
        assert_eq!(g.base_url(), "http://127.0.0.1:9/sms");
    }

    #[test]
    fn debug_output_hides_the_api_key() {
        let g = HttpSmsGateway::new("http://127.0.0.1:9", "top-secret-key").unwrap();
        let shown = format!("{g:?}");
        assert!(!shown.contains("top-secret-key"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn only_short_plain_gateway_codes_are_kept() {
        assert_eq!(
            safe_code(Some("INVALID_NUMBER".into())),
            Some("INVALID_NUMBER".into())
        );
        assert_eq!(safe_code(Some("E1001".into())), Some("E1001".into()));
        assert_eq!(safe_code(Some("13812345678".into())), None);
        assert_eq!(safe_code(Some("bad number 138".into())), None);
        assert_eq!(safe_code(Some(String::new())), None);
        assert_eq!(safe_code(None), None);
    }

    #[tokio::test]
    async fn an_unreachable_gateway_is_a_retryable_error() {
        // Port 9 (discard) on localhost is closed in any test environment worth the name.
        let g = HttpSmsGateway::new("http://127.0.0.1:9", "k").unwrap();
        let phone = Phone::parse("p", "13812345678").unwrap();
        let err = g.send(&phone, "text", "key").await.unwrap_err();
        assert!(err.is_retryable(), "{err:?}");
        assert!(!err.message().contains("13812345678"));
    }
}
