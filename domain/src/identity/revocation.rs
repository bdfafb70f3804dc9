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
        let r = Self::default();
        r.refresh(db, None).await?;
        Ok(r)
    }

    /// Read revocations from the database: all still in force (`since` = `None`), or those made
    /// at or after `since`. This is how a node learns of revocations whose bus message it missed
    /// — Redis was down, or the bus reconnected — at start, whenever the bus subscription is
    /// re-established, and at every poll. Returns how many were read.
    pub async fn refresh(&self, db: &Db, since: Option<DateTime<Utc>>) -> DomainResult<usize> {
        let now = Utc::now();
        let mut sessions =
            revoked_session::Entity::find().filter(revoked_session::Column::ExpiresAt.gt(now));
        if let Some(t) = since {
            sessions = sessions.filter(revoked_session::Column::RevokedAt.gte(t));
        }
        let mut n = 0;
        for s in sessions.all(db.conn()).await? {
            n += 1;
            self.note(&DomainEvent::SessionRevoked {
                jti: s.jti,
                account_id: s.account_id,
                expires_at: s.expires_at,
            });
        }
        let accounts = account::Entity::find().filter(match since {
            Some(t) => account::Column::SessionsValidAfter.gte(t),
            None => account::Column::SessionsValidAfter.is_not_null(),
        });
        for a in accounts.all(db.conn()).await? {
            if let Some(after) = a.sessions_valid_after {
                n += 1;
                self.note(&DomainEvent::AccountSessionsRevoked {
                    account_id: a.id,
                    valid_after: after,
                });
            }
        }
        Ok(n)
    }

    /// Apply a revocation event (other events are ignored). Live streams are woken only by a
    /// revocation not known before, so that polls re-reading known ones cost them nothing.
    pub fn note(&self, event: &DomainEvent) {
        let new = match event {
            DomainEvent::SessionRevoked {
                jti, expires_at, ..
            } => self.sessions.write().is_ok_and(|mut m| {
                let now = Utc::now();
                if m.contains_key(jti) {
                    return false;
                }
                m.retain(|_, exp| *exp > now);
                m.insert(*jti, *expires_at);
                true
            }),
            DomainEvent::AccountSessionsRevoked {
                account_id,
                valid_after,
            } => self.accounts.write().is_ok_and(|mut m| {
                let e = m.entry(*account_id).or_insert(DateTime::<Utc>::MIN_UTC);
                let moved = *valid_after > *e;
                *e = (*e).max(*valid_after);
                moved
            }),
            _ => false,
        };
        if new {
            self.changed.send_modify(|n| *n += 1);
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

/// 强制下线: a system or security admin revokes every token of an account issued until now. The
/// separated duties themselves are refused (the operator's command line manages them).
pub async fn revoke_account_sessions(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
) -> DomainResult<()> {
    if !matches!(viewer.role, Role::SystemAdmin | Role::SecurityAdmin) {
        return Err(DomainError::Forbidden("仅系统管理员或安全管理员可强制下线"));
    }
    let target = super::admin::target(p, viewer, username).await?;
    revoke_all(p, viewer, meta, &target).await
}

/// Revoke every token of `target` issued until now, as `viewer`.
pub(crate) async fn revoke_all(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    target: &account::Model,
) -> DomainResult<()> {
    revoke_all_by(p, &Actor::of(viewer, meta), target).await
}

/// Revoke every token of `target` issued until now, recorded as done by `actor`.
pub(crate) async fn revoke_all_by(
    p: &Platform,
    actor: &Actor,
    target: &account::Model,
) -> DomainResult<()> {
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
    audit::append(&w.txn, p.audit_key(), actor, entry).await?;
    w.commit().await?;
    let event = DomainEvent::AccountSessionsRevoked {
        account_id: target.id,
        valid_after: now,
    };
    p.revocations.note(&event);
    p.bus.publish(event);
    Ok(())
}
