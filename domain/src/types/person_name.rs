//! A person's name as written on their ID card.

use crate::error::{DomainError, DomainResult};

/// 1–50 characters, no control characters, no digits; inner `·` allowed (e.g. 阿依古丽·买买提).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// Parse and trim a name.
    pub fn parse(field: &str, raw: &str) -> DomainResult<Self> {
        let s = raw.trim();
        let n = s.chars().count();
        if n == 0 {
            return Err(DomainError::bad_input(field, "姓名不能为空"));
        }
        if n > 50 {
            return Err(DomainError::bad_input(field, "姓名不能超过50个字符"));
        }
        if s.chars()
            .any(|c| c.is_control() || c.is_ascii_digit() || "<>{}[]\\/;\"'`$%".contains(c))
        {
            return Err(DomainError::bad_input(field, "姓名含有不允许的字符"));
        }
        Ok(Self(s.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_chinese_and_minority_names() {
        assert_eq!(PersonName::parse("n", " 张三 ").unwrap().as_str(), "张三");
        assert!(PersonName::parse("n", "阿依古丽·买买提").is_ok());
    }

    #[test]
    fn rejects_empty_oversize_and_markup() {
        assert!(PersonName::parse("n", "  ").is_err());
        assert!(PersonName::parse("n", &"张".repeat(51)).is_err());
        assert!(PersonName::parse("n", "<script>").is_err());
        assert!(PersonName::parse("n", "张3").is_err());
    }
}
