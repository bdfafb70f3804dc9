//! 岗位: posted by an enterprise (or staff of its district) for itself, standing or at a fair it
//! takes part in; `DRAFT → OPEN → FILLED` (when hires reach the places) or `CLOSED`. Open and
//! filled jobs of verified enterprises are public and found through `search`.

use chrono::Utc;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::service::{Party, covers_district, manages_district};
use super::{
    Accommodation, EmploymentService, EnterpriseStatus, JobStatus, MAX_VACANCIES,
    ParticipationStatus, WHAT_ENTERPRISE, WHAT_JOB, WorkHours, join_codes, salary_range,
    stored_accommodations, stored_numbers,
};
use crate::entities::{enterprise, fair_participation, job};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::{BoundedText, DisabilityCategory, DisabilityLevel, RegionLevel};
use crate::viewer::ScopeKind;

/// A job as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Row.
    pub row: job::Model,
}

impl Job {
    /// Status.
    pub fn status(&self) -> JobStatus {
        JobStatus::from_stored(&self.row.status)
    }
    /// Suitable categories (empty: any).
    pub fn categories(&self) -> Vec<i16> {
        stored_numbers(&self.row.categories)
    }
    /// Suitable levels (empty: any).
    pub fn levels(&self) -> Vec<i16> {
        stored_numbers(&self.row.levels)
    }
    /// Accommodations offered.
    pub fn accommodations(&self) -> Vec<Accommodation> {
        stored_accommodations(&self.row.accommodations)
    }
    /// Whether a person of this category and level suits the job.
    pub fn suits(&self, category: i16, level: i16) -> bool {
        let c = self.categories();
        let l = self.levels();
        (c.is_empty() || c.contains(&category)) && (l.is_empty() || l.contains(&level))
    }
}

/// A job as submitted.
#[derive(Debug, Clone, Default)]
pub struct JobInput {
    /// Edit of this job (with `version`), or a new draft.
    pub id: Option<Uuid>,
    /// Version read.
    pub version: Option<i32>,
    /// The enterprise (staff only; an enterprise posts for itself).
    pub enterprise_id: Option<Uuid>,
    /// The fair it is offered at.
    pub fair_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Monthly salary from (yuan).
    pub salary_min: i32,
    /// Monthly salary to (yuan).
    pub salary_max: i32,
    /// District of the workplace.
    pub district_code: String,
    /// Address.
    pub address: String,
    /// Latitude and longitude of the workplace (WGS-84).
    pub location: Option<(f64, f64)>,
    /// Hours.
    pub hours: WorkHours,
    /// Places.
    pub vacancies: i32,
    /// Suitable categories (1–7; empty: any).
    pub categories: Vec<i16>,
    /// Suitable levels (1–4; empty: any).
    pub levels: Vec<i16>,
    /// Accommodations offered.
    pub accommodations: Vec<Accommodation>,
}

/// Filters of the job list.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Status (public viewers: open and filled only).
    pub status: Option<JobStatus>,
    /// One enterprise.
    pub enterprise_id: Option<Uuid>,
    /// One fair.
    pub fair_id: Option<Uuid>,
    /// Workplace district.
    pub district: Option<String>,
    /// Suitable for this category (jobs open to any category included).
    pub category: Option<i16>,
    /// Offering this accommodation.
    pub accommodation: Option<Accommodation>,
}

fn sorted_unique(mut v: Vec<i16>) -> Vec<i16> {
    v.sort_unstable();
    v.dedup();
    v
}

impl EmploymentService<'_> {
    /// Which jobs the caller sees: public ones (open or filled, of verified enterprises), and
    /// every job of their own enterprise or of enterprises in their scope.
    async fn job_visibility(&self) -> DomainResult<Condition> {
        use job::Column as C;
        // Public: open or filled, of an enterprise not suspended since.
        let public = Condition::all()
            .add(C::Status.is_in([JobStatus::Open.as_str(), JobStatus::Filled.as_str()]))
            .add(super::verified_enterprise());
        let Some(viewer) = self.caller.full_viewer() else {
            return Ok(public);
        };
        Ok(match viewer.role {
            crate::viewer::Role::Enterprise => {
                let own = self.own_enterprise(self.p.db.conn(), viewer).await?;
                Condition::any().add(public).add(C::EnterpriseId.eq(own.id))
            }
            r if r.is_region_admin() => match crate::viewer::PersonScope::of(viewer).kind() {
                ScopeKind::City => Condition::all(),
                // Staff see every job of the enterprises of their district (the ones they
                // manage), wherever the workplace is.
                ScopeKind::District(d) => Condition::any()
                    .add(public)
                    .add(super::enterprise_in(d.as_str())),
                ScopeKind::Street(s) => Condition::any()
                    .add(public)
                    .add(super::enterprise_in(&s.as_str()[..6])),
                _ => public,
            },
            _ => public,
        })
    }

    /// 岗位列表, newest first by default.
    pub async fn jobs(&self, filter: &JobFilter, page: &PageRequest) -> DomainResult<Page<Job>> {
        use job::Column as C;
        let mut q = job::Entity::find().filter(self.job_visibility().await?);
        if let Some(s) = filter.status {
            q = q.filter(C::Status.eq(s.as_str()));
        }
        if let Some(e) = filter.enterprise_id {
            q = q.filter(C::EnterpriseId.eq(e));
        }
        if let Some(f) = filter.fair_id {
            q = q.filter(C::FairId.eq(f));
        }
        if let Some(d) = &filter.district {
            let d = crate::types::RegionCode::parse("filter.districtCode", d)?;
            q = q.filter(C::DistrictCode.eq(d.as_str()));
        }
        if let Some(c) = filter.category {
            DisabilityCategory::from_code("filter.category", i32::from(c))?;
            // Comma lists are short: "" (any) or codes separated by commas.
            q = q.filter(
                Condition::any()
                    .add(C::Categories.eq(""))
                    .add(C::Categories.eq(c.to_string()))
                    .add(C::Categories.starts_with(format!("{c},")))
                    .add(C::Categories.ends_with(format!(",{c}")))
                    .add(C::Categories.contains(format!(",{c},"))),
            );
        }
        if let Some(a) = filter.accommodation {
            q = q.filter(C::Accommodations.contains(a.as_str()));
        }
        let rows = page.apply(q, C::Id).all(self.p.db.conn()).await?;
        Ok(page.finish(rows).map(|row| Job { row }))
    }

    /// One job the caller sees.
    pub async fn job(&self, id: Uuid) -> DomainResult<Job> {
        job::Entity::find_by_id(id)
            .filter(self.job_visibility().await?)
            .one(self.p.db.conn())
            .await?
            .map(|row| Job { row })
            .ok_or(DomainError::NotFound { what: WHAT_JOB })
    }

    /// Jobs by id as the caller sees them (DataLoader of applications).
    pub async fn jobs_by_id(
        &self,
        ids: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Job>> {
        if ids.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        Ok(job::Entity::find()
            .filter(job::Column::Id.is_in(ids.iter().copied()))
            .filter(self.job_visibility().await?)
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(|row| (row.id, Job { row }))
            .collect())
    }

    /// The enterprise a job is posted for by this caller: their own, or one they manage.
    async fn posting_enterprise<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        asked: Option<Uuid>,
    ) -> DomainResult<enterprise::Model> {
        match self.party().await? {
            Party::Enterprise(e) => {
                if asked.is_some_and(|a| a != e.id) {
                    return Err(DomainError::Forbidden("只能发布本单位的岗位"));
                }
                Ok(*e)
            }
            Party::Staff(scope) => {
                let id = asked.ok_or_else(|| {
                    DomainError::bad_input("input.enterpriseId", "须指明用人单位")
                })?;
                enterprise::Entity::find_by_id(id)
                    .one(conn)
                    .await?
                    .filter(|e| manages_district(&scope, &e.district_code))
                    .ok_or(DomainError::NotFound {
                        what: WHAT_ENTERPRISE,
                    })
            }
            Party::Person(_) => Err(DomainError::Forbidden("仅用人单位或工作人员可以发布岗位")),
        }
    }

    /// 保存岗位: a new draft, or an edit of a draft or open job with the version read.
    pub async fn save_job(&self, input: JobInput) -> DomainResult<Job> {
        let object = input.id.map(|i| i.to_string()).unwrap_or_default();
        self.audited("employment.job.save", "job", object, async {
            let title = BoundedText::parse("input.title", &input.title, 200)?.into_string();
            let description =
                BoundedText::parse("input.description", &input.description, 5000)?.into_string();
            let (salary_min, salary_max) =
                salary_range("input.salaryMax", input.salary_min, input.salary_max)?;
            let district = self
                .p
                .regions
                .parse_existing(
                    "input.districtCode",
                    &input.district_code,
                    RegionLevel::District,
                )?
                .as_str()
                .to_owned();
            let address = if input.address.trim().is_empty() {
                String::new()
            } else {
                BoundedText::parse("input.address", &input.address, 200)?.into_string()
            };
            if let Some((lat, lng)) = input.location
                && !((30.6..=31.9).contains(&lat) && (120.8..=122.2).contains(&lng))
            {
                return Err(DomainError::bad_input(
                    "input.location",
                    "工作地点坐标应在上海市范围内",
                ));
            }
            if !(1..=MAX_VACANCIES).contains(&input.vacancies) {
                return Err(DomainError::bad_input(
                    "input.vacancies",
                    format!("招聘人数应为 1–{MAX_VACANCIES}"),
                ));
            }
            for c in &input.categories {
                DisabilityCategory::from_code("input.categories", i32::from(*c))?;
            }
            for l in &input.levels {
                DisabilityLevel::from_code("input.levels", i32::from(*l))?;
            }
            let categories =
                join_codes(&sorted_unique(input.categories.clone()), |c| c.to_string());
            let levels = join_codes(&sorted_unique(input.levels.clone()), |l| l.to_string());
            let mut acc = input.accommodations.clone();
            acc.sort_by_key(|a| a.as_str());
            acc.dedup();
            let accommodations = join_codes(&acc, |a| a.as_str().to_owned());
            let now = Utc::now();
            let w = self.p.db.begin_write().await?;
            let ent = self.posting_enterprise(&w.txn, input.enterprise_id).await?;
            if let Some(f) = input.fair_id {
                let approved = fair_participation::Entity::find_by_id((f, ent.id))
                    .one(&w.txn)
                    .await?
                    .is_some_and(|p| p.status == ParticipationStatus::Approved.as_str());
                if !approved {
                    return Err(DomainError::bad_input(
                        "input.fairId",
                        "单位参会获批后才能在该招聘会发布岗位",
                    ));
                }
            }
            let saved = if let Some(id) = input.id {
                let cur = job::Entity::find_by_id(id)
                    .filter(job::Column::EnterpriseId.eq(ent.id))
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_JOB })?;
                if Some(cur.version) != input.version {
                    return Err(DomainError::Conflict(
                        "岗位已被他人修改，请刷新后重试".to_owned(),
                    ));
                }
                super::service::claim::<job::Entity, _>(
                    &w.txn,
                    job::Column::Id,
                    cur.id,
                    job::Column::Version,
                    cur.version,
                    "岗位已被他人修改，请刷新后重试",
                )
                .await?;
                let status = JobStatus::from_stored(&cur.status);
                if !matches!(status, JobStatus::Draft | JobStatus::Open) {
                    return Err(DomainError::Conflict(format!(
                        "岗位当前为“{}”，不能修改",
                        job_status_zh(status)
                    )));
                }
                if input.vacancies < cur.hired {
                    return Err(DomainError::bad_input(
                        "input.vacancies",
                        format!("已录用{}人，招聘人数不能少于此数", cur.hired),
                    ));
                }
                let mut m: job::ActiveModel = cur.clone().into();
                m.fair_id = Set(input.fair_id);
                m.title = Set(title);
                m.description = Set(description);
                m.salary_min = Set(salary_min);
                m.salary_max = Set(salary_max);
                m.district_code = Set(district);
                m.address = Set(address);
                m.latitude = Set(input.location.map(|l| l.0));
                m.longitude = Set(input.location.map(|l| l.1));
                m.hours = Set(input.hours.as_str().to_owned());
                m.vacancies = Set(input.vacancies);
                m.categories = Set(categories);
                m.levels = Set(levels);
                m.accommodations = Set(accommodations);
                m.version = Set(cur.version + 1);
                m.updated_at = Set(now);
                m.update(&w.txn).await?
            } else {
                job::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    enterprise_id: Set(ent.id),
                    fair_id: Set(input.fair_id),
                    title: Set(title),
                    description: Set(description),
                    salary_min: Set(salary_min),
                    salary_max: Set(salary_max),
                    district_code: Set(district),
                    address: Set(address),
                    latitude: Set(input.location.map(|l| l.0)),
                    longitude: Set(input.location.map(|l| l.1)),
                    hours: Set(input.hours.as_str().to_owned()),
                    vacancies: Set(input.vacancies),
                    hired: Set(0),
                    categories: Set(categories),
                    levels: Set(levels),
                    accommodations: Set(accommodations),
                    status: Set(JobStatus::Draft.as_str().to_owned()),
                    version: Set(1),
                    created_by: Set(self.actor_name()),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&w.txn)
                .await?
            };
            self.append(
                &w.txn,
                "employment.job.save",
                "job",
                saved.id,
                format!("enterprise={}", ent.id),
            )
            .await?;
            w.commit().await?;
            self.reindex_job(&saved, &ent)?;
            Ok(Job { row: saved })
        })
        .await
    }

    /// 发布或关闭岗位: `DRAFT → OPEN` (the enterprise verified), `DRAFT | OPEN → CLOSED`.
    pub async fn set_job_status(&self, id: Uuid, version: i32, to: JobStatus) -> DomainResult<Job> {
        self.audited("employment.job.status", "job", id.to_string(), async {
            let w = self.p.db.begin_write().await?;
            let cur = job::Entity::find_by_id(id)
                .one(&w.txn)
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_JOB })?;
            let ent = enterprise::Entity::find_by_id(cur.enterprise_id)
                .one(&w.txn)
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_JOB })?;
            let allowed = match self.party().await? {
                Party::Enterprise(e) => e.id == ent.id,
                Party::Staff(scope) => {
                    covers_district(&scope, &ent.district_code)
                        && manages_district(&scope, &ent.district_code)
                }
                Party::Person(_) => false,
            };
            if !allowed {
                return Err(DomainError::NotFound { what: WHAT_JOB });
            }
            if cur.version != version {
                return Err(DomainError::Conflict(
                    "岗位已被他人修改，请刷新后重试".to_owned(),
                ));
            }
            super::service::claim::<job::Entity, _>(
                &w.txn,
                job::Column::Id,
                cur.id,
                job::Column::Version,
                version,
                "岗位已被他人修改，请刷新后重试",
            )
            .await?;
            let from = JobStatus::from_stored(&cur.status);
            let ok = matches!(
                (from, to),
                (JobStatus::Draft, JobStatus::Open)
                    | (JobStatus::Draft | JobStatus::Open, JobStatus::Closed)
            );
            if !ok {
                return Err(DomainError::Conflict(format!(
                    "岗位当前为“{}”，不能改为“{}”",
                    job_status_zh(from),
                    job_status_zh(to)
                )));
            }
            if to == JobStatus::Open && ent.status != EnterpriseStatus::Verified.as_str() {
                return Err(DomainError::Conflict(
                    "用人单位通过审核后才能发布岗位".to_owned(),
                ));
            }
            let mut m: job::ActiveModel = cur.clone().into();
            m.status = Set(to.as_str().to_owned());
            m.version = Set(cur.version + 1);
            m.updated_at = Set(Utc::now());
            let saved = m.update(&w.txn).await?;
            self.append(
                &w.txn,
                "employment.job.status",
                "job",
                id,
                format!("{}->{}", from.as_str(), to.as_str()),
            )
            .await?;
            w.commit().await?;
            self.reindex_job(&saved, &ent)?;
            Ok(Job { row: saved })
        })
        .await
    }

    /// Bring the search index up to date with a committed change of a job.
    pub(super) fn reindex_job(
        &self,
        row: &job::Model,
        ent: &enterprise::Model,
    ) -> DomainResult<()> {
        self.p
            .search
            .upsert(row.id, crate::catalog::search::job_doc(row, ent).as_ref())
    }
}

pub(super) fn job_status_zh(s: JobStatus) -> &'static str {
    match s {
        JobStatus::Draft => "草稿",
        JobStatus::Open => "招聘中",
        JobStatus::Filled => "已招满",
        JobStatus::Closed => "已关闭",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(categories: &str, levels: &str) -> Job {
        Job {
            row: job::Model {
                id: Uuid::nil(),
                enterprise_id: Uuid::nil(),
                fair_id: None,
                title: String::new(),
                description: String::new(),
                salary_min: 0,
                salary_max: 0,
                district_code: "310115".into(),
                address: String::new(),
                latitude: None,
                longitude: None,
                hours: "FULL_TIME".into(),
                vacancies: 1,
                hired: 0,
                categories: categories.into(),
                levels: levels.into(),
                accommodations: String::new(),
                status: "OPEN".into(),
                version: 1,
                created_by: String::new(),
                created_at: Utc::now(),
                updated_at: Utc::now(),
            },
        }
    }

    #[test]
    fn a_job_suits_the_categories_and_levels_it_names_or_any_when_none() {
        assert!(job("", "").suits(1, 1));
        assert!(job("1,4", "").suits(4, 2));
        assert!(!job("1,4", "").suits(2, 2));
        assert!(job("", "3,4").suits(7, 3));
        assert!(!job("4", "3,4").suits(4, 1));
    }
}
