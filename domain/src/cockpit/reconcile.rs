//! The cockpit's reconciliation: recount every counter from the tables, compare, report the
//! drift, repair it — in one transaction that holds the counters still (writers of counted
//! tables wait for it on PostgreSQL; SQLite has one writer), so a change made meanwhile is
//! neither lost nor counted twice. Nightly, and on demand; every run is kept and audited.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zhucan_migrations::cockpit::{METRICS, now_ms, recount};

use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::db::Db;
use crate::error::{DomainError, DomainResult};

/// How many drifts a run keeps in its record (all are repaired).
const KEPT: usize = 500;

code_enum! {
    /// Why a reconciliation ran.
    ReconcileReason {
        /// 每日定时
        #[default]
        Nightly = "NIGHTLY",
        /// 手动发起
        OnDemand = "ON_DEMAND",
    }
}

/// One counter that disagreed with the tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// Metric code.
    pub metric: String,
    /// Region code.
    pub region_code: String,
    /// Bucket (period or value).
    pub bucket: String,
    /// What the counter said.
    pub recorded: i64,
    /// What the tables say.
    pub actual: i64,
    /// Recorded amount (fen), where the metric sums one.
    pub recorded_amount: i64,
    /// Actual amount.
    pub actual_amount: i64,
}

/// One run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// Run id.
    pub id: Uuid,
    /// When it ran.
    pub ran_at: DateTime<Utc>,
    /// Why.
    pub reason: ReconcileReason,
    /// Who ran it (`system` at night).
    pub actor: String,
    /// Counters compared.
    pub counters: usize,
    /// How many disagreed (all repaired).
    pub drift_count: usize,
    /// The first of them.
    pub drifts: Vec<Drift>,
}

type Key = (String, String, String);

async fn counters<C: ConnectionTrait>(conn: &C) -> DomainResult<BTreeMap<Key, (i64, i64)>> {
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT metric, region_code, bucket, value, amount FROM cockpit_counters",
        ))
        .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        out.insert(
            (
                r.try_get::<String>("", "metric")?,
                r.try_get::<String>("", "region_code")?,
                r.try_get::<String>("", "bucket")?,
            ),
            (
                r.try_get::<i64>("", "value")?,
                r.try_get::<i64>("", "amount")?,
            ),
        );
    }
    Ok(out)
}

async fn actual<C: ConnectionTrait>(conn: &C) -> DomainResult<BTreeMap<Key, (i64, i64)>> {
    let backend = conn.get_database_backend();
    let mut out = BTreeMap::new();
    for m in METRICS {
        let rows = conn
            .query_all_raw(Statement::from_string(backend, recount(backend, m)))
            .await?;
        for r in rows {
            out.insert(
                (
                    m.code.to_owned(),
                    r.try_get::<String>("", "region_code")?,
                    r.try_get::<String>("", "bucket")?,
                ),
                (
                    r.try_get::<i64>("", "value")?,
                    r.try_get::<i64>("", "amount")?,
                ),
            );
        }
    }
    Ok(out)
}

/// Recount, report, repair; record the run in `cockpit_reconciliations` and the audit chain.
pub async fn reconcile(
    p: &Platform,
    actor: &Actor,
    reason: ReconcileReason,
) -> DomainResult<Reconciliation> {
    let started = std::time::Instant::now();
    let w = p.db.begin_write().await?;
    let backend = w.txn.get_database_backend();
    if backend == DbBackend::Postgres {
        // Writers of counted tables update counters (ROW EXCLUSIVE): they wait until this
        // transaction ends, and what they committed before is in the recount.
        w.txn
            .execute_unprepared("LOCK TABLE cockpit_counters IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    let recorded = counters(&w.txn).await?;
    let actual = actual(&w.txn).await?;
    let keys: BTreeSet<&Key> = recorded.keys().chain(actual.keys()).collect();
    let mut drifts = Vec::new();
    for key in &keys {
        let r = recorded.get(*key).copied().unwrap_or((0, 0));
        let a = actual.get(*key).copied().unwrap_or((0, 0));
        if r != a {
            drifts.push(Drift {
                metric: key.0.clone(),
                region_code: key.1.clone(),
                bucket: key.2.clone(),
                recorded: r.0,
                actual: a.0,
                recorded_amount: r.1,
                actual_amount: a.1,
            });
        }
    }
    let ph = |n: usize| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    let upsert = format!(
        "INSERT INTO cockpit_counters (metric, region_code, bucket, value, amount, updated_ms) \
         VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (metric, region_code, bucket) DO UPDATE SET \
         value = excluded.value, amount = excluded.amount, updated_ms = excluded.updated_ms",
        ph(1),
        ph(2),
        ph(3),
        ph(4),
        ph(5),
        // The database's clock, as the triggers stamp: every node reads repairs as changes.
        now_ms(backend)
    );
    for d in &drifts {
        let values: Vec<Value> = vec![
            d.metric.clone().into(),
            d.region_code.clone().into(),
            d.bucket.clone().into(),
            d.actual.into(),
            d.actual_amount.into(),
        ];
        w.txn
            .execute_raw(Statement::from_sql_and_values(
                backend,
                upsert.clone(),
                values,
            ))
            .await?;
    }
    let run = Reconciliation {
        id: Uuid::now_v7(),
        ran_at: Utc::now(),
        reason,
        actor: format!("{}:{}", actor.role, actor.name)
            .chars()
            .take(64)
            .collect(),
        counters: keys.len(),
        drift_count: drifts.len(),
        drifts: drifts.iter().take(KEPT).cloned().collect(),
    };
    let detail = serde_json::to_string(&run.drifts).map_err(DomainError::internal)?;
    w.txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO cockpit_reconciliations (id, ran_at, reason, actor, counters, drifts, detail) \
                 VALUES ({}, {}, {}, {}, {}, {}, {})",
                ph(1),
                ph(2),
                ph(3),
                ph(4),
                ph(5),
                ph(6),
                ph(7)
            ),
            vec![
                run.id.into(),
                run.ran_at.into(),
                run.reason.as_str().to_owned().into(),
                run.actor.clone().into(),
                i32::try_from(run.counters).unwrap_or(i32::MAX).into(),
                i32::try_from(run.drift_count).unwrap_or(i32::MAX).into(),
                detail.into(),
            ],
        ))
        .await?;
    audit::append(
        &w.txn,
        p.audit_key(),
        actor,
        AuditEntry {
            operation: "cockpit.reconcile",
            object_type: "cockpit",
            object_id: run.id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!(
                "{}: {} counters, {} drifted",
                run.reason.as_str(),
                run.counters,
                run.drift_count
            ),
        },
    )
    .await?;
    w.commit().await?;
    p.cockpit.invalidate().await;
    if run.drift_count > 0 {
        tracing::warn!(
            counters = run.counters,
            drifted = run.drift_count,
            reason = run.reason.as_str(),
            ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "cockpit counters drifted from the tables and were repaired"
        );
    } else {
        tracing::info!(
            counters = run.counters,
            reason = run.reason.as_str(),
            ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "cockpit counters agree with the tables"
        );
    }
    Ok(run)
}

/// The newest runs.
pub async fn reconciliations(db: &Db, limit: u64) -> DomainResult<Vec<Reconciliation>> {
    let backend = db.backend();
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT id, ran_at, reason, actor, counters, drifts, detail \
                 FROM cockpit_reconciliations ORDER BY ran_at DESC LIMIT {limit}"
            ),
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            let detail: String = r.try_get("", "detail")?;
            Ok(Reconciliation {
                id: r.try_get("", "id")?,
                ran_at: r.try_get("", "ran_at")?,
                reason: ReconcileReason::from_stored(&r.try_get::<String>("", "reason")?),
                actor: r.try_get("", "actor")?,
                counters: usize::try_from(r.try_get::<i32>("", "counters")?).unwrap_or(0),
                drift_count: usize::try_from(r.try_get::<i32>("", "drifts")?).unwrap_or(0),
                drifts: serde_json::from_str(&detail).unwrap_or_default(),
            })
        })
        .collect()
}

/// Whether the nightly run is due: it is past 02:30 in Shanghai and no run has been recorded
/// since the last 02:30.
pub async fn nightly_due(db: &Db, now: DateTime<Utc>) -> DomainResult<bool> {
    let local = now + chrono::Duration::hours(8);
    let cutoff_local = local.date_naive().and_hms_opt(2, 30, 0).unwrap_or_default();
    let mut cutoff = cutoff_local.and_utc() - chrono::Duration::hours(8);
    if now < cutoff {
        cutoff -= chrono::Duration::days(1);
    }
    let last = reconciliations(db, 1).await?;
    Ok(last.first().is_none_or(|r| r.ran_at < cutoff))
}
