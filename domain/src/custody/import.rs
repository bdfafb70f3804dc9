//! Bank statements imported by staff (R34): CSV (UTF-8 or GBK — banks export GBK — read by the
//! `csv` crate after decoding with `encoding_rs`) or XLSX (first sheet, read by `calamine`).
//! The header must name the template's columns (any order); a file-level fault (unknown format,
//! undecodable text, a wrong header, no rows) imports nothing. Every row is validated and its
//! faults reported with its row number; the valid rows are imported in one transaction,
//! idempotently by (account, bank transaction id): importing the same statement again adds nothing.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};
use uuid::Uuid;

use super::{CustodyService, CustodyStatus, SpendingCategory, SpendingSource, WHAT_ACCOUNT};
use crate::entities::{custody_account, spending_record};
use crate::error::{DomainError, DomainResult};
use crate::types::{BoundedText, Fen};

/// The template's columns: transaction id, date, amount (yuan), payee; category and note are
/// optional.
pub const COLUMNS: [&str; 6] = ["流水号", "日期", "金额", "收款方", "类别", "备注"];
const REQUIRED: usize = 4;
/// Most row faults reported (the rest are counted).
pub const MAX_REPORTED: usize = 200;
/// Rows per insert statement.
const BATCH: usize = 500;

/// One faulty row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Row number in the file (the header is row 1).
    pub row: usize,
    /// Column.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Rows imported now.
    pub imported: usize,
    /// Valid rows already imported before (same transaction id).
    pub already: usize,
    /// Faulty rows, in all.
    pub faulty: usize,
    /// The first [`MAX_REPORTED`] faults.
    pub errors: Vec<RowError>,
}

/// Text of a statement: UTF-8 (with or without BOM) or GBK.
fn decode(bytes: &[u8]) -> DomainResult<String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok(s.to_owned());
    }
    let (text, _, malformed) = encoding_rs::GBK.decode(body);
    if malformed {
        return Err(DomainError::bad_input(
            "file",
            "文件编码无法识别：应为 UTF-8 或 GBK，且全文使用同一种编码",
        ));
    }
    Ok(text.into_owned())
}

/// The rows of a statement as text cells, the header first.
fn read_rows(file_name: &str, bytes: &[u8]) -> DomainResult<Vec<Vec<String>>> {
    let lower = file_name.to_lowercase();
    if bytes.starts_with(b"PK\x03\x04") || lower.ends_with(".xlsx") {
        use calamine::{Data, Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
            .map_err(|_| DomainError::bad_input("file", "无法读取 XLSX 文件"))?;
        let range = wb
            .worksheet_range_at(0)
            .ok_or_else(|| DomainError::bad_input("file", "XLSX 文件没有工作表"))?
            .map_err(|_| DomainError::bad_input("file", "无法读取 XLSX 工作表"))?;
        return Ok(range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::DateTime(d) => excel_date(d.as_f64()),
                        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                            format!("{f:.0}")
                        }
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect());
    }
    if !(lower.ends_with(".csv") || lower.ends_with(".txt")) {
        return Err(DomainError::bad_input(
            "file",
            "只支持 CSV 或 XLSX 格式的流水文件",
        ));
    }
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|_| {
            DomainError::bad_input("file", format!("第 {} 行不是有效的 CSV", i + 1))
        })?;
        out.push(rec.iter().map(|c| c.trim().to_owned()).collect());
    }
    Ok(out)
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    #[expect(clippy::cast_possible_truncation, reason = "dates are far below i64")]
    let days = serial.floor() as i64;
    (base + chrono::Duration::days(days)).to_string()
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
        .or_else(|| {
            // `2026-11-02 08:15:00` and the like: the date part.
            raw.split_whitespace()
                .next()
                .filter(|d| *d != raw)
                .and_then(parse_date)
        })
}

fn category_of(raw: &str) -> Option<SpendingCategory> {
    Some(match raw.trim() {
        "" | "其他" | "OTHER" => SpendingCategory::Other,
        "生活" | "LIVING" => SpendingCategory::Living,
        "医疗" | "MEDICAL" => SpendingCategory::Medical,
        "康复" | "REHABILITATION" => SpendingCategory::Rehabilitation,
        "教育" | "EDUCATION" => SpendingCategory::Education,
        "照护" | "CARE" => SpendingCategory::Care,
        _ => return None,
    })
}

impl CustodyService<'_> {
    /// 导入银行流水 (the ward's street admin) for one account of a custodianship in force.
    pub async fn import_statement(
        &self,
        account_id: Uuid,
        file_name: &str,
        bytes: &[u8],
    ) -> DomainResult<ImportReport> {
        self.audited("custody.statement.import", account_id.to_string(), async {
            let (viewer, _) = self.manager()?;
            let a = custody_account::Entity::find_by_id(account_id)
                .one(self.p.db.conn())
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_ACCOUNT })?;
            let c = self
                .managed(self.p.db.conn(), a.custodianship_id)
                .await
                .map_err(|_| DomainError::NotFound { what: WHAT_ACCOUNT })?;
            if c.status != CustodyStatus::Active.as_str() || a.status != "ACTIVE" {
                return Err(DomainError::Conflict(
                    "代管关系已终止或账户已关闭".to_owned(),
                ));
            }
            let rows = read_rows(file_name, bytes)?;
            let Some((header, data)) = rows.split_first() else {
                return Err(DomainError::bad_input("file", "文件为空"));
            };
            let position = |name: &str| header.iter().position(|h| h.trim() == name);
            let cols: Vec<Option<usize>> = COLUMNS.iter().map(|c| position(c)).collect();
            if cols[..REQUIRED].iter().any(Option::is_none) {
                return Err(DomainError::bad_input(
                    "file",
                    format!(
                        "表头不正确：须包含 {}（可选 {}），实际为 {}",
                        COLUMNS[..REQUIRED].join("、"),
                        COLUMNS[REQUIRED..].join("、"),
                        header.join("、")
                    ),
                ));
            }
            let data: Vec<(usize, &Vec<String>)> = data
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r))
                .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
                .collect();
            if data.is_empty() {
                return Err(DomainError::bad_input("file", "文件没有数据行"));
            }
            let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
            let cell = |r: &Vec<String>, k: usize| -> String {
                cols[k].and_then(|i| r.get(i)).cloned().unwrap_or_default()
            };
            let mut errors = Vec::new();
            let mut faulty = 0usize;
            let mut seen = HashSet::new();
            let mut valid = Vec::new();
            let actor: String = viewer.username.chars().take(64).collect();
            let now = Utc::now();
            for (row, r) in &data {
                let mut fault = |column: &str, message: String| {
                    if errors.len() < MAX_REPORTED {
                        errors.push(RowError {
                            row: *row,
                            column: column.to_owned(),
                            message,
                        });
                    }
                };
                let txn = cell(r, 0);
                let (date, amount, payee) = (cell(r, 1), cell(r, 2), cell(r, 3));
                let mut ok = true;
                if txn.is_empty() || txn.chars().count() > 64 {
                    fault("流水号", "流水号不能为空，且不超过 64 个字符".to_owned());
                    ok = false;
                } else if !seen.insert(txn.clone()) {
                    fault("流水号", format!("流水号 {txn} 在文件中重复"));
                    ok = false;
                }
                let spent_on = match parse_date(&date) {
                    Some(d) if d > today => {
                        fault("日期", "日期不能晚于今天".to_owned());
                        None
                    }
                    Some(d) if d < c.starts_on => {
                        fault("日期", "日期早于代管关系开始日期".to_owned());
                        None
                    }
                    Some(d) => Some(d),
                    None => {
                        fault("日期", format!("无法识别的日期：{date}"));
                        None
                    }
                };
                let fen = match Fen::parse_yuan("金额", &amount) {
                    Ok(f) => Some(f),
                    Err(DomainError::BadInput { message, .. }) => {
                        fault("金额", message);
                        None
                    }
                    Err(e) => return Err(e),
                };
                let merchant = match BoundedText::parse("收款方", &payee, 100) {
                    Ok(m) => Some(m.into_string()),
                    Err(_) => {
                        fault("收款方", "收款方不能为空，且不超过 100 个字符".to_owned());
                        None
                    }
                };
                let category = category_of(&cell(r, 4));
                if category.is_none() {
                    fault(
                        "类别",
                        "类别应为 生活、医疗、康复、教育、照护 或 其他".to_owned(),
                    );
                }
                let note: String = cell(r, 5).chars().take(500).collect();
                match (ok, spent_on, fen, merchant, category) {
                    (true, Some(on), Some(fen), Some(merchant), Some(category)) => {
                        valid.push(spending_record::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            account_id: Set(a.id),
                            custodianship_id: Set(c.id),
                            ward_person_id: Set(c.ward_person_id),
                            street_code: Set(c.ward_street_code.clone()),
                            amount_fen: Set(fen.fen()),
                            category: Set(category.as_str().to_owned()),
                            merchant: Set(merchant),
                            spent_on: Set(on),
                            note: Set(note),
                            source: Set(SpendingSource::Imported.as_str().to_owned()),
                            bank_txn_id: Set(Some(txn)),
                            entered_by: Set(actor.clone()),
                            created_at: Set(now),
                        });
                    }
                    _ => faulty += 1,
                }
            }
            let total_valid = valid.len();
            let w = self.p.db.begin_write().await?;
            let mut imported = 0u64;
            let mut batches = valid.into_iter().peekable();
            while batches.peek().is_some() {
                let batch: Vec<_> = batches.by_ref().take(BATCH).collect();
                imported += spending_record::Entity::insert_many(batch)
                    .on_conflict(
                        OnConflict::columns([
                            spending_record::Column::AccountId,
                            spending_record::Column::BankTxnId,
                        ])
                        .do_nothing()
                        .to_owned(),
                    )
                    .exec_without_returning(&w.txn)
                    .await?;
                if imported > 0 && imported % 10_000 < BATCH as u64 {
                    tracing::info!(imported, rows = data.len(), "statement import progress");
                }
            }
            let imported = usize::try_from(imported).unwrap_or(usize::MAX);
            let report = ImportReport {
                rows: data.len(),
                imported,
                already: total_valid - imported.min(total_valid),
                faulty,
                errors,
            };
            self.append(
                &w.txn,
                "custody.statement.import",
                c.id,
                format!(
                    "account={} rows={} imported={} already={} faulty={}",
                    a.id, report.rows, report.imported, report.already, report.faulty
                ),
            )
            .await?;
            w.commit().await?;
            Ok(report)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_decode_from_utf8_or_gbk_and_mixed_text_is_refused() {
        let utf8 = "流水号,日期\n1,2026-11-02\n";
        assert_eq!(decode(utf8.as_bytes()).unwrap(), utf8);
        let (gbk, _, _) = encoding_rs::GBK.encode(utf8);
        assert_eq!(decode(&gbk).unwrap(), utf8);
        let mut mixed = gbk.to_vec();
        mixed.extend_from_slice("收款方".as_bytes());
        mixed.push(0xFF);
        assert!(decode(&mixed).is_err());
    }

    #[test]
    fn dates_and_categories_parse_as_banks_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for raw in [
            "2026-11-02",
            "2026/11/02",
            "20261102",
            "2026.11.02",
            "2026-11-02 08:15:00",
        ] {
            assert_eq!(parse_date(raw), Some(d), "{raw}");
        }
        assert_eq!(parse_date("11/02/2026"), None);
        assert_eq!(excel_date(46_328.0), "2026-11-02");
        assert_eq!(category_of("医疗"), Some(SpendingCategory::Medical));
        assert_eq!(category_of(""), Some(SpendingCategory::Other));
        assert_eq!(category_of("吃饭"), None);
    }
}
