//! GraphQL types of 云助残. What each viewer sees of a request is the domain's request view:
//! volunteers it is offered to see no addresses and a masked contact until they claim it.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::guidance::{GuidanceStatus as DomainStatus, Place, RequestView};
use zhucan_domain::volunteer::{self, Skill as DomainSkill};

use crate::context::ContextExt;
use crate::error::{GqlResultExt, loader_error};
use crate::region::{Region, region_of};

/// 助盲出行需求状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum GuidanceStatus {
    /// 待派单
    Open,
    /// 派单中
    Offered,
    /// 已认领
    Claimed,
    /// 服务中
    InProgress,
    /// 已完成
    Completed,
    /// 已取消
    Cancelled,
    /// 已过期
    Expired,
}

impl From<DomainStatus> for GuidanceStatus {
    fn from(s: DomainStatus) -> Self {
        match s {
            DomainStatus::Open => Self::Open,
            DomainStatus::Offered => Self::Offered,
            DomainStatus::Claimed => Self::Claimed,
            DomainStatus::InProgress => Self::InProgress,
            DomainStatus::Completed => Self::Completed,
            DomainStatus::Cancelled => Self::Cancelled,
            DomainStatus::Expired => Self::Expired,
        }
    }
}

/// 志愿者技能
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Skill {
    /// 助盲引导
    Guiding,
    /// 手语
    SignLanguage,
    /// 轮椅协助
    Wheelchair,
    /// 陪伴
    Companionship,
    /// 急救
    FirstAid,
}

impl From<Skill> for DomainSkill {
    fn from(s: Skill) -> Self {
        match s {
            Skill::Guiding => Self::Guiding,
            Skill::SignLanguage => Self::SignLanguage,
            Skill::Wheelchair => Self::Wheelchair,
            Skill::Companionship => Self::Companionship,
            Skill::FirstAid => Self::FirstAid,
        }
    }
}

impl From<DomainSkill> for Skill {
    fn from(s: DomainSkill) -> Self {
        match s {
            DomainSkill::Guiding => Self::Guiding,
            DomainSkill::SignLanguage => Self::SignLanguage,
            DomainSkill::Wheelchair => Self::Wheelchair,
            DomainSkill::Companionship => Self::Companionship,
            DomainSkill::FirstAid => Self::FirstAid,
        }
    }
}

/// 志愿者审核状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum VolunteerStatus {
    /// 待审核
    Pending,
    /// 已认证
    Verified,
    /// 已暂停
    Suspended,
}

impl From<zhucan_domain::volunteer::VolunteerStatus> for VolunteerStatus {
    fn from(s: zhucan_domain::volunteer::VolunteerStatus) -> Self {
        use zhucan_domain::volunteer::VolunteerStatus as S;
        match s {
            S::Pending => Self::Pending,
            S::Verified => Self::Verified,
            S::Suspended => Self::Suspended,
        }
    }
}

impl From<VolunteerStatus> for zhucan_domain::volunteer::VolunteerStatus {
    fn from(s: VolunteerStatus) -> Self {
        match s {
            VolunteerStatus::Pending => Self::Pending,
            VolunteerStatus::Verified => Self::Verified,
            VolunteerStatus::Suspended => Self::Suspended,
        }
    }
}

/// 志愿者
pub struct Volunteer(pub volunteer::Volunteer);

#[Object]
impl Volunteer {
    /// Id.
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 姓名
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 手机号码 (masked).
    async fn phone(&self) -> &str {
        &self.0.phone_masked
    }
    /// 技能
    async fn skills(&self) -> Vec<Skill> {
        self.0.skills.iter().copied().map(Into::into).collect()
    }
    /// 服务街镇 (one statement per request, however many volunteers).
    async fn service_streets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        let Some(loader) = ctx.loaders().map(|l| l.areas()) else {
            return Ok(Vec::new());
        };
        let areas = loader
            .load_one(self.0.id)
            .await
            .map_err(|e| loader_error(ctx, e))?;
        Ok(areas
            .into_iter()
            .flatten()
            .filter_map(|c| region_of(ctx, &c))
            .collect())
    }
    /// 审核状态
    async fn status(&self) -> VolunteerStatus {
        self.0.status.into()
    }
    /// 在岗
    async fn available(&self) -> bool {
        self.0.available
    }
    /// Average rating from requesters (1–5), `null` before the first.
    async fn rating(&self) -> Option<f64> {
        self.0.rating
    }
    /// 暂停原因
    async fn suspension_reason(&self) -> Option<&str> {
        self.0.suspension_reason.as_deref()
    }
    /// 注册时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// 志愿者统计
#[derive(SimpleObject)]
pub struct VolunteerStatistics {
    /// 总数
    pub total: u64,
    /// 待审核
    pub pending: u64,
    /// 已认证
    pub verified: u64,
    /// 已暂停
    pub suspended: u64,
    /// 在岗
    pub on_duty: u64,
}

/// 助盲出行需求 — as the viewer may see it.
pub struct GuidanceRequest(pub RequestView);

#[Object]
impl GuidanceRequest {
    /// Id.
    pub async fn id(&self) -> ID {
        ID(self.0.id().to_string())
    }
    /// 需求编号
    async fn request_no(&self) -> String {
        self.0.request_no()
    }
    /// 状态
    async fn status(&self, ctx: &Context<'_>) -> async_graphql::Result<GuidanceStatus> {
        self.0.status().map(Into::into).gql(ctx)
    }
    /// 出发时间
    async fn pickup_time(&self) -> DateTime<Utc> {
        self.0.pickup_time()
    }
    /// 出发地 — in full for the requester and the claiming volunteer; masked for admins; hidden
    /// from volunteers who have not claimed it.
    async fn pickup_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.0.place(ctx.platform(), Place::Pickup).gql(ctx)
    }
    /// 目的地 (same policy as the pickup address).
    async fn destination(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.0.place(ctx.platform(), Place::Destination).gql(ctx)
    }
    /// 联系电话 — masked until claimed.
    async fn contact_phone(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        self.0.contact_phone(ctx.platform()).gql(ctx)
    }
    /// 确认码 — only the requester sees it; they show it to the volunteer at pickup.
    async fn pin(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.0.pin(ctx.platform()).gql(ctx)
    }
    /// 需求描述
    async fn needs(&self) -> &str {
        self.0.needs()
    }
    /// 所在街镇
    async fn street(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, self.0.street_code())
    }
    /// Distance to the pickup point when offered to the viewing volunteer, metres.
    async fn distance_meters(&self) -> Option<i32> {
        self.0.distance_m()
    }
    /// Current offer radius, metres.
    async fn radius_meters(&self) -> i32 {
        self.0.radius_m()
    }
    /// The volunteer who claimed it (requester and admins).
    async fn volunteer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Volunteer>> {
        let v = self.0.volunteer(ctx.platform()).await.gql(ctx)?;
        Ok(v.map(Volunteer))
    }
    /// 取消原因
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason()
    }
    /// 发布时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at()
    }
    /// 派单时间
    async fn offered_at(&self) -> Option<DateTime<Utc>> {
        self.0.times()[0]
    }
    /// 认领时间
    async fn claimed_at(&self) -> Option<DateTime<Utc>> {
        self.0.times()[1]
    }
    /// 开始服务时间
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.times()[2]
    }
    /// 完成时间
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.times()[3]
    }
    /// 取消时间
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.times()[4]
    }
    /// 过期时间
    async fn expired_at(&self) -> Option<DateTime<Utc>> {
        self.0.times()[5]
    }
    /// 升级至街镇时间
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.times()[6]
    }
}

/// 助盲用户统计 (R51)
#[derive(SimpleObject)]
pub struct GuidanceUser {
    /// Person id.
    pub person_id: ID,
    /// 姓名
    pub name: String,
    /// 街镇
    pub street_code: String,
    /// 需求数
    pub requests: u32,
    /// 完成数
    pub completed: u32,
    /// 取消数
    pub cancelled: u32,
    /// 过期数
    pub expired: u32,
    /// 完成率
    pub completion_rate: f64,
    /// 取消率
    pub cancellation_rate: f64,
    /// 屏蔽的志愿者数
    pub blocks: u32,
}

/// 导盲记录 — a blind-guidance request on a person's file.
pub struct GuidanceHistoryEntry(pub zhucan_domain::guidance::GuidanceHistory);

#[async_graphql::Object]
impl GuidanceHistoryEntry {
    /// 请求标识
    async fn request_id(&self) -> async_graphql::ID {
        async_graphql::ID(self.0.request_id.to_string())
    }
    /// 本人为志愿者（否则为求助人）
    async fn as_volunteer(&self) -> bool {
        self.0.as_volunteer
    }
    /// 状态编码
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// 需求
    async fn needs(&self) -> &str {
        &self.0.needs
    }
    /// 街镇代码
    async fn street_code(&self) -> &str {
        &self.0.street_code
    }
    /// 发布时间
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// 完成时间
    async fn completed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.completed_at
    }
}
