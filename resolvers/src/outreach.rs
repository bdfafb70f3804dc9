//! 政策找人 (R19–R27): pushes, follow-up tasks, review, telephone re-checks, warnings,
//! statistics and the monthly report.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};

use crate::scalars::Date;
use uuid::Uuid;
use zhucan_domain::audit::Actor;
use zhucan_domain::catalog::CatalogRepo;
use zhucan_domain::entities::{
    outreach_attachment, outreach_event, outreach_push, outreach_task, outreach_warning,
};
use zhucan_domain::outreach::{
    self as domain, OutreachScope, ReviewDecision as DomainDecision, StatRow,
};
use zhucan_domain::person::PersonRepo;
use zhucan_domain::viewer::PersonScope;
use zhucan_domain::{DomainError, DomainResult, Platform};

use crate::catalog::{Policy, ServiceItem};
use crate::context::ContextExt;
use crate::error::{GqlResultExt, platform_viewer};
use crate::person::inputs::parse_id;
use crate::person::mutation::audited;
use crate::person::types::Person;
use crate::region::{Region, region_of};

/// 推送状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum PushStatus {
    /// 草稿
    Draft,
    /// 发布中（后台批量生成任务）
    Publishing,
    /// 已发布
    Published,
    /// 发布中断（可再次发布续做）
    Failed,
}

fn push_status(s: &str) -> PushStatus {
    match s {
        "PUBLISHING" => PushStatus::Publishing,
        "PUBLISHED" => PushStatus::Published,
        "FAILED" => PushStatus::Failed,
        _ => PushStatus::Draft,
    }
}

/// 走访任务状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::outreach::TaskStatus")]
pub enum TaskStatus {
    /// 待走访
    Assigned,
    /// 待审核
    Submitted,
    /// 已退回（待完善）
    Returned,
    /// 审核通过
    Approved,
    /// 电话复核一致
    Rechecked,
}

/// 走访方式
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::outreach::VisitMethod")]
pub enum VisitMethod {
    /// 入户走访
    HomeVisit,
    /// 电话联系
    Phone,
    /// 服务中心接待
    AtCentre,
}

/// 走访结果
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::outreach::Outcome")]
pub enum Outcome {
    /// 已告知政策
    Informed,
    /// 已申请
    Applied,
    /// 本人放弃
    Declined,
    /// 联系不上
    Unreachable,
    /// 不符合条件
    NotEligible,
    /// 已迁出
    Moved,
    /// 已去世
    Deceased,
}

/// 退回原因
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::outreach::ReturnReason")]
pub enum ReturnReason {
    /// 走访记录不完整
    IncompleteRecord,
    /// 缺少佐证材料
    MissingMaterials,
    /// 结果存疑
    OutcomeDoubtful,
    /// 走访方式不符合要求
    WrongMethod,
    /// 电话复核不一致
    RecheckDisagreement,
    /// 其他
    Other,
}

/// 审核结论
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReviewDecision {
    /// 通过
    Approve,
    /// 退回完善（须给出原因）
    Return,
}

/// 预警级别
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::outreach::WarningLevel")]
pub enum WarningLevel {
    /// 街镇
    Street,
    /// 已升级到区
    District,
}

/// 推送对象条件
#[derive(SimpleObject, InputObject, Clone, Default)]
#[graphql(input_name = "TargetFilterInput")]
pub struct TargetFilter {
    /// 区
    pub district_code: Option<String>,
    /// 街镇
    pub street_code: Option<String>,
    /// 残疾类别 1–7
    pub category: Option<i32>,
    /// 残疾等级 1–4
    pub level: Option<i32>,
    /// 最小年龄
    pub min_age: Option<i32>,
    /// 最大年龄
    pub max_age: Option<i32>,
}

impl TargetFilter {
    fn to_domain(&self) -> DomainResult<domain::TargetFilter> {
        let small = |field: &str, v: Option<i32>| -> DomainResult<Option<i16>> {
            v.map(|x| i16::try_from(x).map_err(|_| DomainError::bad_input(field, "取值超出范围")))
                .transpose()
        };
        let age = |field: &str, v: Option<i32>| -> DomainResult<Option<u32>> {
            v.map(|x| u32::try_from(x).map_err(|_| DomainError::bad_input(field, "年龄不能为负数")))
                .transpose()
        };
        Ok(domain::TargetFilter {
            district: self.district_code.clone(),
            street: self.street_code.clone(),
            category: small("input.filter.category", self.category)?,
            level: small("input.filter.level", self.level)?,
            min_age: age("input.filter.minAge", self.min_age)?,
            max_age: age("input.filter.maxAge", self.max_age)?,
        })
    }

    fn from_domain(f: domain::TargetFilter) -> Self {
        Self {
            district_code: f.district,
            street_code: f.street,
            category: f.category.map(i32::from),
            level: f.level.map(i32::from),
            min_age: f.min_age.and_then(|a| i32::try_from(a).ok()),
            max_age: f.max_age.and_then(|a| i32::try_from(a).ok()),
        }
    }
}

/// 政策推送
pub struct OutreachPush(pub outreach_push::Model);

#[Object]
impl OutreachPush {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 标题
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 推送的政策
    async fn policy(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Policy>> {
        let Some(id) = self.0.policy_id else {
            return Ok(None);
        };
        Ok(Some(Policy(
            CatalogRepo::new(&ctx.platform().db)
                .policy(id)
                .await
                .gql(ctx)?,
        )))
    }
    /// 推送的服务事项
    async fn service(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ServiceItem>> {
        let Some(id) = self.0.service_item_id else {
            return Ok(None);
        };
        Ok(Some(ServiceItem(
            CatalogRepo::new(&ctx.platform().db)
                .service_item(id)
                .await
                .gql(ctx)?,
        )))
    }
    /// 按服务事项的现行适用条件选择对象
    async fn use_rule(&self) -> bool {
        self.0.use_rule
    }
    /// 对象条件
    async fn filter(&self) -> TargetFilter {
        TargetFilter::from_domain(serde_json::from_str(&self.0.filter).unwrap_or_default())
    }
    /// 发起范围（310000 全市或区代码）
    async fn scope(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.scope_code)
    }
    /// 走访时限（工作日）
    async fn due_working_days(&self) -> i32 {
        self.0.due_working_days
    }
    /// 状态
    async fn status(&self) -> PushStatus {
        push_status(&self.0.status)
    }
    /// 已生成任务数
    async fn targeted(&self) -> i32 {
        self.0.targeted
    }
    /// 发布进度（已处理人数）
    async fn progress(&self) -> i32 {
        self.0.progress
    }
    /// 创建时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 发布时间
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
}

/// 任务流转记录
pub struct OutreachEvent(outreach_event::Model);

#[Object]
impl OutreachEvent {
    /// 时间
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// 原状态
    async fn from_status(&self) -> Option<TaskStatus> {
        self.0
            .from_status
            .as_deref()
            .map(|s| domain::TaskStatus::from_stored(s).into())
    }
    /// 新状态
    async fn to_status(&self) -> TaskStatus {
        domain::TaskStatus::from_stored(&self.0.to_status).into()
    }
    /// 动作（ASSIGN、SUBMIT、APPROVE、RETURN、RECHECK_AGREE、RECHECK_DISAGREE）
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// 退回原因
    async fn reason(&self) -> Option<ReturnReason> {
        self.0
            .reason_code
            .as_deref()
            .map(|r| domain::ReturnReason::from_stored(r).into())
    }
    /// 说明
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// 操作人角色（不含姓名）
    async fn actor_role(&self) -> &str {
        &self.0.actor_role
    }
}

/// 佐证材料
pub struct OutreachAttachment(outreach_attachment::Model);

#[Object]
impl OutreachAttachment {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 文件名
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// 类型（按内容识别）
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    /// 大小（字节）
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
    /// SM3 摘要
    async fn sm3(&self) -> &str {
        &self.0.sm3
    }
    /// 上传时间
    async fn uploaded_at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// 走访任务
pub struct OutreachTask(pub outreach_task::Model);

#[Object]
impl OutreachTask {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 所属推送
    async fn push(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OutreachPush>> {
        use sea_orm::EntityTrait;
        let row = outreach_push::Entity::find_by_id(self.0.push_id)
            .one(ctx.platform().db.conn())
            .await
            .map_err(DomainError::from)
            .gql(ctx)?;
        Ok(row.map(OutreachPush))
    }
    /// 走访对象（按查看者权限脱敏）
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let (p, viewer) = platform_viewer(ctx)?;
        match PersonRepo::new(&p.db)
            .get(&PersonScope::of(viewer), self.0.person_id)
            .await
        {
            Ok(person) => Ok(Some(Person(person))),
            Err(DomainError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(ctx),
        }
    }
    /// 区
    async fn district(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.district_code)
    }
    /// 街镇
    async fn street(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.street_code)
    }
    /// 状态
    async fn status(&self) -> TaskStatus {
        domain::TaskStatus::from_stored(&self.0.status).into()
    }
    /// 走访期限
    async fn due_on(&self) -> Date {
        self.0.due_on.into()
    }
    /// 走访方式
    async fn method(&self) -> Option<VisitMethod> {
        self.0
            .method
            .as_deref()
            .map(|m| domain::VisitMethod::from_stored(m).into())
    }
    /// 走访结果
    async fn outcome(&self) -> Option<Outcome> {
        self.0
            .outcome
            .as_deref()
            .map(|o| domain::Outcome::from_stored(o).into())
    }
    /// 走访记录
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// 走访日期
    async fn visited_on(&self) -> Option<Date> {
        self.0.visited_on.map(Date)
    }
    /// 最近提交时间
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// 退回次数
    async fn return_count(&self) -> i32 {
        self.0.return_count
    }
    /// 是否被抽中电话复核
    async fn recheck_drawn(&self) -> bool {
        self.0.recheck_sample_seed.is_some()
    }
    /// 电话复核结果（AGREE / DISAGREE）
    async fn recheck_result(&self) -> Option<&str> {
        self.0.recheck_result.as_deref()
    }
    /// 流转记录（最早在前）
    async fn events(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OutreachEvent>> {
        let rows = domain::events_of(&ctx.platform().db, &[self.0.id])
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(OutreachEvent).collect())
    }
    /// 佐证材料
    async fn attachments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<OutreachAttachment>> {
        let rows = domain::attachments_of(&ctx.platform().db, self.0.id)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(OutreachAttachment).collect())
    }
}

/// 预警
pub struct OutreachWarning(outreach_warning::Model);

#[Object]
impl OutreachWarning {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 类型（OVERDUE 逾期未走访 / FAILED_OUTCOME 未能送达政策）
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// 级别
    async fn level(&self) -> WarningLevel {
        domain::WarningLevel::from_stored(&self.0.level).into()
    }
    /// 任务
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OutreachTask>> {
        let (p, viewer) = platform_viewer(ctx)?;
        match domain::task_in_scope(p.db.conn(), &PersonScope::of(viewer), self.0.task_id).await {
            Ok(t) => Ok(Some(OutreachTask(t))),
            Err(DomainError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(ctx),
        }
    }
    /// 街镇
    async fn street(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.street_code)
    }
    /// 预警时间
    async fn raised_at(&self) -> DateTime<Utc> {
        self.0.raised_at
    }
    /// 升级到区的时间
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }
    /// 消除时间
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
}

/// 结果分布
#[derive(SimpleObject)]
pub struct OutcomeCount {
    /// 结果
    pub outcome: Outcome,
    /// 人数
    pub count: u64,
}

/// 统计（一个区域或合计）
pub struct OutreachStats(StatRow);

#[Object]
impl OutreachStats {
    /// 区域（合计行为空）
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.region)
    }
    /// 区域代码（合计行为 TOTAL）
    async fn region_code(&self) -> &str {
        &self.0.region
    }
    /// 推送对象
    async fn targeted(&self) -> u64 {
        self.0.targeted
    }
    /// 已走访
    async fn visited(&self) -> u64 {
        self.0.visited
    }
    /// 按时走访
    async fn on_time(&self) -> u64 {
        self.0.on_time
    }
    /// 逾期
    async fn overdue(&self) -> u64 {
        self.0.overdue
    }
    /// 结果分布
    async fn outcomes(&self) -> Vec<OutcomeCount> {
        self.0
            .outcomes
            .iter()
            .map(|(o, n)| OutcomeCount {
                outcome: domain::Outcome::from_stored(o).into(),
                count: *n,
            })
            .collect()
    }
    /// 审核通过
    async fn approved(&self) -> u64 {
        self.0.approved
    }
    /// 被退回过
    async fn returned(&self) -> u64 {
        self.0.returned
    }
    /// 已电话复核
    async fn rechecked(&self) -> u64 {
        self.0.rechecked
    }
    /// 复核不一致
    async fn disagreements(&self) -> u64 {
        self.0.disagreements
    }
    /// 复核不一致率
    async fn disagreement_rate(&self) -> f64 {
        self.0.disagreement_rate()
    }
}

/// 统计结果
#[derive(SimpleObject)]
pub struct OutreachStatistics {
    /// 各区域
    pub rows: Vec<OutreachStats>,
    /// 合计
    pub total: OutreachStats,
}

/// 月报
#[derive(SimpleObject)]
pub struct OutreachMonthlyReport {
    /// 月份 YYYY-MM
    pub month: String,
    /// 统计起日
    pub from: Date,
    /// 统计止日（结账日）
    pub to: Date,
    /// 各区域
    pub rows: Vec<OutreachStats>,
    /// 合计
    pub total: OutreachStats,
    /// 生成时间
    pub generated_at: DateTime<Utc>,
    /// XLSX 下载地址（GET，带 Authorization 头）
    pub download_path: String,
}

/// 试算（按街镇）
#[derive(SimpleObject)]
pub struct PushDryRunRow {
    /// 区
    pub district: Option<Region>,
    /// 街镇
    pub street: Option<Region>,
    /// 人数
    pub count: u64,
}

/// 推送试算
#[derive(SimpleObject)]
pub struct PushDryRun {
    /// 总人数
    pub total: u64,
    /// 按街镇
    pub rows: Vec<PushDryRunRow>,
}

/// 任务列表
#[derive(SimpleObject)]
pub struct OutreachTaskPage {
    /// 总数
    pub total_count: u64,
    /// 本页
    pub nodes: Vec<OutreachTask>,
}

fn manager<'a>(ctx: &'a Context<'_>) -> DomainResult<(&'a Platform, OutreachScope, Actor)> {
    let viewer = ctx.viewer()?;
    let scope = OutreachScope::of(viewer)?;
    Ok((
        ctx.platform(),
        scope,
        Actor::of(viewer, &ctx.request().meta),
    ))
}

fn staff_scope<'a>(ctx: &'a Context<'_>) -> DomainResult<(&'a Platform, PersonScope)> {
    let viewer = ctx.viewer()?;
    if !viewer.role.is_region_admin() {
        return Err(DomainError::Forbidden("仅市、区、街镇管理员可查看政策找人"));
    }
    Ok((ctx.platform(), PersonScope::of(viewer)))
}

/// 政策找人查询
#[derive(Default)]
pub struct OutreachQuery;

#[Object]
impl OutreachQuery {
    /// 政策推送（本人所在范围发起的），最新在前
    async fn outreach_pushes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OutreachPush>> {
        let (p, scope, _) = manager(ctx).gql(ctx)?;
        let rows = domain::pushes(&p.db, &scope).await.gql(ctx)?;
        Ok(rows.into_iter().map(OutreachPush).collect())
    }

    /// 一次推送
    async fn outreach_push(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<OutreachPush> {
        let (p, scope, _) = manager(ctx).gql(ctx)?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(OutreachPush(
            domain::push_by_id(&p.db, &scope, id).await.gql(ctx)?,
        ))
    }

    /// 发布前试算：各街镇将推送的人数
    async fn dry_run_outreach_push(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<PushDryRun> {
        let (p, scope, _) = manager(ctx).gql(ctx)?;
        let id = parse_id("id", &id).gql(ctx)?;
        let (rows, total) = domain::dry_run(&p.db, &scope, id).await.gql(ctx)?;
        Ok(PushDryRun {
            total,
            rows: rows
                .into_iter()
                .map(|r| PushDryRunRow {
                    district: region_of(ctx, &r.district),
                    street: region_of(ctx, &r.street),
                    count: r.count,
                })
                .collect(),
        })
    }

    /// 走访任务（本人管辖范围内），按期限排序
    async fn outreach_tasks(
        &self,
        ctx: &Context<'_>,
        push_id: Option<ID>,
        status: Option<TaskStatus>,
        #[graphql(default = 20)] first: i32,
        #[graphql(default)] offset: i32,
    ) -> async_graphql::Result<OutreachTaskPage> {
        let (p, scope) = staff_scope(ctx).gql(ctx)?;
        if !(1..=500).contains(&first) || offset < 0 {
            return Err(DomainError::bad_input("first", "每页1–500条，偏移不能为负")).gql(ctx);
        }
        let push = push_id
            .as_ref()
            .map(|i| parse_id("pushId", i))
            .transpose()
            .gql(ctx)?;
        let (rows, total) = domain::tasks(
            &p.db,
            &scope,
            push,
            status.map(Into::into),
            first.unsigned_abs().into(),
            offset.unsigned_abs().into(),
        )
        .await
        .gql(ctx)?;
        Ok(OutreachTaskPage {
            total_count: total,
            nodes: rows.into_iter().map(OutreachTask).collect(),
        })
    }

    /// 一个走访任务
    async fn outreach_task(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<OutreachTask> {
        let (p, scope) = staff_scope(ctx).gql(ctx)?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(OutreachTask(
            domain::task_in_scope(p.db.conn(), &scope, id)
                .await
                .gql(ctx)?,
        ))
    }

    /// 预警（街镇看本街镇的，区、市看已升级到区的）
    async fn outreach_warnings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_resolved: bool,
    ) -> async_graphql::Result<Vec<OutreachWarning>> {
        let (p, viewer) = platform_viewer(ctx)?;
        let rows = domain::warnings(p, viewer, include_resolved, 500)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(OutreachWarning).collect())
    }

    /// 统计：市看各区，区看各街镇（byStreet 让市也按街镇）
    async fn outreach_statistics(
        &self,
        ctx: &Context<'_>,
        push_id: Option<ID>,
        #[graphql(default)] by_street: bool,
    ) -> async_graphql::Result<OutreachStatistics> {
        let (p, scope) = staff_scope(ctx).gql(ctx)?;
        let push = push_id
            .as_ref()
            .map(|i| parse_id("pushId", i))
            .transpose()
            .gql(ctx)?;
        let (rows, total) = domain::statistics(&p.db, &scope, push, None, by_street, Utc::now())
            .await
            .gql(ctx)?;
        Ok(OutreachStatistics {
            rows: rows.into_iter().map(OutreachStats).collect(),
            total: OutreachStats(total),
        })
    }

    /// 月报（任务期限落在该月统计期内；结账日可配置）
    async fn outreach_monthly_report(
        &self,
        ctx: &Context<'_>,
        month: String,
    ) -> async_graphql::Result<OutreachMonthlyReport> {
        let (p, scope) = staff_scope(ctx).gql(ctx)?;
        let r = domain::monthly_report(
            &p.db,
            &scope,
            &month,
            p.outreach.report_closing_day,
            Utc::now(),
        )
        .await
        .gql(ctx)?;
        Ok(OutreachMonthlyReport {
            download_path: format!("/reports/outreach/{}.xlsx", r.month),
            month: r.month,
            from: r.from.into(),
            to: r.to.into(),
            rows: r.rows.into_iter().map(OutreachStats).collect(),
            total: OutreachStats(r.total),
            generated_at: r.generated_at,
        })
    }
}

/// 发起政策推送
#[derive(InputObject)]
pub struct OutreachPushInput {
    /// 标题（向对象和工作人员展示）
    pub title: String,
    /// 推送的政策
    pub policy_id: Option<ID>,
    /// 推送的服务事项
    pub service_item_id: Option<ID>,
    /// 按服务事项的现行适用条件选择对象
    #[graphql(default)]
    pub use_rule: bool,
    /// 登记信息条件（区管理员只能在本区内）
    #[graphql(default)]
    pub filter: TargetFilter,
    /// 走访时限（工作日，默认按配置）
    pub due_working_days: Option<i32>,
}

/// 走访结果登记
#[derive(InputObject)]
pub struct FollowUpInput {
    /// 走访方式
    pub method: VisitMethod,
    /// 走访结果
    pub outcome: Outcome,
    /// 走访记录
    pub notes: Option<String>,
    /// 走访日期
    pub visited_on: Date,
}

fn spawn_publish(p: &Platform, push: Uuid) {
    let p = p.clone();
    tokio::spawn(async move {
        if let Err(e) = domain::run_publish_job(&p.db, &p.cipher, &p.outreach, push).await {
            tracing::error!(push = %push, error = %e, "outreach publishing could not finish");
        }
    });
}

/// 政策找人操作
#[derive(Default)]
pub struct OutreachMutation;

#[Object]
impl OutreachMutation {
    /// 发起政策推送（草稿）：市管理员全市、区管理员本区
    async fn create_outreach_push(
        &self,
        ctx: &Context<'_>,
        input: OutreachPushInput,
    ) -> async_graphql::Result<OutreachPush> {
        audited(
            ctx,
            "outreach.push.create",
            "outreach_push",
            String::new(),
            async {
                let (p, scope, actor) = manager(ctx)?;
                let days = input
                    .due_working_days
                    .map(|d| {
                        u32::try_from(d).map_err(|_| {
                            DomainError::bad_input(
                                "input.dueWorkingDays",
                                "走访时限应为1–60个工作日",
                            )
                        })
                    })
                    .transpose()?;
                let domain_input = domain::PushInput {
                    title: input.title.clone(),
                    policy_id: input
                        .policy_id
                        .as_ref()
                        .map(|i| parse_id("input.policyId", i))
                        .transpose()?,
                    service_item_id: input
                        .service_item_id
                        .as_ref()
                        .map(|i| parse_id("input.serviceItemId", i))
                        .transpose()?,
                    use_rule: input.use_rule,
                    filter: input.filter.to_domain()?,
                    due_working_days: days,
                };
                let row = domain::create_push(
                    &p.db,
                    p.audit_key(),
                    &p.regions,
                    &actor,
                    &scope,
                    &p.outreach,
                    &domain_input,
                )
                .await?;
                Ok(OutreachPush(row))
            },
        )
        .await
    }

    /// 发布推送：后台为每个对象生成走访任务并通知本人；重复点击不会重复生成
    async fn publish_outreach_push(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<OutreachPush> {
        audited(
            ctx,
            "outreach.push.publish",
            "outreach_push",
            id.to_string(),
            async {
                let (p, scope, actor) = manager(ctx)?;
                let id = parse_id("id", &id)?;
                let (push, start) =
                    domain::publish(&p.db, p.audit_key(), &actor, &scope, id).await?;
                if start {
                    spawn_publish(p, push.id);
                }
                Ok(OutreachPush(push))
            },
        )
        .await
    }

    /// 登记走访结果（对象所在街镇）：待走访或已退回 → 待审核
    async fn record_follow_up(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        input: FollowUpInput,
    ) -> async_graphql::Result<OutreachTask> {
        audited(
            ctx,
            "outreach.task.submit",
            "outreach_task",
            task_id.to_string(),
            async {
                let viewer = ctx.viewer()?;
                let p = ctx.platform();
                let actor = Actor::of(viewer, &ctx.request().meta);
                let row = domain::record_follow_up(
                    &p.db,
                    p.audit_key(),
                    &actor,
                    viewer,
                    parse_id("taskId", &task_id)?,
                    &domain::FollowUpInput {
                        method: input.method.into(),
                        outcome: input.outcome.into(),
                        notes: input.notes.clone(),
                        visited_on: input.visited_on.into(),
                    },
                )
                .await?;
                Ok(OutreachTask(row))
            },
        )
        .await
    }

    /// 上传佐证材料（JPEG、PNG 或 PDF，按内容识别；multipart 请求须带 x-zhucan-csrf 头）
    async fn attach_follow_up_material(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        file: Upload,
    ) -> async_graphql::Result<OutreachAttachment> {
        audited(
            ctx,
            "outreach.attachment.upload",
            "outreach_task",
            task_id.to_string(),
            async {
                let viewer = ctx.viewer()?;
                let p = ctx.platform();
                let actor = Actor::of(viewer, &ctx.request().meta);
                let upload = file
                    .value(ctx)
                    .map_err(|_| DomainError::bad_input("file", "未收到文件"))?;
                let name = upload.filename.clone();
                let mut bytes = Vec::new();
                let limit = p.outreach.attachment_max_bytes;
                {
                    use std::io::Read;
                    upload
                        .into_read()
                        .take(u64::try_from(limit).unwrap_or(u64::MAX) + 1)
                        .read_to_end(&mut bytes)
                        .map_err(|_| DomainError::bad_input("file", "文件读取失败"))?;
                }
                let row = domain::attach(
                    &p.db,
                    p.audit_key(),
                    p.blobs.as_ref(),
                    &p.outreach,
                    &actor,
                    viewer,
                    parse_id("taskId", &task_id)?,
                    &domain::AttachmentInput {
                        file_name: name,
                        bytes,
                    },
                )
                .await?;
                Ok(OutreachAttachment(row))
            },
        )
        .await
    }

    /// 审核走访结果（区、市）：通过，或退回完善（须给出原因）
    async fn review_follow_up(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        decision: ReviewDecision,
        reason: Option<ReturnReason>,
        note: Option<String>,
    ) -> async_graphql::Result<OutreachTask> {
        audited(
            ctx,
            "outreach.task.review",
            "outreach_task",
            task_id.to_string(),
            async {
                let viewer = ctx.viewer()?;
                let p = ctx.platform();
                let actor = Actor::of(viewer, &ctx.request().meta);
                let decision = match (decision, reason) {
                    (ReviewDecision::Approve, _) => DomainDecision::Approve,
                    (ReviewDecision::Return, Some(r)) => DomainDecision::Return(r.into()),
                    (ReviewDecision::Return, None) => {
                        return Err(DomainError::bad_input("reason", "退回须选择原因"));
                    }
                };
                let row = domain::review(
                    &p.db,
                    p.audit_key(),
                    &actor,
                    viewer,
                    parse_id("taskId", &task_id)?,
                    decision,
                    note.as_deref(),
                )
                .await?;
                Ok(OutreachTask(row))
            },
        )
        .await
    }

    /// 抽取电话复核样本：按比例（如 0.1）从已通过的任务中抽取，同一种子结果相同
    async fn draw_recheck_sample(
        &self,
        ctx: &Context<'_>,
        push_id: ID,
        share: f64,
        seed: i64,
    ) -> async_graphql::Result<Vec<OutreachTask>> {
        audited(
            ctx,
            "outreach.recheck.draw",
            "outreach_push",
            push_id.to_string(),
            async {
                let viewer = ctx.viewer()?;
                let p = ctx.platform();
                let actor = Actor::of(viewer, &ctx.request().meta);
                let ids = domain::draw_recheck_sample(
                    &p.db,
                    p.audit_key(),
                    &actor,
                    viewer,
                    parse_id("pushId", &push_id)?,
                    share,
                    u64::from_ne_bytes(seed.to_ne_bytes()),
                    &p.outreach,
                )
                .await?;
                let scope = PersonScope::of(viewer);
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    out.push(OutreachTask(
                        domain::task_in_scope(p.db.conn(), &scope, id).await?,
                    ));
                }
                Ok(out)
            },
        )
        .await
    }

    /// 登记电话复核结果；不一致则任务退回街镇
    async fn record_recheck(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        agree: bool,
        note: Option<String>,
    ) -> async_graphql::Result<OutreachTask> {
        audited(
            ctx,
            "outreach.task.recheck",
            "outreach_task",
            task_id.to_string(),
            async {
                let viewer = ctx.viewer()?;
                let p = ctx.platform();
                let actor = Actor::of(viewer, &ctx.request().meta);
                let row = domain::record_recheck(
                    &p.db,
                    p.audit_key(),
                    &actor,
                    viewer,
                    parse_id("taskId", &task_id)?,
                    agree,
                    note.as_deref(),
                )
                .await?;
                Ok(OutreachTask(row))
            },
        )
        .await
    }
}
