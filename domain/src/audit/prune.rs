//! Retention: records older than the retention period (at least 180 days, 等保 8.1.4.3) may be
//! pruned. Pruning is one transaction that moves the chain's anchor (the first remaining sequence
//! number and the MAC it links to, itself MAC-ed with the audit key), deletes the records below
//! it and appends an `audit.prune` record, so verification still covers everything that remains
//! and the pruning shows in the trail. This is the only path that removes records: the database
//! refuses to delete any record at or above the anchor, and an anchor moved by anyone without the
//! key fails verification.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::chain::{Actor, AuditEntry, append};
use crate::crypto::hmac_sm3;
use crate::db::Db;
use crate::entities::{audit_head, audit_record};
use crate::error::{DomainError, DomainResult};

/// Shortest retention the law allows.
pub const MIN_RETENTION_DAYS: i64 = 180;

/// MAC of the anchor (first remaining sequence number and the MAC it links to).
pub fn anchor_mac(key: &[u8], first_seq: i64, first_prev_mac: &[u8]) -> [u8; 32] {
    hmac_sm3(
        key,
        &[b"audit-anchor", &first_seq.to_be_bytes(), first_prev_mac],
    )
}

/// What pruning did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PruneReport {
    /// Records removed.
    pub removed: u64,
    /// First sequence number kept.
    pub first_seq: i64,
}

/// Remove records older than `retention_days` (≥ 180) as of `now`.
pub async fn prune(
    db: &Db,
    key: &[u8],
    actor: &Actor,
    retention_days: i64,
    now: DateTime<Utc>,
) -> DomainResult<PruneReport> {
    if retention_days < MIN_RETENTION_DAYS {
        return Err(DomainError::bad_input(
            "retention_days",
            format!("审计记录至少保留{MIN_RETENTION_DAYS}天"),
        ));
    }
    let cutoff = now - Duration::days(retention_days);
    let w = db.begin_write().await?;
    let last_old = audit_record::Entity::find()
        .filter(audit_record::Column::At.lt(cutoff))
        .order_by_desc(audit_record::Column::Seq)
        .one(&w.txn)
        .await?;
    let head = audit_head::Entity::find_by_id(1)
        .one(&w.txn)
        .await?
        .ok_or_else(|| DomainError::internal("audit_head row missing"))?;
    let Some(last_old) = last_old else {
        return Ok(PruneReport {
            removed: 0,
            first_seq: head.first_seq,
        });
    };
    // The anchor moves first: the append-only triggers let a record go only once it lies below
    // the anchor, and an anchor moved without the audit key fails verification.
    let first_seq = last_old.seq + 1;
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::FirstSeq, Expr::value(first_seq))
        .col_expr(
            audit_head::Column::FirstPrevMac,
            Expr::value(Some(last_old.mac.clone())),
        )
        .col_expr(
            audit_head::Column::AnchorMac,
            Expr::value(Some(anchor_mac(key, first_seq, &last_old.mac).to_vec())),
        )
        .filter(audit_head::Column::Id.eq(1))
        .exec(&w.txn)
        .await?;
    let removed = audit_record::Entity::delete_many()
        .filter(audit_record::Column::Seq.lt(first_seq))
        .exec(&w.txn)
        .await?
        .rows_affected;
    append(
        &w.txn,
        key,
        actor,
        AuditEntry {
            operation: "audit.prune",
            object_type: "audit_trail",
            object_id: String::new(),
            result: "SUCCESS".to_owned(),
            detail: format!(
                "removed={removed} up_to_seq={} retention_days={retention_days}",
                last_old.seq
            ),
        },
    )
    .await?;
    w.commit().await?;
    Ok(PruneReport { removed, first_seq })
}
