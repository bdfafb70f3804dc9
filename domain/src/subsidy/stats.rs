//! 补贴统计 (R55): payments by type, district, street-town or period within the viewer's scope —
//! payments (人次), amounts, paid, failures — with the trend by period; as XLSX. Only batches
//! approved by the city count (prepared batches are not yet payments).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{BatchStatus, Period, PeriodKind, SubsidyService};
use crate::entities::{subsidy_batch, subsidy_item, subsidy_type};
use crate::error::{DomainError, DomainResult};
use crate::types::{CITY_CODE, RegionCode};
use crate::viewer::ScopeKind;

code_enum! {
    /// The dimension of a statistics table.
    StatisticsBy {
        /// 按补贴类型
        #[default]
        Type = "TYPE",
        /// 按区
        District = "DISTRICT",
        /// 按街镇
        Street = "STREET",
        /// 按期次
        Period = "PERIOD",
    }
}

/// One row of figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubsidyStatisticsRow {
    /// Type id, region code or period.
    pub key: String,
    /// What it is called.
    pub label: String,
    /// Payments that have not failed (人次).
    pub payments: u64,
    /// Their amount, in fen.
    pub amount_fen: i64,
    /// Paid, in fen.
    pub paid_fen: i64,
    /// Failed payments.
    pub failures: u64,
}

impl SubsidyStatisticsRow {
    fn add(&mut self, o: &Self) {
        self.payments += o.payments;
        self.amount_fen += o.amount_fen;
        self.paid_fen += o.paid_fen;
        self.failures += o.failures;
    }
}

/// Statistics for a region and a range of months.
#[derive(Debug, Clone)]
pub struct SubsidyStatistics {
    /// Region (the viewer's, or a narrower one).
    pub region: String,
    /// First month `YYYY-MM`.
    pub from: String,
    /// Last month.
    pub to: String,
    /// Dimension.
    pub by: StatisticsBy,
    /// Rows, by key.
    pub rows: Vec<SubsidyStatisticsRow>,
    /// By period (the trend).
    pub trend: Vec<SubsidyStatisticsRow>,
    /// Everything.
    pub total: SubsidyStatisticsRow,
}

fn month(field: &str, raw: &str) -> DomainResult<NaiveDate> {
    Period::parse(field, PeriodKind::Month, raw).map(Period::first_day)
}

impl SubsidyService<'_> {
    /// 补贴统计.
    pub async fn statistics(
        &self,
        region: Option<&str>,
        type_id: Option<Uuid>,
        from: &str,
        to: &str,
        by: StatisticsBy,
    ) -> DomainResult<SubsidyStatistics> {
        let (_, scope) = self.staff()?;
        let (from_d, to_d) = (month("from", from)?, month("to", to)?);
        if to_d < from_d {
            return Err(DomainError::bad_input("to", "结束月份不能早于开始月份"));
        }
        let own = match &scope {
            ScopeKind::City => CITY_CODE.to_owned(),
            ScopeKind::District(d) | ScopeKind::Street(d) => d.as_str().to_owned(),
            _ => return Err(DomainError::Forbidden("补贴统计仅限市、区、街镇管理员")),
        };
        let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
            None => own.clone(),
            Some(r) => {
                let r = RegionCode::parse("regionCode", r)?;
                if !(own == CITY_CODE || r.as_str().starts_with(own.as_str())) {
                    return Err(DomainError::NotFound { what: "区划" });
                }
                r.as_str().to_owned()
            }
        };
        let approved = Query::select()
            .column(subsidy_batch::Column::Id)
            .from(subsidy_batch::Entity)
            .and_where(subsidy_batch::Column::Status.is_in([
                BatchStatus::Approved.as_str(),
                BatchStatus::Exported.as_str(),
                BatchStatus::Reconciled.as_str(),
            ]))
            .to_owned();
        let mut q = subsidy_item::Entity::find()
            .select_only()
            .column(subsidy_item::Column::TypeId)
            .column(subsidy_item::Column::Period)
            .column(subsidy_item::Column::DistrictCode)
            .column(subsidy_item::Column::StreetCode)
            .column(subsidy_item::Column::Status)
            .expr(Expr::cust("CAST(COUNT(*) AS BIGINT)"))
            .expr(Expr::cust("CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT)"))
            .filter(subsidy_item::Column::BatchId.in_subquery(approved))
            .group_by(subsidy_item::Column::TypeId)
            .group_by(subsidy_item::Column::Period)
            .group_by(subsidy_item::Column::DistrictCode)
            .group_by(subsidy_item::Column::StreetCode)
            .group_by(subsidy_item::Column::Status);
        match region.len() {
            6 if region != CITY_CODE => {
                q = q.filter(subsidy_item::Column::DistrictCode.eq(region.as_str()));
            }
            9 => q = q.filter(subsidy_item::Column::StreetCode.eq(region.as_str())),
            _ => {}
        }
        if let Some(t) = type_id {
            q = q.filter(subsidy_item::Column::TypeId.eq(t));
        }
        let groups: Vec<(Uuid, String, String, String, String, i64, i64)> =
            q.into_tuple().all(self.p.db.conn()).await?;
        let types: BTreeMap<Uuid, (String, String)> = subsidy_type::Entity::find()
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(|t| (t.id, (t.name, t.period_kind)))
            .collect();
        let mut rows: BTreeMap<String, SubsidyStatisticsRow> = BTreeMap::new();
        let mut trend: BTreeMap<String, SubsidyStatisticsRow> = BTreeMap::new();
        let mut total = SubsidyStatisticsRow {
            key: region.clone(),
            label: self.p.regions.name_of(&region),
            ..SubsidyStatisticsRow::default()
        };
        for (type_id, period, district, street, status, n, fen) in groups {
            let Some((type_name, kind)) = types.get(&type_id) else {
                continue;
            };
            let Ok(p) = Period::parse("period", PeriodKind::parse("kind", kind)?, &period) else {
                continue;
            };
            if p.first_day() < from_d || p.first_day() > to_d {
                continue;
            }
            let n = u64::try_from(n).unwrap_or(0);
            let failed = status == "FAILED";
            let cell = SubsidyStatisticsRow {
                payments: if failed { 0 } else { n },
                amount_fen: if failed { 0 } else { fen },
                paid_fen: if status == "PAID" { fen } else { 0 },
                failures: if failed { n } else { 0 },
                ..SubsidyStatisticsRow::default()
            };
            let (key, label) = match by {
                StatisticsBy::Type => (type_id.to_string(), type_name.clone()),
                StatisticsBy::District => (district.clone(), self.p.regions.name_of(&district)),
                StatisticsBy::Street => (street.clone(), self.p.regions.name_of(&street)),
                StatisticsBy::Period => (period.clone(), period.clone()),
            };
            rows.entry(key.clone())
                .or_insert_with(|| SubsidyStatisticsRow {
                    key,
                    label,
                    ..SubsidyStatisticsRow::default()
                })
                .add(&cell);
            trend
                .entry(period.clone())
                .or_insert_with(|| SubsidyStatisticsRow {
                    key: period.clone(),
                    label: period.clone(),
                    ..SubsidyStatisticsRow::default()
                })
                .add(&cell);
            total.add(&cell);
        }
        Ok(SubsidyStatistics {
            region,
            from: from.trim().to_owned(),
            to: to.trim().to_owned(),
            by,
            rows: rows.into_values().collect(),
            trend: trend.into_values().collect(),
            total,
        })
    }

    /// The statistics as an XLSX workbook (audited).
    pub async fn statistics_workbook(
        &self,
        region: Option<&str>,
        type_id: Option<Uuid>,
        from: &str,
        to: &str,
        by: StatisticsBy,
    ) -> DomainResult<(SubsidyStatistics, Vec<u8>)> {
        self.audited(
            "subsidy.statistics.export",
            "report",
            region.unwrap_or_default().to_owned(),
            async {
                let s = self.statistics(region, type_id, from, to, by).await?;
                let bytes = workbook(&s)?;
                crate::audit::record_failure(
                    &self.p.db,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    crate::audit::AuditEntry {
                        operation: "subsidy.statistics.export",
                        object_type: "report",
                        object_id: format!("{}:{}:{}", s.region, s.from, s.to),
                        result: "SUCCESS".to_owned(),
                        detail: format!("by={} rows={}", s.by.as_str(), s.rows.len()),
                    },
                )
                .await?;
                Ok((s, bytes))
            },
        )
        .await
    }
}

fn workbook(s: &SubsidyStatistics) -> DomainResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let x = |e: rust_xlsxwriter::XlsxError| DomainError::internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    #[expect(clippy::cast_precision_loss, reason = "amounts far below 2^52 fen")]
    let yuan = |fen: i64| fen as f64 / 100.0;
    let head = ["", "发放人次", "发放金额（元）", "已到账（元）", "失败笔数"];
    let sheet = |ws: &mut Worksheet,
                 first: &str,
                 rows: &[SubsidyStatisticsRow],
                 total: &SubsidyStatisticsRow| {
        let mut h = head;
        h[0] = first;
        ws.write_row_with_format(0, 0, h, &bold)?;
        for (r, row) in (1u32..).zip(rows.iter().chain(std::iter::once(total))) {
            ws.write_string(
                r,
                0,
                if r as usize > rows.len() {
                    "合计"
                } else {
                    row.label.as_str()
                },
            )?;
            #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            ws.write_number(r, 1, row.payments as f64)?;
            ws.write_number_with_format(r, 2, yuan(row.amount_fen), &money)?;
            ws.write_number_with_format(r, 3, yuan(row.paid_fen), &money)?;
            #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            ws.write_number(r, 4, row.failures as f64)?;
        }
        Ok::<(), rust_xlsxwriter::XlsxError>(())
    };
    let first = match s.by {
        StatisticsBy::Type => "补贴类型",
        StatisticsBy::District => "区",
        StatisticsBy::Street => "街镇",
        StatisticsBy::Period => "期次",
    };
    let ws = wb.add_worksheet();
    ws.set_name("统计").map_err(x)?;
    sheet(ws, first, &s.rows, &s.total).map_err(x)?;
    let ws = wb.add_worksheet();
    ws.set_name("趋势").map_err(x)?;
    sheet(ws, "期次", &s.trend, &s.total).map_err(x)?;
    wb.save_to_buffer().map_err(x)
}
