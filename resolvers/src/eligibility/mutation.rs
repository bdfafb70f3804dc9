//! Eligibility mutations: rule versions and their publication (with 免申即享 grant jobs), and
//! the registration of handlings on a person's file.

use async_graphql::{Context, ID, InputObject, Object};
use zhucan_domain::eligibility::{Condition, EligibilityService};
use zhucan_domain::records::RecordService;

use super::types::{GrantJob, PublishResult};
use crate::catalog::EligibilityRule;
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::records::{ServiceRecord, ServiceRecordKind};
use crate::support::parse_id;

/// 一条适用条件（录入）
#[derive(InputObject)]
pub struct ConditionInput {
    /// 条件说明（如“一级或二级残疾”）
    pub label: String,
    /// CEL 表达式（如 `level <= 2`），可用事实见 `eligibilityFacts`
    pub expression: String,
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
        let id = parse_id("serviceItemId", &service_item_id).gql(ctx)?;
        let conditions: Vec<Condition> = conditions
            .into_iter()
            .map(|c| Condition {
                label: c.label,
                expression: c.expression,
            })
            .collect();
        let rule = ctx
            .service::<EligibilityService>()
            .save_rule(id, conditions)
            .await
            .gql(ctx)?;
        Ok(EligibilityRule(rule))
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
        let id = parse_id("ruleId", &rule_id).gql(ctx)?;
        let (rule, job) = ctx
            .service::<EligibilityService>()
            .publish_rule(id, expected_current_version)
            .await
            .gql(ctx)?;
        Ok(PublishResult {
            rule: EligibilityRule(rule),
            job: job.map(GrantJob),
        })
    }

    /// 重新运行自动发放（中断后补发；已发放的不会重复）
    async fn rerun_grant_job(
        &self,
        ctx: &Context<'_>,
        service_item_id: ID,
    ) -> async_graphql::Result<GrantJob> {
        let id = parse_id("serviceItemId", &service_item_id).gql(ctx)?;
        let job = ctx
            .service::<EligibilityService>()
            .rerun_grant_job(id)
            .await
            .gql(ctx)?;
        Ok(GrantJob(job))
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
        let person = parse_id("personId", &person_id).gql(ctx)?;
        let item = parse_id("serviceItemId", &service_item_id).gql(ctx)?;
        let record = ctx
            .service::<RecordService>()
            .record_handling(person, item, kind.into(), note.as_deref())
            .await
            .gql(ctx)?;
        Ok(ServiceRecord(record))
    }
}
