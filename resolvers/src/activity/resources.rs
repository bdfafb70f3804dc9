//! What an activity hands out, delivers and needs volunteers for (R13–R15), volunteers' hour
//! statements, and the activity statistics. The activity service decides and audits.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::activity::{self as domain, ActivityService};

use super::Activity;
use crate::catalog::ServiceItem;
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::region::{Region, region_of};
use crate::support::{optional_id, parse_id};

/// 活动物资
pub struct ActivityGoods(pub domain::Goods);

#[Object]
impl ActivityGoods {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 名称
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 库存（带到现场的数量）
    async fn stock(&self) -> i32 {
        self.0.stock
    }
    /// 已发放
    async fn issued(&self) -> i32 {
        self.0.issued
    }
    /// 剩余
    async fn remaining(&self) -> i32 {
        self.0.remaining()
    }
    /// 每人限领
    async fn per_person_limit(&self) -> i32 {
        self.0.per_person_limit
    }
}

/// 物资发放记录
#[derive(SimpleObject)]
pub struct GoodsDistribution {
    /// 标识
    pub id: ID,
    /// 物资
    pub goods_id: ID,
    /// 领取人的报名
    pub registration_id: ID,
    /// 数量
    pub quantity: i32,
    /// 时间
    pub created_at: DateTime<Utc>,
}

impl From<domain::Distribution> for GoodsDistribution {
    fn from(d: domain::Distribution) -> Self {
        Self {
            id: ID(d.id.to_string()),
            goods_id: ID(d.goods_id.to_string()),
            registration_id: ID(d.registration_id.to_string()),
            quantity: d.quantity,
            created_at: d.created_at,
        }
    }
}

/// 活动服务：活动中提供的服务，能对应服务事项的写入办件记录
pub struct ActivityOfferedService(pub domain::OfferedService);

#[Object]
impl ActivityOfferedService {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 名称
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 关联的服务事项（没有对应事项为空）
    async fn service_item(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ServiceItem>> {
        match self.0.service_item_id {
            Some(id) => crate::records::service_item(ctx, id).await,
            None => Ok(None),
        }
    }
    /// 已服务人数
    async fn delivered(&self) -> i32 {
        self.0.delivered
    }
}

/// 服务登记
#[derive(SimpleObject)]
pub struct ServiceDelivery {
    /// 标识
    pub id: ID,
    /// 活动服务
    pub service_id: ID,
    /// 受服务人的报名
    pub registration_id: ID,
    /// 写入档案的办件记录（服务对应服务事项时）
    pub service_record_id: Option<ID>,
    /// 时间
    pub created_at: DateTime<Utc>,
}

impl From<domain::Delivery> for ServiceDelivery {
    fn from(d: domain::Delivery) -> Self {
        Self {
            id: ID(d.id.to_string()),
            service_id: ID(d.service_id.to_string()),
            registration_id: ID(d.registration_id.to_string()),
            service_record_id: d.record_id.map(|r| ID(r.to_string())),
            created_at: d.created_at,
        }
    }
}

/// 志愿岗位
pub struct ActivityVolunteerRole(pub domain::VolunteerRole);

#[Object]
impl ActivityVolunteerRole {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 岗位名称
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 岗位说明
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// 需要人数
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// 已通过人数
    async fn approved(&self) -> i32 {
        self.0.approved
    }
    /// 剩余岗位
    async fn places_left(&self) -> i32 {
        (self.0.capacity - self.0.approved).max(0)
    }
}

/// 志愿岗位报名状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::activity::SignupStatus")]
pub enum VolunteerSignupStatus {
    /// 待审核
    Pending,
    /// 已通过
    Approved,
    /// 未通过
    Rejected,
    /// 已退出
    Withdrawn,
}

/// 志愿岗位报名
pub struct ActivityVolunteerSignup {
    /// The sign-up.
    pub signup: domain::Signup,
    /// The volunteer's name (shown to the organiser and to the volunteer).
    pub name: Option<String>,
}

#[Object]
impl ActivityVolunteerSignup {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.signup.id.to_string())
    }
    /// 岗位
    async fn role_id(&self) -> ID {
        ID(self.signup.role_id.to_string())
    }
    /// 活动
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Activity>> {
        let Some(loaders) = ctx.loaders() else {
            return Ok(None);
        };
        let a = loaders
            .activities()
            .load_one(self.signup.activity_id)
            .await
            .map_err(|e| crate::error::loader_error(ctx, e))?;
        Ok(a.map(Activity))
    }
    /// 志愿者
    async fn volunteer_id(&self) -> ID {
        ID(self.signup.volunteer_id.to_string())
    }
    /// 志愿者姓名（管理方可见）
    async fn volunteer_name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// 状态
    async fn status(&self) -> VolunteerSignupStatus {
        self.signup.status.into()
    }
    /// 未通过原因
    async fn decision_reason(&self) -> Option<&str> {
        self.signup.decision_reason.as_deref()
    }
    /// 签到
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.signup.checked_in_at
    }
    /// 签退
    async fn checked_out_at(&self) -> Option<DateTime<Utc>> {
        self.signup.checked_out_at
    }
    /// 服务时长（分钟，签退后计）
    async fn minutes(&self) -> i32 {
        self.signup.minutes
    }
    /// 报名时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.signup.created_at
    }
}

fn signup(s: domain::Signup) -> ActivityVolunteerSignup {
    ActivityVolunteerSignup {
        signup: s,
        name: None,
    }
}

/// 志愿服务时长：一次活动
#[derive(SimpleObject)]
pub struct VolunteerHourLine {
    /// 活动
    pub activity_id: ID,
    /// 活动名称
    pub title: String,
    /// 岗位
    pub role: String,
    /// 月份（YYYY-MM）
    pub month: String,
    /// 签到
    pub checked_in_at: DateTime<Utc>,
    /// 签退
    pub checked_out_at: DateTime<Utc>,
    /// 分钟
    pub minutes: i32,
}

/// 志愿服务时长：一个月
#[derive(SimpleObject)]
pub struct VolunteerMonthHours {
    /// 月份（YYYY-MM）
    pub month: String,
    /// 活动数
    pub activities: i32,
    /// 分钟
    pub minutes: i32,
}

/// 志愿服务时长证明
#[derive(SimpleObject)]
pub struct VolunteerHourStatement {
    /// 志愿者
    pub volunteer_id: ID,
    /// 姓名
    pub volunteer_name: String,
    /// 起始月份
    pub from: String,
    /// 截止月份
    pub to: String,
    /// 按活动
    pub lines: Vec<VolunteerHourLine>,
    /// 按月
    pub months: Vec<VolunteerMonthHours>,
    /// 合计分钟
    pub total_minutes: i32,
    /// 合计小时（两位小数）
    pub total_hours: f64,
    /// XLSX 下载路径（GET，带 Authorization 头）
    pub download_path: String,
}

impl From<domain::HourStatement> for VolunteerHourStatement {
    fn from(s: domain::HourStatement) -> Self {
        let download_path = format!(
            "/reports/volunteer-hours.xlsx?volunteerId={}&from={}&to={}",
            s.volunteer_id, s.from, s.to
        );
        Self {
            volunteer_id: ID(s.volunteer_id.to_string()),
            volunteer_name: s.volunteer_name,
            total_hours: (f64::from(s.total_minutes) / 60.0 * 100.0).round() / 100.0,
            total_minutes: s.total_minutes,
            lines: s
                .lines
                .into_iter()
                .map(|l| VolunteerHourLine {
                    activity_id: ID(l.activity_id.to_string()),
                    title: l.title,
                    role: l.role,
                    month: l.month,
                    checked_in_at: l.checked_in_at,
                    checked_out_at: l.checked_out_at,
                    minutes: l.minutes,
                })
                .collect(),
            months: s
                .months
                .into_iter()
                .map(|m| VolunteerMonthHours {
                    month: m.month,
                    activities: m.activities,
                    minutes: m.minutes,
                })
                .collect(),
            from: s.from,
            to: s.to,
            download_path,
        }
    }
}

/// 活动统计指标
#[derive(SimpleObject)]
pub struct ActivityMeasures {
    /// 活动数（不含取消）
    pub activities: i32,
    /// 取消的活动
    pub cancelled: i32,
    /// 名额
    pub capacity: i32,
    /// 报名（确认、签到、失约、免除）
    pub registered: i32,
    /// 候补
    pub waitlisted: i32,
    /// 签到
    pub attended: i32,
    /// 失约
    pub no_shows: i32,
    /// 免除失约
    pub excused: i32,
    /// 失约率（失约 ÷ (签到 + 失约)）
    pub no_show_rate: f64,
    /// 发放物资（件）
    pub goods_distributed: i32,
    /// 服务人次
    pub services_delivered: i32,
    /// 在岗志愿者
    pub volunteers: i32,
    /// 志愿服务小时
    pub volunteer_hours: f64,
}

impl From<&domain::ActivityMeasures> for ActivityMeasures {
    fn from(m: &domain::ActivityMeasures) -> Self {
        let int = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
        #[expect(clippy::cast_precision_loss, reason = "minutes far below 2^52")]
        let hours = (m.volunteer_minutes as f64 / 60.0 * 100.0).round() / 100.0;
        Self {
            activities: int(m.activities),
            cancelled: int(m.cancelled),
            capacity: int(m.capacity),
            registered: int(m.registered),
            waitlisted: int(m.waitlisted),
            attended: int(m.attended),
            no_shows: int(m.no_shows),
            excused: int(m.excused),
            no_show_rate: m.no_show_rate(),
            goods_distributed: int(m.goods_distributed),
            services_delivered: int(m.services_delivered),
            volunteers: int(m.volunteers),
            volunteer_hours: hours,
        }
    }
}

/// 活动统计：一个区域
pub struct ActivityRegionStatistics(domain::RegionLine);

#[Object]
impl ActivityRegionStatistics {
    /// 区域代码（与所查区域相同时为本级组织的活动）
    async fn region_code(&self) -> &str {
        &self.0.region
    }
    /// 区域
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.region)
    }
    /// 指标
    async fn measures(&self) -> ActivityMeasures {
        (&self.0.measures).into()
    }
}

/// 活动统计：一个活动
pub struct ActivityStatisticsLine(domain::ActivityLine);

#[Object]
impl ActivityStatisticsLine {
    /// 活动
    async fn activity_id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 标题
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 组织方
    async fn organiser(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.organiser)
    }
    /// 开始时间
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// 状态
    async fn status(&self) -> super::ActivityStatus {
        self.0.status.into()
    }
    /// 指标
    async fn measures(&self) -> ActivityMeasures {
        (&self.0.measures).into()
    }
}

/// 活动统计（按月，本辖区）
pub struct ActivityStatistics(domain::ActivityStatistics);

#[Object]
impl ActivityStatistics {
    /// 月份（YYYY-MM，按活动开始时间）
    async fn month(&self) -> &str {
        &self.0.month
    }
    /// 所查区域代码
    async fn region_code(&self) -> &str {
        &self.0.region
    }
    /// 按下级区域（市：各区；区：各街镇）
    async fn regions(&self) -> Vec<ActivityRegionStatistics> {
        self.0
            .regions
            .iter()
            .cloned()
            .map(ActivityRegionStatistics)
            .collect()
    }
    /// 按活动（按开始时间）
    async fn activities(&self) -> Vec<ActivityStatisticsLine> {
        self.0
            .activities
            .iter()
            .cloned()
            .map(ActivityStatisticsLine)
            .collect()
    }
    /// 合计
    async fn total(&self) -> ActivityMeasures {
        (&self.0.total).into()
    }
    /// XLSX 下载路径（GET，带 Authorization 头）
    async fn download_path(&self) -> String {
        format!(
            "/reports/activities/{}.xlsx?regionCode={}",
            self.0.month, self.0.region
        )
    }
}

/// 活动物资（新建时填 activityId；修改时填 id）
#[derive(InputObject)]
pub struct ActivityGoodsInput {
    /// 修改的物资
    pub id: Option<ID>,
    /// 活动（新建时）
    pub activity_id: Option<ID>,
    /// 名称
    pub name: String,
    /// 库存（不少于已发放数）
    pub stock: i32,
    /// 每人限领
    #[graphql(default = 1)]
    pub per_person_limit: i32,
}

/// 活动服务（新建时填 activityId；修改时填 id）
#[derive(InputObject)]
pub struct ActivityServiceInput {
    /// 修改的服务
    pub id: Option<ID>,
    /// 活动（新建时）
    pub activity_id: Option<ID>,
    /// 名称
    pub name: String,
    /// 对应的服务事项（有则写入办件记录）
    pub service_item_id: Option<ID>,
}

/// 志愿岗位（新建时填 activityId；修改时填 id）
#[derive(InputObject)]
pub struct ActivityVolunteerRoleInput {
    /// 修改的岗位
    pub id: Option<ID>,
    /// 活动（新建时）
    pub activity_id: Option<ID>,
    /// 岗位名称
    pub name: String,
    /// 岗位说明
    #[graphql(default)]
    pub description: String,
    /// 需要人数
    pub capacity: i32,
}

/// The activity a new entry belongs to: required when creating.
fn activity_of(
    id: Option<&ID>,
    activity_id: Option<&ID>,
) -> zhucan_domain::DomainResult<uuid::Uuid> {
    match (id, activity_id) {
        (Some(_), _) => Ok(uuid::Uuid::nil()),
        (None, Some(a)) => parse_id("input.activityId", a),
        (None, None) => Err(zhucan_domain::DomainError::bad_input(
            "input.activityId",
            "新建时须指明活动",
        )),
    }
}

/// Fields the activity gains here.
pub(super) async fn resources(
    ctx: &Context<'_>,
    activity: uuid::Uuid,
) -> async_graphql::Result<domain::Resources> {
    let Some(loaders) = ctx.loaders() else {
        return Ok(domain::Resources::default());
    };
    Ok(loaders
        .activity_resources()
        .load_one(activity)
        .await
        .map_err(|e| crate::error::loader_error(ctx, e))?
        .unwrap_or_default())
}

/// 活动物资、服务、志愿者及统计查询
#[derive(Default)]
pub struct ActivityResourceQuery;

#[Object]
impl ActivityResourceQuery {
    /// 志愿岗位报名名单（活动管理方），按报名先后
    async fn activity_volunteers(
        &self,
        ctx: &Context<'_>,
        activity_id: ID,
    ) -> async_graphql::Result<Vec<ActivityVolunteerSignup>> {
        let id = parse_id("activityId", &activity_id).gql(ctx)?;
        let rows = ctx
            .service::<ActivityService>()
            .signups(id)
            .await
            .gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|(signup, name)| ActivityVolunteerSignup {
                signup,
                name: Some(name),
            })
            .collect())
    }

    /// 我的志愿岗位（志愿者本人），最新在前
    async fn my_volunteer_signups(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ActivityVolunteerSignup>> {
        let rows = ctx
            .service::<ActivityService>()
            .my_signups()
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(signup).collect())
    }

    /// 志愿服务时长（按月、按活动）：志愿者查本人；管理员查某志愿者在本辖区活动中的时长
    async fn volunteer_hours(
        &self,
        ctx: &Context<'_>,
        volunteer_id: Option<ID>,
        from: String,
        to: String,
    ) -> async_graphql::Result<VolunteerHourStatement> {
        let id = optional_id("volunteerId", volunteer_id.as_ref()).gql(ctx)?;
        let s = ctx
            .service::<ActivityService>()
            .volunteer_hours(id, &from, &to)
            .await
            .gql(ctx)?;
        Ok(s.into())
    }

    /// 活动统计（按月，本辖区；默认本人所在区域）：按下级区域和按活动
    async fn activity_statistics(
        &self,
        ctx: &Context<'_>,
        region_code: Option<String>,
        month: String,
    ) -> async_graphql::Result<ActivityStatistics> {
        let s = ctx
            .service::<ActivityService>()
            .statistics(region_code.as_deref(), &month)
            .await
            .gql(ctx)?;
        Ok(ActivityStatistics(s))
    }
}

/// 活动物资、服务、志愿者操作
#[derive(Default)]
pub struct ActivityResourceMutation;

#[Object]
impl ActivityResourceMutation {
    /// 保存活动物资（活动管理方）：新增，或修改名称、库存、每人限领
    async fn save_activity_goods(
        &self,
        ctx: &Context<'_>,
        input: ActivityGoodsInput,
    ) -> async_graphql::Result<ActivityGoods> {
        let domain_input = domain::GoodsInput {
            id: optional_id("input.id", input.id.as_ref()).gql(ctx)?,
            activity_id: activity_of(input.id.as_ref(), input.activity_id.as_ref()).gql(ctx)?,
            name: input.name,
            stock: input.stock,
            per_person_limit: input.per_person_limit,
        };
        let g = ctx
            .service::<ActivityService>()
            .save_goods(domain_input)
            .await
            .gql(ctx)?;
        Ok(ActivityGoods(g))
    }

    /// 物资发放（活动管理方）：发给已签到的报名人；不超库存、不超每人限领
    async fn record_goods_distribution(
        &self,
        ctx: &Context<'_>,
        goods_id: ID,
        registration_id: ID,
        #[graphql(default = 1)] quantity: i32,
    ) -> async_graphql::Result<GoodsDistribution> {
        let goods = parse_id("goodsId", &goods_id).gql(ctx)?;
        let reg = parse_id("registrationId", &registration_id).gql(ctx)?;
        let d = ctx
            .service::<ActivityService>()
            .distribute_goods(goods, reg, quantity)
            .await
            .gql(ctx)?;
        Ok(d.into())
    }

    /// 保存活动服务（活动管理方）
    async fn save_activity_service(
        &self,
        ctx: &Context<'_>,
        input: ActivityServiceInput,
    ) -> async_graphql::Result<ActivityOfferedService> {
        let domain_input = domain::OfferedServiceInput {
            id: optional_id("input.id", input.id.as_ref()).gql(ctx)?,
            activity_id: activity_of(input.id.as_ref(), input.activity_id.as_ref()).gql(ctx)?,
            name: input.name,
            service_item_id: optional_id("input.serviceItemId", input.service_item_id.as_ref())
                .gql(ctx)?,
        };
        let s = ctx
            .service::<ActivityService>()
            .save_offered_service(domain_input)
            .await
            .gql(ctx)?;
        Ok(ActivityOfferedService(s))
    }

    /// 服务登记（活动管理方）：为已签到的报名人登记服务，对应服务事项的写入其办件记录
    async fn record_service_delivery(
        &self,
        ctx: &Context<'_>,
        service_id: ID,
        registration_ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<ServiceDelivery>> {
        let service = parse_id("serviceId", &service_id).gql(ctx)?;
        let regs = registration_ids
            .iter()
            .map(|r| parse_id("registrationIds", r))
            .collect::<Result<Vec<_>, _>>()
            .gql(ctx)?;
        let out = ctx
            .service::<ActivityService>()
            .deliver_service(service, &regs)
            .await
            .gql(ctx)?;
        Ok(out.into_iter().map(Into::into).collect())
    }

    /// 保存志愿岗位（活动管理方）
    async fn save_activity_volunteer_role(
        &self,
        ctx: &Context<'_>,
        input: ActivityVolunteerRoleInput,
    ) -> async_graphql::Result<ActivityVolunteerRole> {
        let domain_input = domain::VolunteerRoleInput {
            id: optional_id("input.id", input.id.as_ref()).gql(ctx)?,
            activity_id: activity_of(input.id.as_ref(), input.activity_id.as_ref()).gql(ctx)?,
            name: input.name,
            description: input.description,
            capacity: input.capacity,
        };
        let r = ctx
            .service::<ActivityService>()
            .save_volunteer_role(domain_input)
            .await
            .gql(ctx)?;
        Ok(ActivityVolunteerRole(r))
    }

    /// 报名志愿岗位（已审核的志愿者），待活动管理方审核
    async fn sign_up_for_activity_role(
        &self,
        ctx: &Context<'_>,
        role_id: ID,
    ) -> async_graphql::Result<ActivityVolunteerSignup> {
        let id = parse_id("roleId", &role_id).gql(ctx)?;
        let s = ctx
            .service::<ActivityService>()
            .sign_up_for_role(id)
            .await
            .gql(ctx)?;
        Ok(signup(s))
    }

    /// 退出志愿岗位（志愿者本人，签到前）
    async fn withdraw_from_activity_role(
        &self,
        ctx: &Context<'_>,
        signup_id: ID,
    ) -> async_graphql::Result<ActivityVolunteerSignup> {
        let id = parse_id("signupId", &signup_id).gql(ctx)?;
        let s = ctx
            .service::<ActivityService>()
            .withdraw_from_role(id)
            .await
            .gql(ctx)?;
        Ok(signup(s))
    }

    /// 审核志愿者（活动管理方）：通过（不超岗位人数），或不通过并说明原因
    async fn approve_activity_volunteer(
        &self,
        ctx: &Context<'_>,
        signup_id: ID,
        #[graphql(default = true)] approve: bool,
        reason: Option<String>,
    ) -> async_graphql::Result<ActivityVolunteerSignup> {
        let id = parse_id("signupId", &signup_id).gql(ctx)?;
        let s = ctx
            .service::<ActivityService>()
            .decide_volunteer(id, approve, reason.as_deref())
            .await
            .gql(ctx)?;
        Ok(signup(s))
    }

    /// 志愿者签到（活动管理方）
    async fn check_in_activity_volunteer(
        &self,
        ctx: &Context<'_>,
        signup_id: ID,
    ) -> async_graphql::Result<ActivityVolunteerSignup> {
        let id = parse_id("signupId", &signup_id).gql(ctx)?;
        let s = ctx
            .service::<ActivityService>()
            .volunteer_attendance(id, false)
            .await
            .gql(ctx)?;
        Ok(signup(s))
    }

    /// 志愿者签退（活动管理方）：记录服务时长
    async fn check_out_activity_volunteer(
        &self,
        ctx: &Context<'_>,
        signup_id: ID,
    ) -> async_graphql::Result<ActivityVolunteerSignup> {
        let id = parse_id("signupId", &signup_id).gql(ctx)?;
        let s = ctx
            .service::<ActivityService>()
            .volunteer_attendance(id, true)
            .await
            .gql(ctx)?;
        Ok(signup(s))
    }
}
