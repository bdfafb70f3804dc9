//! Registry list filters and the row-scope condition.

use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition};

use crate::entities::person::Column;
use crate::error::{DomainError, DomainResult};
use crate::types::{DisabilityCategory, DisabilityLevel, RegionCode};
use crate::viewer::{PersonScope, ScopeKind};

/// Record status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonStatus {
    /// 在册
    Active,
    /// 注销
    Deactivated,
}

impl PersonStatus {
    /// Storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Deactivated => "DEACTIVATED",
        }
    }
}

/// Parsed list filters; every field narrows the result.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// District (6 digits).
    pub district: Option<RegionCode>,
    /// Street-town (9 digits).
    pub street: Option<RegionCode>,
    /// Disability category.
    pub category: Option<DisabilityCategory>,
    /// Disability level.
    pub level: Option<DisabilityLevel>,
    /// Levels from 1 (most severe) up to this one (重度: 2).
    pub max_level: Option<DisabilityLevel>,
    /// Employment.
    pub employment: Option<crate::person::Employment>,
    /// Minimum age in whole years.
    pub min_age: Option<u32>,
    /// Maximum age in whole years.
    pub max_age: Option<u32>,
    /// Status.
    pub status: Option<PersonStatus>,
    /// Substring of the name.
    pub name_contains: Option<String>,
}

impl PersonFilter {
    /// Check ranges; `field` prefixes error names.
    pub fn validate(&self, field: &str) -> DomainResult<()> {
        for (name, v) in [("minAge", self.min_age), ("maxAge", self.max_age)] {
            if v.is_some_and(|a| a > 150) {
                return Err(DomainError::bad_input(
                    format!("{field}.{name}"),
                    "年龄应在0–150之间",
                ));
            }
        }
        if let (Some(lo), Some(hi)) = (self.min_age, self.max_age)
            && lo > hi
        {
            return Err(DomainError::bad_input(
                format!("{field}.minAge"),
                "最小年龄不能大于最大年龄",
            ));
        }
        if self
            .name_contains
            .as_ref()
            .is_some_and(|n| n.chars().count() > 50)
        {
            return Err(DomainError::bad_input(
                format!("{field}.nameContains"),
                "姓名关键字不能超过50个字符",
            ));
        }
        Ok(())
    }

    /// The SQL condition of the filter (without scope).
    pub(crate) fn condition(&self, today: NaiveDate) -> Condition {
        let mut c = Condition::all();
        if let Some(d) = &self.district {
            c = c.add(Column::DistrictCode.eq(d.as_str()));
        }
        if let Some(s) = &self.street {
            c = c.add(Column::StreetCode.eq(s.as_str()));
        }
        if let Some(cat) = self.category {
            c = c.add(Column::Category.eq(cat.code()));
        }
        if let Some(l) = self.level {
            c = c.add(Column::Level.eq(l.code()));
        }
        if let Some(l) = self.max_level {
            c = c.add(Column::Level.lte(l.code()));
        }
        if let Some(e) = self.employment {
            c = c.add(Column::Employment.eq(e.as_str()));
        }
        // Age a ⇔ born in (today − (a+1) years, today − a years].
        if let Some(min) = self.min_age {
            c = c.add(Column::BirthDate.lte(years_before(today, min)));
        }
        if let Some(max) = self.max_age {
            c = c.add(Column::BirthDate.gt(years_before(today, max + 1)));
        }
        if let Some(s) = self.status {
            c = c.add(Column::Status.eq(s.as_str()));
        }
        if let Some(n) = self
            .name_contains
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let escaped = n
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            c = c.add(Column::Name.like(format!("%{escaped}%")));
        }
        c
    }
}

fn years_before(today: NaiveDate, years: u32) -> NaiveDate {
    let y = today.year() - i32::try_from(years).unwrap_or(150);
    NaiveDate::from_ymd_opt(y, today.month(), today.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, today.month(), 28))
        .unwrap_or(today)
}

/// Today's date, for age filters.
pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The row-scope condition: the one place where a viewer's scope becomes SQL.
pub(crate) fn scope_condition(scope: &PersonScope) -> Condition {
    match scope.kind() {
        ScopeKind::City => Condition::all(),
        ScopeKind::District(d) => Condition::all().add(Column::DistrictCode.eq(d.as_str())),
        ScopeKind::Street(s) => Condition::all().add(Column::StreetCode.eq(s.as_str())),
        ScopeKind::Person(id) => Condition::all().add(Column::Id.eq(*id)),
        // An empty `any` condition renders as FALSE.
        ScopeKind::Nothing => Condition::any(),
    }
}

/// The ids among `persons` that `scope` admits, as a subquery: the sections of a file (grants,
/// inbox, tasks…) read their rows `WHERE person_id IN (this)`, one statement for a whole page.
pub(crate) fn admitted(
    persons: &[uuid::Uuid],
    scope: &PersonScope,
) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
    crate::entities::person::Entity::find()
        .select_only()
        .column(crate::entities::person::Column::Id)
        .filter(crate::entities::person::Column::Id.is_in(persons.iter().copied()))
        .filter(scope_condition(scope))
        .into_query()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_before_handles_leap_days() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(
            years_before(d, 1),
            NaiveDate::from_ymd_opt(2023, 2, 28).unwrap()
        );
        assert_eq!(
            years_before(d, 4),
            NaiveDate::from_ymd_opt(2020, 2, 29).unwrap()
        );
    }

    #[test]
    fn inverted_age_range_is_bad_input() {
        let f = PersonFilter {
            min_age: Some(60),
            max_age: Some(18),
            ..Default::default()
        };
        assert!(
            f.validate("filter")
                .unwrap_err()
                .to_string()
                .starts_with("filter.minAge")
        );
    }
}
