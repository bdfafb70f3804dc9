//! Free text with a length bound (addresses, reasons, notes).

use crate::error::{DomainError, DomainResult};

/// Trimmed, non-empty text of at most `max` characters without control characters
/// (line breaks allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText(String);

impl BoundedText {
    /// Parse `raw` for `field`.
    pub fn parse(field: &str, raw: &str, max: usize) -> DomainResult<Self> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(DomainError::bad_input(field, "不能为空"));
        }
        if s.chars().count() > max {
            return Err(DomainError::bad_input(
                field,
                format!("不能超过{max}个字符"),
            ));
        }
        if s.chars().any(|c| c.is_control() && c != '\n') {
            return Err(DomainError::bad_input(field, "含有控制字符"));
        }
        Ok(Self(s.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Take the string.
    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced() {
        assert!(BoundedText::parse("a", "浦东新区陆家嘴环路1000号", 200).is_ok());
        assert!(BoundedText::parse("a", "", 200).is_err());
        assert!(BoundedText::parse("a", &"路".repeat(201), 200).is_err());
        assert!(BoundedText::parse("a", "a\u{0}b", 200).is_err());
    }
}
