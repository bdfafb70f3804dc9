//! Eligibility queries: facts, rule versions, dry runs and grant jobs (catalog managers).

use async_graphql::{Context, ID, Object};
use zhucan_domain::eligibility::EligibilityService;
use zhucan_domain::eligibility::rule::FactType;

use super::types::{DryRun, FactDescription, GrantJob};
use crate::catalog::EligibilityRule;
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::support::parse_id;

/// 适用条件查询
#[derive(Default)]
pub struct EligibilityQuery;

#[Object]
impl EligibilityQuery {
    /// 可用于适用条件的事实
    async fn eligibility_facts(&self, ctx: &Context<'_>) -> Vec<FactDescription> {
        ctx.service::<EligibilityService>()
            .facts()
            .into_iter()
            .map(|f| FactDescription {
                name: f.name.to_owned(),
                r#type: match f.kind {
                    FactType::Int => "int",
                    FactType::Str => "string",
                    FactType::Bool => "bool",
                    FactType::StrList => "list<string>",
                }
                .to_owned(),
                description: f.description.to_owned(),
            })
            .collect()
    }

    /// 适用条件各版本（目录维护者）
    async fn eligibility_rules(
        &self,
        ctx: &Context<'_>,
        service_item_id: ID,
    ) -> async_graphql::Result<Vec<EligibilityRule>> {
        let id = parse_id("serviceItemId", &service_item_id).gql(ctx)?;
        let rows = ctx
            .service::<EligibilityService>()
            .rules(id)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(EligibilityRule).collect())
    }

    /// 发布前试算 — how many people would newly qualify or lose the service, by district.
    async fn dry_run_eligibility_rule(
        &self,
        ctx: &Context<'_>,
        rule_id: ID,
    ) -> async_graphql::Result<DryRun> {
        let id = parse_id("ruleId", &rule_id).gql(ctx)?;
        let run = ctx
            .service::<EligibilityService>()
            .dry_run(id)
            .await
            .gql(ctx)?;
        Ok(DryRun::of(ctx, run))
    }

    /// 免申即享发放任务进度
    async fn grant_job(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<GrantJob> {
        let id = parse_id("id", &id).gql(ctx)?;
        let job = ctx
            .service::<EligibilityService>()
            .grant_job(id)
            .await
            .gql(ctx)?;
        Ok(GrantJob(job))
    }
}
