//! Account storage and sign-in.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::tokens::{IssuedToken, TokenService};
use crate::audit::{self, Actor, AuditEntry};
use crate::crypto::{FieldCipher, PasswordHasher, verify_password};
use crate::db::Db;
use crate::entities::account;
use crate::error::{DomainError, DomainResult};
use crate::types::RegionCode;
use crate::viewer::{RequestMeta, Role};

/// Stored role code of an account that has no role yet (created by the system admin, waiting
/// for the security admin's grant). Such an account cannot sign in.
pub const NO_ROLE: &str = "NONE";

/// Who made an account (三权分立: only accounts the system admin made may be granted a staff role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountOrigin {
    /// The operator's command line or demo seeding.
    Operator,
    /// `createAccount` by the system admin.
    SystemAdmin,
    /// A citizen's or volunteer's own registration.
    SelfRegistered,
}

impl AccountOrigin {
    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "OPERATOR",
            Self::SystemAdmin => "SYSTEM_ADMIN",
            Self::SelfRegistered => "SELF",
        }
    }

    /// The origin of a stored code (unknown codes are treated as self-registered: the most
    /// restricted).
    pub fn from_code(code: &str) -> Self {
        match code {
            "OPERATOR" => Self::Operator,
            "SYSTEM_ADMIN" => Self::SystemAdmin,
            _ => Self::SelfRegistered,
        }
    }
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Initial password.
    pub password: String,
    /// Role (`None`: none until the security admin grants one).
    pub role: Option<Role>,
    /// Who makes it.
    pub origin: AccountOrigin,
    /// Region of an admin.
    pub region: Option<RegionCode>,
    /// Person of a citizen.
    pub person_id: Option<Uuid>,
    /// Must change the password at first sign-in (accounts created by an administrator).
    pub must_change_password: bool,
}

/// A fresh account made by its owner's own registration (volunteers, enterprises): active, no
/// second factor, no lockout, origin `SELF`.
pub fn self_registered(
    id: Uuid,
    username: String,
    display_name: String,
    password_hash: String,
    role: Role,
    now: chrono::DateTime<Utc>,
) -> account::Model {
    account::Model {
        id,
        username,
        display_name,
        password_hash,
        role: role.as_str().to_owned(),
        region_code: None,
        person_id: None,
        active: true,
        created_at: now,
        phone_enc: None,
        failed_logins: 0,
        locked_until: None,
        sessions_valid_after: None,
        totp_secret_enc: None,
        totp_confirmed: false,
        totp_last_step: None,
        password_changed_at: Some(now),
        must_change_password: false,
        password_history: "[]".to_owned(),
        sm2_public_key: None,
        origin: AccountOrigin::SelfRegistered.as_str().to_owned(),
        otp_token_serial: None,
        otp_token_seed_enc: None,
        otp_token_step_secs: None,
        otp_token_last_step: None,
    }
}

/// Account storage.
pub struct AccountRepo<'a> {
    db: &'a Db,
}

impl<'a> AccountRepo<'a> {
    /// A repository over `db`.
    pub fn new(db: &'a Db) -> Self {
        Self { db }
    }

    /// Create an account; an admin role must come with a region of its level.
    pub async fn create(
        &self,
        hasher: &PasswordHasher,
        new: NewAccount,
    ) -> DomainResult<account::Model> {
        match (new.role.and_then(Role::region_level), &new.region) {
            (Some(level), Some(r)) if r.level() == level => {}
            (Some(_), _) => {
                return Err(DomainError::bad_input(
                    "region",
                    "管理员须绑定与其级别相符的区划",
                ));
            }
            (None, _) => {}
        }
        let row = account::Model {
            id: Uuid::now_v7(),
            username: new.username,
            display_name: new.display_name,
            password_hash: hasher.hash(&new.password)?,
            role: new.role.map_or(NO_ROLE, Role::as_str).to_owned(),
            region_code: new.region.map(|r| r.as_str().to_owned()),
            person_id: new.person_id,
            active: true,
            created_at: Utc::now(),
            phone_enc: None,
            failed_logins: 0,
            locked_until: None,
            sessions_valid_after: None,
            totp_secret_enc: None,
            totp_confirmed: false,
            totp_last_step: None,
            password_changed_at: Some(Utc::now()),
            must_change_password: new.must_change_password,
            password_history: "[]".to_owned(),
            sm2_public_key: None,
            origin: new.origin.as_str().to_owned(),
            otp_token_serial: None,
            otp_token_seed_enc: None,
            otp_token_step_secs: None,
            otp_token_last_step: None,
        };
        let w = self.db.begin_write().await?;
        let saved = account::ActiveModel::from(row).insert(&w.txn).await?;
        w.commit().await?;
        Ok(saved)
    }

    /// An account by username.
    pub async fn by_username(&self, username: &str) -> DomainResult<Option<account::Model>> {
        Ok(account::Entity::find()
            .filter(account::Column::Username.eq(username))
            .one(self.db.conn())
            .await?)
    }
}

/// A hash that never verifies, checked against when the username is unknown so that timing
/// does not reveal which usernames exist.
const DUMMY_HASH: &str = "pbkdf2-sm3$100000$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000";

/// Sign-in lockout policy (GB/T 22239 8.1.4.1): after `max_failures` consecutive failures the
/// account is locked for `lock_for`.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    /// Failures before locking.
    pub max_failures: i32,
    /// Lock duration.
    pub lock_for: chrono::Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_for: chrono::Duration::minutes(15),
        }
    }
}

/// Sign in with username and password. Success, failure, refusal of a locked account and the
/// lockout itself are all audited. The counters live on the account row, so a lockout on one
/// node holds on every node.
#[allow(clippy::too_many_arguments)]
pub async fn login(
    db: &Db,
    cipher: &FieldCipher,
    tokens: &TokenService,
    policy: LockoutPolicy,
    sign_in: &super::staff::SignInPolicy,
    username: &str,
    password: &str,
    otp: Option<&str>,
    ukey: Option<(Uuid, &str)>,
    meta: &RequestMeta,
) -> DomainResult<IssuedToken> {
    let fail = DomainError::Unauthenticated("用户名或密码错误");
    if username.len() > 64 || password.len() > 128 {
        return Err(fail);
    }
    let now = Utc::now();
    let account = AccountRepo::new(db).by_username(username).await?;
    let key = cipher.keys().audit_key();
    let (actor, object_id) = match &account {
        Some(a) => (
            Actor {
                id: a.id.to_string(),
                name: a.username.clone(),
                role: a.role.clone(),
                scope: a.region_code.clone().unwrap_or_else(|| "NONE".to_owned()),
                meta: meta.clone(),
            },
            a.id.to_string(),
        ),
        None => (Actor::anonymous(username, meta), String::new()),
    };
    let record = |operation: &'static str, result: &str, detail: String| AuditEntry {
        operation,
        object_type: "account",
        object_id: object_id.clone(),
        result: result.to_owned(),
        detail,
    };
    if let Some(a) = &account
        && a.locked_until.is_some_and(|t| t > now)
    {
        let w = db.begin_write().await?;
        audit::append(
            &w.txn,
            key,
            &actor,
            record("auth.login", "FAILURE:LOCKED", String::new()),
        )
        .await?;
        w.commit().await?;
        return Err(DomainError::Unauthenticated(
            "登录失败次数过多，账户已临时锁定，请稍后再试",
        ));
    }
    let password_ok = match &account {
        Some(a) => {
            let hash = a.password_hash.clone();
            let pw = password.to_owned();
            tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
                .await
                .map_err(DomainError::internal)?
                && a.active
        }
        None => {
            let pw = password.to_owned();
            let _ = tokio::task::spawn_blocking(move || verify_password(&pw, DUMMY_HASH)).await;
            false
        }
    };
    // The second factor, for staff who enrolled one: asked for only after a correct password,
    // and a wrong or replayed code counts as a failed sign-in.
    let role = account.as_ref().and_then(|a| Role::from_code(&a.role));
    let wants_otp = password_ok
        && sign_in.require_second_factor
        && role.is_some_and(super::staff::needs_second_factor)
        && account
            .as_ref()
            .is_some_and(super::staff::has_second_factor);
    let w = db.begin_write().await?;
    // An account the system admin created has no role until the security admin grants one.
    if password_ok && role.is_none() {
        audit::append(
            &w.txn,
            key,
            &actor,
            record("auth.login", "FAILURE:NO_ROLE", String::new()),
        )
        .await?;
        w.commit().await?;
        return Err(DomainError::Unauthenticated(
            "账户尚未授予角色，请联系安全管理员",
        ));
    }
    let mut second_factor_failed = false;
    let mut factor_detail = "";
    if wants_otp {
        let otp = otp.map(str::trim).filter(|o| !o.is_empty());
        match (otp.or(ukey.map(|(_, sig)| sig)), &account) {
            (None, _) => {
                audit::append(
                    &w.txn,
                    key,
                    &actor,
                    record(
                        "auth.login",
                        "FAILURE:SECOND_FACTOR_REQUIRED",
                        String::new(),
                    ),
                )
                .await?;
                w.commit().await?;
                return Err(DomainError::SecondFactorRequired("请输入动态口令（otp）"));
            }
            (Some(code), Some(a)) => {
                let passed = match (otp, ukey) {
                    (Some(_), _) => {
                        let check =
                            super::staff::check_code(&w.txn, cipher, sign_in, a, code, now).await?;
                        factor_detail = check.detail();
                        check.passed()
                    }
                    (None, Some((challenge, signature))) => {
                        factor_detail = "factor=SM2_UKEY";
                        super::ukey::check_signature(&w.txn, a, challenge, signature, now).await?
                    }
                    (None, None) => false,
                };
                if !passed {
                    second_factor_failed = true;
                    audit::append(
                        &w.txn,
                        key,
                        &actor,
                        record(
                            "auth.second_factor",
                            "FAILURE:UNAUTHENTICATED",
                            String::new(),
                        ),
                    )
                    .await?;
                }
            }
            (Some(_), None) => {}
        }
    }
    let ok = password_ok && !second_factor_failed;
    let result = if ok {
        "SUCCESS"
    } else {
        "FAILURE:UNAUTHENTICATED"
    };
    let detail = if ok { factor_detail } else { "" };
    audit::append(
        &w.txn,
        key,
        &actor,
        record("auth.login", result, detail.to_owned()),
    )
    .await?;
    if let Some(a) = &account {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let upd = account::Entity::update_many().filter(account::Column::Id.eq(a.id));
        if ok {
            if a.failed_logins > 0 {
                upd.col_expr(account::Column::FailedLogins, Expr::value(0))
                    .exec(&w.txn)
                    .await?;
            }
        } else {
            // Counted in the database, so concurrent failures on several nodes all count.
            upd.col_expr(
                account::Column::FailedLogins,
                Expr::col(account::Column::FailedLogins).add(1),
            )
            .exec(&w.txn)
            .await?;
            let failures = account::Entity::find_by_id(a.id)
                .one(&w.txn)
                .await?
                .map_or(0, |r| r.failed_logins);
            if failures >= policy.max_failures {
                account::Entity::update_many()
                    .col_expr(account::Column::FailedLogins, Expr::value(0))
                    .col_expr(
                        account::Column::LockedUntil,
                        Expr::value(Some(now + policy.lock_for)),
                    )
                    .filter(account::Column::Id.eq(a.id))
                    .exec(&w.txn)
                    .await?;
                let detail = format!(
                    "failures={failures};minutes={}",
                    policy.lock_for.num_minutes()
                );
                audit::append(
                    &w.txn,
                    key,
                    &actor,
                    record("auth.lockout", "SUCCESS", detail),
                )
                .await?;
            }
        }
    }
    w.commit().await?;
    match (ok, account, role) {
        (true, Some(a), Some(role)) => tokens.issue_stage(
            &a,
            super::staff::stage_after_sign_in(sign_in, &a, role, now),
        ),
        _ if second_factor_failed => Err(DomainError::Unauthenticated("动态口令错误或已使用")),
        _ => Err(fail),
    }
}
