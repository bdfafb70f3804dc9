//! 自定义分析 (R61–R63): `analysis`, `exportAnalysis`, `saveAnalysis`, `savedAnalyses`.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::analysis::{self as domain, AnalysisService};
use zhucan_domain::types::Fen;

use crate::catalog::BusinessLine;
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::person::types::{Employment, HouseholdStatus, Sex};
use crate::support::optional_id;

/// 分析对象
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::analysis::AnalysisSubject")]
pub enum AnalysisSubject {
    /// 持证残疾人（在册）
    People,
    /// 服务授予
    Grants,
    /// 服务申请
    Applications,
    /// 政策找人任务
    OutreachTasks,
    /// 云助残需求
    GuidanceRequests,
    /// 活动报名
    ActivityRegistrations,
    /// 补贴发放明细
    Subsidies,
}

/// 分析维度
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::analysis::AnalysisDimension")]
pub enum AnalysisDimension {
    /// 区
    District,
    /// 街镇
    Street,
    /// 残疾类别
    Category,
    /// 残疾等级
    Level,
    /// 年龄段（0-17、18-44、45-59、60+）
    AgeBand,
    /// 性别
    Sex,
    /// 家庭经济状况
    HouseholdStatus,
    /// 就业状况
    Employment,
    /// 业务条线（服务授予、服务申请）
    BusinessLine,
    /// 月份
    Month,
    /// 儿童年龄段（0-6 学前、7-15 义务教育、16-17）
    ChildAgeBand,
    /// 是否一户多残
    MultiDisabledHousehold,
}

/// 分析指标
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::analysis::AnalysisMeasure")]
pub enum AnalysisMeasure {
    /// 记录数
    Count,
    /// 人数（去重）
    People,
    /// 金额合计（补贴发放明细）
    Sum,
    /// 占合计的比例（0–1）
    Rate,
}

/// 分析筛选条件
#[derive(InputObject, Default)]
pub struct AnalysisFilterInput {
    /// 范围内的区或街镇（缺省为本人管辖范围）
    pub region_code: Option<String>,
    /// 残疾类别 1–7
    #[graphql(default)]
    pub categories: Vec<i32>,
    /// 残疾等级 1–4
    #[graphql(default)]
    pub levels: Vec<i32>,
    /// 最小年龄（含）
    pub age_from: Option<u32>,
    /// 最大年龄（含）
    pub age_to: Option<u32>,
    /// 性别
    pub sex: Option<Sex>,
    /// 家庭经济状况
    #[graphql(default)]
    pub household_statuses: Vec<HouseholdStatus>,
    /// 就业状况
    #[graphql(default)]
    pub employments: Vec<Employment>,
    /// 业务条线（服务授予、服务申请）
    #[graphql(default)]
    pub business_lines: Vec<BusinessLine>,
    /// 起始月份 YYYY-MM
    pub from_month: Option<String>,
    /// 结束月份 YYYY-MM（不超过起始月份后5年）
    pub to_month: Option<String>,
}

/// 自定义分析
#[derive(InputObject)]
pub struct AnalysisInput {
    /// 分析对象
    pub subject: AnalysisSubject,
    /// 指标（缺省为记录数）
    #[graphql(default)]
    pub measures: Vec<AnalysisMeasure>,
    /// 维度，最多3个
    #[graphql(default)]
    pub dimensions: Vec<AnalysisDimension>,
    /// 筛选
    #[graphql(default)]
    pub filter: AnalysisFilterInput,
}

impl AnalysisInput {
    fn domain(&self) -> domain::AnalysisInput {
        let f = &self.filter;
        domain::AnalysisInput {
            subject: domain::AnalysisSubject::from(self.subject)
                .as_str()
                .to_owned(),
            measures: self
                .measures
                .iter()
                .map(|m| domain::AnalysisMeasure::from(*m).as_str().to_owned())
                .collect(),
            dimensions: self
                .dimensions
                .iter()
                .map(|d| domain::AnalysisDimension::from(*d).as_str().to_owned())
                .collect(),
            filter: domain::AnalysisFilter {
                region_code: f.region_code.clone(),
                categories: f.categories.clone(),
                levels: f.levels.clone(),
                age_from: f.age_from,
                age_to: f.age_to,
                sex: f
                    .sex
                    .map(|s| zhucan_domain::types::Sex::from(s).as_str().to_owned()),
                household_statuses: f
                    .household_statuses
                    .iter()
                    .map(|h| {
                        zhucan_domain::person::HouseholdStatus::from(*h)
                            .as_str()
                            .to_owned()
                    })
                    .collect(),
                employments: f
                    .employments
                    .iter()
                    .map(|e| {
                        zhucan_domain::person::Employment::from(*e)
                            .as_str()
                            .to_owned()
                    })
                    .collect(),
                business_lines: f
                    .business_lines
                    .iter()
                    .map(|b| {
                        zhucan_domain::catalog::BusinessLine::from(*b)
                            .as_str()
                            .to_owned()
                    })
                    .collect(),
                from_month: f.from_month.clone(),
                to_month: f.to_month.clone(),
            },
        }
    }
}

/// 维度取值
#[derive(SimpleObject)]
pub struct AnalysisKey {
    /// 维度
    dimension: AnalysisDimension,
    /// 代码
    code: String,
    /// 名称
    label: String,
}

/// 指标值
#[derive(SimpleObject)]
pub struct AnalysisValue {
    /// 指标
    measure: AnalysisMeasure,
    /// 数值（被抑制时为空）
    value: Option<f64>,
    /// 展示文本：被抑制的小数值显示为“<5”；金额为元
    text: String,
}

/// 分析单元格
#[derive(SimpleObject)]
pub struct AnalysisCell {
    /// 各维度取值（合计行为空）
    keys: Vec<AnalysisKey>,
    /// 各指标
    values: Vec<AnalysisValue>,
    /// 是否因小数值保护被隐藏
    suppressed: bool,
}

/// 分析结果
pub struct Analysis(domain::Analysis);

impl Analysis {
    fn cell(&self, c: &domain::AnalysisCell) -> AnalysisCell {
        let keys = self
            .0
            .dimensions
            .iter()
            .zip(&c.keys)
            .map(|(d, (code, label))| AnalysisKey {
                dimension: (*d).into(),
                code: code.clone(),
                label: label.clone(),
            })
            .collect();
        let values = self
            .0
            .measures
            .iter()
            .map(|m| {
                #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                let (value, text) = match m {
                    _ if c.suppressed => (None, "<5".to_owned()),
                    domain::AnalysisMeasure::Count => (Some(c.count as f64), c.count.to_string()),
                    domain::AnalysisMeasure::People => {
                        (Some(c.people as f64), c.people.to_string())
                    }
                    domain::AnalysisMeasure::Sum => {
                        (Some(c.sum_fen as f64 / 100.0), Fen::yuan_text(c.sum_fen))
                    }
                    domain::AnalysisMeasure::Rate => match self.0.rate(c) {
                        Some(r) => (Some(r), format!("{:.1}%", r * 100.0)),
                        None => (None, "—".to_owned()),
                    },
                };
                AnalysisValue {
                    measure: (*m).into(),
                    value,
                    text,
                }
            })
            .collect();
        AnalysisCell {
            keys,
            values,
            suppressed: c.suppressed,
        }
    }
}

#[Object]
impl Analysis {
    /// 分析对象
    async fn subject(&self) -> AnalysisSubject {
        self.0.subject.into()
    }
    /// 分析范围（区划代码）
    async fn region_code(&self) -> &str {
        &self.0.region_code
    }
    /// 维度
    async fn dimensions(&self) -> Vec<AnalysisDimension> {
        self.0.dimensions.iter().map(|d| (*d).into()).collect()
    }
    /// 是否做了小数值保护（市级以下及一切导出）
    async fn suppression(&self) -> bool {
        self.0.suppression
    }
    /// 单元格（仅非空）
    async fn cells(&self) -> Vec<AnalysisCell> {
        self.0.cells.iter().map(|c| self.cell(c)).collect()
    }
    /// 合计
    async fn total(&self) -> AnalysisCell {
        self.cell(&self.0.total)
    }
}

/// 导出的分析
#[derive(SimpleObject)]
pub struct AnalysisExport {
    /// 文件名
    file_name: String,
    /// 内容类型
    content_type: String,
    /// XLSX 内容（Base64）
    content_base64: String,
    /// 单元格数
    cells: u64,
}

/// 已保存的分析
pub struct SavedAnalysis(domain::SavedAnalysis);

#[Object]
impl SavedAnalysis {
    /// 编号
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 名称
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 是否共享给本辖区
    async fn shared(&self) -> bool {
        self.0.shared
    }
    /// 所属辖区
    async fn scope_code(&self) -> &str {
        &self.0.scope_code
    }
    /// 是否本人保存
    async fn mine(&self) -> bool {
        self.0.mine
    }
    /// 保存时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// 分析对象
    async fn subject(&self) -> Option<AnalysisSubject> {
        domain::AnalysisSubject::parse("subject", &self.0.input.subject)
            .ok()
            .map(Into::into)
    }
    /// 以查看者本人的管辖范围运行该分析
    async fn run(&self, ctx: &Context<'_>) -> async_graphql::Result<Analysis> {
        let a = ctx
            .service::<AnalysisService>()
            .analyse(&self.0.input)
            .await
            .gql(ctx)?;
        Ok(Analysis(a))
    }
}

/// 残疾儿童专题（0–17 岁）
pub struct ChildrenTopic(domain::ChildrenTopic);

#[Object]
impl ChildrenTopic {
    /// 按年龄段（学前、义务教育、高中阶段）
    async fn by_age_band(&self) -> Analysis {
        Analysis(self.0.by_age_band.clone())
    }
    /// 按残疾类别
    async fn by_category(&self) -> Analysis {
        Analysis(self.0.by_category.clone())
    }
    /// 获得康复类服务（阳光宝宝卡等）的儿童，按年龄段
    async fn rehabilitation(&self) -> Analysis {
        Analysis(self.0.rehabilitation.clone())
    }
    /// 就学情况（档案所载：在校 STUDENT）
    async fn schooling(&self) -> Analysis {
        Analysis(self.0.schooling.clone())
    }
    /// 一户多残
    async fn multi_disabled_households(&self) -> Analysis {
        Analysis(self.0.multi_disabled_households.clone())
    }
}

/// 重度残疾人（一、二级，16–59 岁）未就业专题
pub struct SevereUnemployedTopic(domain::SevereUnemployedTopic);

#[Object]
impl SevereUnemployedTopic {
    /// 按区（市级）或街镇
    async fn by_area(&self) -> Analysis {
        Analysis(self.0.by_area.clone())
    }
    /// 按残疾类别
    async fn by_category(&self) -> Analysis {
        Analysis(self.0.by_category.clone())
    }
    /// 按年龄段
    async fn by_age_band(&self) -> Analysis {
        Analysis(self.0.by_age_band.clone())
    }
    /// 已享受的服务（按业务条线，人数）
    async fn services(&self) -> Analysis {
        Analysis(self.0.services.clone())
    }
    /// 近12个月按建档月份
    async fn trend(&self) -> Analysis {
        Analysis(self.0.trend.clone())
    }
    /// 跟进名单的查询条件：以此调用 `persons(filter: …)` 得到本辖区、按字段策略脱敏的名单
    async fn work_list_filter(&self) -> &'static str {
        "{maxLevel: 2, minAge: 16, maxAge: 59, employment: UNEMPLOYED, status: ACTIVE}"
    }
}

/// 地图层级
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::analysis::MapLevel")]
pub enum MapLevel {
    /// 按区（含区界，geoBoundaries / OpenStreetMap，ODbL 1.0）
    District,
    /// 按街镇（无开放边界数据：geometry 为 null）
    Street,
}

/// Queries.
#[derive(Default)]
pub struct AnalysisQuery;

#[Object]
impl AnalysisQuery {
    /// 自定义分析 — within your scope; below city level a cell of 1–4 people shows as "<5", with
    /// complementary suppression.
    async fn analysis(
        &self,
        ctx: &Context<'_>,
        input: AnalysisInput,
    ) -> async_graphql::Result<Analysis> {
        let a = ctx
            .service::<AnalysisService>()
            .analyse(&input.domain())
            .await
            .gql(ctx)?;
        Ok(Analysis(a))
    }

    /// 业务地图 — a GeoJSON FeatureCollection (RFC 7946): one feature per district (with its
    /// boundary) or street-town (no open geometry: `null`) of the region, the business line's
    /// indicators in `properties.indicators`; credit `attribution` on any map drawn from it.
    /// `level` is `DISTRICT` when absent; a street-town's map is always at street level.
    async fn business_map(
        &self,
        ctx: &Context<'_>,
        line: BusinessLine,
        level: Option<MapLevel>,
        region_code: Option<String>,
    ) -> async_graphql::Result<async_graphql::Json<serde_json::Value>> {
        let level = level.unwrap_or(MapLevel::District);
        let map = ctx
            .service::<AnalysisService>()
            .business_map(line.into(), level.into(), region_code.as_deref())
            .await
            .gql(ctx)?;
        Ok(async_graphql::Json(map))
    }

    /// 残疾儿童专题（R65）
    async fn children_topic(
        &self,
        ctx: &Context<'_>,
        region_code: Option<String>,
    ) -> async_graphql::Result<ChildrenTopic> {
        let t = ctx
            .service::<AnalysisService>()
            .children_topic(region_code.as_deref())
            .await
            .gql(ctx)?;
        Ok(ChildrenTopic(t))
    }

    /// 重度残疾人未就业专题（R66）
    async fn severe_unemployed_topic(
        &self,
        ctx: &Context<'_>,
        region_code: Option<String>,
    ) -> async_graphql::Result<SevereUnemployedTopic> {
        let t = ctx
            .service::<AnalysisService>()
            .severe_unemployed_topic(region_code.as_deref())
            .await
            .gql(ctx)?;
        Ok(SevereUnemployedTopic(t))
    }

    /// 我的及本辖区共享的分析
    async fn saved_analyses(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SavedAnalysis>> {
        let list = ctx.service::<AnalysisService>().saved().await.gql(ctx)?;
        Ok(list.into_iter().map(SavedAnalysis).collect())
    }
}

/// Mutations.
#[derive(Default)]
pub struct AnalysisMutation;

#[Object]
impl AnalysisMutation {
    /// 保存分析（带 id 为修改本人保存的分析）；shared 为 true 时本辖区管理员可见
    async fn save_analysis(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        name: String,
        input: AnalysisInput,
        #[graphql(default)] shared: bool,
    ) -> async_graphql::Result<SavedAnalysis> {
        let id = optional_id("id", id.as_ref()).gql(ctx)?;
        let s = ctx
            .service::<AnalysisService>()
            .save(id, &name, input.domain(), shared)
            .await
            .gql(ctx)?;
        Ok(SavedAnalysis(s))
    }

    /// 导出分析为 XLSX（一律做小数值保护，记入审计）
    async fn export_analysis(
        &self,
        ctx: &Context<'_>,
        input: AnalysisInput,
    ) -> async_graphql::Result<AnalysisExport> {
        use base64::Engine as _;
        let (a, bytes) = ctx
            .service::<AnalysisService>()
            .export(&input.domain())
            .await
            .gql(ctx)?;
        Ok(AnalysisExport {
            file_name: format!(
                "analysis-{}-{}.xlsx",
                a.subject.as_str().to_lowercase(),
                a.region_code
            ),
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                .to_owned(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
            cells: a.cells.len() as u64,
        })
    }
}
