//! 云助残 queries.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};
use sea_orm::EntityTrait;
use uuid::Uuid;
use zhucan_domain::entities::guidance_request;
use zhucan_domain::guidance;
use zhucan_domain::viewer::{PersonScope, Role};
use zhucan_domain::volunteer::{VolunteerRepo, VolunteerStatus as DomainVolunteerStatus};
use zhucan_domain::{DomainError, DomainResult};

use super::types::{
    GuidanceRequest, GuidanceUser, Volunteer, VolunteerStatistics, VolunteerStatus,
};
use crate::error::{GqlResultExt, platform_viewer, to_graphql};
use crate::person::inputs::parse_id;
use crate::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// The scope of a region admin, or `FORBIDDEN`.
pub(crate) fn admin_scope(viewer: &zhucan_domain::viewer::Viewer) -> DomainResult<PersonScope> {
    if !viewer.role.is_region_admin() {
        return Err(DomainError::Forbidden("仅市、区、街镇管理员可查看"));
    }
    Ok(PersonScope::of(viewer))
}

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
        let (p, viewer) = platform_viewer(ctx)?;
        let id = parse_id("id", &id).gql(ctx)?;
        let row = guidance_request::Entity::find_by_id(id)
            .one(p.db.conn())
            .await
            .map_err(DomainError::from)
            .gql(ctx)?;
        let row = row
            .ok_or(DomainError::NotFound {
                what: "助盲出行需求",
            })
            .gql(ctx)?;
        let access = guidance::access_of(p, viewer, &row).await.gql(ctx)?;
        Ok(GuidanceRequest { row, access })
    }

    /// 我的助盲出行需求 — the signed-in citizen's requests, newest first.
    async fn my_guidance_requests(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<GuidanceRequest>> {
        let (p, viewer) = platform_viewer(ctx)?;
        let (Role::Citizen, Some(pid)) = (viewer.role, viewer.person_id) else {
            return Ok(Vec::new());
        };
        let rows = guidance::requests_of_person(p, pid, 50).await.gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|row| GuidanceRequest {
                row,
                access: guidance::GuidanceAccess::Requester,
            })
            .collect())
    }

    /// 我的派单 — the signed-in volunteer's live offers, nearest first. A reconnecting app
    /// queries this to catch up; no event is needed to be correct.
    async fn my_guidance_offers(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<GuidanceRequest>> {
        let (p, viewer) = platform_viewer(ctx)?;
        let Some(v) = VolunteerRepo::new(&p.db)
            .by_account(viewer.account_id)
            .await
            .gql(ctx)?
        else {
            return Err(to_graphql(
                ctx,
                DomainError::Forbidden("仅志愿者可查看派单"),
            ));
        };
        let offers = guidance::live_offers_of(p, v.id).await.gql(ctx)?;
        Ok(offers
            .into_iter()
            .map(|(row, o)| GuidanceRequest {
                row,
                access: guidance::GuidanceAccess::OfferedVolunteer {
                    distance_m: o.distance_m,
                },
            })
            .collect())
    }

    /// 我的志愿者档案
    async fn my_volunteer_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Volunteer>> {
        let (p, viewer) = platform_viewer(ctx)?;
        Ok(VolunteerRepo::new(&p.db)
            .by_account(viewer.account_id)
            .await
            .gql(ctx)?
            .map(Volunteer))
    }

    /// 志愿者管理 — volunteers serving a street-town in the admin's scope.
    async fn volunteers(
        &self,
        ctx: &Context<'_>,
        status: Option<VolunteerStatus>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Volunteer>> {
        let (p, viewer) = platform_viewer(ctx)?;
        let scope = admin_scope(viewer).gql(ctx)?;
        let first = first.map_or(DEFAULT_PAGE_SIZE, |f| usize::try_from(f).unwrap_or(0));
        if first > MAX_PAGE_SIZE {
            return Err(to_graphql(
                ctx,
                DomainError::bad_input("first", format!("每页最多{MAX_PAGE_SIZE}条")),
            ));
        }
        let after = after
            .map(|a| {
                Uuid::parse_str(&a).map_err(|_| DomainError::bad_input("after", "分页游标无效"))
            })
            .transpose()
            .gql(ctx)?;
        let status = status.map(|s| match s {
            VolunteerStatus::Pending => DomainVolunteerStatus::Pending,
            VolunteerStatus::Verified => DomainVolunteerStatus::Verified,
            VolunteerStatus::Suspended => DomainVolunteerStatus::Suspended,
        });
        let (rows, more) = VolunteerRepo::new(&p.db)
            .list(&scope, status, after, first as u64)
            .await
            .gql(ctx)?;
        let mut conn = Connection::new(after.is_some(), more);
        conn.edges.extend(
            rows.into_iter()
                .map(|v| Edge::new(v.id.to_string(), Volunteer(v))),
        );
        Ok(conn)
    }

    /// 志愿者统计 — counts in the admin's scope.
    async fn volunteer_statistics(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<VolunteerStatistics> {
        let (p, viewer) = platform_viewer(ctx)?;
        let scope = admin_scope(viewer).gql(ctx)?;
        let s = VolunteerRepo::new(&p.db).stats(&scope).await.gql(ctx)?;
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
        let (p, viewer) = platform_viewer(ctx)?;
        let scope = admin_scope(viewer).gql(ctx)?;
        let limit = first.map_or(DEFAULT_PAGE_SIZE, |f| {
            usize::try_from(f).unwrap_or(DEFAULT_PAGE_SIZE)
        });
        let rows = guidance::guidance_user_stats(p, &scope, limit)
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
                    name: s.name.clone(),
                    street_code: s.street_code.clone(),
                    requests: s.requests,
                    completed: s.completed,
                    cancelled: s.cancelled,
                    expired: s.expired,
                    completion_rate: rate(s.completed),
                    cancellation_rate: rate(s.cancelled),
                    blocks: s.blocks,
                }
            })
            .collect())
    }
}
