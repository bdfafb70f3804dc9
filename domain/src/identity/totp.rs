//! Time-based one-time passwords with HMAC-SM3: RFC 6238 exactly (30-second steps from the Unix
//! epoch, 6 digits), over RFC 4226's HOTP — HMAC of the 8-byte big-endian counter, dynamic
//! truncation at the low nibble of the MAC's last byte — with SM3 as the hash. Any authenticator
//! that supports SM3 produces these codes; enrolment gives an `otpauth://` URI with
//! `algorithm=SM3`. A code is accepted for the current step ± 1, and never twice: the last step
//! used is stored on the account.
//!
//! Until December 2026 the MAC was taken over a length-prefixed counter (`be64(8) ‖ counter`),
//! which no standard authenticator produces. Codes of that construction are still accepted for
//! one release (`otp_accept_legacy`) so that nobody enrolled with it is locked out; each such
//! sign-in is flagged in its audit record.

use chrono::{DateTime, Utc};

use crate::crypto::{hmac_sm3, hmac_sm3_plain};

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Secret length, bytes (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// RFC 4226 dynamic truncation of a MAC to a `digits`-digit value.
fn truncate(mac: &[u8; 32], digits: u32) -> u32 {
    let offset = usize::from(mac[31] & 0x0f);
    let bin = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    bin % 10u32.pow(digits)
}

/// The HOTP value of `counter` under `secret`, with HMAC-SM3 (RFC 4226, 6 digits).
pub fn hotp_sm3(secret: &[u8], counter: u64) -> u32 {
    truncate(&hmac_sm3_plain(secret, &counter.to_be_bytes()), DIGITS)
}

/// The pre-standard construction (MAC over a length-prefixed counter), accepted for one release.
pub fn hotp_sm3_legacy(secret: &[u8], counter: u64) -> u32 {
    truncate(&hmac_sm3(secret, &[&counter.to_be_bytes()]), DIGITS)
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

/// A code that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched {
    /// The time step it belongs to.
    pub step: i64,
    /// It was a code of the pre-standard construction.
    pub legacy: bool,
}

/// The step `code` matches at `now` (± 1 step), if it is newer than `last_used`. With
/// `accept_legacy`, codes of the pre-standard construction match too (flagged).
pub fn verify(
    secret: &[u8],
    code: &str,
    now: DateTime<Utc>,
    last_used: Option<i64>,
    accept_legacy: bool,
) -> Option<Matched> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now);
    let candidates = || (current - 1..=current + 1).filter(|s| last_used.is_none_or(|l| *s > l));
    let matches = |f: fn(&[u8], u64) -> u32, s: i64| {
        u64::try_from(s)
            .ok()
            .is_some_and(|c| format!("{:06}", f(secret, c)) == code)
    };
    if let Some(step) = candidates().find(|s| matches(hotp_sm3, *s)) {
        return Some(Matched {
            step,
            legacy: false,
        });
    }
    if accept_legacy && let Some(step) = candidates().find(|s| matches(hotp_sm3_legacy, *s)) {
        return Some(Matched { step, legacy: true });
    }
    None
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

    /// RFC 6238's test seed (its SHA-1 column's key).
    const SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_matches_an_independent_hmac_sm3_implementation() {
        // Computed outside the project with Python's `hmac` over OpenSSL's SM3 and over the
        // pure-Python SM3 of the PyPI package gmssl, and with `openssl mac -digest SM3 HMAC`;
        // the same script reproduces RFC 4226 Appendix D with SHA-1.
        let expected = [
            945_255, 614_758, 741_643, 942_892, 611_831, 222_945, 160_250, 879_096, 688_380,
            175_218,
        ];
        let codes: Vec<u32> = (0..10).map(|c| hotp_sm3(SEED, c)).collect();
        assert_eq!(codes, expected);
    }

    #[test]
    fn totp_matches_rfc_6238_times_with_sm3() {
        // RFC 6238 Appendix B's instants, 6-digit codes with HMAC-SM3 (independent computation).
        for (t, code) in [
            (59, "614758"),
            (1_111_111_109, "578389"),
            (1_111_111_111, "739145"),
            (1_234_567_890, "982201"),
            (2_000_000_000, "639624"),
            (20_000_000_000, "363153"),
        ] {
            let at = DateTime::from_timestamp(t, 0).unwrap();
            assert_eq!(code_at(SEED, at), code, "t = {t}");
        }
    }

    #[test]
    fn codes_verify_once_within_one_step_either_way() {
        let t = DateTime::from_timestamp(1_764_460_800, 0).unwrap();
        let code = code_at(SEED, t);
        assert_eq!(code.len(), 6);
        let m = verify(SEED, &code, t, None, false).unwrap();
        assert_eq!(
            m,
            Matched {
                step: step_of(t),
                legacy: false
            }
        );
        // Replay of the same step is refused.
        assert_eq!(verify(SEED, &code, t, Some(m.step), false), None);
        // Clock skew of one step is tolerated, two is not.
        assert!(verify(SEED, &code, t + chrono::Duration::seconds(30), None, false).is_some());
        assert!(verify(SEED, &code, t + chrono::Duration::seconds(90), None, false).is_none());
        assert!(verify(SEED, "12a456", t, None, false).is_none());
        assert!(verify(SEED, "1234567", t, None, false).is_none());
        assert!(verify(b"another secret......", &code, t, None, false).is_none());
    }

    #[test]
    fn legacy_codes_pass_only_when_allowed_and_are_flagged() {
        let t = DateTime::from_timestamp(1_764_460_800, 0).unwrap();
        let step = step_of(t);
        let legacy = format!("{:06}", hotp_sm3_legacy(SEED, step as u64));
        assert_ne!(legacy, code_at(SEED, t), "the two constructions differ");
        assert_eq!(verify(SEED, &legacy, t, None, false), None);
        assert_eq!(
            verify(SEED, &legacy, t, None, true),
            Some(Matched { step, legacy: true })
        );
        // A standard code is never reported as legacy.
        assert_eq!(
            verify(SEED, &code_at(SEED, t), t, None, true),
            Some(Matched {
                step,
                legacy: false
            })
        );
    }

    #[test]
    fn the_uri_names_sm3_and_round_trips_the_secret() {
        let uri = otpauth_uri("district_admin_310115", SEED);
        assert!(uri.starts_with(
            "otpauth://totp/%E5%8A%A9%E6%AE%8B%E4%BA%91:district_admin_310115?secret="
        ));
        assert!(
            uri.contains("algorithm=SM3") && uri.contains("digits=6") && uri.contains("period=30")
        );
        assert_eq!(secret_from_base32(&secret_base32(SEED)).unwrap(), SEED);
        assert_eq!(secret_base32(SEED), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }
}
