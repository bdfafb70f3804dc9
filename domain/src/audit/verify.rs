//! Verifying the chain end to end.

use std::path::Path;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::chain::mac_of;
use crate::crypto::ct_eq;
use crate::db::Db;
use crate::entities::{audit_head, audit_record};
use crate::error::{DomainError, DomainResult};

/// Outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Whether the whole chain is intact.
    pub ok: bool,
    /// Records checked.
    pub checked: u64,
    /// First sequence number at which the chain breaks.
    pub broken_at: Option<i64>,
    /// What is wrong, in zh-CN.
    pub problem: Option<String>,
}

const BATCH: u64 = 5_000;

/// Walk the whole chain in sequence order, recomputing every MAC; check the head's MAC, and the
/// signed checkpoint at `checkpoint` (when given) against a rollback of the whole database.
/// Reads only: verifying never appends to the chain it checks.
pub async fn verify(db: &Db, key: &[u8], checkpoint: Option<&Path>) -> DomainResult<VerifyReport> {
    let head = audit_head::Entity::find_by_id(1)
        .one(db.conn())
        .await?
        .ok_or_else(|| DomainError::internal("audit_head row missing"))?;
    let mut expected_seq = head.first_seq;
    let mut prev = head.first_prev_mac.clone().unwrap_or_else(|| vec![0u8; 32]);
    let mut checked = 0u64;
    let broken = |seq: i64, checked: u64, why: String| VerifyReport {
        ok: false,
        checked,
        broken_at: Some(seq),
        problem: Some(why),
    };
    // After retention pruning the chain starts at a MAC-ed anchor; a moved anchor is tampering.
    let anchored = head.first_seq != 1 || head.first_prev_mac.is_some();
    if anchored
        && !head
            .anchor_mac
            .as_deref()
            .is_some_and(|m| ct_eq(m, &super::prune::anchor_mac(key, head.first_seq, &prev)))
    {
        return Ok(broken(
            head.first_seq,
            0,
            "审计链起点（清理锚点）被篡改".to_owned(),
        ));
    }
    loop {
        let rows = audit_record::Entity::find()
            .filter(audit_record::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_record::Column::Seq)
            .limit(BATCH)
            .all(db.conn())
            .await?;
        let n = rows.len() as u64;
        for r in rows {
            if r.seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    checked,
                    format!("第{expected_seq}条记录缺失（下一条为第{}条）", r.seq),
                ));
            }
            if !ct_eq(&r.prev_mac, &prev) {
                return Ok(broken(
                    r.seq,
                    checked,
                    format!("第{}条记录与前一条的链接不符（删除或重排）", r.seq),
                ));
            }
            if !ct_eq(&mac_of(key, &r), &r.mac) {
                return Ok(broken(
                    r.seq,
                    checked,
                    format!("第{}条记录内容被篡改", r.seq),
                ));
            }
            prev = r.mac;
            expected_seq += 1;
            checked += 1;
        }
        if n < BATCH {
            break;
        }
    }
    // The head names the chain's end with a MAC only the audit key makes: a tail removed together
    // with the head moved back shows here.
    let sealed = head.head_mac.as_deref().is_some_and(|m| {
        ct_eq(
            m,
            &super::chain::head_mac(key, head.last_seq, &head.last_mac),
        )
    });
    if !sealed && (head.last_seq > 0 || head.head_mac.is_some()) {
        return Ok(broken(
            head.last_seq,
            checked,
            "审计链头的签名不符（链头被改动，尾部记录可能被删除）".to_owned(),
        ));
    }
    if head.last_seq != expected_seq - 1 || !ct_eq(&head.last_mac, &prev) {
        return Ok(broken(
            expected_seq,
            checked,
            format!(
                "链头记录第{}条，实际只有{}条（尾部被截断）",
                head.last_seq,
                expected_seq - 1
            ),
        ));
    }
    if let Some(path) = checkpoint {
        let state = super::checkpoint::check(db, key, path).await?;
        if let Some(problem) = state.problem() {
            let at = match &state {
                super::checkpoint::CheckpointState::RolledBack { last_seq, .. } => last_seq + 1,
                super::checkpoint::CheckpointState::Rewritten(c) => c.seq,
                _ => head.last_seq,
            };
            return Ok(broken(at, checked, problem));
        }
    }
    Ok(VerifyReport {
        ok: true,
        checked,
        broken_at: None,
        problem: None,
    })
}
