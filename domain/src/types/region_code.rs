//! Statistical division codes (统计用区划代码) of Shanghai: city, district, street-town, committee.
//! Shape is checked here; existence is checked against the region table by the region repository.

use crate::error::{DomainError, DomainResult};

/// Level of a region in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionLevel {
    /// 市 (310000)
    City = 1,
    /// 区 (6 digits)
    District = 2,
    /// 街镇 (9 digits)
    Street = 3,
    /// 居村委 (12 digits)
    Committee = 4,
}

impl RegionLevel {
    /// Stable code used in storage and the schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "CITY",
            Self::District => "DISTRICT",
            Self::Street => "STREET",
            Self::Committee => "COMMITTEE",
        }
    }
}

/// The city's code.
pub fn region_code_city() -> &'static str {
    CITY_CODE
}

/// The city's code.
pub const CITY_CODE: &str = "310000";

/// A well-formed Shanghai region code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

impl RegionCode {
    /// Parse the shape of a code: `310000`, a 6-digit district `31xxxx`, a 9-digit street-town or
    /// a 12-digit committee, all under Shanghai (`31`).
    pub fn parse(field: &str, raw: &str) -> DomainResult<Self> {
        let s = raw.trim();
        let ok_len = matches!(s.len(), 6 | 9 | 12);
        if !ok_len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::bad_input(
                field,
                "区划代码应为6位（区）、9位（街镇）或12位（居村委）数字",
            ));
        }
        if !s.starts_with("31") {
            return Err(DomainError::bad_input(field, "区划代码不属于上海市"));
        }
        Ok(Self(s.to_owned()))
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Level implied by the code's length.
    pub fn level(&self) -> RegionLevel {
        match self.0.len() {
            9 => RegionLevel::Street,
            12 => RegionLevel::Committee,
            _ if self.0 == CITY_CODE => RegionLevel::City,
            _ => RegionLevel::District,
        }
    }

    /// The district this code lies in (itself for a district; `None` for the city).
    pub fn district(&self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::City => None,
            _ => Some(Self(self.0[..6].to_owned())),
        }
    }

    /// The street-town this code lies in (`None` above street level).
    pub fn street(&self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Street | RegionLevel::Committee => Some(Self(self.0[..9].to_owned())),
            _ => None,
        }
    }

    /// Whether `other` lies within (or is) this region.
    pub fn contains(&self, other: &RegionCode) -> bool {
        self.level() == RegionLevel::City || other.0.starts_with(&self.0)
    }

    /// Wrap a code read back from the region table (already known to exist).
    pub fn from_trusted(code: String) -> Self {
        Self(code)
    }
}

impl std::fmt::Display for RegionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_containment() {
        let street = RegionCode::parse("r", "310115005").unwrap();
        assert_eq!(street.level(), RegionLevel::Street);
        assert_eq!(street.district().unwrap().as_str(), "310115");
        assert!(RegionCode::parse("r", "310115").unwrap().contains(&street));
        assert!(!RegionCode::parse("r", "310101").unwrap().contains(&street));
        assert!(RegionCode::parse("r", "310000").unwrap().contains(&street));
        assert_eq!(
            RegionCode::parse("r", "310000").unwrap().level(),
            RegionLevel::City
        );
    }

    #[test]
    fn rejects_other_provinces_and_bad_shapes() {
        for raw in ["110105", "3101150051", "31011a", "", "310115005001x"] {
            assert!(RegionCode::parse("r", raw).is_err(), "{raw}");
        }
    }
}
