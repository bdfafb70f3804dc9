//! Free text with a length bound (addresses, reasons, notes), and what "visible" means for text
//! people type: format characters (zero-width spaces and joiners, bidi controls, the BOM, word
//! joiners — Unicode category Cf) and fillers render as nothing.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::error::{DomainError, DomainResult};

/// Whether `c` shows nothing: whitespace, a format character (Cf) or a filler.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{FE00}'..='\u{FE0F}'
        )
}

/// Whether `c` changes the direction text is shown in (bidi embedding, override and isolate
/// controls, marks): a way to make text read differently from what it is.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Trimmed, non-empty text of at most `max` characters without control characters
/// (line breaks allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText(String);

impl BoundedText {
    /// Parse `raw` for `field`.
    pub fn parse(field: &str, raw: &str, max: usize) -> DomainResult<Self> {
        let s = raw.trim_matches(is_invisible);
        if s.is_empty() {
            return Err(DomainError::bad_input(field, "不能为空"));
        }
        if s.chars().any(is_bidi_control) {
            return Err(DomainError::bad_input(field, "含有改变文字方向的控制字符"));
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

    #[test]
    fn text_that_shows_nothing_or_turns_around_is_refused() {
        for raw in ["\u{200B}", "\u{FEFF}\u{2060}", " \u{200B} \u{3164} "] {
            assert!(BoundedText::parse("a", raw, 200).is_err(), "{raw:?}");
        }
        assert!(BoundedText::parse("a", "陆家嘴\u{202E}环路", 200).is_err());
        assert!(BoundedText::parse("a", "陆家嘴\u{2067}环路", 200).is_err());
        // Invisible characters around real text are trimmed like spaces.
        assert_eq!(
            BoundedText::parse("a", "\u{FEFF}陆家嘴环路\u{200B}", 200)
                .unwrap()
                .as_str(),
            "陆家嘴环路"
        );
    }
}
