//! Eligibility (R3, R5): rule versions, explained matching, dry runs, publication with 免申即享
//! grant jobs, and service records on a person's file (R4).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::audit::Actor;
use zhucan_domain::catalog::CatalogScope;
use zhucan_domain::eligibility::{self, Condition, GrantContext, rule};
use zhucan_domain::entities::{grant_job, service_record};
use zhucan_domain::home::{self, RecordKind};
use zhucan_domain::viewer::PersonScope;
use zhucan_domain::{DomainError, Platform};

use crate::catalog::{EligibilityRule, ServiceItem};
use crate::context::ContextExt;
use crate::error::{GqlResultExt, platform_viewer};
use crate::person::inputs::parse_id;
use crate::person::mutation::audited;
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

impl From<eligibility::ServiceMatch> for ServiceMatch {
    fn from(m: eligibility::ServiceMatch) -> Self {
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
pub struct GrantJob(pub grant_job::Model);

#[Object]
impl GrantJob {
    async fn id(&self) -> ID {
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
        eligibility::JobStatus::from_stored(&self.0.status).into()
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

/// 办件记录类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::home::RecordKind")]
pub enum ServiceRecordKind {
    /// 免申即享发放
    Grant,
    /// 停止享受
    Revoke,
    /// 申请办理
    Application,
    /// 线下办理
    Offline,
}

/// 办件记录 — a service record on a person's file.
pub struct ServiceRecord(pub service_record::Model);

async fn service_item(
    ctx: &Context<'_>,
    id: uuid::Uuid,
) -> async_graphql::Result<Option<ServiceItem>> {
    let Some(loader) = ctx.loaders().map(|l| l.service_items()) else {
        return Ok(None);
    };
    let item = loader
        .load_one(id)
        .await
        .map_err(|e| crate::error::to_graphql(ctx, DomainError::internal(e)))?;
    Ok(item.map(ServiceItem))
}

#[Object]
impl ServiceRecord {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 服务事项
    async fn service(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ServiceItem>> {
        service_item(ctx, self.0.service_item_id).await
    }
    /// 类型
    async fn kind(&self) -> ServiceRecordKind {
        RecordKind::from_stored(&self.0.kind).into()
    }
    /// 说明
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// 办理时所在区
    async fn district(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.district_code)
    }
    /// 时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

fn catalog_parts<'a>(
    ctx: &'a Context<'_>,
) -> Result<(&'a Platform, CatalogScope, Actor), DomainError> {
    let viewer = ctx.viewer()?;
    let scope = CatalogScope::of(viewer)?;
    Ok((
        ctx.platform(),
        scope,
        Actor::of(viewer, &ctx.request().meta),
    ))
}

/// 适用条件查询
#[derive(Default)]
pub struct EligibilityQuery;

#[Object]
impl EligibilityQuery {
    /// 可用于适用条件的事实
    async fn eligibility_facts(&self) -> Vec<FactDescription> {
        rule::FACTS
            .iter()
            .map(|(name, t, d)| FactDescription {
                name: (*name).to_owned(),
                r#type: match t {
                    rule::FactType::Int => "int",
                    rule::FactType::Str => "string",
                    rule::FactType::Bool => "bool",
                    rule::FactType::StrList => "list<string>",
                }
                .to_owned(),
                description: (*d).to_owned(),
            })
            .collect()
    }

    /// 适用条件各版本（目录维护者）
    async fn eligibility_rules(
        &self,
        ctx: &Context<'_>,
        service_item_id: ID,
    ) -> async_graphql::Result<Vec<EligibilityRule>> {
        let (p, _, _) = catalog_parts(ctx).gql(ctx)?;
        let id = parse_id("serviceItemId", &service_item_id).gql(ctx)?;
        let rows = eligibility::rule_versions(&p.db, id).await.gql(ctx)?;
        Ok(rows.into_iter().map(EligibilityRule).collect())
    }

    /// 发布前试算 — how many people would newly qualify or lose the service, by district.
    async fn dry_run_eligibility_rule(
        &self,
        ctx: &Context<'_>,
        rule_id: ID,
    ) -> async_graphql::Result<DryRun> {
        let (p, scope, _) = catalog_parts(ctx).gql(ctx)?;
        let id = parse_id("ruleId", &rule_id).gql(ctx)?;
        let run = eligibility::dry_run(&p.db, &scope, id).await.gql(ctx)?;
        Ok(DryRun {
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
        })
    }

    /// 免申即享发放任务进度
    async fn grant_job(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<GrantJob> {
        let (p, _, _) = catalog_parts(ctx).gql(ctx)?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(GrantJob(eligibility::job(&p.db, id).await.gql(ctx)?))
    }
}

/// 一条适用条件（录入）
#[derive(InputObject)]
pub struct ConditionInput {
    /// 条件说明（如“一级或二级残疾”）
    pub label: String,
    /// CEL 表达式（如 `level <= 2`），可用事实见 `eligibilityFacts`
    pub expression: String,
}

fn spawn_job(p: &Platform, job: &grant_job::Model) {
    let p = p.clone();
    let id = job.id;
    tokio::spawn(async move {
        let g = GrantContext {
            db: &p.db,
            cipher: &p.cipher,
        };
        if let Err(e) = eligibility::run_grant_job(&g, id).await {
            tracing::error!(job = %id, error = %e, "grant job could not finish");
        }
    });
}

/// 适用条件维护与办件登记
#[derive(Default)]
pub struct EligibilityMutation;

#[Object]
impl EligibilityMutation {
    /// 保存适用条件（新草稿版本）— each expression must parse, read only known facts and
    /// yield true/false; errors give the condition and the line and column.
    async fn save_eligibility_rule(
        &self,
        ctx: &Context<'_>,
        service_item_id: ID,
        conditions: Vec<ConditionInput>,
    ) -> async_graphql::Result<EligibilityRule> {
        audited(
            ctx,
            "eligibility.rule.save",
            "service_item",
            service_item_id.to_string(),
            async {
                let (p, scope, actor) = catalog_parts(ctx)?;
                let id = parse_id("serviceItemId", &service_item_id)?;
                let conditions: Vec<Condition> = conditions
                    .into_iter()
                    .map(|c| Condition {
                        label: c.label,
                        expression: c.expression,
                    })
                    .collect();
                let row =
                    eligibility::save_rule(&p.db, p.audit_key(), &actor, &scope, id, &conditions)
                        .await?;
                Ok(EligibilityRule(row))
            },
        )
        .await
    }

    /// 发布适用条件 — `expectedCurrentVersion` is the version in force you saw (0 = none);
    /// if someone published meanwhile the answer is `CONFLICT`. For a 免申即享 item this starts
    /// the grant job.
    async fn publish_eligibility_rule(
        &self,
        ctx: &Context<'_>,
        rule_id: ID,
        expected_current_version: i32,
    ) -> async_graphql::Result<PublishResult> {
        audited(
            ctx,
            "eligibility.rule.publish",
            "eligibility_rule",
            rule_id.to_string(),
            async {
                let (p, scope, actor) = catalog_parts(ctx)?;
                let id = parse_id("ruleId", &rule_id)?;
                let (rule, job) = eligibility::publish_rule(
                    &p.db,
                    p.audit_key(),
                    &actor,
                    &scope,
                    id,
                    expected_current_version,
                )
                .await?;
                if let Some(j) = &job {
                    spawn_job(p, j);
                }
                Ok(PublishResult {
                    rule: EligibilityRule(rule),
                    job: job.map(GrantJob),
                })
            },
        )
        .await
    }

    /// 重新运行自动发放（中断后补发；已发放的不会重复）
    async fn rerun_grant_job(
        &self,
        ctx: &Context<'_>,
        service_item_id: ID,
    ) -> async_graphql::Result<GrantJob> {
        audited(
            ctx,
            "eligibility.grant_job.rerun",
            "service_item",
            service_item_id.to_string(),
            async {
                let (p, scope, actor) = catalog_parts(ctx)?;
                let id = parse_id("serviceItemId", &service_item_id)?;
                let job = eligibility::rerun_job(&p.db, &actor, &scope, id).await?;
                spawn_job(p, &job);
                Ok(GrantJob(job))
            },
        )
        .await
    }

    /// 登记办件 — an application or offline handling on the file of a person in your scope.
    async fn record_service_handling(
        &self,
        ctx: &Context<'_>,
        person_id: ID,
        service_item_id: ID,
        kind: ServiceRecordKind,
        note: Option<String>,
    ) -> async_graphql::Result<ServiceRecord> {
        audited(
            ctx,
            "service_record.create",
            "person",
            person_id.to_string(),
            async {
                let viewer = ctx.viewer()?;
                if !viewer.role.is_region_admin() {
                    return Err(DomainError::Forbidden("仅市、区、街镇管理员可登记办件"));
                }
                let p = ctx.platform();
                let actor = Actor::of(viewer, &ctx.request().meta);
                let row = home::record_handling(
                    &p.db,
                    p.audit_key(),
                    &actor,
                    &PersonScope::of(viewer),
                    parse_id("personId", &person_id)?,
                    parse_id("serviceItemId", &service_item_id)?,
                    kind.into(),
                    note.as_deref(),
                )
                .await?;
                Ok(ServiceRecord(row))
            },
        )
        .await
    }
}

/// The check behind `Person.eligibleServices`: who may see a person's matching.
pub(crate) fn may_see_matching(ctx: &Context<'_>) -> async_graphql::Result<()> {
    let (_, viewer) = platform_viewer(ctx)?;
    if viewer.role.is_region_admin() || viewer.person_id.is_some() {
        Ok(())
    } else {
        Err(DomainError::Forbidden("当前角色无权查看服务匹配")).gql(ctx)
    }
}
