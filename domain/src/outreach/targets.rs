//! Targeting (政策找人's, shared with questionnaire pushes): the active people a push reaches —
//! registry filters within the pusher's scope and, optionally, a service item's eligibility rule
//! in force — read a page at a time in id order.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::push::{OutreachScope, PAGE, TargetFilter};
use crate::eligibility::{self, Evaluator, Facts};
use crate::entities::{person, service_item};
use crate::error::{DomainError, DomainResult};
use crate::region::RegionDirectory;
use crate::types::RegionLevel;

/// Who a push reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targeting {
    /// Registry filters (already checked against the pusher's scope).
    pub filter: TargetFilter,
    /// The pusher's region (`310000` or a district): nobody outside it is reached.
    pub scope_code: String,
    /// Whether the service item's rule in force selects too.
    pub use_rule: bool,
    /// The service item (its rule when `use_rule`).
    pub service_item_id: Option<Uuid>,
}

/// Check registry filters against the pusher's scope; a district pusher's filter is pinned to
/// their district.
pub fn check_filter(
    regions: &RegionDirectory,
    scope: &OutreachScope,
    f: &TargetFilter,
) -> DomainResult<TargetFilter> {
    let mut out = f.clone();
    if let Some(d) = &f.district {
        let code = regions.parse_existing("input.filter.districtCode", d, RegionLevel::District)?;
        if !scope.covers(code.as_str()) {
            return Err(DomainError::Forbidden("推送对象超出您的管辖范围"));
        }
    }
    if let OutreachScope::District(own) = scope {
        out.district = Some(own.clone());
    }
    if let Some(s) = &f.street {
        let code = regions.parse_existing("input.filter.streetCode", s, RegionLevel::Street)?;
        let district = code
            .district()
            .map(|d| d.as_str().to_owned())
            .unwrap_or_default();
        if !scope.covers(&district) {
            return Err(DomainError::Forbidden("推送对象超出您的管辖范围"));
        }
        if out.district.as_ref().is_some_and(|d| *d != district) {
            return Err(DomainError::bad_input(
                "input.filter.streetCode",
                "街镇不属于所选区",
            ));
        }
    }
    if f.category.is_some_and(|c| !(1..=7).contains(&c)) {
        return Err(DomainError::bad_input(
            "input.filter.category",
            "残疾类别应为1–7",
        ));
    }
    if f.level.is_some_and(|l| !(1..=4).contains(&l)) {
        return Err(DomainError::bad_input(
            "input.filter.level",
            "残疾等级应为1–4",
        ));
    }
    for (name, v) in [("minAge", f.min_age), ("maxAge", f.max_age)] {
        if v.is_some_and(|a| a > 150) {
            return Err(DomainError::bad_input(
                format!("input.filter.{name}"),
                "年龄应在0–150之间",
            ));
        }
    }
    if let (Some(lo), Some(hi)) = (f.min_age, f.max_age)
        && lo > hi
    {
        return Err(DomainError::bad_input(
            "input.filter.minAge",
            "最小年龄不能大于最大年龄",
        ));
    }
    Ok(out)
}

impl Targeting {
    /// The service item exists and, when it selects by rule, has a rule in force.
    pub async fn check<C: ConnectionTrait>(&self, conn: &C) -> DomainResult<()> {
        if let Some(sid) = self.service_item_id {
            let item = service_item::Entity::find_by_id(sid)
                .one(conn)
                .await?
                .ok_or_else(|| DomainError::bad_input("input.serviceItemId", "服务事项不存在"))?;
            if self.use_rule && item.rule_version == 0 {
                return Err(DomainError::bad_input(
                    "input.useRule",
                    "该服务事项尚无现行适用条件，不能按条件选择对象",
                ));
            }
        } else if self.use_rule {
            return Err(DomainError::bad_input(
                "input.useRule",
                "按适用条件选择对象须选择服务事项",
            ));
        }
        Ok(())
    }

    /// The SQL condition: active people, the filters, the pusher's scope.
    fn condition(&self, today: NaiveDate) -> DomainResult<Condition> {
        use crate::types::{DisabilityCategory, DisabilityLevel, RegionCode};
        let f = &self.filter;
        let pf = crate::person::PersonFilter {
            district: f.district.clone().map(RegionCode::from_trusted),
            street: f.street.clone().map(RegionCode::from_trusted),
            category: f
                .category
                .map(|c| DisabilityCategory::from_code("category", i32::from(c)))
                .transpose()?,
            level: f
                .level
                .map(|l| DisabilityLevel::from_code("level", i32::from(l)))
                .transpose()?,
            min_age: f.min_age,
            max_age: f.max_age,
            status: Some(crate::person::PersonStatus::Active),
            name_contains: None,
            max_level: None,
            employment: None,
        };
        let mut c = pf.condition(today);
        if self.scope_code != crate::types::region_code_city() {
            c = c.add(person::Column::DistrictCode.eq(self.scope_code.as_str()));
        }
        Ok(c)
    }

    /// The rule in force, when the push selects by rule.
    async fn rule<C: ConnectionTrait>(
        &self,
        conn: &C,
    ) -> DomainResult<Option<(service_item::Model, Arc<eligibility::rule::CompiledRule>)>> {
        if !self.use_rule {
            return Ok(None);
        }
        let Some(sid) = self.service_item_id else {
            return Ok(None);
        };
        let ruled = eligibility::ruled_services(conn, None, false)
            .await?
            .into_iter()
            .find(|s| s.item.id == sid)
            .ok_or_else(|| {
                DomainError::Conflict("该服务事项已无现行适用条件，请修改推送".to_owned())
            })?;
        Ok(Some((ruled.item, ruled.compiled)))
    }
}

/// The people a push reaches, a page at a time.
pub struct TargetPages {
    cond: Condition,
    rule: Option<(service_item::Model, Arc<eligibility::rule::CompiledRule>)>,
    today: NaiveDate,
    after: Option<Uuid>,
    done: bool,
}

impl TargetPages {
    /// Start reading the targets of `t`.
    pub async fn new<C: ConnectionTrait>(conn: &C, t: &Targeting) -> DomainResult<Self> {
        let today = Utc::now().date_naive();
        Ok(Self {
            cond: t.condition(today)?,
            rule: t.rule(conn).await?,
            today,
            after: None,
            done: false,
        })
    }

    /// The next non-empty page, or `None` at the end.
    pub async fn next<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> DomainResult<Option<Vec<person::Model>>> {
        while !self.done {
            let mut q = person::Entity::find()
                .filter(self.cond.clone())
                .order_by_asc(person::Column::Id)
                .limit(PAGE);
            if let Some(a) = self.after {
                q = q.filter(person::Column::Id.gt(a));
            }
            let rows = q.all(conn).await?;
            self.done = (rows.len() as u64) < PAGE;
            self.after = rows.last().map(|r| r.id);
            let rows = match &self.rule {
                None => rows,
                Some((item, compiled)) => {
                    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
                    let granted = eligibility::granted_keys_of(conn, &ids).await?;
                    let mut ev = Evaluator::default();
                    rows.into_iter()
                        .filter(|r| {
                            ev.holds(
                                compiled,
                                &Facts::for_item(r, self.today, &granted, &item.key),
                            )
                        })
                        .collect()
                }
            };
            if !rows.is_empty() {
                return Ok(Some(rows));
            }
        }
        Ok(None)
    }
}
