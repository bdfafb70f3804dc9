//! 托养 (institutional care, R39): the catalog's institutions gain places per care type
//! (residential, day care, respite); people are placed in them (from, to, monthly fee and
//! subsidy in fen) or wait for a place. A person has one placement in force at a time and no
//! two placements overlap; an institution never takes more people than its places. The analysis
//! sets places against the waiting list, the open care needs the questionnaires found and the
//! placements made, per district, with monthly trends.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::Platform;
use crate::audit::{self, AuditEntry};
use crate::caller::Caller;
use crate::entities::{care_capacity, care_placement, institution, need, person};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::{BoundedText, Fen, RegionLevel};
use crate::viewer::{PersonScope, ScopeKind, Viewer};

/// What a placement is called in messages.
pub const WHAT: &str = "托养安置记录";

code_enum! {
    /// 照护类型
    CareType {
        /// 住宿托养
        #[default]
        Residential = "RESIDENTIAL",
        /// 日间照料
        DayCare = "DAY_CARE",
        /// 短期（喘息）托养
        Respite = "RESPITE",
    }
}

code_enum! {
    /// 安置状态
    PlacementStatus {
        /// 等待床位
        #[default]
        Waiting = "WAITING",
        /// 在托
        Active = "ACTIVE",
        /// 已结束
        Ended = "ENDED",
        /// 已撤回等待
        Withdrawn = "WITHDRAWN",
    }
}

/// A placement as submitted.
#[derive(Debug, Clone, Default)]
pub struct PlacementInput {
    /// Existing placement (with its version): a waiting entry that now starts.
    pub id: Option<Uuid>,
    /// Its version.
    pub version: Option<i32>,
    /// Person.
    pub person_id: Uuid,
    /// Institution.
    pub institution_id: Uuid,
    /// Care type.
    pub care_type: CareType,
    /// `WAITING` or `ACTIVE`.
    pub status: PlacementStatus,
    /// When the place was asked for (default today).
    pub requested_on: Option<NaiveDate>,
    /// First day in care (`ACTIVE`).
    pub starts_on: Option<NaiveDate>,
    /// Monthly fee in yuan (`0` for none).
    pub fee: String,
    /// Monthly subsidy in yuan (`0` for none).
    pub subsidy: String,
}

/// Filters of the placements list.
#[derive(Debug, Clone, Default)]
pub struct PlacementFilter {
    /// Status.
    pub status: Option<PlacementStatus>,
    /// Institution.
    pub institution_id: Option<Uuid>,
    /// Person.
    pub person_id: Option<Uuid>,
}

/// One district's care.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DistrictCare {
    /// District.
    pub district: String,
    /// Places in its institutions.
    pub places: i64,
    /// People in care there.
    pub occupied: i64,
    /// Its people waiting for a place.
    pub waiting: i64,
    /// Its people with an open care need and neither a place nor a waiting entry.
    pub unmet_needs: i64,
    /// Places short: waiting and unmet needs beyond the free places.
    pub shortfall: i64,
    /// Average stay of ended placements (days).
    pub average_stay_days: Option<f64>,
}

/// One month of placements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthCare {
    /// `YYYY-MM`.
    pub month: String,
    /// Placements that started.
    pub started: i64,
    /// Placements that ended.
    pub ended: i64,
    /// In care at the month's end.
    pub in_care: i64,
}

/// The care analysis of a scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CareAnalysis {
    /// Per district.
    pub districts: Vec<DistrictCare>,
    /// Per month, oldest first.
    pub months: Vec<MonthCare>,
}

/// Placements, capacities and the analysis, for one caller.
pub struct CareService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

fn money(field: &str, raw: &str) -> DomainResult<i64> {
    let t = raw.trim();
    if t.is_empty() || t == "0" || t == "0.00" || t == "0.0" {
        return Ok(0);
    }
    Ok(Fen::parse_yuan(field, t)?.fen())
}

/// Placements a viewer sees: region admins by the person's region in scope.
fn visible(viewer: &Viewer) -> Condition {
    use care_placement::Column as C;
    match PersonScope::of(viewer).kind() {
        ScopeKind::City if viewer.role.is_region_admin() => Condition::all(),
        ScopeKind::District(d) if viewer.role.is_region_admin() => {
            Condition::all().add(C::DistrictCode.eq(d.as_str()))
        }
        ScopeKind::Street(s) if viewer.role.is_region_admin() => {
            Condition::all().add(C::StreetCode.eq(s.as_str()))
        }
        ScopeKind::Person(p) => Condition::all().add(C::PersonId.eq(*p)),
        _ => Condition::all().add(C::Id.is_null()),
    }
}

fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

impl<'a> CareService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    async fn append<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        operation: &'static str,
        object_id: Uuid,
        detail: String,
    ) -> DomainResult<()> {
        audit::append(
            conn,
            self.p.audit_key(),
            &self.caller.actor(),
            AuditEntry {
                operation,
                object_type: "care_placement",
                object_id: object_id.to_string(),
                result: "SUCCESS".to_owned(),
                detail,
            },
        )
        .await
        .map(|_| ())
    }

    fn admin(&self) -> DomainResult<&Viewer> {
        let viewer = self.caller.viewer()?;
        if !viewer.role.is_region_admin() {
            return Err(DomainError::Forbidden("托养安置由各级残联管理"));
        }
        Ok(viewer)
    }

    /// 登记床位 (city, or the institution's district): places of one care type.
    pub async fn save_capacity(
        &self,
        institution_id: Uuid,
        care_type: CareType,
        places: i32,
    ) -> DomainResult<care_capacity::Model> {
        audit::audited_by(
            self.p,
            self.caller,
            "care.capacity.save",
            "institution",
            institution_id.to_string(),
            async {
                let viewer = self.admin()?;
                if !(0..=10_000).contains(&places) {
                    return Err(DomainError::bad_input("places", "床位数应在0–10000之间"));
                }
                let inst = institution::Entity::find_by_id(institution_id)
                    .one(self.p.db.conn())
                    .await?
                    .ok_or(DomainError::NotFound { what: "机构" })?;
                match PersonScope::of(viewer).kind() {
                    ScopeKind::City => {}
                    ScopeKind::District(d) if d.as_str() == inst.district_code => {}
                    _ => return Err(DomainError::Forbidden("床位由机构所在区或市残联登记")),
                }
                let w = self.p.db.begin_write().await?;
                let occupied = care_placement::Entity::find()
                    .filter(care_placement::Column::InstitutionId.eq(institution_id))
                    .filter(care_placement::Column::CareType.eq(care_type.as_str()))
                    .filter(care_placement::Column::Status.eq(PlacementStatus::Active.as_str()))
                    .count(&w.txn)
                    .await?;
                if u64::try_from(places).unwrap_or(0) < occupied {
                    return Err(DomainError::Conflict(format!(
                        "在托{occupied}人，床位数不能少于在托人数"
                    )));
                }
                let now = Utc::now();
                let existing = care_capacity::Entity::find_by_id((
                    institution_id,
                    care_type.as_str().to_owned(),
                ))
                .one(&w.txn)
                .await?;
                let row = match existing {
                    Some(c) => {
                        let mut m: care_capacity::ActiveModel = c.into();
                        m.places = Set(places);
                        m.updated_by = Set(viewer.username.chars().take(64).collect());
                        m.updated_at = Set(now);
                        m.update(&w.txn).await?
                    }
                    None => {
                        care_capacity::ActiveModel {
                            institution_id: Set(institution_id),
                            care_type: Set(care_type.as_str().to_owned()),
                            district_code: Set(inst.district_code.clone()),
                            places: Set(places),
                            updated_by: Set(viewer.username.chars().take(64).collect()),
                            updated_at: Set(now),
                        }
                        .insert(&w.txn)
                        .await?
                    }
                };
                self.append(
                    &w.txn,
                    "care.capacity.save",
                    institution_id,
                    format!("{}={places}", care_type.as_str()),
                )
                .await?;
                w.commit().await?;
                Ok(row)
            },
        )
        .await
    }

    /// The places of institutions (of a district, or all).
    pub async fn capacities(
        &self,
        district: Option<&str>,
    ) -> DomainResult<Vec<care_capacity::Model>> {
        self.admin()?;
        let mut q = care_capacity::Entity::find();
        if let Some(d) = district {
            q = q.filter(care_capacity::Column::DistrictCode.eq(d));
        }
        Ok(q.order_by_asc(care_capacity::Column::InstitutionId)
            .all(self.p.db.conn())
            .await?)
    }

    /// 安置记录 in scope (by the person's region), newest first by default.
    pub async fn placements(
        &self,
        filter: &PlacementFilter,
        page: &PageRequest,
    ) -> DomainResult<Page<care_placement::Model>> {
        let viewer = self.caller.viewer()?;
        let mut q = care_placement::Entity::find().filter(visible(viewer));
        if let Some(s) = filter.status {
            q = q.filter(care_placement::Column::Status.eq(s.as_str()));
        }
        if let Some(i) = filter.institution_id {
            q = q.filter(care_placement::Column::InstitutionId.eq(i));
        }
        if let Some(p) = filter.person_id {
            q = q.filter(care_placement::Column::PersonId.eq(p));
        }
        let rows = page
            .apply(q, care_placement::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(page.finish(rows))
    }

    /// The placements of many persons (the person file), newest first.
    pub async fn placements_of(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<care_placement::Model>>> {
        let viewer = self.caller.viewer()?;
        let mut out: HashMap<Uuid, Vec<care_placement::Model>> = HashMap::new();
        if persons.is_empty() {
            return Ok(out);
        }
        for row in care_placement::Entity::find()
            .filter(visible(viewer))
            .filter(care_placement::Column::PersonId.is_in(persons.iter().copied()))
            .order_by_desc(care_placement::Column::Id)
            .all(self.p.db.conn())
            .await?
        {
            out.entry(row.person_id).or_default().push(row);
        }
        Ok(out)
    }

    /// 登记安置 (region admins whose scope holds the person): a waiting entry, a placement that
    /// starts, or a waiting entry that now starts. One placement in force per person, none
    /// overlapping another, never beyond the institution's places: each a clear error, nothing
    /// written.
    pub async fn save_placement(
        &self,
        input: PlacementInput,
    ) -> DomainResult<care_placement::Model> {
        audit::audited_by(
            self.p,
            self.caller,
            "care.placement.save",
            "care_placement",
            input.id.map(|i| i.to_string()).unwrap_or_default(),
            async {
                let viewer = self.admin()?;
                let fee = money("input.fee", &input.fee)?;
                let subsidy = money("input.subsidy", &input.subsidy)?;
                if subsidy > fee && fee > 0 {
                    return Err(DomainError::bad_input("input.subsidy", "补贴不能高于收费"));
                }
                let today = today();
                let requested = input.requested_on.unwrap_or(today);
                if requested > today {
                    return Err(DomainError::bad_input(
                        "input.requestedOn",
                        "申请日期不能晚于今天",
                    ));
                }
                let starts = match input.status {
                    PlacementStatus::Active => {
                        let s = input.starts_on.ok_or_else(|| {
                            DomainError::bad_input("input.startsOn", "在托须填写入托日期")
                        })?;
                        if s > today + chrono::Duration::days(31) {
                            return Err(DomainError::bad_input(
                                "input.startsOn",
                                "入托日期不能晚于一个月后",
                            ));
                        }
                        if s < requested {
                            return Err(DomainError::bad_input(
                                "input.startsOn",
                                "入托日期不能早于申请日期",
                            ));
                        }
                        Some(s)
                    }
                    PlacementStatus::Waiting => None,
                    _ => {
                        return Err(DomainError::bad_input(
                            "input.status",
                            "只能登记为等待或在托；结束请用结束安置",
                        ));
                    }
                };
                let conn = self.p.db.conn();
                let person = person::Entity::find_by_id(input.person_id)
                    .one(conn)
                    .await?
                    .filter(|p| PersonScope::of(viewer).admits(p.id, &p.street_code))
                    .ok_or(DomainError::NotFound { what: "残疾人" })?;
                let inst = institution::Entity::find_by_id(input.institution_id)
                    .one(conn)
                    .await?
                    .ok_or_else(|| DomainError::bad_input("input.institutionId", "机构不存在"))?;
                let w = self.p.db.begin_write().await?;
                let capacity = care_capacity::Entity::find_by_id((
                    inst.id,
                    input.care_type.as_str().to_owned(),
                ))
                .one(&w.txn)
                .await?
                .ok_or_else(|| {
                    DomainError::bad_input("input.careType", "该机构未登记此类照护床位")
                })?;
                let theirs = care_placement::Entity::find()
                    .filter(care_placement::Column::PersonId.eq(person.id))
                    .all(&w.txn)
                    .await?;
                let current = match input.id {
                    Some(id) => {
                        let c = theirs
                            .iter()
                            .find(|p| p.id == id)
                            .cloned()
                            .ok_or(DomainError::NotFound { what: WHAT })?;
                        if Some(c.version) != input.version {
                            return Err(DomainError::Conflict(
                                "安置记录已被他人更新，请刷新后重试".to_owned(),
                            ));
                        }
                        if c.status != PlacementStatus::Waiting.as_str() {
                            return Err(DomainError::Conflict(
                                "只有等待中的记录可以修改".to_owned(),
                            ));
                        }
                        Some(c)
                    }
                    None => None,
                };
                if let Some(start) = starts {
                    for other in theirs.iter().filter(|o| Some(o.id) != input.id) {
                        let overlaps = match (
                            PlacementStatus::from_stored(&other.status),
                            other.starts_on,
                            other.ends_on,
                        ) {
                            (PlacementStatus::Active, _, _) => true,
                            (PlacementStatus::Ended, Some(_), Some(e)) => start <= e,
                            _ => false,
                        };
                        if overlaps {
                            return Err(DomainError::Conflict(
                                "与该人已有的托养安置时间重叠".to_owned(),
                            ));
                        }
                    }
                    let active = care_placement::Entity::find()
                        .filter(care_placement::Column::InstitutionId.eq(inst.id))
                        .filter(care_placement::Column::CareType.eq(input.care_type.as_str()))
                        .filter(care_placement::Column::Status.eq(PlacementStatus::Active.as_str()))
                        .count(&w.txn)
                        .await?;
                    if active >= u64::try_from(capacity.places).unwrap_or(0) {
                        return Err(DomainError::Conflict(
                            "该机构此类床位已满，可先登记为等待".to_owned(),
                        ));
                    }
                }
                let now = Utc::now();
                let row = match current {
                    Some(c) => {
                        let mut m: care_placement::ActiveModel = c.clone().into();
                        m.institution_id = Set(inst.id);
                        m.care_type = Set(input.care_type.as_str().to_owned());
                        m.institution_district_code = Set(inst.district_code.clone());
                        m.status = Set(input.status.as_str().to_owned());
                        m.requested_on = Set(requested);
                        m.starts_on = Set(starts);
                        m.fee_fen = Set(fee);
                        m.subsidy_fen = Set(subsidy);
                        m.version = Set(c.version + 1);
                        m.updated_at = Set(now);
                        m.update(&w.txn).await?
                    }
                    None => {
                        care_placement::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            person_id: Set(person.id),
                            institution_id: Set(inst.id),
                            care_type: Set(input.care_type.as_str().to_owned()),
                            district_code: Set(person.district_code.clone()),
                            street_code: Set(person.street_code.clone()),
                            institution_district_code: Set(inst.district_code.clone()),
                            status: Set(input.status.as_str().to_owned()),
                            requested_on: Set(requested),
                            starts_on: Set(starts),
                            ends_on: Set(None),
                            fee_fen: Set(fee),
                            subsidy_fen: Set(subsidy),
                            end_reason: Set(None),
                            version: Set(1),
                            created_by: Set(viewer.username.chars().take(64).collect()),
                            created_at: Set(now),
                            updated_at: Set(now),
                        }
                        .insert(&w.txn)
                        .await?
                    }
                };
                self.append(
                    &w.txn,
                    "care.placement.save",
                    row.id,
                    format!("status={} institution={}", row.status, inst.id),
                )
                .await?;
                w.commit().await?;
                Ok(row)
            },
        )
        .await
    }

    /// 结束安置: a placement in care ends on a day (not before it started, not in the future);
    /// a waiting entry is withdrawn. History is kept.
    pub async fn end_placement(
        &self,
        id: Uuid,
        version: i32,
        ends_on: NaiveDate,
        reason: &str,
    ) -> DomainResult<care_placement::Model> {
        audit::audited_by(
            self.p,
            self.caller,
            "care.placement.end",
            "care_placement",
            id.to_string(),
            async {
                let viewer = self.admin()?;
                let reason = BoundedText::parse("reason", reason, 500)?.into_string();
                let w = self.p.db.begin_write().await?;
                let c = care_placement::Entity::find_by_id(id)
                    .filter(visible(viewer))
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT })?;
                if c.version != version {
                    return Err(DomainError::Conflict(
                        "安置记录已被他人更新，请刷新后重试".to_owned(),
                    ));
                }
                let to = match PlacementStatus::from_stored(&c.status) {
                    PlacementStatus::Active => {
                        if c.starts_on.is_some_and(|s| ends_on < s) {
                            return Err(DomainError::bad_input(
                                "endsOn",
                                "结束日期不能早于入托日期",
                            ));
                        }
                        if ends_on > today() {
                            return Err(DomainError::bad_input("endsOn", "结束日期不能晚于今天"));
                        }
                        PlacementStatus::Ended
                    }
                    PlacementStatus::Waiting => PlacementStatus::Withdrawn,
                    _ => {
                        return Err(DomainError::Conflict("该安置已结束".to_owned()));
                    }
                };
                let mut m: care_placement::ActiveModel = c.clone().into();
                m.status = Set(to.as_str().to_owned());
                m.ends_on = Set((to == PlacementStatus::Ended).then_some(ends_on));
                m.end_reason = Set(Some(reason));
                m.version = Set(c.version + 1);
                m.updated_at = Set(Utc::now());
                let row = m.update(&w.txn).await?;
                self.append(
                    &w.txn,
                    "care.placement.end",
                    id,
                    format!("status={}", to.as_str()),
                )
                .await?;
                w.commit().await?;
                Ok(row)
            },
        )
        .await
    }

    /// 托养分析: per district in scope (a district admin sees their own; the city every
    /// district, or one with `district`), places against the waiting list and the open care
    /// needs, with monthly trends over the last `months` months.
    pub async fn analysis(
        &self,
        district: Option<&str>,
        months: u32,
    ) -> DomainResult<CareAnalysis> {
        let viewer = self.admin()?;
        let scope_district: Option<String> = match PersonScope::of(viewer).kind() {
            ScopeKind::City => district
                .map(|d| {
                    self.p
                        .regions
                        .parse_existing("districtCode", d, RegionLevel::District)
                        .map(|c| c.as_str().to_owned())
                })
                .transpose()?,
            ScopeKind::District(d) => {
                if district.is_some_and(|x| x != d.as_str()) {
                    return Err(DomainError::Forbidden("超出您的管辖范围"));
                }
                Some(d.as_str().to_owned())
            }
            _ => return Err(DomainError::Forbidden("托养分析供市、区残联使用")),
        };
        if !(1..=36).contains(&months) {
            return Err(DomainError::bad_input("months", "月数应在1–36之间"));
        }
        let conn = self.p.db.conn();
        let mut by: BTreeMap<String, DistrictCare> = BTreeMap::new();
        let entry = |by: &mut BTreeMap<String, DistrictCare>, d: &str| {
            by.entry(d.to_owned()).or_insert_with(|| DistrictCare {
                district: d.to_owned(),
                ..DistrictCare::default()
            });
        };
        for r in self.p.regions.children(None) {
            if r.code.level() == RegionLevel::District
                && scope_district
                    .as_deref()
                    .is_none_or(|d| d == r.code.as_str())
            {
                entry(&mut by, r.code.as_str());
            }
        }
        let mut caps = care_capacity::Entity::find();
        if let Some(d) = &scope_district {
            caps = caps.filter(care_capacity::Column::DistrictCode.eq(d.as_str()));
        }
        for c in caps.all(conn).await? {
            entry(&mut by, &c.district_code);
            if let Some(e) = by.get_mut(&c.district_code) {
                e.places += i64::from(c.places);
            }
        }
        let mut pl = care_placement::Entity::find();
        if let Some(d) = &scope_district {
            pl = pl.filter(
                Condition::any()
                    .add(care_placement::Column::DistrictCode.eq(d.as_str()))
                    .add(care_placement::Column::InstitutionDistrictCode.eq(d.as_str())),
            );
        }
        let placements = pl.all(conn).await?;
        let mut stays: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut placed_or_waiting: std::collections::HashSet<Uuid> = Default::default();
        for p in &placements {
            let status = PlacementStatus::from_stored(&p.status);
            if matches!(status, PlacementStatus::Active | PlacementStatus::Waiting) {
                placed_or_waiting.insert(p.person_id);
            }
            match status {
                PlacementStatus::Active => {
                    if let Some(e) = by.get_mut(&p.institution_district_code) {
                        e.occupied += 1;
                    }
                }
                PlacementStatus::Waiting => {
                    if let Some(e) = by.get_mut(&p.district_code) {
                        e.waiting += 1;
                    }
                }
                PlacementStatus::Ended => {
                    if let (Some(s), Some(end)) = (p.starts_on, p.ends_on) {
                        let st = stays
                            .entry(p.institution_district_code.clone())
                            .or_default();
                        st.0 += (end - s).num_days() + 1;
                        st.1 += 1;
                    }
                }
                PlacementStatus::Withdrawn => {}
            }
        }
        let mut needs = need::Entity::find()
            .filter(need::Column::Category.eq("CARE"))
            .filter(need::Column::Status.is_in(["IDENTIFIED", "REFERRED"]));
        if let Some(d) = &scope_district {
            needs = needs.filter(need::Column::DistrictCode.eq(d.as_str()));
        }
        for n in needs.all(conn).await? {
            if placed_or_waiting.contains(&n.person_id) {
                continue;
            }
            if let Some(e) = by.get_mut(&n.district_code) {
                e.unmet_needs += 1;
            }
        }
        for (d, e) in &mut by {
            let free = (e.places - e.occupied).max(0);
            e.shortfall = (e.waiting + e.unmet_needs - free).max(0);
            #[expect(clippy::cast_precision_loss, reason = "an average for people to read")]
            let avg = stays
                .get(d)
                .filter(|(_, n)| *n > 0)
                .map(|(days, n)| *days as f64 / *n as f64);
            e.average_stay_days = avg;
        }
        // Months, oldest first, ending with the current one.
        let today = today();
        let mut out_months = Vec::new();
        for back in (0..months).rev() {
            let first = shift_month(
                NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today),
                -i32::try_from(back).unwrap_or(0),
            );
            let next = shift_month(first, 1);
            let last = next - chrono::Duration::days(1);
            let in_month = |d: Option<NaiveDate>| d.is_some_and(|d| d >= first && d < next);
            let mut m = MonthCare {
                month: first.format("%Y-%m").to_string(),
                ..MonthCare::default()
            };
            for p in &placements {
                if scope_district
                    .as_deref()
                    .is_some_and(|d| p.institution_district_code != d)
                {
                    continue;
                }
                if in_month(p.starts_on) {
                    m.started += 1;
                }
                if in_month(p.ends_on) {
                    m.ended += 1;
                }
                if p.starts_on.is_some_and(|s| s <= last) && p.ends_on.is_none_or(|e| e > last) {
                    m.in_care += 1;
                }
            }
            out_months.push(m);
        }
        Ok(CareAnalysis {
            districts: by.into_values().collect(),
            months: out_months,
        })
    }
}

fn shift_month(d: NaiveDate, by: i32) -> NaiveDate {
    let total = d.year() * 12 + i32::try_from(d.month0()).unwrap_or(0) + by;
    NaiveDate::from_ymd_opt(
        total.div_euclid(12),
        u32::try_from(total.rem_euclid(12)).unwrap_or(0) + 1,
        1,
    )
    .unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_shift_across_years() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(
            shift_month(d, -1),
            NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()
        );
        assert_eq!(
            shift_month(d, 12),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
        assert_eq!(money("f", "0").unwrap(), 0);
        assert_eq!(money("f", "1200.50").unwrap(), 120_050);
        assert!(money("f", "-1").is_err());
    }
}
