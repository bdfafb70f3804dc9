//! Money in fen (分), parsed from yuan as people write it: `12`, `12.3`, `12.34`. Never a float:
//! a fraction of a fen, zero, a negative amount or more than ten million yuan is refused.

use crate::error::{DomainError, DomainResult};

/// Largest single amount accepted: ten million yuan.
pub const MAX_FEN: i64 = 1_000_000_000;

/// Largest total accepted (a batch's sum): one hundred billion yuan.
pub const MAX_TOTAL_FEN: i64 = 10_000_000_000_000;

/// Fen from a yuan amount as people write it (`12`, `12.3`, `¥1,024.50`); not negative, at most
/// two decimals. Limits are the caller's.
fn yuan_to_fen(field: &str, raw: &str) -> DomainResult<i64> {
    let bad = |m: &str| DomainError::bad_input(field, m);
    let s = raw.trim().trim_start_matches(['¥', '￥']).replace(',', "");
    if s.starts_with('-') {
        return Err(bad("金额必须大于零"));
    }
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("金额格式不正确，应为元，如 128.50"));
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("金额格式不正确，应为元，如 128.50"));
    }
    if frac.len() > 2 {
        return Err(bad("金额最多精确到分（两位小数）"));
    }
    if int.len() > 14 {
        return Err(bad("金额过大"));
    }
    let yuan: i64 = int.parse().map_err(|_| bad("金额格式不正确"))?;
    let cents: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    Ok(yuan.saturating_mul(100).saturating_add(cents))
}

/// A positive amount of money in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fen(i64);

impl Fen {
    /// Parse a yuan amount (`"1234.56"`); `field` names the input in the error.
    pub fn parse_yuan(field: &str, raw: &str) -> DomainResult<Self> {
        Self::from_fen(field, yuan_to_fen(field, raw)?)
    }

    /// Parse a yuan total that may exceed one payment's limit (a batch's total, confirmed by a
    /// checker): zero or more, at most [`MAX_TOTAL_FEN`].
    pub fn parse_total_yuan(field: &str, raw: &str) -> DomainResult<i64> {
        let fen = yuan_to_fen(field, raw)?;
        if fen > MAX_TOTAL_FEN {
            return Err(DomainError::bad_input(field, "合计金额过大"));
        }
        Ok(fen)
    }

    /// A count of fen (`> 0`, at most [`MAX_FEN`]).
    pub fn from_fen(field: &str, fen: i64) -> DomainResult<Self> {
        if fen <= 0 {
            return Err(DomainError::bad_input(field, "金额必须大于零"));
        }
        if fen > MAX_FEN {
            return Err(DomainError::bad_input(field, "单笔金额不能超过一千万元"));
        }
        Ok(Self(fen))
    }

    /// The amount in fen.
    pub fn fen(self) -> i64 {
        self.0
    }

    /// `1234.50`
    pub fn yuan_text(fen: i64) -> String {
        let sign = if fen < 0 { "-" } else { "" };
        let a = fen.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_totals_may_exceed_one_payments_limit() {
        assert_eq!(
            Fen::parse_total_yuan("t", "17,400,000.00").unwrap(),
            1_740_000_000
        );
        assert_eq!(Fen::parse_total_yuan("t", "0").unwrap(), 0);
        assert!(Fen::parse_yuan("t", "17400000").is_err());
        assert!(Fen::parse_total_yuan("t", "-1").is_err());
        assert!(Fen::parse_total_yuan("t", "100000000001").is_err());
    }

    #[test]
    fn yuan_parse_to_exact_fen_and_the_rest_is_refused() {
        for (raw, fen) in [
            ("12", 1200),
            ("12.3", 1230),
            ("12.34", 1234),
            ("0.01", 1),
            (" ¥1,024.50 ", 102_450),
        ] {
            assert_eq!(Fen::parse_yuan("a", raw).unwrap().fen(), fen, "{raw}");
        }
        for raw in [
            "0",
            "0.00",
            "-5",
            "1.234",
            "abc",
            "",
            ".5",
            "1e3",
            "12.",
            "10000000.01",
        ] {
            let r = Fen::parse_yuan("a", raw);
            // "12." has an empty fraction: twelve yuan, accepted as written.
            if raw == "12." {
                assert_eq!(r.unwrap().fen(), 1200);
            } else {
                assert!(r.is_err(), "{raw}");
            }
        }
        assert_eq!(Fen::yuan_text(102_450), "1024.50");
        assert_eq!(Fen::yuan_text(-5), "-0.05");
    }
}
