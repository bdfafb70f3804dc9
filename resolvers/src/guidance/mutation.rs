//! 云助残 mutations. Failures are audited like every other mutation.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use zhucan_domain::guidance::{self, GuidanceAccess, GuidanceDraft};
use zhucan_domain::volunteer::{
    self, VolunteerRegistration, VolunteerStatus as DomainVolunteerStatus,
};
use zhucan_domain::{DomainError, DomainResult};

use super::query::admin_scope;
use super::types::{GuidanceRequest, Skill, Volunteer};
use crate::context::ContextExt;
use crate::person::inputs::parse_id;
use crate::person::mutation::audited;

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

type Parts<'a> = (
    &'a zhucan_domain::Platform,
    &'a zhucan_domain::viewer::Viewer,
    &'a zhucan_domain::viewer::RequestMeta,
);

fn req<'a>(ctx: &'a Context<'_>) -> DomainResult<Parts<'a>> {
    Ok((ctx.platform(), ctx.viewer()?, &ctx.request().meta))
}

#[Object]
impl GuidanceMutation {
    /// 志愿者注册 — real-name registration; an admin verifies it before any offer.
    async fn register_volunteer(
        &self,
        ctx: &Context<'_>,
        input: RegisterVolunteerInput,
    ) -> async_graphql::Result<Volunteer> {
        audited(
            ctx,
            "volunteer.register",
            "volunteer",
            String::new(),
            async {
                let reg = VolunteerRegistration {
                    username: input.username.clone(),
                    password: input.password.clone(),
                    name: input.name.clone(),
                    id_number: input.id_number.clone(),
                    phone: input.phone.clone(),
                    skills: input.skills.iter().map(|s| (*s).into()).collect(),
                    service_streets: input.service_streets.clone(),
                    consent: input.consent,
                };
                Ok(Volunteer(
                    volunteer::register(ctx.platform(), reg, &ctx.request().meta).await?,
                ))
            },
        )
        .await
    }

    /// 审核通过志愿者 (admins whose scope holds one of the volunteer's street-towns).
    async fn verify_volunteer(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Volunteer> {
        audited(
            ctx,
            "volunteer.verify",
            "volunteer",
            id.to_string(),
            async {
                let (p, viewer, meta) = req(ctx)?;
                let scope = admin_scope(viewer)?;
                let id = parse_id("id", &id)?;
                let actor = zhucan_domain::audit::Actor::of(viewer, meta);
                Ok(Volunteer(
                    volunteer::set_status(
                        p,
                        &actor,
                        &scope,
                        id,
                        DomainVolunteerStatus::Verified,
                        None,
                    )
                    .await?,
                ))
            },
        )
        .await
    }

    /// 暂停志愿者 — their live offer streams end at the next event.
    async fn suspend_volunteer(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<Volunteer> {
        audited(
            ctx,
            "volunteer.suspend",
            "volunteer",
            id.to_string(),
            async {
                let (p, viewer, meta) = req(ctx)?;
                let scope = admin_scope(viewer)?;
                let id = parse_id("id", &id)?;
                let reason = zhucan_domain::types::BoundedText::parse("reason", &reason, 200)?;
                let actor = zhucan_domain::audit::Actor::of(viewer, meta);
                Ok(Volunteer(
                    volunteer::set_status(
                        p,
                        &actor,
                        &scope,
                        id,
                        DomainVolunteerStatus::Suspended,
                        Some(reason.into_string()),
                    )
                    .await?,
                ))
            },
        )
        .await
    }

    /// 上岗 / 下岗
    async fn set_volunteer_availability(
        &self,
        ctx: &Context<'_>,
        available: bool,
    ) -> async_graphql::Result<Volunteer> {
        audited(
            ctx,
            "volunteer.availability",
            "volunteer",
            String::new(),
            async {
                let (p, viewer, _) = req(ctx)?;
                Ok(Volunteer(
                    volunteer::set_availability(p, viewer.account_id, available).await?,
                ))
            },
        )
        .await
    }

    /// 上报位置 — while on duty.
    async fn report_volunteer_location(
        &self,
        ctx: &Context<'_>,
        latitude: f64,
        longitude: f64,
    ) -> async_graphql::Result<bool> {
        let (p, viewer, _) = req(ctx).map_err(|e| crate::error::to_graphql(ctx, e))?;
        volunteer::report_location(p, viewer.account_id, latitude, longitude)
            .await
            .map_err(|e| crate::error::to_graphql(ctx, e))?;
        Ok(true)
    }

    /// 发布助盲出行需求 — offered at once to the nearest verified volunteers.
    async fn publish_guidance_request(
        &self,
        ctx: &Context<'_>,
        input: PublishGuidanceRequestInput,
    ) -> async_graphql::Result<GuidanceRequest> {
        audited(
            ctx,
            "guidance.publish",
            "guidance_request",
            String::new(),
            async {
                let (p, viewer, meta) = req(ctx)?;
                let draft = GuidanceDraft {
                    pickup_address: input.pickup_address.clone(),
                    pickup_latitude: input.pickup_latitude,
                    pickup_longitude: input.pickup_longitude,
                    destination: input.destination.clone(),
                    pickup_time: input.pickup_time,
                    needs: input.needs.clone(),
                    contact_phone: input.contact_phone.clone(),
                };
                let row = guidance::publish(p, viewer, meta, draft).await?;
                Ok(GuidanceRequest {
                    row,
                    access: GuidanceAccess::Requester,
                })
            },
        )
        .await
    }

    /// 认领 — first claim wins; every other claimer gets `CONFLICT`.
    async fn claim_guidance_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<GuidanceRequest> {
        audited(
            ctx,
            "guidance.claim",
            "guidance_request",
            id.to_string(),
            async {
                let (p, viewer, meta) = req(ctx)?;
                let row = guidance::claim(p, viewer, meta, parse_id("id", &id)?).await?;
                Ok(GuidanceRequest {
                    row,
                    access: GuidanceAccess::ClaimedVolunteer,
                })
            },
        )
        .await
    }

    /// 开始服务 — confirm the pickup with the requester's PIN.
    async fn start_guidance(
        &self,
        ctx: &Context<'_>,
        id: ID,
        pin: String,
    ) -> async_graphql::Result<GuidanceRequest> {
        audited(
            ctx,
            "guidance.start",
            "guidance_request",
            id.to_string(),
            async {
                let (p, viewer, meta) = req(ctx)?;
                if pin.len() > 16 {
                    return Err(DomainError::bad_input("pin", "确认码错误"));
                }
                let row = guidance::start(p, viewer, meta, parse_id("id", &id)?, &pin).await?;
                Ok(GuidanceRequest {
                    row,
                    access: GuidanceAccess::ClaimedVolunteer,
                })
            },
        )
        .await
    }

    /// 完成服务
    async fn complete_guidance(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<GuidanceRequest> {
        audited(
            ctx,
            "guidance.complete",
            "guidance_request",
            id.to_string(),
            async {
                let (p, viewer, meta) = req(ctx)?;
                let row = guidance::complete(p, viewer, meta, parse_id("id", &id)?).await?;
                let access = guidance::access_of(p, viewer, &row).await?;
                Ok(GuidanceRequest { row, access })
            },
        )
        .await
    }

    /// 取消需求
    async fn cancel_guidance_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<GuidanceRequest> {
        audited(
            ctx,
            "guidance.cancel",
            "guidance_request",
            id.to_string(),
            async {
                let (p, viewer, meta) = req(ctx)?;
                let row = guidance::cancel(p, viewer, meta, parse_id("id", &id)?, &reason).await?;
                let access = guidance::access_of(p, viewer, &row)
                    .await
                    .unwrap_or(GuidanceAccess::Admin);
                Ok(GuidanceRequest { row, access })
            },
        )
        .await
    }

    /// 评价 — each side once, after completion.
    async fn rate_guidance(
        &self,
        ctx: &Context<'_>,
        input: RateGuidanceInput,
    ) -> async_graphql::Result<bool> {
        audited(
            ctx,
            "guidance.rate",
            "guidance_request",
            input.request_id.to_string(),
            async {
                let (p, viewer, meta) = req(ctx)?;
                guidance::rate(
                    p,
                    viewer,
                    meta,
                    parse_id("input.requestId", &input.request_id)?,
                    input.stars,
                    input.comment.as_deref(),
                )
                .await?;
                Ok(true)
            },
        )
        .await
    }

    /// 屏蔽志愿者 — never offer this person's requests to them again.
    async fn block_volunteer(
        &self,
        ctx: &Context<'_>,
        volunteer_id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<bool> {
        audited(
            ctx,
            "guidance.block",
            "volunteer",
            volunteer_id.to_string(),
            async {
                let (p, viewer, meta) = req(ctx)?;
                guidance::block_volunteer(
                    p,
                    viewer,
                    meta,
                    parse_id("volunteerId", &volunteer_id)?,
                    reason.as_deref(),
                )
                .await?;
                Ok(true)
            },
        )
        .await
    }
}
