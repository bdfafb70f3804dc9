//! Bank files and results. An approved batch is exported in the bank's layout (CSV, in GBK when
//! configured, or XLSX): account numbers are decrypted only into the file, payments whose person
//! was deactivated or whose account was closed since approval are withheld (never paid), and the
//! export is audited with the file's SM3 digest. The bank's results file is checked whole before
//! anything is written (every row must name a payment of this batch with its amount) and applied
//! idempotently; failed payments go to a supplementary batch; a batch whose payments are all paid
//! or explained is reconciled.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::accounts::number_of;
use super::service::expect_status;
use super::workflow::{bump, recount};
use super::{Batch, BatchKind, BatchStatus, ItemStatus, Payee, SubsidyService, now, today};
use crate::crypto::FieldAad;
use crate::custody::import::rows_of;
use crate::entities::{
    custody_account, person, person_bank_account, subsidy_batch, subsidy_item, subsidy_type,
};
use crate::error::{DomainError, DomainResult};
use crate::types::Fen;

/// Layout of a bank file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankFileFormat {
    /// CSV (GBK when configured, else UTF-8 with a byte-order mark).
    Csv,
    /// XLSX.
    Xlsx,
}

/// An exported bank file.
#[derive(Debug, Clone)]
pub struct BankFile {
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: &'static str,
    /// The file.
    pub bytes: Vec<u8>,
    /// Payments in the file.
    pub rows: usize,
    /// Their total, in fen.
    pub total_fen: i64,
    /// Payments withheld now (person deactivated, account closed).
    pub withheld: usize,
    /// SM3 digest of the file.
    pub sm3: String,
    /// The batch after the export.
    pub batch: Batch,
}

/// What importing a results file did.
#[derive(Debug, Clone)]
pub struct ResultsImport {
    /// Rows read.
    pub rows: usize,
    /// Payments marked paid now.
    pub paid: usize,
    /// Payments marked failed now.
    pub failed: usize,
    /// Rows already applied before (the same file again).
    pub already: usize,
    /// The supplementary batch the failed payments went to.
    pub supplementary_batch_id: Option<Uuid>,
    /// The batch after the import.
    pub batch: Batch,
}

/// The bank file's columns.
pub const FILE_COLUMNS: [&str; 7] = [
    "明细编号",
    "姓名",
    "账户类型",
    "开户行代码",
    "账号",
    "金额（元）",
    "摘要",
];

/// Columns a results file must have.
pub const RESULT_COLUMNS: [&str; 3] = ["明细编号", "结果", "金额（元）"];

/// Most row faults a refused results file reports.
const MAX_FAULTS: usize = 20;

struct Line {
    item: Uuid,
    name: String,
    kind: &'static str,
    bank: String,
    number: String,
    fen: i64,
}

impl SubsidyService<'_> {
    /// 导出银行文件 (a city or district admin of the batch's district) of an approved batch;
    /// exporting again (a lost file) is allowed and audited each time.
    pub async fn export_bank_file(
        &self,
        batch_id: Uuid,
        format: BankFileFormat,
    ) -> DomainResult<BankFile> {
        self.audited(
            "subsidy.batch.export",
            "subsidy_batch",
            batch_id.to_string(),
            async {
                let conn = self.p.db.conn();
                let b = self.batch_row(conn, batch_id).await?;
                let viewer = self.district_staff(&b.district_code)?;
                expect_status(&b, &[BatchStatus::Approved, BatchStatus::Exported])?;
                let t = subsidy_type::Entity::find_by_id(b.type_id)
                    .one(conn)
                    .await?
                    .ok_or(DomainError::NotFound {
                        what: super::WHAT_TYPE,
                    })?;
                let items: Vec<subsidy_item::Model> = subsidy_item::Entity::find()
                    .filter(subsidy_item::Column::BatchId.eq(b.id))
                    .filter(subsidy_item::Column::Status.eq(ItemStatus::Pending.as_str()))
                    .order_by_asc(subsidy_item::Column::Id)
                    .all(conn)
                    .await?;
                let ids: Vec<Uuid> = items.iter().map(|i| i.person_id).collect();
                let people: HashMap<Uuid, person::Model> =
                    crate::db::find_each::<person::Entity, _>(conn, person::Column::Id, &ids)
                        .await?
                        .into_iter()
                        .map(|r| (r.id, r))
                        .collect();
                let personal: HashMap<Uuid, person_bank_account::Model> =
                    crate::db::find_each::<person_bank_account::Entity, _>(
                        conn,
                        person_bank_account::Column::PersonId,
                        &ids,
                    )
                    .await?
                    .into_iter()
                    .filter(|a| a.status == "ACTIVE")
                    .map(|a| (a.person_id, a))
                    .collect();
                let custody: HashMap<Uuid, custody_account::Model> =
                    if t.payee == Payee::Custody.as_str() {
                        crate::db::find_each::<custody_account::Entity, _>(
                            conn,
                            custody_account::Column::WardPersonId,
                            &ids,
                        )
                        .await?
                        .into_iter()
                        .filter(|a| a.status == "ACTIVE")
                        .map(|a| (a.ward_person_id, a))
                        .collect()
                    } else {
                        HashMap::new()
                    };
                let mut lines = Vec::with_capacity(items.len());
                let mut withheld: Vec<(Uuid, String)> = Vec::new();
                let mut moved: Vec<(Uuid, &'static str, Uuid)> = Vec::new();
                for it in &items {
                    let Some(p) = people.get(&it.person_id).filter(|p| p.status == "ACTIVE") else {
                        let why = people
                            .get(&it.person_id)
                            .and_then(|p| p.deactivation_reason.clone())
                            .unwrap_or_default();
                        withheld.push((it.id, format!("导出前档案已注销：{why}")));
                        continue;
                    };
                    // The account the payment was prepared with, or the one now in use.
                    let line = match (custody.get(&p.id), personal.get(&p.id)) {
                        (Some(c), _) => {
                            let number = self.p.cipher.decrypt(
                                FieldAad {
                                    table: "custody_accounts",
                                    column: "number",
                                    row: &c.id,
                                },
                                &c.number_enc,
                            )?;
                            if it.account_id != Some(c.id) {
                                moved.push((it.id, "CUSTODY", c.id));
                            }
                            Line {
                                item: it.id,
                                name: p.name.clone(),
                                kind: "代管账户",
                                bank: c.bank_code.clone(),
                                number,
                                fen: it.amount_fen,
                            }
                        }
                        (None, Some(a)) => {
                            if it.account_id != Some(a.id) {
                                moved.push((it.id, "PERSONAL", a.id));
                            }
                            Line {
                                item: it.id,
                                name: p.name.clone(),
                                kind: "本人账户",
                                bank: a.bank_code.clone(),
                                number: number_of(&self.p.cipher, a)?,
                                fen: it.amount_fen,
                            }
                        }
                        (None, None) => {
                            withheld.push((it.id, "导出前收款账户已注销".to_owned()));
                            continue;
                        }
                    };
                    lines.push(line);
                }
                let memo = format!("{}{}", t.name, b.period);
                let (bytes, content_type, ext) = match format {
                    BankFileFormat::Csv => (
                        csv_file(&lines, &memo, self.p.subsidies.bank_file_gbk)?,
                        "text/csv",
                        "csv",
                    ),
                    BankFileFormat::Xlsx => (
                        xlsx_file(&lines, &memo)?,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "xlsx",
                    ),
                };
                drop(lines);
                let total: i64 = items
                    .iter()
                    .filter(|i| !withheld.iter().any(|(w, _)| *w == i.id))
                    .map(|i| i.amount_fen)
                    .sum();
                let rows = items.len() - withheld.len();
                let sm3 = crate::blob::sm3_hex(&bytes);
                let w = self.p.db.begin_write().await?;
                let ts = now();
                for (id, why) in &withheld {
                    subsidy_item::Entity::update_many()
                        .col_expr(
                            subsidy_item::Column::Status,
                            Expr::value(ItemStatus::Failed.as_str()),
                        )
                        .col_expr(
                            subsidy_item::Column::FailureReason,
                            Expr::value(Some(why.chars().take(200).collect::<String>())),
                        )
                        .col_expr(
                            subsidy_item::Column::Resolution,
                            Expr::value(Some("WITHHELD")),
                        )
                        .col_expr(subsidy_item::Column::UpdatedAt, Expr::value(ts))
                        .filter(subsidy_item::Column::Id.eq(*id))
                        .filter(subsidy_item::Column::Status.eq(ItemStatus::Pending.as_str()))
                        .exec(&w.txn)
                        .await?;
                }
                for (id, kind, account) in &moved {
                    subsidy_item::Entity::update_many()
                        .col_expr(subsidy_item::Column::AccountId, Expr::value(Some(*account)))
                        .col_expr(subsidy_item::Column::AccountKind, Expr::value(Some(*kind)))
                        .filter(subsidy_item::Column::Id.eq(*id))
                        .exec(&w.txn)
                        .await?;
                }
                recount(&w.txn, b.id).await?;
                let cur = self.batch_row(&w.txn, b.id).await?;
                let by = viewer.account_id.to_string();
                let first = cur.status == BatchStatus::Approved.as_str();
                bump(
                    &w.txn,
                    &cur,
                    BatchStatus::parse("status", &cur.status)?,
                    BatchStatus::Exported,
                    |u| {
                        let u = u
                            .col_expr(
                                subsidy_batch::Column::ExportedBy,
                                Expr::value(Some(by.clone())),
                            )
                            .col_expr(
                                subsidy_batch::Column::Exports,
                                Expr::col(subsidy_batch::Column::Exports).add(1),
                            );
                        if first {
                            u.col_expr(subsidy_batch::Column::ExportedAt, Expr::value(Some(ts)))
                        } else {
                            u
                        }
                    },
                )
                .await?;
                self.append(
                    &w.txn,
                    "subsidy.batch.export",
                    "subsidy_batch",
                    b.id,
                    format!(
                        "format={ext} rows={rows} total_fen={total} withheld={} sm3={sm3}",
                        withheld.len()
                    ),
                )
                .await?;
                w.commit().await?;
                Ok(BankFile {
                    file_name: format!(
                        "subsidy-{}-{}-{}.{ext}",
                        b.period,
                        b.district_code,
                        super::short(b.id)
                    ),
                    content_type,
                    bytes,
                    rows,
                    total_fen: total,
                    withheld: withheld.len(),
                    sm3,
                    batch: self.batch(b.id).await?,
                })
            },
        )
        .await
    }

    /// 导入银行回盘 (a city or district admin of the batch's district): the whole file is
    /// checked first; any faulty row refuses it with every fault named and nothing written.
    pub async fn import_results(
        &self,
        batch_id: Uuid,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> DomainResult<ResultsImport> {
        self.audited("subsidy.results.import", "subsidy_batch", batch_id.to_string(), async {
            let conn = self.p.db.conn();
            let b = self.batch_row(conn, batch_id).await?;
            let viewer = self.district_staff(&b.district_code)?;
            expect_status(&b, &[BatchStatus::Exported, BatchStatus::Reconciled])?;
            let sm3 = crate::blob::sm3_hex(&bytes);
            let mut rows = rows_of(file_name, bytes)?;
            let header = rows
                .next()
                .transpose()?
                .ok_or_else(|| DomainError::bad_input("file", "文件为空"))?;
            let col = |name: &str| header.iter().position(|h| h.trim() == name);
            let (Some(c_id), Some(c_result), Some(c_amount)) =
                (col("明细编号"), col("结果"), col("金额（元）"))
            else {
                return Err(DomainError::bad_input(
                    "file",
                    format!(
                        "表头不正确：须包含 {}（可选 失败原因、银行流水号、入账日期），实际为 {}",
                        RESULT_COLUMNS.join("、"),
                        header.join("、")
                    ),
                ));
            };
            let (c_reason, c_ref, c_date) = (col("失败原因"), col("银行流水号"), col("入账日期"));
            struct Parsed {
                line: usize,
                id: Uuid,
                paid: bool,
                fen: i64,
                reason: String,
                bank_ref: Option<String>,
                on: NaiveDate,
            }
            let mut faults: Vec<String> = Vec::new();
            let mut parsed: Vec<Parsed> = Vec::new();
            let mut seen = HashSet::new();
            for (i, row) in rows.enumerate() {
                let line = i + 2;
                let row = row?;
                if row.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let cell = |c: usize| row.get(c).map_or("", |s| s.trim());
                let mut fault = |m: String| {
                    if faults.len() < MAX_FAULTS {
                        faults.push(format!("第 {line} 行：{m}"));
                    }
                };
                let Ok(id) = Uuid::parse_str(cell(c_id)) else {
                    fault("明细编号无效".to_owned());
                    continue;
                };
                if !seen.insert(id) {
                    fault("明细编号重复".to_owned());
                    continue;
                }
                let paid = match cell(c_result) {
                    "成功" | "PAID" | "SUCCESS" | "已入账" => true,
                    "失败" | "FAILED" | "FAIL" | "退票" => false,
                    other => {
                        fault(format!("结果“{other}”无法识别，应为 成功 或 失败"));
                        continue;
                    }
                };
                let fen = match Fen::parse_yuan("file", cell(c_amount)) {
                    Ok(f) => f.fen(),
                    Err(_) => {
                        fault("金额格式不正确".to_owned());
                        continue;
                    }
                };
                let reason = c_reason.map(cell).unwrap_or_default().to_owned();
                if !paid && reason.is_empty() {
                    fault("失败的明细须有失败原因".to_owned());
                    continue;
                }
                let on = match c_date.map(cell).filter(|d| !d.is_empty()) {
                    None => today(),
                    Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .or_else(|_| NaiveDate::parse_from_str(d, "%Y%m%d"))
                    {
                        Ok(d) if d <= today() => d,
                        _ => {
                            fault("入账日期应为不晚于今天的 YYYY-MM-DD".to_owned());
                            continue;
                        }
                    },
                };
                parsed.push(Parsed {
                    line,
                    id,
                    paid,
                    fen,
                    reason: reason.chars().take(200).collect(),
                    bank_ref: c_ref.map(cell).filter(|r| !r.is_empty()).map(|r| r.chars().take(64).collect()),
                    on,
                });
            }
            let ids: Vec<Uuid> = parsed.iter().map(|p| p.id).collect();
            let items: HashMap<Uuid, subsidy_item::Model> =
                crate::db::find_each::<subsidy_item::Entity, _>(conn, subsidy_item::Column::Id, &ids)
                    .await?
                    .into_iter()
                    .map(|i| (i.id, i))
                    .collect();
            let (mut paid, mut failed, mut already) = (Vec::new(), Vec::new(), 0usize);
            for r in &parsed {
                let mut fault = |m: String| {
                    if faults.len() < MAX_FAULTS {
                        faults.push(format!("第 {} 行：{m}", r.line));
                    }
                };
                let Some(it) = items.get(&r.id) else {
                    fault("没有这条发放明细".to_owned());
                    continue;
                };
                if it.batch_id != b.id {
                    fault("该明细不属于本批次（回盘文件与批次不符）".to_owned());
                    continue;
                }
                if it.amount_fen != r.fen {
                    fault(format!(
                        "金额 {} 元与明细的 {} 元不符",
                        Fen::yuan_text(r.fen),
                        Fen::yuan_text(it.amount_fen)
                    ));
                    continue;
                }
                let want = if r.paid { ItemStatus::Paid } else { ItemStatus::Failed };
                match ItemStatus::parse("status", &it.status)? {
                    ItemStatus::Pending if r.paid => paid.push(r),
                    ItemStatus::Pending => failed.push(r),
                    s if s == want && it.resolution.as_deref() != Some("WITHHELD") => already += 1,
                    _ => fault(format!(
                        "该明细已登记为“{}”，与文件不符",
                        match it.resolution.as_deref() {
                            Some("WITHHELD") => "导出前暂停发放",
                            _ if it.status == "PAID" => "已发放",
                            _ => "发放失败",
                        }
                    )),
                }
            }
            if !faults.is_empty() {
                return Err(DomainError::bad_input(
                    "file",
                    format!("回盘文件有误，未导入任何记录：{}", faults.join("；")),
                ));
            }
            if !(paid.is_empty() && failed.is_empty()) {
                expect_status(&b, &[BatchStatus::Exported])?;
            }
            let w = self.p.db.begin_write().await?;
            let ts = now();
            // Paid rows without a bank reference, by date, in chunks; the rest one by one.
            let mut by_day: HashMap<NaiveDate, Vec<Uuid>> = HashMap::new();
            for r in &paid {
                match &r.bank_ref {
                    None => by_day.entry(r.on).or_default().push(r.id),
                    Some(bank_ref) => {
                        subsidy_item::Entity::update_many()
                            .col_expr(subsidy_item::Column::Status, Expr::value(ItemStatus::Paid.as_str()))
                            .col_expr(subsidy_item::Column::PaidOn, Expr::value(Some(r.on)))
                            .col_expr(subsidy_item::Column::BankRef, Expr::value(Some(bank_ref.clone())))
                            .col_expr(subsidy_item::Column::UpdatedAt, Expr::value(ts))
                            .filter(subsidy_item::Column::Id.eq(r.id))
                            .filter(subsidy_item::Column::Status.eq(ItemStatus::Pending.as_str()))
                            .exec(&w.txn)
                            .await?;
                    }
                }
            }
            for (day, ids) in by_day {
                for chunk in ids.chunks(1_000) {
                    subsidy_item::Entity::update_many()
                        .col_expr(subsidy_item::Column::Status, Expr::value(ItemStatus::Paid.as_str()))
                        .col_expr(subsidy_item::Column::PaidOn, Expr::value(Some(day)))
                        .col_expr(subsidy_item::Column::UpdatedAt, Expr::value(ts))
                        .filter(subsidy_item::Column::Id.is_in(chunk.iter().copied()))
                        .filter(subsidy_item::Column::Status.eq(ItemStatus::Pending.as_str()))
                        .exec(&w.txn)
                        .await?;
                }
            }
            let mut supplementary = None;
            if !failed.is_empty() {
                let sup = self.supplementary_for(&w.txn, &b, &viewer.account_id.to_string()).await?;
                let t = subsidy_type::Entity::find_by_id(b.type_id)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound { what: super::WHAT_TYPE })?;
                for r in &failed {
                    let it = &items[&r.id];
                    subsidy_item::Entity::update_many()
                        .col_expr(subsidy_item::Column::Status, Expr::value(ItemStatus::Failed.as_str()))
                        .col_expr(subsidy_item::Column::FailureReason, Expr::value(Some(r.reason.clone())))
                        .col_expr(subsidy_item::Column::BankRef, Expr::value(r.bank_ref.clone()))
                        .col_expr(subsidy_item::Column::UpdatedAt, Expr::value(ts))
                        .filter(subsidy_item::Column::Id.eq(r.id))
                        .filter(subsidy_item::Column::Status.eq(ItemStatus::Pending.as_str()))
                        .exec(&w.txn)
                        .await?;
                    let account = current_account(&w.txn, &t, it.person_id).await?;
                    let again = subsidy_item::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        batch_id: Set(sup.id),
                        status: Set(ItemStatus::Pending.as_str().to_owned()),
                        account_kind: Set(account.map(|(k, _)| k.to_owned())),
                        account_id: Set(account.map(|(_, a)| a)),
                        adjustment_reason: Set(None),
                        adjusted_by: Set(None),
                        failure_reason: Set(None),
                        bank_ref: Set(None),
                        resolution: Set(None),
                        supplement_item_id: Set(None),
                        paid_on: Set(None),
                        created_at: Set(ts),
                        updated_at: Set(ts),
                        ..subsidy_item::ActiveModel::from(it.clone())
                    }
                    .insert(&w.txn)
                    .await?;
                    subsidy_item::Entity::update_many()
                        .col_expr(subsidy_item::Column::Resolution, Expr::value(Some("SUPPLEMENTED")))
                        .col_expr(subsidy_item::Column::SupplementItemId, Expr::value(Some(again.id)))
                        .filter(subsidy_item::Column::Id.eq(r.id))
                        .exec(&w.txn)
                        .await?;
                }
                recount(&w.txn, sup.id).await?;
                supplementary = Some(sup.id);
            }
            recount(&w.txn, b.id).await?;
            let cur = self.batch_row(&w.txn, b.id).await?;
            let pending = subsidy_item::Entity::find()
                .filter(subsidy_item::Column::BatchId.eq(b.id))
                .filter(subsidy_item::Column::Status.eq(ItemStatus::Pending.as_str()))
                .one(&w.txn)
                .await?;
            let unexplained = subsidy_item::Entity::find()
                .filter(subsidy_item::Column::BatchId.eq(b.id))
                .filter(subsidy_item::Column::Status.eq(ItemStatus::Failed.as_str()))
                .filter(subsidy_item::Column::Resolution.is_null())
                .one(&w.txn)
                .await?;
            if cur.status == BatchStatus::Exported.as_str() && pending.is_none() && unexplained.is_none() {
                bump(&w.txn, &cur, BatchStatus::Exported, BatchStatus::Reconciled, |u| {
                    u.col_expr(subsidy_batch::Column::ReconciledAt, Expr::value(Some(ts)))
                })
                .await?;
            }
            self.append(
                &w.txn,
                "subsidy.results.import",
                "subsidy_batch",
                b.id,
                format!(
                    "rows={} paid={} failed={} already={already} supplementary={} sm3={sm3}",
                    parsed.len(),
                    paid.len(),
                    failed.len(),
                    supplementary.map(|s| s.to_string()).unwrap_or_default()
                ),
            )
            .await?;
            w.commit().await?;
            Ok(ResultsImport {
                rows: parsed.len(),
                paid: paid.len(),
                failed: failed.len(),
                already,
                supplementary_batch_id: supplementary,
                batch: self.batch(b.id).await?,
            })
        })
        .await
    }

    /// The supplementary batch still being prepared for `b`, or a new one (its maker is the
    /// importer; it goes through review and approval like any batch).
    async fn supplementary_for<C: ConnectionTrait>(
        &self,
        conn: &C,
        b: &subsidy_batch::Model,
        maker: &str,
    ) -> DomainResult<subsidy_batch::Model> {
        if let Some(s) = subsidy_batch::Entity::find()
            .filter(subsidy_batch::Column::ParentId.eq(b.id))
            .filter(subsidy_batch::Column::Status.eq(BatchStatus::Generated.as_str()))
            .one(conn)
            .await?
        {
            return Ok(s);
        }
        let row = super::generate::new_batch(
            b.type_id,
            &b.period,
            &b.district_code,
            BatchKind::Supplementary,
            Some(b.id),
            b.rule_version,
            maker,
        )
        .insert(conn)
        .await?;
        self.append(
            conn,
            "subsidy.batch.supplementary",
            "subsidy_batch",
            row.id,
            format!("parent={}", b.id),
        )
        .await?;
        Ok(row)
    }
}

/// The account a person is paid into now for type `t`: the custody account when the type pays
/// custody accounts and they have one, else their own.
async fn current_account<C: ConnectionTrait>(
    conn: &C,
    t: &subsidy_type::Model,
    person: Uuid,
) -> DomainResult<Option<(&'static str, Uuid)>> {
    if t.payee == Payee::Custody.as_str()
        && let Some(c) = custody_account::Entity::find()
            .filter(custody_account::Column::WardPersonId.eq(person))
            .filter(custody_account::Column::Status.eq("ACTIVE"))
            .one(conn)
            .await?
    {
        return Ok(Some(("CUSTODY", c.id)));
    }
    Ok(person_bank_account::Entity::find()
        .filter(person_bank_account::Column::PersonId.eq(person))
        .filter(person_bank_account::Column::Status.eq("ACTIVE"))
        .one(conn)
        .await?
        .map(|a| ("PERSONAL", a.id)))
}

fn csv_file(lines: &[Line], memo: &str, gbk: bool) -> DomainResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::with_capacity(lines.len() * 96 + 64));
    let x = |e: csv::Error| DomainError::internal(format!("csv: {e}"));
    w.write_record(FILE_COLUMNS).map_err(x)?;
    for l in lines {
        w.write_record([
            l.item.to_string().as_str(),
            &l.name,
            l.kind,
            &l.bank,
            &l.number,
            &Fen::yuan_text(l.fen),
            memo,
        ])
        .map_err(x)?;
    }
    let utf8 = w
        .into_inner()
        .map_err(|e| DomainError::internal(format!("csv: {e}")))?;
    if gbk {
        let text = String::from_utf8(utf8).map_err(DomainError::internal)?;
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
        if unmappable {
            return Err(DomainError::Conflict(
                "有姓名含 GBK 无法表示的字符，请改用 XLSX 格式导出".to_owned(),
            ));
        }
        return Ok(bytes.into_owned());
    }
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(&utf8);
    Ok(out)
}

fn xlsx_file(lines: &[Line], memo: &str) -> DomainResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| DomainError::internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("代发明细").map_err(x)?;
    ws.write_row_with_format(0, 0, FILE_COLUMNS, &bold)
        .map_err(x)?;
    for (r, l) in (1u32..).zip(lines) {
        // Every cell as text: account numbers and amounts must not become floating point.
        ws.write_string(r, 0, l.item.to_string()).map_err(x)?;
        ws.write_string(r, 1, &l.name).map_err(x)?;
        ws.write_string(r, 2, l.kind).map_err(x)?;
        ws.write_string(r, 3, &l.bank).map_err(x)?;
        ws.write_string(r, 4, &l.number).map_err(x)?;
        ws.write_string(r, 5, Fen::yuan_text(l.fen)).map_err(x)?;
        ws.write_string(r, 6, memo).map_err(x)?;
    }
    wb.save_to_buffer().map_err(x)
}
