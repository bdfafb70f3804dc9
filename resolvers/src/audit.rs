//! The audit trail, for auditors only (三权分立).

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::DomainError;
use zhucan_domain::audit::{AuditService, TrailRecord};

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::support::{connection, page_by};

/// 审计记录
pub struct AuditRecord(TrailRecord);

#[Object]
impl AuditRecord {
    /// Position in the chain.
    async fn seq(&self) -> i64 {
        self.0.seq
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Account id or `anonymous`.
    async fn actor_id(&self) -> &str {
        &self.0.actor_id
    }
    /// Username.
    async fn actor_name(&self) -> &str {
        &self.0.actor_name
    }
    /// Role code.
    async fn actor_role(&self) -> &str {
        &self.0.actor_role
    }
    /// Scope.
    async fn scope(&self) -> &str {
        &self.0.scope
    }
    /// Client IP.
    async fn client_ip(&self) -> &str {
        &self.0.client_ip
    }
    /// Request id.
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
    /// Operation.
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    /// Object type.
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    /// Object id.
    async fn object_id(&self) -> &str {
        &self.0.object_id
    }
    /// `SUCCESS` or `FAILURE:<code>`.
    async fn result(&self) -> &str {
        &self.0.result
    }
    /// Detail (field names, never values).
    async fn detail(&self) -> &str {
        &self.0.detail
    }
    /// HMAC-SM3 of this record, hex.
    async fn mac(&self) -> &str {
        &self.0.mac
    }
}

/// 审计链校验结果
#[derive(SimpleObject)]
pub struct AuditVerification {
    /// Whether the chain is intact.
    ok: bool,
    /// Records checked.
    checked: u64,
    /// First broken sequence number.
    broken_at: Option<i64>,
    /// What is wrong.
    problem: Option<String>,
}

/// Extra fields of the audit connection.
pub struct AuditConnectionFields;

#[Object]
impl AuditConnectionFields {
    /// Records in the trail.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        ctx.service::<AuditService>().count().await.gql(ctx)
    }
}

/// Audit queries.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// 审计记录 — newest first (`last`/`before` page back towards the newest). Auditor only.
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, AuditRecord, AuditConnectionFields>> {
        let page = page_by(first, after, last, before, |field, c| {
            c.parse::<i64>()
                .map_err(|_| DomainError::bad_input(field, "分页游标无效"))
        })
        .gql(ctx)?;
        let rows = ctx.service::<AuditService>().trail(&page).await.gql(ctx)?;
        Ok(connection(
            rows,
            AuditConnectionFields,
            |r| r.seq.to_string(),
            AuditRecord,
        ))
    }

    /// 审计链校验 — recompute every HMAC-SM3 link, the MAC of the chain head and the last signed
    /// checkpoint, so a truncated tail is found too. Auditor only.
    async fn verify_audit_trail(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<AuditVerification> {
        let r = ctx.service::<AuditService>().verify().await.gql(ctx)?;
        Ok(AuditVerification {
            ok: r.ok,
            checked: r.checked,
            broken_at: r.broken_at,
            problem: r.problem,
        })
    }
}
