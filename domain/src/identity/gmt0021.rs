//! Dynamic passwords of GM/T 0021-2012 (动态口令密码应用技术规范, also GB/T 38556-2020), the SM3
//! algorithm that China's hardware OTP tokens implement — the second kind of second factor:
//!
//! ```text
//! T  = floor(T0 / Tc)            8 bytes, big-endian (T0: UTC seconds; Tc: 1–60 s)
//! C  = event counter             4 bytes, big-endian (only when used)
//! Q  = challenge                 ≥ 4 bytes (only when used)
//! ID = T ‖ C ‖ Q, zero-padded at the end to 16 bytes
//! S  = SM3(K ‖ ID)               (plain SM3 of the seed then ID; K ≥ 16 bytes)
//! OD = S1 + S2 + … + S8 mod 2^32 (the eight big-endian 32-bit words of S)
//! P  = OD mod 10^N               (N = 6)
//! ```
//!
//! Pinned by ten vectors in the layout of the standard's appendix (K, T0, C, Q → P, with
//! Tc = 1), as shipped in GmSSL v2's `test/otptest.c` and reproduced outside the project with two
//! independent SM3 implementations. Tokens of the platform are time-based (no C, no Q).

use sm3::Digest;

/// Digits of a password.
pub const DIGITS: u32 = 6;
/// Shortest seed the standard allows (128 bits).
pub const MIN_SEED_BYTES: usize = 16;

/// The password for seed `key` at time factor `t` (already divided by the step), with an
/// optional event counter and challenge, `digits` long (at most 10).
pub fn password(key: &[u8], t: Option<u64>, c: Option<u32>, q: Option<&[u8]>, digits: u32) -> u64 {
    let mut id = Vec::with_capacity(16 + q.map_or(0, <[u8]>::len));
    if let Some(t) = t {
        id.extend_from_slice(&t.to_be_bytes());
    }
    if let Some(c) = c {
        id.extend_from_slice(&c.to_be_bytes());
    }
    if let Some(q) = q {
        id.extend_from_slice(q);
    }
    if id.len() < 16 {
        id.resize(16, 0);
    }
    let mut h = sm3::Sm3::new();
    h.update(key);
    h.update(&id);
    let s = h.finalize();
    let od = s.chunks_exact(4).fold(0u32, |acc, w| {
        acc.wrapping_add(u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
    });
    u64::from(od) % 10u64.pow(digits.min(10))
}

/// The 6-digit password of a time-based token at UTC second `t0` with step `step_secs`.
pub fn code_at(key: &[u8], t0: i64, step_secs: i64) -> String {
    let t = u64::try_from(t0.div_euclid(step_secs.max(1))).unwrap_or(0);
    format!(
        "{:0width$}",
        password(key, Some(t), None, None, DIGITS),
        width = DIGITS as usize
    )
}

/// The time factor `code` matches at UTC second `now` (± 1 step for clock drift), if newer than
/// `last_used`.
pub fn verify(
    key: &[u8],
    code: &str,
    now: i64,
    step_secs: i64,
    last_used: Option<i64>,
) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = step_secs.max(1);
    let current = now.div_euclid(step);
    (current - 1..=current + 1).find(|t| {
        last_used.is_none_or(|l| *t > l)
            && u64::try_from(*t).ok().is_some_and(|tf| {
                format!("{:06}", password(key, Some(tf), None, None, DIGITS)) == code
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The appendix-layout vectors: seed (hex), T0 with
    /// Tc = 1, event counter, challenge, password. From GmSSL v2 `test/otptest.c` (its printed
    /// keys have `e` misprinted as `c` in six rows; these are the corrected seeds, each the only
    /// correction that reproduces its password), reproduced with OpenSSL's SM3 and gmssl's.
    const VECTORS: [(&str, u64, u32, &str, &str); 10] = [
        (
            "1234567890abcdef1234567890abcdef",
            1_313_998_979,
            1234,
            "5678",
            "814095",
        ),
        (
            "1234567890abcdefabcdef1234567890",
            1_313_998_995,
            5621,
            "3698",
            "959691",
        ),
        (
            "1234567890abcdef0987654321abcdef",
            1_313_999_014,
            5621,
            "3698",
            "063014",
        ),
        (
            "1234567890abcdefabcdef0987654321",
            1_313_999_047,
            2053,
            "6984",
            "302593",
        ),
        (
            "87524138025adcfe2584376195abfedc",
            1_313_999_067,
            2058,
            "3024",
            "657337",
        ),
        (
            "87524138025adcfeabfedc2584376195",
            1_313_999_098,
            2056,
            "2018",
            "345821",
        ),
        (
            "adcfe87524138025abfedc2584376195",
            1_313_999_131,
            2358,
            "1036",
            "629660",
        ),
        (
            "58ade3698fe280cb6925010dd236caef",
            1_313_999_155,
            2547,
            "2058",
            "479821",
        ),
        (
            "58ade365201d80cbdd236caef6925010",
            1_313_999_174,
            6031,
            "2058",
            "893826",
        ),
        (
            "65201d80cb58ade3dd236caef6925010",
            1_313_999_189,
            6580,
            "1047",
            "607614",
        ),
    ];

    #[test]
    fn reproduces_the_standards_test_vectors() {
        for (key, t0, c, q, p) in VECTORS {
            let key = hex::decode(key).unwrap();
            let got = password(&key, Some(t0), Some(c), Some(q.as_bytes()), DIGITS);
            assert_eq!(format!("{got:06}"), p, "seed {}", hex::encode(&key));
        }
    }

    #[test]
    fn a_time_only_token_accepts_one_step_of_drift_and_never_a_replay() {
        let key = hex::decode("1234567890abcdef1234567890abcdef").unwrap();
        let now = 1_764_460_800;
        let code = code_at(&key, now, 60);
        let t = verify(&key, &code, now, 60, None).unwrap();
        assert_eq!(t, now / 60);
        assert_eq!(verify(&key, &code, now, 60, Some(t)), None, "replay");
        assert!(
            verify(&key, &code, now + 60, 60, None).is_some(),
            "one step late"
        );
        assert!(
            verify(&key, &code, now + 180, 60, None).is_none(),
            "three steps late"
        );
        assert!(verify(&key, "abcdef", now, 60, None).is_none());
        assert!(
            verify(&[9u8; 16], &code, now, 60, None).is_none(),
            "another seed"
        );
    }

    #[test]
    fn a_short_id_is_padded_with_zeros_to_sixteen_bytes() {
        // T alone (8 bytes) and T followed by eight zero bytes are the same ID.
        let key = [1u8; 16];
        let padded = {
            let mut h = sm3::Sm3::new();
            h.update(key);
            h.update(42u64.to_be_bytes());
            h.update([0u8; 8]);
            let s = h.finalize();
            let od = s.chunks_exact(4).fold(0u32, |a, w| {
                a.wrapping_add(u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
            });
            u64::from(od) % 1_000_000
        };
        assert_eq!(password(&key, Some(42), None, None, 6), padded);
    }
}
