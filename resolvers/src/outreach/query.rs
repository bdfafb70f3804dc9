//! 政策找人 queries: pushes (city and district admins), tasks, warnings, statistics and the
//! monthly report (region staff in scope), as the outreach service answers them.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use zhucan_domain::outreach::{OutreachService, TaskCursor};

use super::types::{
    OutreachMonthlyReport, OutreachPush, OutreachStatistics, OutreachStats, OutreachTask,
    OutreachTaskConnectionFields, OutreachWarning, PushDryRun, PushDryRunRow, TaskStatus,
};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::region::region_of;
use crate::support::{connection, optional_id, page, page_by, parse_id, plain_connection};

/// 政策找人查询
#[derive(Default)]
pub struct OutreachQuery;

#[Object]
impl OutreachQuery {
    /// 政策推送（本人所在范围发起的），按发起顺序；`last: N` 取最新 N 条
    async fn outreach_pushes(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, OutreachPush>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<OutreachService>()
            .pushes(&page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |p| p.id.to_string(), OutreachPush))
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

    /// 走访任务（本人管辖范围内），按期限、再按任务排序
    // A GraphQL field's arguments are its parameters: a connection with filters has this many.
    #[allow(clippy::too_many_arguments)]
    async fn outreach_tasks(
        &self,
        ctx: &Context<'_>,
        push_id: Option<ID>,
        status: Option<TaskStatus>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, OutreachTask, OutreachTaskConnectionFields>> {
        let push = optional_id("pushId", push_id.as_ref()).gql(ctx)?;
        let status = status.map(Into::into);
        let page = page_by(first, after, last, before, TaskCursor::parse).gql(ctx)?;
        let rows = ctx
            .service::<OutreachService>()
            .tasks(push, status, &page)
            .await
            .gql(ctx)?;
        Ok(connection(
            rows,
            OutreachTaskConnectionFields { push, status },
            |t| {
                TaskCursor {
                    due_on: t.due_on,
                    id: t.id,
                }
                .encode()
            },
            OutreachTask,
        ))
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

    /// 预警（街镇看本街镇的，区、市看已升级到区的），按预警顺序；`last: N` 取最新 N 条
    async fn outreach_warnings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_resolved: bool,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, OutreachWarning>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<OutreachService>()
            .warnings(include_resolved, &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |w| w.id.to_string(),
            OutreachWarning,
        ))
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
