//! Appending to the chain.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, Statement};

use crate::crypto::hmac_sm3;
use crate::db::Db;
use crate::entities::{audit_head, audit_record};
use crate::error::{DomainError, DomainResult};
use crate::viewer::{PersonScope, RequestMeta, Viewer};

/// Who acted, copied into each record.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Account id or `anonymous`.
    pub id: String,
    /// Username.
    pub name: String,
    /// Role code or `ANONYMOUS`.
    pub role: String,
    /// Scope description.
    pub scope: String,
    /// Request origin.
    pub meta: RequestMeta,
}

impl Actor {
    /// The actor for a signed-in viewer.
    pub fn of(viewer: &Viewer, meta: &RequestMeta) -> Self {
        Self {
            id: viewer.account_id.to_string(),
            name: viewer.username.clone(),
            role: viewer.role.as_str().to_owned(),
            scope: viewer.region.as_ref().map_or_else(
                || PersonScope::of(viewer).describe(),
                |r| format!("{}:{r}", r.level().as_str()),
            ),
            meta: meta.clone(),
        }
    }

    /// An anonymous actor (sign-in attempts), naming the attempted username.
    pub fn anonymous(attempted: &str, meta: &RequestMeta) -> Self {
        Self {
            id: "anonymous".to_owned(),
            name: attempted.chars().take(64).collect(),
            role: "ANONYMOUS".to_owned(),
            scope: "NONE".to_owned(),
            meta: meta.clone(),
        }
    }

    /// The command-line operator (seeding, migrations, key operations).
    pub fn system(command: &str) -> Self {
        Self {
            id: "system".to_owned(),
            name: command.to_owned(),
            role: "SYSTEM".to_owned(),
            scope: "CITY".to_owned(),
            meta: RequestMeta {
                client_ip: "local".to_owned(),
                request_id: uuid::Uuid::now_v7().to_string(),
            },
        }
    }
}

/// What happened.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// Operation code.
    pub operation: &'a str,
    /// Object type.
    pub object_type: &'a str,
    /// Object id.
    pub object_id: String,
    /// `SUCCESS` or `FAILURE:<code>`.
    pub result: String,
    /// Field names or counts; never personal values.
    pub detail: String,
}

/// Compute a record's MAC.
pub(crate) fn mac_of(key: &[u8], r: &audit_record::Model) -> [u8; 32] {
    hmac_sm3(
        key,
        &[
            &r.seq.to_be_bytes(),
            &r.at.timestamp_micros().to_be_bytes(),
            r.actor_id.as_bytes(),
            r.actor_name.as_bytes(),
            r.actor_role.as_bytes(),
            r.scope.as_bytes(),
            r.client_ip.as_bytes(),
            r.request_id.as_bytes(),
            r.operation.as_bytes(),
            r.object_type.as_bytes(),
            r.object_id.as_bytes(),
            r.result.as_bytes(),
            r.detail.as_bytes(),
            &r.prev_mac,
        ],
    )
}

fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// MAC of the chain's end (last sequence number and last MAC), kept on the head row: moving the
/// head back to hide the newest records needs the audit key.
pub fn head_mac(key: &[u8], last_seq: i64, last_mac: &[u8]) -> [u8; 32] {
    hmac_sm3(key, &[b"audit-head", &last_seq.to_be_bytes(), last_mac])
}

/// Append a record inside the caller's transaction, so that it commits or rolls back with the
/// change it describes. Locks the chain head first.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    key: &[u8],
    actor: &Actor,
    entry: AuditEntry<'_>,
) -> DomainResult<i64> {
    let seqs = append_many(conn, key, &[(actor.clone(), entry)]).await?;
    seqs.first()
        .copied()
        .ok_or_else(|| DomainError::internal("no record appended"))
}

/// Where the chain ends: the last record's sequence number and MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChainEnd {
    pub seq: i64,
    pub mac: Vec<u8>,
}

/// Chain `items` after `end` in memory: the records, and the new end.
fn chained(
    key: &[u8],
    end: &ChainEnd,
    items: &[(Actor, AuditEntry<'_>)],
) -> (Vec<audit_record::Model>, ChainEnd) {
    let mut prev = end.mac.clone();
    let mut seq = end.seq;
    let mut records = Vec::with_capacity(items.len());
    for (actor, entry) in items {
        seq += 1;
        let mut record = audit_record::Model {
            seq,
            at: now_micros(),
            actor_id: actor.id.clone(),
            actor_name: actor.name.clone(),
            actor_role: actor.role.clone(),
            scope: actor.scope.clone(),
            client_ip: actor.meta.client_ip.clone(),
            request_id: actor.meta.request_id.clone(),
            operation: entry.operation.to_owned(),
            object_type: entry.object_type.to_owned(),
            object_id: entry.object_id.clone(),
            result: entry.result.clone(),
            detail: entry.detail.clone(),
            prev_mac: prev,
            mac: Vec::new(),
        };
        record.mac = mac_of(key, &record).to_vec();
        prev = record.mac.clone();
        records.push(record);
    }
    (records, ChainEnd { seq, mac: prev })
}

/// Append several records inside the caller's transaction with three statements whatever their
/// number: the head is locked and advanced once, the records are chained in memory and inserted
/// together. Returns their sequence numbers, in order.
pub async fn append_many<C: ConnectionTrait>(
    conn: &C,
    key: &[u8],
    items: &[(Actor, AuditEntry<'_>)],
) -> DomainResult<Vec<i64>> {
    let (seqs, _) = append_locked(conn, key, items).await?;
    Ok(seqs)
}

/// `append_many`, also returning where the chain ends now.
pub(crate) async fn append_locked<C: ConnectionTrait>(
    conn: &C,
    key: &[u8],
    items: &[(Actor, AuditEntry<'_>)],
) -> DomainResult<(Vec<i64>, Option<ChainEnd>)> {
    if items.is_empty() {
        return Ok((Vec::new(), None));
    }
    let n = i64::try_from(items.len()).map_err(DomainError::internal)?;
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_string(
        backend,
        format!("UPDATE audit_head SET last_seq = last_seq + {n} WHERE id = 1"),
    ))
    .await?;
    let head = audit_head::Entity::find_by_id(1)
        .one(conn)
        .await?
        .ok_or_else(|| DomainError::internal("audit_head row missing"))?;
    let before = ChainEnd {
        seq: head.last_seq - n,
        mac: head.last_mac,
    };
    let (records, end) = chained(key, &before, items);
    let seqs = records.iter().map(|r| r.seq).collect();
    audit_record::Entity::insert_many(records.into_iter().map(audit_record::ActiveModel::from))
        .exec_without_returning(conn)
        .await?;
    audit_head::ActiveModel {
        id: Set(1),
        last_seq: Set(end.seq),
        last_mac: Set(end.mac.clone()),
        head_mac: Set(Some(head_mac(key, end.seq, &end.mac).to_vec())),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok((seqs, Some(end)))
}

/// PostgreSQL only: append after `end`, the chain's end as the caller last left it, in ONE
/// statement that commits by itself (one round trip instead of six for the read recorder's
/// batches). The head is advanced only if it is still at `end`, and the records are inserted
/// only if it was; `None` (nothing written) when another writer appended in between — the
/// caller then takes the locked path. Column arrays keep the statement text constant, so it is
/// prepared once per connection.
pub(crate) async fn append_after(
    conn: &sea_orm::DatabaseConnection,
    key: &[u8],
    end: &ChainEnd,
    items: &[(Actor, AuditEntry<'_>)],
) -> DomainResult<Option<(Vec<i64>, ChainEnd)>> {
    const SQL: &str = "WITH head AS (UPDATE audit_head SET last_seq = $1, last_mac = $2, \
        head_mac = $19 WHERE id = 1 AND last_seq = $3 RETURNING id) \
        INSERT INTO audit_records (seq, at, actor_id, actor_name, actor_role, scope, client_ip, \
        request_id, operation, object_type, object_id, result, detail, prev_mac, mac) \
        SELECT * FROM unnest($4::bigint[], $5::timestamptz[], $6::text[], $7::text[], \
        $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], \
        $15::text[], $16::text[], $17::bytea[], $18::bytea[]) \
        WHERE EXISTS (SELECT 1 FROM head)";
    if items.is_empty() {
        return Ok(Some((Vec::new(), end.clone())));
    }
    let (records, new_end) = chained(key, end, items);
    let column = |f: fn(&audit_record::Model) -> String| -> sea_orm::Value {
        records.iter().map(f).collect::<Vec<_>>().into()
    };
    let values: Vec<sea_orm::Value> = vec![
        new_end.seq.into(),
        new_end.mac.clone().into(),
        end.seq.into(),
        records.iter().map(|r| r.seq).collect::<Vec<_>>().into(),
        records.iter().map(|r| r.at).collect::<Vec<_>>().into(),
        column(|r| r.actor_id.clone()),
        column(|r| r.actor_name.clone()),
        column(|r| r.actor_role.clone()),
        column(|r| r.scope.clone()),
        column(|r| r.client_ip.clone()),
        column(|r| r.request_id.clone()),
        column(|r| r.operation.clone()),
        column(|r| r.object_type.clone()),
        column(|r| r.object_id.clone()),
        column(|r| r.result.clone()),
        column(|r| r.detail.clone()),
        records
            .iter()
            .map(|r| r.prev_mac.clone())
            .collect::<Vec<_>>()
            .into(),
        records
            .iter()
            .map(|r| r.mac.clone())
            .collect::<Vec<_>>()
            .into(),
        head_mac(key, new_end.seq, &new_end.mac).to_vec().into(),
    ];
    let done = conn
        .execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            SQL,
            values,
        ))
        .await?;
    if done.rows_affected() != records.len() as u64 {
        return Ok(None);
    }
    Ok(Some((records.iter().map(|r| r.seq).collect(), new_end)))
}

/// Append a failure record in its own transaction (the failed change was rolled back).
pub async fn record_failure(
    db: &Db,
    key: &[u8],
    actor: &Actor,
    entry: AuditEntry<'_>,
) -> DomainResult<()> {
    let w = db.begin_write().await?;
    append(&w.txn, key, actor, entry).await?;
    w.commit().await
}
