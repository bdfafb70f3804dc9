//! Account administration under separation of duties (三权分立), so that no single holder of
//! one of the three duties can reach personal data alone:
//! - `SYSTEM_ADMIN` creates staff accounts — without a role or scope — deactivates them and
//!   resets passwords. A temporary password reaches the account's holder by SMS to the phone
//!   registered with the account, never in the API's answer;
//! - `SECURITY_ADMIN` grants roles and scopes, only to accounts the system admin (or the
//!   operator) made, never to a self-registered citizen or volunteer. A grant ends the account's
//!   sessions and forces a new password and a fresh second factor;
//! - `AUDITOR` reads and verifies the audit trail only.
//!
//! The three duties are never created, granted or administered through the API — the operator's
//! command line (`zhucan accounts …`) manages them — and nobody administers their own account.

use chrono::Utc;
use rand::Rng;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{AccountOrigin, AccountRepo, NO_ROLE, NewAccount};
use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::crypto::FieldAad;
use crate::entities::account;
use crate::error::{DomainError, DomainResult};
use crate::sms::{self, SmsTemplate};
use crate::types::{Phone, RegionCode, RegionLevel};
use crate::viewer::{RequestMeta, Role, Viewer};

/// The separated duties themselves: never created, granted or administered through the API.
pub fn is_duty(role: Role) -> bool {
    matches!(
        role,
        Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor
    )
}

/// Roles that may be created or granted through the API (an enterprise account comes only
/// with its enterprise's registration, bound to it).
pub fn grantable(role: Role) -> bool {
    !is_duty(role) && role != Role::Enterprise
}

/// Where an account's phone is encrypted.
pub fn phone_aad(account: &uuid::Uuid) -> FieldAad<'_> {
    FieldAad {
        table: "accounts",
        column: "phone",
        row: account,
    }
}

fn region_for(p: &Platform, role: Role, region: Option<&str>) -> DomainResult<Option<RegionCode>> {
    match (role.region_level(), region) {
        (Some(level), Some(code)) => p
            .regions
            .parse_existing("regionCode", code, level)
            .map(Some),
        (Some(level), None) => Err(DomainError::bad_input(
            "regionCode",
            format!(
                "该角色须绑定{}级区划",
                match level {
                    RegionLevel::City => "市",
                    RegionLevel::District => "区",
                    RegionLevel::Street => "街镇",
                    RegionLevel::Committee => "居村委",
                }
            ),
        )),
        (None, Some(_)) => Err(DomainError::bad_input("regionCode", "该角色不绑定区划")),
        (None, None) => Ok(None),
    }
}

/// The account an administrator acts on: it exists, is not their own, and is not one of the
/// separated duties.
pub(crate) async fn target(
    p: &Platform,
    viewer: &Viewer,
    username: &str,
) -> DomainResult<account::Model> {
    let a = AccountRepo::new(&p.db)
        .by_username(username.trim())
        .await?
        .ok_or(DomainError::NotFound { what: "账户" })?;
    if a.id == viewer.account_id {
        return Err(DomainError::Forbidden("不能管理自己的账户"));
    }
    if Role::from_code(&a.role).is_some_and(is_duty) {
        return Err(DomainError::Forbidden(
            "系统管理员、安全管理员、审计员账户由运维人员通过命令行管理",
        ));
    }
    Ok(a)
}

/// A temporary password: 16 characters of four classes, to be changed at first sign-in.
pub fn temporary_password() -> String {
    const SETS: [&[u8]; 4] = [
        b"abcdefghjkmnpqrstuvwxyz",
        b"ABCDEFGHJKMNPQRSTUVWXYZ",
        b"23456789",
        b"!@#$%^&*-_=+",
    ];
    let mut rng = rand::rng();
    (0..16)
        .map(|i| {
            let set = SETS[i % 4];
            char::from(set[rng.random_range(0..set.len())])
        })
        .collect()
}

async fn audit_in<C: sea_orm::ConnectionTrait>(
    conn: &C,
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    op: &'static str,
    id: String,
    detail: String,
) -> DomainResult<()> {
    audit::append(
        conn,
        p.audit_key(),
        &Actor::of(viewer, meta),
        AuditEntry {
            operation: op,
            object_type: "account",
            object_id: id,
            result: "SUCCESS".to_owned(),
            detail,
        },
    )
    .await
    .map(|_| ())
}

/// Check a username for a new account.
pub fn parse_username(username: &str) -> DomainResult<String> {
    let username = username.trim();
    let ok = (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(DomainError::bad_input(
            "username",
            "用户名须为3–32位小写字母、数字或下划线",
        ));
    }
    Ok(username.to_owned())
}

/// A system admin creates a staff account for a named holder: no role and no scope (the security
/// admin grants them). The temporary password goes by SMS to `phone` — the holder's — through
/// the outbox, in the same transaction; the system admin never sees it.
pub async fn create_account(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
    display_name: &str,
    phone: &str,
) -> DomainResult<account::Model> {
    if viewer.role != Role::SystemAdmin {
        return Err(DomainError::Forbidden("仅系统管理员可创建账户"));
    }
    let username = parse_username(username)?;
    let display = crate::types::BoundedText::parse("displayName", display_name, 32)?.into_string();
    let phone = Phone::parse("phone", phone)?;
    let password = temporary_password();
    let a = AccountRepo::new(&p.db)
        .create(
            &p.hasher,
            NewAccount {
                username: username.clone(),
                display_name: display,
                password: password.clone(),
                role: None,
                origin: AccountOrigin::SystemAdmin,
                region: None,
                person_id: None,
                must_change_password: true,
            },
        )
        .await
        .map_err(|e| match e {
            DomainError::Conflict(_) => DomainError::Conflict("用户名已存在".to_owned()),
            other => other,
        })?;
    let w = p.db.begin_write().await?;
    let enc = p.cipher.encrypt(phone_aad(&a.id), phone.as_str())?;
    let mut m: account::ActiveModel = a.clone().into();
    m.phone_enc = Set(Some(enc));
    let a = m.update(&w.txn).await?;
    sms::enqueue(
        &w.txn,
        &p.cipher,
        &format!("account:{}:created", a.id),
        &phone,
        SmsTemplate::AccountCreated,
        sms::params([("username", username.as_str()), ("password", &password)]),
    )
    .await?;
    audit_in(
        &w.txn,
        p,
        viewer,
        meta,
        "account.create",
        a.id.to_string(),
        "role=NONE delivery=SMS".to_owned(),
    )
    .await?;
    w.commit().await?;
    Ok(a)
}

/// A security admin grants a region-admin role and its scope to an account the system admin (or
/// the operator) made. The account's sessions end at once, its password must be changed at the
/// next sign-in and its second factor enrolled afresh: whoever held it before the grant cannot
/// carry a session or a factor into the new role.
pub async fn grant_role(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
    role: Role,
    region: Option<&str>,
) -> DomainResult<account::Model> {
    if viewer.role != Role::SecurityAdmin {
        return Err(DomainError::Forbidden("仅安全管理员可授予角色和管辖范围"));
    }
    if !grantable(role) {
        return Err(DomainError::Forbidden(
            "系统管理员、安全管理员、审计员角色不能通过授权获得",
        ));
    }
    if !role.is_region_admin() {
        return Err(DomainError::bad_input(
            "role",
            "只能授予市、区、街镇管理员角色（居民和志愿者自行注册）",
        ));
    }
    let a = target(p, viewer, username).await?;
    if AccountOrigin::from_code(&a.origin) == AccountOrigin::SelfRegistered {
        return Err(DomainError::Forbidden(
            "自行注册的居民、志愿者账户不能授予工作人员角色；请由系统管理员创建工作账户",
        ));
    }
    let region = region_for(p, role, region)?;
    let before = format!("{}:{}", a.role, a.region_code.clone().unwrap_or_default());
    let w = p.db.begin_write().await?;
    let mut m: account::ActiveModel = a.into();
    m.role = Set(role.as_str().to_owned());
    m.region_code = Set(region.map(|r| r.as_str().to_owned()));
    m.must_change_password = Set(true);
    m.totp_secret_enc = Set(None);
    m.totp_confirmed = Set(false);
    m.totp_last_step = Set(None);
    m.sm2_public_key = Set(None);
    m.otp_token_serial = Set(None);
    m.otp_token_seed_enc = Set(None);
    m.otp_token_step_secs = Set(None);
    m.otp_token_last_step = Set(None);
    let a = m.update(&w.txn).await?;
    audit_in(
        &w.txn,
        p,
        viewer,
        meta,
        "account.role.grant",
        a.id.to_string(),
        format!(
            "{before} -> {}:{} password_change=required second_factor=reset",
            a.role,
            a.region_code.clone().unwrap_or_default()
        ),
    )
    .await?;
    w.commit().await?;
    super::revocation::revoke_all(p, viewer, meta, &a).await?;
    Ok(a)
}

/// A system admin deactivates or reactivates an account; deactivation ends its sessions.
pub async fn set_active(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
    active: bool,
) -> DomainResult<account::Model> {
    if viewer.role != Role::SystemAdmin {
        return Err(DomainError::Forbidden("仅系统管理员可停用或启用账户"));
    }
    let a = target(p, viewer, username).await?;
    let w = p.db.begin_write().await?;
    let mut m: account::ActiveModel = a.into();
    m.active = Set(active);
    let a = m.update(&w.txn).await?;
    audit_in(
        &w.txn,
        p,
        viewer,
        meta,
        if active {
            "account.activate"
        } else {
            "account.deactivate"
        },
        a.id.to_string(),
        String::new(),
    )
    .await?;
    w.commit().await?;
    if !active {
        super::revocation::revoke_all(p, viewer, meta, &a).await?;
    }
    Ok(a)
}

/// A system admin resets a password: a temporary one goes by SMS to the phone registered with
/// the account (never to the system admin), to be changed at the next sign-in; the account's
/// sessions end. Accounts without a phone are reset by the operator's command line.
pub async fn reset_password(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
) -> DomainResult<()> {
    if viewer.role != Role::SystemAdmin {
        return Err(DomainError::Forbidden("仅系统管理员可重置密码"));
    }
    let a = target(p, viewer, username).await?;
    let Some(enc) = &a.phone_enc else {
        return Err(DomainError::Conflict(
            "该账户未登记手机号，临时密码无法送达本人：请由运维人员使用 zhucan accounts reset-password 重置"
                .to_owned(),
        ));
    };
    let phone = Phone::parse("phone", &p.cipher.decrypt(phone_aad(&a.id), enc)?)?;
    let password = temporary_password();
    let hash = p.hasher.hash(&password)?;
    let w = p.db.begin_write().await?;
    set_temporary_password(&w.txn, a.id, hash).await?;
    sms::enqueue(
        &w.txn,
        &p.cipher,
        &format!("account:{}:reset:{}", a.id, uuid::Uuid::now_v7()),
        &phone,
        SmsTemplate::PasswordReset,
        sms::params([("username", a.username.as_str()), ("password", &password)]),
    )
    .await?;
    audit_in(
        &w.txn,
        p,
        viewer,
        meta,
        "account.password.reset",
        a.id.to_string(),
        "delivery=SMS".to_owned(),
    )
    .await?;
    w.commit().await?;
    super::revocation::revoke_all(p, viewer, meta, &a).await?;
    Ok(())
}

/// Store a temporary password hash that must be changed at the next sign-in.
pub(crate) async fn set_temporary_password<C: sea_orm::ConnectionTrait>(
    conn: &C,
    account: uuid::Uuid,
    hash: String,
) -> DomainResult<()> {
    account::Entity::update_many()
        .col_expr(
            account::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(hash),
        )
        .col_expr(
            account::Column::MustChangePassword,
            sea_orm::sea_query::Expr::value(true),
        )
        .col_expr(
            account::Column::PasswordChangedAt,
            sea_orm::sea_query::Expr::value(Some(Utc::now())),
        )
        .col_expr(
            account::Column::FailedLogins,
            sea_orm::sea_query::Expr::value(0),
        )
        .col_expr(
            account::Column::LockedUntil,
            sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .filter(account::Column::Id.eq(account))
        .exec(conn)
        .await?;
    Ok(())
}

/// Whether a stored role code means "no role yet".
pub fn has_no_role(a: &account::Model) -> bool {
    a.role == NO_ROLE
}

/// The accounts of the command line (`zhucan accounts …`): the operator, outside the three
/// duties, provisions and maintains the duty accounts themselves.
pub mod operator {
    use super::*;
    use crate::identity::revocation::revoke_all_by;

    fn actor(command: &str) -> Actor {
        Actor::system(command)
    }

    /// Create an account of any role from the command line; returns it with a temporary password
    /// printed once on the operator's terminal, to be changed at first sign-in.
    pub async fn create(
        p: &Platform,
        username: &str,
        display_name: &str,
        role: Role,
        region: Option<&str>,
    ) -> DomainResult<(account::Model, String)> {
        let username = parse_username(username)?;
        let display =
            crate::types::BoundedText::parse("displayName", display_name, 32)?.into_string();
        if matches!(role, Role::Citizen | Role::Volunteer) {
            return Err(DomainError::bad_input(
                "role",
                "居民和志愿者自行注册，不由运维人员创建",
            ));
        }
        let region = region_for(p, role, region)?;
        let password = temporary_password();
        let a = AccountRepo::new(&p.db)
            .create(
                &p.hasher,
                NewAccount {
                    username,
                    display_name: display,
                    password: password.clone(),
                    role: Some(role),
                    origin: AccountOrigin::Operator,
                    region,
                    person_id: None,
                    must_change_password: true,
                },
            )
            .await?;
        let w = p.db.begin_write().await?;
        audit::append(
            &w.txn,
            p.audit_key(),
            &actor("accounts create"),
            AuditEntry {
                operation: "account.create",
                object_type: "account",
                object_id: a.id.to_string(),
                result: "SUCCESS".to_owned(),
                detail: format!("role={} delivery=CLI", a.role),
            },
        )
        .await?;
        w.commit().await?;
        Ok((a, password))
    }

    /// Reset a password from the command line; returns the temporary password (printed once).
    pub async fn reset_password(p: &Platform, username: &str) -> DomainResult<String> {
        let a = AccountRepo::new(&p.db)
            .by_username(username.trim())
            .await?
            .ok_or(DomainError::NotFound { what: "账户" })?;
        let password = temporary_password();
        let hash = p.hasher.hash(&password)?;
        let w = p.db.begin_write().await?;
        set_temporary_password(&w.txn, a.id, hash).await?;
        audit::append(
            &w.txn,
            p.audit_key(),
            &actor("accounts reset-password"),
            AuditEntry {
                operation: "account.password.reset",
                object_type: "account",
                object_id: a.id.to_string(),
                result: "SUCCESS".to_owned(),
                detail: "delivery=CLI".to_owned(),
            },
        )
        .await?;
        w.commit().await?;
        revoke_all_by(p, &actor("accounts reset-password"), &a).await?;
        Ok(password)
    }

    /// End every session of an account from the command line.
    pub async fn revoke_sessions(p: &Platform, username: &str) -> DomainResult<()> {
        let a = AccountRepo::new(&p.db)
            .by_username(username.trim())
            .await?
            .ok_or(DomainError::NotFound { what: "账户" })?;
        revoke_all_by(p, &actor("accounts revoke-sessions"), &a).await
    }

    /// Deactivate or reactivate an account from the command line.
    pub async fn set_active(p: &Platform, username: &str, active: bool) -> DomainResult<()> {
        let a = AccountRepo::new(&p.db)
            .by_username(username.trim())
            .await?
            .ok_or(DomainError::NotFound { what: "账户" })?;
        let w = p.db.begin_write().await?;
        let mut m: account::ActiveModel = a.clone().into();
        m.active = Set(active);
        m.update(&w.txn).await?;
        audit::append(
            &w.txn,
            p.audit_key(),
            &actor(if active {
                "accounts enable"
            } else {
                "accounts disable"
            }),
            AuditEntry {
                operation: if active {
                    "account.activate"
                } else {
                    "account.deactivate"
                },
                object_type: "account",
                object_id: a.id.to_string(),
                result: "SUCCESS".to_owned(),
                detail: String::new(),
            },
        )
        .await?;
        w.commit().await?;
        if !active {
            revoke_all_by(p, &actor("accounts disable"), &a).await?;
        }
        Ok(())
    }
}
