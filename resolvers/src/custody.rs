//! 代管卡折资金 (R32–R34): custodianships, their accounts (masked; revealed by the supervisor,
//! audited) and spending. The custody service decides who sees and does what.

use async_graphql::connection::Connection;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use zhucan_domain::custody::{self as domain, CustodyService};
use zhucan_domain::person::PersonService;
use zhucan_domain::types::Fen;

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::person::types::Person;
use crate::region::{Region, region_of};
use crate::scalars::Date;
use crate::support::{optional_id, page, parse_id, plain_connection, read_upload};

/// 代管人与被代管人的关系
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::CustodianRelation")]
pub enum CustodianRelation {
    /// 父母
    Parent,
    /// 配偶
    Spouse,
    /// 子女
    Child,
    /// 兄弟姐妹
    Sibling,
    /// 监护人
    Guardian,
    /// 托养机构
    Institution,
    /// 其他
    Other,
}

/// 代管依据
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::CustodyBasis")]
pub enum CustodyBasis {
    /// 法院裁定
    CourtDecision,
    /// 居（村）委会指定
    ResidentsCommittee,
    /// 家庭协议
    FamilyAgreement,
}

/// 代管关系状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::CustodyStatus")]
pub enum CustodyStatus {
    /// 生效中
    Active,
    /// 已终止
    Ended,
}

/// 账户类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::AccountKind")]
pub enum CustodyAccountKind {
    /// 银行卡
    Card,
    /// 存折
    Passbook,
}

/// 支出类别
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::SpendingCategory")]
pub enum SpendingCategory {
    /// 生活
    Living,
    /// 医疗
    Medical,
    /// 康复
    Rehabilitation,
    /// 教育
    Education,
    /// 照护
    Care,
    /// 其他
    Other,
}

/// 支出记录来源
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::custody::SpendingSource")]
pub enum SpendingSource {
    /// 代管人录入
    Entered,
    /// 银行流水导入
    Imported,
}

/// 开户行
#[derive(SimpleObject)]
pub struct Bank {
    /// 行别代码（CNAPS）
    pub code: String,
    /// 名称
    pub name: String,
}

/// 代管账户（账号脱敏显示）
pub struct CustodyAccount(pub domain::CustodyAccount);

#[Object]
impl CustodyAccount {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 类型
    async fn kind(&self) -> CustodyAccountKind {
        self.0.kind.into()
    }
    /// 开户行
    async fn bank(&self) -> Bank {
        Bank {
            code: self.0.bank_code.clone(),
            name: domain::bank_name(&self.0.bank_code)
                .unwrap_or_default()
                .to_owned(),
        }
    }
    /// 账号（脱敏，如 6222 **** **** 1234；监管人可用 revealCustodyAccountNumber 查看完整账号）
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

/// 代管关系
pub struct Custodianship(pub domain::Custodianship);

#[Object]
impl Custodianship {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 被代管人姓名
    async fn ward_name(&self) -> &str {
        &self.0.ward_name
    }
    /// 被代管人档案（按当前用户的权限；不在管辖范围内为空）
    async fn ward(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let mut found = ctx
            .service::<PersonService>()
            .get_many(&[self.0.ward_person_id])
            .await
            .gql(ctx)?;
        Ok(found.remove(&self.0.ward_person_id).map(Person))
    }
    /// 被代管人所在街镇
    async fn street(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.ward_street_code)
    }
    /// 代管人姓名
    async fn custodian_name(&self) -> &str {
        &self.0.custodian_name
    }
    /// 关系
    async fn relation(&self) -> CustodianRelation {
        self.0.relation.into()
    }
    /// 当前用户是否为代管人
    async fn custodian_is_me(&self, ctx: &Context<'_>) -> bool {
        ctx.viewer()
            .is_ok_and(|v| v.account_id == self.0.custodian_account_id)
    }
    /// 当前用户是否为监管人
    async fn supervisor_is_me(&self, ctx: &Context<'_>) -> bool {
        ctx.viewer()
            .is_ok_and(|v| v.account_id == self.0.supervisor_account_id)
    }
    /// 依据
    async fn basis(&self) -> CustodyBasis {
        self.0.basis.into()
    }
    /// 依据文书编号
    async fn basis_document(&self) -> Option<&str> {
        self.0.basis_document.as_deref()
    }
    /// 开始日期
    async fn starts_on(&self) -> Date {
        self.0.starts_on.into()
    }
    /// 终止日期
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Into::into)
    }
    /// 状态
    async fn status(&self) -> CustodyStatus {
        self.0.status.into()
    }
    /// 终止原因
    async fn end_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }
    /// 版本（修改、终止时提交）
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// 代管账户
    async fn accounts(&self) -> Vec<CustodyAccount> {
        self.0
            .accounts
            .iter()
            .cloned()
            .map(CustodyAccount)
            .collect()
    }
    /// 支出记录（最新在前，最多 500 条）
    async fn spending(
        &self,
        ctx: &Context<'_>,
        from: Option<Date>,
        to: Option<Date>,
    ) -> async_graphql::Result<Vec<SpendingRecord>> {
        let rows = ctx
            .service::<CustodyService>()
            .spending(self.0.id, from.map(|d| d.0), to.map(|d| d.0))
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(SpendingRecord).collect())
    }
    /// 创建时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// 代管附件（支出凭证或预警处理材料）
pub struct CustodyFile(pub domain::CustodyFile);

#[Object]
impl CustodyFile {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 文件名
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// 类型（按内容识别：image/jpeg、image/png、application/pdf）
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    /// 大小（字节）
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
    /// SM3 摘要
    async fn sm3(&self) -> &str {
        &self.0.sm3
    }
    /// 上传时间
    async fn uploaded_at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// 下载地址（GET，带 Bearer 令牌；每次下载记入审计）
    async fn url(&self) -> String {
        format!("/files/custody/{}", self.0.id)
    }
}

/// The files of a record or alert, through the request's loader.
pub(crate) async fn files_of(
    ctx: &Context<'_>,
    owner: uuid::Uuid,
) -> async_graphql::Result<Vec<CustodyFile>> {
    crate::loaders::load_list(ctx, owner, |l| l.custody_files(), CustodyFile).await
}

/// 支出记录
pub struct SpendingRecord(pub domain::Spending);

#[Object]
impl SpendingRecord {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 账户
    async fn account_id(&self) -> ID {
        ID(self.0.account_id.to_string())
    }
    /// 金额（分）
    async fn amount_fen(&self) -> i64 {
        self.0.amount_fen
    }
    /// 金额（元，两位小数）
    async fn amount(&self) -> String {
        Fen::yuan_text(self.0.amount_fen)
    }
    /// 类别
    async fn category(&self) -> SpendingCategory {
        self.0.category.into()
    }
    /// 商户或收款方
    async fn merchant(&self) -> &str {
        &self.0.merchant
    }
    /// 日期
    async fn spent_on(&self) -> Date {
        self.0.spent_on.into()
    }
    /// 备注
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// 来源
    async fn source(&self) -> SpendingSource {
        self.0.source.into()
    }
    /// 录入时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 凭证
    async fn receipts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CustodyFile>> {
        files_of(ctx, self.0.id).await
    }
}

/// 某类别的支出
#[derive(SimpleObject)]
pub struct CategoryAmount {
    /// 类别
    pub category: SpendingCategory,
    /// 金额（分）
    pub amount_fen: i64,
}

fn by_category(c: &domain::ByCategory) -> Vec<CategoryAmount> {
    c.pairs()
        .into_iter()
        .map(|(category, amount_fen)| CategoryAmount {
            category: category.into(),
            amount_fen,
        })
        .collect()
}

/// 按月支出
#[derive(SimpleObject)]
pub struct MonthSpending {
    /// 月份（YYYY-MM）
    pub month: String,
    /// 笔数
    pub records: i64,
    /// 合计（分）
    pub total_fen: i64,
    /// 按类别
    pub by_category: Vec<CategoryAmount>,
}

/// 区域支出
pub struct RegionSpending(domain::RegionSpending);

#[Object]
impl RegionSpending {
    /// 区域代码
    async fn region_code(&self) -> &str {
        &self.0.region
    }
    /// 区域
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, &self.0.region)
    }
    /// 有支出的被代管人数
    async fn wards(&self) -> i64 {
        self.0.wards
    }
    /// 笔数
    async fn records(&self) -> i64 {
        self.0.records
    }
    /// 合计（分）
    async fn total_fen(&self) -> i64 {
        self.0.by_category.total()
    }
    /// 按类别
    async fn by_category(&self) -> Vec<CategoryAmount> {
        by_category(&self.0.by_category)
    }
}

/// 被代管人支出（按月、按类别）
#[derive(SimpleObject)]
pub struct WardSpending {
    /// 代管关系
    pub custodianship_id: ID,
    /// 被代管人姓名
    pub ward_name: String,
    /// 街镇代码
    pub street_code: String,
    /// 合计（分）
    pub total_fen: i64,
    /// 按类别
    pub by_category: Vec<CategoryAmount>,
    /// 按月
    pub months: Vec<MonthSpending>,
}

/// 代管资金支出统计
pub struct SpendingStatistics(domain::SpendingStatistics);

#[Object]
impl SpendingStatistics {
    /// 所查区域代码
    async fn region_code(&self) -> &str {
        &self.0.region
    }
    /// 起始月份
    async fn from(&self) -> &str {
        &self.0.from
    }
    /// 截止月份
    async fn to(&self) -> &str {
        &self.0.to
    }
    /// 按月（趋势）
    async fn months(&self) -> Vec<MonthSpending> {
        self.0
            .months
            .iter()
            .map(|m| MonthSpending {
                month: m.month.clone(),
                records: m.records,
                total_fen: m.by_category.total(),
                by_category: by_category(&m.by_category),
            })
            .collect()
    }
    /// 按下级区域（市：各区；区：各街镇）
    async fn regions(&self) -> Vec<RegionSpending> {
        self.0.regions.iter().cloned().map(RegionSpending).collect()
    }
    /// 按被代管人
    async fn wards(&self) -> Vec<WardSpending> {
        self.0
            .wards
            .iter()
            .map(|w| WardSpending {
                custodianship_id: ID(w.custodianship_id.to_string()),
                ward_name: w.ward_name.clone(),
                street_code: w.street_code.clone(),
                total_fen: w.by_category.total(),
                by_category: by_category(&w.by_category),
                months: w
                    .months
                    .iter()
                    .map(|m| MonthSpending {
                        month: m.month.clone(),
                        records: 0,
                        total_fen: m.by_category.total(),
                        by_category: by_category(&m.by_category),
                    })
                    .collect(),
            })
            .collect()
    }
    /// 合计（分）
    async fn total_fen(&self) -> i64 {
        self.0.total.total()
    }
    /// 合计按类别
    async fn by_category(&self) -> Vec<CategoryAmount> {
        by_category(&self.0.total)
    }
    /// XLSX 下载路径（GET，带 Authorization 头）
    async fn download_path(&self) -> String {
        format!(
            "/reports/custody-spending.xlsx?regionCode={}&from={}&to={}",
            self.0.region, self.0.from, self.0.to
        )
    }
}

/// 导入流水中有问题的一行
#[derive(SimpleObject)]
pub struct StatementRowError {
    /// 行号（表头为第 1 行）
    pub row: i32,
    /// 列
    pub column: String,
    /// 问题
    pub message: String,
}

/// 银行流水导入结果
#[derive(SimpleObject)]
pub struct StatementImport {
    /// 数据行数
    pub rows: i32,
    /// 本次导入
    pub imported: i32,
    /// 此前已导入（流水号相同，未重复导入）
    pub already_imported: i32,
    /// 触发的异常支出预警数
    pub alerts: i32,
    /// 有问题的行数（未导入）
    pub faulty: i32,
    /// 问题明细（最多 200 条）
    pub errors: Vec<StatementRowError>,
}

/// 一对相符的记录
pub struct MatchedSpending(domain::Spending, domain::Spending);

#[Object]
impl MatchedSpending {
    /// 代管人录入的
    async fn entered(&self) -> SpendingRecord {
        SpendingRecord(self.0.clone())
    }
    /// 银行流水中的
    async fn on_statement(&self) -> SpendingRecord {
        SpendingRecord(self.1.clone())
    }
}

/// 对账结果：录入与银行流水（金额相同、日期相差不超过 3 天即相符）
pub struct SpendingReconciliation(domain::Reconciliation);

#[Object]
impl SpendingReconciliation {
    /// 相符
    async fn matched(&self) -> Vec<MatchedSpending> {
        self.0
            .matched
            .iter()
            .map(|(e, s)| MatchedSpending(e.clone(), s.clone()))
            .collect()
    }
    /// 仅录入（无银行记录）
    async fn only_entered(&self) -> Vec<SpendingRecord> {
        self.0
            .only_entered
            .iter()
            .cloned()
            .map(SpendingRecord)
            .collect()
    }
    /// 仅在银行流水中（代管人未说明用途）
    async fn only_on_statement(&self) -> Vec<SpendingRecord> {
        self.0
            .only_on_statement
            .iter()
            .cloned()
            .map(SpendingRecord)
            .collect()
    }
}

/// 代管关系筛选
#[derive(InputObject, Default)]
pub struct CustodyFilter {
    /// 被代管人所在区或街镇
    pub region_code: Option<String>,
    /// 状态
    pub status: Option<CustodyStatus>,
    /// 某个残疾人的
    pub ward_person_id: Option<ID>,
}

/// 代管关系（新建时不填 id；修改时填 id 和读取时的 version）
#[derive(InputObject)]
pub struct CustodianshipInput {
    /// 修改的代管关系
    pub id: Option<ID>,
    /// 读取时的版本
    pub version: Option<i32>,
    /// 被代管人（本街镇的残疾人）
    pub ward_person_id: ID,
    /// 代管人的登录账号
    pub custodian_username: String,
    /// 代管人姓名
    pub custodian_name: String,
    /// 关系
    pub relation: CustodianRelation,
    /// 监管人的登录账号（默认本人）
    pub supervisor_username: Option<String>,
    /// 依据
    pub basis: CustodyBasis,
    /// 依据文书编号
    pub basis_document: Option<String>,
    /// 开始日期
    pub starts_on: Date,
}

/// 代管账户
#[derive(InputObject)]
pub struct CustodyAccountInput {
    /// 代管关系
    pub custodianship_id: ID,
    /// 类型
    pub kind: CustodyAccountKind,
    /// 开户行代码（见 custodyBanks）
    pub bank_code: String,
    /// 卡号或存折账号
    pub number: String,
}

/// 支出
#[derive(InputObject)]
pub struct SpendingInput {
    /// 账户
    pub account_id: ID,
    /// 金额（元，最多两位小数，如 "128.50"）
    pub amount: String,
    /// 类别
    pub category: SpendingCategory,
    /// 商户或收款方
    pub merchant: String,
    /// 日期（不晚于今天）
    pub spent_on: Date,
    /// 备注
    #[graphql(default)]
    pub note: String,
}

/// 代管查询
#[derive(Default)]
pub struct CustodyQuery;

#[Object]
impl CustodyQuery {
    /// 代管关系列表：街镇、区、市在管辖范围内；代管人、监管人、被代管人本人只见自己的
    async fn custodianships(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: CustodyFilter,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Custodianship>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let filter = domain::CustodyFilter {
            region: filter.region_code,
            status: filter.status.map(Into::into),
            ward_person_id: optional_id("filter.wardPersonId", filter.ward_person_id.as_ref())
                .gql(ctx)?,
        };
        let rows = ctx
            .service::<CustodyService>()
            .custodianships(&filter, &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |c| c.id.to_string(), Custodianship))
    }

    /// 一个代管关系
    async fn custodianship(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Custodianship> {
        let id = parse_id("id", &id).gql(ctx)?;
        let c = ctx
            .service::<CustodyService>()
            .custodianship(id)
            .await
            .gql(ctx)?;
        Ok(Custodianship(c))
    }

    /// 支出记录（某代管关系，最新在前）
    async fn spending_records(
        &self,
        ctx: &Context<'_>,
        custodianship_id: ID,
        from: Option<Date>,
        to: Option<Date>,
    ) -> async_graphql::Result<Vec<SpendingRecord>> {
        let id = parse_id("custodianshipId", &custodianship_id).gql(ctx)?;
        let rows = ctx
            .service::<CustodyService>()
            .spending(id, from.map(|d| d.0), to.map(|d| d.0))
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(SpendingRecord).collect())
    }

    /// 代管资金支出统计（市、区、街镇管理员，本辖区）：按月趋势、按下级区域、按被代管人按月按类别
    async fn spending_statistics(
        &self,
        ctx: &Context<'_>,
        region_code: Option<String>,
        from: String,
        to: String,
    ) -> async_graphql::Result<SpendingStatistics> {
        let s = ctx
            .service::<CustodyService>()
            .statistics(region_code.as_deref(), &from, &to)
            .await
            .gql(ctx)?;
        Ok(SpendingStatistics(s))
    }

    /// 对账（某账户，期间内）：录入与银行流水相符、仅录入、仅在流水中
    async fn spending_reconciliation(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        from: Date,
        to: Date,
    ) -> async_graphql::Result<SpendingReconciliation> {
        let id = parse_id("accountId", &account_id).gql(ctx)?;
        let r = ctx
            .service::<CustodyService>()
            .reconciliation(id, from.0, to.0)
            .await
            .gql(ctx)?;
        Ok(SpendingReconciliation(r))
    }

    /// 可登记的开户行
    async fn custody_banks(&self) -> Vec<Bank> {
        domain::BANKS
            .iter()
            .map(|(code, name)| Bank {
                code: (*code).to_owned(),
                name: (*name).to_owned(),
            })
            .collect()
    }
}

/// 代管操作
#[derive(Default)]
pub struct CustodyMutation;

#[Object]
impl CustodyMutation {
    /// 保存代管关系（被代管人所在街镇）：新建，或按版本修改
    async fn save_custodianship(
        &self,
        ctx: &Context<'_>,
        input: CustodianshipInput,
    ) -> async_graphql::Result<Custodianship> {
        let domain_input = domain::CustodianshipInput {
            id: optional_id("input.id", input.id.as_ref()).gql(ctx)?,
            version: input.version,
            ward_person_id: parse_id("input.wardPersonId", &input.ward_person_id).gql(ctx)?,
            custodian_username: input.custodian_username,
            custodian_name: input.custodian_name,
            relation: input.relation.into(),
            supervisor_username: input.supervisor_username,
            basis: input.basis.into(),
            basis_document: input.basis_document,
            starts_on: input.starts_on.0,
        };
        let c = ctx
            .service::<CustodyService>()
            .save(domain_input)
            .await
            .gql(ctx)?;
        Ok(Custodianship(c))
    }

    /// 终止代管关系（保留历史，账户随之关闭）
    async fn end_custodianship(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        ends_on: Date,
        reason: String,
    ) -> async_graphql::Result<Custodianship> {
        let id = parse_id("id", &id).gql(ctx)?;
        let c = ctx
            .service::<CustodyService>()
            .end(id, version, ends_on.0, &reason)
            .await
            .gql(ctx)?;
        Ok(Custodianship(c))
    }

    /// 登记代管账户：银行卡须通过 Luhn 校验；同一账号不能登记在两个代管关系下
    async fn add_custody_account(
        &self,
        ctx: &Context<'_>,
        input: CustodyAccountInput,
    ) -> async_graphql::Result<CustodyAccount> {
        let domain_input = domain::AccountInput {
            custodianship_id: parse_id("input.custodianshipId", &input.custodianship_id)
                .gql(ctx)?,
            kind: input.kind.into(),
            bank_code: input.bank_code,
            number: input.number,
        };
        let a = ctx
            .service::<CustodyService>()
            .add_account(domain_input)
            .await
            .gql(ctx)?;
        Ok(CustodyAccount(a))
    }

    /// 查看完整账号（仅监管人，记入审计）
    async fn reveal_custody_account_number(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> async_graphql::Result<String> {
        let id = parse_id("accountId", &account_id).gql(ctx)?;
        ctx.service::<CustodyService>()
            .reveal_account_number(id)
            .await
            .gql(ctx)
    }

    /// 导入银行流水（被代管人所在街镇）：CSV（UTF-8 或 GBK）或 XLSX，表头须含 流水号、日期、金额、
    /// 收款方（可选 类别、备注）；逐行校验并报告行号，有效行按流水号幂等导入；文件级错误不导入任何行
    async fn import_bank_statement(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        file: Upload,
    ) -> async_graphql::Result<StatementImport> {
        let id = parse_id("accountId", &account_id).gql(ctx)?;
        let (name, bytes) = read_upload(ctx, &file, None).gql(ctx)?;
        let r = ctx
            .service::<CustodyService>()
            .import_statement(id, &name, bytes)
            .await
            .gql(ctx)?;
        let int = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(StatementImport {
            rows: int(r.rows),
            imported: int(r.imported),
            already_imported: int(r.already),
            faulty: int(r.faulty),
            alerts: int(r.alerts),
            errors: r
                .errors
                .into_iter()
                .map(|e| StatementRowError {
                    row: int(e.row),
                    column: e.column,
                    message: e.message,
                })
                .collect(),
        })
    }

    /// 录入支出（代管人本人）；可附凭证（JPEG、PNG 或 PDF，按内容识别；multipart 请求须带
    /// x-zhucan-csrf 头），与记录在同一事务中保存
    async fn record_spending(
        &self,
        ctx: &Context<'_>,
        input: SpendingInput,
        receipt: Option<Upload>,
    ) -> async_graphql::Result<SpendingRecord> {
        let limit = ctx.platform().outreach.attachment_max_bytes;
        let receipt = receipt
            .map(|f| read_upload(ctx, &f, Some(limit)))
            .transpose()
            .gql(ctx)?;
        let domain_input = domain::SpendingInput {
            account_id: parse_id("input.accountId", &input.account_id).gql(ctx)?,
            amount: input.amount,
            category: input.category.into(),
            merchant: input.merchant,
            spent_on: input.spent_on.0,
            note: input.note,
            receipt,
        };
        let s = ctx
            .service::<CustodyService>()
            .record_spending(domain_input)
            .await
            .gql(ctx)?;
        Ok(SpendingRecord(s))
    }

    /// 补传支出凭证（代管人本人或街镇管理员；每条记录最多 10 个）
    async fn attach_spending_receipt(
        &self,
        ctx: &Context<'_>,
        record_id: ID,
        file: Upload,
    ) -> async_graphql::Result<CustodyFile> {
        let id = parse_id("recordId", &record_id).gql(ctx)?;
        attach(ctx, domain::FileOwner::Spending, id, &file).await
    }
}

/// Read an upload within the attachment limit and attach it to its record or alert.
pub(crate) async fn attach(
    ctx: &Context<'_>,
    owner: domain::FileOwner,
    owner_id: uuid::Uuid,
    file: &Upload,
) -> async_graphql::Result<CustodyFile> {
    let limit = ctx.platform().outreach.attachment_max_bytes;
    let (name, bytes) = read_upload(ctx, file, Some(limit)).gql(ctx)?;
    let f = ctx
        .service::<CustodyService>()
        .attach_file(owner, owner_id, &name, &bytes)
        .await
        .gql(ctx)?;
    Ok(CustodyFile(f))
}
