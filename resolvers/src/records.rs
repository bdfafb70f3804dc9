//! 办件记录 (R4): the service records on a person's file — grants, applications, offline
//! handlings — as the record service shows them.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use zhucan_domain::records;

use crate::catalog::ServiceItem;
use crate::context::ContextExt;
use crate::error::loader_error;
use crate::region::{Region, region_of};

/// 办件记录类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::records::RecordKind")]
pub enum ServiceRecordKind {
    /// 免申即享发放
    Grant,
    /// 停止享受
    Revoke,
    /// 申请办理
    Application,
    /// 线下办理
    Offline,
    /// 活动中提供（阳光201 活动）
    Activity,
}

/// 办件记录 — a service record on a person's file.
pub struct ServiceRecord(pub records::ServiceRecord);

/// A service item through the request's loader (one statement for a whole page).
pub(crate) async fn service_item(
    ctx: &Context<'_>,
    id: Uuid,
) -> async_graphql::Result<Option<ServiceItem>> {
    let Some(loader) = ctx.loaders().map(|l| l.service_items()) else {
        return Ok(None);
    };
    let item = loader
        .load_one(id)
        .await
        .map_err(|e| loader_error(ctx, e))?;
    Ok(item.map(ServiceItem))
}

#[Object]
impl ServiceRecord {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 服务事项
    async fn service(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ServiceItem>> {
        service_item(ctx, self.0.service_item_id).await
    }
    /// 类型
    async fn kind(&self) -> ServiceRecordKind {
        self.0.kind.into()
    }
    /// 说明
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// 办理时所在区
    async fn district(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.district_code)
    }
    /// 时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// 享受中的服务 — a 免申即享 grant on a person's file.
pub struct ServiceGrant(pub zhucan_domain::records::Grant);

#[async_graphql::Object]
impl ServiceGrant {
    /// 标识
    async fn id(&self) -> async_graphql::ID {
        async_graphql::ID(self.0.id.to_string())
    }
    /// 服务事项
    async fn service_item_id(&self) -> async_graphql::ID {
        async_graphql::ID(self.0.service_item_id.to_string())
    }
    /// 服务事项名称
    async fn service_name(&self) -> &str {
        &self.0.service_name
    }
    /// 依据的适用条件版本
    async fn rule_version(&self) -> i32 {
        self.0.rule_version
    }
    /// 是否在享受中
    async fn active(&self) -> bool {
        self.0.active
    }
    /// 享受起始时间
    async fn granted_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.granted_at
    }
    /// 停止时间
    async fn revoked_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.revoked_at
    }
}
