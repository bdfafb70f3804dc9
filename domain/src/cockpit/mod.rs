//! 领导驾驶舱 (R56): the live indicators of the city, a district or a street-town.
//!
//! The counters are kept by the database in the same transaction as every counted change
//! (`zhucan_migrations::cockpit`); each node holds them in memory ([`Hub`]), reads only what
//! changed since its last read (one statement per push interval, whatever the number of
//! screens), sums them into figures for every region at once and hands each screen the figures
//! of its region: no SQL per subscriber, ever. A reconciliation ([`reconcile`]) recounts from the
//! tables every night (and on demand), reports any drift and repairs it.

mod hub;
mod reconcile;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

pub use hub::{Hub, RegionView, Snapshot};
pub use reconcile::{
    Drift, ReconcileReason, Reconciliation, nightly_due, reconcile, reconciliations,
};

use crate::error::{DomainError, DomainResult};
use crate::types::{CITY_CODE, DisabilityCategory, RegionCode, RegionLevel};
use crate::viewer::{PersonScope, Role, ScopeKind};
use crate::{Caller, Platform};

/// Cockpit settings.
#[derive(Debug, Clone, Copy)]
pub struct CockpitConfig {
    /// Screens are pushed at most this often (milliseconds).
    pub push_ms: u64,
}

impl Default for CockpitConfig {
    fn default() -> Self {
        Self { push_ms: 1_000 }
    }
}

/// Age bands of the cockpit (age reached this year: the counters keep birth years).
pub const AGE_BANDS: [&str; 4] = ["0-17", "18-44", "45-59", "60+"];

fn age_band_index(age: i32) -> usize {
    match age {
        ..=17 => 0,
        18..=44 => 1,
        45..=59 => 2,
        _ => 3,
    }
}

/// The indicators of one region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Certified people on the register.
    pub people: i64,
    /// By disability category code (1–7).
    pub by_category: BTreeMap<i16, i64>,
    /// By level (1–4).
    pub by_level: BTreeMap<i16, i64>,
    /// By age band ([`AGE_BANDS`]).
    pub by_age_band: [i64; 4],
    /// Records registered this month (新办证).
    pub registered_this_month: i64,
    /// Services granted this month.
    pub grants_this_month: i64,
    /// Service records this month.
    pub service_records_this_month: i64,
    /// 政策找人 tasks due this year.
    pub outreach_targeted: i64,
    /// Of which visited.
    pub outreach_visited: i64,
    /// Of which visited by the due date.
    pub outreach_on_time: i64,
    /// Guidance requests waiting for a volunteer.
    pub guidance_open: i64,
    /// Claimed or in progress.
    pub guidance_active: i64,
    /// Completed today.
    pub guidance_completed_today: i64,
    /// Activities taking place today (by their first day).
    pub activities_today: i64,
    /// Check-ins today.
    pub check_ins_today: i64,
    /// Custody alerts still to handle.
    pub custody_alerts_open: i64,
    /// Subsidy payments paid this month.
    pub subsidies_paid_this_month: i64,
    /// Their sum, fen.
    pub subsidies_paid_fen_this_month: i64,
    /// Hires this month.
    pub hires_this_month: i64,
}

/// What day it is, for the period indicators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Today {
    pub(crate) date: NaiveDate,
    day: String,
    month: String,
    year: String,
}

impl Today {
    pub(crate) fn of(date: NaiveDate) -> Self {
        Self {
            date,
            day: date.format("%Y-%m-%d").to_string(),
            month: date.format("%Y-%m").to_string(),
            year: date.format("%Y").to_string(),
        }
    }

    /// Today in Shanghai.
    pub(crate) fn now() -> Self {
        Self::of(shanghai_today(Utc::now()))
    }
}

/// The Shanghai date of an instant (UTC+8, no daylight saving).
pub fn shanghai_today(at: DateTime<Utc>) -> NaiveDate {
    (at + chrono::Duration::hours(8)).date_naive()
}

impl Figures {
    /// Add one counter.
    pub(crate) fn add(&mut self, metric: &str, bucket: &str, value: i64, amount: i64, t: &Today) {
        match metric {
            "PEOPLE_CATEGORY" => {
                self.people += value;
                if let Ok(c) = bucket.parse::<i16>() {
                    *self.by_category.entry(c).or_default() += value;
                }
            }
            "PEOPLE_LEVEL" => {
                if let Ok(l) = bucket.parse::<i16>() {
                    *self.by_level.entry(l).or_default() += value;
                }
            }
            "PEOPLE_BIRTH_YEAR" => {
                if let Ok(y) = bucket.parse::<i32>() {
                    self.by_age_band[age_band_index(t.date.year() - y)] += value;
                }
            }
            "PEOPLE_REGISTERED" if bucket == t.month => self.registered_this_month += value,
            "GRANTS" if bucket == t.month => self.grants_this_month += value,
            "SERVICE_RECORDS" if bucket == t.month => self.service_records_this_month += value,
            "OUTREACH_TARGETED" if bucket.starts_with(&t.year) => self.outreach_targeted += value,
            "OUTREACH_VISITED" if bucket.starts_with(&t.year) => self.outreach_visited += value,
            "OUTREACH_ON_TIME" if bucket.starts_with(&t.year) => self.outreach_on_time += value,
            "GUIDANCE_OPEN" => self.guidance_open += value,
            "GUIDANCE_ACTIVE" => self.guidance_active += value,
            "GUIDANCE_COMPLETED" if bucket == t.day => self.guidance_completed_today += value,
            "ACTIVITIES" if bucket == t.day => self.activities_today += value,
            "CHECK_INS" if bucket == t.day => self.check_ins_today += value,
            "CUSTODY_ALERTS_OPEN" => self.custody_alerts_open += value,
            "SUBSIDIES_PAID" if bucket == t.month => {
                self.subsidies_paid_this_month += value;
                self.subsidies_paid_fen_this_month += amount;
            }
            "HIRES" if bucket == t.month => self.hires_this_month += value,
            _ => {}
        }
    }

    /// People by category, with names, every category listed.
    pub fn categories(&self) -> Vec<(i16, &'static str, i64)> {
        DisabilityCategory::ALL
            .iter()
            .map(|c| {
                let code = c.code();
                (
                    code,
                    c.name_zh(),
                    self.by_category.get(&code).copied().unwrap_or(0),
                )
            })
            .collect()
    }

    /// People by level 1–4, every level listed.
    pub fn levels(&self) -> Vec<(i16, i64)> {
        (1..=4)
            .map(|l| (l, self.by_level.get(&l).copied().unwrap_or(0)))
            .collect()
    }
}

/// The regions a counter of `code` counts in: its street-town, district and the city.
pub(crate) fn rollup(code: &str) -> impl Iterator<Item = &str> {
    let street = (code.len() >= 9).then(|| &code[..9]);
    let district = (code.len() >= 6 && &code[..6] != CITY_CODE).then(|| &code[..6]);
    street
        .into_iter()
        .chain(district)
        .chain(std::iter::once(CITY_CODE))
}

/// The cockpit, for one caller.
pub struct CockpitService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> CockpitService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    /// The region a viewer may watch: their own (no code) or one inside it. A region outside
    /// the scope is `NOT_FOUND`, as elsewhere.
    pub fn region(&self, code: Option<&str>) -> DomainResult<RegionCode> {
        let viewer = self
            .caller
            .region_admin("驾驶舱仅限市、区、街镇管理员查看")?;
        let own = match PersonScope::of(viewer).kind() {
            ScopeKind::City => RegionCode::from_trusted(CITY_CODE.to_owned()),
            ScopeKind::District(d) | ScopeKind::Street(d) => d.clone(),
            _ => return Err(DomainError::Forbidden("驾驶舱仅限市、区、街镇管理员查看")),
        };
        let Some(raw) = code.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(own);
        };
        let code = RegionCode::parse("regionCode", raw)?;
        if code.level() == RegionLevel::Committee {
            return Err(DomainError::bad_input(
                "regionCode",
                "驾驶舱按市、区、街镇展示，不支持居村委",
            ));
        }
        let inside = own.as_str() == CITY_CODE || code.as_str().starts_with(own.as_str());
        if !inside || self.p.regions.get(code.as_str()).is_none() {
            return Err(DomainError::NotFound { what: "区划" });
        }
        Ok(code)
    }

    /// The figures of a region now (and of each region under it).
    pub async fn cockpit(&self, code: Option<&str>) -> DomainResult<std::sync::Arc<RegionView>> {
        let region = self.region(code)?;
        let snapshot = self.p.cockpit.refresh(&self.p.db, &self.p.regions).await?;
        Ok(snapshot.view(region.as_str()))
    }

    /// Recount every counter from the tables now (city admins and the system administrator).
    pub async fn reconcile(&self) -> DomainResult<Reconciliation> {
        let viewer = self.caller.viewer()?;
        let actor = self.caller.actor();
        crate::audit::audited_by(
            self.p,
            self.caller,
            "cockpit.reconcile",
            "cockpit",
            String::new(),
            async move {
                if !matches!(viewer.role, Role::CityAdmin | Role::SystemAdmin)
                    || viewer.client.is_some()
                {
                    return Err(DomainError::Forbidden(
                        "仅市残联管理员或系统管理员可发起驾驶舱对账",
                    ));
                }
                reconcile(self.p, &actor, ReconcileReason::OnDemand).await
            },
        )
        .await
    }

    /// Past reconciliations, newest first (same roles as [`Self::reconcile`]).
    pub async fn reconciliations(&self, limit: u64) -> DomainResult<Vec<Reconciliation>> {
        let viewer = self.caller.viewer()?;
        if !matches!(viewer.role, Role::CityAdmin | Role::SystemAdmin) {
            return Err(DomainError::Forbidden(
                "仅市残联管理员或系统管理员可查看驾驶舱对账",
            ));
        }
        reconciliations(&self.p.db, limit.clamp(1, 100)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_street_counts_in_its_district_and_the_city_and_nowhere_else() {
        assert_eq!(
            rollup("310115005").collect::<Vec<_>>(),
            ["310115005", "310115", "310000"]
        );
        assert_eq!(rollup("310115").collect::<Vec<_>>(), ["310115", "310000"]);
        assert_eq!(rollup("310000").collect::<Vec<_>>(), ["310000"]);
        assert_eq!(rollup("").collect::<Vec<_>>(), ["310000"]);
    }

    #[test]
    fn period_counters_count_only_in_their_period() {
        let t = Today::of(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default());
        let mut f = Figures::default();
        f.add("GRANTS", "2026-12", 3, 0, &t);
        f.add("GRANTS", "2026-11", 5, 0, &t);
        f.add("GUIDANCE_COMPLETED", "2026-12-03", 2, 0, &t);
        f.add("GUIDANCE_COMPLETED", "2026-12-02", 7, 0, &t);
        f.add("OUTREACH_TARGETED", "2026-01", 4, 0, &t);
        f.add("OUTREACH_TARGETED", "2025-12", 9, 0, &t);
        f.add("SUBSIDIES_PAID", "2026-12", 2, 60_000, &t);
        f.add("PEOPLE_BIRTH_YEAR", "2009", 1, 0, &t); // 17 this year
        f.add("PEOPLE_BIRTH_YEAR", "2008", 1, 0, &t); // 18
        f.add("PEOPLE_BIRTH_YEAR", "1966", 1, 0, &t); // 60
        assert_eq!(f.grants_this_month, 3);
        assert_eq!(f.guidance_completed_today, 2);
        assert_eq!(f.outreach_targeted, 4);
        assert_eq!(
            (f.subsidies_paid_this_month, f.subsidies_paid_fen_this_month),
            (2, 60_000)
        );
        assert_eq!(f.by_age_band, [1, 1, 0, 1]);
    }

    #[test]
    fn the_shanghai_day_starts_at_sixteen_hundred_utc() {
        let before = "2026-12-31T15:59:59Z".parse().unwrap_or_default();
        let after = "2026-12-31T16:00:00Z".parse().unwrap_or_default();
        assert_eq!(shanghai_today(before).to_string(), "2026-12-31");
        assert_eq!(shanghai_today(after).to_string(), "2027-01-01");
    }
}
