//! Volunteers (R47, R50): real-name registration, admin verification and suspension in scope,
//! availability and live location while on duty.

mod register;
mod repo;
mod service;

pub use register::{VolunteerRegistration, register, volunteer_phone};
pub use repo::{VolunteerRepo, VolunteerStats, report_location, set_availability, set_status};
pub(crate) use service::view;
pub use service::{Volunteer, VolunteerService};

use crate::error::{DomainError, DomainResult};

/// What a volunteer can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Skill {
    /// 助盲引导
    Guiding,
    /// 手语
    SignLanguage,
    /// 轮椅协助
    Wheelchair,
    /// 陪伴
    Companionship,
    /// 急救
    FirstAid,
}

impl Skill {
    /// All skills.
    pub const ALL: [Self; 5] = [
        Self::Guiding,
        Self::SignLanguage,
        Self::Wheelchair,
        Self::Companionship,
        Self::FirstAid,
    ];

    /// Storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Guiding => "GUIDING",
            Self::SignLanguage => "SIGN_LANGUAGE",
            Self::Wheelchair => "WHEELCHAIR",
            Self::Companionship => "COMPANIONSHIP",
            Self::FirstAid => "FIRST_AID",
        }
    }

    /// Parse the comma-separated storage form (unknown codes are skipped).
    pub fn parse_list(stored: &str) -> Vec<Self> {
        stored
            .split(',')
            .filter_map(|c| Self::ALL.into_iter().find(|s| s.as_str() == c))
            .collect()
    }
}

/// Registration state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolunteerStatus {
    /// 待审核
    Pending,
    /// 已认证
    Verified,
    /// 已暂停
    Suspended,
}

impl VolunteerStatus {
    /// Storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Verified => "VERIFIED",
            Self::Suspended => "SUSPENDED",
        }
    }
}

/// Check a latitude/longitude pair (WGS-84), naming the fields in errors.
pub fn parse_location(lat: f64, lng: f64) -> DomainResult<(f64, f64)> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(DomainError::bad_input("latitude", "纬度应在-90到90之间"));
    }
    if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
        return Err(DomainError::bad_input("longitude", "经度应在-180到180之间"));
    }
    Ok((lat, lng))
}

/// Shanghai's extent (WGS-84), with a margin: from Jinshan in the south-west to the tip of
/// Chongming and the outer islands in the north-east.
pub const SHANGHAI_BOUNDS: ((f64, f64), (f64, f64)) = ((30.60, 120.80), (31.90, 122.30));

/// A location that must lie in Shanghai (guidance pickups: volunteers serve Shanghai's
/// street-towns only).
pub fn parse_shanghai_location(lat: f64, lng: f64) -> DomainResult<(f64, f64)> {
    let (lat, lng) = parse_location(lat, lng)?;
    let ((south, west), (north, east)) = SHANGHAI_BOUNDS;
    if !(south..=north).contains(&lat) || !(west..=east).contains(&lng) {
        return Err(DomainError::bad_input(
            "pickupLatitude",
            format!("上车地点不在上海市范围内（纬度{south}–{north}，经度{west}–{east}，WGS-84）"),
        ));
    }
    Ok((lat, lng))
}

/// Great-circle distance in metres (haversine, from the `geo` crate).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    use geo::{Distance, Haversine, Point};
    Haversine.distance(Point::new(a.1, a.0), Point::new(b.1, b.0))
}

/// A password acceptable for a self-registered account: at least 8 characters from at least three
/// of upper case, lower case, digits and symbols.
pub fn check_password(field: &str, pw: &str) -> DomainResult<()> {
    let classes = [
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if pw.chars().count() < 8
        || pw.chars().count() > 64
        || classes.iter().filter(|c| **c).count() < 3
    {
        return Err(DomainError::bad_input(
            field,
            "密码应为8–64位，且包含大写字母、小写字母、数字、符号中的至少三类",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_across_the_huangpu_river_is_about_two_kilometres() {
        // 陆家嘴 (Oriental Pearl Tower) to 南京东路 (the Bund end).
        let d = distance_m((31.2397, 121.4998), (31.2402, 121.4855));
        assert!((1_200.0..1_500.0).contains(&d), "{d}");
    }

    #[test]
    fn locations_and_passwords_are_checked() {
        assert!(parse_location(91.0, 0.0).is_err());
        assert!(parse_location(31.0, f64::NAN).is_err());
        assert!(check_password("p", "short1A").is_err());
        assert!(check_password("p", "alllowercase1").is_err());
        assert!(check_password("p", "Volunteer@2026").is_ok());
    }
}
