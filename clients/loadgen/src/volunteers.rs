//! Creating (or re-using) the load volunteers: register, verify as the street admin, sign in, go
//! on duty, report a location near 陆家嘴.

use anyhow::{Context as _, bail};
use chrono::{Days, NaiveDate};
use serde_json::json;

use crate::gql::{Gql, str_at};

/// Near the Oriental Pearl Tower, 陆家嘴 (the demo volunteers' centre too).
pub const LUJIAZUI: (f64, f64) = (31.2397, 121.4998);

/// The street-town every load volunteer serves (陆家嘴街道).
pub const STREET: &str = "310115005";

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The GB 11643 check character of the first 17 digits.
pub fn check_digit(first17: &str) -> anyhow::Result<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        bail!("not 17 digits: {first17}");
    }
    let sum: u32 = b
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Ok(char::from(CHECK[(sum % 11) as usize]))
}

/// A small stable number from the run id (FNV-1a), so different runs get different ID numbers
/// and phones.
pub fn run_seed(run: &str) -> u64 {
    run.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A valid 18-digit 浦东新区 ID number for volunteer `i` of the run: birth date 1960-01-01 plus
/// `i` days (wrapping every 18,000), sequence code from the run.
pub fn id_number(seed: u64, i: usize) -> anyhow::Result<String> {
    let base = NaiveDate::from_ymd_opt(1960, 1, 1).context("base date")?;
    let days = u64::try_from(i % 18_000)?;
    let birth = base
        .checked_add_days(Days::new(days))
        .context("birth date")?;
    let seq = (600 + seed % 300 + u64::try_from(i / 18_000)?) % 1000;
    let first17 = format!("310115{}{seq:03}", birth.format("%Y%m%d"));
    Ok(format!("{first17}{}", check_digit(&first17)?))
}

/// An 11-digit mobile number starting with 15.
pub fn phone(seed: u64, i: usize) -> String {
    let n = (seed % 10_000) * 100_000 + (i as u64 % 100_000);
    format!("15{:09}", n % 1_000_000_000)
}

/// Volunteer `i` of `n`: on a golden-angle spiral within ~780 m of 陆家嘴.
pub fn location(i: usize, n: usize) -> (f64, f64) {
    let frac = (i as f64 + 0.5) / n.max(1) as f64;
    let metres = 780.0 * frac.sqrt();
    let angle = i as f64 * 2.399_963_229_728_653;
    let lat = LUJIAZUI.0 + metres * angle.cos() / 111_000.0;
    let lng = LUJIAZUI.1 + metres * angle.sin() / (111_000.0 * LUJIAZUI.0.to_radians().cos());
    (lat, lng)
}

/// `load_vol_<run>_<i>`.
pub fn username(run: &str, i: usize) -> String {
    format!("load_vol_{run}_{i}")
}

/// Sign in; returns the access token.
pub async fn login(gql: &Gql, op: &str, username: &str, password: &str) -> anyhow::Result<String> {
    login_with(gql, op, username, password, None).await
}

/// Sign in with a second factor computed from a TOTP-SM3 secret (base32), for staff accounts.
pub async fn login_with(
    gql: &Gql,
    op: &str,
    username: &str,
    password: &str,
    totp_secret: Option<&str>,
) -> anyhow::Result<String> {
    let otp = totp_secret
        .and_then(zhucan_domain::identity::totp::secret_from_base32)
        .map(|s| zhucan_domain::identity::totp::code_at(&s, chrono::Utc::now()));
    let data = gql
        .call(
            op,
            None,
            "mutation($i: LoginInput!) { login(input: $i) { accessToken expiresAt } }",
            json!({"i": {"username": username, "password": password, "otp": otp}}),
        )
        .await?;
    Ok(str_at(&data, "/login/accessToken")?.to_owned())
}

/// What one volunteer's set-up needs.
pub struct Setup<'a> {
    pub gql: &'a Gql,
    pub admin_token: &'a str,
    pub run: &'a str,
    pub seed: u64,
    pub total: usize,
    pub password: &'a str,
    pub reuse: bool,
}

/// Set up volunteer `i`; returns their access token.
pub async fn prepare(s: &Setup<'_>, i: usize) -> anyhow::Result<String> {
    let name = username(s.run, i);
    if !s.reuse {
        let data = s
            .gql
            .call(
                "registerVolunteer",
                None,
                "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { id status } }",
                json!({"i": {
                    "username": name,
                    "password": s.password,
                    "name": "压测志愿者",
                    "idNumber": id_number(s.seed, i)?,
                    "phone": phone(s.seed, i),
                    "skills": ["GUIDING"],
                    "serviceStreets": [STREET],
                    "consent": true,
                }}),
            )
            .await?;
        let id = str_at(&data, "/registerVolunteer/id")?.to_owned();
        let data = s
            .gql
            .call(
                "verifyVolunteer",
                Some(s.admin_token),
                "mutation($id: ID!) { verifyVolunteer(id: $id) { id status } }",
                json!({"id": id}),
            )
            .await?;
        let status = str_at(&data, "/verifyVolunteer/status")?;
        if status != "VERIFIED" {
            s.gql
                .errors
                .record("verifyVolunteer", &format!("status {status} after verify"));
            bail!("volunteer {name} is {status} after verify");
        }
    }
    let token = login(s.gql, "login (volunteer)", &name, s.password).await?;
    s.gql
        .call(
            "setVolunteerAvailability",
            Some(&token),
            "mutation { setVolunteerAvailability(available: true) { available status } }",
            json!({}),
        )
        .await?;
    let (lat, lng) = location(i, s.total);
    let data = s
        .gql
        .call(
            "reportVolunteerLocation",
            Some(&token),
            "mutation($lat: Float!, $lng: Float!) { reportVolunteerLocation(latitude: $lat, longitude: $lng) }",
            json!({"lat": lat, "lng": lng}),
        )
        .await?;
    if data.get("reportVolunteerLocation") != Some(&serde_json::Value::Bool(true)) {
        s.gql
            .errors
            .record("reportVolunteerLocation", &format!("answered {data}"));
        bail!("reportVolunteerLocation for {name} answered {data}");
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_matches_the_standard_example() {
        // GB 11643-1999's worked example.
        assert_eq!(check_digit("11010519491231002").unwrap(), 'X');
        assert_eq!(check_digit("44052418800101001").unwrap(), '4');
    }

    #[test]
    fn generated_id_numbers_are_distinct_and_well_formed() {
        let seed = run_seed("abc");
        let ids: std::collections::BTreeSet<String> =
            (0..2_000).map(|i| id_number(seed, i).unwrap()).collect();
        assert_eq!(ids.len(), 2_000);
        assert!(ids.iter().all(|s| s.len() == 18 && s.starts_with("310115")));
        let p = phone(seed, 7);
        assert_eq!(p.len(), 11);
        assert!(p.starts_with("15"));
    }

    #[test]
    fn locations_stay_within_800_metres() {
        for i in 0..1_000 {
            let (lat, lng) = location(i, 1_000);
            let dy = (lat - LUJIAZUI.0) * 111_000.0;
            let dx = (lng - LUJIAZUI.1) * 111_000.0 * LUJIAZUI.0.to_radians().cos();
            assert!((dx * dx + dy * dy).sqrt() <= 800.0);
        }
    }
}
