//! Statistics (R23) per push and scope, and the monthly report (R27), also as an XLSX workbook.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::task::scope_condition;
use super::{Outcome, TaskStatus};
use crate::db::Db;
use crate::entities::outreach_task;
use crate::error::{DomainError, DomainResult};
use crate::region::RegionDirectory;
use crate::viewer::{PersonScope, ScopeKind};

/// Figures for one region (or the total).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatRow {
    /// Region code (`TOTAL` for the total row).
    pub region: String,
    /// Tasks (people targeted).
    pub targeted: u64,
    /// Visited (reported at least once).
    pub visited: u64,
    /// First report on or before the due date.
    pub on_time: u64,
    /// Not reported by the due date (late or still open past it).
    pub overdue: u64,
    /// Outcome distribution (code → count), of reported tasks.
    pub outcomes: BTreeMap<String, u64>,
    /// Approved (including re-checked).
    pub approved: u64,
    /// Returned at least once.
    pub returned: u64,
    /// Re-checked by telephone.
    pub rechecked: u64,
    /// Re-checks that disagreed.
    pub disagreements: u64,
}

impl StatRow {
    /// Share of re-checks that disagreed (0 when none).
    pub fn disagreement_rate(&self) -> f64 {
        if self.rechecked == 0 {
            0.0
        } else {
            self.disagreements as f64 / self.rechecked as f64
        }
    }

    fn add(&mut self, t: &outreach_task::Model, today: NaiveDate) {
        self.targeted += 1;
        let first = t
            .first_submitted_at
            .map(|at| (at + Duration::hours(8)).date_naive());
        if let Some(day) = first {
            self.visited += 1;
            if day <= t.due_on {
                self.on_time += 1;
            } else {
                self.overdue += 1;
            }
        } else if t.due_on < today {
            self.overdue += 1;
        }
        if let Some(o) = &t.outcome {
            *self.outcomes.entry(o.clone()).or_default() += 1;
        }
        if matches!(
            TaskStatus::from_stored(&t.status),
            TaskStatus::Approved | TaskStatus::Rechecked
        ) {
            self.approved += 1;
        }
        if t.return_count > 0 {
            self.returned += 1;
        }
        if let Some(r) = &t.recheck_result {
            self.rechecked += 1;
            if r == "DISAGREE" {
                self.disagreements += 1;
            }
        }
    }
}

/// How rows are grouped: the district admin sees their street-towns, the city its districts.
fn group_key(scope: &PersonScope, by_street: bool, t: &outreach_task::Model) -> String {
    match (scope.kind(), by_street) {
        (ScopeKind::City, false) => t.district_code.clone(),
        _ => t.street_code.clone(),
    }
}

/// Statistics of tasks in scope (optionally one push, optionally due within `period`), one row
/// per district (city, unless `by_street`) or street-town, plus the total.
pub async fn statistics(
    db: &Db,
    scope: &PersonScope,
    push: Option<Uuid>,
    period: Option<(NaiveDate, NaiveDate)>,
    by_street: bool,
    now: DateTime<Utc>,
) -> DomainResult<(Vec<StatRow>, StatRow)> {
    if matches!(scope.kind(), ScopeKind::Nothing | ScopeKind::Person(_)) {
        return Err(DomainError::Forbidden("当前角色无权查看政策找人统计"));
    }
    let mut q = outreach_task::Entity::find().filter(scope_condition(scope));
    if let Some(p) = push {
        q = q.filter(outreach_task::Column::PushId.eq(p));
    }
    if let Some((from, to)) = period {
        q = q
            .filter(outreach_task::Column::DueOn.gte(from))
            .filter(outreach_task::Column::DueOn.lte(to));
    }
    let today = (now + Duration::hours(8)).date_naive();
    let mut rows: BTreeMap<String, StatRow> = BTreeMap::new();
    let mut total = StatRow {
        region: "TOTAL".to_owned(),
        ..StatRow::default()
    };
    for t in q.all(db.conn()).await? {
        let key = group_key(scope, by_street, &t);
        rows.entry(key.clone())
            .or_insert_with(|| StatRow {
                region: key,
                ..StatRow::default()
            })
            .add(&t, today);
        total.add(&t, today);
    }
    Ok((rows.into_values().collect(), total))
}

/// A monthly report.
#[derive(Debug, Clone)]
pub struct MonthlyReport {
    /// `YYYY-MM`.
    pub month: String,
    /// First day covered (the day after the previous month's closing day).
    pub from: NaiveDate,
    /// Last day covered (this month's closing day).
    pub to: NaiveDate,
    /// Rows per region.
    pub rows: Vec<StatRow>,
    /// Total.
    pub total: StatRow,
    /// When generated.
    pub generated_at: DateTime<Utc>,
}

/// The period of `month` (`YYYY-MM`) closing on `closing_day`.
pub fn period_of(month: &str, closing_day: u32) -> DomainResult<(NaiveDate, NaiveDate)> {
    let bad = || DomainError::bad_input("month", "月份格式应为 YYYY-MM，如 2026-11");
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) {
        return Err(bad());
    }
    let day = closing_day.clamp(1, 28);
    let to = NaiveDate::from_ymd_opt(y, m, day).ok_or_else(bad)?;
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let prev = NaiveDate::from_ymd_opt(py, pm, day).ok_or_else(bad)?;
    Ok((prev + Duration::days(1), to))
}

/// The monthly report of `month` for the scope: tasks due within the month's period.
pub async fn monthly_report(
    db: &Db,
    scope: &PersonScope,
    month: &str,
    closing_day: u32,
    now: DateTime<Utc>,
) -> DomainResult<MonthlyReport> {
    let (from, to) = period_of(month, closing_day)?;
    let (rows, total) = statistics(db, scope, None, Some((from, to)), false, now).await?;
    Ok(MonthlyReport {
        month: format!("{}-{:02}", to.year(), to.month()),
        from,
        to,
        rows,
        total,
        generated_at: now,
    })
}

/// The report as an XLSX workbook.
pub fn report_xlsx(report: &MonthlyReport, regions: &RegionDirectory) -> DomainResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| DomainError::internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let ws = wb.add_worksheet();
    ws.set_name(format!("{} 政策找人月报", report.month))
        .map_err(x)?;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "政策找人月报 {}（{} 至 {}）",
            report.month, report.from, report.to
        ),
        &bold,
    )
    .map_err(x)?;
    let mut header: Vec<String> = [
        "区域",
        "代码",
        "推送对象",
        "已走访",
        "按时走访",
        "逾期",
        "审核通过",
        "退回",
        "电话复核",
        "复核不一致",
        "不一致率",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(Outcome::ALL.iter().map(|o| o.as_str().to_owned()));
    ws.write_row_with_format(2, 0, header.iter().map(String::as_str), &bold)
        .map_err(x)?;
    for (r, row) in (3u32..).zip(report.rows.iter().chain(std::iter::once(&report.total))) {
        let name = if row.region == "TOTAL" {
            "合计".to_owned()
        } else {
            regions.name_of(&row.region)
        };
        ws.write_string(r, 0, name).map_err(x)?;
        ws.write_string(r, 1, &row.region).map_err(x)?;
        let nums = [
            row.targeted,
            row.visited,
            row.on_time,
            row.overdue,
            row.approved,
            row.returned,
            row.rechecked,
            row.disagreements,
        ];
        for (i, n) in nums.iter().enumerate() {
            ws.write_number(r, 2 + u16::try_from(i).unwrap_or(0), *n as f64)
                .map_err(x)?;
        }
        ws.write_number_with_format(r, 10, row.disagreement_rate(), &pct)
            .map_err(x)?;
        for (i, o) in Outcome::ALL.iter().enumerate() {
            let n = row.outcomes.get(o.as_str()).copied().unwrap_or(0);
            ws.write_number(r, 11 + u16::try_from(i).unwrap_or(0), n as f64)
                .map_err(x)?;
        }
    }
    ws.set_column_width(0, 18).map_err(x)?;
    ws.set_freeze_panes(3, 0).map_err(x)?;
    wb.save_to_buffer().map_err(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_run_from_the_day_after_the_previous_closing_day() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            period_of("2026-11", 25).unwrap(),
            (d(2026, 10, 26), d(2026, 11, 25))
        );
        assert_eq!(
            period_of("2026-01", 25).unwrap(),
            (d(2025, 12, 26), d(2026, 1, 25))
        );
        // Closing days beyond 28 clamp to 28, so every month has one.
        assert_eq!(
            period_of("2026-03", 31).unwrap(),
            (d(2026, 3, 1), d(2026, 3, 28))
        );
        for bad in ["2026-13", "2026-00", "26-11", "2026/11", "x", ""] {
            assert!(period_of(bad, 25).is_err(), "{bad}");
        }
    }
}
