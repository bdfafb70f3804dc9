//! The audit trail: append-only records chained with HMAC-SM3. Each record's MAC covers the
//! previous record's MAC and every field of its own, so a changed, removed or reordered record
//! breaks the chain; the head row makes a truncated tail visible too.

mod batch;
mod chain;
pub mod checkpoint;
mod prune;
mod service;
mod verify;

pub use batch::ReadRecorder;
pub use chain::{Actor, AuditEntry, append, append_many, head_mac, record_failure};
pub use prune::{MIN_RETENTION_DAYS, PruneReport, anchor_mac, prune};
pub use service::{AuditService, TrailRecord};
pub use verify::{VerifyReport, verify};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::db::Db;
use crate::entities::audit_record;
use crate::error::DomainResult;

/// Operations that count as a visit to a person's file (访客记录).
pub const VISIT_OPERATIONS: [&str; 5] = [
    "person.view",
    "person.reveal",
    "person.update",
    "person.create",
    "person.deactivate",
];

/// A page of the trail, newest first: forwards from `after` (older records), or backwards — the
/// `size` records just newer than `before`.
pub async fn page(
    db: &Db,
    page: &crate::page::PageRequest<i64>,
) -> DomainResult<crate::page::Page<audit_record::Model>> {
    let mut q = audit_record::Entity::find();
    if let Some(a) = page.after {
        q = q.filter(audit_record::Column::Seq.lt(a));
    }
    if let Some(b) = page.before {
        q = q.filter(audit_record::Column::Seq.gt(b));
    }
    let q = if page.backward {
        q.order_by_asc(audit_record::Column::Seq)
    } else {
        q.order_by_desc(audit_record::Column::Seq)
    };
    let rows = q.limit(page.size + 1).all(db.conn()).await?;
    Ok(page.finish(rows))
}

/// Total records in the trail.
pub async fn count(db: &Db) -> DomainResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(audit_record::Entity::find().count(db.conn()).await?)
}

/// Visits to the files of `persons` (newest first, at most `per_person` each), in one statement.
pub async fn visits_of(
    db: &Db,
    persons: &[Uuid],
    per_person: usize,
) -> DomainResult<Vec<(Uuid, audit_record::Model)>> {
    let ids: Vec<String> = persons.iter().map(Uuid::to_string).collect();
    let rows = audit_record::Entity::find()
        .filter(audit_record::Column::ObjectType.eq("person"))
        .filter(audit_record::Column::ObjectId.is_in(ids))
        .filter(audit_record::Column::Operation.is_in(VISIT_OPERATIONS))
        .filter(audit_record::Column::Result.eq("SUCCESS"))
        .order_by_desc(audit_record::Column::Seq)
        .all(db.conn())
        .await?;
    let mut taken: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for r in rows {
        let Ok(pid) = Uuid::parse_str(&r.object_id) else {
            continue;
        };
        let n = taken.entry(pid).or_default();
        if *n < per_person {
            *n += 1;
            out.push((pid, r));
        }
    }
    Ok(out)
}

/// Run a change; when it fails, append a `FAILURE:<code>` record of it in a transaction of its
/// own (the change itself rolled back) and return the error. A success is recorded by the change,
/// in its own transaction. Records carry field names, never the rejected values.
///
/// The change runs on the heap: every service wraps its writes in this, and a change's future
/// (a database transaction or three) is tens of kilobytes in a debug build; kept inline, each
/// layer that awaits it would carry it again on the stack of the thread that polls it.
pub fn audited<'a, T: Send + 'a>(
    db: &'a Db,
    key: &'a [u8],
    actor: &'a Actor,
    operation: &'a str,
    object_type: &'a str,
    object_id: String,
    body: impl std::future::Future<Output = DomainResult<T>> + Send + 'a,
) -> Audited<'a, T> {
    Box::pin(async move {
        match body.await {
            Ok(v) => Ok(v),
            Err(e) => {
                let entry = AuditEntry {
                    operation,
                    object_type,
                    object_id,
                    result: format!("FAILURE:{}", e.code()),
                    detail: match &e {
                        crate::error::DomainError::BadInput { field, .. } => field.clone(),
                        _ => String::new(),
                    },
                };
                if let Err(audit_err) = record_failure(db, key, actor, entry).await {
                    tracing::error!(request_id = %actor.meta.request_id, error = %audit_err, "could not audit a failed change");
                }
                Err(e)
            }
        }
    })
}

/// A change being audited, on the heap (see [`audited`]).
pub type Audited<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = DomainResult<T>> + Send + 'a>>;

/// [`audited`] as a domain service calls it: the caller's actor, the platform's database and
/// audit key.
pub fn audited_by<'a, T: Send + 'a>(
    p: &'a crate::PlatformParts,
    caller: &'a crate::Caller,
    operation: &'a str,
    object_type: &'a str,
    object_id: String,
    body: impl std::future::Future<Output = DomainResult<T>> + Send + 'a,
) -> Audited<'a, T> {
    Box::pin(async move {
        let actor = caller.actor();
        audited(
            &p.db,
            p.audit_key(),
            &actor,
            operation,
            object_type,
            object_id,
            body,
        )
        .await
    })
}

/// Give the chain head its MAC if it has none yet (a trail written before heads were sealed):
/// appends an `audit.head.seal` record, whose append writes the MAC. Run at start, never by
/// `audit verify`.
pub async fn seal_head(db: &Db, key: &[u8]) -> DomainResult<bool> {
    use crate::entities::audit_head;
    let head = audit_head::Entity::find_by_id(1)
        .one(db.conn())
        .await?
        .ok_or_else(|| crate::error::DomainError::internal("audit_head row missing"))?;
    if head.head_mac.is_some() {
        return Ok(false);
    }
    let w = db.begin_write().await?;
    append(
        &w.txn,
        key,
        &Actor::system("startup"),
        AuditEntry {
            operation: "audit.head.seal",
            object_type: "audit_trail",
            object_id: String::new(),
            result: "SUCCESS".to_owned(),
            detail: format!("unsealed_last_seq={}", head.last_seq),
        },
    )
    .await?;
    w.commit().await?;
    Ok(true)
}
