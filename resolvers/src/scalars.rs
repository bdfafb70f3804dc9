//! Custom scalars with their formats named by `@specifiedBy`, so that code generators map them
//! (GraphQL Code Generator's `scalars` config, Apollo's type policies): `DateTime` is
//! async-graphql's (RFC 3339 date-time); `NaiveDate` is this calendar date.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date without time zone (`NaiveDate` in the schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// 日期 — a calendar date without time zone: RFC 3339 `full-date`, `YYYY-MM-DD` (e.g.
/// `2026-12-02`).
#[Scalar(
    name = "NaiveDate",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("日期格式应为 YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Self(d)
    }
}

impl From<Date> for NaiveDate {
    fn from(d: Date) -> Self {
        d.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_full_dates_only() {
        let d = <Date as ScalarType>::parse(Value::String("2026-12-02".into())).unwrap();
        assert_eq!(d.to_value(), Value::String("2026-12-02".into()));
        for bad in ["2026-13-01", "2026-12-02T00:00:00Z", "20261202", ""] {
            assert!(
                <Date as ScalarType>::parse(Value::String(bad.into())).is_err(),
                "{bad}"
            );
        }
    }
}
