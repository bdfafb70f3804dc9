//! 代管卡折资金 (R32–R34): who holds a ward's bank card or passbook (代管人), who watches over
//! it (监管人), and what was spent.
//!
//! A custodianship is managed by the ward's street-town; the district and the city see it in
//! scope; the custodian and the supervisor see their own. One is in force per ward at a time
//! (a partial unique index); ending one keeps it and its history. Account numbers are stored
//! SM4-GCM encrypted with an HMAC-SM3 blind index (no number held for two wards), shown masked
//! (`6222 **** **** 1234`); only the supervisor may reveal one, one at a time, audited. Spending
//! is entered by the custodian, in fen, never in the future.

mod alerts;
mod files;
pub(crate) mod import;
mod reconcile;
pub mod rules;
mod service;
mod stats;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

pub use alerts::{
    Alert, AlertAction, AlertFilter, AlertLevel, AlertStatus, CustodyConfig, EscalationReport,
    WHAT_ALERT, addressed, escalate,
};
pub use files::{CustodyFile, FileOwner};
pub use import::{COLUMNS as STATEMENT_COLUMNS, ImportReport, MAX_REPORTED, RowError};
pub use reconcile::{MATCH_DAYS, Reconciliation, reconcile};
pub use rules::{RuleInput, Severity};
pub use service::CustodyService;
pub use stats::{
    ByCategory, MonthSpending, RegionSpending, SpendingStatistics, WardMonth, WardSpending,
    statistics_xlsx,
};

use crate::entities::{custodianship, spending_record};

/// What the error messages call a custodianship.
pub const WHAT: &str = "代管关系";
/// What the error messages call a custody account.
pub const WHAT_ACCOUNT: &str = "代管账户";
/// Blind-index purpose of account numbers.
pub const NUMBER_INDEX: &str = "custody_accounts.number";
/// Most spending records one page shows.
pub const MAX_SPENDING_PAGE: u64 = 500;

/// Banks an account may be with: CNAPS bank category codes (行别代码) of the banks Shanghai's
/// pensions and subsidies are paid through.
pub const BANKS: &[(&str, &str)] = &[
    ("102", "中国工商银行"),
    ("103", "中国农业银行"),
    ("104", "中国银行"),
    ("105", "中国建设银行"),
    ("301", "交通银行"),
    ("302", "中信银行"),
    ("303", "中国光大银行"),
    ("305", "中国民生银行"),
    ("308", "招商银行"),
    ("309", "兴业银行"),
    ("310", "上海浦东发展银行"),
    ("322", "上海农村商业银行"),
    ("325", "上海银行"),
    ("403", "中国邮政储蓄银行"),
];

/// The bank's name for a code, if it is one of [`BANKS`].
pub fn bank_name(code: &str) -> Option<&'static str> {
    BANKS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

code_enum! {
    /// 代管人与被代管人的关系
    CustodianRelation {
        /// 父母
        #[default]
        Parent = "PARENT",
        /// 配偶
        Spouse = "SPOUSE",
        /// 子女
        Child = "CHILD",
        /// 兄弟姐妹
        Sibling = "SIBLING",
        /// 监护人（其他亲属或指定监护人）
        Guardian = "GUARDIAN",
        /// 托养机构
        Institution = "INSTITUTION",
        /// 其他
        Other = "OTHER",
    }
}

code_enum! {
    /// 代管依据
    CustodyBasis {
        /// 法院裁定
        #[default]
        CourtDecision = "COURT_DECISION",
        /// 居（村）委会指定
        ResidentsCommittee = "RESIDENTS_COMMITTEE",
        /// 家庭协议
        FamilyAgreement = "FAMILY_AGREEMENT",
    }
}

code_enum! {
    /// 代管关系状态
    CustodyStatus {
        /// 生效中
        #[default]
        Active = "ACTIVE",
        /// 已终止
        Ended = "ENDED",
    }
}

code_enum! {
    /// 账户类型
    AccountKind {
        /// 银行卡
        #[default]
        Card = "CARD",
        /// 存折
        Passbook = "PASSBOOK",
    }
}

code_enum! {
    /// 支出类别
    SpendingCategory {
        /// 生活
        #[default]
        Living = "LIVING",
        /// 医疗
        Medical = "MEDICAL",
        /// 康复
        Rehabilitation = "REHABILITATION",
        /// 教育
        Education = "EDUCATION",
        /// 照护
        Care = "CARE",
        /// 其他
        Other = "OTHER",
    }
}

code_enum! {
    /// 支出记录来源
    SpendingSource {
        /// 代管人录入
        #[default]
        Entered = "ENTERED",
        /// 银行流水导入
        Imported = "IMPORTED",
    }
}

/// A custody account as its viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyAccount {
    /// Id.
    pub id: Uuid,
    /// Custodianship.
    pub custodianship_id: Uuid,
    /// 类型
    pub kind: AccountKind,
    /// 开户行代码
    pub bank_code: String,
    /// 账号（脱敏）
    pub number_masked: String,
    /// 是否在用
    pub active: bool,
    /// 登记时间
    pub created_at: DateTime<Utc>,
}

/// A custodianship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Custodianship {
    /// Id.
    pub id: Uuid,
    /// 被代管人
    pub ward_person_id: Uuid,
    /// 被代管人姓名
    pub ward_name: String,
    /// 被代管人所在街镇
    pub ward_street_code: String,
    /// 代管人账号
    pub custodian_account_id: Uuid,
    /// 代管人姓名
    pub custodian_name: String,
    /// 关系
    pub relation: CustodianRelation,
    /// 监管人账号
    pub supervisor_account_id: Uuid,
    /// 依据
    pub basis: CustodyBasis,
    /// 依据文书
    pub basis_document: Option<String>,
    /// 开始
    pub starts_on: NaiveDate,
    /// 终止
    pub ends_on: Option<NaiveDate>,
    /// 状态
    pub status: CustodyStatus,
    /// 终止原因
    pub end_reason: Option<String>,
    /// 版本
    pub version: i32,
    /// 账户
    pub accounts: Vec<CustodyAccount>,
    /// 创建
    pub created_at: DateTime<Utc>,
}

impl Custodianship {
    fn from_row(m: custodianship::Model, ward_name: String, accounts: Vec<CustodyAccount>) -> Self {
        Self {
            id: m.id,
            ward_person_id: m.ward_person_id,
            ward_name,
            ward_street_code: m.ward_street_code,
            custodian_account_id: m.custodian_account_id,
            custodian_name: m.custodian_name,
            relation: CustodianRelation::from_stored(&m.relation),
            supervisor_account_id: m.supervisor_account_id,
            basis: CustodyBasis::from_stored(&m.basis),
            basis_document: m.basis_document,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            status: CustodyStatus::from_stored(&m.status),
            end_reason: m.end_reason,
            version: m.version,
            accounts,
            created_at: m.created_at,
        }
    }
}

/// A custodianship as submitted (create when `id` is none, else edit `version`).
#[derive(Debug, Clone, Default)]
pub struct CustodianshipInput {
    /// Custodianship to edit.
    pub id: Option<Uuid>,
    /// Version read (to edit).
    pub version: Option<i32>,
    /// 被代管人
    pub ward_person_id: Uuid,
    /// 代管人登录账号（用户名）
    pub custodian_username: String,
    /// 代管人姓名
    pub custodian_name: String,
    /// 关系
    pub relation: CustodianRelation,
    /// 监管人登录账号（默认本人）
    pub supervisor_username: Option<String>,
    /// 依据
    pub basis: CustodyBasis,
    /// 依据文书编号
    pub basis_document: Option<String>,
    /// 开始日期
    pub starts_on: NaiveDate,
}

/// An account as submitted.
#[derive(Debug, Clone)]
pub struct AccountInput {
    /// Custodianship.
    pub custodianship_id: Uuid,
    /// 类型
    pub kind: AccountKind,
    /// 开户行代码
    pub bank_code: String,
    /// 账号
    pub number: String,
}

/// A spending record as entered by the custodian.
#[derive(Debug, Clone)]
pub struct SpendingInput {
    /// Account spent from.
    pub account_id: Uuid,
    /// 金额（元，最多两位小数）
    pub amount: String,
    /// 类别
    pub category: SpendingCategory,
    /// 商户或收款方
    pub merchant: String,
    /// 日期
    pub spent_on: NaiveDate,
    /// 备注
    pub note: String,
    /// 凭证（文件名、内容）：JPEG、PNG 或 PDF
    pub receipt: Option<(String, Vec<u8>)>,
}

/// One spending record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spending {
    /// Id.
    pub id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Custodianship.
    pub custodianship_id: Uuid,
    /// 金额（分）
    pub amount_fen: i64,
    /// 类别
    pub category: SpendingCategory,
    /// 商户
    pub merchant: String,
    /// 日期
    pub spent_on: NaiveDate,
    /// 备注
    pub note: String,
    /// 来源
    pub source: SpendingSource,
    /// 录入时间
    pub created_at: DateTime<Utc>,
}

impl From<spending_record::Model> for Spending {
    fn from(m: spending_record::Model) -> Self {
        Self {
            id: m.id,
            account_id: m.account_id,
            custodianship_id: m.custodianship_id,
            amount_fen: m.amount_fen,
            category: SpendingCategory::from_stored(&m.category),
            merchant: m.merchant,
            spent_on: m.spent_on,
            note: m.note,
            source: SpendingSource::from_stored(&m.source),
            created_at: m.created_at,
        }
    }
}

/// Which custodianships to list.
#[derive(Debug, Clone, Default)]
pub struct CustodyFilter {
    /// Wards of this street-town or district.
    pub region: Option<String>,
    /// Only those in force (or only ended ones).
    pub status: Option<CustodyStatus>,
    /// One ward's.
    pub ward_person_id: Option<Uuid>,
}
