//! 就业服务: enterprises, job fairs, jobs, intentions, resumes, applications (de-identified for
//! enterprises until an accepted invitation) and the follow-up of hires.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::employment::{self as domain, EmploymentService};
use zhucan_domain::entities::{
    employment_follow_up, employment_intention, fair_participation, job_application_event, job_fair,
};

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::scalars::Date;
use crate::support::{optional_id, page, parse_id, plain_connection};

/// 单位审核状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::EnterpriseStatus")]
pub enum EnterpriseStatus {
    /// 待审核
    Pending,
    /// 已审核
    Verified,
    /// 已暂停
    Suspended,
}

/// 单位规模
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::EnterpriseSize")]
pub enum EnterpriseSize {
    /// 微型
    Micro,
    /// 小型
    Small,
    /// 中型
    Medium,
    /// 大型
    Large,
}

/// 审核动作
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::VerifyAction")]
pub enum VerifyAction {
    /// 审核通过
    Verify,
    /// 暂停（须填写原因）
    Suspend,
    /// 恢复
    Reinstate,
}

/// 招聘会形式
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::FairKind")]
pub enum FairKind {
    /// 线下
    Offline,
    /// 线上
    Online,
}

/// 招聘会状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::FairStatus")]
pub enum FairStatus {
    /// 草稿
    Draft,
    /// 已发布
    Published,
    /// 已取消
    Cancelled,
}

/// 参会状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::ParticipationStatus")]
pub enum ParticipationStatus {
    /// 已申请
    Applied,
    /// 已批准
    Approved,
    /// 未批准
    Rejected,
}

/// 岗位状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(
    name = "JobPostingStatus",
    remote = "zhucan_domain::employment::JobStatus"
)]
pub enum JobStatus {
    /// 草稿
    Draft,
    /// 招聘中
    Open,
    /// 已招满
    Filled,
    /// 已关闭
    Closed,
}

/// 工作时间
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::WorkHours")]
pub enum WorkHours {
    /// 全职
    FullTime,
    /// 兼职
    PartTime,
    /// 弹性
    Flexible,
}

/// 无障碍与合理便利
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::Accommodation")]
pub enum Accommodation {
    /// 无障碍工作场所
    StepFree,
    /// 读屏软件兼容的工具
    ScreenReader,
    /// 手语沟通
    SignLanguage,
    /// 弹性工作时间
    FlexibleHours,
    /// 可居家办公
    Remote,
    /// 无障碍卫生间
    AccessibleToilet,
}

/// 求职申请状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::ApplicationStatus")]
pub enum ApplicationStatus {
    /// 已投递
    Applied,
    /// 已查看
    Viewed,
    /// 邀请面试
    Interview,
    /// 已发录用通知
    Offered,
    /// 已入职
    Hired,
    /// 未通过
    Rejected,
    /// 已撤回
    Withdrawn,
}

/// 学历
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::Education")]
pub enum Education {
    /// 未上学
    None,
    /// 小学
    Primary,
    /// 初中
    JuniorSecondary,
    /// 高中、中专
    SeniorSecondary,
    /// 大专
    Associate,
    /// 本科
    Bachelor,
    /// 研究生
    Postgraduate,
}

/// 回访状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::FollowUpStatus")]
pub enum FollowUpStatus {
    /// 待回访
    Due,
    /// 已回访
    Done,
    /// 已离职，不再回访
    Closed,
}

/// 求职申请办理动作
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ApplicationAction {
    /// 标记为已查看（用人单位）
    View,
    /// 发录用通知（用人单位，面试后）
    Offer,
    /// 登记入职（用人单位，须填 hiredOn）
    Hire,
    /// 未通过（用人单位，须填写原因）
    Reject,
    /// 撤回（本人或工作人员代办）
    Withdraw,
    /// 同意向邀请面试的单位提供姓名和电话（本人或工作人员代办）
    ShareIdentity,
}

/// 用人单位
#[derive(Clone)]
pub struct Enterprise(pub domain::Enterprise);

#[Object]
impl Enterprise {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 统一社会信用代码
    async fn credit_code(&self) -> &str {
        &self.0.row.credit_code
    }
    /// 名称
    async fn name(&self) -> &str {
        &self.0.row.name
    }
    /// 所在区
    async fn district_code(&self) -> &str {
        &self.0.row.district_code
    }
    /// 行业门类（GB/T 4754）
    async fn industry(&self) -> &str {
        &self.0.row.industry
    }
    /// 行业名称
    async fn industry_label(&self) -> &'static str {
        zhucan_domain::types::IndustrySection::from_code(&self.0.row.industry)
            .map_or("", |s| s.label())
    }
    /// 规模
    async fn size(&self) -> EnterpriseSize {
        domain::EnterpriseSize::from_stored(&self.0.row.size).into()
    }
    /// 地址
    async fn address(&self) -> &str {
        &self.0.row.address
    }
    /// 联系人
    async fn contact_name(&self) -> Option<&str> {
        self.0
            .contact_phone
            .as_ref()
            .map(|_| self.0.row.contact_name.as_str())
    }
    /// 联系电话（单位本身及管辖的工作人员可见）
    async fn contact_phone(&self) -> Option<&str> {
        self.0.contact_phone.as_deref()
    }
    /// 职工人数（单位本身及管辖的工作人员可见）
    async fn headcount(&self) -> Option<i32> {
        self.0.full.then_some(self.0.row.headcount)
    }
    /// 残疾职工人数（同上）
    async fn disabled_employees(&self) -> Option<i32> {
        self.0.full.then_some(self.0.row.disabled_employees)
    }
    /// 其中一、二级（按两人计算；同上）
    async fn severe_employees(&self) -> Option<i32> {
        self.0.full.then_some(self.0.row.severe_employees)
    }
    /// 按比例应安置人数（保留两位小数；同上）
    async fn required_places(&self) -> Option<String> {
        self.0.full.then(|| centi(self.0.required_centi))
    }
    /// 已安置（折算）人数（同上）
    async fn counted_places(&self) -> Option<String> {
        self.0.full.then(|| centi(self.0.counted_centi))
    }
    /// 差额人数（已达标为 0；同上）
    async fn gap(&self) -> Option<String> {
        self.0.full.then(|| centi(self.0.gap_centi()))
    }
    /// 审核状态
    async fn status(&self) -> EnterpriseStatus {
        self.0.status().into()
    }
    /// 审核说明（单位本身及管辖的工作人员可见）
    async fn status_note(&self) -> Option<&str> {
        self.0.full.then_some(self.0.row.status_note.as_str())
    }
    /// 是否由单位自行注册
    async fn self_registered(&self) -> bool {
        self.0.row.account_id.is_some()
    }
    /// 版本（乐观锁）
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// 审核时间
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.verified_at
    }
}

fn centi(v: i64) -> String {
    format!("{}.{:02}", v / 100, v % 100)
}

/// 招聘会
#[derive(Clone)]
pub struct JobFair(pub job_fair::Model);

#[Object]
impl JobFair {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 标题
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 形式
    async fn kind(&self) -> FairKind {
        domain::FairKind::from_stored(&self.0.kind).into()
    }
    /// 主办区划
    async fn organiser_code(&self) -> &str {
        &self.0.organiser_code
    }
    /// 场地（线下）
    async fn venue(&self) -> &str {
        &self.0.venue
    }
    /// 介绍
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// 开始
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// 结束
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// 展位数（线下）
    async fn booths(&self) -> i32 {
        self.0.booths
    }
    /// 状态
    async fn status(&self) -> FairStatus {
        domain::FairStatus::from_stored(&self.0.status).into()
    }
    /// 版本（乐观锁）
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 当前用户是否管理该招聘会
    async fn managed(&self, ctx: &Context<'_>) -> bool {
        ctx.service::<EmploymentService>().manages_fair(&self.0)
    }
    /// 参会单位（管理者看全部；单位看本单位；其他人看已批准的）
    async fn participations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<FairParticipation>> {
        Ok(ctx
            .service::<EmploymentService>()
            .participations(&self.0)
            .await
            .gql(ctx)?
            .into_iter()
            .map(FairParticipation)
            .collect())
    }
    /// 本场岗位（招聘中、已招满；管理者与参会单位另见本单位草稿）
    async fn jobs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Job>> {
        let filter = domain::JobFilter {
            fair_id: Some(self.0.id),
            ..domain::JobFilter::default()
        };
        let rows = ctx
            .service::<EmploymentService>()
            .jobs(&filter, &zhucan_domain::page::PageRequest::first(500))
            .await
            .gql(ctx)?;
        Ok(rows.items.into_iter().map(Job).collect())
    }
}

/// 参会单位
pub struct FairParticipation(fair_participation::Model);

#[Object]
impl FairParticipation {
    /// 招聘会
    async fn fair_id(&self) -> ID {
        ID(self.0.fair_id.to_string())
    }
    /// 用人单位
    async fn enterprise(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Enterprise>> {
        Ok(ctx
            .service::<EmploymentService>()
            .enterprises_by_id(&[self.0.enterprise_id])
            .await
            .gql(ctx)?
            .remove(&self.0.enterprise_id)
            .map(Enterprise))
    }
    /// 状态
    async fn status(&self) -> ParticipationStatus {
        domain::ParticipationStatus::from_stored(&self.0.status).into()
    }
    /// 展位号
    async fn booth(&self) -> Option<&str> {
        self.0.booth.as_deref()
    }
    /// 审批说明
    async fn note(&self) -> &str {
        &self.0.note
    }
}

/// 岗位
#[derive(Clone)]
pub struct Job(pub domain::Job);

#[Object]
impl Job {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 用人单位
    async fn enterprise(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Enterprise>> {
        let id = self.0.row.enterprise_id;
        Ok(ctx
            .service::<EmploymentService>()
            .enterprises_by_id(&[id])
            .await
            .gql(ctx)?
            .remove(&id)
            .map(Enterprise))
    }
    /// 招聘会
    async fn fair_id(&self) -> Option<ID> {
        self.0.row.fair_id.map(|f| ID(f.to_string()))
    }
    /// 岗位名称
    async fn title(&self) -> &str {
        &self.0.row.title
    }
    /// 岗位描述
    async fn description(&self) -> &str {
        &self.0.row.description
    }
    /// 月薪下限（元）
    async fn salary_min(&self) -> i32 {
        self.0.row.salary_min
    }
    /// 月薪上限（元）
    async fn salary_max(&self) -> i32 {
        self.0.row.salary_max
    }
    /// 工作地点所在区
    async fn district_code(&self) -> &str {
        &self.0.row.district_code
    }
    /// 工作地址
    async fn address(&self) -> &str {
        &self.0.row.address
    }
    /// 纬度
    async fn latitude(&self) -> Option<f64> {
        self.0.row.latitude
    }
    /// 经度
    async fn longitude(&self) -> Option<f64> {
        self.0.row.longitude
    }
    /// 工作时间
    async fn hours(&self) -> WorkHours {
        domain::WorkHours::from_stored(&self.0.row.hours).into()
    }
    /// 招聘人数
    async fn vacancies(&self) -> i32 {
        self.0.row.vacancies
    }
    /// 已录用人数
    async fn hired(&self) -> i32 {
        self.0.row.hired
    }
    /// 适合的残疾类别（空为不限）
    async fn categories(&self) -> Vec<i32> {
        self.0.categories().into_iter().map(i32::from).collect()
    }
    /// 适合的残疾等级（空为不限）
    async fn levels(&self) -> Vec<i32> {
        self.0.levels().into_iter().map(i32::from).collect()
    }
    /// 提供的无障碍与合理便利
    async fn accommodations(&self) -> Vec<Accommodation> {
        self.0
            .accommodations()
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// 无障碍与合理便利（文字，便于读屏）
    async fn accommodation_labels(&self) -> Vec<&'static str> {
        self.0
            .accommodations()
            .into_iter()
            .map(|a| a.label())
            .collect()
    }
    /// 状态
    async fn status(&self) -> JobStatus {
        self.0.status().into()
    }
    /// 版本（乐观锁）
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// 发布时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.row.created_at
    }
}

/// 简历
pub struct Resume(domain::Resume);

/// 工作经历
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "ExperienceInput")]
pub struct Experience {
    /// 单位
    pub employer: String,
    /// 岗位
    pub role: String,
    /// 开始年月（YYYY-MM）
    pub from: String,
    /// 结束年月（YYYY-MM，空为至今）
    #[graphql(default)]
    pub to: String,
}

impl From<domain::Experience> for Experience {
    fn from(e: domain::Experience) -> Self {
        Self {
            employer: e.employer,
            role: e.role,
            from: e.from,
            to: e.to,
        }
    }
}

#[Object]
impl Resume {
    /// 残疾人
    async fn person_id(&self) -> ID {
        ID(self.0.person_id.to_string())
    }
    /// 学历
    async fn education(&self) -> Education {
        domain::Education::from_stored(&self.0.content.education).into()
    }
    /// 工作经历
    async fn experience(&self) -> Vec<Experience> {
        self.0
            .content
            .experience
            .iter()
            .cloned()
            .map(Into::into)
            .collect()
    }
    /// 技能
    async fn skills(&self) -> &[String] {
        &self.0.content.skills
    }
    /// 证书
    async fn certificates(&self) -> &[String] {
        &self.0.content.certificates
    }
    /// 求职意向
    async fn desired_work(&self) -> &str {
        &self.0.content.desired_work
    }
    /// 年龄（来自档案）
    async fn age(&self) -> i32 {
        self.0.age
    }
    /// 残疾类别（来自档案）
    async fn category(&self) -> i32 {
        i32::from(self.0.category)
    }
    /// 残疾等级（来自档案）
    async fn level(&self) -> i32 {
        i32::from(self.0.level)
    }
    /// 版本（0 表示尚未保存，为档案预填）
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// 就业意向
#[derive(Clone)]
pub struct EmploymentIntention(pub employment_intention::Model);

#[Object]
impl EmploymentIntention {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 招聘会
    async fn fair_id(&self) -> Option<ID> {
        self.0.fair_id.map(|f| ID(f.to_string()))
    }
    /// 期望工作
    async fn desired_work(&self) -> &str {
        &self.0.desired_work
    }
    /// 期望区
    async fn desired_district(&self) -> Option<&str> {
        self.0.desired_district.as_deref()
    }
    /// 工作时间
    async fn hours(&self) -> WorkHours {
        domain::WorkHours::from_stored(&self.0.hours).into()
    }
    /// 最低月薪（元）
    async fn salary_min(&self) -> Option<i32> {
        self.0.salary_min
    }
    /// 由工作人员代为登记
    async fn proxy(&self) -> bool {
        self.0.proxy
    }
    /// 同意时间
    async fn consent_at(&self) -> DateTime<Utc> {
        self.0.consent_at
    }
}

/// 求职者身份（经本人同意后向邀请面试的单位展示）
#[derive(SimpleObject)]
pub struct ApplicantIdentity {
    /// 姓名
    pub name: String,
    /// 联系电话
    pub phone: Option<String>,
}

/// 求职申请（对用人单位去标识化展示）
#[derive(Clone)]
pub struct JobApplication(pub domain::Applicant);

#[Object]
impl JobApplication {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 残疾人（用人单位不可见）
    async fn person_id(&self) -> Option<ID> {
        (!self.0.for_enterprise).then(|| ID(self.0.row.person_id.to_string()))
    }
    /// 岗位
    async fn job(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Job>> {
        let id = self.0.row.job_id;
        Ok(ctx
            .service::<EmploymentService>()
            .jobs_by_id(&[id])
            .await
            .gql(ctx)?
            .remove(&id)
            .map(Job))
    }
    /// 状态
    async fn status(&self) -> ApplicationStatus {
        self.0.status().into()
    }
    /// 称呼（姓氏首字，去标识化）
    async fn display_name(&self) -> String {
        self.0.masked_name()
    }
    /// 年龄段
    async fn age_band(&self) -> &str {
        &self.0.row.age_band
    }
    /// 残疾类别
    async fn category(&self) -> i32 {
        i32::from(self.0.row.category)
    }
    /// 残疾等级
    async fn level(&self) -> i32 {
        i32::from(self.0.row.level)
    }
    /// 所在区
    async fn district_code(&self) -> &str {
        &self.0.row.district_code
    }
    /// 学历
    async fn education(&self) -> Education {
        domain::Education::from_stored(&self.0.resume.education).into()
    }
    /// 工作经历
    async fn experience(&self) -> Vec<Experience> {
        self.0
            .resume
            .experience
            .iter()
            .cloned()
            .map(Into::into)
            .collect()
    }
    /// 技能
    async fn skills(&self) -> &[String] {
        &self.0.resume.skills
    }
    /// 证书
    async fn certificates(&self) -> &[String] {
        &self.0.resume.certificates
    }
    /// 求职意向
    async fn desired_work(&self) -> &str {
        &self.0.resume.desired_work
    }
    /// 面试时间
    async fn interview_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.interview_at
    }
    /// 面试地点
    async fn interview_place(&self) -> &str {
        &self.0.row.interview_place
    }
    /// 是否已同意向单位提供身份
    async fn identity_shared(&self) -> bool {
        self.0.identity_shared()
    }
    /// 求职者身份（用人单位在本人同意后可见，每次查看留痕；其他人为空）
    async fn identity(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ApplicantIdentity>> {
        if !self.0.for_enterprise || !self.0.identity_shared() {
            return Ok(None);
        }
        let id = ctx
            .service::<EmploymentService>()
            .identity(&self.0)
            .await
            .gql(ctx)?;
        Ok(Some(ApplicantIdentity {
            name: id.name,
            phone: id.phone,
        }))
    }
    /// 入职日期
    async fn hired_on(&self) -> Option<Date> {
        self.0.row.hired_on.map(Date)
    }
    /// 版本（乐观锁）
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// 投递时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.row.created_at
    }
    /// 办理记录（最早在前）
    async fn events(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApplicationEvent>> {
        Ok(ctx
            .service::<EmploymentService>()
            .application_events(self.0.row.id)
            .await
            .gql(ctx)?
            .into_iter()
            .map(ApplicationEvent)
            .collect())
    }
    /// 就业回访（入职后 1、3、6 个月；用人单位不可见）
    async fn follow_ups(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<EmploymentFollowUp>> {
        if self.0.for_enterprise || self.0.status() != domain::ApplicationStatus::Hired {
            return Ok(Vec::new());
        }
        Ok(ctx
            .service::<EmploymentService>()
            .follow_ups_of(&[self.0.row.id])
            .await
            .gql(ctx)?
            .remove(&self.0.row.id)
            .unwrap_or_default()
            .into_iter()
            .map(EmploymentFollowUp)
            .collect())
    }
}

/// 申请办理记录
pub struct ApplicationEvent(job_application_event::Model);

#[Object]
impl ApplicationEvent {
    /// 原状态
    async fn from_status(&self) -> Option<ApplicationStatus> {
        (!self.0.from_status.is_empty())
            .then(|| domain::ApplicationStatus::from_stored(&self.0.from_status).into())
    }
    /// 新状态
    async fn to_status(&self) -> ApplicationStatus {
        domain::ApplicationStatus::from_stored(&self.0.to_status).into()
    }
    /// 办理方角色
    async fn actor_role(&self) -> &str {
        &self.0.actor_role
    }
    /// 说明
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// 时间
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// 就业回访
#[derive(Clone)]
pub struct EmploymentFollowUp(pub employment_follow_up::Model);

#[Object]
impl EmploymentFollowUp {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 求职申请（入职记录）
    async fn application_id(&self) -> ID {
        ID(self.0.application_id.to_string())
    }
    /// 残疾人
    async fn person_id(&self) -> ID {
        ID(self.0.person_id.to_string())
    }
    /// 入职后第几个月
    async fn month(&self) -> i32 {
        i32::from(self.0.month)
    }
    /// 应回访日期
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }
    /// 是否逾期
    async fn overdue(&self) -> bool {
        self.0.status == domain::FollowUpStatus::Due.as_str()
            && self.0.due_on < (Utc::now() + chrono::Duration::hours(8)).date_naive()
    }
    /// 状态
    async fn status(&self) -> FollowUpStatus {
        domain::FollowUpStatus::from_stored(&self.0.status).into()
    }
    /// 是否仍在职
    async fn still_employed(&self) -> Option<bool> {
        self.0.still_employed
    }
    /// 遇到的问题
    async fn problems(&self) -> &str {
        &self.0.problems
    }
    /// 提供的支持
    async fn support(&self) -> &str {
        &self.0.support
    }
    /// 回访时间
    async fn recorded_at(&self) -> Option<DateTime<Utc>> {
        self.0.recorded_at
    }
}

/// 推荐岗位
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct JobRecommendation {
    /// 岗位
    pub job: Job,
    /// 匹配分（越高越合适）
    pub score: i32,
    /// 距离（米；本人提供位置且岗位有坐标时）
    pub distance_m: Option<f64>,
    /// 推荐理由
    pub reasons: Vec<String>,
}

#[async_graphql::ComplexObject]
impl JobRecommendation {
    /// 推荐理由（一句话，便于读屏）
    async fn explanation(&self) -> String {
        self.reasons.join("；")
    }
}

/// 推荐人选（去标识化）
#[derive(SimpleObject)]
pub struct CandidateRecommendation {
    /// 残疾人（工作人员可见；用人单位为空）
    pub person_id: Option<ID>,
    /// 称呼（姓氏首字）
    pub display_name: String,
    /// 年龄段
    pub age_band: String,
    /// 残疾类别
    pub category: i32,
    /// 残疾等级
    pub level: i32,
    /// 所在区
    pub district_code: String,
    /// 求职意向
    pub desired_work: String,
    /// 匹配分
    pub score: i32,
    /// 推荐理由
    pub reasons: Vec<String>,
    /// 推荐理由（一句话）
    pub explanation: String,
}

/// 招聘统计维度
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::employment::RecruitmentDimension")]
pub enum RecruitmentDimension {
    /// 按区
    District,
    /// 按残疾类别
    Category,
    /// 按招聘会
    Fair,
}

/// 招聘统计指标
pub struct RecruitmentMeasures(domain::RecruitmentMeasures);

#[Object]
impl RecruitmentMeasures {
    /// 已审核用人单位
    async fn enterprises(&self) -> u64 {
        self.0.enterprises
    }
    /// 按比例安置差额（人，保留两位小数）
    async fn gap(&self) -> String {
        centi(self.0.gap_centi)
    }
    /// 岗位（招聘中、已招满）
    async fn jobs(&self) -> u64 {
        self.0.jobs
    }
    /// 招聘人数
    async fn vacancies(&self) -> u64 {
        self.0.vacancies
    }
    /// 求职申请
    async fn applications(&self) -> u64 {
        self.0.applications
    }
    /// 面试
    async fn interviews(&self) -> u64 {
        self.0.interviews
    }
    /// 入职
    async fn hires(&self) -> u64 {
        self.0.hires
    }
    /// 3 个月回访已知的入职人数
    async fn known_at_3_months(&self) -> u64 {
        self.0.known_3
    }
    /// 3 个月留存率（0–1；尚无回访为空）
    async fn retention_at_3_months(&self) -> Option<f64> {
        self.0.retention_3()
    }
    /// 6 个月回访已知的入职人数
    async fn known_at_6_months(&self) -> u64 {
        self.0.known_6
    }
    /// 6 个月留存率
    async fn retention_at_6_months(&self) -> Option<f64> {
        self.0.retention_6()
    }
}

/// 招聘统计的一行
pub struct RecruitmentLine(domain::RecruitmentLine);

#[Object]
impl RecruitmentLine {
    /// 区代码、残疾类别（1–7）或招聘会标识
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// 名称
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 指标
    async fn measures(&self) -> RecruitmentMeasures {
        RecruitmentMeasures(self.0.measures.clone())
    }
}

/// 招聘统计
pub struct RecruitmentStatistics(domain::RecruitmentStatistics);

#[Object]
impl RecruitmentStatistics {
    /// 维度
    async fn by(&self) -> RecruitmentDimension {
        self.0.by.into()
    }
    /// 各行
    async fn lines(&self) -> Vec<RecruitmentLine> {
        self.0.lines.iter().cloned().map(RecruitmentLine).collect()
    }
    /// 合计
    async fn total(&self) -> RecruitmentMeasures {
        RecruitmentMeasures(self.0.total.clone())
    }
}

/// 用人单位信息
#[derive(InputObject)]
pub struct EnterpriseInput {
    /// 统一社会信用代码（18位，含校验位）
    pub credit_code: String,
    /// 名称
    pub name: String,
    /// 所在区代码
    pub district_code: String,
    /// 行业门类（GB/T 4754，A–T）
    pub industry: String,
    /// 规模
    pub size: EnterpriseSize,
    /// 地址
    #[graphql(default)]
    pub address: String,
    /// 联系人
    pub contact_name: String,
    /// 联系电话
    pub contact_phone: String,
    /// 职工人数
    pub headcount: i32,
    /// 残疾职工人数
    #[graphql(default)]
    pub disabled_employees: i32,
    /// 其中一、二级残疾职工人数
    #[graphql(default)]
    pub severe_employees: i32,
}

impl From<EnterpriseInput> for domain::EnterpriseInput {
    fn from(i: EnterpriseInput) -> Self {
        Self {
            credit_code: i.credit_code,
            name: i.name,
            district_code: i.district_code,
            industry: i.industry,
            size: i.size.into(),
            address: i.address,
            contact_name: i.contact_name,
            contact_phone: i.contact_phone,
            headcount: i.headcount,
            disabled_employees: i.disabled_employees,
            severe_employees: i.severe_employees,
        }
    }
}

/// 单位自行注册时的账户
#[derive(InputObject)]
pub struct EnterpriseAccountInput {
    /// 用户名
    pub username: String,
    /// 密码
    pub password: String,
}

/// 招聘会
#[derive(InputObject)]
pub struct JobFairInput {
    /// 修改已有招聘会时填写
    pub id: Option<ID>,
    /// 修改时的版本
    pub version: Option<i32>,
    /// 标题
    pub title: String,
    /// 形式
    pub kind: FairKind,
    /// 主办区划（默认本级）
    pub organiser_code: Option<String>,
    /// 场地（线下）
    #[graphql(default)]
    pub venue: String,
    /// 介绍
    #[graphql(default)]
    pub description: String,
    /// 开始
    pub starts_at: DateTime<Utc>,
    /// 结束
    pub ends_at: DateTime<Utc>,
    /// 展位数（线下）
    #[graphql(default)]
    pub booths: i32,
}

/// 岗位
#[derive(InputObject)]
pub struct JobInput {
    /// 修改已有岗位时填写
    pub id: Option<ID>,
    /// 修改时的版本
    pub version: Option<i32>,
    /// 用人单位（工作人员代发时填写）
    pub enterprise_id: Option<ID>,
    /// 招聘会
    pub fair_id: Option<ID>,
    /// 岗位名称
    pub title: String,
    /// 岗位描述
    pub description: String,
    /// 月薪下限（元）
    pub salary_min: i32,
    /// 月薪上限（元）
    pub salary_max: i32,
    /// 工作地点所在区
    pub district_code: String,
    /// 工作地址
    #[graphql(default)]
    pub address: String,
    /// 纬度
    pub latitude: Option<f64>,
    /// 经度
    pub longitude: Option<f64>,
    /// 工作时间
    pub hours: WorkHours,
    /// 招聘人数
    pub vacancies: i32,
    /// 适合的残疾类别（1–7，空为不限）
    #[graphql(default)]
    pub categories: Vec<i32>,
    /// 适合的残疾等级（1–4，空为不限）
    #[graphql(default)]
    pub levels: Vec<i32>,
    /// 提供的无障碍与合理便利
    #[graphql(default)]
    pub accommodations: Vec<Accommodation>,
}

/// 岗位筛选
#[derive(InputObject, Default)]
pub struct JobFilter {
    /// 状态
    pub status: Option<JobStatus>,
    /// 用人单位
    pub enterprise_id: Option<ID>,
    /// 招聘会
    pub fair_id: Option<ID>,
    /// 工作地点所在区
    pub district_code: Option<String>,
    /// 适合该残疾类别（含不限类别的岗位）
    pub category: Option<i32>,
    /// 提供该项便利
    pub accommodation: Option<Accommodation>,
}

/// 简历
#[derive(InputObject)]
pub struct ResumeInput {
    /// 残疾人（工作人员代填时填写）
    pub person_id: Option<ID>,
    /// 版本（首次保存不填）
    pub version: Option<i32>,
    /// 学历
    pub education: Education,
    /// 工作经历
    #[graphql(default)]
    pub experience: Vec<Experience>,
    /// 技能
    #[graphql(default)]
    pub skills: Vec<String>,
    /// 证书
    #[graphql(default)]
    pub certificates: Vec<String>,
    /// 求职意向
    #[graphql(default)]
    pub desired_work: String,
}

/// 就业意向
#[derive(InputObject)]
pub struct EmploymentIntentionInput {
    /// 残疾人（工作人员代登记时填写）
    pub person_id: Option<ID>,
    /// 登记所在的招聘会
    pub fair_id: Option<ID>,
    /// 期望工作
    pub desired_work: String,
    /// 期望区
    pub desired_district: Option<String>,
    /// 工作时间
    pub hours: WorkHours,
    /// 最低月薪（元）
    pub salary_min: Option<i32>,
    /// 本人同意将意向用于岗位推荐
    pub consent: bool,
}

/// 回访记录
#[derive(InputObject)]
pub struct EmploymentFollowUpInput {
    /// 是否仍在职
    pub still_employed: bool,
    /// 遇到的问题
    #[graphql(default)]
    pub problems: String,
    /// 提供的支持
    #[graphql(default)]
    pub support: String,
}

fn small(field: &str, v: &[i32]) -> Result<Vec<i16>, zhucan_domain::DomainError> {
    v.iter()
        .map(|x| {
            i16::try_from(*x).map_err(|_| zhucan_domain::DomainError::bad_input(field, "取值无效"))
        })
        .collect()
}

/// 就业服务查询
#[derive(Default)]
pub struct EmploymentQuery;

#[Object]
impl EmploymentQuery {
    /// 用人单位（单位本身、所在区及上级；市民只见已审核的）
    #[allow(clippy::too_many_arguments)]
    async fn enterprises(
        &self,
        ctx: &Context<'_>,
        status: Option<EnterpriseStatus>,
        district_code: Option<String>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Enterprise>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<EmploymentService>()
            .enterprises(status.map(Into::into), district_code.as_deref(), &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |e| e.row.id.to_string(), Enterprise))
    }

    /// 用人单位
    async fn enterprise(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Enterprise> {
        let id = parse_id("id", &id).gql(ctx)?;
        let e = ctx
            .service::<EmploymentService>()
            .enterprise(id)
            .await
            .gql(ctx)?;
        Ok(Enterprise(e))
    }

    /// 本单位（用人单位账户）
    async fn my_enterprise(&self, ctx: &Context<'_>) -> async_graphql::Result<Enterprise> {
        let e = ctx
            .service::<EmploymentService>()
            .my_enterprise()
            .await
            .gql(ctx)?;
        Ok(Enterprise(e))
    }

    /// 招聘会（已发布的，及本人管理的草稿）
    async fn job_fairs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] upcoming: bool,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, JobFair>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<EmploymentService>()
            .job_fairs(upcoming, &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |f| f.id.to_string(), JobFair))
    }

    /// 招聘会
    async fn job_fair(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<JobFair> {
        let id = parse_id("id", &id).gql(ctx)?;
        let f = ctx
            .service::<EmploymentService>()
            .job_fair(id)
            .await
            .gql(ctx)?;
        Ok(JobFair(f))
    }

    /// 岗位（招聘中、已招满的公开；单位与管辖工作人员另见草稿、已关闭的）
    #[allow(clippy::too_many_arguments)]
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: JobFilter,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Job>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let category = filter
            .category
            .map(|c| small("filter.category", &[c]).map(|v| v[0]))
            .transpose()
            .gql(ctx)?;
        let f = domain::JobFilter {
            status: filter.status.map(Into::into),
            enterprise_id: optional_id("filter.enterpriseId", filter.enterprise_id.as_ref())
                .gql(ctx)?,
            fair_id: optional_id("filter.fairId", filter.fair_id.as_ref()).gql(ctx)?,
            district: filter.district_code,
            category,
            accommodation: filter.accommodation.map(Into::into),
        };
        let rows = ctx
            .service::<EmploymentService>()
            .jobs(&f, &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |j| j.row.id.to_string(), Job))
    }

    /// 岗位
    async fn job(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Job> {
        let id = parse_id("id", &id).gql(ctx)?;
        let j = ctx.service::<EmploymentService>().job(id).await.gql(ctx)?;
        Ok(Job(j))
    }

    /// 我的简历（工作人员可指明残疾人）；未保存时按档案预填
    async fn my_resume(
        &self,
        ctx: &Context<'_>,
        person_id: Option<ID>,
    ) -> async_graphql::Result<Resume> {
        let p = optional_id("personId", person_id.as_ref()).gql(ctx)?;
        let r = ctx
            .service::<EmploymentService>()
            .resume(p)
            .await
            .gql(ctx)?;
        Ok(Resume(r))
    }

    /// 求职申请：用人单位看本单位岗位的申请（去标识化），本人看自己的，工作人员看辖区的
    #[allow(clippy::too_many_arguments)]
    async fn job_applications(
        &self,
        ctx: &Context<'_>,
        job_id: Option<ID>,
        status: Option<ApplicationStatus>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, JobApplication>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let job = optional_id("jobId", job_id.as_ref()).gql(ctx)?;
        let rows = ctx
            .service::<EmploymentService>()
            .applications(job, status.map(Into::into), &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |a| a.row.id.to_string(),
            JobApplication,
        ))
    }

    /// 求职申请
    async fn job_application(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<JobApplication> {
        let id = parse_id("id", &id).gql(ctx)?;
        let a = ctx
            .service::<EmploymentService>()
            .application(id)
            .await
            .gql(ctx)?;
        Ok(JobApplication(a))
    }

    /// 推荐岗位：适合本人残疾类别和等级的招聘中岗位，按就业意向与距离排序，附推荐理由
    async fn recommended_jobs(
        &self,
        ctx: &Context<'_>,
        person_id: Option<ID>,
        latitude: Option<f64>,
        longitude: Option<f64>,
        #[graphql(default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<JobRecommendation>> {
        let p = optional_id("personId", person_id.as_ref()).gql(ctx)?;
        let near = latitude.zip(longitude);
        let first = usize::try_from(first).unwrap_or(0);
        let rows = ctx
            .service::<EmploymentService>()
            .recommended_jobs(p, near, first)
            .await
            .gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|m| JobRecommendation {
                job: Job(m.job),
                score: m.score,
                distance_m: m.distance_m,
                reasons: m.reasons,
            })
            .collect())
    }

    /// 推荐人选：就业意向适合该岗位、且同意用于匹配的求职者（对用人单位去标识化）
    async fn recommended_candidates(
        &self,
        ctx: &Context<'_>,
        job_id: ID,
        #[graphql(default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<CandidateRecommendation>> {
        let job = parse_id("jobId", &job_id).gql(ctx)?;
        let first = usize::try_from(first).unwrap_or(0);
        let enterprise = ctx
            .viewer()
            .is_ok_and(|v| v.role == zhucan_domain::viewer::Role::Enterprise);
        let rows = ctx
            .service::<EmploymentService>()
            .recommended_candidates(job, first)
            .await
            .gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|c| CandidateRecommendation {
                person_id: (!enterprise).then(|| ID(c.person_id.to_string())),
                display_name: format!("{}**", c.surname),
                age_band: c.age_band.to_owned(),
                category: i32::from(c.category),
                level: i32::from(c.level),
                district_code: c.district_code,
                desired_work: c.desired_work,
                score: c.score,
                explanation: c.reasons.join("；"),
                reasons: c.reasons,
            })
            .collect())
    }

    /// 招聘统计（辖区内；按区、残疾类别或招聘会）；XLSX：`GET /reports/recruitment.xlsx?by=DISTRICT`
    async fn recruitment_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "RecruitmentDimension::District")] by: RecruitmentDimension,
    ) -> async_graphql::Result<RecruitmentStatistics> {
        let s = ctx
            .service::<EmploymentService>()
            .recruitment_statistics(by.into())
            .await
            .gql(ctx)?;
        Ok(RecruitmentStatistics(s))
    }

    /// 就业回访（辖区内，按应回访顺序）
    #[allow(clippy::too_many_arguments)]
    async fn employment_follow_ups(
        &self,
        ctx: &Context<'_>,
        status: Option<FollowUpStatus>,
        #[graphql(default)] overdue_only: bool,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, EmploymentFollowUp>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<EmploymentService>()
            .follow_ups(status.map(Into::into), overdue_only, &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |f| f.id.to_string(),
            EmploymentFollowUp,
        ))
    }
}

/// 就业服务办理
#[derive(Default)]
pub struct EmploymentMutation;

#[Object]
impl EmploymentMutation {
    /// 登记用人单位：未登录时为单位自行注册（须填账户，待所在区审核）；工作人员登记本区单位
    async fn register_enterprise(
        &self,
        ctx: &Context<'_>,
        input: EnterpriseInput,
        account: Option<EnterpriseAccountInput>,
    ) -> async_graphql::Result<Enterprise> {
        let (username, password) =
            account.map_or((String::new(), String::new()), |a| (a.username, a.password));
        let e = ctx
            .service::<EmploymentService>()
            .register_enterprise(domain::EnterpriseRegistration {
                username,
                password,
                enterprise: input.into(),
            })
            .await
            .gql(ctx)?;
        Ok(Enterprise(e))
    }

    /// 修改单位信息（单位本身或所在区）；名称、信用代码变更后须重新审核
    async fn update_enterprise(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: EnterpriseInput,
    ) -> async_graphql::Result<Enterprise> {
        let id = parse_id("id", &id).gql(ctx)?;
        let e = ctx
            .service::<EmploymentService>()
            .update_enterprise(id, version, input.into())
            .await
            .gql(ctx)?;
        Ok(Enterprise(e))
    }

    /// 审核用人单位（所在区或市）
    async fn verify_enterprise(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        action: VerifyAction,
        #[graphql(default)] note: String,
    ) -> async_graphql::Result<Enterprise> {
        let id = parse_id("id", &id).gql(ctx)?;
        let e = ctx
            .service::<EmploymentService>()
            .verify_enterprise(id, version, action.into(), &note)
            .await
            .gql(ctx)?;
        Ok(Enterprise(e))
    }

    /// 保存招聘会（新建为草稿，或按版本修改）
    async fn save_job_fair(
        &self,
        ctx: &Context<'_>,
        input: JobFairInput,
    ) -> async_graphql::Result<JobFair> {
        let f = domain::FairInput {
            id: optional_id("input.id", input.id.as_ref()).gql(ctx)?,
            version: input.version,
            title: input.title,
            kind: input.kind.into(),
            organiser: input.organiser_code,
            venue: input.venue,
            description: input.description,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            booths: input.booths,
        };
        let saved = ctx
            .service::<EmploymentService>()
            .save_job_fair(f)
            .await
            .gql(ctx)?;
        Ok(JobFair(saved))
    }

    /// 发布（PUBLISHED）或取消（CANCELLED）招聘会
    async fn set_job_fair_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        status: FairStatus,
    ) -> async_graphql::Result<JobFair> {
        let id = parse_id("id", &id).gql(ctx)?;
        let f = ctx
            .service::<EmploymentService>()
            .set_job_fair_status(id, version, status.into())
            .await
            .gql(ctx)?;
        Ok(JobFair(f))
    }

    /// 报名参会（已审核的用人单位；工作人员可代本区单位报名）
    async fn join_job_fair(
        &self,
        ctx: &Context<'_>,
        fair_id: ID,
        enterprise_id: Option<ID>,
    ) -> async_graphql::Result<FairParticipation> {
        let fair = parse_id("fairId", &fair_id).gql(ctx)?;
        let ent = optional_id("enterpriseId", enterprise_id.as_ref()).gql(ctx)?;
        let p = ctx
            .service::<EmploymentService>()
            .join_job_fair(fair, ent)
            .await
            .gql(ctx)?;
        Ok(FairParticipation(p))
    }

    /// 审批参会：批准（线下须分配展位号）或不批准（须填写原因）
    async fn approve_fair_participation(
        &self,
        ctx: &Context<'_>,
        fair_id: ID,
        enterprise_id: ID,
        approve: bool,
        booth: Option<String>,
        #[graphql(default)] note: String,
    ) -> async_graphql::Result<FairParticipation> {
        let fair = parse_id("fairId", &fair_id).gql(ctx)?;
        let ent = parse_id("enterpriseId", &enterprise_id).gql(ctx)?;
        let p = ctx
            .service::<EmploymentService>()
            .decide_participation(fair, ent, approve, booth.as_deref(), &note)
            .await
            .gql(ctx)?;
        Ok(FairParticipation(p))
    }

    /// 保存岗位（新建为草稿，或按版本修改）
    async fn save_job(&self, ctx: &Context<'_>, input: JobInput) -> async_graphql::Result<Job> {
        let location = match (input.latitude, input.longitude) {
            (Some(a), Some(b)) => Some((a, b)),
            (None, None) => None,
            _ => {
                return Err::<Job, _>(zhucan_domain::DomainError::bad_input(
                    "input.location",
                    "经纬度须同时填写",
                ))
                .gql(ctx);
            }
        };
        let j = domain::JobInput {
            id: optional_id("input.id", input.id.as_ref()).gql(ctx)?,
            version: input.version,
            enterprise_id: optional_id("input.enterpriseId", input.enterprise_id.as_ref())
                .gql(ctx)?,
            fair_id: optional_id("input.fairId", input.fair_id.as_ref()).gql(ctx)?,
            title: input.title,
            description: input.description,
            salary_min: input.salary_min,
            salary_max: input.salary_max,
            district_code: input.district_code,
            address: input.address,
            location,
            hours: input.hours.into(),
            vacancies: input.vacancies,
            categories: small("input.categories", &input.categories).gql(ctx)?,
            levels: small("input.levels", &input.levels).gql(ctx)?,
            accommodations: input.accommodations.into_iter().map(Into::into).collect(),
        };
        let saved = ctx
            .service::<EmploymentService>()
            .save_job(j)
            .await
            .gql(ctx)?;
        Ok(Job(saved))
    }

    /// 发布（OPEN）或关闭（CLOSED）岗位
    async fn set_job_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        status: JobStatus,
    ) -> async_graphql::Result<Job> {
        let id = parse_id("id", &id).gql(ctx)?;
        let j = ctx
            .service::<EmploymentService>()
            .set_job_status(id, version, status.into())
            .await
            .gql(ctx)?;
        Ok(Job(j))
    }

    /// 登记就业意向（本人，或工作人员代为登记；须本人同意）
    async fn record_employment_intention(
        &self,
        ctx: &Context<'_>,
        input: EmploymentIntentionInput,
    ) -> async_graphql::Result<EmploymentIntention> {
        let i = domain::IntentionInput {
            person_id: optional_id("input.personId", input.person_id.as_ref()).gql(ctx)?,
            fair_id: optional_id("input.fairId", input.fair_id.as_ref()).gql(ctx)?,
            desired_work: input.desired_work,
            desired_district: input.desired_district,
            hours: input.hours.into(),
            salary_min: input.salary_min,
            consent: input.consent,
        };
        let saved = ctx
            .service::<EmploymentService>()
            .record_intention(i)
            .await
            .gql(ctx)?;
        Ok(EmploymentIntention(saved))
    }

    /// 保存简历
    async fn save_resume(
        &self,
        ctx: &Context<'_>,
        input: ResumeInput,
    ) -> async_graphql::Result<Resume> {
        let r = domain::ResumeInput {
            person_id: optional_id("input.personId", input.person_id.as_ref()).gql(ctx)?,
            version: input.version,
            education: input.education.into(),
            experience: input
                .experience
                .into_iter()
                .map(|e| domain::Experience {
                    employer: e.employer,
                    role: e.role,
                    from: e.from,
                    to: e.to,
                })
                .collect(),
            skills: input.skills,
            certificates: input.certificates,
            desired_work: input.desired_work,
        };
        let saved = ctx
            .service::<EmploymentService>()
            .save_resume(r)
            .await
            .gql(ctx)?;
        Ok(Resume(saved))
    }

    /// 投递简历（本人，或工作人员代为投递）
    async fn apply_for_job(
        &self,
        ctx: &Context<'_>,
        job_id: ID,
        person_id: Option<ID>,
    ) -> async_graphql::Result<JobApplication> {
        let job = parse_id("jobId", &job_id).gql(ctx)?;
        let p = optional_id("personId", person_id.as_ref()).gql(ctx)?;
        let a = ctx
            .service::<EmploymentService>()
            .apply(job, p)
            .await
            .gql(ctx)?;
        Ok(JobApplication(a))
    }

    /// 邀请面试（用人单位）；求职者收到站内消息，同意后单位可见其姓名、电话
    async fn invite_to_interview(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        at: DateTime<Utc>,
        place: String,
    ) -> async_graphql::Result<JobApplication> {
        let id = parse_id("id", &id).gql(ctx)?;
        let a = ctx
            .service::<EmploymentService>()
            .invite(id, version, at, &place)
            .await
            .gql(ctx)?;
        Ok(JobApplication(a))
    }

    /// 办理求职申请（按动作由用人单位或本人办理）
    async fn update_application(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        action: ApplicationAction,
        #[graphql(default)] note: String,
        hired_on: Option<Date>,
    ) -> async_graphql::Result<JobApplication> {
        let id = parse_id("id", &id).gql(ctx)?;
        let m = match action {
            ApplicationAction::View => domain::ApplicationMove::View,
            ApplicationAction::Offer => domain::ApplicationMove::Offer,
            ApplicationAction::Hire => domain::ApplicationMove::Hire(
                hired_on
                    .ok_or_else(|| {
                        zhucan_domain::DomainError::bad_input("hiredOn", "登记入职须填写入职日期")
                    })
                    .gql(ctx)?
                    .0,
            ),
            ApplicationAction::Reject => domain::ApplicationMove::Reject,
            ApplicationAction::Withdraw => domain::ApplicationMove::Withdraw,
            ApplicationAction::ShareIdentity => domain::ApplicationMove::ShareIdentity,
        };
        let a = ctx
            .service::<EmploymentService>()
            .update_application(id, version, m, &note)
            .await
            .gql(ctx)?;
        Ok(JobApplication(a))
    }

    /// 记录就业回访（辖区工作人员）
    async fn record_employment_follow_up(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: EmploymentFollowUpInput,
    ) -> async_graphql::Result<EmploymentFollowUp> {
        let id = parse_id("id", &id).gql(ctx)?;
        let f = ctx
            .service::<EmploymentService>()
            .record_follow_up(
                id,
                domain::FollowUpInput {
                    still_employed: input.still_employed,
                    problems: input.problems,
                    support: input.support,
                },
            )
            .await
            .gql(ctx)?;
        Ok(EmploymentFollowUp(f))
    }
}
