//! The citizen's home page (R6, R7) and in-app inbox.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::home::{self, HomeService};
use zhucan_domain::{DomainError, DomainResult};

use crate::catalog::{Institution, ServiceItem};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::person::types::Person;
use crate::support::{page, parse_id, parse_ids, plain_connection};

/// 高频服务
#[derive(SimpleObject)]
pub struct FrequentService {
    /// 服务事项
    pub service: ServiceItem,
    /// 近30天本区办件量
    pub count: u64,
}

/// 站内消息
pub struct InboxMessage(pub home::InboxMessage);

#[Object]
impl InboxMessage {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 类型（SERVICE_GRANTED、SERVICE_REVOKED…）
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// 标题
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 内容
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// 发送时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 是否已读
    async fn read(&self) -> bool {
        self.0.read
    }
}

/// 首页 — the signed-in citizen's home page.
pub struct Home(home::HomePage);

#[Object]
impl Home {
    /// 本区助残服务旗舰店
    async fn flagship_store(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Institution>> {
        let store = ctx
            .service::<HomeService>()
            .flagship_store(&self.0)
            .await
            .gql(ctx)?;
        Ok(store.map(Institution))
    }
    /// 高频服务 — the most used services in your district over the last 30 days.
    async fn frequent_services(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<FrequentService>> {
        let rows = ctx
            .service::<HomeService>()
            .frequent_services(&self.0)
            .await
            .gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|f| FrequentService {
                service: ServiceItem(f.item),
                count: f.count,
            })
            .collect())
    }
    /// 我置顶的服务（按我排的顺序）
    async fn pinned_services(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ServiceItem>> {
        pins(ctx, ctx.service::<HomeService>().pinned().await)
    }
    /// 个人信息（敏感字段脱敏）— also carries visitor records, service records and matching.
    async fn profile(&self) -> Person {
        Person(self.0.person.clone())
    }
    /// 可报名的活动 — upcoming activities of your street-town, district and the city that you may
    /// join now, soonest first (at most 10).
    async fn activities(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::activity::Activity>> {
        let rows = ctx
            .service::<zhucan_domain::activity::ActivityService>()
            .open_for(&self.0.person, 10)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(crate::activity::Activity).collect())
    }
    /// 未读消息数
    async fn unread_messages(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        ctx.service::<HomeService>().unread().await.gql(ctx)
    }
}

fn pins(
    ctx: &Context<'_>,
    rows: DomainResult<Vec<zhucan_domain::catalog::ServiceItem>>,
) -> async_graphql::Result<Vec<ServiceItem>> {
    Ok(rows.gql(ctx)?.into_iter().map(ServiceItem).collect())
}

/// 首页与消息
#[derive(Default)]
pub struct HomeQuery;

#[Object]
impl HomeQuery {
    /// 首页
    async fn home(&self, ctx: &Context<'_>) -> async_graphql::Result<Home> {
        let page = ctx.service::<HomeService>().home().await.gql(ctx)?;
        Ok(Home(page))
    }

    /// 我的消息，按发送顺序；`last: N` 取最新 N 条，`before` 继续往前翻
    async fn inbox(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] unread_only: bool,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, InboxMessage>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<HomeService>()
            .inbox(unread_only, page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |m| m.id.to_string(), InboxMessage))
    }
}

/// 首页定制与消息
#[derive(Default)]
pub struct HomeMutation;

#[Object]
impl HomeMutation {
    /// 设置置顶服务（按给出的顺序，最多12项；空列表清除）
    async fn set_pinned_services(
        &self,
        ctx: &Context<'_>,
        service_item_ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<ServiceItem>> {
        let ids = parse_ids("serviceItemIds", &service_item_ids).gql(ctx)?;
        pins(ctx, ctx.service::<HomeService>().set_pins(&ids).await)
    }

    /// 置顶一项服务（加到末尾）
    async fn pin_service(
        &self,
        ctx: &Context<'_>,
        service_item_id: ID,
    ) -> async_graphql::Result<Vec<ServiceItem>> {
        let id = parse_id("serviceItemId", &service_item_id).gql(ctx)?;
        pins(ctx, ctx.service::<HomeService>().pin(id).await)
    }

    /// 取消置顶
    async fn unpin_service(
        &self,
        ctx: &Context<'_>,
        service_item_id: ID,
    ) -> async_graphql::Result<Vec<ServiceItem>> {
        let id = parse_id("serviceItemId", &service_item_id).gql(ctx)?;
        pins(ctx, ctx.service::<HomeService>().unpin(id).await)
    }

    /// 标记消息已读；返回实际标记的条数
    async fn mark_messages_read(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<u64> {
        if ids.len() > 100 {
            return Err(DomainError::bad_input("ids", "一次最多100条")).gql(ctx);
        }
        let ids = parse_ids("ids", &ids).gql(ctx)?;
        ctx.service::<HomeService>().mark_read(&ids).await.gql(ctx)
    }
}
