//! Staff sign-in policy (GB/T 22239-2019 8.1.4.1): password complexity, history and age, forced
//! change at first sign-in, and the TOTP-SM3 second factor that admin roles cannot act without.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use uuid::Uuid;

use super::tokens::{IssuedToken, SessionStage, TokenService};
use super::totp;
use crate::audit::{self, Actor, AuditEntry};
use crate::crypto::{FieldAad, FieldCipher, PasswordHasher, verify_password};
use crate::db::Db;
use crate::entities::account;
use crate::error::{DomainError, DomainResult};
use crate::viewer::Role;

/// The policy in force.
#[derive(Debug, Clone, Copy)]
pub struct SignInPolicy {
    /// Admin roles must pass a second factor.
    pub require_second_factor: bool,
    /// Shortest password.
    pub password_min_length: usize,
    /// Character classes required (of lower, upper, digit, symbol).
    pub password_classes: usize,
    /// Earlier passwords that may not be reused.
    pub password_history: usize,
    /// Password lifetime (0: no expiry).
    pub password_max_age_days: i64,
    /// Accept TOTP codes of the pre-standard construction (one release of migration).
    pub accept_legacy_otp: bool,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self {
            require_second_factor: true,
            password_min_length: 8,
            password_classes: 3,
            password_history: 5,
            password_max_age_days: 90,
            accept_legacy_otp: true,
        }
    }
}

/// Whether a role signs in with a second factor (every staff role; not citizens or volunteers).
pub fn needs_second_factor(role: Role) -> bool {
    !matches!(role, Role::Citizen | Role::Volunteer)
}

/// Whether an account has a second factor in force (an authenticator, a UKey or a token).
pub fn has_second_factor(a: &account::Model) -> bool {
    a.totp_confirmed || a.sm2_public_key.is_some() || a.otp_token_seed_enc.is_some()
}

/// Where the seed of an account's GM/T 0021 token is encrypted.
pub fn token_aad(account: &Uuid) -> FieldAad<'_> {
    FieldAad {
        table: "accounts",
        column: "otp_token_seed",
        row: account,
    }
}

/// Where the TOTP secret of an account is encrypted.
pub fn totp_aad(account: &Uuid) -> FieldAad<'_> {
    FieldAad {
        table: "accounts",
        column: "totp_secret",
        row: account,
    }
}

/// Check a new password against the policy (and the username).
pub fn check_password(policy: &SignInPolicy, username: &str, password: &str) -> DomainResult<()> {
    let field = "newPassword";
    let n = password.chars().count();
    if n < policy.password_min_length {
        return Err(DomainError::bad_input(
            field,
            format!("密码至少{}个字符", policy.password_min_length),
        ));
    }
    if n > 128 {
        return Err(DomainError::bad_input(field, "密码不能超过128个字符"));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < policy.password_classes {
        return Err(DomainError::bad_input(
            field,
            format!(
                "密码须包含小写字母、大写字母、数字、符号中的至少{}类",
                policy.password_classes
            ),
        ));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(DomainError::bad_input(field, "密码不能包含用户名"));
    }
    Ok(())
}

/// The stage a freshly authenticated account's session starts in.
pub fn stage_after_sign_in(
    policy: &SignInPolicy,
    a: &account::Model,
    role: Role,
    now: DateTime<Utc>,
) -> SessionStage {
    let enrolled = has_second_factor(a);
    if policy.require_second_factor && needs_second_factor(role) && !enrolled {
        return SessionStage::SecondFactorEnrollment;
    }
    let expired = policy.password_max_age_days > 0
        && a.password_changed_at
            .is_some_and(|t| now - t > Duration::days(policy.password_max_age_days));
    if a.must_change_password || expired {
        return SessionStage::PasswordChange;
    }
    SessionStage::Full
}

/// An enrolment: the secret for the authenticator app.
#[derive(Debug, Clone)]
pub struct Enrollment {
    /// Base32 secret.
    pub secret: String,
    /// `otpauth://` URI (QR code content).
    pub uri: String,
}

async fn load(db: &Db, id: Uuid) -> DomainResult<account::Model> {
    account::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(DomainError::Unauthenticated("账户不存在"))
}

fn audit_entry(operation: &'static str, id: Uuid, result: &str) -> AuditEntry<'static> {
    AuditEntry {
        operation,
        object_type: "account",
        object_id: id.to_string(),
        result: result.to_owned(),
        detail: String::new(),
    }
}

/// Start (or restart, while not confirmed) enrolment of the second factor.
pub async fn enroll(
    db: &Db,
    cipher: &FieldCipher,
    actor: &Actor,
    account_id: Uuid,
) -> DomainResult<Enrollment> {
    let a = load(db, account_id).await?;
    if a.totp_confirmed {
        return Err(DomainError::Conflict(
            "已绑定动态口令；如需更换请联系安全管理员".to_owned(),
        ));
    }
    let mut secret = vec![0u8; totp::SECRET_BYTES];
    rand::rng().fill_bytes(&mut secret);
    let enc = cipher.encrypt(totp_aad(&a.id), &totp::secret_base32(&secret))?;
    let w = db.begin_write().await?;
    let mut m: account::ActiveModel = a.clone().into();
    m.totp_secret_enc = Set(Some(enc));
    m.totp_last_step = Set(None);
    m.update(&w.txn).await?;
    audit::append(
        &w.txn,
        cipher.keys().audit_key(),
        actor,
        audit_entry("auth.second_factor.enroll", a.id, "SUCCESS"),
    )
    .await?;
    w.commit().await?;
    Ok(Enrollment {
        secret: totp::secret_base32(&secret),
        uri: totp::otpauth_uri(&a.username, &secret),
    })
}

fn secret_of(cipher: &FieldCipher, a: &account::Model) -> DomainResult<Option<Vec<u8>>> {
    let Some(enc) = &a.totp_secret_enc else {
        return Ok(None);
    };
    let b32 = cipher.decrypt(totp_aad(&a.id), enc)?;
    Ok(totp::secret_from_base32(&b32))
}

/// How a dynamic password was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// It matched nothing (or was a replay).
    Failed,
    /// The authenticator's TOTP-SM3 code; `legacy` when of the pre-standard construction.
    Totp {
        /// Matched the pre-standard construction.
        legacy: bool,
    },
    /// The GM/T 0021 hardware token's password.
    Token,
}

impl CodeCheck {
    /// Whether the code passed.
    pub fn passed(self) -> bool {
        self != Self::Failed
    }

    /// What the audit record notes about it.
    pub fn detail(self) -> &'static str {
        match self {
            Self::Failed => "",
            Self::Totp { legacy: false } => "factor=TOTP_SM3",
            Self::Totp { legacy: true } => "factor=TOTP_SM3 legacy_otp=1",
            Self::Token => "factor=GMT0021",
        }
    }
}

/// Check a code against the account's authenticator secret, then its hardware token; on success
/// the step is stored (a code works once). Failures are audited by the caller.
pub async fn check_code<C: sea_orm::ConnectionTrait>(
    conn: &C,
    cipher: &FieldCipher,
    policy: &SignInPolicy,
    a: &account::Model,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<CodeCheck> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    if let Some(secret) = secret_of(cipher, a)?
        && let Some(m) = totp::verify(
            &secret,
            code,
            now,
            a.totp_last_step,
            policy.accept_legacy_otp,
        )
    {
        // Conditional: two concurrent uses of one code cannot both pass.
        let res = account::Entity::update_many()
            .col_expr(account::Column::TotpLastStep, Expr::value(Some(m.step)))
            .filter(account::Column::Id.eq(a.id))
            .filter(
                sea_orm::Condition::any()
                    .add(account::Column::TotpLastStep.is_null())
                    .add(account::Column::TotpLastStep.lt(m.step)),
            )
            .exec(conn)
            .await?;
        if res.rows_affected == 1 {
            return Ok(CodeCheck::Totp { legacy: m.legacy });
        }
    }
    if let Some(enc) = &a.otp_token_seed_enc {
        let seed = hex::decode(cipher.decrypt(token_aad(&a.id), enc)?)
            .map_err(|_| DomainError::internal("token seed is not hex"))?;
        let step = i64::from(a.otp_token_step_secs.unwrap_or(60));
        if let Some(t) =
            super::gmt0021::verify(&seed, code, now.timestamp(), step, a.otp_token_last_step)
        {
            let res = account::Entity::update_many()
                .col_expr(account::Column::OtpTokenLastStep, Expr::value(Some(t)))
                .filter(account::Column::Id.eq(a.id))
                .filter(
                    sea_orm::Condition::any()
                        .add(account::Column::OtpTokenLastStep.is_null())
                        .add(account::Column::OtpTokenLastStep.lt(t)),
                )
                .exec(conn)
                .await?;
            if res.rows_affected == 1 {
                return Ok(CodeCheck::Token);
            }
        }
    }
    Ok(CodeCheck::Failed)
}

/// Confirm enrolment with a first code; returns a token for the next stage.
pub async fn confirm(
    db: &Db,
    cipher: &FieldCipher,
    tokens: &TokenService,
    policy: &SignInPolicy,
    actor: &Actor,
    account_id: Uuid,
    code: &str,
) -> DomainResult<IssuedToken> {
    let a = load(db, account_id).await?;
    if a.totp_secret_enc.is_none() {
        return Err(DomainError::Conflict("请先获取动态口令密钥".to_owned()));
    }
    let now = Utc::now();
    let w = db.begin_write().await?;
    let check = if a.totp_confirmed {
        CodeCheck::Failed
    } else {
        check_code(&w.txn, cipher, policy, &a, code, now).await?
    };
    let ok = matches!(check, CodeCheck::Totp { legacy: false });
    let key = cipher.keys().audit_key();
    if !ok {
        audit::append(
            &w.txn,
            key,
            actor,
            audit_entry(
                "auth.second_factor.confirm",
                a.id,
                "FAILURE:UNAUTHENTICATED",
            ),
        )
        .await?;
        w.commit().await?;
        return Err(DomainError::Unauthenticated("动态口令错误或已使用"));
    }
    let mut m: account::ActiveModel = load(db, account_id).await?.into();
    m.totp_confirmed = Set(true);
    let a = m.update(&w.txn).await?;
    audit::append(
        &w.txn,
        key,
        actor,
        audit_entry("auth.second_factor.confirm", a.id, "SUCCESS"),
    )
    .await?;
    w.commit().await?;
    let role = Role::from_code(&a.role).ok_or(DomainError::Unauthenticated("账户角色无效"))?;
    tokens.issue_stage(&a, stage_after_sign_in(policy, &a, role, now))
}

/// Change the password: the current one must match; the new one must meet the policy and not
/// be one of the last `password_history`. Returns a token for the next stage.
#[expect(
    clippy::too_many_arguments,
    reason = "policy, services and both passwords"
)]
pub async fn change_password(
    db: &Db,
    cipher: &FieldCipher,
    hasher: &PasswordHasher,
    tokens: &TokenService,
    policy: &SignInPolicy,
    actor: &Actor,
    account_id: Uuid,
    current: &str,
    new: &str,
) -> DomainResult<IssuedToken> {
    let a = load(db, account_id).await?;
    let key = cipher.keys().audit_key();
    let (hash, cur) = (a.password_hash.clone(), current.to_owned());
    let current_ok = tokio::task::spawn_blocking(move || verify_password(&cur, &hash))
        .await
        .map_err(DomainError::internal)?;
    if !current_ok {
        let w = db.begin_write().await?;
        audit::append(
            &w.txn,
            key,
            actor,
            audit_entry("auth.password.change", a.id, "FAILURE:UNAUTHENTICATED"),
        )
        .await?;
        w.commit().await?;
        return Err(DomainError::Unauthenticated("当前密码错误"));
    }
    check_password(policy, &a.username, new)?;
    let history: Vec<String> = serde_json::from_str(&a.password_history).unwrap_or_default();
    let earlier: Vec<String> = std::iter::once(a.password_hash.clone())
        .chain(history)
        .take(policy.password_history.max(1))
        .collect();
    let (candidates, pw) = (earlier.clone(), new.to_owned());
    let reused =
        tokio::task::spawn_blocking(move || candidates.iter().any(|h| verify_password(&pw, h)))
            .await
            .map_err(DomainError::internal)?;
    if reused {
        return Err(DomainError::bad_input(
            "newPassword",
            format!("不能使用最近{}次用过的密码", policy.password_history),
        ));
    }
    let new_hash = hasher.hash(new)?;
    let now = Utc::now();
    let w = db.begin_write().await?;
    let mut m: account::ActiveModel = a.clone().into();
    m.password_hash = Set(new_hash);
    m.password_history = Set(serde_json::to_string(&earlier).map_err(DomainError::internal)?);
    m.password_changed_at = Set(Some(now));
    m.must_change_password = Set(false);
    let a = m.update(&w.txn).await?;
    audit::append(
        &w.txn,
        key,
        actor,
        audit_entry("auth.password.change", a.id, "SUCCESS"),
    )
    .await?;
    w.commit().await?;
    let role = Role::from_code(&a.role).ok_or(DomainError::Unauthenticated("账户角色无效"))?;
    tokens.issue_stage(&a, stage_after_sign_in(policy, &a, role, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_length_classes_and_no_username() {
        let p = SignInPolicy::default();
        assert!(check_password(&p, "alice", "Zhucan@2026").is_ok());
        assert!(check_password(&p, "alice", "Ab1!").is_err());
        assert!(
            check_password(&p, "alice", "abcdefgh1").is_err(),
            "two classes"
        );
        assert!(
            check_password(&p, "alice", "abcdefgh1!").is_ok(),
            "three classes"
        );
        assert!(
            check_password(&p, "alice", "Alice@2026x").is_err(),
            "contains username"
        );
        let err = check_password(&p, "alice", "short")
            .unwrap_err()
            .to_string();
        assert!(err.contains("至少8"), "{err}");
    }
}
