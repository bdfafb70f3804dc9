//! Working days: Monday to Friday, minus configured public holidays, plus configured make-up
//! working days (调休). The State Council publishes each year's list; operators put it in
//! `outreach_holidays` / `outreach_workdays`.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// A working-day calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// A calendar with these public holidays and make-up working days.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
            workdays: workdays.into_iter().collect(),
        }
    }

    /// Whether `d` is a working day.
    pub fn is_working(&self, d: NaiveDate) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The date `n` working days after `from` (not counting `from` itself).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        // A year of holidays cannot stop this: at most ~2 × n + 366 steps.
        while left > 0 {
            d += Duration::days(1);
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` ≤ `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn skips_weekends_and_holidays_and_counts_make_up_days() {
        let plain = WorkCalendar::default();
        // Friday 2026-11-27 + 1 working day = Monday 2026-11-30.
        assert_eq!(plain.add_working_days(d(2026, 11, 27), 1), d(2026, 11, 30));
        assert_eq!(plain.add_working_days(d(2026, 11, 30), 10), d(2026, 12, 14));
        let cal = WorkCalendar::new([d(2026, 12, 1), d(2026, 12, 2)], [d(2026, 12, 5)]);
        // Tue and Wed off, Saturday worked.
        assert_eq!(cal.add_working_days(d(2026, 11, 30), 1), d(2026, 12, 3));
        assert_eq!(cal.add_working_days(d(2026, 11, 30), 3), d(2026, 12, 5));
        assert_eq!(cal.working_days_between(d(2026, 11, 30), d(2026, 12, 7)), 4);
        assert_eq!(cal.working_days_between(d(2026, 12, 7), d(2026, 11, 30)), 0);
        assert_eq!(plain.add_working_days(d(2026, 11, 30), 0), d(2026, 11, 30));
    }
}
