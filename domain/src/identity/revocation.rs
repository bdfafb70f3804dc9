//! Session revocation that takes effect at once on every node: revocations are stored (so a node
//! that starts later loads them) and published on the event bus (so running nodes apply them
//! immediately, through Redis when nodes are several). Checking a token is a memory lookup.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::tokens::Session;
use crate::audit::{self, Actor, AuditEntry};
use crate::entities::{account, revoked_session};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::viewer::{RequestMeta, Role, Viewer};
use crate::{Db, Platform};

/// What is revoked, in memory.
#[derive(Debug)]
pub struct Revocations {
    sessions: RwLock<HashMap<Uuid, DateTime<Utc>>>,
    accounts: RwLock<HashMap<Uuid, DateTime<Utc>>>,
    /// Bumped at every revocation noted: live streams wait on it instead of each watching the
    /// whole event bus (which woke every subscriber twice for every event).
    changed: tokio::sync::watch::Sender<u64>,
}

impl Default for Revocations {
    fn default() -> Self {
        Self {
            sessions: RwLock::default(),
            accounts: RwLock::default(),
            changed: tokio::sync::watch::Sender::new(0),
        }
    }
}

impl Revocations {
    /// Load the revocations still in force.
    pub async fn load(db: &Db) -> DomainResult<Self> {
        let now = Utc::now();
        let r = Self::default();
        for s in revoked_session::Entity::find()
            .filter(revoked_session::Column::ExpiresAt.gt(now))
            .all(db.conn())
            .await?
        {
            r.note(&DomainEvent::SessionRevoked {
                jti: s.jti,
                account_id: s.account_id,
                expires_at: s.expires_at,
            });
        }
        for a in account::Entity::find()
            .filter(account::Column::SessionsValidAfter.is_not_null())
            .all(db.conn())
            .await?
        {
            if let Some(after) = a.sessions_valid_after {
                r.note(&DomainEvent::AccountSessionsRevoked {
                    account_id: a.id,
                    valid_after: after,
                });
            }
        }
        Ok(r)
    }

    /// Apply a revocation event (other events are ignored).
    pub fn note(&self, event: &DomainEvent) {
        match event {
            DomainEvent::SessionRevoked {
                jti, expires_at, ..
            } => {
                if let Ok(mut m) = self.sessions.write() {
                    let now = Utc::now();
                    m.retain(|_, exp| *exp > now);
                    m.insert(*jti, *expires_at);
                }
                self.changed.send_modify(|n| *n += 1);
            }
            DomainEvent::AccountSessionsRevoked {
                account_id,
                valid_after,
            } => {
                if let Ok(mut m) = self.accounts.write() {
                    let e = m.entry(*account_id).or_insert(*valid_after);
                    *e = (*e).max(*valid_after);
                }
                self.changed.send_modify(|n| *n += 1);
            }
            _ => {}
        }
    }

    /// Resolves once this session is revoked (never, if it never is). Take it before checking
    /// `is_revoked`, so that a revocation in between is not missed.
    pub fn revoked(
        self: &std::sync::Arc<Self>,
        account_id: Uuid,
        session: Session,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        let this = self.clone();
        let mut changes = self.changed.subscribe();
        async move {
            loop {
                if this.is_revoked(account_id, &session) {
                    return;
                }
                if changes.changed().await.is_err() {
                    // The platform is gone: the stream ends with the server.
                    return std::future::pending().await;
                }
            }
        }
    }

    /// Whether a token of `account_id` has been revoked.
    pub fn is_revoked(&self, account_id: Uuid, session: &Session) -> bool {
        let one = self
            .sessions
            .read()
            .map(|m| m.contains_key(&session.jti))
            .unwrap_or(true);
        let all = self
            .accounts
            .read()
            .map(|m| {
                m.get(&account_id)
                    .is_some_and(|after| session.issued_at <= *after)
            })
            .unwrap_or(true);
        one || all
    }
}

/// 退出登录: revoke the caller's own token.
pub async fn logout(
    p: &Platform,
    viewer: &Viewer,
    session: &Session,
    meta: &RequestMeta,
) -> DomainResult<()> {
    let now = Utc::now();
    let w = p.db.begin_write().await?;
    revoked_session::ActiveModel::from(revoked_session::Model {
        jti: session.jti,
        account_id: viewer.account_id,
        expires_at: session.expires_at,
        revoked_at: now,
    })
    .insert(&w.txn)
    .await?;
    let entry = AuditEntry {
        operation: "auth.logout",
        object_type: "account",
        object_id: viewer.account_id.to_string(),
        result: "SUCCESS".to_owned(),
        detail: String::new(),
    };
    audit::append(&w.txn, p.audit_key(), &Actor::of(viewer, meta), entry).await?;
    w.commit().await?;
    let event = DomainEvent::SessionRevoked {
        jti: session.jti,
        account_id: viewer.account_id,
        expires_at: session.expires_at,
    };
    p.revocations.note(&event);
    p.bus.publish(event);
    Ok(())
}

/// 强制下线: a system or security admin revokes every token of an account issued until now.
pub async fn revoke_account_sessions(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
) -> DomainResult<()> {
    if !matches!(viewer.role, Role::SystemAdmin | Role::SecurityAdmin) {
        return Err(DomainError::Forbidden("仅系统管理员或安全管理员可强制下线"));
    }
    let target = account::Entity::find()
        .filter(account::Column::Username.eq(username))
        .one(p.db.conn())
        .await?
        .ok_or(DomainError::NotFound { what: "账户" })?;
    // Tokens carry whole seconds: revoke everything issued up to this second.
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_else(Utc::now);
    let w = p.db.begin_write().await?;
    account::Entity::update_many()
        .col_expr(account::Column::SessionsValidAfter, Expr::value(Some(now)))
        .filter(account::Column::Id.eq(target.id))
        .exec(&w.txn)
        .await?;
    let entry = AuditEntry {
        operation: "auth.revoke_sessions",
        object_type: "account",
        object_id: target.id.to_string(),
        result: "SUCCESS".to_owned(),
        detail: String::new(),
    };
    audit::append(&w.txn, p.audit_key(), &Actor::of(viewer, meta), entry).await?;
    w.commit().await?;
    let event = DomainEvent::AccountSessionsRevoked {
        account_id: target.id,
        valid_after: now,
    };
    p.revocations.note(&event);
    p.bus.publish(event);
    Ok(())
}
