//! Check-in codes (R17, R29). The organiser's screen shows a code that changes every
//! [`STEP_SECS`] seconds: HMAC-SM3 of the activity's own secret over the activity id and the time
//! step, eight digits, as a QR payload `zhucan:checkin:<activity>:<code>` that an attendee's app
//! submits. An attendee's own pass (shown in their app for staff to scan) is the same over the
//! registration id. A code of the current or the previous step is accepted; an older one is
//! "expired", anything else (forged, another activity's) "invalid".

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::crypto::hmac_sm3;
use crate::error::{DomainError, DomainResult};

/// Seconds a code is shown before the next one.
pub const STEP_SECS: i64 = 30;
/// How far back an old code is recognised as expired rather than invalid (steps).
const RECOGNISED_STEPS: i64 = 120;
/// Digits of a code.
const DIGITS: u32 = 8;

/// A new activity's secret.
pub fn new_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut s = vec![0u8; 32];
    rand::rng().fill_bytes(&mut s);
    s
}

fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECS)
}

fn code_at(secret: &[u8], purpose: &[u8], subject: Uuid, step: i64) -> String {
    let mac = hmac_sm3(secret, &[purpose, subject.as_bytes(), &step.to_be_bytes()]);
    let n = u32::from_be_bytes([mac[0], mac[1], mac[2], mac[3]]) % 10u32.pow(DIGITS);
    format!("{n:08}")
}

/// The code an activity's screen shows at `at`, and until when it is shown.
pub fn activity_code(secret: &[u8], activity: Uuid, at: DateTime<Utc>) -> (String, DateTime<Utc>) {
    let step = step_of(at);
    let until = DateTime::from_timestamp((step + 1) * STEP_SECS, 0).unwrap_or(at);
    (code_at(secret, b"activity", activity, step), until)
}

/// The pass a registrant's app shows at `at`.
pub fn attendee_pass(secret: &[u8], registration: Uuid, at: DateTime<Utc>) -> String {
    code_at(secret, b"attendee", registration, step_of(at))
}

fn verify(
    secret: &[u8],
    purpose: &[u8],
    subject: Uuid,
    submitted: &str,
    at: DateTime<Utc>,
    field: &str,
) -> DomainResult<()> {
    let submitted = submitted.trim();
    if submitted.len() != DIGITS as usize || !submitted.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DomainError::bad_input(field, "签到码应为8位数字"));
    }
    let now = step_of(at);
    let matches = |step: i64| {
        let expected = code_at(secret, purpose, subject, step);
        // Constant time over the eight digits.
        expected
            .bytes()
            .zip(submitted.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    };
    if matches(now) || matches(now - 1) {
        return Ok(());
    }
    if (2..=RECOGNISED_STEPS).any(|back| matches(now - back)) {
        return Err(DomainError::bad_input(
            field,
            "签到码已过期，请扫描现场最新的二维码",
        ));
    }
    Err(DomainError::bad_input(
        field,
        "签到码无效（不是本活动的签到码）",
    ))
}

/// Check a code an attendee's app submitted for `activity`.
pub fn verify_activity_code(
    secret: &[u8],
    activity: Uuid,
    submitted: &str,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    let code = submitted
        .trim()
        .strip_prefix(&format!("zhucan:checkin:{activity}:"))
        .unwrap_or(submitted);
    verify(secret, b"activity", activity, code, at, "code")
}

/// Check an attendee's pass that staff scanned.
pub fn verify_attendee_pass(
    secret: &[u8],
    registration: Uuid,
    submitted: &str,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    verify(secret, b"attendee", registration, submitted, at, "pass")
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn message(r: DomainResult<()>) -> String {
        match r {
            Err(DomainError::BadInput { message, .. }) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_code_works_for_its_step_and_the_next_then_expires() {
        let secret = new_secret();
        let a = Uuid::now_v7();
        let t = Utc::now();
        let (code, until) = activity_code(&secret, a, t);
        assert!(until > t && until <= t + Duration::seconds(STEP_SECS));
        assert!(verify_activity_code(&secret, a, &code, t).is_ok());
        assert!(verify_activity_code(&secret, a, &format!("zhucan:checkin:{a}:{code}"), t).is_ok());
        assert!(verify_activity_code(&secret, a, &code, t + Duration::seconds(STEP_SECS)).is_ok());
        let late = t + Duration::seconds(STEP_SECS * 3);
        assert!(message(verify_activity_code(&secret, a, &code, late)).contains("过期"));
    }

    #[test]
    fn another_activitys_code_a_forged_one_and_another_secret_are_invalid() {
        let secret = new_secret();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let t = Utc::now();
        let (code_b, _) = activity_code(&secret, b, t);
        assert!(message(verify_activity_code(&secret, a, &code_b, t)).contains("无效"));
        let (code_a, _) = activity_code(&secret, a, t);
        let forged = if code_a == "12345678" {
            "87654321"
        } else {
            "12345678"
        };
        assert!(message(verify_activity_code(&secret, a, forged, t)).contains("无效"));
        assert!(verify_activity_code(&new_secret(), a, &code_a, t).is_err());
        assert!(message(verify_activity_code(&secret, a, "12ab", t)).contains("8位数字"));
        // An activity code is not an attendee pass for the same id, nor the other way round.
        assert!(verify_attendee_pass(&secret, a, &code_a, t).is_err());
        let pass = attendee_pass(&secret, a, t);
        assert!(verify_attendee_pass(&secret, a, &pass, t).is_ok());
    }
}
