//! Signed checkpoints of the chain kept outside the database (等保 8.1.4.3): every node writes the
//! chain's end (sequence number, MAC, time), signed with HMAC-SM3 under the audit key, to a file
//! (`audit_checkpoint_file`) at an interval. A database rolled back to an earlier state — a
//! restored backup, a replaced file — holds a chain that is intact in itself, with a valid head;
//! only a record of where the chain had already been shows that records are missing.
//!
//! A checkpoint only moves forward: a node that finds the database behind the file, or holding a
//! different record at the checkpoint's sequence number, keeps the file as evidence and reports
//! the rollback instead of overwriting it.

use std::path::Path;

use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};

use crate::crypto::{ct_eq, hmac_sm3};
use crate::db::Db;
use crate::entities::{audit_head, audit_record};
use crate::error::{DomainError, DomainResult};

/// A signed record of where the chain ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Last sequence number at the time.
    pub seq: i64,
    /// Its MAC (hex).
    pub mac: String,
    /// When the checkpoint was taken.
    pub at: DateTime<Utc>,
    /// HMAC-SM3 of the three fields above under the audit key (hex).
    pub sig: String,
}

impl Checkpoint {
    fn signature(key: &[u8], seq: i64, mac: &str, at: DateTime<Utc>) -> String {
        hex::encode(hmac_sm3(
            key,
            &[
                b"audit-checkpoint",
                &seq.to_be_bytes(),
                mac.as_bytes(),
                &at.timestamp_micros().to_be_bytes(),
            ],
        ))
    }

    /// A checkpoint of `seq` / `mac` taken at `at`, signed with `key`.
    pub fn new(key: &[u8], seq: i64, mac: &[u8], at: DateTime<Utc>) -> Self {
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
        let mac = hex::encode(mac);
        let sig = Self::signature(key, seq, &mac, at);
        Self { seq, mac, at, sig }
    }

    /// Whether the signature holds under `key`.
    pub fn is_signed_by(&self, key: &[u8]) -> bool {
        let expected = Self::signature(key, self.seq, &self.mac, self.at);
        ct_eq(expected.as_bytes(), self.sig.as_bytes())
    }
}

/// What the database says about a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointState {
    /// No checkpoint file yet.
    Absent,
    /// The database holds the checkpointed record and has not gone back past it.
    Consistent(Checkpoint),
    /// The file's signature does not hold: it was edited or made with another key.
    Forged,
    /// The database ends before the checkpoint: it was rolled back.
    RolledBack {
        /// The checkpoint.
        checkpoint: Checkpoint,
        /// Where the database's chain ends now.
        last_seq: i64,
    },
    /// The database holds a different record at the checkpoint's sequence number.
    Rewritten(Checkpoint),
}

impl CheckpointState {
    /// What is wrong, in zh-CN (`None` when nothing is).
    pub fn problem(&self) -> Option<String> {
        match self {
            Self::Absent | Self::Consistent(_) => None,
            Self::Forged => Some("审计检查点文件的签名不符（被改动或密钥不同）".to_owned()),
            Self::RolledBack {
                checkpoint,
                last_seq,
            } => Some(format!(
                "数据库被回滚：检查点（{}）记录审计链已到第{}条，数据库只到第{last_seq}条",
                checkpoint.at.format("%Y-%m-%d %H:%M:%S UTC"),
                checkpoint.seq
            )),
            Self::Rewritten(c) => Some(format!(
                "第{}条审计记录与检查点（{}）不一致：审计链被改写",
                c.seq,
                c.at.format("%Y-%m-%d %H:%M:%S UTC")
            )),
        }
    }
}

/// Read the checkpoint file (`None` when absent).
pub fn read(path: &Path) -> DomainResult<Option<Checkpoint>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| DomainError::internal(format!("audit checkpoint unreadable: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DomainError::internal(format!(
            "audit checkpoint {}: {e}",
            path.display()
        ))),
    }
}

async fn head(db: &Db) -> DomainResult<audit_head::Model> {
    audit_head::Entity::find_by_id(1)
        .one(db.conn())
        .await?
        .ok_or_else(|| DomainError::internal("audit_head row missing"))
}

/// Compare the checkpoint file at `path` with the database.
pub async fn check(db: &Db, key: &[u8], path: &Path) -> DomainResult<CheckpointState> {
    let Some(cp) = read(path).unwrap_or_else(|e| {
        tracing::error!(error = %e, "audit checkpoint unreadable");
        None
    }) else {
        return Ok(if path.exists() {
            CheckpointState::Forged
        } else {
            CheckpointState::Absent
        });
    };
    if !cp.is_signed_by(key) {
        return Ok(CheckpointState::Forged);
    }
    let head = head(db).await?;
    if head.last_seq < cp.seq {
        return Ok(CheckpointState::RolledBack {
            checkpoint: cp,
            last_seq: head.last_seq,
        });
    }
    // A record pruned since (below the anchor) can no longer be compared; everything kept can.
    if cp.seq >= head.first_seq && cp.seq > 0 {
        let record = audit_record::Entity::find_by_id(cp.seq)
            .one(db.conn())
            .await?;
        let same = record.is_some_and(|r| ct_eq(hex::encode(&r.mac).as_bytes(), cp.mac.as_bytes()));
        if !same {
            return Ok(CheckpointState::Rewritten(cp));
        }
    }
    Ok(CheckpointState::Consistent(cp))
}

/// Write a checkpoint of the chain's current end to `path` (atomically: a temporary file renamed
/// over it), unless the database is behind or beside the existing checkpoint: then the file is
/// kept and the state returned tells what is wrong. A head whose MAC does not hold is never
/// checkpointed either.
pub async fn write(db: &Db, key: &[u8], path: &Path) -> DomainResult<CheckpointState> {
    let state = check(db, key, path).await?;
    if state.problem().is_some() {
        return Ok(state);
    }
    let head = head(db).await?;
    let sealed = head.head_mac.as_deref().is_some_and(|m| {
        ct_eq(
            m,
            &super::chain::head_mac(key, head.last_seq, &head.last_mac),
        )
    });
    if !sealed {
        return Err(DomainError::internal(
            "audit head MAC does not hold: no checkpoint written",
        ));
    }
    if let CheckpointState::Consistent(cp) = &state
        && cp.seq == head.last_seq
    {
        return Ok(state);
    }
    let cp = Checkpoint::new(key, head.last_seq, &head.last_mac, Utc::now());
    let text = serde_json::to_vec_pretty(&cp).map_err(DomainError::internal)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(DomainError::internal)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::now_v7()));
    std::fs::write(&tmp, text).map_err(DomainError::internal)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        DomainError::internal(e)
    })?;
    Ok(CheckpointState::Consistent(cp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_is_signed_over_every_field() {
        let key = [7u8; 32];
        let at = DateTime::from_timestamp(1_764_460_800, 0).unwrap();
        let cp = Checkpoint::new(&key, 42, &[1u8; 32], at);
        assert!(cp.is_signed_by(&key));
        assert!(!cp.is_signed_by(&[8u8; 32]));
        for changed in [
            Checkpoint {
                seq: 41,
                ..cp.clone()
            },
            Checkpoint {
                mac: hex::encode([2u8; 32]),
                ..cp.clone()
            },
            Checkpoint {
                at: at + chrono::Duration::seconds(1),
                ..cp.clone()
            },
        ] {
            assert!(!changed.is_signed_by(&key), "{changed:?}");
        }
    }
}
