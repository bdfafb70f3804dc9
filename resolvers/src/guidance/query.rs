//! 云助残 queries, as the guidance and volunteer services answer them.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use zhucan_domain::guidance::GuidanceService;
use zhucan_domain::page::DEFAULT_PAGE_SIZE;
use zhucan_domain::volunteer::VolunteerService;

use super::types::{
    GuidanceRequest, GuidanceUser, Volunteer, VolunteerStatistics, VolunteerStatus,
};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::support::{page, parse_id, plain_connection};

/// 云助残 queries.
#[derive(Default)]
pub struct GuidanceQuery;

#[Object]
impl GuidanceQuery {
    /// 助盲出行需求 — one request, as the viewer may see it (`NOT_FOUND` otherwise).
    async fn guidance_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<GuidanceRequest> {
        let id = parse_id("id", &id).gql(ctx)?;
        let view = ctx
            .service::<GuidanceService>()
            .request(id)
            .await
            .gql(ctx)?;
        Ok(GuidanceRequest(view))
    }

    /// 我的助盲出行需求 — the signed-in citizen's requests in the order they were published
    /// (`last: N` gives the newest N).
    async fn my_guidance_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, GuidanceRequest>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<GuidanceService>()
            .my_requests(&page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |r| r.id().to_string(),
            GuidanceRequest,
        ))
    }

    /// 我的派单 — the signed-in volunteer's live offers, nearest first. A reconnecting app
    /// queries this to catch up; no event is needed to be correct.
    async fn my_guidance_offers(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<GuidanceRequest>> {
        let rows = ctx
            .service::<GuidanceService>()
            .my_offers()
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(GuidanceRequest).collect())
    }

    /// 我的志愿者档案
    async fn my_volunteer_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Volunteer>> {
        let profile = ctx
            .service::<VolunteerService>()
            .my_profile()
            .await
            .gql(ctx)?;
        Ok(profile.map(Volunteer))
    }

    /// 志愿者管理 — volunteers serving a street-town in the admin's scope, in registration
    /// order.
    async fn volunteers(
        &self,
        ctx: &Context<'_>,
        status: Option<VolunteerStatus>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Volunteer>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<VolunteerService>()
            .list(status.map(Into::into), page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |v| v.id.to_string(), Volunteer))
    }

    /// 志愿者统计 — counts in the admin's scope.
    async fn volunteer_statistics(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<VolunteerStatistics> {
        let s = ctx.service::<VolunteerService>().stats().await.gql(ctx)?;
        Ok(VolunteerStatistics {
            total: s.total,
            pending: s.pending,
            verified: s.verified,
            suspended: s.suspended,
            on_duty: s.on_duty,
        })
    }

    /// 残疾人用户管理 — guidance users in the admin's scope: requests, completion and
    /// cancellation rates, blocks (most active first).
    async fn guidance_users(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 500))] first: Option<i32>,
    ) -> async_graphql::Result<Vec<GuidanceUser>> {
        let limit = first
            .and_then(|f| usize::try_from(f).ok())
            .unwrap_or(DEFAULT_PAGE_SIZE as usize);
        let rows = ctx
            .service::<GuidanceService>()
            .users(limit)
            .await
            .gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|s| {
                let rate = |n: u32| {
                    if s.requests == 0 {
                        0.0
                    } else {
                        f64::from(n) / f64::from(s.requests)
                    }
                };
                GuidanceUser {
                    person_id: ID(s.person_id.to_string()),
                    completion_rate: rate(s.completed),
                    cancellation_rate: rate(s.cancelled),
                    name: s.name,
                    street_code: s.street_code,
                    requests: s.requests,
                    completed: s.completed,
                    cancelled: s.cancelled,
                    expired: s.expired,
                    blocks: s.blocks,
                }
            })
            .collect())
    }
}
