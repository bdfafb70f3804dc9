//! 补贴发放: subsidy types, batches with the maker–checker workflow, bank files and results,
//! people's own bank accounts, statistics; `Person.subsidies` and `Person.bankAccounts`.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use zhucan_domain::subsidy::{self as domain, SubsidyService};
use zhucan_domain::types::Fen;

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::region::{Region, region_of};
use crate::scalars::Date;
use crate::support::{optional_id, page, parse_id, plain_connection, read_upload};

fn yuan(fen: i64) -> String {
    Fen::yuan_text(fen)
}

/// 发放周期
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::subsidy::PeriodKind")]
pub enum SubsidyPeriodKind {
    /// 按月（期次 YYYY-MM）
    Month,
    /// 按季（期次 YYYY-Qn）
    Quarter,
    /// 按年（期次 YYYY）
    Year,
}

/// 收款账户
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::subsidy::Payee")]
pub enum SubsidyPayee {
    /// 本人账户
    Own,
    /// 代管账户（未代管的发至本人账户）
    Custody,
}

/// 批次状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::subsidy::BatchStatus")]
pub enum SubsidyBatchStatus {
    /// 生成中（中断后重新生成即续做）
    Draft,
    /// 已生成，经办人可调整
    Generated,
    /// 已提交，待区审核
    Submitted,
    /// 区已审核，待市审批
    Reviewed,
    /// 市已审批，可导出银行文件
    Approved,
    /// 已导出银行文件，待回盘
    Exported,
    /// 已对账
    Reconciled,
}

/// 批次类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::subsidy::BatchKind")]
pub enum SubsidyBatchKind {
    /// 正常批次
    Regular,
    /// 补发批次
    Supplementary,
}

/// 发放明细状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::subsidy::ItemStatus")]
pub enum SubsidyItemStatus {
    /// 待发放
    Pending,
    /// 已发放
    Paid,
    /// 发放失败
    Failed,
}

/// 与上期相比的变化
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::subsidy::ChangeKind")]
pub enum SubsidyChangeKind {
    /// 新增
    New,
    /// 停发
    Stopped,
    /// 金额变化
    Changed,
    /// 排除（注销、死亡）
    Excluded,
    /// 经办人剔除
    Removed,
}

/// 账户类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::subsidy::AccountKind")]
pub enum BankAccountKind {
    /// 银行卡
    Card,
    /// 存折
    Passbook,
}

/// 银行文件格式
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BankFileFormat {
    /// CSV（按配置为 GBK 或带 BOM 的 UTF-8）
    Csv,
    /// XLSX
    Xlsx,
}

/// 统计维度
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::subsidy::StatisticsBy")]
pub enum SubsidyStatisticsBy {
    /// 按补贴类型
    Type,
    /// 按区
    District,
    /// 按街镇
    Street,
    /// 按期次
    Period,
}

/// 补贴类型
pub struct SubsidyType(domain::SubsidyType);

#[Object]
impl SubsidyType {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 编码
    async fn key(&self) -> &str {
        &self.0.row.key
    }
    /// 名称
    async fn name(&self) -> &str {
        &self.0.row.name
    }
    /// 关联服务事项（其适用条件决定发放对象）
    async fn service_item_id(&self) -> ID {
        ID(self.0.row.service_item_id.to_string())
    }
    /// 服务事项名称
    async fn service_name(&self) -> &str {
        &self.0.service_name
    }
    /// 固定金额（元/期）
    async fn amount(&self) -> Option<String> {
        self.0.row.amount_fen.map(yuan)
    }
    /// 金额表达式（CEL，结果为分）
    async fn amount_expression(&self) -> Option<&str> {
        self.0.row.amount_expression.as_deref()
    }
    /// 发放周期
    async fn period_kind(&self) -> SubsidyPeriodKind {
        self.0.period_kind().into()
    }
    /// 收款账户
    async fn payee(&self) -> SubsidyPayee {
        self.0.payee().into()
    }
    /// 是否启用
    async fn active(&self) -> bool {
        self.0.row.status == "ACTIVE"
    }
    /// 版本
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// 更新时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.row.updated_at
    }
}

/// 发放批次
pub struct SubsidyBatch(pub domain::Batch);

#[Object]
impl SubsidyBatch {
    /// 标识
    pub async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 补贴类型
    async fn type_id(&self) -> ID {
        ID(self.0.row.type_id.to_string())
    }
    /// 补贴类型名称
    async fn type_name(&self) -> &str {
        &self.0.type_name
    }
    /// 期次（2026-11、2026-Q4、2026）
    async fn period(&self) -> &str {
        &self.0.row.period
    }
    /// 区
    async fn district(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.row.district_code)
    }
    /// 正常或补发
    async fn kind(&self) -> SubsidyBatchKind {
        self.0.kind().into()
    }
    /// 补发批次所补的原批次
    async fn parent_id(&self) -> Option<ID> {
        self.0.row.parent_id.map(|p| ID(p.to_string()))
    }
    /// 状态
    async fn status(&self) -> SubsidyBatchStatus {
        self.0.status().into()
    }
    /// 发放人数（明细条数）
    async fn people(&self) -> i32 {
        self.0.row.people
    }
    /// 合计金额（元，等于各明细之和）
    async fn total_amount(&self) -> String {
        yuan(self.0.row.total_fen)
    }
    /// 已到账金额（元）
    async fn paid_amount(&self) -> String {
        yuan(self.0.row.paid_fen)
    }
    /// 发放失败笔数
    async fn failed(&self) -> i32 {
        self.0.row.failed
    }
    /// 排除与剔除人数
    async fn excluded(&self) -> i32 {
        self.0.row.excluded
    }
    /// 未登记收款账户的人数（须为零才能提交）
    async fn missing_accounts(&self) -> i32 {
        self.0.row.missing_accounts
    }
    /// 适用条件版本
    async fn rule_version(&self) -> i32 {
        self.0.row.rule_version
    }
    /// 当前用户是否为经办人
    async fn prepared_by_me(&self, ctx: &Context<'_>) -> bool {
        ctx.viewer()
            .is_ok_and(|v| v.account_id.to_string() == self.0.row.generated_by)
    }
    /// 生成时间
    async fn generated_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.generated_at
    }
    /// 提交时间
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.submitted_at
    }
    /// 区审核时间
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.reviewed_at
    }
    /// 市审批时间
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.approved_at
    }
    /// 首次导出时间
    async fn exported_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.exported_at
    }
    /// 导出次数
    async fn exports(&self) -> i32 {
        self.0.row.exports
    }
    /// 对账完成时间
    async fn reconciled_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.reconciled_at
    }
    /// 审核、审批意见（退回原因）
    async fn note(&self) -> &str {
        &self.0.row.note
    }
    /// 版本（提交、审核、审批时回传）
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// 发放明细（街镇只见本街镇）
    #[allow(clippy::too_many_arguments)]
    async fn items(
        &self,
        ctx: &Context<'_>,
        status: Option<SubsidyItemStatus>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, SubsidyItem>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<SubsidyService>()
            .items(self.0.row.id, status.map(Into::into), &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |i| i.row.id.to_string(),
            SubsidyItem,
        ))
    }
    /// 与上期相比的变化及排除名单
    #[allow(clippy::too_many_arguments)]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        kind: Option<SubsidyChangeKind>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, SubsidyChange>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<SubsidyService>()
            .changes(self.0.row.id, kind.map(Into::into), &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |c| c.row.id.to_string(),
            SubsidyChange,
        ))
    }
}

/// 发放明细
pub struct SubsidyItem(domain::Item);

#[Object]
impl SubsidyItem {
    /// 标识（银行文件与回盘文件的“明细编号”）
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 残疾人
    async fn person_id(&self) -> ID {
        ID(self.0.row.person_id.to_string())
    }
    /// 姓名
    async fn person_name(&self) -> &str {
        &self.0.person_name
    }
    /// 街镇
    async fn street(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.row.street_code)
    }
    /// 按规则计算的金额（元）
    async fn base_amount(&self) -> String {
        yuan(self.0.row.base_fen)
    }
    /// 发放金额（元）
    async fn amount(&self) -> String {
        yuan(self.0.row.amount_fen)
    }
    /// 调整原因
    async fn adjustment_reason(&self) -> Option<&str> {
        self.0.row.adjustment_reason.as_deref()
    }
    /// 收款账户（掩码）
    async fn account(&self) -> Option<&str> {
        self.0.account_masked.as_deref()
    }
    /// 账户来源：PERSONAL 本人、CUSTODY 代管
    async fn account_kind(&self) -> Option<&str> {
        self.0.row.account_kind.as_deref()
    }
    /// 状态
    async fn status(&self) -> SubsidyItemStatus {
        self.0.status().into()
    }
    /// 失败原因
    async fn failure_reason(&self) -> Option<&str> {
        self.0.row.failure_reason.as_deref()
    }
    /// 失败的处理：SUPPLEMENTED 已转补发，WITHHELD 导出前暂停
    async fn resolution(&self) -> Option<&str> {
        self.0.row.resolution.as_deref()
    }
    /// 补发明细
    async fn supplement_item_id(&self) -> Option<ID> {
        self.0.row.supplement_item_id.map(|i| ID(i.to_string()))
    }
    /// 到账日期
    async fn paid_on(&self) -> Option<Date> {
        self.0.row.paid_on.map(Date)
    }
}

/// 与上期相比的变化（或排除）
pub struct SubsidyChange(domain::Change);

#[Object]
impl SubsidyChange {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 残疾人
    async fn person_id(&self) -> ID {
        ID(self.0.row.person_id.to_string())
    }
    /// 姓名
    async fn person_name(&self) -> &str {
        &self.0.person_name
    }
    /// 变化
    async fn kind(&self) -> SubsidyChangeKind {
        self.0.kind().into()
    }
    /// 原因编码（DECEASED、DEACTIVATED、MOVED_OUT、NOT_ELIGIBLE、AMOUNT_ZERO、AMOUNT、NEW、REMOVED）
    async fn reason_code(&self) -> &str {
        &self.0.row.reason_code
    }
    /// 原因
    async fn reason(&self) -> &str {
        &self.0.row.reason
    }
    /// 上期金额（元）
    async fn previous_amount(&self) -> Option<String> {
        self.0.row.previous_fen.map(yuan)
    }
    /// 本期金额（元）
    async fn amount(&self) -> Option<String> {
        self.0.row.amount_fen.map(yuan)
    }
}

/// 一人一档中的补贴发放记录
#[derive(Clone)]
pub struct PersonSubsidy(pub domain::PersonSubsidy);

#[Object]
impl PersonSubsidy {
    /// 明细标识
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// 补贴类型
    async fn type_name(&self) -> &str {
        &self.0.type_name
    }
    /// 期次
    async fn period(&self) -> &str {
        &self.0.row.period
    }
    /// 金额（元）
    async fn amount(&self) -> String {
        yuan(self.0.row.amount_fen)
    }
    /// 状态
    async fn status(&self) -> SubsidyItemStatus {
        domain::ItemStatus::parse("status", &self.0.row.status)
            .unwrap_or_default()
            .into()
    }
    /// 到账日期
    async fn paid_on(&self) -> Option<Date> {
        self.0.row.paid_on.map(Date)
    }
    /// 失败原因
    async fn failure_reason(&self) -> Option<&str> {
        self.0.row.failure_reason.as_deref()
    }
}

/// 收款账户（本人）
#[derive(Clone)]
pub struct PersonBankAccount(pub domain::BankAccount);

#[Object]
impl PersonBankAccount {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 类型
    async fn kind(&self) -> BankAccountKind {
        self.0.kind.into()
    }
    /// 开户行代码
    async fn bank_code(&self) -> &str {
        &self.0.bank_code
    }
    /// 开户行
    async fn bank_name(&self) -> Option<&'static str> {
        zhucan_domain::custody::bank_name(&self.0.bank_code)
    }
    /// 账号（掩码；revealPersonBankAccount 查看完整账号，留痕）
    async fn number(&self) -> &str {
        &self.0.number_masked
    }
    /// 是否在用
    async fn active(&self) -> bool {
        self.0.active
    }
    /// 登记时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// 统计行
#[derive(SimpleObject)]
pub struct SubsidyStatisticsRow {
    /// 类型标识、区划代码或期次
    key: String,
    /// 名称
    label: String,
    /// 发放人次（未失败的明细）
    payments: u64,
    /// 发放金额（元）
    amount: String,
    /// 已到账（元）
    paid_amount: String,
    /// 失败笔数
    failures: u64,
}

impl From<domain::SubsidyStatisticsRow> for SubsidyStatisticsRow {
    fn from(r: domain::SubsidyStatisticsRow) -> Self {
        Self {
            key: r.key,
            label: r.label,
            payments: r.payments,
            amount: yuan(r.amount_fen),
            paid_amount: yuan(r.paid_fen),
            failures: r.failures,
        }
    }
}

/// 补贴统计（仅计市已审批的批次）
#[derive(SimpleObject)]
pub struct SubsidyStatistics {
    /// 区划
    region_code: String,
    /// 起始月份
    from: String,
    /// 截止月份
    to: String,
    /// 维度
    by: SubsidyStatisticsBy,
    /// 各行
    rows: Vec<SubsidyStatisticsRow>,
    /// 按期次的趋势
    trend: Vec<SubsidyStatisticsRow>,
    /// 合计
    total: SubsidyStatisticsRow,
}

/// 银行文件
#[derive(SimpleObject)]
pub struct SubsidyBankFile {
    /// 文件名
    file_name: String,
    /// MIME 类型
    content_type: String,
    /// 文件内容（Base64）
    content_base64: String,
    /// SM3 摘要（十六进制）
    sm3: String,
    /// 笔数
    rows: u64,
    /// 合计金额（元）
    total_amount: String,
    /// 本次暂停发放的笔数（注销、账户已注销）
    withheld: u64,
    /// 导出后的批次
    batch: SubsidyBatch,
}

/// 回盘导入结果
#[derive(SimpleObject)]
pub struct SubsidyResultsImport {
    /// 读取行数
    rows: u64,
    /// 本次登记为已发放
    paid: u64,
    /// 本次登记为失败（已转补发批次）
    failed: u64,
    /// 此前已导入的行
    already: u64,
    /// 失败明细所转入的补发批次
    supplementary_batch_id: Option<ID>,
    /// 导入后的批次
    batch: SubsidyBatch,
}

/// 补贴类型
#[derive(InputObject)]
pub struct SubsidyTypeInput {
    /// 修改时填写
    id: Option<ID>,
    /// 修改时填写读取到的版本
    version: Option<i32>,
    /// 编码（大写字母、数字、下划线）
    key: String,
    /// 名称
    name: String,
    /// 服务事项（须有生效的适用条件）
    service_item_id: ID,
    /// 固定金额（元），与金额表达式二选一
    amount: Option<String>,
    /// 金额表达式（CEL，结果为分，如 `level == 1 ? 36000 : 24000`）
    amount_expression: Option<String>,
    /// 发放周期
    period_kind: SubsidyPeriodKind,
    /// 收款账户
    #[graphql(default_with = "SubsidyPayee::Own")]
    payee: SubsidyPayee,
    /// 是否启用
    #[graphql(default = true)]
    active: bool,
}

/// 调整发放明细
#[derive(InputObject)]
pub struct AdjustSubsidyItemInput {
    /// 明细
    item_id: ID,
    /// 新金额（元）；剔除时不填
    amount: Option<String>,
    /// 剔除出本批次
    #[graphql(default)]
    remove: bool,
    /// 原因（必填）
    reason: String,
}

/// 审核或审批
#[derive(InputObject)]
pub struct SubsidyDecisionInput {
    /// 批次
    batch_id: ID,
    /// 读取到的版本
    version: i32,
    /// 通过（false 为退回经办人）
    approve: bool,
    /// 意见（退回时必填）
    note: Option<String>,
    /// 核对的合计金额（元）；与批次不符则拒绝
    expected_total: String,
}

/// 登记收款账户
#[derive(InputObject)]
pub struct PersonBankAccountInput {
    /// 残疾人
    person_id: ID,
    /// 类型
    kind: BankAccountKind,
    /// 开户行代码
    bank_code: String,
    /// 账号（银行卡须通过 Luhn 校验）
    number: String,
}

/// Queries.
#[derive(Default)]
pub struct SubsidyQuery;

#[Object]
impl SubsidyQuery {
    /// 补贴类型
    async fn subsidy_types(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SubsidyType>> {
        let rows = ctx.service::<SubsidyService>().types().await.gql(ctx)?;
        Ok(rows.into_iter().map(SubsidyType).collect())
    }

    /// 发放批次（辖区内，按生成先后；`last` 取最新）
    #[allow(clippy::too_many_arguments)]
    async fn subsidy_batches(
        &self,
        ctx: &Context<'_>,
        type_id: Option<ID>,
        period: Option<String>,
        status: Option<SubsidyBatchStatus>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, SubsidyBatch>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let type_id = optional_id("typeId", type_id.as_ref()).gql(ctx)?;
        let rows = ctx
            .service::<SubsidyService>()
            .batches(type_id, period.as_deref(), status.map(Into::into), &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(
            rows,
            |b| b.row.id.to_string(),
            SubsidyBatch,
        ))
    }

    /// 发放批次
    async fn subsidy_batch(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<SubsidyBatch> {
        let id = parse_id("id", &id).gql(ctx)?;
        let b = ctx.service::<SubsidyService>().batch(id).await.gql(ctx)?;
        Ok(SubsidyBatch(b))
    }

    /// 补贴统计（from、to 为 YYYY-MM）
    async fn subsidy_statistics(
        &self,
        ctx: &Context<'_>,
        region_code: Option<String>,
        type_id: Option<ID>,
        from: String,
        to: String,
        #[graphql(default_with = "SubsidyStatisticsBy::District")] by: SubsidyStatisticsBy,
    ) -> async_graphql::Result<SubsidyStatistics> {
        let type_id = optional_id("typeId", type_id.as_ref()).gql(ctx)?;
        let s = ctx
            .service::<SubsidyService>()
            .statistics(region_code.as_deref(), type_id, &from, &to, by.into())
            .await
            .gql(ctx)?;
        Ok(SubsidyStatistics {
            region_code: s.region,
            from: s.from,
            to: s.to,
            by: s.by.into(),
            rows: s.rows.into_iter().map(Into::into).collect(),
            trend: s.trend.into_iter().map(Into::into).collect(),
            total: s.total.into(),
        })
    }
}

/// Mutations.
#[derive(Default)]
pub struct SubsidyMutation;

#[Object]
impl SubsidyMutation {
    /// 新增或修改补贴类型（市残联）
    async fn save_subsidy_type(
        &self,
        ctx: &Context<'_>,
        input: SubsidyTypeInput,
    ) -> async_graphql::Result<SubsidyType> {
        let input = domain::SubsidyTypeInput {
            id: optional_id("input.id", input.id.as_ref()).gql(ctx)?,
            version: input.version,
            key: input.key,
            name: input.name,
            service_item_id: parse_id("input.serviceItemId", &input.service_item_id).gql(ctx)?,
            amount: input.amount,
            amount_expression: input.amount_expression,
            period_kind: input.period_kind.into(),
            payee: input.payee.into(),
            active: input.active,
        };
        let t = ctx
            .service::<SubsidyService>()
            .save_type(input)
            .await
            .gql(ctx)?;
        Ok(SubsidyType(t))
    }

    /// 生成发放批次（区或市；中断的批次重新生成即从断点续做）
    async fn generate_subsidy_batch(
        &self,
        ctx: &Context<'_>,
        type_id: ID,
        period: String,
        district_code: String,
    ) -> async_graphql::Result<SubsidyBatch> {
        let type_id = parse_id("typeId", &type_id).gql(ctx)?;
        let b = ctx
            .service::<SubsidyService>()
            .generate(type_id, &period, &district_code)
            .await
            .gql(ctx)?;
        Ok(SubsidyBatch(b))
    }

    /// 调整或剔除发放明细（经办人，须说明原因）
    async fn adjust_subsidy_item(
        &self,
        ctx: &Context<'_>,
        input: AdjustSubsidyItemInput,
    ) -> async_graphql::Result<SubsidyBatch> {
        let id = parse_id("input.itemId", &input.item_id).gql(ctx)?;
        let b = ctx
            .service::<SubsidyService>()
            .adjust_item(id, input.amount.as_deref(), input.remove, &input.reason)
            .await
            .gql(ctx)?;
        Ok(SubsidyBatch(b))
    }

    /// 提交审核（经办人）
    async fn submit_subsidy_batch(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<SubsidyBatch> {
        let id = parse_id("id", &id).gql(ctx)?;
        let b = ctx
            .service::<SubsidyService>()
            .submit(id, version)
            .await
            .gql(ctx)?;
        Ok(SubsidyBatch(b))
    }

    /// 区审核（非经办人的区管理员）
    async fn review_subsidy_batch(
        &self,
        ctx: &Context<'_>,
        input: SubsidyDecisionInput,
    ) -> async_graphql::Result<SubsidyBatch> {
        let (id, d) = decision(input).gql(ctx)?;
        let b = ctx
            .service::<SubsidyService>()
            .review(id, d)
            .await
            .gql(ctx)?;
        Ok(SubsidyBatch(b))
    }

    /// 市审批（非经办人、非审核人的市管理员）
    async fn approve_subsidy_batch(
        &self,
        ctx: &Context<'_>,
        input: SubsidyDecisionInput,
    ) -> async_graphql::Result<SubsidyBatch> {
        let (id, d) = decision(input).gql(ctx)?;
        let b = ctx
            .service::<SubsidyService>()
            .approve(id, d)
            .await
            .gql(ctx)?;
        Ok(SubsidyBatch(b))
    }

    /// 导出银行文件（已审批的批次；留痕）
    async fn export_subsidy_batch(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default_with = "BankFileFormat::Csv")] format: BankFileFormat,
    ) -> async_graphql::Result<SubsidyBankFile> {
        use base64::Engine as _;
        let id = parse_id("id", &id).gql(ctx)?;
        let f = ctx
            .service::<SubsidyService>()
            .export_bank_file(
                id,
                match format {
                    BankFileFormat::Csv => domain::BankFileFormat::Csv,
                    BankFileFormat::Xlsx => domain::BankFileFormat::Xlsx,
                },
            )
            .await
            .gql(ctx)?;
        Ok(SubsidyBankFile {
            file_name: f.file_name,
            content_type: f.content_type.to_owned(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(&f.bytes),
            sm3: f.sm3,
            rows: f.rows as u64,
            total_amount: yuan(f.total_fen),
            withheld: f.withheld as u64,
            batch: SubsidyBatch(f.batch),
        })
    }

    /// 导入银行回盘（整份校验，有误则不导入；重复导入不重复记账）
    async fn import_subsidy_payment_results(
        &self,
        ctx: &Context<'_>,
        batch_id: ID,
        file: Upload,
    ) -> async_graphql::Result<SubsidyResultsImport> {
        let id = parse_id("batchId", &batch_id).gql(ctx)?;
        let (name, bytes) = read_upload(ctx, &file, None).gql(ctx)?;
        let r = ctx
            .service::<SubsidyService>()
            .import_results(id, &name, bytes)
            .await
            .gql(ctx)?;
        Ok(SubsidyResultsImport {
            rows: r.rows as u64,
            paid: r.paid as u64,
            failed: r.failed as u64,
            already: r.already as u64,
            supplementary_batch_id: r.supplementary_batch_id.map(|i| ID(i.to_string())),
            batch: SubsidyBatch(r.batch),
        })
    }

    /// 登记本人收款账户（替换在用账户，并填入准备中的批次）
    async fn save_person_bank_account(
        &self,
        ctx: &Context<'_>,
        input: PersonBankAccountInput,
    ) -> async_graphql::Result<PersonBankAccount> {
        let person = parse_id("input.personId", &input.person_id).gql(ctx)?;
        let a = ctx
            .service::<SubsidyService>()
            .save_account(person, input.kind.into(), &input.bank_code, &input.number)
            .await
            .gql(ctx)?;
        Ok(PersonBankAccount(a))
    }

    /// 查看完整收款账号（留痕）
    async fn reveal_person_bank_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<String> {
        let id = parse_id("id", &id).gql(ctx)?;
        ctx.service::<SubsidyService>()
            .reveal_account(id)
            .await
            .gql(ctx)
    }
}

fn decision(
    input: SubsidyDecisionInput,
) -> zhucan_domain::DomainResult<(uuid::Uuid, zhucan_domain::subsidy::Decision)> {
    Ok((
        parse_id("input.batchId", &input.batch_id)?,
        zhucan_domain::subsidy::Decision {
            approve: input.approve,
            note: input.note,
            expected_total: input.expected_total,
            version: input.version,
        },
    ))
}
