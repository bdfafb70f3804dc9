//! A person's name as written on their ID card.

use super::text::is_invisible;
use crate::error::{DomainError, DomainResult};

/// 1–50 characters, no control or invisible characters (zero-width, bidi controls, BOM), no
/// digits; inner `·` allowed (e.g. 阿依古丽·买买提).
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
        if s.chars().any(|c| is_invisible(c) && c != ' ') {
            return Err(DomainError::bad_input(
                field,
                "姓名含有不可见字符（零宽字符、方向控制符等）",
            ));
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

    #[test]
    fn rejects_names_with_invisible_or_bidi_characters() {
        for raw in [
            "\u{200B}",
            "\u{202E}",
            "\u{2060}",
            "\u{FEFF}",
            "\u{200B}\u{202E}\u{2060}\u{FEFF}",
            "张\u{200B}三",
            "张三\u{202E}",
            "\u{3164}",
        ] {
            let err = PersonName::parse("n", raw).unwrap_err().to_string();
            assert!(
                err.contains("不可见") || err.contains("不能为空"),
                "{raw:?}: {err}"
            );
        }
        assert!(
            PersonName::parse("n", "Mary Smith").is_ok(),
            "an inner space is a space"
        );
    }
}
