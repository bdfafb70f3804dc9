//! GraphQL types of 政策找人: newtypes over the outreach service's read models.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::catalog::CatalogService;
use zhucan_domain::outreach::{self as domain, OutreachService, StatRow};
use zhucan_domain::person::PersonService;
use zhucan_domain::types::DisabilityCategory as DomainCategory;
use zhucan_domain::viewer::Role;
use zhucan_domain::{DomainError, DomainResult};

use crate::catalog::{Policy, ServiceItem};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::person::types::{DisabilityCategory, Person};
use crate::records::service_item;
use crate::region::{Region, region_of};
use crate::scalars::Date;

/// 推送状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::outreach::PushStatus")]
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
    /// 残疾类别
    pub category: Option<DisabilityCategory>,
    /// 残疾等级 1–4
    pub level: Option<i32>,
    /// 最小年龄
    pub min_age: Option<i32>,
    /// 最大年龄
    pub max_age: Option<i32>,
}

impl TargetFilter {
    pub(crate) fn to_domain(&self) -> DomainResult<domain::TargetFilter> {
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
            category: self.category.map(|c| DomainCategory::from(c).code()),
            level: small("input.filter.level", self.level)?,
            min_age: age("input.filter.minAge", self.min_age)?,
            max_age: age("input.filter.maxAge", self.max_age)?,
        })
    }

    fn from_domain(f: domain::TargetFilter) -> Self {
        Self {
            district_code: f.district,
            street_code: f.street,
            category: f
                .category
                .and_then(|c| DomainCategory::from_code("category", i32::from(c)).ok())
                .map(Into::into),
            level: f.level.map(i32::from),
            min_age: f.min_age.and_then(|a| i32::try_from(a).ok()),
            max_age: f.max_age.and_then(|a| i32::try_from(a).ok()),
        }
    }
}

/// 政策推送
pub struct OutreachPush(pub domain::Push);

#[Object]
impl OutreachPush {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
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
        let policy = ctx.service::<CatalogService>().policy(id).await.gql(ctx)?;
        Ok(Some(Policy(policy)))
    }
    /// 推送的服务事项
    async fn service(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ServiceItem>> {
        let Some(id) = self.0.service_item_id else {
            return Ok(None);
        };
        service_item(ctx, id).await
    }
    /// 按服务事项的现行适用条件选择对象
    async fn use_rule(&self) -> bool {
        self.0.use_rule
    }
    /// 对象条件
    async fn filter(&self) -> TargetFilter {
        TargetFilter::from_domain(self.0.filter.clone())
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
        self.0.status.into()
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
pub struct OutreachEvent(pub domain::TaskEvent);

#[Object]
impl OutreachEvent {
    /// 时间
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// 原状态
    async fn from_status(&self) -> Option<TaskStatus> {
        self.0.from_status.map(Into::into)
    }
    /// 新状态
    async fn to_status(&self) -> TaskStatus {
        self.0.to_status.into()
    }
    /// 动作（ASSIGN、SUBMIT、APPROVE、RETURN、RECHECK_AGREE、RECHECK_DISAGREE）
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// 退回原因
    async fn reason(&self) -> Option<ReturnReason> {
        self.0.reason.map(Into::into)
    }
    /// 说明
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// 操作人角色（不含姓名）
    async fn actor_role(&self) -> &str {
        self.0.actor_role.map_or("", Role::as_str)
    }
}

/// 佐证材料
pub struct OutreachAttachment(pub domain::Attachment);

#[Object]
impl OutreachAttachment {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
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
        self.0.uploaded_at
    }
}

/// 走访任务
pub struct OutreachTask(pub domain::Task);

#[Object]
impl OutreachTask {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 所属推送
    async fn push(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OutreachPush>> {
        let push = ctx
            .service::<OutreachService>()
            .push_of(&self.0)
            .await
            .gql(ctx)?;
        Ok(push.map(OutreachPush))
    }
    /// 走访对象（按查看者权限脱敏）
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let person = ctx
            .service::<PersonService>()
            .get_if_visible(self.0.person_id)
            .await
            .gql(ctx)?;
        Ok(person.map(Person))
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
        self.0.status.into()
    }
    /// 走访期限
    async fn due_on(&self) -> Date {
        self.0.due_on.into()
    }
    /// 走访方式
    async fn method(&self) -> Option<VisitMethod> {
        self.0.method.map(Into::into)
    }
    /// 走访结果
    async fn outcome(&self) -> Option<Outcome> {
        self.0.outcome.map(Into::into)
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
        self.0.recheck_drawn
    }
    /// 电话复核结果（AGREE / DISAGREE）
    async fn recheck_result(&self) -> Option<&str> {
        self.0.recheck_result.as_deref()
    }
    /// 流转记录（最早在前）
    async fn events(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OutreachEvent>> {
        let rows = ctx
            .service::<OutreachService>()
            .events(&self.0)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(OutreachEvent).collect())
    }
    /// 佐证材料
    async fn attachments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<OutreachAttachment>> {
        let rows = ctx
            .service::<OutreachService>()
            .attachments(&self.0)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(OutreachAttachment).collect())
    }
}

/// 预警
pub struct OutreachWarning(pub domain::Warning);

#[Object]
impl OutreachWarning {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 类型（OVERDUE 逾期未走访 / FAILED_OUTCOME 未能送达政策 / JOB_FOLLOW_UP 就业回访逾期）
    async fn kind(&self) -> &str {
        self.0.kind.as_str()
    }
    /// 级别
    async fn level(&self) -> WarningLevel {
        self.0.level.into()
    }
    /// 任务
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OutreachTask>> {
        let task = ctx
            .service::<OutreachService>()
            .task_if_visible(self.0.task_id)
            .await
            .gql(ctx)?;
        Ok(task.map(OutreachTask))
    }
    /// 就业回访（类型为 JOB_FOLLOW_UP 时）
    async fn employment_follow_up(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::employment::EmploymentFollowUp>> {
        if self.0.kind != zhucan_domain::outreach::WarningKind::EmploymentFollowUp {
            return Ok(None);
        }
        Ok(ctx
            .service::<zhucan_domain::employment::EmploymentService>()
            .follow_up_if_visible(self.0.task_id)
            .await
            .gql(ctx)?
            .map(crate::employment::EmploymentFollowUp))
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
pub struct OutreachStats(pub StatRow);

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

/// Extra fields of the task connection.
pub struct OutreachTaskConnectionFields {
    pub(super) push: Option<uuid::Uuid>,
    pub(super) status: Option<domain::TaskStatus>,
}

#[Object]
impl OutreachTaskConnectionFields {
    /// 总数（本人管辖范围内符合条件的任务；仅在请求时统计）
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        ctx.service::<OutreachService>()
            .count_tasks(self.push, self.status)
            .await
            .gql(ctx)
    }
}
