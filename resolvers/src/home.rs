//! The citizen's home page (R6, R7) and in-app inbox.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use zhucan_domain::catalog::{CatalogRepo, InstitutionKind};
use zhucan_domain::entities::inbox_message;
use zhucan_domain::home;
use zhucan_domain::person::PersonRepo;
use zhucan_domain::viewer::{PersonScope, Role, Viewer};
use zhucan_domain::{DomainError, DomainResult};

use crate::catalog::{Institution, ServiceItem};
use crate::context::ContextExt;
use crate::error::{GqlResultExt, platform_viewer};
use crate::person::inputs::parse_id;
use crate::person::types::Person;

/// How many frequent services the home page shows.
pub const FREQUENT_SHOWN: usize = 8;

/// 高频服务
#[derive(SimpleObject)]
pub struct FrequentService {
    /// 服务事项
    pub service: ServiceItem,
    /// 近30天本区办件量
    pub count: u64,
}

/// 站内消息
pub struct InboxMessage(inbox_message::Model);

#[Object]
impl InboxMessage {
    async fn id(&self) -> ID {
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
        self.0.read_at.is_some()
    }
}

/// 首页 — the signed-in citizen's home page.
pub struct Home {
    viewer: Viewer,
    person: zhucan_domain::person::Person,
}

#[Object]
impl Home {
    /// 本区助残服务旗舰店
    async fn flagship_store(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Institution>> {
        let rows = CatalogRepo::new(&ctx.platform().db)
            .institutions(
                Some(&self.person.row().district_code),
                Some(InstitutionKind::FlagshipStore),
            )
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().next().map(Institution))
    }
    /// 高频服务 — the most used services in your district over the last 30 days.
    async fn frequent_services(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<FrequentService>> {
        let rows = home::frequent_services(
            &ctx.platform().db,
            &self.person.row().district_code,
            FREQUENT_SHOWN,
        )
        .await
        .gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|(item, count)| FrequentService {
                service: ServiceItem(item),
                count,
            })
            .collect())
    }
    /// 我置顶的服务（按我排的顺序）
    async fn pinned_services(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ServiceItem>> {
        let rows = home::pinned(&ctx.platform().db, self.viewer.account_id)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(ServiceItem).collect())
    }
    /// 个人信息（敏感字段脱敏）— also carries visitor records, service records and matching.
    async fn profile(&self) -> Person {
        Person(self.person.clone())
    }
    /// 未读消息数
    async fn unread_messages(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        home::unread_count(&ctx.platform().db, self.person.id())
            .await
            .gql(ctx)
    }
}

fn citizen(viewer: &Viewer) -> DomainResult<Uuid> {
    match (viewer.role, viewer.person_id) {
        (Role::Citizen, Some(id)) => Ok(id),
        _ => Err(DomainError::Forbidden("仅残疾人本人账号可使用")),
    }
}

/// 首页与消息
#[derive(Default)]
pub struct HomeQuery;

#[Object]
impl HomeQuery {
    /// 首页
    async fn home(&self, ctx: &Context<'_>) -> async_graphql::Result<Home> {
        let (p, viewer) = platform_viewer(ctx)?;
        let id = citizen(viewer).gql(ctx)?;
        let person = PersonRepo::new(&p.db)
            .get(&PersonScope::of(viewer), id)
            .await
            .gql(ctx)?;
        Ok(Home {
            viewer: viewer.clone(),
            person,
        })
    }

    /// 我的消息，最新在前
    async fn inbox(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] unread_only: bool,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<InboxMessage>> {
        let (p, viewer) = platform_viewer(ctx)?;
        let id = citizen(viewer).gql(ctx)?;
        if !(1..=100).contains(&first) {
            return Err(DomainError::bad_input("first", "每页1–100条")).gql(ctx);
        }
        let rows = home::inbox(&p.db, id, unread_only, first.unsigned_abs().into())
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(InboxMessage).collect())
    }
}

fn ids(field: &str, raw: &[ID]) -> DomainResult<Vec<Uuid>> {
    raw.iter()
        .enumerate()
        .map(|(i, id)| parse_id(&format!("{field}[{i}]"), id))
        .collect()
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
        let (p, viewer) = platform_viewer(ctx)?;
        citizen(viewer).gql(ctx)?;
        let ids = ids("serviceItemIds", &service_item_ids).gql(ctx)?;
        let rows = home::set_pins(&p.db, viewer.account_id, &ids)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(ServiceItem).collect())
    }

    /// 置顶一项服务（加到末尾）
    async fn pin_service(
        &self,
        ctx: &Context<'_>,
        service_item_id: ID,
    ) -> async_graphql::Result<Vec<ServiceItem>> {
        let (p, viewer) = platform_viewer(ctx)?;
        citizen(viewer).gql(ctx)?;
        let id = parse_id("serviceItemId", &service_item_id).gql(ctx)?;
        let mut current: Vec<Uuid> = home::pinned(&p.db, viewer.account_id)
            .await
            .gql(ctx)?
            .into_iter()
            .map(|i| i.id)
            .collect();
        if !current.contains(&id) {
            current.push(id);
        }
        let rows = home::set_pins(&p.db, viewer.account_id, &current)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(ServiceItem).collect())
    }

    /// 取消置顶
    async fn unpin_service(
        &self,
        ctx: &Context<'_>,
        service_item_id: ID,
    ) -> async_graphql::Result<Vec<ServiceItem>> {
        let (p, viewer) = platform_viewer(ctx)?;
        citizen(viewer).gql(ctx)?;
        let id = parse_id("serviceItemId", &service_item_id).gql(ctx)?;
        let current: Vec<Uuid> = home::pinned(&p.db, viewer.account_id)
            .await
            .gql(ctx)?
            .into_iter()
            .map(|i| i.id)
            .filter(|i| *i != id)
            .collect();
        let rows = home::set_pins(&p.db, viewer.account_id, &current)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(ServiceItem).collect())
    }

    /// 标记消息已读；返回实际标记的条数
    async fn mark_messages_read(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<u64> {
        let (p, viewer) = platform_viewer(ctx)?;
        let person = citizen(viewer).gql(ctx)?;
        if ids.len() > 100 {
            return Err(DomainError::bad_input("ids", "一次最多100条")).gql(ctx);
        }
        let ids = self::ids("ids", &ids).gql(ctx)?;
        home::mark_read(&p.db, person, &ids).await.gql(ctx)
    }
}
