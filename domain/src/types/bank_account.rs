//! Bank card and passbook numbers (R33): a card number is 16–19 digits whose last is the Luhn
//! check digit (ISO/IEC 7812-1, checked by the `luhn3` crate); a passbook account number is
//! 12–22 digits. Spaces and hyphens people type are dropped. Masked as `6222 **** **** 1234`.

use crate::error::{DomainError, DomainResult};

/// What kind of account the number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountNumberKind {
    /// 银行卡
    Card,
    /// 存折
    Passbook,
}

/// A validated bank card or passbook number (digits only).
#[derive(Clone, PartialEq, Eq)]
pub struct AccountNumber(String);

impl std::fmt::Debug for AccountNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the number itself in logs or panics.
        write!(f, "AccountNumber({})", mask_account_number(&self.0))
    }
}

impl AccountNumber {
    /// Parse `raw` as a number of `kind`; `field` names the input in the error.
    pub fn parse(field: &str, kind: AccountNumberKind, raw: &str) -> DomainResult<Self> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::bad_input(field, "账号只能包含数字"));
        }
        match kind {
            AccountNumberKind::Card => {
                if !(16..=19).contains(&digits.len()) {
                    return Err(DomainError::bad_input(
                        field,
                        "银行卡号应为 16 至 19 位数字",
                    ));
                }
                if !luhn3::valid(digits.as_bytes()) {
                    return Err(DomainError::bad_input(
                        field,
                        "银行卡号校验位不正确（未通过 Luhn 校验），请核对卡号",
                    ));
                }
            }
            AccountNumberKind::Passbook => {
                if !(12..=22).contains(&digits.len()) {
                    return Err(DomainError::bad_input(
                        field,
                        "存折账号应为 12 至 22 位数字",
                    ));
                }
            }
        }
        Ok(Self(digits))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

/// `6222 **** **** 1234`: the first and last four digits.
pub fn mask_account_number(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head} **** **** {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_pass_luhn_and_passbooks_have_their_shape() {
        // Test card numbers published by the card schemes (Luhn-valid).
        for ok in [
            "4111111111111111",
            "5555 5555 5555 4444",
            "3782-8224-6310-005x",
        ] {
            let n = AccountNumber::parse("n", AccountNumberKind::Card, ok);
            // The American Express test number has 15 digits (and a stray letter here): refused.
            assert_eq!(n.is_ok(), !ok.contains('x'), "{ok}");
        }
        assert!(AccountNumber::parse("n", AccountNumberKind::Card, "4111111111111121").is_err());
        assert!(AccountNumber::parse("n", AccountNumberKind::Card, "411111111111").is_err());
        assert!(AccountNumber::parse("n", AccountNumberKind::Card, "41111111111a1111").is_err());
        // A valid 19-digit number built from its body and the crate's check digit.
        let body = "622202000000000000";
        let check = luhn3::checksum(body.as_bytes()).unwrap();
        let full = format!("{body}{}", char::from(check));
        assert!(AccountNumber::parse("n", AccountNumberKind::Card, &full).is_ok());
        assert!(AccountNumber::parse("n", AccountNumberKind::Passbook, "03389100012345").is_ok());
        assert!(AccountNumber::parse("n", AccountNumberKind::Passbook, "12345").is_err());
        let n = AccountNumber::parse("n", AccountNumberKind::Card, "4111111111111111").unwrap();
        assert_eq!(mask_account_number(n.as_str()), "4111 **** **** 1111");
        assert_eq!(n.last4(), "1111");
        assert!(!format!("{n:?}").contains("41111111"));
    }
}
