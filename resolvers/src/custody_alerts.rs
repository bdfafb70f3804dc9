//! 代管资金异常支出规则与预警 (R36): `custodyRules`, `saveCustodyRule`, `custodyAlerts`,
//! `handleCustodyAlert`.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::custody::{self as domain, CustodyService};
use zhucan_domain::entities::{custody_alert, custody_alert_event, custody_rule};
use zhucan_domain::types::Fen;

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::scalars::Date;
use crate::support::{optional_id, page, parse_id, plain_connection};

/// 预警级别
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::Severity")]
pub enum CustodySeverity {
    /// 低
    Low,
    /// 中
    Medium,
    /// 高
    High,
}

/// 预警状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::AlertStatus")]
pub enum CustodyAlertStatus {
    /// 待处理
    Open,
    /// 已确认收到
    Acknowledged,
    /// 已说明（支出合理）
    Explained,
    /// 确认挪用
    ConfirmedMisuse,
}

/// 预警层级
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::AlertLevel")]
pub enum CustodyAlertLevel {
    /// 街镇
    Street,
    /// 已升级到区
    District,
}

/// 预警处理动作
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::AlertAction")]
pub enum CustodyAlertAction {
    /// 确认收到
    Acknowledge,
    /// 说明为合理支出（须填写说明）
    Explain,
    /// 确认挪用（须填写说明）
    ConfirmMisuse,
    /// 补充记录
    Note,
}

/// 可在规则中使用的事实
#[derive(SimpleObject)]
pub struct CustodyRuleFact {
    /// 名称
    pub name: String,
    /// 含义
    pub description: String,
}

/// 异常支出规则（CEL 条件）
pub struct CustodyRule(custody_rule::Model);

#[Object]
impl CustodyRule {
    /// ID
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 编码
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// 名称
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// 条件（CEL）
    async fn expression(&self) -> &str {
        &self.0.expression
    }
    /// 级别
    async fn severity(&self) -> CustodySeverity {
        domain::Severity::from_stored(&self.0.severity).into()
    }
    /// 是否启用（内置规则始终生效）
    async fn enabled(&self) -> bool {
        self.0.enabled || self.0.builtin
    }
    /// 是否内置
    async fn builtin(&self) -> bool {
        self.0.builtin
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

/// 预警处理记录
pub struct CustodyAlertEvent(custody_alert_event::Model);

#[Object]
impl CustodyAlertEvent {
    /// 动作（RAISED、ACKNOWLEDGE、EXPLAIN、CONFIRM_MISUSE、NOTE、ESCALATE）
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// 处理后状态
    async fn status(&self) -> CustodyAlertStatus {
        domain::AlertStatus::from_stored(&self.0.to_status).into()
    }
    /// 说明
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// 操作人
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// 时间
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// 代管资金预警
pub struct CustodyAlert(pub custody_alert::Model);

#[Object]
impl CustodyAlert {
    /// ID
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 规则编码
    async fn rule_code(&self) -> &str {
        &self.0.rule_code
    }
    /// 规则名称
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// 级别
    async fn severity(&self) -> CustodySeverity {
        domain::Severity::from_stored(&self.0.severity).into()
    }
    /// 代管关系
    async fn custodianship_id(&self) -> ID {
        ID(self.0.custodianship_id.to_string())
    }
    /// 支出记录
    async fn spending_record_id(&self) -> ID {
        ID(self.0.spending_record_id.to_string())
    }
    /// 金额（分）
    async fn amount_fen(&self) -> i64 {
        self.0.amount_fen
    }
    /// 金额（元）
    async fn amount(&self) -> String {
        Fen::yuan_text(self.0.amount_fen)
    }
    /// 支出日期
    async fn spent_on(&self) -> Date {
        Date(self.0.spent_on)
    }
    /// 街镇代码
    async fn street_code(&self) -> &str {
        &self.0.street_code
    }
    /// 状态
    async fn status(&self) -> CustodyAlertStatus {
        domain::AlertStatus::from_stored(&self.0.status).into()
    }
    /// 层级
    async fn level(&self) -> CustodyAlertLevel {
        domain::AlertLevel::from_stored(&self.0.level).into()
    }
    /// 产生时间
    async fn raised_at(&self) -> DateTime<Utc> {
        self.0.raised_at
    }
    /// 升级时间
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }
    /// 版本
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 处理记录（最早在前）
    async fn events(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CustodyAlertEvent>> {
        let mut all = ctx
            .service::<CustodyService>()
            .alert_events(&[self.0.id])
            .await
            .gql(ctx)?;
        Ok(all
            .remove(&self.0.id)
            .unwrap_or_default()
            .into_iter()
            .map(CustodyAlertEvent)
            .collect())
    }
    /// 处理材料
    async fn files(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::custody::CustodyFile>> {
        crate::custody::files_of(ctx, self.0.id).await
    }
}

/// 预警筛选
#[derive(InputObject, Default)]
pub struct CustodyAlertFilter {
    /// 状态
    pub status: Option<CustodyAlertStatus>,
    /// 层级
    pub level: Option<CustodyAlertLevel>,
    /// 代管关系
    pub custodianship_id: Option<ID>,
    /// 街镇或区代码
    pub region_code: Option<String>,
}

/// 异常支出规则（新建不填 id；修改须带 id 与 version）
#[derive(InputObject)]
pub struct CustodyRuleInput {
    /// 规则 ID（修改时）
    pub id: Option<ID>,
    /// 读取时的版本（修改时）
    pub version: Option<i32>,
    /// 编码（新建时），大写字母、数字、下划线
    #[graphql(default)]
    pub code: String,
    /// 名称
    pub label: String,
    /// 条件（CEL），可用的事实见 custodyRuleFacts
    pub expression: String,
    /// 级别
    pub severity: CustodySeverity,
    /// 是否启用
    #[graphql(default = true)]
    pub enabled: bool,
}

/// 代管资金规则与预警查询
#[derive(Default)]
pub struct CustodyAlertQuery;

#[Object]
impl CustodyAlertQuery {
    /// 异常支出规则（内置在前）
    async fn custody_rules(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CustodyRule>> {
        let rows = ctx.service::<CustodyService>().rules().await.gql(ctx)?;
        Ok(rows.into_iter().map(CustodyRule).collect())
    }

    /// 规则可读取的事实
    async fn custody_rule_facts(&self) -> Vec<CustodyRuleFact> {
        domain::rules::FACTS
            .iter()
            .map(|(n, d)| CustodyRuleFact {
                name: (*n).to_owned(),
                description: (*d).to_owned(),
            })
            .collect()
    }

    /// 代管资金预警：监管人、街镇见本街镇的；区、市见辖区内的
    async fn custody_alerts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: CustodyAlertFilter,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, CustodyAlert>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let filter = domain::AlertFilter {
            status: filter.status.map(Into::into),
            level: filter.level.map(Into::into),
            custodianship_id: optional_id(
                "filter.custodianshipId",
                filter.custodianship_id.as_ref(),
            )
            .gql(ctx)?,
            region: filter.region_code,
        };
        let rows = ctx
            .service::<CustodyService>()
            .alerts(&filter, &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |a| a.id.to_string(), CustodyAlert))
    }
}

/// 代管资金规则与预警操作
#[derive(Default)]
pub struct CustodyAlertMutation;

#[Object]
impl CustodyAlertMutation {
    /// 保存异常支出规则（市残联管理员；表达式保存前校验）
    async fn save_custody_rule(
        &self,
        ctx: &Context<'_>,
        input: CustodyRuleInput,
    ) -> async_graphql::Result<CustodyRule> {
        let id = optional_id("input.id", input.id.as_ref()).gql(ctx)?;
        let row = ctx
            .service::<CustodyService>()
            .save_rule(domain::RuleInput {
                id,
                version: input.version,
                code: input.code,
                label: input.label,
                expression: input.expression,
                severity: input.severity.into(),
                enabled: input.enabled,
            })
            .await
            .gql(ctx)?;
        Ok(CustodyRule(row))
    }

    /// 处理预警（监管人、街镇；升级后区残联）
    async fn handle_custody_alert(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        action: CustodyAlertAction,
        #[graphql(default)] note: String,
    ) -> async_graphql::Result<CustodyAlert> {
        let id = parse_id("id", &id).gql(ctx)?;
        let a = ctx
            .service::<CustodyService>()
            .handle_alert(id, version, action.into(), &note)
            .await
            .gql(ctx)?;
        Ok(CustodyAlert(a.row))
    }

    /// 上传预警处理材料（可处理该预警者；JPEG、PNG 或 PDF，每条最多 10 个）
    async fn attach_custody_alert_file(
        &self,
        ctx: &Context<'_>,
        alert_id: ID,
        file: async_graphql::Upload,
    ) -> async_graphql::Result<crate::custody::CustodyFile> {
        let id = parse_id("alertId", &alert_id).gql(ctx)?;
        crate::custody::attach(ctx, domain::FileOwner::Alert, id, &file).await
    }
}
