//! The database handle shared by every repository: one sea-orm connection pool for SQLite or
//! PostgreSQL, a write gate, and a statement counter.
//!
//! SQLite allows one writer; a deferred transaction that reads and then writes fails with
//! `SQLITE_BUSY` if another connection wrote in between, and `busy_timeout` cannot help. So on
//! SQLite write transactions pass through a process-wide gate (the embedded default is a single
//! node); on PostgreSQL the gate is open and row locks do the work.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, IdenStatic, QueryFilter, Statement,
    TransactionTrait,
};
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

use crate::error::{DomainError, DomainResult};

/// Shared database handle.
#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    write_gate: Option<Arc<Mutex<()>>>,
    statements: Arc<AtomicU64>,
}

/// A write transaction holding the write gate (on SQLite) until it ends.
pub struct WriteTxn<'a> {
    /// The transaction; commit it explicitly, dropping it rolls back.
    pub txn: DatabaseTransaction,
    _gate: Option<MutexGuard<'a, ()>>,
}

impl WriteTxn<'_> {
    /// Commit.
    pub async fn commit(self) -> DomainResult<()> {
        self.txn.commit().await.map_err(DomainError::from)
    }
}

impl Db {
    /// Connect to `url` (`sqlite://path?mode=rwc` or `postgres://…`) with a pool of `max_connections`.
    pub async fn connect(url: &str, max_connections: u32) -> DomainResult<Self> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            // On every pooled connection, not just the first: `synchronous` and `busy_timeout`
            // hold per connection (WAL mode alone persists in the file). Set once by statement,
            // the others committed with `synchronous = FULL`, an fsync per commit.
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        let mut conn = Database::connect(opts).await.map_err(DomainError::from)?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        conn.set_metric_callback(move |_info| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let sqlite = conn.get_database_backend() == DbBackend::Sqlite;
        Ok(Self {
            conn,
            write_gate: sqlite.then(|| Arc::new(Mutex::new(()))),
            statements,
        })
    }

    /// The pool, for reads.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Backend in use.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Begin a write transaction (serialised on SQLite).
    pub async fn begin_write(&self) -> DomainResult<WriteTxn<'_>> {
        let gate = match &self.write_gate {
            Some(m) => Some(m.lock().await),
            None => None,
        };
        let txn = self.conn.begin().await.map_err(DomainError::from)?;
        Ok(WriteTxn { txn, _gate: gate })
    }

    /// Number of SQL statements executed through this handle since start.
    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Check the database answers (`/readyz`).
    pub async fn ping(&self) -> DomainResult<()> {
        self.conn.ping().await.map_err(DomainError::from)
    }
}

/// Rows of `E` whose uuid `column` is one of `ids`, for jobs that page through people while the
/// table they look in grows (grants, outreach tasks).
///
/// On PostgreSQL one index probe per id, as a lateral join over `unnest($1::uuid[])`: a plan that
/// does not depend on statistics. A job grows its table from nothing faster than autovacuum
/// analyses it (and on some servers autovacuum is off); without statistics PostgreSQL planned
/// `column IN ($1, …, $2000)` as a sequential scan testing every row against every id, which
/// made a grant job over Shanghai's 580,000 people quadratic. One bound array also stays far
/// from the 65,535-parameter limit. SQLite probes the column's index for each id in any case, in
/// statements of at most 10,000 ids.
pub async fn find_each<E, C>(
    conn: &C,
    column: E::Column,
    ids: &[Uuid],
) -> DomainResult<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if conn.get_database_backend() == DbBackend::Postgres {
        let sql = format!(
            "SELECT m.* FROM unnest($1::uuid[]) AS p(id) CROSS JOIN LATERAL \
             (SELECT * FROM \"{}\" s WHERE s.\"{}\" = p.id) m",
            E::default().table_name(),
            column.as_str()
        );
        Ok(E::find()
            .from_raw_sql(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                [ids.to_vec().into()],
            ))
            .all(conn)
            .await?)
    } else {
        // SQLite allows 32,766 bound variables per statement: a bank file of Pudong's 97,000
        // payments failed with "too many SQL variables" before the ids were chunked.
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(SQLITE_IDS_PER_STATEMENT) {
            out.extend(
                E::find()
                    .filter(column.clone().is_in(chunk.iter().copied()))
                    .all(conn)
                    .await?,
            );
        }
        Ok(out)
    }
}

/// Ids bound in one SQLite `IN (…)` list (the limit is 32,766 variables per statement).
const SQLITE_IDS_PER_STATEMENT: usize = 10_000;

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};

    use super::Db;

    #[tokio::test]
    async fn every_pooled_sqlite_connection_has_the_same_settings() {
        let dir = std::env::temp_dir().join(format!("zhucan-db-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
        let db = Db::connect(&url, 4).await.unwrap();
        // Four transactions at once hold four different connections of the pool.
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(db.conn().begin().await.unwrap());
        }
        for txn in &held {
            let pragma = |sql: &'static str| async move {
                let row = txn
                    .query_one_raw(Statement::from_string(txn.get_database_backend(), sql))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get_by_index::<i64>(0)
                    .map(|v| v.to_string())
                    .or_else(|_| row.try_get_by_index::<String>(0))
                    .unwrap()
            };
            assert_eq!(pragma("PRAGMA synchronous").await, "1", "NORMAL");
            assert_eq!(pragma("PRAGMA foreign_keys").await, "1");
            assert_eq!(pragma("PRAGMA busy_timeout").await, "10000");
            assert_eq!(pragma("PRAGMA journal_mode").await, "wal");
        }
        drop(held);
        std::fs::remove_dir_all(&dir).ok();
    }
}
