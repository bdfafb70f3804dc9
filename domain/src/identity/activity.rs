//! Idle timeout of staff sessions (等保 8.1.4.1): a session unused for `idle` is over. Each node
//! keeps the last use of the sessions it serves and writes it to `session_activity` at most every
//! `idle / 4` (capped at a minute); a node that has not seen a session recently asks the table, so
//! activity on one node keeps the session alive on every node.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};
use uuid::Uuid;

use crate::db::Db;
use crate::entities::session_activity;
use crate::error::{DomainError, DomainResult};

#[derive(Clone, Copy)]
struct Seen {
    last: DateTime<Utc>,
    written: DateTime<Utc>,
}

/// Session activity of one node.
pub struct Activity {
    idle: Option<Duration>,
    seen: Mutex<HashMap<Uuid, Seen>>,
}

impl Activity {
    /// Sessions idle for `idle` end (`None`: no idle timeout).
    pub fn new(idle: Option<Duration>) -> Self {
        Self {
            idle,
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn write_every(idle: Duration) -> Duration {
        (idle / 4).min(Duration::minutes(1))
    }

    /// Record a use of session `jti` at `now`, or refuse it when it has been idle too long.
    pub async fn touch(
        &self,
        db: &Db,
        jti: Uuid,
        account: Uuid,
        now: DateTime<Utc>,
    ) -> DomainResult<()> {
        let Some(idle) = self.idle else {
            return Ok(());
        };
        let local = self.seen.lock().ok().and_then(|m| m.get(&jti).copied());
        let last = match local {
            Some(s) if now - s.last <= idle => Some(s),
            _ => {
                // Not seen here recently: another node may have.
                let row = session_activity::Entity::find_by_id(jti)
                    .one(db.conn())
                    .await?;
                row.map(|r| Seen {
                    last: r.last_seen,
                    written: r.last_seen,
                })
            }
        };
        if let Some(s) = last
            && now - s.last > idle
        {
            if let Ok(mut m) = self.seen.lock() {
                m.remove(&jti);
            }
            return Err(DomainError::Unauthenticated("会话已超时，请重新登录"));
        }
        let write = last.is_none_or(|s| now - s.written >= Self::write_every(idle));
        if write {
            // Through the write gate like every other write: on SQLite an ungated write
            // between a gated transaction's read and its write fails that transaction with
            // "database is locked" (found by the fan-out load scenario).
            let w = db.begin_write().await?;
            session_activity::Entity::insert(session_activity::ActiveModel {
                jti: Set(jti),
                account_id: Set(account),
                last_seen: Set(now),
            })
            .on_conflict(
                OnConflict::column(session_activity::Column::Jti)
                    .update_column(session_activity::Column::LastSeen)
                    .to_owned(),
            )
            .exec_without_returning(&w.txn)
            .await?;
            w.commit().await?;
        }
        if let Ok(mut m) = self.seen.lock() {
            let written = if write {
                now
            } else {
                last.map_or(now, |s| s.written)
            };
            m.insert(jti, Seen { last: now, written });
            if m.len() > 200_000 {
                m.retain(|_, s| now - s.last <= idle);
            }
        }
        Ok(())
    }
}
