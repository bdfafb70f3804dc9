//! 补贴发放 (R53–R55): subsidy types (a catalog item's eligibility rule decides who, a fixed sum
//! or a CEL expression in fen decides how much), batches per type, period and district generated
//! page by page (resumable: a rerun after a crash continues after the last committed page and
//! the database refuses a second payment), the maker–checker workflow
//! `DRAFT → GENERATED → SUBMITTED → REVIEWED → APPROVED → EXPORTED → RECONCILED`, bank files
//! and results, supplementary batches, people's own bank accounts and statistics.

mod accounts;
mod bank;
mod generate;
mod service;
mod stats;
mod types;
mod workflow;

pub use accounts::BankAccount;
pub use bank::{BankFile, BankFileFormat, ResultsImport};
pub use generate::GenerateOptions;
pub use service::SubsidyService;
pub use stats::{StatisticsBy, SubsidyStatistics, SubsidyStatisticsRow};
pub use types::{SubsidyType, SubsidyTypeInput};
pub use workflow::Decision;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use crate::entities::{subsidy_batch, subsidy_change, subsidy_item};
use crate::error::{DomainError, DomainResult};

/// What a subsidy type is called in messages.
pub const WHAT_TYPE: &str = "补贴类型";
/// What a batch is called in messages.
pub const WHAT_BATCH: &str = "发放批次";
/// What an item is called in messages.
pub const WHAT_ITEM: &str = "发放明细";
/// What a person's bank account is called in messages.
pub const WHAT_ACCOUNT: &str = "收款账户";
/// The blind-index purpose of personal account numbers.
pub const NUMBER_INDEX: &str = "person_bank_accounts.number";
/// People generated per page (each page one transaction).
pub const PAGE: u64 = 2_000;

/// Configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct SubsidyConfig {
    /// Write CSV bank files in GBK (most Chinese banks' systems) instead of UTF-8.
    pub bank_file_gbk: bool,
}

code_enum! {
    /// How often a subsidy is paid.
    PeriodKind {
        /// 按月
        #[default]
        Month = "MONTH",
        /// 按季
        Quarter = "QUARTER",
        /// 按年
        Year = "YEAR",
    }
}

code_enum! {
    /// Which account a subsidy is paid into.
    Payee {
        /// 本人账户
        #[default]
        Own = "OWN",
        /// 代管账户 (the person's own account when they have no custodianship).
        Custody = "CUSTODY",
    }
}

code_enum! {
    /// Workflow state of a batch.
    BatchStatus {
        /// 生成中 (a rerun resumes it).
        #[default]
        Draft = "DRAFT",
        /// 已生成 (the maker may adjust).
        Generated = "GENERATED",
        /// 已提交 (awaiting the district's review).
        Submitted = "SUBMITTED",
        /// 区已审核 (awaiting the city's approval).
        Reviewed = "REVIEWED",
        /// 市已审批
        Approved = "APPROVED",
        /// 已导出银行文件
        Exported = "EXPORTED",
        /// 已对账
        Reconciled = "RECONCILED",
    }
}

code_enum! {
    /// Regular or supplementary.
    BatchKind {
        /// 正常批次
        #[default]
        Regular = "REGULAR",
        /// 补发批次
        Supplementary = "SUPPLEMENTARY",
    }
}

code_enum! {
    /// State of one payment.
    ItemStatus {
        /// 待发放
        #[default]
        Pending = "PENDING",
        /// 已发放
        Paid = "PAID",
        /// 发放失败
        Failed = "FAILED",
    }
}

code_enum! {
    /// A difference against the previous period, or an exclusion.
    ChangeKind {
        /// 新增
        #[default]
        New = "NEW",
        /// 停发
        Stopped = "STOPPED",
        /// 金额变化
        Changed = "CHANGED",
        /// 排除（注销、死亡）
        Excluded = "EXCLUDED",
        /// 经办人剔除
        Removed = "REMOVED",
    }
}

code_enum! {
    /// Bank account kind.
    AccountKind {
        /// 银行卡
        #[default]
        Card = "CARD",
        /// 存折
        Passbook = "PASSBOOK",
    }
}

/// A payment period: `2026-11` (month), `2026-Q4` (quarter) or `2026` (year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// A month.
    Month(i32, u32),
    /// A quarter 1–4.
    Quarter(i32, u32),
    /// A year.
    Year(i32),
}

impl Period {
    /// Parse `raw` as a period of `kind`; `field` names the input in errors.
    pub fn parse(field: &str, kind: PeriodKind, raw: &str) -> DomainResult<Self> {
        let s = raw.trim();
        let bad = |m: &str| DomainError::bad_input(field, m);
        let year = |y: &str| {
            y.parse::<i32>()
                .ok()
                .filter(|n| (2000..=2100).contains(n) && y.len() == 4)
                .ok_or_else(|| bad("年份应为 2000–2100 的四位数字"))
        };
        match kind {
            PeriodKind::Month => {
                let (y, m) = s
                    .split_once('-')
                    .ok_or_else(|| bad("按月发放的期次格式为 YYYY-MM，如 2026-11"))?;
                let m: u32 = m
                    .parse()
                    .ok()
                    .filter(|m| (1..=12).contains(m) && s.len() == 7)
                    .ok_or_else(|| bad("月份应为 01–12，格式 YYYY-MM"))?;
                Ok(Self::Month(year(y)?, m))
            }
            PeriodKind::Quarter => {
                let (y, q) = s
                    .split_once("-Q")
                    .ok_or_else(|| bad("按季发放的期次格式为 YYYY-Qn，如 2026-Q4"))?;
                let q: u32 = q
                    .parse()
                    .ok()
                    .filter(|q| (1..=4).contains(q))
                    .ok_or_else(|| bad("季度应为 1–4"))?;
                Ok(Self::Quarter(year(y)?, q))
            }
            PeriodKind::Year => Ok(Self::Year(
                year(s).map_err(|_| bad("按年发放的期次格式为 YYYY，如 2026"))?,
            )),
        }
    }

    /// The period before.
    pub fn previous(self) -> Self {
        match self {
            Self::Month(y, 1) => Self::Month(y - 1, 12),
            Self::Month(y, m) => Self::Month(y, m - 1),
            Self::Quarter(y, 1) => Self::Quarter(y - 1, 4),
            Self::Quarter(y, q) => Self::Quarter(y, q - 1),
            Self::Year(y) => Self::Year(y - 1),
        }
    }

    /// The first day of the period.
    pub fn first_day(self) -> NaiveDate {
        let (y, m) = match self {
            Self::Month(y, m) => (y, m),
            Self::Quarter(y, q) => (y, (q - 1) * 3 + 1),
            Self::Year(y) => (y, 1),
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default()
    }

    /// Whether the period has begun on `today` (batches are not generated ahead of time).
    pub fn has_begun(self, today: NaiveDate) -> bool {
        self.first_day() <= today
    }

    /// The period containing `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Self {
        match kind {
            PeriodKind::Month => Self::Month(day.year(), day.month()),
            PeriodKind::Quarter => Self::Quarter(day.year(), (day.month() - 1) / 3 + 1),
            PeriodKind::Year => Self::Year(day.year()),
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Month(y, m) => write!(f, "{y}-{m:02}"),
            Self::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Self::Year(y) => write!(f, "{y}"),
        }
    }
}

/// A batch as shown.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Stored row.
    pub row: subsidy_batch::Model,
    /// The type's name.
    pub type_name: String,
}

impl Batch {
    /// State.
    pub fn status(&self) -> BatchStatus {
        BatchStatus::parse("status", &self.row.status).unwrap_or_default()
    }
    /// Kind.
    pub fn kind(&self) -> BatchKind {
        BatchKind::parse("kind", &self.row.kind).unwrap_or_default()
    }
}

/// One payment as shown.
#[derive(Debug, Clone)]
pub struct Item {
    /// Stored row.
    pub row: subsidy_item::Model,
    /// The person's name.
    pub person_name: String,
    /// The type's name.
    pub type_name: String,
    /// The account paid into, masked (`6222 **** **** 1234`).
    pub account_masked: Option<String>,
}

impl Item {
    /// State.
    pub fn status(&self) -> ItemStatus {
        ItemStatus::parse("status", &self.row.status).unwrap_or_default()
    }
}

/// A change as shown.
#[derive(Debug, Clone)]
pub struct Change {
    /// Stored row.
    pub row: subsidy_change::Model,
    /// The person's name.
    pub person_name: String,
}

impl Change {
    /// Kind.
    pub fn kind(&self) -> ChangeKind {
        ChangeKind::parse("kind", &self.row.kind).unwrap_or_default()
    }
}

/// A person's subsidy as their file shows it.
#[derive(Debug, Clone)]
pub struct PersonSubsidy {
    /// The item.
    pub row: subsidy_item::Model,
    /// The type's name.
    pub type_name: String,
}

/// The time now (for rows).
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Today in Shanghai.
pub(crate) fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// An id list for messages.
pub(crate) fn short(id: Uuid) -> String {
    id.simple().to_string()[..8].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_print_and_step_back() {
        let m = Period::parse("p", PeriodKind::Month, "2026-01").unwrap();
        assert_eq!(m.to_string(), "2026-01");
        assert_eq!(m.previous().to_string(), "2025-12");
        let q = Period::parse("p", PeriodKind::Quarter, "2026-Q1").unwrap();
        assert_eq!(q.previous().to_string(), "2025-Q4");
        assert_eq!(q.first_day(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let y = Period::parse("p", PeriodKind::Year, "2026").unwrap();
        assert_eq!(y.previous().to_string(), "2025");
        for (kind, bad) in [
            (PeriodKind::Month, "2026-13"),
            (PeriodKind::Month, "2026-1"),
            (PeriodKind::Month, "26-11"),
            (PeriodKind::Quarter, "2026-Q5"),
            (PeriodKind::Quarter, "2026-11"),
            (PeriodKind::Year, "2026-11"),
            (PeriodKind::Year, "1999"),
        ] {
            let e = Period::parse("period", kind, bad).unwrap_err().to_string();
            assert!(e.starts_with("period:"), "{bad}: {e}");
        }
        let d = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            Period::containing(PeriodKind::Quarter, d).to_string(),
            "2026-Q4"
        );
        assert!(m.has_begun(d));
        assert!(!Period::Month(2027, 1).has_begun(d));
    }
}
