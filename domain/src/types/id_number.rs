//! 18-digit resident identity number (GB 11643-1999) with its ISO 7064 MOD 11-2 check digit.

use chrono::{Datelike, NaiveDate, Utc};

use crate::error::{DomainError, DomainResult};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// Sex, as encoded in digit 17 of the ID number (odd: male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

impl Sex {
    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Male => "MALE",
            Self::Female => "FEMALE",
        }
    }

    /// Parse the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "MALE" => Some(Self::Male),
            "FEMALE" => Some(Self::Female),
            _ => None,
        }
    }
}

/// A valid 18-character ID number (upper-case `X` as check character).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    // Never print the full number, not even in Debug output that might reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", crate::policy::mask_id_number(&self.0))
    }
}

impl IdNumber {
    /// Parse and check an ID number; `field` names the input field in the error.
    pub fn parse(field: &str, raw: &str) -> DomainResult<Self> {
        let s = raw.trim().to_ascii_uppercase();
        let bad = |m: &str| Err(DomainError::bad_input(field, m));
        if s.chars().count() != 18 {
            return bad("身份证号码应为18位");
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return bad("身份证号码前17位应为数字");
        }
        if !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return bad("身份证号码第18位应为数字或X");
        }
        if !(b'1'..=b'9').contains(&bytes[0]) {
            return bad("身份证号码地址码无效");
        }
        let sum: u32 = bytes[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        let expected = CHECK[(sum % 11) as usize];
        if bytes[17] != expected {
            return bad("身份证号码校验位错误");
        }
        let birth = Self::birth_date_of(&s)
            .ok_or_else(|| DomainError::bad_input(field, "身份证号码中的出生日期无效"))?;
        let today = Utc::now().date_naive();
        if birth > today || birth.year() < 1890 {
            return bad("身份证号码中的出生日期不在合理范围内");
        }
        Ok(Self(s))
    }

    fn birth_date_of(s: &str) -> Option<NaiveDate> {
        let y = s.get(6..10)?.parse().ok()?;
        let m = s.get(10..12)?.parse().ok()?;
        let d = s.get(12..14)?.parse().ok()?;
        NaiveDate::from_ymd_opt(y, m, d)
    }

    /// Build the ID number for a region prefix, birth date and sequence (check digit computed).
    /// Used by the demo-data generator; `prefix6` must be six digits and `seq` below 1000.
    pub fn compose(prefix6: &str, birth: NaiveDate, seq: u16) -> DomainResult<Self> {
        let body = format!("{prefix6}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
        let sum: u32 = body
            .bytes()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
            .sum();
        let check = char::from(CHECK[(sum % 11) as usize]);
        Self::parse("idNumber", &format!("{body}{check}"))
    }

    /// The number as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Date of birth encoded in digits 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        // Checked in `parse`; the fallback is unreachable for a constructed value.
        Self::birth_date_of(&self.0).unwrap_or_default()
    }

    /// Sex encoded in digit 17.
    pub fn sex(&self) -> Sex {
        let d = self.0.as_bytes()[16] - b'0';
        if d % 2 == 1 { Sex::Male } else { Sex::Female }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_standard_example_with_x_check_digit() {
        let id = IdNumber::parse("f", "11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn rejects_a_wrong_check_digit() {
        let err = IdNumber::parse("idNumber", "110105194912310021").unwrap_err();
        assert!(err.to_string().contains("校验位"), "{err}");
        assert!(err.to_string().starts_with("idNumber"));
    }

    #[test]
    fn rejects_wrong_length_letters_and_impossible_dates() {
        assert!(IdNumber::parse("f", "1101051949123100").is_err());
        assert!(IdNumber::parse("f", "11010519491231002XX").is_err());
        assert!(IdNumber::parse("f", "1101051949123A002X").is_err());
        // 1949-02-30 does not exist; compose a correct check digit so only the date is wrong.
        let body = "31011519490230001";
        let sum: u32 = body
            .bytes()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        let raw = format!("{body}{}", char::from(CHECK[(sum % 11) as usize]));
        let err = IdNumber::parse("f", &raw).unwrap_err();
        assert!(err.to_string().contains("出生日期"), "{err}");
    }

    #[test]
    fn compose_round_trips_and_derives_sex() {
        let birth = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
        let id = IdNumber::compose("310115", birth, 123).unwrap();
        assert_eq!(id.birth_date(), birth);
        // Digit 17 is the last digit of the sequence, 3: odd, so male.
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn debug_output_is_masked() {
        let id = IdNumber::parse("f", "11010519491231002X").unwrap();
        assert_eq!(format!("{id:?}"), "IdNumber(110***********002X)");
    }
}
