//! 政策找人 queries: pushes (city and district admins), tasks, warnings, statistics and the
//! monthly report (region staff in scope), as the outreach service answers them.

use async_graphql::{Context, ID, Object};
use zhucan_domain::outreach::OutreachService;

use super::types::{
    OutreachMonthlyReport, OutreachPush, OutreachStatistics, OutreachStats, OutreachTask,
    OutreachTaskPage, OutreachWarning, PushDryRun, PushDryRunRow, TaskStatus,
};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::region::region_of;
use crate::support::{optional_id, parse_id};

/// 政策找人查询
#[derive(Default)]
pub struct OutreachQuery;

#[Object]
impl OutreachQuery {
    /// 政策推送（本人所在范围发起的），最新在前
    async fn outreach_pushes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OutreachPush>> {
        let rows = ctx.service::<OutreachService>().pushes().await.gql(ctx)?;
        Ok(rows.into_iter().map(OutreachPush).collect())
    }

    /// 一次推送
    async fn outreach_push(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<OutreachPush> {
        let id = parse_id("id", &id).gql(ctx)?;
        let push = ctx.service::<OutreachService>().push(id).await.gql(ctx)?;
        Ok(OutreachPush(push))
    }

    /// 发布前试算：各街镇将推送的人数
    async fn dry_run_outreach_push(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<PushDryRun> {
        let id = parse_id("id", &id).gql(ctx)?;
        let (rows, total) = ctx
            .service::<OutreachService>()
            .dry_run(id)
            .await
            .gql(ctx)?;
        Ok(PushDryRun {
            total,
            rows: rows
                .into_iter()
                .map(|r| PushDryRunRow {
                    district: region_of(ctx, &r.district),
                    street: region_of(ctx, &r.street),
                    count: r.count,
                })
                .collect(),
        })
    }

    /// 走访任务（本人管辖范围内），按期限排序
    async fn outreach_tasks(
        &self,
        ctx: &Context<'_>,
        push_id: Option<ID>,
        status: Option<TaskStatus>,
        #[graphql(default = 20)] first: i32,
        #[graphql(default)] offset: i32,
    ) -> async_graphql::Result<OutreachTaskPage> {
        let push = optional_id("pushId", push_id.as_ref()).gql(ctx)?;
        let page = ctx
            .service::<OutreachService>()
            .tasks(
                push,
                status.map(Into::into),
                i64::from(first),
                i64::from(offset),
            )
            .await
            .gql(ctx)?;
        Ok(OutreachTaskPage {
            total_count: page.total,
            nodes: page.tasks.into_iter().map(OutreachTask).collect(),
        })
    }

    /// 一个走访任务
    async fn outreach_task(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<OutreachTask> {
        let id = parse_id("id", &id).gql(ctx)?;
        let task = ctx.service::<OutreachService>().task(id).await.gql(ctx)?;
        Ok(OutreachTask(task))
    }

    /// 预警（街镇看本街镇的，区、市看已升级到区的）
    async fn outreach_warnings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_resolved: bool,
    ) -> async_graphql::Result<Vec<OutreachWarning>> {
        let rows = ctx
            .service::<OutreachService>()
            .warnings(include_resolved)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(OutreachWarning).collect())
    }

    /// 统计：市看各区，区看各街镇（byStreet 让市也按街镇）
    async fn outreach_statistics(
        &self,
        ctx: &Context<'_>,
        push_id: Option<ID>,
        #[graphql(default)] by_street: bool,
    ) -> async_graphql::Result<OutreachStatistics> {
        let push = optional_id("pushId", push_id.as_ref()).gql(ctx)?;
        let (rows, total) = ctx
            .service::<OutreachService>()
            .statistics(push, by_street)
            .await
            .gql(ctx)?;
        Ok(OutreachStatistics {
            rows: rows.into_iter().map(OutreachStats).collect(),
            total: OutreachStats(total),
        })
    }

    /// 月报（任务期限落在该月统计期内；结账日可配置）
    async fn outreach_monthly_report(
        &self,
        ctx: &Context<'_>,
        month: String,
    ) -> async_graphql::Result<OutreachMonthlyReport> {
        let r = ctx
            .service::<OutreachService>()
            .monthly_report(&month)
            .await
            .gql(ctx)?;
        Ok(OutreachMonthlyReport {
            download_path: format!("/reports/outreach/{}.xlsx", r.month),
            month: r.month,
            from: r.from.into(),
            to: r.to.into(),
            rows: r.rows.into_iter().map(OutreachStats).collect(),
            total: OutreachStats(r.total),
            generated_at: r.generated_at,
        })
    }
}
