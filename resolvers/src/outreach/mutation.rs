//! 政策找人 mutations; the outreach service decides who may do what and audits every attempt.

use async_graphql::{Context, ID, InputObject, Object, Upload};
use zhucan_domain::DomainError;
use zhucan_domain::outreach::{self as domain, OutreachService, ReviewDecision as DomainDecision};

use super::types::{
    Outcome, OutreachAttachment, OutreachPush, OutreachTask, ReturnReason, ReviewDecision,
    TargetFilter, VisitMethod,
};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::scalars::Date;
use crate::support::{optional_id, parse_id, read_upload};

/// 发起政策推送
#[derive(InputObject)]
pub struct OutreachPushInput {
    /// 标题（向对象和工作人员展示）
    pub title: String,
    /// 推送的政策
    pub policy_id: Option<ID>,
    /// 推送的服务事项
    pub service_item_id: Option<ID>,
    /// 按服务事项的现行适用条件选择对象
    #[graphql(default)]
    pub use_rule: bool,
    /// 登记信息条件（区管理员只能在本区内）
    #[graphql(default)]
    pub filter: TargetFilter,
    /// 走访时限（工作日，默认按配置）
    pub due_working_days: Option<i32>,
}

/// 走访结果登记
#[derive(InputObject)]
pub struct FollowUpInput {
    /// 走访方式
    pub method: VisitMethod,
    /// 走访结果
    pub outcome: Outcome,
    /// 走访记录
    pub notes: Option<String>,
    /// 走访日期
    pub visited_on: Date,
}

/// 政策找人操作
#[derive(Default)]
pub struct OutreachMutation;

#[Object]
impl OutreachMutation {
    /// 发起政策推送（草稿）：市管理员全市、区管理员本区
    async fn create_outreach_push(
        &self,
        ctx: &Context<'_>,
        input: OutreachPushInput,
    ) -> async_graphql::Result<OutreachPush> {
        let days = input
            .due_working_days
            .map(|d| {
                u32::try_from(d).map_err(|_| {
                    DomainError::bad_input("input.dueWorkingDays", "走访时限应为1–60个工作日")
                })
            })
            .transpose()
            .gql(ctx)?;
        let domain_input = domain::PushInput {
            title: input.title.clone(),
            policy_id: optional_id("input.policyId", input.policy_id.as_ref()).gql(ctx)?,
            service_item_id: optional_id("input.serviceItemId", input.service_item_id.as_ref())
                .gql(ctx)?,
            use_rule: input.use_rule,
            filter: input.filter.to_domain().gql(ctx)?,
            due_working_days: days,
        };
        let push = ctx
            .service::<OutreachService>()
            .create_push(domain_input)
            .await
            .gql(ctx)?;
        Ok(OutreachPush(push))
    }

    /// 发布推送：后台为每个对象生成走访任务并通知本人；重复点击不会重复生成
    async fn publish_outreach_push(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<OutreachPush> {
        let id = parse_id("id", &id).gql(ctx)?;
        let push = ctx
            .service::<OutreachService>()
            .publish(id)
            .await
            .gql(ctx)?;
        Ok(OutreachPush(push))
    }

    /// 登记走访结果（对象所在街镇）：待走访或已退回 → 待审核
    async fn record_follow_up(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        input: FollowUpInput,
    ) -> async_graphql::Result<OutreachTask> {
        let id = parse_id("taskId", &task_id).gql(ctx)?;
        let task = ctx
            .service::<OutreachService>()
            .record_follow_up(
                id,
                domain::FollowUpInput {
                    method: input.method.into(),
                    outcome: input.outcome.into(),
                    notes: input.notes,
                    visited_on: input.visited_on.into(),
                },
            )
            .await
            .gql(ctx)?;
        Ok(OutreachTask(task))
    }

    /// 上传佐证材料（JPEG、PNG 或 PDF，按内容识别；multipart 请求须带 x-zhucan-csrf 头）
    async fn attach_follow_up_material(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        file: Upload,
    ) -> async_graphql::Result<OutreachAttachment> {
        let id = parse_id("taskId", &task_id).gql(ctx)?;
        let limit = ctx.platform().outreach.attachment_max_bytes;
        let (name, bytes) = read_upload(ctx, &file, Some(limit)).gql(ctx)?;
        let attachment = ctx
            .service::<OutreachService>()
            .attach(
                id,
                domain::AttachmentInput {
                    file_name: name,
                    bytes,
                },
            )
            .await
            .gql(ctx)?;
        Ok(OutreachAttachment(attachment))
    }

    /// 审核走访结果（区、市）：通过，或退回完善（须给出原因）
    async fn review_follow_up(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        decision: ReviewDecision,
        reason: Option<ReturnReason>,
        note: Option<String>,
    ) -> async_graphql::Result<OutreachTask> {
        let id = parse_id("taskId", &task_id).gql(ctx)?;
        let decision = match (decision, reason) {
            (ReviewDecision::Approve, _) => DomainDecision::Approve,
            (ReviewDecision::Return, Some(r)) => DomainDecision::Return(r.into()),
            (ReviewDecision::Return, None) => {
                return Err(DomainError::bad_input("reason", "退回须选择原因")).gql(ctx);
            }
        };
        let task = ctx
            .service::<OutreachService>()
            .review(id, decision, note.as_deref())
            .await
            .gql(ctx)?;
        Ok(OutreachTask(task))
    }

    /// 抽取电话复核样本：按比例（如 0.1）从已通过的任务中抽取，同一种子结果相同
    async fn draw_recheck_sample(
        &self,
        ctx: &Context<'_>,
        push_id: ID,
        share: f64,
        seed: i64,
    ) -> async_graphql::Result<Vec<OutreachTask>> {
        let push = parse_id("pushId", &push_id).gql(ctx)?;
        let tasks = ctx
            .service::<OutreachService>()
            .draw_recheck_sample(push, share, u64::from_ne_bytes(seed.to_ne_bytes()))
            .await
            .gql(ctx)?;
        Ok(tasks.into_iter().map(OutreachTask).collect())
    }

    /// 登记电话复核结果；不一致则任务退回街镇
    async fn record_recheck(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        agree: bool,
        note: Option<String>,
    ) -> async_graphql::Result<OutreachTask> {
        let id = parse_id("taskId", &task_id).gql(ctx)?;
        let task = ctx
            .service::<OutreachService>()
            .record_recheck(id, agree, note.as_deref())
            .await
            .gql(ctx)?;
        Ok(OutreachTask(task))
    }
}
