//! GraphQL types of eligibility: explained matches, dry runs, grant jobs, facts.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::eligibility;

use crate::catalog::{EligibilityRule, ServiceItem};
use crate::records::service_item;
use crate::region::{Region, region_of};

/// 条件判断结果
#[derive(SimpleObject, Clone)]
pub struct ConditionResult {
    /// 条件说明
    pub label: String,
    /// CEL 表达式
    pub expression: String,
    /// 是否满足
    pub held: bool,
    /// 判断所依据的事实（如 `level = 3`）
    pub facts: Vec<String>,
    /// 一句话说明（如“不满足：一级或二级残疾（level = 3）”）
    pub explanation: String,
}

/// 服务匹配结果 — one service, whether the person qualifies, and why.
#[derive(SimpleObject)]
pub struct ServiceMatch {
    /// 服务事项
    pub service: ServiceItem,
    /// 是否符合
    pub eligible: bool,
    /// 是否已自动享受（免申即享）
    pub granted: bool,
    /// 所依据的适用条件版本
    pub rule_version: i32,
    /// 每条条件的判断
    pub conditions: Vec<ConditionResult>,
    /// 不满足的条件（空 = 符合）
    pub failed_reasons: Vec<String>,
}

impl From<eligibility::Match> for ServiceMatch {
    fn from(m: eligibility::Match) -> Self {
        let conditions: Vec<ConditionResult> = m
            .verdict
            .conditions
            .into_iter()
            .map(|c| {
                let facts = c.facts.join("，");
                let explanation = format!(
                    "{}：{}{}",
                    if c.held { "满足" } else { "不满足" },
                    c.label,
                    if facts.is_empty() {
                        String::new()
                    } else {
                        format!("（{facts}）")
                    }
                );
                ConditionResult {
                    label: c.label,
                    expression: c.expression,
                    held: c.held,
                    facts: c.facts,
                    explanation,
                }
            })
            .collect();
        Self {
            failed_reasons: conditions
                .iter()
                .filter(|c| !c.held)
                .map(|c| c.explanation.clone())
                .collect(),
            service: ServiceItem(m.item),
            eligible: m.verdict.eligible,
            granted: m.granted,
            rule_version: m.rule_version,
            conditions,
        }
    }
}

/// 试算（分区）
#[derive(SimpleObject)]
pub struct DistrictImpact {
    /// 区
    pub district: Option<Region>,
    /// 新版本下符合
    pub eligible: u64,
    /// 新增享受
    pub newly_eligible: u64,
    /// 将失去
    pub losing: u64,
}

/// 发布前试算 — what publishing a rule version would change.
#[derive(SimpleObject)]
pub struct DryRun {
    /// 参与评估人数
    pub evaluated: u64,
    /// 新版本下符合
    pub eligible: u64,
    /// 新增享受
    pub newly_eligible: u64,
    /// 将失去
    pub losing: u64,
    /// 新版本对所有人都成立（通常是条件写错了）
    pub admits_everyone: bool,
    /// 分区
    pub by_district: Vec<DistrictImpact>,
}

/// 发放任务状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::eligibility::JobStatus")]
pub enum JobStatus {
    /// 运行中
    Running,
    /// 已完成
    Done,
    /// 已中断（可重新运行）
    Failed,
}

/// 免申即享发放任务
pub struct GrantJob(pub eligibility::GrantJob);

#[Object]
impl GrantJob {
    /// 全局唯一标识（UUID），可用 `node(id)` 重新获取
    pub async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 服务事项
    async fn service(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ServiceItem>> {
        service_item(ctx, self.0.service_item_id).await
    }
    /// 适用条件版本
    async fn rule_version(&self) -> i32 {
        self.0.rule_version
    }
    /// 状态
    async fn status(&self) -> JobStatus {
        self.0.status.into()
    }
    /// 已评估人数
    async fn evaluated(&self) -> i32 {
        self.0.evaluated
    }
    /// 新发放
    async fn granted(&self) -> i32 {
        self.0.granted
    }
    /// 停止享受
    async fn revoked(&self) -> i32 {
        self.0.revoked
    }
    /// 中断原因
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// 开始时间
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }
    /// 结束时间
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

/// 发布结果
#[derive(SimpleObject)]
pub struct PublishResult {
    /// 已发布的版本
    pub rule: EligibilityRule,
    /// 免申即享事项的发放任务（在后台运行，用 `grantJob` 查询进度）
    pub job: Option<GrantJob>,
}

/// 事实说明 — a fact rules may read.
#[derive(SimpleObject)]
pub struct FactDescription {
    /// 名称（在表达式中使用）
    pub name: String,
    /// 类型：int / string / bool / list<string>
    pub r#type: String,
    /// 说明
    pub description: String,
}

impl DryRun {
    /// The domain's dry run, districts named.
    pub(crate) fn of(ctx: &Context<'_>, run: eligibility::DryRun) -> Self {
        Self {
            evaluated: run.evaluated,
            eligible: run.eligible,
            newly_eligible: run.newly_eligible,
            losing: run.losing,
            admits_everyone: run.admits_everyone,
            by_district: run
                .by_district
                .into_iter()
                .map(|d| DistrictImpact {
                    district: region_of(ctx, &d.district),
                    eligible: d.eligible,
                    newly_eligible: d.newly_eligible,
                    losing: d.losing,
                })
                .collect(),
        }
    }
}
