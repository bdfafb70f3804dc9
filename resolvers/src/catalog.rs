//! 阳光申办 catalog (R1, R2): policies, service items and institutions — public reads, fuzzy
//! search, and admin edits (city-wide by city admins, a district's by its admins), each audited,
//! versioned and re-indexed on every node.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};

use crate::scalars::Date;
use uuid::Uuid;
use zhucan_domain::audit::Actor;
use zhucan_domain::catalog::search::{self as dsearch, SearchPage};
use zhucan_domain::catalog::{
    self, CatalogRepo, CatalogScope, CatalogWriter, EntryKind, ServiceItemFilter as DomainFilter,
    json_list,
};
use zhucan_domain::eligibility::{self, rule};
use zhucan_domain::entities::{
    catalog_revision, eligibility_rule, institution, policy, service_item,
};
use zhucan_domain::events::DomainEvent;
use zhucan_domain::{DomainError, DomainResult, Platform};

use crate::context::ContextExt;
use crate::error::{GqlResultExt, platform_viewer};
use crate::person::inputs::parse_id;
use crate::person::mutation::audited;
use crate::region::{Region, region_of};

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
}

/// 政策法规
pub struct Policy(pub policy::Model);

#[Object]
impl Policy {
    async fn id(&self) -> ID {
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
        zhucan_domain::catalog::PolicyStatus::from_stored(&self.0.status).into()
    }
    /// 标签
    async fn tags(&self) -> Vec<String> {
        json_list(&self.0.tags)
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
pub struct EligibilityRule(pub eligibility_rule::Model);

#[Object]
impl EligibilityRule {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 版本号
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 状态
    async fn status(&self) -> RuleStatus {
        eligibility::RuleStatus::from_stored(&self.0.status).into()
    }
    /// 条件（全部满足才符合）
    async fn conditions(&self) -> Vec<RuleCondition> {
        rule::parse_stored(&self.0.conditions)
            .unwrap_or_default()
            .into_iter()
            .map(|c| RuleCondition {
                label: c.label,
                expression: c.expression,
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
pub struct ServiceItem(pub service_item::Model);

#[Object]
impl ServiceItem {
    async fn id(&self) -> ID {
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
        zhucan_domain::catalog::BusinessLine::from_stored(&self.0.business_line).into()
    }
    /// 事项说明
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// 申请材料
    async fn materials(&self) -> Vec<String> {
        json_list(&self.0.materials)
    }
    /// 办理时限（工作日）
    async fn time_limit_days(&self) -> i32 {
        self.0.time_limit_days
    }
    /// 办理渠道
    async fn channel(&self) -> Channel {
        zhucan_domain::catalog::Channel::from_stored(&self.0.channel).into()
    }
    /// 线上办理入口
    async fn online_url(&self) -> Option<&str> {
        self.0.online_url.as_deref()
    }
    /// 线下办理点
    async fn offline_points(&self) -> Vec<String> {
        json_list(&self.0.offline_points)
    }
    /// 依据政策
    async fn policies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Policy>> {
        let keys = json_list(&self.0.policy_keys);
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let rows = CatalogRepo::new(&ctx.platform().db)
            .policies_by_key(&keys)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(Policy).collect())
    }
    /// 标签
    async fn tags(&self) -> Vec<String> {
        json_list(&self.0.tags)
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
        zhucan_domain::catalog::EntryStatus::from_stored(&self.0.status).into()
    }
    /// 现行适用条件版本（0 = 未设置）
    async fn rule_version(&self) -> i32 {
        self.0.rule_version
    }
    /// 现行适用条件
    async fn rule(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EligibilityRule>> {
        if self.0.rule_version == 0 {
            return Ok(None);
        }
        let versions = eligibility::rule_versions(&ctx.platform().db, self.0.id)
            .await
            .gql(ctx)?;
        Ok(versions
            .into_iter()
            .find(|r| r.version == self.0.rule_version)
            .map(EligibilityRule))
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
pub struct Institution(pub institution::Model);

#[Object]
impl Institution {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 机构名称
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 机构类型
    async fn kind(&self) -> InstitutionKind {
        zhucan_domain::catalog::InstitutionKind::from_stored(&self.0.kind).into()
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
    async fn services(&self) -> Vec<String> {
        json_list(&self.0.services)
    }
    /// 开放时间
    async fn opening_hours(&self) -> &str {
        &self.0.opening_hours
    }
    /// 无障碍设施
    async fn accessibility(&self) -> Vec<String> {
        json_list(&self.0.accessibility)
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
        zhucan_domain::catalog::EntryStatus::from_stored(&self.0.status).into()
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
    hit: dsearch::SearchHit,
    entry: Option<CatalogEntry>,
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

async fn entries_of(p: &Platform, page: &SearchPage) -> DomainResult<Vec<Option<CatalogEntry>>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let ids = |k: EntryKind| -> Vec<Uuid> {
        page.hits
            .iter()
            .filter(|h| h.kind == k)
            .map(|h| h.id)
            .collect()
    };
    let conn = p.db.conn();
    let policies = policy::Entity::find()
        .filter(policy::Column::Id.is_in(ids(EntryKind::Policy)))
        .all(conn)
        .await?;
    let items = service_item::Entity::find()
        .filter(service_item::Column::Id.is_in(ids(EntryKind::ServiceItem)))
        .all(conn)
        .await?;
    let insts = institution::Entity::find()
        .filter(institution::Column::Id.is_in(ids(EntryKind::Institution)))
        .all(conn)
        .await?;
    Ok(page
        .hits
        .iter()
        .map(|h| match h.kind {
            EntryKind::Policy => policies
                .iter()
                .find(|r| r.id == h.id)
                .map(|r| CatalogEntry::Policy(Policy(r.clone()))),
            EntryKind::ServiceItem => items
                .iter()
                .find(|r| r.id == h.id)
                .map(|r| CatalogEntry::ServiceItem(ServiceItem(r.clone()))),
            EntryKind::Institution => insts
                .iter()
                .find(|r| r.id == h.id)
                .map(|r| CatalogEntry::Institution(Institution(r.clone()))),
        })
        .collect())
}

/// 目录修订记录
pub struct CatalogRevision(catalog_revision::Model);

#[Object]
impl CatalogRevision {
    /// 版本
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 条目类型
    async fn kind(&self) -> CatalogKind {
        EntryKind::from_stored(&self.0.entity_kind).into()
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

/// 服务事项查询条件
#[derive(InputObject, Default)]
pub struct ServiceItemFilter {
    /// 业务条线
    pub business_line: Option<BusinessLine>,
    /// 办理渠道
    pub channel: Option<Channel>,
    /// 全市事项加上该区的事项
    pub district_code: Option<String>,
}

/// 目录查询 (public: no sign-in needed).
#[derive(Default)]
pub struct CatalogQuery;

fn district_arg(p: &Platform, code: Option<&str>) -> DomainResult<Option<String>> {
    code.map(|c| {
        p.regions
            .parse_existing(
                "districtCode",
                c,
                zhucan_domain::types::RegionLevel::District,
            )
            .map(|r| r.as_str().to_owned())
    })
    .transpose()
}

#[Object]
impl CatalogQuery {
    /// 模糊搜索 — policies, service items and institutions by Chinese text, partial words,
    /// pinyin or initials (`cjrz` → 残疾人证), tolerating a typo; best first.
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        kinds: Option<Vec<CatalogKind>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, SearchHit, SearchTotal>> {
        let p = ctx.platform();
        let first = usize::try_from(first.unwrap_or(10))
            .map_err(|_| DomainError::bad_input("first", "不能为负数"))
            .gql(ctx)?;
        if first > dsearch::MAX_HITS {
            return Err(DomainError::bad_input(
                "first",
                format!("每页最多{}条", dsearch::MAX_HITS),
            ))
            .gql(ctx);
        }
        let offset = match after {
            None => 0,
            Some(c) => c
                .parse::<usize>()
                .ok()
                .filter(|o| *o < 10_000)
                .ok_or_else(|| DomainError::bad_input("after", "游标无效"))
                .gql(ctx)?,
        };
        let kinds: Vec<EntryKind> = kinds
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let page = p.search.search(&query, &kinds, first, offset).gql(ctx)?;
        let entries = entries_of(p, &page).await.gql(ctx)?;
        let total = page.total;
        let n = page.hits.len();
        let mut conn = Connection::with_additional_fields(
            offset > 0,
            offset + n < total,
            SearchTotal {
                total_count: i32::try_from(total).unwrap_or(i32::MAX),
            },
        );
        conn.edges
            .extend(
                page.hits
                    .into_iter()
                    .zip(entries)
                    .enumerate()
                    .map(|(i, (hit, entry))| {
                        Edge::new((offset + i + 1).to_string(), SearchHit { hit, entry })
                    }),
            );
        Ok(conn)
    }

    /// 政策法规 — city-wide ones, plus one district's when given; newest first.
    async fn policies(
        &self,
        ctx: &Context<'_>,
        district_code: Option<String>,
    ) -> async_graphql::Result<Vec<Policy>> {
        let p = ctx.platform();
        let d = district_arg(p, district_code.as_deref()).gql(ctx)?;
        let rows = CatalogRepo::new(&p.db)
            .policies(d.as_deref())
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(Policy).collect())
    }

    /// 政策法规详情
    async fn policy(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Policy> {
        let id = parse_id("id", &id).gql(ctx)?;
        let row = CatalogRepo::new(&ctx.platform().db)
            .policy(id)
            .await
            .gql(ctx)?;
        Ok(Policy(row))
    }

    /// 服务事项
    async fn service_items(
        &self,
        ctx: &Context<'_>,
        filter: Option<ServiceItemFilter>,
    ) -> async_graphql::Result<Vec<ServiceItem>> {
        let p = ctx.platform();
        let f = filter.unwrap_or_default();
        let filter = DomainFilter {
            business_line: f.business_line.map(Into::into),
            channel: f.channel.map(Into::into),
            district: district_arg(p, f.district_code.as_deref()).gql(ctx)?,
            include_withdrawn: false,
        };
        let rows = CatalogRepo::new(&p.db)
            .service_items(&filter)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(ServiceItem).collect())
    }

    /// 服务事项详情
    async fn service_item(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ServiceItem> {
        let id = parse_id("id", &id).gql(ctx)?;
        let row = CatalogRepo::new(&ctx.platform().db)
            .service_item(id)
            .await
            .gql(ctx)?;
        Ok(ServiceItem(row))
    }

    /// 助残机构 — optionally one district's, one kind.
    async fn institutions(
        &self,
        ctx: &Context<'_>,
        district_code: Option<String>,
        kind: Option<InstitutionKind>,
    ) -> async_graphql::Result<Vec<Institution>> {
        let p = ctx.platform();
        let d = district_arg(p, district_code.as_deref()).gql(ctx)?;
        let rows = CatalogRepo::new(&p.db)
            .institutions(d.as_deref(), kind.map(Into::into))
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(Institution).collect())
    }

    /// 助残机构详情
    async fn institution(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Institution> {
        let id = parse_id("id", &id).gql(ctx)?;
        let row = CatalogRepo::new(&ctx.platform().db)
            .institution(id)
            .await
            .gql(ctx)?;
        Ok(Institution(row))
    }

    /// 目录修订记录 — every saved version of an entry (catalog managers only).
    async fn catalog_revisions(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Vec<CatalogRevision>> {
        let (p, viewer) = platform_viewer(ctx)?;
        CatalogScope::of(viewer).gql(ctx)?;
        let id = parse_id("id", &id).gql(ctx)?;
        let rows = CatalogWriter::revisions(&p.db, id).await.gql(ctx)?;
        Ok(rows.into_iter().map(CatalogRevision).collect())
    }
}

/// 政策法规（录入）
#[derive(InputObject)]
pub struct PolicyInput {
    /// 编码（大写字母、数字、下划线）
    pub key: String,
    /// 标题
    pub title: String,
    /// 发文机关
    pub issuer: String,
    /// 文号
    pub document_number: Option<String>,
    /// 发布日期
    pub issued_on: Date,
    /// 施行日期
    pub effective_from: Date,
    /// 失效日期
    pub effective_until: Option<Date>,
    /// 状态（默认现行有效）
    pub status: Option<PolicyStatus>,
    /// 标签
    #[graphql(default)]
    pub tags: Vec<String>,
    /// 全文
    pub full_text: String,
    /// 所属区（不填为全市）
    pub district_code: Option<String>,
}

impl PolicyInput {
    fn to_domain(&self) -> catalog::PolicyInput {
        catalog::PolicyInput {
            key: self.key.clone(),
            title: self.title.clone(),
            issuer: self.issuer.clone(),
            document_number: self.document_number.clone(),
            issued_on: self.issued_on.into(),
            effective_from: self.effective_from.into(),
            effective_until: self.effective_until.map(Into::into),
            status: self.status.map(Into::into).unwrap_or_default(),
            tags: self.tags.clone(),
            full_text: self.full_text.clone(),
            district_code: self.district_code.clone(),
        }
    }
}

/// 服务事项（录入）
#[derive(InputObject)]
pub struct ServiceItemInput {
    /// 编码（大写字母、数字、下划线）
    pub key: String,
    /// 事项名称
    pub name: String,
    /// 业务条线
    pub business_line: BusinessLine,
    /// 事项说明
    pub description: String,
    /// 申请材料
    #[graphql(default)]
    pub materials: Vec<String>,
    /// 办理时限（工作日）
    pub time_limit_days: i32,
    /// 办理渠道
    pub channel: Channel,
    /// 线上办理入口（https:// 或站内路径）
    pub online_url: Option<String>,
    /// 线下办理点
    #[graphql(default)]
    pub offline_points: Vec<String>,
    /// 依据政策编码
    #[graphql(default)]
    pub policy_keys: Vec<String>,
    /// 标签
    #[graphql(default)]
    pub tags: Vec<String>,
    /// 所属区（不填为全市）
    pub district_code: Option<String>,
    /// 状态（默认在办）
    pub status: Option<EntryStatus>,
}

impl ServiceItemInput {
    fn to_domain(&self) -> catalog::ServiceItemInput {
        catalog::ServiceItemInput {
            key: self.key.clone(),
            name: self.name.clone(),
            business_line: self.business_line.into(),
            description: self.description.clone(),
            materials: self.materials.clone(),
            time_limit_days: self.time_limit_days,
            channel: self.channel.into(),
            online_url: self.online_url.clone(),
            offline_points: self.offline_points.clone(),
            policy_keys: self.policy_keys.clone(),
            tags: self.tags.clone(),
            district_code: self.district_code.clone(),
            status: self.status.map(Into::into).unwrap_or_default(),
        }
    }
}

/// 助残机构（录入）
#[derive(InputObject)]
pub struct InstitutionInput {
    /// 机构名称
    pub name: String,
    /// 机构类型
    pub kind: InstitutionKind,
    /// 所在区
    pub district_code: String,
    /// 所在街镇
    pub street_code: Option<String>,
    /// 地址
    pub address: String,
    /// 纬度 (WGS-84)
    pub latitude: f64,
    /// 经度 (WGS-84)
    pub longitude: f64,
    /// 服务内容
    #[graphql(default)]
    pub services: Vec<String>,
    /// 开放时间
    pub opening_hours: String,
    /// 无障碍设施
    #[graphql(default)]
    pub accessibility: Vec<String>,
    /// 联系电话
    pub phone: String,
    /// 入口（旗舰店）
    pub entry_url: Option<String>,
    /// 状态（默认开放）
    pub status: Option<EntryStatus>,
}

impl InstitutionInput {
    fn to_domain(&self) -> catalog::InstitutionInput {
        catalog::InstitutionInput {
            name: self.name.clone(),
            kind: self.kind.into(),
            district_code: self.district_code.clone(),
            street_code: self.street_code.clone(),
            address: self.address.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            services: self.services.clone(),
            opening_hours: self.opening_hours.clone(),
            accessibility: self.accessibility.clone(),
            phone: self.phone.clone(),
            entry_url: self.entry_url.clone(),
            status: self.status.map(Into::into).unwrap_or_default(),
        }
    }
}

/// Re-index an entry on this node at once (read-your-writes) and on every other node through
/// the bus.
async fn reindex(p: &Platform, kind: EntryKind, id: Uuid) {
    if let Err(e) = p.search.refresh(&p.db, kind, id).await {
        tracing::error!(error = %e, entry = %id, "could not re-index a catalog entry");
    }
    p.bus.publish(DomainEvent::CatalogChanged {
        kind: kind.as_str().to_owned(),
        id,
    });
}

/// The platform, catalog scope and actor of a catalog editor, or `FORBIDDEN`.
fn editor<'a>(ctx: &'a Context<'_>) -> DomainResult<(&'a Platform, CatalogScope, Actor)> {
    let viewer = ctx.viewer()?;
    Ok((
        ctx.platform(),
        CatalogScope::of(viewer)?,
        Actor::of(viewer, &ctx.request().meta),
    ))
}

fn writer<'a>(p: &'a Platform, scope: &'a CatalogScope, actor: &'a Actor) -> CatalogWriter<'a> {
    CatalogWriter {
        db: &p.db,
        audit_key: p.audit_key(),
        regions: &p.regions,
        actor,
        scope,
    }
}

fn optional_id(field: &str, id: Option<&ID>) -> DomainResult<Option<Uuid>> {
    id.map(|i| parse_id(field, i)).transpose()
}

/// 目录维护 (city and district admins).
#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// 保存政策法规 — create (no `id`) or replace the version you read (`id` + `expectedVersion`).
    async fn save_policy(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        expected_version: Option<i32>,
        input: PolicyInput,
    ) -> async_graphql::Result<Policy> {
        let target = id.as_ref().map(|i| i.to_string()).unwrap_or_default();
        audited(ctx, "catalog.policy.save", "policy", target, async {
            let (p, scope, actor) = editor(ctx)?;
            let row = writer(p, &scope, &actor)
                .save_policy(
                    optional_id("id", id.as_ref())?,
                    expected_version,
                    &input.to_domain(),
                )
                .await?;
            reindex(p, EntryKind::Policy, row.id).await;
            Ok(Policy(row))
        })
        .await
    }

    /// 保存服务事项 — create (no `id`) or replace the version you read.
    async fn save_service_item(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        expected_version: Option<i32>,
        input: ServiceItemInput,
    ) -> async_graphql::Result<ServiceItem> {
        let target = id.as_ref().map(|i| i.to_string()).unwrap_or_default();
        audited(
            ctx,
            "catalog.service_item.save",
            "service_item",
            target,
            async {
                let (p, scope, actor) = editor(ctx)?;
                let row = writer(p, &scope, &actor)
                    .save_service_item(
                        optional_id("id", id.as_ref())?,
                        expected_version,
                        &input.to_domain(),
                    )
                    .await?;
                reindex(p, EntryKind::ServiceItem, row.id).await;
                Ok(ServiceItem(row))
            },
        )
        .await
    }

    /// 保存助残机构 — create (no `id`) or replace the version you read.
    async fn save_institution(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        expected_version: Option<i32>,
        input: InstitutionInput,
    ) -> async_graphql::Result<Institution> {
        let target = id.as_ref().map(|i| i.to_string()).unwrap_or_default();
        audited(
            ctx,
            "catalog.institution.save",
            "institution",
            target,
            async {
                let (p, scope, actor) = editor(ctx)?;
                let row = writer(p, &scope, &actor)
                    .save_institution(
                        optional_id("id", id.as_ref())?,
                        expected_version,
                        &input.to_domain(),
                    )
                    .await?;
                reindex(p, EntryKind::Institution, row.id).await;
                Ok(Institution(row))
            },
        )
        .await
    }
}
