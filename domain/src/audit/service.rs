//! The audit trail as the auditor sees it (三权分立: the auditor only): pages of records,
//! newest first, and verification of the whole chain.

use chrono::{DateTime, Utc};

use super::{VerifyReport, count, verify};
use crate::caller::Caller;
use crate::entities::audit_record;
use crate::error::{DomainError, DomainResult};
use crate::viewer::Role;
use crate::{Platform, PlatformParts};

/// One record as shown to the auditor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailRecord {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Account id, `anonymous` or `system`.
    pub actor_id: String,
    /// Username.
    pub actor_name: String,
    /// Role code (also `ANONYMOUS`, `SYSTEM`).
    pub actor_role: String,
    /// Scope.
    pub scope: String,
    /// Client IP.
    pub client_ip: String,
    /// Request id.
    pub request_id: String,
    /// Operation.
    pub operation: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// `SUCCESS` or `FAILURE:<code>`.
    pub result: String,
    /// Field names or counts, never values.
    pub detail: String,
    /// HMAC-SM3 of the record, hex.
    pub mac: String,
}

impl From<audit_record::Model> for TrailRecord {
    fn from(r: audit_record::Model) -> Self {
        Self {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            actor_role: r.actor_role,
            scope: r.scope,
            client_ip: r.client_ip,
            request_id: r.request_id,
            operation: r.operation,
            object_type: r.object_type,
            object_id: r.object_id,
            result: r.result,
            detail: r.detail,
            mac: hex::encode(r.mac),
        }
    }
}

/// The trail for one caller, who must be the auditor.
pub struct AuditService<'a> {
    p: &'a PlatformParts,
    caller: &'a Caller,
}

impl<'a> AuditService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    fn auditor(&self) -> DomainResult<()> {
        if self.caller.viewer()?.role != Role::Auditor {
            return Err(DomainError::Forbidden("仅安全审计员可查看审计记录"));
        }
        Ok(())
    }

    /// A page of the trail, newest first (cursors are sequence numbers).
    pub async fn trail(
        &self,
        page: &crate::page::PageRequest<i64>,
    ) -> DomainResult<crate::page::Page<TrailRecord>> {
        self.auditor()?;
        Ok(super::page(&self.p.db, page).await?.map(TrailRecord::from))
    }

    /// Records in the trail.
    pub async fn count(&self) -> DomainResult<u64> {
        self.auditor()?;
        count(&self.p.db).await
    }

    /// Recompute every link, the head's MAC and the signed checkpoint.
    pub async fn verify(&self) -> DomainResult<VerifyReport> {
        self.auditor()?;
        verify(
            &self.p.db,
            self.p.audit_key(),
            self.p.audit_checkpoint.as_deref(),
        )
        .await
    }
}
