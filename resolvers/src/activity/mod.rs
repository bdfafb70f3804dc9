//! 阳光201 活动 (R28, R16): activities, registration with a waitlist, the citizen's own list.
//! The activity service decides who sees and manages what, and audits every change.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::activity::{self as domain, ActivityService};
use zhucan_domain::person::PersonService;

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::person::types::{DisabilityCategory, Person};
use crate::region::{Region, region_of};
use crate::support::{optional_id, page, parse_id, plain_connection};

mod resources;

pub use resources::{
    ActivityGoods, ActivityOfferedService, ActivityResourceMutation, ActivityResourceQuery,
    ActivityVolunteerRole, ActivityVolunteerSignup,
};

/// 活动类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::activity::ActivityKind")]
pub enum ActivityKind {
    /// 康复
    Rehabilitation,
    /// 培训
    Training,
    /// 文体
    CultureSport,
    /// 辅具适配
    AssistiveDevices,
    /// 志愿服务
    VolunteerService,
    /// 其他
    Other,
}

/// 活动状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::activity::ActivityStatus")]
pub enum ActivityStatus {
    /// 草稿（仅管理方可见）
    Draft,
    /// 已发布
    Published,
    /// 报名截止
    RegistrationClosed,
    /// 进行中
    InProgress,
    /// 已结束
    Finished,
    /// 已取消
    Cancelled,
}

/// 面向对象
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::activity::AudienceKind")]
pub enum ActivityAudienceKind {
    /// 所有持证残疾人
    All,
    /// 指定残疾类别
    Categories,
    /// 符合某条适用条件
    Rule,
}

/// 报名状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::activity::RegistrationStatus")]
pub enum ActivityRegistrationStatus {
    /// 已确认
    Confirmed,
    /// 候补
    Waitlisted,
    /// 已取消
    Cancelled,
    /// 已到场
    Attended,
    /// 失约
    NoShow,
    /// 失约已免除
    Excused,
}

/// 签到方式
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::activity::CheckInMethod")]
pub enum CheckInMethod {
    /// 扫现场签到码
    Code,
    /// 工作人员扫本人签到凭证
    Scan,
    /// 工作人员手工签到
    Manual,
}

/// 签到码（现场大屏）或签到凭证（本人应用），按时轮换
#[derive(SimpleObject)]
pub struct CheckInCode {
    /// 8位数字
    pub code: String,
    /// 二维码内容
    pub payload: String,
    /// 有效至（之后换新码）
    pub valid_until: DateTime<Utc>,
}

impl From<domain::CheckInCode> for CheckInCode {
    fn from(c: domain::CheckInCode) -> Self {
        Self {
            code: c.code,
            payload: c.payload,
            valid_until: c.valid_until,
        }
    }
}

/// 报名信用：近期失约次数及暂停报名期限
#[derive(SimpleObject)]
pub struct ActivityStanding {
    /// 统计期内失约次数（已免除的不计）
    pub no_shows: i32,
    /// 统计期（天）
    pub window_days: i32,
    /// 达到此次数暂停报名
    pub max_no_shows: i32,
    /// 暂停报名至（未暂停为空）
    pub restricted_until: Option<DateTime<Utc>>,
}

/// 无障碍需求
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::activity::AccessNeed")]
pub enum AccessNeed {
    /// 轮椅
    Wheelchair,
    /// 引导（视障）
    Guide,
    /// 手语翻译
    SignLanguage,
    /// 助听设备
    HearingLoop,
    /// 大字或盲文材料
    LargePrint,
}

/// 活动场地及其无障碍条件
#[derive(SimpleObject)]
pub struct Venue {
    /// 地址
    pub address: String,
    /// 纬度（WGS-84）
    pub latitude: Option<f64>,
    /// 经度（WGS-84）
    pub longitude: Option<f64>,
    /// 无障碍通道
    pub step_free: bool,
    /// 无障碍卫生间
    pub accessible_toilet: bool,
    /// 助听环路
    pub hearing_loop: bool,
    /// 手语翻译
    pub sign_language: bool,
}

/// 活动 — an activity of a federation (阳光201).
pub struct Activity(pub domain::Activity);

#[Object]
impl Activity {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 组织方（市、区或街镇）
    async fn organiser(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, self.0.organiser.as_str())
    }
    /// 类型
    async fn kind(&self) -> ActivityKind {
        self.0.kind.into()
    }
    /// 标题
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 简介
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// 场地
    async fn venue(&self) -> Venue {
        let v = &self.0.venue;
        Venue {
            address: v.address.clone(),
            latitude: v.location.map(|l| l.0),
            longitude: v.location.map(|l| l.1),
            step_free: v.step_free,
            accessible_toilet: v.accessible_toilet,
            hearing_loop: v.hearing_loop,
            sign_language: v.sign_language,
        }
    }
    /// 开始时间
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// 结束时间
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// 报名开始
    async fn registration_opens_at(&self) -> DateTime<Utc> {
        self.0.registration_opens_at
    }
    /// 报名截止
    async fn registration_closes_at(&self) -> DateTime<Utc> {
        self.0.registration_closes_at
    }
    /// 名额
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// 已确认人数
    async fn confirmed(&self) -> i32 {
        self.0.confirmed
    }
    /// 候补人数
    async fn waitlisted(&self) -> i32 {
        self.0.waitlisted
    }
    /// 剩余名额
    async fn places_left(&self) -> i32 {
        (self.0.capacity - self.0.confirmed).max(0)
    }
    /// 面向对象
    async fn audience(&self) -> ActivityAudienceKind {
        self.0.audience.kind().into()
    }
    /// 面向的残疾类别（面向指定类别时）
    async fn audience_categories(&self) -> Vec<DisabilityCategory> {
        match &self.0.audience {
            domain::Audience::Categories(c) => c.iter().map(|c| (*c).into()).collect(),
            _ => Vec::new(),
        }
    }
    /// 面向的适用条件规则（面向适用条件时）
    async fn audience_rule_id(&self) -> Option<ID> {
        match &self.0.audience {
            domain::Audience::Rule(id) => Some(ID(id.to_string())),
            _ => None,
        }
    }
    /// 状态
    async fn status(&self) -> ActivityStatus {
        self.0.status.into()
    }
    /// 版本（修改、发布时提交）
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 取消原因
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    /// 当前用户是否管理该活动
    async fn managed_by_me(&self, ctx: &Context<'_>) -> bool {
        ctx.service::<ActivityService>().manages(&self.0)
    }
    /// 报名名单（管理方；只列本人管辖范围内的人员），按报名先后
    async fn registrations(
        &self,
        ctx: &Context<'_>,
        status: Option<ActivityRegistrationStatus>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, ActivityRegistration>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<ActivityService>()
            .registrations(self.0.id, status.map(Into::into), &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |r| r.id.to_string(),
            ActivityRegistration,
        ))
    }
    /// 物资清单
    async fn goods(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ActivityGoods>> {
        Ok(resources::resources(ctx, self.0.id)
            .await?
            .goods
            .into_iter()
            .map(ActivityGoods)
            .collect())
    }
    /// 服务清单
    async fn services(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ActivityOfferedService>> {
        Ok(resources::resources(ctx, self.0.id)
            .await?
            .services
            .into_iter()
            .map(ActivityOfferedService)
            .collect())
    }
    /// 志愿岗位
    async fn volunteer_roles(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ActivityVolunteerRole>> {
        Ok(resources::resources(ctx, self.0.id)
            .await?
            .roles
            .into_iter()
            .map(ActivityVolunteerRole)
            .collect())
    }
    /// 创建时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 更新时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// 活动报名
pub struct ActivityRegistration(pub domain::Registration);

#[Object]
impl ActivityRegistration {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 活动
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Activity>> {
        let Some(loaders) = ctx.loaders() else {
            return Ok(None);
        };
        let a = loaders
            .activities()
            .load_one(self.0.activity_id)
            .await
            .map_err(|e| crate::error::loader_error(ctx, e))?;
        Ok(a.map(Activity))
    }
    /// 报名人（按当前用户的权限脱敏；不在管辖范围内为空）
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let mut found = ctx
            .service::<PersonService>()
            .get_many(&[self.0.person_id])
            .await
            .gql(ctx)?;
        Ok(found.remove(&self.0.person_id).map(Person))
    }
    /// 状态
    async fn status(&self) -> ActivityRegistrationStatus {
        self.0.status.into()
    }
    /// 候补顺位（1 = 下一个递补；非候补为空）
    async fn waitlist_place(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i32>> {
        let place = ctx
            .service::<ActivityService>()
            .waitlist_place(&self.0)
            .await
            .gql(ctx)?;
        Ok(place.map(|p| i32::try_from(p).unwrap_or(i32::MAX)))
    }
    /// 无障碍需求
    async fn needs(&self) -> Vec<AccessNeed> {
        self.0.needs.iter().map(|n| (*n).into()).collect()
    }
    /// 陪同人数
    async fn companions(&self) -> i32 {
        self.0.companions
    }
    /// 报名时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 签到时间
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.checked_in_at
    }
    /// 签到方式
    async fn check_in_method(&self) -> Option<CheckInMethod> {
        self.0.check_in_method.map(Into::into)
    }
}

/// 活动筛选
#[derive(InputObject, Default)]
pub struct ActivityFilter {
    /// 组织方在此区划内（市、区或街镇代码）
    pub region_code: Option<String>,
    /// 状态
    pub status: Option<ActivityStatus>,
    /// 类型
    pub kind: Option<ActivityKind>,
    /// 只看未结束且未取消的
    #[graphql(default)]
    pub upcoming: bool,
}

/// 活动（新建时不填 id；修改时填 id 和读取时的 version）
#[derive(InputObject)]
pub struct ActivityInput {
    /// 修改的活动
    pub id: Option<ID>,
    /// 读取时的版本（修改时必填）
    pub version: Option<i32>,
    /// 组织方区划代码（默认本人所在级别；可填下级）
    pub organiser: Option<String>,
    /// 类型
    pub kind: ActivityKind,
    /// 标题
    pub title: String,
    /// 简介
    #[graphql(default)]
    pub description: String,
    /// 场地地址
    pub venue_address: String,
    /// 纬度（WGS-84）
    pub latitude: Option<f64>,
    /// 经度（WGS-84）
    pub longitude: Option<f64>,
    /// 无障碍通道
    #[graphql(default)]
    pub step_free: bool,
    /// 无障碍卫生间
    #[graphql(default)]
    pub accessible_toilet: bool,
    /// 助听环路
    #[graphql(default)]
    pub hearing_loop: bool,
    /// 手语翻译
    #[graphql(default)]
    pub sign_language: bool,
    /// 开始时间
    pub starts_at: DateTime<Utc>,
    /// 结束时间
    pub ends_at: DateTime<Utc>,
    /// 报名开始
    pub registration_opens_at: DateTime<Utc>,
    /// 报名截止（不晚于开始时间）
    pub registration_closes_at: DateTime<Utc>,
    /// 名额
    pub capacity: i32,
    /// 面向对象
    #[graphql(default_with = "ActivityAudienceKind::All")]
    pub audience: ActivityAudienceKind,
    /// 面向的残疾类别（面向指定类别时）
    #[graphql(default)]
    pub categories: Vec<DisabilityCategory>,
    /// 适用条件规则（面向适用条件时）
    pub rule_id: Option<ID>,
}

/// 活动查询
#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// 活动列表：已发布的活动（任何人）及本人管理的草稿，按创建顺序；`last: N` 取最新 N 个
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: ActivityFilter,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Activity>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let filter = domain::ActivityFilter {
            region: filter.region_code,
            status: filter.status.map(Into::into),
            kind: filter.kind.map(Into::into),
            upcoming: filter.upcoming,
        };
        let rows = ctx
            .service::<ActivityService>()
            .activities(&filter, &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |a| a.id.to_string(), Activity))
    }

    /// 一个活动
    async fn activity(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Activity> {
        let id = parse_id("id", &id).gql(ctx)?;
        let a = ctx
            .service::<ActivityService>()
            .activity(id)
            .await
            .gql(ctx)?;
        Ok(Activity(a))
    }

    /// 现场签到码（活动管理方），每30秒轮换；活动开始前60分钟至结束可用
    async fn activity_check_in_code(
        &self,
        ctx: &Context<'_>,
        activity_id: ID,
    ) -> async_graphql::Result<CheckInCode> {
        let id = parse_id("activityId", &activity_id).gql(ctx)?;
        let c = ctx
            .service::<ActivityService>()
            .check_in_code(id)
            .await
            .gql(ctx)?;
        Ok(c.into())
    }

    /// 我的签到凭证（残疾人本人），供工作人员扫码签到，按时轮换
    async fn attendee_pass(
        &self,
        ctx: &Context<'_>,
        registration_id: ID,
    ) -> async_graphql::Result<CheckInCode> {
        let id = parse_id("registrationId", &registration_id).gql(ctx)?;
        let c = ctx
            .service::<ActivityService>()
            .attendee_pass(id)
            .await
            .gql(ctx)?;
        Ok(c.into())
    }

    /// 我的报名信用（残疾人本人）：近期失约次数，及是否暂停报名、暂停到何时
    async fn my_activity_standing(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<ActivityStanding> {
        let s = ctx
            .service::<ActivityService>()
            .my_standing()
            .await
            .gql(ctx)?;
        let int = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(ActivityStanding {
            no_shows: int(s.no_shows),
            window_days: i32::try_from(s.window_days).unwrap_or(i32::MAX),
            max_no_shows: int(s.max_no_shows),
            restricted_until: s.restricted_until,
        })
    }

    /// 我的活动（残疾人本人）：报名、候补和取消的，按报名顺序；`last: N` 取最新 N 条
    async fn my_activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, ActivityRegistration>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<ActivityService>()
            .my_registrations(&page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |r| r.id.to_string(),
            ActivityRegistration,
        ))
    }
}

/// 活动操作
#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// 保存活动：新建草稿，或按版本修改（版本过期返回 CONFLICT）
    async fn save_activity(
        &self,
        ctx: &Context<'_>,
        input: ActivityInput,
    ) -> async_graphql::Result<Activity> {
        let domain_input = domain::ActivityInput {
            id: optional_id("input.id", input.id.as_ref()).gql(ctx)?,
            version: input.version,
            organiser: input.organiser,
            kind: input.kind.into(),
            title: input.title,
            description: input.description,
            venue_address: input.venue_address,
            latitude: input.latitude,
            longitude: input.longitude,
            step_free: input.step_free,
            accessible_toilet: input.accessible_toilet,
            hearing_loop: input.hearing_loop,
            sign_language: input.sign_language,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            registration_opens_at: input.registration_opens_at,
            registration_closes_at: input.registration_closes_at,
            capacity: input.capacity,
            audience: input.audience.into(),
            categories: input.categories.into_iter().map(Into::into).collect(),
            rule_id: optional_id("input.ruleId", input.rule_id.as_ref()).gql(ctx)?,
        };
        let a = ctx
            .service::<ActivityService>()
            .save(domain_input)
            .await
            .gql(ctx)?;
        Ok(Activity(a))
    }

    /// 发布活动（草稿 → 已发布），提交读取时的版本
    async fn publish_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<Activity> {
        let id = parse_id("id", &id).gql(ctx)?;
        let a = ctx
            .service::<ActivityService>()
            .publish(id, version)
            .await
            .gql(ctx)?;
        Ok(Activity(a))
    }

    /// 取消活动：所有已报名和候补的人收到站内消息和短信
    async fn cancel_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<Activity> {
        let id = parse_id("id", &id).gql(ctx)?;
        let a = ctx
            .service::<ActivityService>()
            .cancel(id, &reason)
            .await
            .gql(ctx)?;
        Ok(Activity(a))
    }

    /// 报名：残疾人本人，或工作人员代管辖范围内的人报名；名额满则进入候补
    async fn register_for_activity(
        &self,
        ctx: &Context<'_>,
        activity_id: ID,
        person_id: Option<ID>,
        #[graphql(default)] needs: Vec<AccessNeed>,
        #[graphql(default)] companions: i32,
    ) -> async_graphql::Result<ActivityRegistration> {
        let input = domain::RegistrationInput {
            activity_id: parse_id("activityId", &activity_id).gql(ctx)?,
            person_id: optional_id("personId", person_id.as_ref()).gql(ctx)?,
            needs: needs.into_iter().map(Into::into).collect(),
            companions,
        };
        let r = ctx
            .service::<ActivityService>()
            .register(input)
            .await
            .gql(ctx)?;
        Ok(ActivityRegistration(r))
    }

    /// 扫码签到（残疾人本人）：提交现场大屏上的签到码或其二维码内容
    async fn check_in_to_activity(
        &self,
        ctx: &Context<'_>,
        activity_id: ID,
        code: String,
    ) -> async_graphql::Result<ActivityRegistration> {
        let id = parse_id("activityId", &activity_id).gql(ctx)?;
        let r = ctx
            .service::<ActivityService>()
            .check_in(id, &code)
            .await
            .gql(ctx)?;
        Ok(ActivityRegistration(r))
    }

    /// 现场签到（活动管理方）：扫本人的签到凭证，或不带凭证手工签到
    async fn check_in_attendee(
        &self,
        ctx: &Context<'_>,
        registration_id: ID,
        pass: Option<String>,
    ) -> async_graphql::Result<ActivityRegistration> {
        let id = parse_id("registrationId", &registration_id).gql(ctx)?;
        let r = ctx
            .service::<ActivityService>()
            .check_in_attendee(id, pass.as_deref())
            .await
            .gql(ctx)?;
        Ok(ActivityRegistration(r))
    }

    /// 免除失约（管辖范围内的工作人员），须说明理由，记入审计
    async fn excuse_no_show(
        &self,
        ctx: &Context<'_>,
        registration_id: ID,
        reason: String,
    ) -> async_graphql::Result<ActivityRegistration> {
        let id = parse_id("registrationId", &registration_id).gql(ctx)?;
        let r = ctx
            .service::<ActivityService>()
            .excuse_no_show(id, &reason)
            .await
            .gql(ctx)?;
        Ok(ActivityRegistration(r))
    }

    /// 取消报名：空出的名额自动递补给候补第一位，并通知本人
    async fn cancel_activity_registration(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<ActivityRegistration> {
        let id = parse_id("id", &id).gql(ctx)?;
        let r = ctx
            .service::<ActivityService>()
            .cancel_registration(id)
            .await
            .gql(ctx)?;
        Ok(ActivityRegistration(r))
    }
}
