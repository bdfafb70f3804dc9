//! Stored answers read back fast. A submission's answers are a JSON object of question code to a
//! boolean, a number, a string or a list of option codes. Results and exports read them for every
//! submission in scope (hundreds of thousands), so they are parsed by one visitor that looks at the
//! JSON type once (serde's untagged enums buffer every value and retry each variant), and the
//! results tally borrows the strings from the row instead of copying them.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::Answer;

/// A string borrowed from the stored JSON when it holds no escapes, copied otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// One stored answer, its strings borrowed.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerRef<'a> {
    /// Yes/no.
    Bool(bool),
    /// Number or scale.
    Number(f64),
    /// Multiple choice.
    Codes(Vec<Cow<'a, str>>),
    /// Single choice, text, date, region code.
    Text(Cow<'a, str>),
}

impl AnswerRef<'_> {
    /// The owned answer.
    pub fn into_owned(self) -> Answer {
        match self {
            Self::Bool(b) => Answer::Bool(b),
            Self::Number(n) => Answer::Number(n),
            Self::Codes(c) => Answer::Codes(c.into_iter().map(Cow::into_owned).collect()),
            Self::Text(t) => Answer::Text(t.into_owned()),
        }
    }
}

struct AnswerVisitor;

impl<'de> Visitor<'de> for AnswerVisitor {
    type Value = AnswerRef<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, a number, a string or a list of option codes")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(AnswerRef::Bool(v))
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "answers are f64 as JSON numbers are"
    )]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(AnswerRef::Number(v as f64))
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "answers are f64 as JSON numbers are"
    )]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(AnswerRef::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(AnswerRef::Number(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(AnswerRef::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(AnswerRef::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(AnswerRef::Text(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut codes = Vec::with_capacity(seq.size_hint().unwrap_or(2));
        while let Some(Str(s)) = seq.next_element::<Str<'de>>()? {
            codes.push(s);
        }
        Ok(AnswerRef::Codes(codes))
    }
}

impl<'de> Deserialize<'de> for AnswerRef<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnswerVisitor)
    }
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        AnswerRef::deserialize(d).map(AnswerRef::into_owned)
    }
}

/// A submission's answers in stored order, strings borrowed: what the results tally walks.
#[derive(Debug, Default)]
pub struct Entries<'a>(pub Vec<(Str<'a>, AnswerRef<'a>)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("answers by question code")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(entry) = map.next_entry::<Str<'de>, AnswerRef<'de>>()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::Answers;

    #[test]
    fn stored_answers_read_as_the_untagged_form_wrote_them() {
        let answers: Answers = [
            ("a".to_owned(), Answer::Bool(true)),
            ("b".to_owned(), Answer::Number(3.0)),
            ("c".to_owned(), Answer::Number(-2.5)),
            ("d".to_owned(), Answer::Codes(vec!["X".into(), "Y".into()])),
            ("e".to_owned(), Answer::Text("带\"引号\"的文字".into())),
            ("f".to_owned(), Answer::Codes(vec![])),
        ]
        .into_iter()
        .collect();
        let json = serde_json::to_string(&answers).unwrap();
        assert_eq!(
            json,
            r#"{"a":true,"b":3.0,"c":-2.5,"d":["X","Y"],"e":"带\"引号\"的文字","f":[]}"#
        );
        let back: Answers = serde_json::from_str(&json).unwrap();
        assert_eq!(back, answers);
        // Integers written by other tools read as numbers.
        let ints: Answers = serde_json::from_str(r#"{"s":4,"n":-7}"#).unwrap();
        assert_eq!(ints["s"], Answer::Number(4.0));
        assert_eq!(ints["n"], Answer::Number(-7.0));
        // Borrowed where there is nothing to unescape, owned where there is.
        let entries: Entries<'_> = serde_json::from_str(&json).unwrap();
        assert_eq!(entries.0.len(), 6);
        assert!(
            matches!(&entries.0[3].1, AnswerRef::Codes(c) if matches!(c[0], Cow::Borrowed("X")))
        );
        assert!(
            matches!(&entries.0[4].1, AnswerRef::Text(Cow::Owned(t)) if t == "带\"引号\"的文字")
        );
    }

    #[test]
    fn what_is_not_an_answer_is_refused_without_panicking() {
        for bad in [
            r#"{"a":null}"#,
            r#"{"a":{"x":1}}"#,
            r#"{"a":[1,2]}"#,
            r#"{"a":[true]}"#,
            r#"["a"]"#,
            r#"{"a":"#,
        ] {
            assert!(serde_json::from_str::<Answers>(bad).is_err(), "{bad}");
            assert!(serde_json::from_str::<Entries<'_>>(bad).is_err(), "{bad}");
        }
    }
}
