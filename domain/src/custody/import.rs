//! Bank statements imported by staff (R34): CSV (UTF-8 or GBK — banks export GBK — read by the
//! `csv` crate, each field decoded with `encoding_rs`) or XLSX (first sheet, read by `calamine`).
//! The header must name the template's columns (any order); a file-level fault (unknown format,
//! text in two encodings, a wrong header, no rows) imports nothing. Every row is validated and
//! its faults reported with its row number; the valid rows are imported in one transaction,
//! idempotently by (account, bank transaction id): importing the same statement again adds
//! nothing. CSV is streamed — a batch of rows at a time is held, never the file — so a
//! million-row statement imports from the command line (`zhucan custody import`) in flat
//! memory. Every imported row runs through the abnormal-spending rules, its day's total and
//! count on the account included.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};

use chrono::{NaiveDate, NaiveTime, Timelike, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use super::alerts::{Raised, Ward, day_totals, publish, raise, supervisor_phone};
use super::rules::RuleSet;
use super::{CustodyService, CustodyStatus, SpendingCategory, SpendingSource, WHAT_ACCOUNT};
use crate::entities::{custodianship, custody_account, spending_record};
use crate::error::{DomainError, DomainResult};
use crate::types::{BoundedText, Fen};

/// The template's columns: transaction id, date, amount (yuan), payee are required; category,
/// note, balance after (yuan) and time are optional.
pub const COLUMNS: [&str; 8] = [
    "流水号",
    "日期",
    "金额",
    "收款方",
    "类别",
    "备注",
    "余额",
    "时间",
];
const REQUIRED: usize = 4;
/// Most row faults reported (the rest are counted).
pub const MAX_REPORTED: usize = 200;
/// Rows per batch (one lookup, one insert, one rule pass).
const BATCH: usize = 1_000;
/// Rows between progress reports.
pub const PROGRESS_EVERY: usize = 50_000;

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
    /// Alerts raised by the imported rows.
    pub alerts: usize,
}

/// The rows of a statement as text cells, the header first, one at a time.
pub type Rows = Box<dyn Iterator<Item = DomainResult<Vec<String>>> + Send>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Gbk,
}

/// The encoding of a statement from its first bytes: UTF-8 if they are (a character cut at the
/// end of the sample allowed), else GBK.
fn sniff_encoding(sample: &[u8]) -> Encoding {
    match std::str::from_utf8(sample) {
        Ok(_) => Encoding::Utf8,
        Err(e) if e.error_len().is_none() => Encoding::Utf8,
        Err(_) => Encoding::Gbk,
    }
}

fn mixed(row: usize) -> DomainError {
    DomainError::bad_input(
        "file",
        format!("第 {row} 行的编码与文件开头不一致：应为 UTF-8 或 GBK，且全文使用同一种编码"),
    )
}

fn decode_field(encoding: Encoding, bytes: &[u8], row: usize) -> DomainResult<String> {
    let text = match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes)
            .map_err(|_| mixed(row))?
            .to_owned(),
        Encoding::Gbk => encoding_rs::GBK
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or_else(|| mixed(row))?
            .into_owned(),
    };
    Ok(text.trim().to_owned())
}

/// A CSV statement read as it streams: the encoding is decided from the first 64 KiB (GBK's
/// trail bytes never collide with `,`, `"` or a line break, so the `csv` crate splits GBK text
/// correctly), each field is decoded on its own, and a field in the other encoding is a
/// file-level fault.
pub fn csv_rows<R: Read + Send + 'static>(reader: R) -> DomainResult<Rows> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let sample = reader
        .fill_buf()
        .map_err(|_| DomainError::bad_input("file", "无法读取文件"))?;
    let bom = sample.starts_with(b"\xEF\xBB\xBF");
    let encoding = sniff_encoding(if bom { &sample[3..] } else { sample });
    if bom {
        reader.consume(3);
    }
    let records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader)
        .into_byte_records();
    Ok(Box::new(records.enumerate().map(move |(i, rec)| {
        let rec = rec.map_err(|_| {
            DomainError::bad_input("file", format!("第 {} 行不是有效的 CSV", i + 1))
        })?;
        rec.iter()
            .map(|f| decode_field(encoding, f, i + 1))
            .collect()
    })))
}

/// An XLSX statement's first sheet (read whole: XLSX is a zip; large statements come as CSV).
pub fn xlsx_rows<R: Read + std::io::Seek>(reader: R) -> DomainResult<Rows> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        Xlsx::new(reader).map_err(|_| DomainError::bad_input("file", "无法读取 XLSX 文件"))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| DomainError::bad_input("file", "XLSX 文件没有工作表"))?
        .map_err(|_| DomainError::bad_input("file", "无法读取 XLSX 工作表"))?;
    let rows: Vec<DomainResult<Vec<String>>> = range
        .rows()
        .map(|r| {
            Ok(r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::DateTime(d) => excel_date(d.as_f64()),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
                    other => other.to_string().trim().to_owned(),
                })
                .collect())
        })
        .collect();
    Ok(Box::new(rows.into_iter()))
}

/// The rows of an uploaded statement, by its content and name.
pub fn rows_of(file_name: &str, bytes: Vec<u8>) -> DomainResult<Rows> {
    let lower = file_name.to_lowercase();
    if bytes.starts_with(b"PK\x03\x04") || lower.ends_with(".xlsx") {
        return xlsx_rows(std::io::Cursor::new(bytes));
    }
    if !(lower.ends_with(".csv") || lower.ends_with(".txt")) {
        return Err(DomainError::bad_input(
            "file",
            "只支持 CSV 或 XLSX 格式的流水文件",
        ));
    }
    csv_rows(std::io::Cursor::new(bytes))
}

/// The rows of a statement file on disk (the command line), streamed when it is CSV.
pub fn rows_of_path(path: &std::path::Path) -> DomainResult<Rows> {
    let name = path.to_string_lossy().to_lowercase();
    let file = std::fs::File::open(path)
        .map_err(|e| DomainError::bad_input("file", format!("无法打开文件：{e}")))?;
    if name.ends_with(".xlsx") {
        return xlsx_rows(BufReader::new(file));
    }
    csv_rows(file)
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`, with the time when it has one.
fn excel_date(serial: f64) -> String {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    #[expect(clippy::cast_possible_truncation, reason = "dates are far below i64")]
    let days = serial.floor() as i64;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a fraction of a day in seconds"
    )]
    let secs = ((serial - serial.floor()) * 86_400.0).round() as u32;
    let date = base + chrono::Duration::days(days);
    match NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).filter(|_| secs > 0) {
        Some(t) => format!("{date} {}", t.format("%H:%M:%S")),
        None => date.to_string(),
    }
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

/// The hour of a time cell (`08:15:00`, `08:15`, `081500`) or of a date cell with a time.
fn parse_hour(raw: &str) -> Option<u32> {
    let raw = raw.trim();
    let t = raw.split_whitespace().last().unwrap_or(raw);
    ["%H:%M:%S", "%H:%M", "%H%M%S"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(t, f).ok())
        .map(|t| t.hour())
}

/// A balance in yuan, zero allowed.
fn parse_balance(raw: &str) -> Result<Option<i64>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches(['0', '.'])
        .is_empty()
    {
        return Ok(Some(0));
    }
    match Fen::parse_yuan("余额", raw) {
        Ok(f) => Ok(Some(f.fen())),
        Err(DomainError::BadInput { message, .. }) => Err(message.replace("金额", "余额")),
        Err(_) => Err("余额格式不正确".to_owned()),
    }
}

fn category_of(raw: &str) -> Option<SpendingCategory> {
    Some(match raw.trim() {
        "" | "其他" | "OTHER" => SpendingCategory::Other,
        "生活" | "LIVING" => SpendingCategory::Living,
        "医疗" | "MEDICAL" => SpendingCategory::Medical,
        "康复" | "REHABILITATION" => SpendingCategory::Rehabilitation,
        "教育" | "EDUCATION" => SpendingCategory::Education,
        "照护" | "托养" | "CARE" => SpendingCategory::Care,
        _ => return None,
    })
}

fn active(m: &spending_record::Model) -> spending_record::ActiveModel {
    spending_record::ActiveModel {
        id: Set(m.id),
        account_id: Set(m.account_id),
        custodianship_id: Set(m.custodianship_id),
        ward_person_id: Set(m.ward_person_id),
        street_code: Set(m.street_code.clone()),
        amount_fen: Set(m.amount_fen),
        category: Set(m.category.clone()),
        merchant: Set(m.merchant.clone()),
        spent_on: Set(m.spent_on),
        note: Set(m.note.clone()),
        source: Set(m.source.clone()),
        bank_txn_id: Set(m.bank_txn_id.clone()),
        entered_by: Set(m.entered_by.clone()),
        created_at: Set(m.created_at),
        import_id: Set(m.import_id),
        spent_hour: Set(m.spent_hour),
        balance_fen: Set(m.balance_fen),
    }
}

/// An import under way: what it has counted and the batch it holds.
struct Import<'c> {
    c: &'c custodianship::Model,
    import_id: Uuid,
    report: ImportReport,
    batch: Vec<(usize, spending_record::Model)>,
    batch_ids: HashSet<String>,
    raised: Vec<Raised>,
    /// Each day's total and count on the account: read from the database the first time a
    /// batch holds the day, then kept up to date with the rows this import adds (re-reading
    /// every batch's days made an import quadratic in the rows of its days).
    days: HashMap<NaiveDate, (i64, i64)>,
}

impl Import<'_> {
    fn fault(&mut self, row: usize, column: &str, message: String) {
        if self.report.errors.len() < MAX_REPORTED {
            self.report.errors.push(RowError {
                row,
                column: column.to_owned(),
                message,
            });
        }
    }
}

impl CustodyService<'_> {
    /// 导入银行流水 (the ward's street admin) for one account of a custodianship in force.
    pub async fn import_statement(
        &self,
        account_id: Uuid,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> DomainResult<ImportReport> {
        self.audited("custody.statement.import", account_id.to_string(), async {
            // The street-town's admins, or the operator's console (the demo seeding).
            if self.caller.console_operator("").is_err() {
                self.manager()?;
            }
            let rows = rows_of(file_name, bytes)?;
            self.import_rows(account_id, rows, &|_| {}).await
        })
        .await
    }

    /// 导入银行流水 from the console (`zhucan custody import`): the operator holds the keys; the
    /// file is streamed and `progress` hears the rows read every [`PROGRESS_EVERY`].
    pub async fn import_statement_file(
        &self,
        account_id: Uuid,
        path: &std::path::Path,
        progress: &(dyn Fn(usize) + Sync),
    ) -> DomainResult<ImportReport> {
        self.audited("custody.statement.import", account_id.to_string(), async {
            self.caller
                .console_operator("只能在服务器控制台导入流水文件")?;
            let rows = rows_of_path(path)?;
            self.import_rows(account_id, rows, progress).await
        })
        .await
    }

    async fn import_rows(
        &self,
        account_id: Uuid,
        mut rows: Rows,
        progress: &(dyn Fn(usize) + Sync),
    ) -> DomainResult<ImportReport> {
        let conn = self.p.db.conn();
        let a = custody_account::Entity::find_by_id(account_id)
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_ACCOUNT })?;
        let c = if self.caller.console_operator("").is_ok() {
            custodianship::Entity::find_by_id(a.custodianship_id)
                .one(conn)
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_ACCOUNT })?
        } else {
            self.managed(conn, a.custodianship_id)
                .await
                .map_err(|_| DomainError::NotFound { what: WHAT_ACCOUNT })?
        };
        if c.status != CustodyStatus::Active.as_str() || a.status != "ACTIVE" {
            return Err(DomainError::Conflict(
                "代管关系已终止或账户已关闭".to_owned(),
            ));
        }
        let header = rows
            .next()
            .transpose()?
            .ok_or_else(|| DomainError::bad_input("file", "文件为空"))?;
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
        let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
        let actor: String = match self.caller.viewer() {
            Ok(v) => v.username.chars().take(64).collect(),
            Err(_) => self.caller.actor().id.chars().take(64).collect(),
        };
        let now = Utc::now();
        let mut rules = RuleSet::load(&self.p.db).await?;
        let ward = Ward::load(conn, self.p, c.ward_person_id, today).await?;
        let supervisor = supervisor_phone(conn, self.p, c.supervisor_account_id).await?;
        let w = self.p.db.begin_write().await?;
        let mut im = Import {
            c: &c,
            import_id: Uuid::now_v7(),
            report: ImportReport {
                rows: 0,
                imported: 0,
                already: 0,
                faulty: 0,
                errors: Vec::new(),
                alerts: 0,
            },
            batch: Vec::with_capacity(BATCH),
            batch_ids: HashSet::new(),
            raised: Vec::new(),
            days: HashMap::new(),
        };
        let mut line = 1usize;
        for r in rows.by_ref() {
            let r = r?;
            line += 1;
            if r.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            im.report.rows += 1;
            if im.report.rows.is_multiple_of(PROGRESS_EVERY) {
                progress(im.report.rows);
                tracing::info!(
                    rows = im.report.rows,
                    imported = im.report.imported,
                    "statement import progress"
                );
            }
            let cell =
                |k: usize| -> &str { cols[k].and_then(|i| r.get(i)).map_or("", String::as_str) };
            let mut ok = true;
            let txn = cell(0).to_owned();
            if txn.is_empty() || txn.chars().count() > 64 {
                im.fault(
                    line,
                    "流水号",
                    "流水号不能为空，且不超过 64 个字符".to_owned(),
                );
                ok = false;
            } else if im.batch_ids.contains(&txn) {
                im.fault(line, "流水号", format!("流水号 {txn} 在文件中重复"));
                ok = false;
            }
            let date = cell(1);
            let spent_on = match parse_date(date) {
                Some(d) if d > today => {
                    im.fault(line, "日期", "日期不能晚于今天".to_owned());
                    None
                }
                Some(d) if d < c.starts_on => {
                    im.fault(line, "日期", "日期早于代管关系开始日期".to_owned());
                    None
                }
                Some(d) => Some(d),
                None => {
                    im.fault(line, "日期", format!("无法识别的日期：{date}"));
                    None
                }
            };
            let hour = parse_hour(cell(7)).or_else(|| parse_hour(date));
            let fen = match Fen::parse_yuan("金额", cell(2)) {
                Ok(f) => Some(f),
                Err(DomainError::BadInput { message, .. }) => {
                    im.fault(line, "金额", message);
                    None
                }
                Err(e) => return Err(e),
            };
            let merchant = match BoundedText::parse("收款方", cell(3), 100) {
                Ok(m) => Some(m.into_string()),
                Err(_) => {
                    im.fault(
                        line,
                        "收款方",
                        "收款方不能为空，且不超过 100 个字符".to_owned(),
                    );
                    None
                }
            };
            let category = category_of(cell(4));
            if category.is_none() {
                im.fault(
                    line,
                    "类别",
                    "类别应为 生活、医疗、康复、教育、照护 或 其他".to_owned(),
                );
            }
            let balance = match parse_balance(cell(6)) {
                Ok(b) => b,
                Err(message) => {
                    im.fault(line, "余额", message);
                    ok = false;
                    None
                }
            };
            let note: String = cell(5).chars().take(500).collect();
            match (ok, spent_on, fen, merchant, category) {
                (true, Some(on), Some(fen), Some(merchant), Some(category)) => {
                    im.batch_ids.insert(txn.clone());
                    im.batch.push((
                        line,
                        spending_record::Model {
                            id: Uuid::now_v7(),
                            account_id: a.id,
                            custodianship_id: c.id,
                            ward_person_id: c.ward_person_id,
                            street_code: c.ward_street_code.clone(),
                            amount_fen: fen.fen(),
                            category: category.as_str().to_owned(),
                            merchant,
                            spent_on: on,
                            note,
                            source: SpendingSource::Imported.as_str().to_owned(),
                            bank_txn_id: Some(txn),
                            entered_by: actor.clone(),
                            created_at: now,
                            import_id: Some(im.import_id),
                            spent_hour: hour.and_then(|h| i16::try_from(h).ok()),
                            balance_fen: balance,
                        },
                    ));
                }
                _ => im.report.faulty += 1,
            }
            if im.batch.len() >= BATCH {
                self.flush(&w.txn, &mut im, &ward, supervisor.as_ref(), &mut rules)
                    .await?;
            }
        }
        self.flush(&w.txn, &mut im, &ward, supervisor.as_ref(), &mut rules)
            .await?;
        if im.report.rows == 0 {
            return Err(DomainError::bad_input("file", "文件没有数据行"));
        }
        let report = im.report;
        self.append(
            &w.txn,
            "custody.statement.import",
            c.id,
            format!(
                "account={} import={} rows={} imported={} already={} faulty={} alerts={}",
                a.id,
                im.import_id,
                report.rows,
                report.imported,
                report.already,
                report.faulty,
                report.alerts
            ),
        )
        .await?;
        w.commit().await?;
        publish(self.p, im.raised);
        Ok(report)
    }

    /// Write the batch: rows this import already wrote are in-file duplicates, rows an earlier
    /// import wrote are counted as already imported; the rest are inserted and run through the
    /// rules, their day's total and count on the account (stored and earlier in the batch)
    /// included.
    async fn flush<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        im: &mut Import<'_>,
        ward: &Ward,
        supervisor: Option<&crate::types::Phone>,
        rules: &mut RuleSet,
    ) -> DomainResult<()> {
        if im.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut im.batch);
        im.batch_ids.clear();
        let account = batch[0].1.account_id;
        let stored: HashMap<String, Option<Uuid>> = spending_record::Entity::find()
            .select_only()
            .column(spending_record::Column::BankTxnId)
            .column(spending_record::Column::ImportId)
            .filter(spending_record::Column::AccountId.eq(account))
            .filter(
                spending_record::Column::BankTxnId
                    .is_in(batch.iter().filter_map(|(_, m)| m.bank_txn_id.clone())),
            )
            .into_tuple::<(Option<String>, Option<Uuid>)>()
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|(t, i)| t.map(|t| (t, i)))
            .collect();
        let mut fresh = Vec::with_capacity(batch.len());
        for (line, m) in batch {
            let txn = m.bank_txn_id.clone().unwrap_or_default();
            match stored.get(&txn) {
                Some(Some(i)) if *i == im.import_id => {
                    im.report.faulty += 1;
                    im.fault(line, "流水号", format!("流水号 {txn} 在文件中重复"));
                }
                Some(_) => im.report.already += 1,
                None => fresh.push(m),
            }
        }
        if fresh.is_empty() {
            return Ok(());
        }
        let mut unseen: Vec<NaiveDate> = fresh
            .iter()
            .map(|m| m.spent_on)
            .filter(|d| !im.days.contains_key(d))
            .collect();
        unseen.sort_unstable();
        unseen.dedup();
        let loaded = day_totals(conn, account, &unseen).await?;
        for d in unseen {
            im.days
                .insert(d, loaded.get(&d).copied().unwrap_or_default());
        }
        let inserted = spending_record::Entity::insert_many(fresh.iter().map(active))
            .on_conflict(
                OnConflict::columns([
                    spending_record::Column::AccountId,
                    spending_record::Column::BankTxnId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
        let inserted = usize::try_from(inserted).unwrap_or(usize::MAX);
        im.report.imported += inserted;
        // A concurrent import of the same rows won the race: they were imported, not by us.
        im.report.already += fresh.len() - inserted.min(fresh.len());
        if inserted < fresh.len() {
            // Which rows another import wrote is unknown: read those days again next time.
            for m in &fresh {
                im.days.remove(&m.spent_on);
            }
            return Ok(());
        }
        let mut hits = Vec::new();
        for m in &fresh {
            let day = im.days.entry(m.spent_on).or_default();
            day.0 += m.amount_fen;
            day.1 += 1;
            if rules.is_empty() {
                continue;
            }
            let found = rules.evaluate(&ward.facts(m, day.0, day.1, m.balance_fen));
            if !found.is_empty() {
                im.report.alerts += found.len();
                hits.push((m, found));
            }
        }
        if !hits.is_empty() {
            let raised = raise(conn, self.p, im.c, ward, supervisor, hits).await?;
            im.raised.extend(raised);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: Vec<u8>) -> DomainResult<Vec<Vec<String>>> {
        csv_rows(std::io::Cursor::new(bytes))?.collect()
    }

    #[test]
    fn statements_decode_from_utf8_or_gbk_and_mixed_text_is_refused() {
        let utf8 = "流水号,日期\n1,2026-11-02\n";
        let want = vec![vec!["流水号", "日期"], vec!["1", "2026-11-02"]];
        assert_eq!(read(utf8.as_bytes().to_vec()).unwrap(), want);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(utf8.as_bytes());
        assert_eq!(read(bom).unwrap(), want);
        let (gbk, _, _) = encoding_rs::GBK.encode(utf8);
        assert_eq!(read(gbk.to_vec()).unwrap(), want);
        // GBK first, then a UTF-8 line: refused as a whole, naming the line.
        let mut mixed = gbk.to_vec();
        mixed.extend_from_slice("2,收款方\n".as_bytes());
        let err = read(mixed).unwrap_err().to_string();
        assert!(err.contains("第 3 行"), "{err}");
        // UTF-8 first, then GBK far beyond the sniffed sample.
        let mut long = "流水号,日期\n".repeat(8_000).into_bytes();
        long.extend_from_slice(&encoding_rs::GBK.encode("3,收款方\n").0);
        assert!(read(long).is_err());
    }

    #[test]
    fn dates_times_balances_and_categories_parse_as_banks_write_them() {
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
        assert_eq!(parse_hour("2026-11-02 23:15:00"), Some(23));
        assert_eq!(parse_hour("02:05"), Some(2));
        assert_eq!(parse_hour("081500"), Some(8));
        assert_eq!(parse_hour("2026-11-02"), None);
        assert_eq!(excel_date(46_328.0), "2026-11-02");
        assert_eq!(excel_date(46_328.5), "2026-11-02 12:00:00");
        assert_eq!(parse_balance(""), Ok(None));
        assert_eq!(parse_balance("0.00"), Ok(Some(0)));
        assert_eq!(parse_balance("1,234.50"), Ok(Some(123_450)));
        assert!(parse_balance("-3").is_err());
        assert!(parse_balance("1.234").is_err());
        assert_eq!(category_of("医疗"), Some(SpendingCategory::Medical));
        assert_eq!(category_of("托养"), Some(SpendingCategory::Care));
        assert_eq!(category_of(""), Some(SpendingCategory::Other));
        assert_eq!(category_of("吃饭"), None);
    }
}
