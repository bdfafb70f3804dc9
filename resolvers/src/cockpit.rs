//! 领导驾驶舱 (R56): `cockpit(regionCode)`, the reconciliation of its counters; the live stream
//! is `Subscription.cockpitMetrics` (subscriptions crate), which sends the same `Cockpit`.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::cockpit::{self as domain, AGE_BANDS, CockpitService, RegionView};
use zhucan_domain::types::Fen;

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::region::{Region, region_of};

/// 驾驶舱: the indicators of a region and of each region under it.
#[derive(Clone)]
pub struct Cockpit(pub Arc<RegionView>);

#[Object]
impl Cockpit {
    /// 区划
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.code)
    }
    /// 区划代码
    async fn region_code(&self) -> &str {
        &self.0.code
    }
    /// 数据时间 (when the counters were read)
    async fn as_of(&self) -> DateTime<Utc> {
        self.0.as_of
    }
    /// 本区划指标
    async fn figures(&self) -> CockpitFigures {
        CockpitFigures(self.0.figures.clone())
    }
    /// 下级区划指标（市：各区；区：各街镇；街镇：无）
    async fn areas(&self) -> Vec<CockpitArea> {
        self.0
            .areas
            .iter()
            .map(|(code, f)| CockpitArea {
                code: code.clone(),
                figures: f.clone(),
            })
            .collect()
    }
}

/// 下级区划的指标
pub struct CockpitArea {
    code: String,
    figures: domain::Figures,
}

#[Object]
impl CockpitArea {
    /// 区划
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.code)
    }
    /// 区划代码
    async fn region_code(&self) -> &str {
        &self.code
    }
    /// 指标
    async fn figures(&self) -> CockpitFigures {
        CockpitFigures(self.figures.clone())
    }
}

/// 分组计数
#[derive(SimpleObject)]
pub struct CockpitCount {
    /// 代码
    code: String,
    /// 名称
    label: String,
    /// 人数
    count: i64,
}

/// 政策找人进度（本年到期的任务）
#[derive(SimpleObject)]
pub struct CockpitOutreach {
    /// 应访
    targeted: i64,
    /// 已访
    visited: i64,
    /// 按时走访
    on_time: i64,
}

/// 云助残
#[derive(SimpleObject)]
pub struct CockpitGuidance {
    /// 待接单
    open: i64,
    /// 已认领及服务中
    active: i64,
    /// 今日完成
    completed_today: i64,
}

/// 本月补贴发放（银行回盘为成功）
#[derive(SimpleObject)]
pub struct CockpitSubsidies {
    /// 人次
    payments: i64,
    /// 金额（元）
    amount: String,
}

/// 驾驶舱指标
pub struct CockpitFigures(domain::Figures);

#[Object]
impl CockpitFigures {
    /// 持证残疾人数
    async fn people(&self) -> i64 {
        self.0.people
    }
    /// 按残疾类别
    async fn by_category(&self) -> Vec<CockpitCount> {
        self.0
            .categories()
            .into_iter()
            .map(|(code, label, count)| CockpitCount {
                code: code.to_string(),
                label: label.to_owned(),
                count,
            })
            .collect()
    }
    /// 按残疾等级
    async fn by_level(&self) -> Vec<CockpitCount> {
        const NAMES: [&str; 4] = ["一级", "二级", "三级", "四级"];
        self.0
            .levels()
            .into_iter()
            .zip(NAMES)
            .map(|((code, count), label)| CockpitCount {
                code: code.to_string(),
                label: label.to_owned(),
                count,
            })
            .collect()
    }
    /// 按年龄段（按今年达到的年龄）
    async fn by_age_band(&self) -> Vec<CockpitCount> {
        AGE_BANDS
            .iter()
            .zip(self.0.by_age_band)
            .map(|(band, count)| CockpitCount {
                code: (*band).to_owned(),
                label: format!("{band}岁"),
                count,
            })
            .collect()
    }
    /// 本月新办证
    async fn registered_this_month(&self) -> i64 {
        self.0.registered_this_month
    }
    /// 本月服务授予
    async fn grants_this_month(&self) -> i64 {
        self.0.grants_this_month
    }
    /// 本月服务记录
    async fn service_records_this_month(&self) -> i64 {
        self.0.service_records_this_month
    }
    /// 政策找人进度
    async fn outreach(&self) -> CockpitOutreach {
        CockpitOutreach {
            targeted: self.0.outreach_targeted,
            visited: self.0.outreach_visited,
            on_time: self.0.outreach_on_time,
        }
    }
    /// 云助残
    async fn guidance(&self) -> CockpitGuidance {
        CockpitGuidance {
            open: self.0.guidance_open,
            active: self.0.guidance_active,
            completed_today: self.0.guidance_completed_today,
        }
    }
    /// 今日活动
    async fn activities_today(&self) -> i64 {
        self.0.activities_today
    }
    /// 今日签到
    async fn check_ins_today(&self) -> i64 {
        self.0.check_ins_today
    }
    /// 代管资金待处理预警
    async fn custody_alerts_open(&self) -> i64 {
        self.0.custody_alerts_open
    }
    /// 本月补贴发放
    async fn subsidies_paid_this_month(&self) -> CockpitSubsidies {
        CockpitSubsidies {
            payments: self.0.subsidies_paid_this_month,
            amount: Fen::yuan_text(self.0.subsidies_paid_fen_this_month),
        }
    }
    /// 本月就业安置
    async fn hires_this_month(&self) -> i64 {
        self.0.hires_this_month
    }
}

/// 驾驶舱对账中发现的偏差
#[derive(SimpleObject)]
pub struct CockpitDrift {
    /// 指标代码
    metric: String,
    /// 区划代码
    region_code: String,
    /// 分组（期间或取值）
    bucket: String,
    /// 计数器记录值
    recorded: i64,
    /// 按业务表重算值
    actual: i64,
}

/// 驾驶舱对账
pub struct CockpitReconciliation(domain::Reconciliation);

#[Object]
impl CockpitReconciliation {
    /// 编号
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 执行时间
    async fn ran_at(&self) -> DateTime<Utc> {
        self.0.ran_at
    }
    /// 触发方式：NIGHTLY 每日定时，ON_DEMAND 手动
    async fn reason(&self) -> &str {
        self.0.reason.as_str()
    }
    /// 执行人
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// 比对的计数器数
    async fn counters(&self) -> usize {
        self.0.counters
    }
    /// 偏差数（均已修复）
    async fn drift_count(&self) -> usize {
        self.0.drift_count
    }
    /// 偏差明细（最多前 500 条）
    async fn drifts(&self) -> Vec<CockpitDrift> {
        self.0
            .drifts
            .iter()
            .map(|d| CockpitDrift {
                metric: d.metric.clone(),
                region_code: d.region_code.clone(),
                bucket: d.bucket.clone(),
                recorded: d.recorded,
                actual: d.actual,
            })
            .collect()
    }
}

/// Queries.
#[derive(Default)]
pub struct CockpitQuery;

#[Object]
impl CockpitQuery {
    /// 领导驾驶舱 — a region in your scope (yours when absent): its indicators and its districts'
    /// or street-towns'. For a live screen subscribe to `cockpitMetrics`.
    async fn cockpit(
        &self,
        ctx: &Context<'_>,
        region_code: Option<String>,
    ) -> async_graphql::Result<Cockpit> {
        let view = ctx
            .service::<CockpitService>()
            .cockpit(region_code.as_deref())
            .await
            .gql(ctx)?;
        Ok(Cockpit(view))
    }

    /// 驾驶舱对账记录（最新在前）
    async fn cockpit_reconciliations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: u64,
    ) -> async_graphql::Result<Vec<CockpitReconciliation>> {
        let runs = ctx
            .service::<CockpitService>()
            .reconciliations(first)
            .await
            .gql(ctx)?;
        Ok(runs.into_iter().map(CockpitReconciliation).collect())
    }
}

/// Mutations.
#[derive(Default)]
pub struct CockpitMutation;

#[Object]
impl CockpitMutation {
    /// 驾驶舱对账：按业务表重算全部计数器，报告并修复偏差
    async fn reconcile_cockpit(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<CockpitReconciliation> {
        let run = ctx.service::<CockpitService>().reconcile().await.gql(ctx)?;
        Ok(CockpitReconciliation(run))
    }
}
