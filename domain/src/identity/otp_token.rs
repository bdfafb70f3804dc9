//! Registering a GM/T 0021 hardware token (动态令牌) for a staff account: the security admin
//! enters the token's serial number and its seed from the vendor's seed file; the seed is stored
//! SM4-GCM encrypted and never shown again. The staff member then signs in with the token's
//! six-digit password in `otp`, like an authenticator's code.

use sea_orm::{ActiveModelTrait, Set};

use super::gmt0021::MIN_SEED_BYTES;
use super::staff::{needs_second_factor, token_aad};
use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::entities::account;
use crate::error::{DomainError, DomainResult};
use crate::viewer::{RequestMeta, Role, Viewer};

/// A token as registered.
#[derive(Debug, Clone)]
pub struct TokenRegistration {
    /// Serial number printed on the token.
    pub serial: String,
    /// Seed, hex.
    pub seed_hex: String,
    /// Time step in seconds (the standard allows 1–60; tokens use 60).
    pub step_secs: i32,
}

/// Check a registration's fields.
pub fn parse(
    serial: &str,
    seed_hex: &str,
    step_secs: Option<i32>,
) -> DomainResult<TokenRegistration> {
    let serial = serial.trim();
    if serial.is_empty()
        || serial.len() > 64
        || !serial
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(DomainError::bad_input(
            "serial",
            "令牌序列号应为1–64位字母、数字或连字符",
        ));
    }
    let seed = hex::decode(seed_hex.trim())
        .map_err(|_| DomainError::bad_input("seed", "种子密钥应为十六进制编码"))?;
    if seed.len() < MIN_SEED_BYTES || seed.len() > 64 {
        return Err(DomainError::bad_input(
            "seed",
            format!("种子密钥应为{MIN_SEED_BYTES}–64字节（GM/T 0021 要求至少128位）"),
        ));
    }
    let step = step_secs.unwrap_or(60);
    if !(1..=60).contains(&step) {
        return Err(DomainError::bad_input(
            "stepSeconds",
            "口令变化周期应为1–60秒（GM/T 0021）",
        ));
    }
    Ok(TokenRegistration {
        serial: serial.to_owned(),
        seed_hex: hex::encode(seed),
        step_secs: step,
    })
}

/// A security admin registers a hardware token for a staff account (replacing any earlier one).
pub async fn register(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
    token: TokenRegistration,
) -> DomainResult<()> {
    if viewer.role != Role::SecurityAdmin {
        return Err(DomainError::Forbidden("仅安全管理员可登记动态令牌"));
    }
    let a = super::admin::target(p, viewer, username).await?;
    let staff = Role::from_code(&a.role).is_some_and(needs_second_factor);
    if !staff {
        return Err(DomainError::bad_input(
            "username",
            "只有已授权的工作人员账户使用动态令牌",
        ));
    }
    let enc = p.cipher.encrypt(token_aad(&a.id), &token.seed_hex)?;
    let w = p.db.begin_write().await?;
    let mut m: account::ActiveModel = a.clone().into();
    m.otp_token_serial = Set(Some(token.serial.clone()));
    m.otp_token_seed_enc = Set(Some(enc));
    m.otp_token_step_secs = Set(Some(token.step_secs));
    m.otp_token_last_step = Set(None);
    m.update(&w.txn).await?;
    audit::append(
        &w.txn,
        p.audit_key(),
        &Actor::of(viewer, meta),
        AuditEntry {
            operation: "auth.otp_token.register",
            object_type: "account",
            object_id: a.id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!("serial={} step={}", token.serial, token.step_secs),
        },
    )
    .await?;
    w.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_serials_and_steps_are_checked() {
        let ok = parse("GM-0001", "1234567890abcdef1234567890abcdef", None).unwrap();
        assert_eq!(ok.step_secs, 60);
        assert!(parse("GM-0001", "1234", None).is_err(), "under 128 bits");
        assert!(parse("GM-0001", "zz", None).is_err(), "not hex");
        assert!(parse("", "1234567890abcdef1234567890abcdef", None).is_err());
        assert!(parse("a b", "1234567890abcdef1234567890abcdef", None).is_err());
        assert!(parse("GM-1", "1234567890abcdef1234567890abcdef", Some(61)).is_err());
        assert!(parse("GM-1", "1234567890abcdef1234567890abcdef", Some(0)).is_err());
    }
}
