//! Disability certificate number (残疾人证号): the holder's ID number followed by the category
//! digit and the level digit.

use crate::error::{DomainError, DomainResult};

use super::IdNumber;

/// Disability category (残疾类别), digit 19 of the certificate number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DisabilityCategory {
    /// 1 视力残疾
    Vision = 1,
    /// 2 听力残疾
    Hearing = 2,
    /// 3 言语残疾
    Speech = 3,
    /// 4 肢体残疾
    Physical = 4,
    /// 5 智力残疾
    Intellectual = 5,
    /// 6 精神残疾
    Mental = 6,
    /// 7 多重残疾
    Multiple = 7,
}

impl DisabilityCategory {
    /// All categories in code order.
    pub const ALL: [Self; 7] = [
        Self::Vision,
        Self::Hearing,
        Self::Speech,
        Self::Physical,
        Self::Intellectual,
        Self::Mental,
        Self::Multiple,
    ];

    /// Parse the numeric code 1–7.
    pub fn from_code(field: &str, code: i32) -> DomainResult<Self> {
        Self::ALL
            .into_iter()
            .find(|c| *c as i32 == code)
            .ok_or_else(|| {
                DomainError::bad_input(
                    field,
                    "残疾类别应为1–7（1视力 2听力 3言语 4肢体 5智力 6精神 7多重）",
                )
            })
    }

    /// Numeric code 1–7.
    pub fn code(self) -> i16 {
        self as i16
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Vision => "视力残疾",
            Self::Hearing => "听力残疾",
            Self::Speech => "言语残疾",
            Self::Physical => "肢体残疾",
            Self::Intellectual => "智力残疾",
            Self::Mental => "精神残疾",
            Self::Multiple => "多重残疾",
        }
    }
}

/// Disability level (残疾等级), 1 (most severe) to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DisabilityLevel(u8);

impl DisabilityLevel {
    /// Parse the level 1–4.
    pub fn from_code(field: &str, code: i32) -> DomainResult<Self> {
        match u8::try_from(code) {
            Ok(l @ 1..=4) => Ok(Self(l)),
            _ => Err(DomainError::bad_input(field, "残疾等级应为1–4（1级最重）")),
        }
    }

    /// Numeric level 1–4.
    pub fn code(self) -> i16 {
        i16::from(self.0)
    }
}

/// A certificate number consistent with its holder's ID number.
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateNumber {
    value: String,
    category: DisabilityCategory,
    level: DisabilityLevel,
}

impl std::fmt::Debug for CertificateNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CertificateNumber({})",
            crate::policy::mask_certificate(&self.value)
        )
    }
}

/// Check a certificate's "valid until" date against `today`: not before the first certificates
/// were issued (1995), and not further ahead than the longest validity (10 years, with a year's
/// grace for a certificate issued late in a year).
pub fn check_valid_until(
    field: &str,
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> DomainResult<chrono::NaiveDate> {
    let earliest = chrono::NaiveDate::from_ymd_opt(1995, 1, 1).unwrap_or(chrono::NaiveDate::MIN);
    let latest = today
        .checked_add_months(chrono::Months::new(12 * 11))
        .unwrap_or(chrono::NaiveDate::MAX);
    if date < earliest || date > latest {
        return Err(DomainError::bad_input(
            field,
            format!("证件有效期应在1995-01-01至{latest}之间（残疾人证有效期最长10年）"),
        ));
    }
    Ok(date)
}

impl CertificateNumber {
    /// Parse `raw` and check it against the holder's ID number.
    pub fn parse(field: &str, raw: &str, holder: &IdNumber) -> DomainResult<Self> {
        let s = raw.trim().to_ascii_uppercase();
        if s.len() != 20 || !s.is_ascii() {
            return Err(DomainError::bad_input(
                field,
                "残疾人证号应为20位：身份证号码+类别位+等级位",
            ));
        }
        if &s[..18] != holder.as_str() {
            return Err(DomainError::bad_input(
                field,
                "残疾人证号前18位与身份证号码不一致",
            ));
        }
        let digit = |i: usize| i32::from(s.as_bytes()[i]) - i32::from(b'0');
        let category = DisabilityCategory::from_code(field, digit(18))?;
        let level = DisabilityLevel::from_code(field, digit(19))?;
        Ok(Self {
            value: s,
            category,
            level,
        })
    }

    /// Compose the number from its parts.
    pub fn compose(
        holder: &IdNumber,
        category: DisabilityCategory,
        level: DisabilityLevel,
    ) -> Self {
        Self {
            value: format!("{}{}{}", holder.as_str(), category.code(), level.code()),
            category,
            level,
        }
    }

    /// The full number.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Category encoded in the number.
    pub fn category(&self) -> DisabilityCategory {
        self.category
    }

    /// Level encoded in the number.
    pub fn level(&self) -> DisabilityLevel {
        self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> IdNumber {
        IdNumber::parse("idNumber", "11010519491231002X").unwrap()
    }

    #[test]
    fn parses_category_and_level() {
        let c = CertificateNumber::parse("c", "11010519491231002X12", &holder()).unwrap();
        assert_eq!(c.category(), DisabilityCategory::Vision);
        assert_eq!(c.level().code(), 2);
    }

    #[test]
    fn rejects_a_number_of_another_person() {
        let err = CertificateNumber::parse("c", "11010519491231003312", &holder()).unwrap_err();
        assert!(err.to_string().contains("不一致"), "{err}");
    }

    #[test]
    fn rejects_out_of_range_category_and_level() {
        assert!(CertificateNumber::parse("c", "11010519491231002X82", &holder()).is_err());
        assert!(CertificateNumber::parse("c", "11010519491231002X15", &holder()).is_err());
        assert!(CertificateNumber::parse("c", "11010519491231002X10", &holder()).is_err());
        assert!(CertificateNumber::parse("c", "11010519491231002X1", &holder()).is_err());
    }

    #[test]
    fn compose_matches_parse() {
        let c = CertificateNumber::compose(
            &holder(),
            DisabilityCategory::Mental,
            DisabilityLevel::from_code("l", 4).unwrap(),
        );
        assert_eq!(
            CertificateNumber::parse("c", c.as_str(), &holder()).unwrap(),
            c
        );
    }

    #[test]
    fn validity_dates_must_be_plausible() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let d = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert!(check_valid_until("v", d(2036, 12, 1), today).is_ok());
        assert!(
            check_valid_until("v", d(2020, 1, 1), today).is_ok(),
            "expired is recorded"
        );
        assert!(check_valid_until("v", d(1994, 12, 31), today).is_err());
        assert!(check_valid_until("v", d(2099, 1, 1), today).is_err());
        assert!(check_valid_until("v", d(1, 1, 1), today).is_err());
    }
}
