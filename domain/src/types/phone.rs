//! Mainland China mobile phone number.

use crate::error::{DomainError, DomainResult};

/// An 11-digit mobile number starting with 13–19.
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", crate::policy::mask_phone(&self.0))
    }
}

impl Phone {
    /// Parse a number, accepting a `+86`/`86` prefix and spaces or dashes between digits.
    pub fn parse(field: &str, raw: &str) -> DomainResult<Self> {
        if raw.len() > 32 {
            return Err(DomainError::bad_input(field, "手机号码过长"));
        }
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11))
            .unwrap_or(&digits);
        let b = digits.as_bytes();
        if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) {
            return Err(DomainError::bad_input(field, "手机号码应为11位数字"));
        }
        if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
            return Err(DomainError::bad_input(
                field,
                "手机号码号段无效（应以13–19开头）",
            ));
        }
        Ok(Self(digits.to_owned()))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_forms() {
        for raw in ["13812345678", "+86 138-1234-5678", "8613812345678"] {
            assert_eq!(
                Phone::parse("p", raw).unwrap().as_str(),
                "13812345678",
                "{raw}"
            );
        }
    }

    #[test]
    fn rejects_landlines_short_numbers_and_letters() {
        for raw in [
            "02112345678",
            "1381234567",
            "1381234567a",
            "12812345678",
            "",
        ] {
            assert!(Phone::parse("p", raw).is_err(), "{raw}");
        }
    }
}
