//! Spending statistics (R35): per ward per month by category, per street-town (for a district)
//! or district (for the city) with totals, and by month, for a region in the caller's scope;
//! and as XLSX.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{CustodyService, SpendingCategory};
use crate::entities::{custodianship, person, spending_record};
use crate::error::{DomainError, DomainResult};
use crate::region::RegionDirectory;
use crate::types::{CITY_CODE, RegionCode};
use crate::viewer::{PersonScope, ScopeKind};

/// Longest period, in months.
pub const MAX_MONTHS: usize = 24;

/// Fen by category, in the order of [`SpendingCategory::ALL`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ByCategory(pub [i64; 6]);

impl ByCategory {
    fn add(&mut self, c: SpendingCategory, fen: i64) {
        if let Some(i) = SpendingCategory::ALL.iter().position(|x| *x == c) {
            self.0[i] += fen;
        }
    }
    /// The total.
    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }
    /// `(category, fen)` pairs.
    pub fn pairs(&self) -> Vec<(SpendingCategory, i64)> {
        SpendingCategory::ALL.iter().copied().zip(self.0).collect()
    }
}

/// One month of a ward's spending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WardMonth {
    /// `YYYY-MM`
    pub month: String,
    /// By category.
    pub by_category: ByCategory,
}

/// One ward's spending over the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WardSpending {
    /// Custodianship.
    pub custodianship_id: Uuid,
    /// 被代管人
    pub ward_name: String,
    /// 街镇
    pub street_code: String,
    /// Months with spending.
    pub months: Vec<WardMonth>,
    /// By category over the period.
    pub by_category: ByCategory,
}

/// One region's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSpending {
    /// Region code.
    pub region: String,
    /// Wards with spending.
    pub wards: i64,
    /// Records.
    pub records: i64,
    /// By category.
    pub by_category: ByCategory,
}

/// One month's line (the trend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthSpending {
    /// `YYYY-MM`
    pub month: String,
    /// Records.
    pub records: i64,
    /// By category.
    pub by_category: ByCategory,
}

/// 代管资金支出统计.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendingStatistics {
    /// Region asked for.
    pub region: String,
    /// First month.
    pub from: String,
    /// Last month.
    pub to: String,
    /// By month (the trend).
    pub months: Vec<MonthSpending>,
    /// By district (city) or street-town (district or street).
    pub regions: Vec<RegionSpending>,
    /// By ward.
    pub wards: Vec<WardSpending>,
    /// 合计
    pub total: ByCategory,
}

fn month_bounds(field: &str, raw: &str) -> DomainResult<(NaiveDate, NaiveDate)> {
    let (y, m) = crate::activity::parse_month(field, raw)?;
    let first = NaiveDate::from_ymd_opt(y, m, 1)
        .ok_or_else(|| DomainError::bad_input(field, "月份无效"))?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(|| DomainError::bad_input(field, "月份无效"))?;
    Ok((first, next.pred_opt().unwrap_or(next)))
}

impl CustodyService<'_> {
    /// 代管资金统计 of `region` (default: the caller's own; within their scope) from month
    /// `from` to `to` (`YYYY-MM`, at most [`MAX_MONTHS`]).
    pub async fn statistics(
        &self,
        region: Option<&str>,
        from: &str,
        to: &str,
    ) -> DomainResult<SpendingStatistics> {
        let viewer = self
            .caller
            .region_admin("仅市、区、街镇管理员可查看代管资金统计")?;
        let (start, _) = month_bounds("from", from)?;
        let (_, end) = month_bounds("to", to)?;
        if end < start {
            return Err(DomainError::bad_input("to", "结束月份不能早于开始月份"));
        }
        let months = (end.year() - start.year()) * 12 + i32::try_from(end.month()).unwrap_or(0)
            - i32::try_from(start.month()).unwrap_or(0)
            + 1;
        if usize::try_from(months).unwrap_or(usize::MAX) > MAX_MONTHS {
            return Err(DomainError::bad_input(
                "to",
                format!("一次最多统计 {MAX_MONTHS} 个月"),
            ));
        }
        let region = match region {
            Some(r) => RegionCode::parse("regionCode", r)?.as_str().to_owned(),
            None => viewer
                .region
                .as_ref()
                .map_or_else(|| CITY_CODE.to_owned(), |r| r.as_str().to_owned()),
        };
        let in_scope = match PersonScope::of(viewer).kind() {
            ScopeKind::City => true,
            ScopeKind::District(d) => region.starts_with(d.as_str()),
            ScopeKind::Street(s) => region == s.as_str(),
            _ => false,
        };
        if !in_scope {
            return Err(DomainError::Forbidden("只能统计本辖区的代管资金"));
        }
        let mut q = spending_record::Entity::find()
            .select_only()
            .column(spending_record::Column::CustodianshipId)
            .column(spending_record::Column::StreetCode)
            .column(spending_record::Column::SpentOn)
            .column(spending_record::Column::Category)
            .column(spending_record::Column::AmountFen)
            .filter(spending_record::Column::SpentOn.gte(start))
            .filter(spending_record::Column::SpentOn.lte(end));
        if region != CITY_CODE {
            q = q.filter(spending_record::Column::StreetCode.starts_with(region.as_str()));
        }
        let rows = q
            .into_tuple::<(Uuid, String, NaiveDate, String, i64)>()
            .all(self.p.db.conn())
            .await?;
        let child = |street: &str| -> String {
            match region.len() {
                6 if region == CITY_CODE => street.get(..6).unwrap_or(street).to_owned(),
                _ => street.to_owned(),
            }
        };
        let mut total = ByCategory::default();
        let mut by_month: BTreeMap<String, MonthSpending> = BTreeMap::new();
        let mut by_region: BTreeMap<String, (RegionSpending, HashSet<Uuid>)> = BTreeMap::new();
        let mut by_ward: HashMap<Uuid, (String, BTreeMap<String, ByCategory>, ByCategory)> =
            HashMap::new();
        for (c, street, on, category, fen) in rows {
            let cat = SpendingCategory::from_stored(&category);
            let month = format!("{}-{:02}", on.year(), on.month());
            total.add(cat, fen);
            let m = by_month
                .entry(month.clone())
                .or_insert_with(|| MonthSpending {
                    month: month.clone(),
                    records: 0,
                    by_category: ByCategory::default(),
                });
            m.records += 1;
            m.by_category.add(cat, fen);
            let key = child(&street);
            let (r, wards) = by_region.entry(key.clone()).or_insert_with(|| {
                (
                    RegionSpending {
                        region: key,
                        wards: 0,
                        records: 0,
                        by_category: ByCategory::default(),
                    },
                    HashSet::new(),
                )
            });
            r.records += 1;
            r.by_category.add(cat, fen);
            wards.insert(c);
            let w = by_ward
                .entry(c)
                .or_insert_with(|| (street.clone(), BTreeMap::new(), ByCategory::default()));
            w.1.entry(month).or_default().add(cat, fen);
            w.2.add(cat, fen);
        }
        // Wards' names, in one statement each for the custodianships and the people.
        let ids: Vec<Uuid> = by_ward.keys().copied().collect();
        let wards_of: HashMap<Uuid, Uuid> = custodianship::Entity::find()
            .select_only()
            .column(custodianship::Column::Id)
            .column(custodianship::Column::WardPersonId)
            .filter(custodianship::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, Uuid)>()
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .collect();
        let names: HashMap<Uuid, String> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::Name)
            .filter(person::Column::Id.is_in(wards_of.values().copied()))
            .into_tuple::<(Uuid, String)>()
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .collect();
        let mut wards: Vec<WardSpending> = by_ward
            .into_iter()
            .map(|(c, (street, months, by_category))| WardSpending {
                custodianship_id: c,
                ward_name: wards_of
                    .get(&c)
                    .and_then(|p| names.get(p))
                    .cloned()
                    .unwrap_or_default(),
                street_code: street,
                months: months
                    .into_iter()
                    .map(|(month, by_category)| WardMonth { month, by_category })
                    .collect(),
                by_category,
            })
            .collect();
        wards.sort_by(|a, b| {
            (
                a.street_code.as_str(),
                a.ward_name.as_str(),
                a.custodianship_id,
            )
                .cmp(&(
                    b.street_code.as_str(),
                    b.ward_name.as_str(),
                    b.custodianship_id,
                ))
        });
        Ok(SpendingStatistics {
            region,
            from: format!("{}-{:02}", start.year(), start.month()),
            to: format!("{}-{:02}", end.year(), end.month()),
            months: by_month.into_values().collect(),
            regions: by_region
                .into_values()
                .map(|(mut r, w)| {
                    r.wards = i64::try_from(w.len()).unwrap_or(i64::MAX);
                    r
                })
                .collect(),
            wards,
            total,
        })
    }

    /// The statistics as an XLSX workbook (audited: it names the wards).
    pub async fn statistics_workbook(
        &self,
        region: Option<&str>,
        from: &str,
        to: &str,
    ) -> DomainResult<(SpendingStatistics, Vec<u8>)> {
        self.audited(
            "custody.statistics.export",
            region.unwrap_or_default().to_owned(),
            async {
                let s = self.statistics(region, from, to).await?;
                let bytes = statistics_xlsx(&s, &self.p.regions)?;
                crate::audit::record_failure(
                    &self.p.db,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    crate::audit::AuditEntry {
                        operation: "custody.statistics.export",
                        object_type: "report",
                        object_id: format!("{}:{}:{}", s.region, s.from, s.to),
                        result: "SUCCESS".to_owned(),
                        detail: format!("wards={}", s.wards.len()),
                    },
                )
                .await?;
                Ok((s, bytes))
            },
        )
        .await
    }
}

/// The statistics as a workbook: by month, by region, by ward and month.
pub fn statistics_xlsx(s: &SpendingStatistics, regions: &RegionDirectory) -> DomainResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let x = |e: rust_xlsxwriter::XlsxError| DomainError::internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let categories = ["生活", "医疗", "康复", "教育", "照护", "其他", "合计（元）"];
    let yuan = |fen: i64| {
        #[expect(clippy::cast_precision_loss, reason = "amounts far below 2^52 fen")]
        let y = fen as f64 / 100.0;
        y
    };
    let write_money = |ws: &mut Worksheet, row: u32, col: u16, c: &ByCategory| {
        for (i, fen) in (0u16..).zip(c.0.iter().copied().chain(std::iter::once(c.total()))) {
            ws.write_number_with_format(row, col + i, yuan(fen), &money)?;
        }
        Ok::<(), rust_xlsxwriter::XlsxError>(())
    };
    let title = format!(
        "代管资金支出统计：{}（{} 至 {}）",
        regions.name_of(&s.region),
        s.from,
        s.to
    );
    let ws = wb.add_worksheet();
    ws.set_name("按月").map_err(x)?;
    ws.write_string_with_format(0, 0, &title, &bold)
        .map_err(x)?;
    ws.write_row_with_format(2, 0, ["月份", "笔数"], &bold)
        .map_err(x)?;
    ws.write_row_with_format(2, 2, categories, &bold)
        .map_err(x)?;
    for (r, m) in (3u32..).zip(&s.months) {
        ws.write_string(r, 0, &m.month).map_err(x)?;
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        ws.write_number(r, 1, m.records as f64).map_err(x)?;
        write_money(ws, r, 2, &m.by_category).map_err(x)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("按区域").map_err(x)?;
    ws.write_row_with_format(0, 0, ["区域", "代码", "被代管人数", "笔数"], &bold)
        .map_err(x)?;
    ws.write_row_with_format(0, 4, categories, &bold)
        .map_err(x)?;
    let mut row = 1u32;
    for r in &s.regions {
        ws.write_string(row, 0, regions.name_of(&r.region))
            .map_err(x)?;
        ws.write_string(row, 1, &r.region).map_err(x)?;
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        {
            ws.write_number(row, 2, r.wards as f64).map_err(x)?;
            ws.write_number(row, 3, r.records as f64).map_err(x)?;
        }
        write_money(ws, row, 4, &r.by_category).map_err(x)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "合计", &bold)
        .map_err(x)?;
    write_money(ws, row, 4, &s.total).map_err(x)?;
    let ws = wb.add_worksheet();
    ws.set_name("按被代管人").map_err(x)?;
    ws.write_row_with_format(0, 0, ["被代管人", "街镇", "月份"], &bold)
        .map_err(x)?;
    ws.write_row_with_format(0, 3, categories, &bold)
        .map_err(x)?;
    let mut row = 1u32;
    for w in &s.wards {
        for m in &w.months {
            ws.write_string(row, 0, &w.ward_name).map_err(x)?;
            ws.write_string(row, 1, regions.name_of(&w.street_code))
                .map_err(x)?;
            ws.write_string(row, 2, &m.month).map_err(x)?;
            write_money(ws, row, 3, &m.by_category).map_err(x)?;
            row += 1;
        }
    }
    wb.save_to_buffer().map_err(x)
}
