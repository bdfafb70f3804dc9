//! Activity statistics (issue 17 §9): per activity and per district or street-town, for the
//! activities starting within a month (Shanghai time), in the caller's scope; and as XLSX.
//! Each measure is one grouped statement over the month's activities (five in all, whatever the
//! number of activities).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use uuid::Uuid;

use super::volunteers::{SignupStatus, month_start, next_month, parse_month};
use super::{ActivityService, ActivityStatus, RegistrationStatus, shanghai, store::manages};
use crate::entities::{
    activity, activity_goods_distribution, activity_registration, activity_service_delivery,
    activity_volunteer,
};
use crate::error::{DomainError, DomainResult};
use crate::region::RegionDirectory;
use crate::types::{CITY_CODE, RegionCode};

/// Measures of one activity or a sum of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityMeasures {
    /// 活动数（不含取消）
    pub activities: i64,
    /// 取消的活动
    pub cancelled: i64,
    /// 名额
    pub capacity: i64,
    /// 报名（确认、已到、失约、免除）
    pub registered: i64,
    /// 候补
    pub waitlisted: i64,
    /// 签到
    pub attended: i64,
    /// 失约
    pub no_shows: i64,
    /// 免除失约
    pub excused: i64,
    /// 发放物资件数
    pub goods_distributed: i64,
    /// 服务人次
    pub services_delivered: i64,
    /// 在岗志愿者
    pub volunteers: i64,
    /// 志愿服务分钟
    pub volunteer_minutes: i64,
}

impl ActivityMeasures {
    /// 失约率: no-shows among those expected (attended + no-shows; excused ones not counted).
    pub fn no_show_rate(&self) -> f64 {
        let expected = self.attended + self.no_shows;
        if expected == 0 {
            0.0
        } else {
            #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            let r = self.no_shows as f64 / expected as f64;
            r
        }
    }

    fn add(&mut self, o: &Self) {
        self.activities += o.activities;
        self.cancelled += o.cancelled;
        self.capacity += o.capacity;
        self.registered += o.registered;
        self.waitlisted += o.waitlisted;
        self.attended += o.attended;
        self.no_shows += o.no_shows;
        self.excused += o.excused;
        self.goods_distributed += o.goods_distributed;
        self.services_delivered += o.services_delivered;
        self.volunteers += o.volunteers;
        self.volunteer_minutes += o.volunteer_minutes;
    }
}

/// One activity's line.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityLine {
    /// Activity.
    pub id: Uuid,
    /// 标题
    pub title: String,
    /// 主办方区域
    pub organiser: String,
    /// 开始
    pub starts_at: DateTime<Utc>,
    /// 状态
    pub status: ActivityStatus,
    /// Measures.
    pub measures: ActivityMeasures,
}

/// One region's line: the activities organised in it (and below it).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionLine {
    /// Region code (the region asked for itself: its own activities at its level).
    pub region: String,
    /// Measures.
    pub measures: ActivityMeasures,
}

/// 活动统计 of one month in one region.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityStatistics {
    /// `YYYY-MM`
    pub month: String,
    /// Region asked for.
    pub region: String,
    /// By district (for the city) or street-town (for a district).
    pub regions: Vec<RegionLine>,
    /// By activity, in start order.
    pub activities: Vec<ActivityLine>,
    /// 合计
    pub total: ActivityMeasures,
}

/// The region line an activity organised in `code` counts in, seen from `region`.
fn line_of(region: &str, code: &str) -> String {
    let child = match region.len() {
        6 if region == CITY_CODE => 6,
        6 => 9,
        _ => region.len(),
    };
    if code.len() >= child && code != CITY_CODE {
        code[..child].to_owned()
    } else {
        code.to_owned()
    }
}

impl ActivityService<'_> {
    /// 活动统计: the month's activities organised in `region` (default: the caller's own), which
    /// must be in the caller's scope.
    pub async fn statistics(
        &self,
        region: Option<&str>,
        month: &str,
    ) -> DomainResult<ActivityStatistics> {
        let (viewer, scope) = self.manager()?;
        let (y, m) = parse_month("month", month)?;
        let region = match region {
            Some(r) => RegionCode::parse("regionCode", r)?.as_str().to_owned(),
            None => viewer
                .region
                .as_ref()
                .map_or_else(|| CITY_CODE.to_owned(), |r| r.as_str().to_owned()),
        };
        if !manages(&scope, &region) {
            return Err(DomainError::Forbidden("只能统计本辖区的活动"));
        }
        let (ny, nm) = next_month(y, m);
        let mut q = activity::Entity::find()
            .filter(activity::Column::StartsAt.gte(month_start(y, m)))
            .filter(activity::Column::StartsAt.lt(month_start(ny, nm)))
            .filter(activity::Column::Status.ne(ActivityStatus::Draft.as_str()));
        if region != CITY_CODE {
            q = q.filter(activity::Column::ScopeCode.starts_with(region.as_str()));
        }
        let ids_query = q
            .clone()
            .select_only()
            .column(activity::Column::Id)
            .into_query();
        let rows = q
            .order_by_asc(activity::Column::StartsAt)
            .order_by_asc(activity::Column::Id)
            .all(self.p.db.conn())
            .await?;
        let conn = self.p.db.conn();
        let mut per: HashMap<Uuid, ActivityMeasures> = HashMap::new();
        for (id, status, checked, n) in activity_registration::Entity::find()
            .select_only()
            .column(activity_registration::Column::ActivityId)
            .column(activity_registration::Column::Status)
            .column_as(
                activity_registration::Column::CheckedInAt.count(),
                "checked",
            )
            .column_as(activity_registration::Column::Id.count(), "n")
            .filter(activity_registration::Column::ActivityId.in_subquery(ids_query.clone()))
            .group_by(activity_registration::Column::ActivityId)
            .group_by(activity_registration::Column::Status)
            .into_tuple::<(Uuid, String, i64, i64)>()
            .all(conn)
            .await?
        {
            let e = per.entry(id).or_default();
            e.attended += checked;
            match RegistrationStatus::from_stored(&status) {
                RegistrationStatus::Waitlisted => e.waitlisted += n,
                RegistrationStatus::Cancelled => {}
                s => {
                    e.registered += n;
                    if s == RegistrationStatus::NoShow {
                        e.no_shows += n;
                    }
                    if s == RegistrationStatus::Excused {
                        e.excused += n;
                    }
                }
            }
        }
        for (id, q) in activity_goods_distribution::Entity::find()
            .select_only()
            .column(activity_goods_distribution::Column::ActivityId)
            .column_as(
                Expr::col(activity_goods_distribution::Column::Quantity).sum(),
                "q",
            )
            .filter(activity_goods_distribution::Column::ActivityId.in_subquery(ids_query.clone()))
            .group_by(activity_goods_distribution::Column::ActivityId)
            .into_tuple::<(Uuid, Option<i64>)>()
            .all(conn)
            .await?
        {
            per.entry(id).or_default().goods_distributed += q.unwrap_or(0);
        }
        for (id, n) in activity_service_delivery::Entity::find()
            .select_only()
            .column(activity_service_delivery::Column::ActivityId)
            .column_as(activity_service_delivery::Column::Id.count(), "n")
            .filter(activity_service_delivery::Column::ActivityId.in_subquery(ids_query.clone()))
            .group_by(activity_service_delivery::Column::ActivityId)
            .into_tuple::<(Uuid, i64)>()
            .all(conn)
            .await?
        {
            per.entry(id).or_default().services_delivered += n;
        }
        for (id, n, minutes) in activity_volunteer::Entity::find()
            .select_only()
            .column(activity_volunteer::Column::ActivityId)
            .column_as(activity_volunteer::Column::Id.count(), "n")
            .column_as(Expr::col(activity_volunteer::Column::Minutes).sum(), "m")
            .filter(activity_volunteer::Column::ActivityId.in_subquery(ids_query))
            .filter(activity_volunteer::Column::Status.eq(SignupStatus::Approved.as_str()))
            .group_by(activity_volunteer::Column::ActivityId)
            .into_tuple::<(Uuid, i64, Option<i64>)>()
            .all(conn)
            .await?
        {
            let e = per.entry(id).or_default();
            e.volunteers += n;
            e.volunteer_minutes += minutes.unwrap_or(0);
        }
        let mut total = ActivityMeasures::default();
        let mut regions: BTreeMap<String, ActivityMeasures> = BTreeMap::new();
        let mut activities = Vec::with_capacity(rows.len());
        for a in rows {
            let status = ActivityStatus::from_stored(&a.status);
            let mut measures = per.remove(&a.id).unwrap_or_default();
            if status == ActivityStatus::Cancelled {
                measures.cancelled = 1;
            } else {
                measures.activities = 1;
                measures.capacity = i64::from(a.capacity);
            }
            total.add(&measures);
            regions
                .entry(line_of(&region, &a.scope_code))
                .or_default()
                .add(&measures);
            activities.push(ActivityLine {
                id: a.id,
                title: a.title,
                organiser: a.scope_code,
                starts_at: a.starts_at,
                status,
                measures,
            });
        }
        Ok(ActivityStatistics {
            month: format!("{y}-{m:02}"),
            region,
            regions: regions
                .into_iter()
                .map(|(region, measures)| RegionLine { region, measures })
                .collect(),
            activities,
            total,
        })
    }

    /// The statistics as an XLSX workbook (audited).
    pub async fn statistics_workbook(
        &self,
        region: Option<&str>,
        month: &str,
    ) -> DomainResult<(ActivityStatistics, Vec<u8>)> {
        self.audited(
            "activity.statistics.export",
            region.unwrap_or_default().to_owned(),
            async {
                let s = self.statistics(region, month).await?;
                let bytes = statistics_xlsx(&s, &self.p.regions)?;
                self.exported(
                    "activity.statistics.export",
                    format!("{}:{}", s.region, s.month),
                    format!("activities={}", s.activities.len()),
                )
                .await?;
                Ok((s, bytes))
            },
        )
        .await
    }
}

const HEADER: [&str; 14] = [
    "活动数",
    "取消",
    "名额",
    "报名",
    "候补",
    "签到",
    "失约",
    "免除失约",
    "失约率",
    "发放物资（件）",
    "服务人次",
    "志愿者",
    "志愿服务（小时）",
    "",
];

fn write_measures(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    m: &ActivityMeasures,
    pct: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let nums = [
        m.activities as f64,
        m.cancelled as f64,
        m.capacity as f64,
        m.registered as f64,
        m.waitlisted as f64,
        m.attended as f64,
        m.no_shows as f64,
        m.excused as f64,
    ];
    for (i, n) in (0u16..).zip(nums) {
        ws.write_number(row, col + i, n)?;
    }
    ws.write_number_with_format(row, col + 8, m.no_show_rate(), pct)?;
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let rest = [
        m.goods_distributed as f64,
        m.services_delivered as f64,
        m.volunteers as f64,
        m.volunteer_minutes as f64 / 60.0,
    ];
    for (i, n) in (9u16..).zip(rest) {
        ws.write_number(row, col + i, n)?;
    }
    Ok(())
}

/// The statistics as a workbook: one sheet by region, one by activity.
pub fn statistics_xlsx(s: &ActivityStatistics, regions: &RegionDirectory) -> DomainResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| DomainError::internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let header = &HEADER[..13];
    let ws = wb.add_worksheet();
    ws.set_name("按区域").map_err(x)?;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "阳光201 活动统计 {}：{}",
            s.month,
            regions.name_of(&s.region)
        ),
        &bold,
    )
    .map_err(x)?;
    ws.write_row_with_format(2, 0, ["区域", "代码"], &bold)
        .map_err(x)?;
    ws.write_row_with_format(2, 2, header.iter().copied(), &bold)
        .map_err(x)?;
    let mut row = 3u32;
    for line in &s.regions {
        let name = if line.region == s.region {
            format!("{}（本级）", regions.name_of(&line.region))
        } else {
            regions.name_of(&line.region)
        };
        ws.write_string(row, 0, name).map_err(x)?;
        ws.write_string(row, 1, &line.region).map_err(x)?;
        write_measures(ws, row, 2, &line.measures, &pct).map_err(x)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "合计", &bold)
        .map_err(x)?;
    write_measures(ws, row, 2, &s.total, &pct).map_err(x)?;
    let ws = wb.add_worksheet();
    ws.set_name("按活动").map_err(x)?;
    ws.write_row_with_format(0, 0, ["活动", "主办方", "开始", "状态"], &bold)
        .map_err(x)?;
    ws.write_row_with_format(0, 4, header.iter().copied(), &bold)
        .map_err(x)?;
    for (r, a) in (1u32..).zip(&s.activities) {
        ws.write_string(r, 0, &a.title).map_err(x)?;
        ws.write_string(r, 1, regions.name_of(&a.organiser))
            .map_err(x)?;
        ws.write_string(
            r,
            2,
            a.starts_at
                .with_timezone(&shanghai())
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        )
        .map_err(x)?;
        ws.write_string(r, 3, super::store::status_zh(a.status))
            .map_err(x)?;
        write_measures(ws, r, 4, &a.measures, &pct).map_err(x)?;
    }
    wb.save_to_buffer().map_err(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_count_in_the_line_of_the_region_below_the_one_asked() {
        assert_eq!(line_of(CITY_CODE, "310115005"), "310115");
        assert_eq!(line_of(CITY_CODE, "310115"), "310115");
        assert_eq!(line_of(CITY_CODE, CITY_CODE), CITY_CODE);
        assert_eq!(line_of("310115", "310115005"), "310115005");
        assert_eq!(line_of("310115", "310115"), "310115");
        assert_eq!(line_of("310115005", "310115005"), "310115005");
    }

    #[test]
    fn the_no_show_rate_leaves_out_the_excused_and_survives_zero() {
        let mut m = ActivityMeasures::default();
        assert!(m.no_show_rate().abs() < f64::EPSILON);
        m.attended = 3;
        m.no_shows = 1;
        m.excused = 5;
        assert!((m.no_show_rate() - 0.25).abs() < 1e-9);
    }
}
