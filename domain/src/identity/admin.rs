//! Account administration under separation of duties (三权分立):
//! - `SYSTEM_ADMIN` creates accounts of the operational roles, deactivates them and resets
//!   passwords, but cannot change anyone's role or scope, nor read the audit trail;
//! - `SECURITY_ADMIN` grants roles and scopes, but cannot create accounts nor read personal data;
//! - `AUDITOR` reads and verifies the audit trail only.
//!
//! The three separated duties themselves are never granted or created through the API (they are
//! provisioned by the operator), nobody administers their own account, and a role change or
//! deactivation ends the account's sessions at once on every node.

use chrono::Utc;
use rand::Rng;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{AccountRepo, NewAccount};
use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::entities::account;
use crate::error::{DomainError, DomainResult};
use crate::types::{RegionCode, RegionLevel};
use crate::viewer::{RequestMeta, Role, Viewer};

/// Roles that may be created or granted through the API.
pub fn grantable(role: Role) -> bool {
    !matches!(
        role,
        Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor
    )
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

async fn target(p: &Platform, viewer: &Viewer, username: &str) -> DomainResult<account::Model> {
    let a = AccountRepo::new(&p.db)
        .by_username(username.trim())
        .await?
        .ok_or(DomainError::NotFound { what: "账户" })?;
    if a.id == viewer.account_id {
        return Err(DomainError::Forbidden("不能管理自己的账户"));
    }
    let role = Role::from_code(&a.role).unwrap_or(Role::Citizen);
    if !grantable(role) {
        return Err(DomainError::Forbidden(
            "系统管理员、安全管理员、审计员账户由运维人员直接配置",
        ));
    }
    Ok(a)
}

/// A temporary password: 16 characters of four classes, to be changed at first sign-in.
fn temporary_password() -> String {
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

/// A system admin creates an account of an operational role; returns it with a temporary
/// password that must be changed at first sign-in.
pub async fn create_account(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
    display_name: &str,
    role: Role,
    region: Option<&str>,
) -> DomainResult<(account::Model, String)> {
    if viewer.role != Role::SystemAdmin {
        return Err(DomainError::Forbidden("仅系统管理员可创建账户"));
    }
    if !grantable(role) || matches!(role, Role::Citizen | Role::Volunteer) {
        return Err(DomainError::bad_input(
            "role",
            "只能创建市、区、街镇管理员账户（居民和志愿者自行注册）",
        ));
    }
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
    let display = crate::types::BoundedText::parse("displayName", display_name, 32)?.into_string();
    let region = region_for(p, role, region)?;
    let password = temporary_password();
    let a = AccountRepo::new(&p.db)
        .create(
            &p.hasher,
            NewAccount {
                username: username.to_owned(),
                display_name: display,
                password: password.clone(),
                role,
                region,
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
    audit_in(
        &w.txn,
        p,
        viewer,
        meta,
        "account.create",
        a.id.to_string(),
        format!("role={}", a.role),
    )
    .await?;
    w.commit().await?;
    Ok((a, password))
}

/// A security admin grants a role and scope; the account's sessions end at once.
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
    let a = target(p, viewer, username).await?;
    let region = region_for(p, role, region)?;
    let before = format!("{}:{}", a.role, a.region_code.clone().unwrap_or_default());
    let w = p.db.begin_write().await?;
    let mut m: account::ActiveModel = a.into();
    m.role = Set(role.as_str().to_owned());
    m.region_code = Set(region.map(|r| r.as_str().to_owned()));
    let a = m.update(&w.txn).await?;
    audit_in(
        &w.txn,
        p,
        viewer,
        meta,
        "account.role.grant",
        a.id.to_string(),
        format!(
            "{before} -> {}:{}",
            a.role,
            a.region_code.clone().unwrap_or_default()
        ),
    )
    .await?;
    w.commit().await?;
    super::revoke_account_sessions(p, viewer, meta, &a.username).await?;
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
        super::revoke_account_sessions(p, viewer, meta, &a.username).await?;
    }
    Ok(a)
}

/// A system admin resets a password: a temporary one, to be changed at the next sign-in; the
/// account's sessions end.
pub async fn reset_password(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
) -> DomainResult<String> {
    if viewer.role != Role::SystemAdmin {
        return Err(DomainError::Forbidden("仅系统管理员可重置密码"));
    }
    let a = target(p, viewer, username).await?;
    let password = temporary_password();
    let hash = p.hasher.hash(&password)?;
    let w = p.db.begin_write().await?;
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
        .filter(account::Column::Id.eq(a.id))
        .exec(&w.txn)
        .await?;
    audit_in(
        &w.txn,
        p,
        viewer,
        meta,
        "account.password.reset",
        a.id.to_string(),
        String::new(),
    )
    .await?;
    w.commit().await?;
    super::revoke_account_sessions(p, viewer, meta, &a.username).await?;
    Ok(password)
}
