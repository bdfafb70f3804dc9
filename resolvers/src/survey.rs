//! 问卷与需求: questionnaires (versioned definitions with skip logic), pushes, answers (by the
//! person or by staff on their behalf), and the needs they put on person files.

use std::collections::BTreeMap;

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::entities::{need_event, questionnaire_push, questionnaire_version};
use zhucan_domain::survey::{self as domain, SurveyService};

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::outreach::TargetFilter as TargetFilterInput;
use crate::support::{optional_id, page, parse_id, plain_connection};

/// 问卷类别
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::survey::QuestionnaireKind")]
pub enum QuestionnaireKind {
    /// 需求调查
    Needs,
    /// 满意度调查
    Satisfaction,
    /// 就业意向调查
    EmploymentIntention,
    /// 其他
    Other,
}

/// 问卷状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::survey::QuestionnaireStatus")]
pub enum QuestionnaireStatus {
    /// 草稿（从未发布）
    Draft,
    /// 已发布
    Published,
    /// 已关闭
    Closed,
}

/// 题型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::survey::QuestionKind")]
pub enum QuestionKind {
    /// 单选（答案为选项编码）
    SingleChoice,
    /// 多选（答案为选项编码列表）
    MultipleChoice,
    /// 文本
    Text,
    /// 数字
    Number,
    /// 量表（整数分值，min–max）
    Scale,
    /// 日期（YYYY-MM-DD）
    Date,
    /// 是/否（true/false）
    YesNo,
    /// 行政区划（区或街镇代码）
    Region,
}

/// 需求类别
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::survey::NeedCategory")]
pub enum NeedCategory {
    /// 康复
    Rehabilitation,
    /// 辅具
    AssistiveDevice,
    /// 托养
    Care,
    /// 就业
    Employment,
    /// 教育
    Education,
    /// 无障碍改造
    Accessibility,
    /// 生活救助
    LivingAssistance,
    /// 医疗
    Medical,
    /// 法律援助
    Legal,
    /// 其他
    Other,
}

/// 需求状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::survey::NeedStatus")]
pub enum NeedStatus {
    /// 已识别
    Identified,
    /// 已转介
    Referred,
    /// 已满足
    Met,
    /// 本人谢绝
    Declined,
}

/// 回答状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::survey::ResponseStatus")]
pub enum ResponseStatus {
    /// 草稿
    Draft,
    /// 已提交
    Submitted,
    /// 已被重新提交替代
    Superseded,
}

/// 需求处理动作
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum NeedAction {
    /// 转介（可指明服务事项）
    Refer,
    /// 转为跟进任务（由所在街镇走访，按政策找人任务办理）
    FollowUp,
    /// 已满足
    Meet,
    /// 本人谢绝（须填写说明）
    Decline,
    /// 补充记录（须填写说明）
    Note,
}

fn need_code(raw: &Option<String>) -> Option<NeedCategory> {
    raw.as_deref()
        .and_then(|c| domain::NeedCategory::parse("need", c).ok())
        .map(Into::into)
}

/// 选项
pub struct QuestionOption(domain::Choice);

#[Object]
impl QuestionOption {
    /// 编码（答案中使用）
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// 文字（读屏软件逐字朗读，不以颜色或位置表达含义）
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// 选择后识别的需求
    async fn need(&self) -> Option<NeedCategory> {
        need_code(&self.0.need)
    }
}

/// 题目
pub struct Question(domain::Question);

#[Object]
impl Question {
    /// 编码（答案和显示条件中使用）
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// 题目文字
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// 补充说明
    async fn help(&self) -> &str {
        &self.0.help
    }
    /// 题型
    async fn kind(&self) -> QuestionKind {
        self.0.kind.into()
    }
    /// 是否必答（显示时）
    async fn required(&self) -> bool {
        self.0.required
    }
    /// 选项（选择题）
    async fn options(&self) -> Vec<QuestionOption> {
        self.0.options.iter().cloned().map(QuestionOption).collect()
    }
    /// 最小值（数字、量表）
    async fn min(&self) -> Option<f64> {
        self.0.min
    }
    /// 最大值（数字、量表）
    async fn max(&self) -> Option<f64> {
        self.0.max
    }
    /// 显示条件（CEL，只引用前面的题目编码）
    async fn show_if(&self) -> Option<&str> {
        self.0.show_if.as_deref()
    }
    /// 回答“是”时识别的需求（是否题）
    async fn need_if_yes(&self) -> Option<NeedCategory> {
        need_code(&self.0.need_if_yes)
    }
}

fn questions(d: &domain::Definition) -> Vec<Question> {
    d.questions.iter().cloned().map(Question).collect()
}

/// 已发布的版本（冻结）
pub struct QuestionnaireVersion(questionnaire_version::Model);

#[Object]
impl QuestionnaireVersion {
    /// 版本号
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// 发布人
    async fn published_by(&self) -> &str {
        &self.0.published_by
    }
    /// 发布时间
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
    /// 题目
    async fn questions(&self) -> async_graphql::Result<Vec<Question>> {
        let d = domain::Definition::from_stored(&self.0.definition)
            .map_err(|e| async_graphql::Error::new(e.to_string()))?;
        Ok(questions(&d))
    }
}

/// 问卷
pub struct Questionnaire(domain::Questionnaire);

#[Object]
impl Questionnaire {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id().to_string())
    }
    /// 标题
    async fn title(&self) -> &str {
        &self.0.row.title
    }
    /// 说明
    async fn description(&self) -> &str {
        &self.0.row.description
    }
    /// 类别
    async fn kind(&self) -> QuestionnaireKind {
        self.0.kind().into()
    }
    /// 是否匿名（匿名问卷不保存答卷人）
    async fn anonymous(&self) -> bool {
        self.0.row.anonymous
    }
    /// 状态
    async fn status(&self) -> QuestionnaireStatus {
        self.0.status().into()
    }
    /// 所属区域（310000 为市残联）
    async fn scope_code(&self) -> &str {
        &self.0.row.scope_code
    }
    /// 编辑版本（乐观锁）
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// 最新发布的版本号（0：未发布）
    async fn published_version(&self) -> i32 {
        self.0.row.published_version
    }
    /// 草稿中的题目
    async fn questions(&self) -> Vec<Question> {
        questions(&self.0.draft)
    }
    /// 已发布的版本
    async fn versions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<QuestionnaireVersion>> {
        let rows = ctx
            .service::<SurveyService>()
            .versions(self.0.id())
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(QuestionnaireVersion).collect())
    }
    /// 推送记录（最新在前）
    async fn pushes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<QuestionnairePush>> {
        let rows = ctx
            .service::<SurveyService>()
            .pushes_of(self.0.id())
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(QuestionnairePush).collect())
    }
    /// 更新时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at()
    }
}

/// 问卷推送
pub struct QuestionnairePush(pub questionnaire_push::Model);

#[Object]
impl QuestionnairePush {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 问卷
    async fn questionnaire_id(&self) -> ID {
        ID(self.0.questionnaire_id.to_string())
    }
    /// 推送的版本
    async fn version_number(&self) -> i32 {
        self.0.version_number
    }
    /// 截止时间
    async fn deadline(&self) -> DateTime<Utc> {
        self.0.deadline
    }
    /// 状态（PUBLISHING、PUBLISHED、FAILED）
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// 推送人数
    async fn targeted(&self) -> i32 {
        self.0.targeted
    }
    /// 已处理人数
    async fn progress(&self) -> i32 {
        self.0.progress
    }
    /// 提醒发送时间
    async fn reminded_at(&self) -> Option<DateTime<Utc>> {
        self.0.reminded_at
    }
    /// 推送时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// 答卷
pub struct QuestionnaireResponse(pub domain::Response);

#[Object]
impl QuestionnaireResponse {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 状态
    async fn status(&self) -> ResponseStatus {
        self.0.status().into()
    }
    /// 问卷
    async fn questionnaire_id(&self) -> ID {
        ID(self.0.row.questionnaire_id.to_string())
    }
    /// 回答的版本
    async fn version_number(&self) -> i32 {
        self.0.row.version_number
    }
    /// 答案（题目编码 → 值；被隐藏的题目不保存）
    async fn answers(&self) -> Json<domain::Answers> {
        Json(self.0.answers.clone())
    }
    /// 是否由工作人员代填
    async fn proxy(&self) -> bool {
        self.0.row.proxy
    }
    /// 代填人
    async fn proxy_by(&self) -> Option<&str> {
        self.0.row.proxy_by.as_deref()
    }
    /// 保存时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.row.updated_at
    }
    /// 提交时间
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.submitted_at
    }
}

/// 待填写的问卷
pub struct QuestionnaireAssignment(domain::Assignment);

#[Object]
impl QuestionnaireAssignment {
    /// 推送
    async fn push(&self) -> QuestionnairePush {
        QuestionnairePush(self.0.push.clone())
    }
    /// 问卷标题
    async fn title(&self) -> &str {
        &self.0.questionnaire.title
    }
    /// 说明
    async fn description(&self) -> &str {
        &self.0.questionnaire.description
    }
    /// 是否匿名
    async fn anonymous(&self) -> bool {
        self.0.questionnaire.anonymous
    }
    /// 截止时间
    async fn deadline(&self) -> DateTime<Utc> {
        self.0.push.deadline
    }
    /// 是否仍可填写
    async fn open(&self) -> bool {
        self.0.questionnaire.status != domain::QuestionnaireStatus::Closed.as_str()
            && Utc::now() < self.0.push.deadline
    }
    /// 题目（推送的版本）
    async fn questions(&self) -> Vec<Question> {
        questions(&self.0.definition)
    }
    /// 本人的草稿或已提交的答卷
    async fn response(&self) -> Option<QuestionnaireResponse> {
        self.0.response.clone().map(QuestionnaireResponse)
    }
}

/// 需求处理记录
pub struct NeedEvent(need_event::Model);

#[Object]
impl NeedEvent {
    /// 动作（IDENTIFY、REFER、MEET、DECLINE、NOTE）
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// 处理后状态
    async fn status(&self) -> NeedStatus {
        domain::NeedStatus::from_stored(&self.0.to_status).into()
    }
    /// 说明
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// 操作人
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// 时间
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// 需求（一人一档）
#[derive(Clone)]
pub struct Need(pub domain::Need);

#[Object]
impl Need {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 残疾人
    async fn person_id(&self) -> ID {
        ID(self.0.row.person_id.to_string())
    }
    /// 类别
    async fn category(&self) -> NeedCategory {
        self.0.category().into()
    }
    /// 类别名称
    async fn category_label(&self) -> &'static str {
        self.0.category().label()
    }
    /// 状态
    async fn status(&self) -> NeedStatus {
        self.0.status().into()
    }
    /// 来源（QUESTIONNAIRE、STAFF）
    async fn source(&self) -> &str {
        &self.0.row.source
    }
    /// 识别该需求的题目
    async fn question_code(&self) -> Option<&str> {
        self.0.row.question_code.as_deref()
    }
    /// 街镇代码
    async fn street_code(&self) -> &str {
        &self.0.row.street_code
    }
    /// 转介的服务事项
    async fn service_item_id(&self) -> Option<ID> {
        self.0.row.service_item_id.map(|i| ID(i.to_string()))
    }
    /// 跟进任务（转为跟进任务后；按政策找人任务办理）
    async fn follow_up_task(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::outreach::OutreachTask>> {
        let Some(id) = self.0.row.outreach_task_id else {
            return Ok(None);
        };
        // The person sees that a visit is planned (their inbox says so), not the task itself.
        if !ctx.viewer().is_ok_and(|v| v.role.is_region_admin()) {
            return Ok(None);
        }
        Ok(ctx
            .service::<zhucan_domain::outreach::OutreachService>()
            .task_if_visible(id)
            .await
            .gql(ctx)?
            .map(crate::outreach::OutreachTask))
    }
    /// 最新说明
    async fn note(&self) -> &str {
        &self.0.row.note
    }
    /// 版本（乐观锁）
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// 识别时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.row.created_at
    }
    /// 更新时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.row.updated_at
    }
    /// 处理记录（最早在前）
    async fn events(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<NeedEvent>> {
        let mut all = ctx
            .service::<SurveyService>()
            .need_events(&[self.0.row.id])
            .await
            .gql(ctx)?;
        Ok(all
            .remove(&self.0.row.id)
            .unwrap_or_default()
            .into_iter()
            .map(NeedEvent)
            .collect())
    }
}

/// 选项
#[derive(InputObject)]
pub struct QuestionOptionInput {
    /// 编码
    pub code: String,
    /// 文字
    pub text: String,
    /// 选择后识别的需求
    pub need: Option<NeedCategory>,
}

/// 题目
#[derive(InputObject)]
pub struct QuestionInput {
    /// 编码（字母开头，字母、数字、下划线）
    pub code: String,
    /// 题目文字
    pub text: String,
    /// 补充说明
    #[graphql(default)]
    pub help: String,
    /// 题型
    pub kind: QuestionKind,
    /// 是否必答
    #[graphql(default)]
    pub required: bool,
    /// 选项（选择题）
    #[graphql(default)]
    pub options: Vec<QuestionOptionInput>,
    /// 最小值
    pub min: Option<f64>,
    /// 最大值
    pub max: Option<f64>,
    /// 显示条件（CEL，只引用前面的题目）
    pub show_if: Option<String>,
    /// 回答“是”时识别的需求
    pub need_if_yes: Option<NeedCategory>,
}

/// 问卷
#[derive(InputObject)]
pub struct QuestionnaireInput {
    /// 已有问卷（须带 version）
    pub id: Option<ID>,
    /// 编辑版本
    pub version: Option<i32>,
    /// 标题
    pub title: String,
    /// 说明
    #[graphql(default)]
    pub description: String,
    /// 类别
    pub kind: QuestionnaireKind,
    /// 是否匿名（发布后不能更改）
    #[graphql(default)]
    pub anonymous: bool,
    /// 题目
    pub questions: Vec<QuestionInput>,
}

/// 问卷推送
#[derive(InputObject)]
pub struct QuestionnairePushInput {
    /// 问卷（推送其最新发布的版本）
    pub questionnaire_id: ID,
    /// 对象筛选（与政策找人相同）
    #[graphql(default)]
    pub filter: TargetFilterInput,
    /// 按服务事项的现行适用条件再筛选
    #[graphql(default)]
    pub use_rule: bool,
    /// 服务事项
    pub service_item_id: Option<ID>,
    /// 截止时间
    pub deadline: DateTime<Utc>,
}

/// 答卷
#[derive(InputObject)]
pub struct QuestionnaireAnswersInput {
    /// 推送
    pub push_id: ID,
    /// 残疾人（工作人员代填时必填）
    pub person_id: Option<ID>,
    /// 答案：题目编码 → 值（单选为选项编码，多选为编码列表，是否题为 true/false）
    pub answers: Json<BTreeMap<String, serde_json::Value>>,
}

/// 需求筛选
#[derive(InputObject, Default)]
pub struct NeedFilter {
    /// 状态
    pub status: Option<NeedStatus>,
    /// 类别
    pub category: Option<NeedCategory>,
    /// 区或街镇
    pub region_code: Option<String>,
    /// 残疾人
    pub person_id: Option<ID>,
}

/// 交叉分析维度
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::survey::results::Dimension")]
pub enum ResultDimension {
    /// 区
    District,
    /// 街镇
    Street,
    /// 残疾类别
    Category,
    /// 残疾等级
    Level,
    /// 年龄段
    AgeBand,
}

/// 计数（1–4 人的小单元格在分组和区级以下视图中显示为“<5”）
#[derive(SimpleObject)]
pub struct ResultCell {
    /// 人数（被抑制时为空）
    pub count: Option<i64>,
    /// 显示值（数字或“<5”）
    pub display: String,
    /// 是否被抑制
    pub suppressed: bool,
}

fn cell(c: domain::results::Cell) -> ResultCell {
    ResultCell {
        count: c.count.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
        display: c.display(),
        suppressed: c.count.is_none(),
    }
}

/// 某一答案的人数
#[derive(SimpleObject)]
pub struct ResultValue {
    /// 选项编码、true/false 或分值
    pub value: String,
    /// 文字
    pub label: String,
    /// 人数
    pub count: ResultCell,
}

fn values(v: Vec<domain::results::ValueCount>) -> Vec<ResultValue> {
    v.into_iter()
        .map(|v| ResultValue {
            value: v.value,
            label: v.label,
            count: cell(v.cell),
        })
        .collect()
}

/// 交叉分析的一组
#[derive(SimpleObject)]
pub struct ResultGroup {
    /// 分组（区划代码、残疾类别 1–7、等级 1–4 或年龄段）
    pub key: String,
    /// 该组答卷数
    pub respondents: ResultCell,
    /// 各答案人数
    pub values: Vec<ResultValue>,
}

/// 某题的结果
#[derive(SimpleObject)]
pub struct QuestionResult {
    /// 题目编码
    pub code: String,
    /// 题目文字
    pub text: String,
    /// 题型
    pub kind: QuestionKind,
    /// 作答人数
    pub answered: ResultCell,
    /// 各答案人数（选择、是否、量表、区划）
    pub values: Vec<ResultValue>,
    /// 平均值（数字、量表）
    pub mean: Option<f64>,
    /// 交叉分析
    pub groups: Vec<ResultGroup>,
}

/// 问卷结果
#[derive(SimpleObject)]
pub struct QuestionnaireResults {
    /// 版本
    pub version: i32,
    /// 答卷数（已提交、有效）
    pub respondents: ResultCell,
    /// 本视图是否抑制小单元格
    pub suppressed: bool,
    /// 各题结果
    pub questions: Vec<QuestionResult>,
}

impl From<domain::results::Results> for QuestionnaireResults {
    fn from(r: domain::results::Results) -> Self {
        Self {
            version: r.version,
            respondents: cell(r.respondents),
            suppressed: r.suppressed,
            questions: r
                .questions
                .into_iter()
                .map(|q| QuestionResult {
                    code: q.code,
                    text: q.text,
                    kind: q.kind.into(),
                    answered: cell(q.answered),
                    values: values(q.values),
                    mean: q.mean,
                    groups: q
                        .groups
                        .into_iter()
                        .map(|g| ResultGroup {
                            key: g.key,
                            respondents: cell(g.respondents),
                            values: values(g.values),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// 问卷与需求查询
#[derive(Default)]
pub struct SurveyQuery;

#[Object]
impl SurveyQuery {
    /// 问卷结果：已提交答卷在本辖区内的分布和交叉分析（默认最新发布的版本）
    async fn questionnaire_results(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: Option<i32>,
        region_code: Option<String>,
        by: Option<ResultDimension>,
    ) -> async_graphql::Result<QuestionnaireResults> {
        let id = parse_id("id", &id).gql(ctx)?;
        let r = ctx
            .service::<SurveyService>()
            .results(id, version, region_code.as_deref(), by.map(Into::into))
            .await
            .gql(ctx)?;
        Ok(r.into())
    }

    /// 问卷（市残联的和本区的）
    async fn questionnaires(
        &self,
        ctx: &Context<'_>,
        status: Option<QuestionnaireStatus>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Questionnaire>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<SurveyService>()
            .questionnaires(status.map(Into::into), &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |q| q.id().to_string(),
            Questionnaire,
        ))
    }

    /// 一份问卷
    async fn questionnaire(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Questionnaire> {
        let id = parse_id("id", &id).gql(ctx)?;
        let q = ctx
            .service::<SurveyService>()
            .questionnaire(id)
            .await
            .gql(ctx)?;
        Ok(Questionnaire(q))
    }

    /// 我的问卷（本人被推送的问卷，最新在前）
    async fn my_questionnaires(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<QuestionnaireAssignment>> {
        let rows = ctx
            .service::<SurveyService>()
            .my_questionnaires()
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(QuestionnaireAssignment).collect())
    }

    /// 某人被推送的问卷（工作人员上门代填用，辖区内）
    async fn person_questionnaires(
        &self,
        ctx: &Context<'_>,
        person_id: ID,
    ) -> async_graphql::Result<Vec<QuestionnaireAssignment>> {
        let id = parse_id("personId", &person_id).gql(ctx)?;
        let rows = ctx
            .service::<SurveyService>()
            .assignments(id)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(QuestionnaireAssignment).collect())
    }

    /// 需求清单（辖区内；街镇工作人员逐条处理）
    async fn needs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: NeedFilter,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Need>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let filter = domain::NeedFilter {
            status: filter.status.map(Into::into),
            category: filter.category.map(Into::into),
            region: filter.region_code,
            person_id: optional_id("filter.personId", filter.person_id.as_ref()).gql(ctx)?,
        };
        let rows = ctx
            .service::<SurveyService>()
            .needs(&filter, &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |n| n.row.id.to_string(), Need))
    }
}

/// 问卷与需求操作
#[derive(Default)]
pub struct SurveyMutation;

#[Object]
impl SurveyMutation {
    /// 保存问卷（市、区残联管理员；题目整体校验后保存草稿）
    async fn save_questionnaire(
        &self,
        ctx: &Context<'_>,
        input: QuestionnaireInput,
    ) -> async_graphql::Result<Questionnaire> {
        let id = optional_id("input.id", input.id.as_ref()).gql(ctx)?;
        let definition = domain::Definition {
            questions: input
                .questions
                .into_iter()
                .map(|q| domain::Question {
                    code: q.code,
                    text: q.text,
                    help: q.help,
                    kind: q.kind.into(),
                    required: q.required,
                    options: q
                        .options
                        .into_iter()
                        .map(|o| domain::Choice {
                            code: o.code,
                            text: o.text,
                            need: o
                                .need
                                .map(|n| domain::NeedCategory::from(n).as_str().to_owned()),
                        })
                        .collect(),
                    min: q.min,
                    max: q.max,
                    show_if: q.show_if,
                    need_if_yes: q
                        .need_if_yes
                        .map(|n| domain::NeedCategory::from(n).as_str().to_owned()),
                })
                .collect(),
        };
        let q = ctx
            .service::<SurveyService>()
            .save_questionnaire(domain::QuestionnaireInput {
                id,
                version: input.version,
                title: input.title,
                description: input.description,
                kind: input.kind.into(),
                anonymous: input.anonymous,
                definition,
            })
            .await
            .gql(ctx)?;
        Ok(Questionnaire(q))
    }

    /// 发布问卷（草稿成为新的冻结版本）
    async fn publish_questionnaire(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<Questionnaire> {
        let id = parse_id("id", &id).gql(ctx)?;
        let q = ctx
            .service::<SurveyService>()
            .publish_questionnaire(id, version)
            .await
            .gql(ctx)?;
        Ok(Questionnaire(q))
    }

    /// 推送问卷（站内消息和短信；后台逐页完成）
    async fn push_questionnaire(
        &self,
        ctx: &Context<'_>,
        input: QuestionnairePushInput,
    ) -> async_graphql::Result<QuestionnairePush> {
        let filter = input.filter.to_domain().gql(ctx)?;
        let push = ctx
            .service::<SurveyService>()
            .push(domain::PushInput {
                questionnaire_id: parse_id("input.questionnaireId", &input.questionnaire_id)
                    .gql(ctx)?,
                filter,
                use_rule: input.use_rule,
                service_item_id: optional_id("input.serviceItemId", input.service_item_id.as_ref())
                    .gql(ctx)?,
                deadline: input.deadline,
            })
            .await
            .gql(ctx)?;
        Ok(QuestionnairePush(push))
    }

    /// 保存草稿（本人，或工作人员代填）
    async fn save_questionnaire_draft(
        &self,
        ctx: &Context<'_>,
        input: QuestionnaireAnswersInput,
    ) -> async_graphql::Result<QuestionnaireResponse> {
        let input = answers_input(ctx, input)?;
        let r = ctx
            .service::<SurveyService>()
            .save_draft(input)
            .await
            .gql(ctx)?;
        Ok(QuestionnaireResponse(r))
    }

    /// 提交问卷（截止前可重新提交，保留历史；匿名问卷只能提交一次）
    async fn submit_questionnaire(
        &self,
        ctx: &Context<'_>,
        input: QuestionnaireAnswersInput,
    ) -> async_graphql::Result<QuestionnaireResponse> {
        let input = answers_input(ctx, input)?;
        let r = ctx
            .service::<SurveyService>()
            .submit(input)
            .await
            .gql(ctx)?;
        Ok(QuestionnaireResponse(r))
    }

    /// 处理需求（转介、转为跟进任务、已满足、谢绝、补充记录）
    #[allow(clippy::too_many_arguments)]
    async fn update_need(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        action: NeedAction,
        service_item_id: Option<ID>,
        #[graphql(default)] note: String,
        #[graphql(desc = "跟进时限（工作日，FOLLOW_UP 时可选，默认按政策找人配置）")]
        due_working_days: Option<i32>,
    ) -> async_graphql::Result<Need> {
        let id = parse_id("id", &id).gql(ctx)?;
        let item = optional_id("serviceItemId", service_item_id.as_ref()).gql(ctx)?;
        let days = match due_working_days {
            None => None,
            Some(d) => Some(
                u32::try_from(d)
                    .map_err(|_| {
                        zhucan_domain::DomainError::bad_input(
                            "dueWorkingDays",
                            "跟进时限须为 1–60 个工作日",
                        )
                    })
                    .gql(ctx)?,
            ),
        };
        let change = match action {
            NeedAction::Refer => domain::NeedChange::Refer(item),
            NeedAction::FollowUp => domain::NeedChange::FollowUp(days),
            NeedAction::Meet => domain::NeedChange::Meet,
            NeedAction::Decline => domain::NeedChange::Decline,
            NeedAction::Note => domain::NeedChange::Note,
        };
        let n = ctx
            .service::<SurveyService>()
            .update_need(id, version, change, &note)
            .await
            .gql(ctx)?;
        Ok(Need(n))
    }
}

fn answers_input(
    ctx: &Context<'_>,
    input: QuestionnaireAnswersInput,
) -> async_graphql::Result<domain::ResponseInput> {
    Ok(domain::ResponseInput {
        push_id: parse_id("input.pushId", &input.push_id).gql(ctx)?,
        person_id: optional_id("input.personId", input.person_id.as_ref()).gql(ctx)?,
        answers: input.answers.0,
    })
}
