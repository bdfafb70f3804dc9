//! 自定义分析 (R61–R63): districts and street-towns slice their own data without asking IT —
//! people, or one area's facts (grants, applications, outreach tasks, guidance requests,
//! activity registrations, subsidy payments), counted by up to three dimensions, always within
//! the viewer's scope.
//!
//! **Small-cell suppression.** Below city level, and in every export, a cell of 1–4 people shows
//! as "<5"; complementary suppression then hides a second cell in every row, column or line
//! that would otherwise have exactly one hidden cell, so that the total (or a one-dimension
//! analysis of the same data) cannot give the hidden one away.

mod map;
mod saved;
mod suppress;
mod topics;

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use serde::{Deserialize, Serialize};
use zhucan_migrations::cockpit::Bucket;

pub use map::{ATTRIBUTION, MapLevel};
pub use saved::SavedAnalysis;
pub use topics::{ChildrenTopic, SevereUnemployedTopic};

use crate::error::{DomainError, DomainResult};
use crate::person::{Employment, HouseholdStatus};
use crate::types::{CITY_CODE, DisabilityCategory, RegionCode, RegionLevel};
use crate::viewer::{PersonScope, ScopeKind, Viewer};
use crate::{Caller, Platform};

/// What the analysis counts.
pub const WHAT: &str = "分析";

code_enum! {
    /// 分析对象
    AnalysisSubject {
        /// 持证残疾人（在册）
        #[default]
        People = "PEOPLE",
        /// 服务授予
        Grants = "GRANTS",
        /// 服务申请
        Applications = "APPLICATIONS",
        /// 政策找人任务
        OutreachTasks = "OUTREACH_TASKS",
        /// 云助残需求
        GuidanceRequests = "GUIDANCE_REQUESTS",
        /// 活动报名
        ActivityRegistrations = "ACTIVITY_REGISTRATIONS",
        /// 补贴发放明细
        Subsidies = "SUBSIDIES",
    }
}

code_enum! {
    /// 分析维度
    AnalysisDimension {
        /// 区
        #[default]
        District = "DISTRICT",
        /// 街镇
        Street = "STREET",
        /// 残疾类别
        Category = "CATEGORY",
        /// 残疾等级
        Level = "LEVEL",
        /// 年龄段
        AgeBand = "AGE_BAND",
        /// 性别
        Sex = "SEX",
        /// 家庭经济状况
        HouseholdStatus = "HOUSEHOLD_STATUS",
        /// 就业状况
        Employment = "EMPLOYMENT",
        /// 业务条线（组联、教就、康复、权益）
        BusinessLine = "BUSINESS_LINE",
        /// 月份
        Month = "MONTH",
        /// 儿童年龄段（0-6 学前、7-15 义务教育、16-17）
        ChildAgeBand = "CHILD_AGE_BAND",
        /// 是否一户多残（同户在册残疾人不止一人）
        MultiDisabledHousehold = "MULTI_DISABLED_HOUSEHOLD",
    }
}

code_enum! {
    /// 分析指标
    AnalysisMeasure {
        /// 记录数
        #[default]
        Count = "COUNT",
        /// 人数（去重）
        People = "PEOPLE",
        /// 金额合计（补贴）
        Sum = "SUM",
        /// 占合计的比例
        Rate = "RATE",
    }
}

/// Age bands of analyses (exact age today).
pub const AGE_BANDS: [(&str, u32, u32); 4] = [
    ("0-17", 0, 17),
    ("18-44", 18, 44),
    ("45-59", 45, 59),
    ("60+", 60, 200),
];

/// Age bands of the children topic (学前、义务教育、高中阶段).
pub const CHILD_AGE_BANDS: [(&str, u32, u32); 3] =
    [("0-6", 0, 6), ("7-15", 7, 15), ("16-17", 16, 17)];

/// Filters, each narrowing the rows counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AnalysisFilter {
    /// A region inside the viewer's scope (district or street-town).
    pub region_code: Option<String>,
    /// Disability categories (1–7).
    pub categories: Vec<i32>,
    /// Levels (1–4).
    pub levels: Vec<i32>,
    /// Youngest age (inclusive).
    pub age_from: Option<u32>,
    /// Oldest age (inclusive).
    pub age_to: Option<u32>,
    /// `MALE` or `FEMALE`.
    pub sex: Option<String>,
    /// Household assistance statuses.
    pub household_statuses: Vec<String>,
    /// Employment statuses.
    pub employments: Vec<String>,
    /// Business lines (grants and applications).
    pub business_lines: Vec<String>,
    /// First month `YYYY-MM`.
    pub from_month: Option<String>,
    /// Last month `YYYY-MM`.
    pub to_month: Option<String>,
}

/// An analysis as asked (stored as is when saved).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AnalysisInput {
    /// Subject code.
    pub subject: String,
    /// Measure codes (count when empty).
    pub measures: Vec<String>,
    /// Dimension codes, at most three.
    pub dimensions: Vec<String>,
    /// Filters.
    pub filter: AnalysisFilter,
}

/// One cell (or the total).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalysisCell {
    /// Its key on each dimension: (code, label).
    pub keys: Vec<(String, String)>,
    /// Rows counted.
    pub count: i64,
    /// Distinct people.
    pub people: i64,
    /// Sum, fen (subsidies).
    pub sum_fen: i64,
    /// Hidden: shows "<5".
    pub suppressed: bool,
}

/// The answer.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Subject.
    pub subject: AnalysisSubject,
    /// Dimensions, in order.
    pub dimensions: Vec<AnalysisDimension>,
    /// Measures, in order.
    pub measures: Vec<AnalysisMeasure>,
    /// The region analysed (the scope, or the filter's region).
    pub region_code: String,
    /// Whether small cells were suppressed.
    pub suppression: bool,
    /// Non-empty cells, by key.
    pub cells: Vec<AnalysisCell>,
    /// Everything.
    pub total: AnalysisCell,
}

impl Analysis {
    /// The share of the total a cell holds (`None` when hidden or the total is zero or hidden).
    pub fn rate(&self, cell: &AnalysisCell) -> Option<f64> {
        if cell.suppressed || self.total.suppressed || self.total.count == 0 {
            return None;
        }
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let rate = cell.count as f64 / self.total.count as f64;
        Some(rate)
    }
}

/// A checked analysis, ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    subject: AnalysisSubject,
    dimensions: Vec<AnalysisDimension>,
    measures: Vec<AnalysisMeasure>,
    region: RegionCode,
    filter: CheckedFilter,
}

#[derive(Debug, Clone, Default)]
struct CheckedFilter {
    categories: Vec<i16>,
    levels: Vec<i16>,
    born_after: Option<NaiveDate>,
    born_on_or_before: Option<NaiveDate>,
    sex: Option<&'static str>,
    household: Vec<&'static str>,
    employment: Vec<&'static str>,
    lines: Vec<&'static str>,
    months: Option<(String, String)>,
}

struct Source {
    from: &'static str,
    person: &'static str,
    district: &'static str,
    street: &'static str,
    month: (&'static str, Bucket),
    sum: &'static str,
    base: &'static str,
}

fn source(s: AnalysisSubject) -> Source {
    use AnalysisSubject as S;
    match s {
        S::People => Source {
            from: "persons p",
            person: "p.id",
            district: "p.district_code",
            street: "p.street_code",
            month: ("p", Bucket::MonthOfTime("created_at")),
            sum: "0",
            base: "p.status = 'ACTIVE'",
        },
        S::Grants => Source {
            from: "service_grants t JOIN persons p ON p.id = t.person_id \
                   JOIN service_items si ON si.id = t.service_item_id",
            person: "t.person_id",
            district: "p.district_code",
            street: "p.street_code",
            month: ("t", Bucket::MonthOfTime("granted_at")),
            sum: "0",
            base: "t.status = 'ACTIVE'",
        },
        S::Applications => Source {
            from: "service_records t JOIN persons p ON p.id = t.person_id \
                   JOIN service_items si ON si.id = t.service_item_id",
            person: "t.person_id",
            district: "t.district_code",
            street: "t.street_code",
            month: ("t", Bucket::MonthOfTime("created_at")),
            sum: "0",
            base: "t.kind = 'APPLICATION'",
        },
        S::OutreachTasks => Source {
            from: "outreach_tasks t JOIN persons p ON p.id = t.person_id",
            person: "t.person_id",
            district: "t.district_code",
            street: "t.street_code",
            month: ("t", Bucket::MonthOfDate("due_on")),
            sum: "0",
            base: "1 = 1",
        },
        S::GuidanceRequests => Source {
            from: "guidance_requests t JOIN persons p ON p.id = t.person_id",
            person: "t.person_id",
            district: "substr(t.street_code, 1, 6)",
            street: "t.street_code",
            month: ("t", Bucket::MonthOfTime("created_at")),
            sum: "0",
            base: "1 = 1",
        },
        S::ActivityRegistrations => Source {
            from: "activity_registrations t JOIN persons p ON p.id = t.person_id",
            person: "t.person_id",
            district: "t.district_code",
            street: "t.street_code",
            month: ("t", Bucket::MonthOfTime("created_at")),
            sum: "0",
            base: "t.status <> 'CANCELLED'",
        },
        S::Subsidies => Source {
            from: "subsidy_items t JOIN persons p ON p.id = t.person_id",
            person: "t.person_id",
            district: "t.district_code",
            street: "t.street_code",
            month: ("t", Bucket::MonthOfTime("created_at")),
            sum: "t.amount_fen",
            base: "t.status <> 'FAILED'",
        },
    }
}

/// `date` minus `years` (29 February becomes the 28th).
fn years_before(date: NaiveDate, years: u32) -> NaiveDate {
    let y = date.year() - i32::try_from(years).unwrap_or(200);
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, date.month(), 28))
        .unwrap_or(date)
}

fn month(field: &str, raw: &str) -> DomainResult<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", raw.trim()), "%Y-%m-%d")
        .ok()
        .filter(|_| raw.trim().len() == 7)
        .ok_or_else(|| DomainError::bad_input(field, "月份格式应为 YYYY-MM"))
}

fn codes<T: Copy>(
    field: &str,
    raw: &[String],
    parse: impl Fn(&str, &str) -> DomainResult<T>,
    code: impl Fn(T) -> &'static str,
) -> DomainResult<Vec<&'static str>> {
    if raw.len() > 20 {
        return Err(DomainError::bad_input(field, "最多20项"));
    }
    raw.iter()
        .map(|r| parse(field, r.trim()).map(&code))
        .collect()
}

impl Plan {
    /// Check an analysis for a viewer: subject, measures, dimensions (at most three, each
    /// applying to the subject), filters, and the region (inside the scope, `NOT_FOUND` else).
    pub(crate) fn check(
        p: &Platform,
        viewer: &Viewer,
        input: &AnalysisInput,
        today: NaiveDate,
    ) -> DomainResult<Self> {
        let subject = AnalysisSubject::parse("input.subject", input.subject.trim())?;
        if input.dimensions.len() > 3 {
            return Err(DomainError::bad_input(
                "input.dimensions",
                "最多选择3个维度",
            ));
        }
        let mut dimensions = Vec::new();
        for raw in &input.dimensions {
            let d = AnalysisDimension::parse("input.dimensions", raw.trim())?;
            if dimensions.contains(&d) {
                return Err(DomainError::bad_input("input.dimensions", "维度不能重复"));
            }
            if d == AnalysisDimension::BusinessLine
                && !matches!(
                    subject,
                    AnalysisSubject::Grants | AnalysisSubject::Applications
                )
            {
                return Err(DomainError::bad_input(
                    "input.dimensions",
                    "业务条线维度仅适用于服务授予和服务申请",
                ));
            }
            dimensions.push(d);
        }
        let mut measures = Vec::new();
        for raw in &input.measures {
            let m = AnalysisMeasure::parse("input.measures", raw.trim())?;
            if m == AnalysisMeasure::Sum && subject != AnalysisSubject::Subsidies {
                return Err(DomainError::bad_input(
                    "input.measures",
                    "金额合计仅适用于补贴发放明细",
                ));
            }
            if !measures.contains(&m) {
                measures.push(m);
            }
        }
        if measures.is_empty() {
            measures.push(AnalysisMeasure::Count);
        }
        let f = &input.filter;
        let scope = PersonScope::of(viewer);
        let own = match scope.kind() {
            ScopeKind::City => RegionCode::from_trusted(CITY_CODE.to_owned()),
            ScopeKind::District(d) | ScopeKind::Street(d) => d.clone(),
            _ => return Err(DomainError::Forbidden("自定义分析仅限市、区、街镇管理员")),
        };
        let region = match f
            .region_code
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            None => own,
            Some(raw) => {
                let code = RegionCode::parse("input.filter.regionCode", raw)?;
                if code.level() == RegionLevel::Committee {
                    return Err(DomainError::bad_input(
                        "input.filter.regionCode",
                        "分析范围为市、区或街镇",
                    ));
                }
                let inside = own.as_str() == CITY_CODE || code.as_str().starts_with(own.as_str());
                if !inside || p.regions.get(code.as_str()).is_none() {
                    return Err(DomainError::NotFound { what: "区划" });
                }
                code
            }
        };
        let mut checked = CheckedFilter::default();
        for c in &f.categories {
            checked
                .categories
                .push(DisabilityCategory::from_code("input.filter.categories", *c)?.code());
        }
        for l in &f.levels {
            if !(1..=4).contains(l) {
                return Err(DomainError::bad_input(
                    "input.filter.levels",
                    "残疾等级为1至4",
                ));
            }
            checked.levels.push(i16::try_from(*l).unwrap_or(1));
        }
        if let Some(from) = f.age_from {
            if from > 120 {
                return Err(DomainError::bad_input(
                    "input.filter.ageFrom",
                    "年龄应在0至120之间",
                ));
            }
            checked.born_on_or_before = Some(years_before(today, from));
        }
        if let Some(to) = f.age_to {
            if to > 120 || f.age_from.is_some_and(|from| from > to) {
                return Err(DomainError::bad_input(
                    "input.filter.ageTo",
                    "年龄上限应在0至120之间且不小于下限",
                ));
            }
            checked.born_after = Some(years_before(today, to + 1));
        }
        checked.sex = match f.sex.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some("MALE") => Some("MALE"),
            Some("FEMALE") => Some("FEMALE"),
            Some(_) => {
                return Err(DomainError::bad_input(
                    "input.filter.sex",
                    "性别应为 MALE 或 FEMALE",
                ));
            }
        };
        checked.household = codes(
            "input.filter.householdStatuses",
            &f.household_statuses,
            HouseholdStatus::parse,
            HouseholdStatus::as_str,
        )?;
        checked.employment = codes(
            "input.filter.employments",
            &f.employments,
            Employment::parse,
            Employment::as_str,
        )?;
        checked.lines = codes(
            "input.filter.businessLines",
            &f.business_lines,
            crate::catalog::BusinessLine::parse,
            crate::catalog::BusinessLine::as_str,
        )?;
        if !checked.lines.is_empty()
            && !matches!(
                subject,
                AnalysisSubject::Grants | AnalysisSubject::Applications
            )
        {
            return Err(DomainError::bad_input(
                "input.filter.businessLines",
                "业务条线仅适用于服务授予和服务申请",
            ));
        }
        let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
        let to = match f.to_month.as_deref().filter(|m| !m.trim().is_empty()) {
            Some(m) => Some(month("input.filter.toMonth", m)?),
            None => None,
        };
        let from = match f.from_month.as_deref().filter(|m| !m.trim().is_empty()) {
            Some(m) => Some(month("input.filter.fromMonth", m)?),
            None => None,
        };
        let by_month = dimensions.contains(&AnalysisDimension::Month);
        if from.is_some() || to.is_some() || by_month {
            let to = to.unwrap_or(this_month);
            let from = from.unwrap_or_else(|| to - Months::new(11));
            if to < from {
                return Err(DomainError::bad_input(
                    "input.filter.toMonth",
                    "结束月份不能早于开始月份",
                ));
            }
            if from + Months::new(60) <= to {
                return Err(DomainError::bad_input(
                    "input.filter.toMonth",
                    "月份范围不能超过5年",
                ));
            }
            checked.months = Some((
                from.format("%Y-%m").to_string(),
                to.format("%Y-%m").to_string(),
            ));
        }
        Ok(Self {
            subject,
            dimensions,
            measures,
            region,
            filter: checked,
        })
    }

    /// The SQL of the cells (`grouped`) or of the total, and its values.
    fn sql(&self, backend: DbBackend, today: NaiveDate, grouped: bool) -> (String, Vec<Value>) {
        let src = source(self.subject);
        let mut values: Vec<Value> = Vec::new();
        let mut ph = |v: Value| {
            values.push(v);
            match backend {
                DbBackend::Postgres => format!("${}", values.len()),
                _ => "?".to_owned(),
            }
        };
        let month_expr = src.month.1.sql(backend, src.month.0);
        let mut select = Vec::new();
        if grouped {
            for (i, d) in self.dimensions.iter().enumerate() {
                let expr = match d {
                    AnalysisDimension::District => src.district.to_owned(),
                    AnalysisDimension::Street => src.street.to_owned(),
                    AnalysisDimension::Category => "p.category".to_owned(),
                    AnalysisDimension::Level => "p.level".to_owned(),
                    AnalysisDimension::Sex => "p.sex".to_owned(),
                    AnalysisDimension::HouseholdStatus => "p.household_status".to_owned(),
                    AnalysisDimension::Employment => "p.employment".to_owned(),
                    AnalysisDimension::BusinessLine => "si.business_line".to_owned(),
                    AnalysisDimension::Month => month_expr.clone(),
                    AnalysisDimension::MultiDisabledHousehold => {
                        "CASE WHEN (SELECT COUNT(*) FROM persons h \
                         WHERE h.household_id = p.household_id AND h.status = 'ACTIVE') > 1 \
                         THEN 'YES' ELSE 'NO' END"
                            .to_owned()
                    }
                    AnalysisDimension::ChildAgeBand => {
                        let mut case = "CASE".to_owned();
                        for (band, _, to) in CHILD_AGE_BANDS {
                            let after = years_before(today, to + 1);
                            case.push_str(&format!(
                                " WHEN p.birth_date > {} THEN '{band}'",
                                ph(after.into())
                            ));
                        }
                        case.push_str(" ELSE '18+' END");
                        case
                    }
                    AnalysisDimension::AgeBand => {
                        let mut case = "CASE".to_owned();
                        for (band, _, to) in &AGE_BANDS[..3] {
                            let after = years_before(today, to + 1);
                            case.push_str(&format!(
                                " WHEN p.birth_date > {} THEN '{band}'",
                                ph(after.into())
                            ));
                        }
                        case.push_str(" ELSE '60+' END");
                        case
                    }
                };
                select.push(format!("COALESCE(CAST({expr} AS TEXT), '') AS d{i}"));
            }
        }
        let people = if self.subject == AnalysisSubject::People {
            "COUNT(*)".to_owned()
        } else {
            format!("COUNT(DISTINCT {})", src.person)
        };
        select.push("CAST(COUNT(*) AS BIGINT) AS n".to_owned());
        select.push(format!("CAST({people} AS BIGINT) AS people"));
        select.push(format!(
            "CAST(COALESCE(SUM({}), 0) AS BIGINT) AS s",
            src.sum
        ));
        let mut conds = vec![src.base.to_owned()];
        match self.region.level() {
            RegionLevel::City => {}
            RegionLevel::District => {
                conds.push(format!(
                    "{} = {}",
                    src.district,
                    ph(self.region.as_str().to_owned().into())
                ));
            }
            _ => conds.push(format!(
                "{} = {}",
                src.street,
                ph(self.region.as_str().to_owned().into())
            )),
        }
        let f = &self.filter;
        let list = |col: &str, items: Vec<String>| format!("{col} IN ({})", items.join(", "));
        if !f.categories.is_empty() {
            let items = f.categories.iter().map(|c| ph((*c).into())).collect();
            conds.push(list("p.category", items));
        }
        if !f.levels.is_empty() {
            let items = f.levels.iter().map(|c| ph((*c).into())).collect();
            conds.push(list("p.level", items));
        }
        if let Some(d) = f.born_on_or_before {
            conds.push(format!("p.birth_date <= {}", ph(d.into())));
        }
        if let Some(d) = f.born_after {
            conds.push(format!("p.birth_date > {}", ph(d.into())));
        }
        if let Some(s) = f.sex {
            conds.push(format!("p.sex = {}", ph(s.to_owned().into())));
        }
        for (col, codes) in [
            ("p.household_status", &f.household),
            ("p.employment", &f.employment),
            ("si.business_line", &f.lines),
        ] {
            if !codes.is_empty() {
                let items = codes.iter().map(|c| ph((*c).to_owned().into())).collect();
                conds.push(list(col, items));
            }
        }
        if let Some((from, to)) = &f.months {
            conds.push(format!(
                "{month_expr} >= {} AND {month_expr} <= {}",
                ph(from.clone().into()),
                ph(to.clone().into())
            ));
        }
        let mut sql = format!(
            "SELECT {} FROM {} WHERE {}",
            select.join(", "),
            src.from,
            conds.join(" AND ")
        );
        if grouped && !self.dimensions.is_empty() {
            let by: Vec<String> = (1..=self.dimensions.len()).map(|i| i.to_string()).collect();
            sql.push_str(&format!(" GROUP BY {}", by.join(", ")));
        }
        (sql, values)
    }

    /// Run it: the cells and the total, suppressed when `suppress`.
    pub(crate) async fn run<C: ConnectionTrait>(
        &self,
        p: &Platform,
        conn: &C,
        today: NaiveDate,
        suppress: bool,
    ) -> DomainResult<Analysis> {
        let backend = conn.get_database_backend();
        let read = |r: &sea_orm::QueryResult| -> Result<(i64, i64, i64), sea_orm::DbErr> {
            Ok((
                r.try_get::<i64>("", "n")?,
                r.try_get::<i64>("", "people")?,
                r.try_get::<i64>("", "s")?,
            ))
        };
        let mut cells = Vec::new();
        if !self.dimensions.is_empty() {
            let (sql, values) = self.sql(backend, today, true);
            for r in conn
                .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?
            {
                let mut keys = Vec::new();
                for (i, d) in self.dimensions.iter().enumerate() {
                    let code: String = r.try_get("", &format!("d{i}"))?;
                    let label = label(p, *d, &code);
                    keys.push((code, label));
                }
                let (count, people, sum_fen) = read(&r)?;
                cells.push(AnalysisCell {
                    keys,
                    count,
                    people,
                    sum_fen,
                    suppressed: false,
                });
            }
        }
        cells.sort_by(|a, b| a.keys.cmp(&b.keys));
        let (sql, values) = self.sql(backend, today, false);
        let total = conn
            .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?
            .map(|r| read(&r))
            .transpose()?
            .unwrap_or_default();
        let mut total = AnalysisCell {
            keys: Vec::new(),
            count: total.0,
            people: total.1,
            sum_fen: total.2,
            suppressed: false,
        };
        if suppress {
            suppress::apply(&mut cells, &mut total, self.dimensions.len());
        }
        Ok(Analysis {
            subject: self.subject,
            dimensions: self.dimensions.clone(),
            measures: self.measures.clone(),
            region_code: self.region.as_str().to_owned(),
            suppression: suppress,
            cells,
            total,
        })
    }
}

/// The label of a dimension's code.
pub fn label(p: &Platform, d: AnalysisDimension, code: &str) -> String {
    use AnalysisDimension as D;
    let known = match (d, code) {
        (D::District | D::Street, c) => return p.regions.name_of(c),
        (D::Category, c) => c
            .parse::<i32>()
            .ok()
            .and_then(|n| DisabilityCategory::from_code("", n).ok())
            .map(DisabilityCategory::name_zh),
        (D::Level, "1") => Some("一级"),
        (D::Level, "2") => Some("二级"),
        (D::Level, "3") => Some("三级"),
        (D::Level, "4") => Some("四级"),
        (D::AgeBand | D::ChildAgeBand, c) => return format!("{c}岁"),
        (D::MultiDisabledHousehold, "YES") => Some("一户多残"),
        (D::MultiDisabledHousehold, "NO") => Some("一户一残"),
        (D::Sex, "MALE") => Some("男"),
        (D::Sex, "FEMALE") => Some("女"),
        (D::HouseholdStatus, "NONE") => Some("无"),
        (D::HouseholdStatus, "DIBAO") => Some("低保"),
        (D::HouseholdStatus, "LOW_INCOME") => Some("低收入"),
        (D::HouseholdStatus, "SPECIAL_HARDSHIP") => Some("特困"),
        (D::Employment, "EMPLOYED") => Some("就业"),
        (D::Employment, "UNEMPLOYED") => Some("未就业"),
        (D::Employment, "STUDENT") => Some("在校"),
        (D::Employment, "RETIRED") => Some("退休"),
        (D::Employment, "UNABLE") => Some("无劳动能力"),
        (D::BusinessLine, "ORGANIZATION") => Some("组联"),
        (D::BusinessLine, "EDUCATION_EMPLOYMENT") => Some("教就"),
        (D::BusinessLine, "REHABILITATION") => Some("康复"),
        (D::BusinessLine, "RIGHTS") => Some("权益"),
        _ => None,
    };
    known.map_or_else(|| code.to_owned(), str::to_owned)
}

/// Today in Shanghai.
fn today() -> NaiveDate {
    crate::cockpit::shanghai_today(Utc::now())
}

/// 自定义分析, for one caller.
pub struct AnalysisService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> AnalysisService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    fn viewer(&self) -> DomainResult<&'a Viewer> {
        self.caller.region_admin("自定义分析仅限市、区、街镇管理员")
    }

    /// Run an analysis in the viewer's scope; small cells are suppressed below city level.
    pub async fn analyse(&self, input: &AnalysisInput) -> DomainResult<Analysis> {
        let viewer = self.viewer()?;
        let today = today();
        let plan = Plan::check(self.p, viewer, input, today)?;
        let below_city = plan.region.as_str() != CITY_CODE;
        plan.run(self.p, self.p.db.conn(), today, below_city).await
    }

    /// The analysis as an XLSX workbook, always suppressed, audited.
    pub async fn export(&self, input: &AnalysisInput) -> DomainResult<(Analysis, Vec<u8>)> {
        let viewer = self.viewer()?;
        let today = today();
        crate::audit::audited_by(
            self.p,
            self.caller,
            "analysis.export",
            "report",
            input.subject.clone(),
            async move {
                let plan = Plan::check(self.p, viewer, input, today)?;
                let analysis = plan.run(self.p, self.p.db.conn(), today, true).await?;
                let bytes = workbook(&analysis)?;
                let w = self.p.db.begin_write().await?;
                crate::audit::append(
                    &w.txn,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    crate::audit::AuditEntry {
                        operation: "analysis.export",
                        object_type: "report",
                        object_id: format!(
                            "{}:{}",
                            analysis.subject.as_str(),
                            analysis.region_code
                        ),
                        result: "SUCCESS".to_owned(),
                        detail: format!(
                            "dimensions={} cells={}",
                            analysis
                                .dimensions
                                .iter()
                                .map(|d| d.as_str())
                                .collect::<Vec<_>>()
                                .join(","),
                            analysis.cells.len()
                        ),
                    },
                )
                .await?;
                w.commit().await?;
                Ok((analysis, bytes))
            },
        )
        .await
    }
}

fn workbook(a: &Analysis) -> DomainResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| DomainError::internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("分析").map_err(x)?;
    let dim_name = |d: &AnalysisDimension| match d {
        AnalysisDimension::District => "区",
        AnalysisDimension::Street => "街镇",
        AnalysisDimension::Category => "残疾类别",
        AnalysisDimension::Level => "残疾等级",
        AnalysisDimension::AgeBand => "年龄段",
        AnalysisDimension::Sex => "性别",
        AnalysisDimension::HouseholdStatus => "家庭经济状况",
        AnalysisDimension::Employment => "就业状况",
        AnalysisDimension::BusinessLine => "业务条线",
        AnalysisDimension::Month => "月份",
        AnalysisDimension::ChildAgeBand => "儿童年龄段",
        AnalysisDimension::MultiDisabledHousehold => "一户多残",
    };
    let measure_name = |m: &AnalysisMeasure| match m {
        AnalysisMeasure::Count => "记录数",
        AnalysisMeasure::People => "人数",
        AnalysisMeasure::Sum => "金额（元）",
        AnalysisMeasure::Rate => "占比",
    };
    let mut head: Vec<&str> = a.dimensions.iter().map(dim_name).collect();
    if head.is_empty() {
        head.push("");
    }
    head.extend(a.measures.iter().map(measure_name));
    ws.write_row_with_format(0, 0, head, &bold).map_err(x)?;
    let rows = a.cells.iter().chain(std::iter::once(&a.total));
    for (r, cell) in (1u32..).zip(rows) {
        let mut col = 0u16;
        if cell.keys.is_empty() {
            ws.write_string(r, 0, "合计").map_err(x)?;
            col = u16::try_from(a.dimensions.len().max(1)).unwrap_or(1);
        } else {
            for (_, label) in &cell.keys {
                ws.write_string(r, col, label.as_str()).map_err(x)?;
                col += 1;
            }
        }
        for m in &a.measures {
            if cell.suppressed {
                ws.write_string(r, col, "<5").map_err(x)?;
            } else {
                #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                let v = match m {
                    AnalysisMeasure::Count => cell.count as f64,
                    AnalysisMeasure::People => cell.people as f64,
                    AnalysisMeasure::Sum => cell.sum_fen as f64 / 100.0,
                    AnalysisMeasure::Rate => a.rate(cell).unwrap_or(0.0),
                };
                ws.write_number(r, col, v).map_err(x)?;
            }
            col += 1;
        }
    }
    wb.save_to_buffer().map_err(x)
}

/// Cells by key, for tests and the topic pages.
pub fn by_key(a: &Analysis) -> HashMap<Vec<String>, &AnalysisCell> {
    a.cells
        .iter()
        .map(|c| (c.keys.iter().map(|(k, _)| k.clone()).collect(), c))
        .collect()
}
