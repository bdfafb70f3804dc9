//! 云助残 mutations. The guidance and volunteer services audit every attempt, failures too.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use zhucan_domain::guidance::{GuidanceDraft, GuidanceService};
use zhucan_domain::volunteer::{
    VolunteerRegistration, VolunteerService, VolunteerStatus as DomainVolunteerStatus,
};

use super::types::{GuidanceRequest, Skill, Volunteer};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::support::parse_id;

/// 志愿者注册
#[derive(InputObject)]
pub struct RegisterVolunteerInput {
    /// 用户名
    pub username: String,
    /// 密码 (≥ 8 characters, three character classes)
    pub password: String,
    /// 真实姓名
    pub name: String,
    /// 身份证号码
    pub id_number: String,
    /// 手机号码
    pub phone: String,
    /// 技能
    pub skills: Vec<Skill>,
    /// 服务街镇 (9-digit codes)
    pub service_streets: Vec<String>,
    /// 同意在服务期间使用位置信息和联系方式
    pub consent: bool,
}

/// 发布助盲出行需求
#[derive(InputObject)]
pub struct PublishGuidanceRequestInput {
    /// 出发地
    pub pickup_address: String,
    /// 出发地纬度 (WGS-84)
    pub pickup_latitude: f64,
    /// 出发地经度 (WGS-84)
    pub pickup_longitude: f64,
    /// 目的地
    pub destination: String,
    /// 出发时间 (absent: now)
    pub pickup_time: Option<DateTime<Utc>>,
    /// 需求描述
    pub needs: String,
    /// 联系电话 (absent: the registered phone)
    pub contact_phone: Option<String>,
}

/// 评价
#[derive(InputObject)]
pub struct RateGuidanceInput {
    /// Request id.
    pub request_id: ID,
    /// 1–5 星
    pub stars: i32,
    /// 评语
    pub comment: Option<String>,
}

/// 云助残 mutations.
#[derive(Default)]
pub struct GuidanceMutation;

#[Object]
impl GuidanceMutation {
    /// 志愿者注册 — real-name registration; an admin verifies it before any offer.
    async fn register_volunteer(
        &self,
        ctx: &Context<'_>,
        input: RegisterVolunteerInput,
    ) -> async_graphql::Result<Volunteer> {
        let reg = VolunteerRegistration {
            username: input.username,
            password: input.password,
            name: input.name,
            id_number: input.id_number,
            phone: input.phone,
            skills: input.skills.iter().map(|s| (*s).into()).collect(),
            service_streets: input.service_streets,
            consent: input.consent,
        };
        let v = ctx
            .service::<VolunteerService>()
            .register(reg)
            .await
            .gql(ctx)?;
        Ok(Volunteer(v))
    }

    /// 审核通过志愿者 (admins whose scope holds one of the volunteer's street-towns).
    async fn verify_volunteer(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Volunteer> {
        let id = parse_id("id", &id).gql(ctx)?;
        let v = ctx
            .service::<VolunteerService>()
            .set_status(id, DomainVolunteerStatus::Verified, None)
            .await
            .gql(ctx)?;
        Ok(Volunteer(v))
    }

    /// 暂停志愿者 — their live offer streams end at the next event.
    async fn suspend_volunteer(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<Volunteer> {
        let id = parse_id("id", &id).gql(ctx)?;
        let v = ctx
            .service::<VolunteerService>()
            .set_status(id, DomainVolunteerStatus::Suspended, Some(reason))
            .await
            .gql(ctx)?;
        Ok(Volunteer(v))
    }

    /// 上岗 / 下岗
    async fn set_volunteer_availability(
        &self,
        ctx: &Context<'_>,
        available: bool,
    ) -> async_graphql::Result<Volunteer> {
        let v = ctx
            .service::<VolunteerService>()
            .set_availability(available)
            .await
            .gql(ctx)?;
        Ok(Volunteer(v))
    }

    /// 上报位置 — while on duty.
    async fn report_volunteer_location(
        &self,
        ctx: &Context<'_>,
        latitude: f64,
        longitude: f64,
    ) -> async_graphql::Result<bool> {
        ctx.service::<VolunteerService>()
            .report_location(latitude, longitude)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// 发布助盲出行需求 — offered at once to the nearest verified volunteers.
    async fn publish_guidance_request(
        &self,
        ctx: &Context<'_>,
        input: PublishGuidanceRequestInput,
    ) -> async_graphql::Result<GuidanceRequest> {
        let draft = GuidanceDraft {
            pickup_address: input.pickup_address,
            pickup_latitude: input.pickup_latitude,
            pickup_longitude: input.pickup_longitude,
            destination: input.destination,
            pickup_time: input.pickup_time,
            needs: input.needs,
            contact_phone: input.contact_phone,
        };
        let view = ctx
            .service::<GuidanceService>()
            .publish(draft)
            .await
            .gql(ctx)?;
        Ok(GuidanceRequest(view))
    }

    /// 认领 — first claim wins; every other claimer gets `CONFLICT`.
    async fn claim_guidance_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<GuidanceRequest> {
        let id = parse_id("id", &id).gql(ctx)?;
        let view = ctx.service::<GuidanceService>().claim(id).await.gql(ctx)?;
        Ok(GuidanceRequest(view))
    }

    /// 开始服务 — confirm the pickup with the requester's PIN.
    async fn start_guidance(
        &self,
        ctx: &Context<'_>,
        id: ID,
        pin: String,
    ) -> async_graphql::Result<GuidanceRequest> {
        let id = parse_id("id", &id).gql(ctx)?;
        let view = ctx
            .service::<GuidanceService>()
            .start(id, &pin)
            .await
            .gql(ctx)?;
        Ok(GuidanceRequest(view))
    }

    /// 完成服务
    async fn complete_guidance(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<GuidanceRequest> {
        let id = parse_id("id", &id).gql(ctx)?;
        let view = ctx
            .service::<GuidanceService>()
            .complete(id)
            .await
            .gql(ctx)?;
        Ok(GuidanceRequest(view))
    }

    /// 取消需求
    async fn cancel_guidance_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<GuidanceRequest> {
        let id = parse_id("id", &id).gql(ctx)?;
        let view = ctx
            .service::<GuidanceService>()
            .cancel(id, &reason)
            .await
            .gql(ctx)?;
        Ok(GuidanceRequest(view))
    }

    /// 评价 — each side once, after completion.
    async fn rate_guidance(
        &self,
        ctx: &Context<'_>,
        input: RateGuidanceInput,
    ) -> async_graphql::Result<bool> {
        let id = parse_id("input.requestId", &input.request_id).gql(ctx)?;
        ctx.service::<GuidanceService>()
            .rate(id, input.stars, input.comment.as_deref())
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// 屏蔽志愿者 — never offer this person's requests to them again.
    async fn block_volunteer(
        &self,
        ctx: &Context<'_>,
        volunteer_id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<bool> {
        let id = parse_id("volunteerId", &volunteer_id).gql(ctx)?;
        ctx.service::<GuidanceService>()
            .block(id, reason.as_deref())
            .await
            .gql(ctx)?;
        Ok(true)
    }
}
