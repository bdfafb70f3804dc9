//! GraphQL types of the catalog: newtypes over the domain's read models.

use async_graphql::{Context, Enum, ID, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use zhucan_domain::catalog::search as dsearch;
use zhucan_domain::catalog::{self, CatalogService};
use zhucan_domain::eligibility::{self, EligibilityService};

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::region::{Region, region_of};
use crate::scalars::Date;

/// 政策状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::catalog::PolicyStatus")]
pub enum PolicyStatus {
    /// 现行有效
    InForce,
    /// 已废止
    Repealed,
}

/// 业务条线
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::catalog::BusinessLine")]
pub enum BusinessLine {
    /// 组联
    Organization,
    /// 教就
    EducationEmployment,
    /// 康复
    Rehabilitation,
    /// 权益
    Rights,
}

/// 办理渠道
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::catalog::Channel")]
pub enum Channel {
    /// 线上办理
    Online,
    /// 线下办理
    Offline,
    /// 免申即享
    Automatic,
}

/// 机构类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::catalog::InstitutionKind")]
pub enum InstitutionKind {
    /// 康复机构
    Rehabilitation,
    /// 阳光之家 / 阳光心园 / 阳光基地
    DayCare,
    /// 残疾人服务中心
    ServiceCenter,
    /// 就业服务机构
    Employment,
    /// 特殊教育
    SpecialEducation,
    /// 辅具服务
    AssistiveDevice,
    /// 区助残服务旗舰店
    FlagshipStore,
}

/// 条目状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::catalog::EntryStatus")]
pub enum EntryStatus {
    /// 在办 / 开放
    Active,
    /// 已撤销
    Withdrawn,
}

/// 目录条目类型 — what a search hit or revision is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::catalog::EntryKind")]
pub enum CatalogKind {
    /// 政策法规
    Policy,
    /// 服务事项
    ServiceItem,
    /// 助残机构
    Institution,
    /// 阳光201 活动
    Activity,
    /// 就业岗位
    Job,
}

/// 政策法规
pub struct Policy(pub catalog::Policy);

#[Object]
impl Policy {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 编码
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// 标题
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 发文机关
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }
    /// 文号
    async fn document_number(&self) -> Option<&str> {
        self.0.document_number.as_deref()
    }
    /// 发布日期
    async fn issued_on(&self) -> Date {
        self.0.issued_on.into()
    }
    /// 施行日期
    async fn effective_from(&self) -> Date {
        self.0.effective_from.into()
    }
    /// 失效日期
    async fn effective_until(&self) -> Option<Date> {
        self.0.effective_until.map(Date)
    }
    /// 状态
    async fn status(&self) -> PolicyStatus {
        self.0.status.into()
    }
    /// 标签
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }
    /// 全文
    async fn full_text(&self) -> &str {
        &self.0.full_text
    }
    /// 所属区 (null = 全市)
    async fn district(&self, ctx: &Context<'_>) -> Option<Region> {
        self.0
            .district_code
            .as_deref()
            .and_then(|c| region_of(ctx, c))
    }
    /// 版本
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 更新时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// 适用条件中的一条
#[derive(SimpleObject, Clone)]
pub struct RuleCondition {
    /// 说明（如“一级或二级残疾”）
    pub label: String,
    /// CEL 表达式（如 `level <= 2`）
    pub expression: String,
}

/// 规则状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::eligibility::RuleStatus")]
pub enum RuleStatus {
    /// 草稿
    Draft,
    /// 现行
    Published,
    /// 已被取代
    Superseded,
}

/// 适用条件（一个版本）
pub struct EligibilityRule(pub eligibility::EligibilityRule);

#[Object]
impl EligibilityRule {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 版本号
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 状态
    async fn status(&self) -> RuleStatus {
        self.0.status.into()
    }
    /// 条件（全部满足才符合）
    async fn conditions(&self) -> Vec<RuleCondition> {
        self.0
            .conditions
            .iter()
            .map(|c| RuleCondition {
                label: c.label.clone(),
                expression: c.expression.clone(),
            })
            .collect()
    }
    /// 保存时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 发布时间
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
}

/// 服务事项
#[derive(Clone)]
pub struct ServiceItem(pub catalog::ServiceItem);

#[Object]
impl ServiceItem {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 编码
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// 事项名称
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 业务条线
    async fn business_line(&self) -> BusinessLine {
        self.0.business_line.into()
    }
    /// 事项说明
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// 申请材料
    async fn materials(&self) -> &[String] {
        &self.0.materials
    }
    /// 办理时限（工作日）
    async fn time_limit_days(&self) -> i32 {
        self.0.time_limit_days
    }
    /// 办理渠道
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }
    /// 线上办理入口
    async fn online_url(&self) -> Option<&str> {
        self.0.online_url.as_deref()
    }
    /// 线下办理点
    async fn offline_points(&self) -> &[String] {
        &self.0.offline_points
    }
    /// 依据政策
    async fn policies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Policy>> {
        if self.0.policy_keys.is_empty() {
            return Ok(Vec::new());
        }
        let rows = ctx
            .service::<CatalogService>()
            .policies_by_key(&self.0.policy_keys)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(Policy).collect())
    }
    /// 标签
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }
    /// 所属区 (null = 全市)
    async fn district(&self, ctx: &Context<'_>) -> Option<Region> {
        self.0
            .district_code
            .as_deref()
            .and_then(|c| region_of(ctx, c))
    }
    /// 状态
    async fn status(&self) -> EntryStatus {
        self.0.status.into()
    }
    /// 现行适用条件版本（0 = 未设置）
    async fn rule_version(&self) -> i32 {
        self.0.rule_version
    }
    /// 现行适用条件
    async fn rule(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EligibilityRule>> {
        let rule = ctx
            .service::<EligibilityService>()
            .rule_in_force(&self.0)
            .await
            .gql(ctx)?;
        Ok(rule.map(EligibilityRule))
    }
    /// 版本
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 更新时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// 助残机构
pub struct Institution(pub catalog::Institution);

#[Object]
impl Institution {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 机构名称
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 机构类型
    async fn kind(&self) -> InstitutionKind {
        self.0.kind.into()
    }
    /// 所在区
    async fn district(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.district_code)
    }
    /// 所在街镇
    async fn street(&self, ctx: &Context<'_>) -> Option<Region> {
        self.0
            .street_code
            .as_deref()
            .and_then(|c| region_of(ctx, c))
    }
    /// 地址
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// 纬度 (WGS-84)
    async fn latitude(&self) -> f64 {
        self.0.latitude
    }
    /// 经度 (WGS-84)
    async fn longitude(&self) -> f64 {
        self.0.longitude
    }
    /// 服务内容
    async fn services(&self) -> &[String] {
        &self.0.services
    }
    /// 开放时间
    async fn opening_hours(&self) -> &str {
        &self.0.opening_hours
    }
    /// 无障碍设施
    async fn accessibility(&self) -> &[String] {
        &self.0.accessibility
    }
    /// 联系电话
    async fn phone(&self) -> &str {
        &self.0.phone
    }
    /// 入口（旗舰店）
    async fn entry_url(&self) -> Option<&str> {
        self.0.entry_url.as_deref()
    }
    /// 状态
    async fn status(&self) -> EntryStatus {
        self.0.status.into()
    }
    /// 版本
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// 目录条目
#[derive(Union)]
pub enum CatalogEntry {
    /// 政策法规
    Policy(Policy),
    /// 服务事项
    ServiceItem(ServiceItem),
    /// 助残机构
    Institution(Institution),
    /// 阳光201 活动
    Activity(crate::activity::Activity),
    /// 就业岗位
    Job(crate::employment::Job),
}

impl From<catalog::Entry> for CatalogEntry {
    fn from(e: catalog::Entry) -> Self {
        match e {
            catalog::Entry::Policy(p) => Self::Policy(Policy(p)),
            catalog::Entry::ServiceItem(s) => Self::ServiceItem(ServiceItem(s)),
            catalog::Entry::Institution(i) => Self::Institution(Institution(i)),
            catalog::Entry::Activity(a) => Self::Activity(crate::activity::Activity(a)),
            catalog::Entry::Job(j) => Self::Job(crate::employment::Job(j)),
        }
    }
}

/// A range of characters in a text.
#[derive(SimpleObject, Clone)]
pub struct TextRange {
    /// First character (0-based, in Unicode scalar values).
    pub start: i32,
    /// One past the last character.
    pub end: i32,
}

/// 高亮文本 — text with the ranges that matched the query.
#[derive(SimpleObject, Clone)]
pub struct Highlighted {
    /// Plain text.
    pub text: String,
    /// Matched ranges.
    pub ranges: Vec<TextRange>,
    /// The text HTML-escaped with matches in `<em>`.
    pub html: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl From<dsearch::Snippet> for Highlighted {
    fn from(s: dsearch::Snippet) -> Self {
        let chars: Vec<char> = s.text.chars().collect();
        let mut html = String::new();
        let mut pos = 0;
        for r in &s.highlights {
            let (a, b) = (r.start.min(chars.len()), r.end.min(chars.len()));
            if a < pos {
                continue;
            }
            html.push_str(&escape(&chars[pos..a].iter().collect::<String>()));
            html.push_str("<em>");
            html.push_str(&escape(&chars[a..b].iter().collect::<String>()));
            html.push_str("</em>");
            pos = b;
        }
        html.push_str(&escape(
            &chars[pos.min(chars.len())..].iter().collect::<String>(),
        ));
        Self {
            ranges: s
                .highlights
                .iter()
                .map(|r| TextRange {
                    start: i32::try_from(r.start).unwrap_or(i32::MAX),
                    end: i32::try_from(r.end).unwrap_or(i32::MAX),
                })
                .collect(),
            text: s.text,
            html,
        }
    }
}

/// 搜索结果
pub struct SearchHit {
    pub(super) hit: dsearch::SearchHit,
    pub(super) entry: Option<CatalogEntry>,
}

#[Object]
impl SearchHit {
    /// 条目类型
    async fn kind(&self) -> CatalogKind {
        self.hit.kind.into()
    }
    /// 相关度
    async fn score(&self) -> f64 {
        f64::from(self.hit.score)
    }
    /// 标题（高亮）
    async fn title(&self) -> Highlighted {
        self.hit.title.clone().into()
    }
    /// 摘要（高亮）
    async fn snippet(&self) -> Highlighted {
        self.hit.body.clone().into()
    }
    /// 条目
    async fn entry(&self) -> Option<&CatalogEntry> {
        self.entry.as_ref()
    }
}

/// Total of a search.
#[derive(SimpleObject)]
pub struct SearchTotal {
    /// 命中总数
    pub total_count: i32,
}

/// 目录修订记录
pub struct CatalogRevision(pub catalog::Revision);

#[Object]
impl CatalogRevision {
    /// 版本
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 条目类型
    async fn kind(&self) -> CatalogKind {
        self.0.kind.into()
    }
    /// 保存时间
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// 该版本的完整内容（JSON）
    async fn snapshot(&self) -> &str {
        &self.0.snapshot
    }
}
