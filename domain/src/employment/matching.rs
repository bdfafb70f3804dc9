//! 人岗匹配: jobs recommended to a person, and candidates recommended for a job, each with the
//! reasons in words ("适合类别：肢体残疾；距离 3.2 公里"). A job must suit the person's category
//! and level to be recommended at all; then it scores by how well it meets the person's latest
//! employment intention (district, work, hours, salary) and, when the person shares where they
//! are, by distance. Candidates are only people who agreed that their intention be used for
//! matching; an enterprise sees them de-identified, as it sees applicants.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::service::Party;
use super::{EmploymentService, Job, JobStatus, WHAT_JOB, WorkHours, today};
use crate::entities::{employment_intention, job, person};
use crate::error::{DomainError, DomainResult};
use crate::types::DisabilityCategory;

/// Open jobs considered for one person (newest first).
const JOBS_CONSIDERED: u64 = 5_000;
/// Intentions considered for one job (newest first).
const INTENTIONS_CONSIDERED: u64 = 20_000;
/// Most recommendations returned.
pub const MAX_RECOMMENDATIONS: usize = 50;

/// A job recommended, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct JobMatch {
    /// The job.
    pub job: Job,
    /// Higher is better.
    pub score: i32,
    /// Distance from where the person is, in metres (when both are known).
    pub distance_m: Option<f64>,
    /// Why, in words.
    pub reasons: Vec<String>,
}

/// A candidate recommended for a job, de-identified.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateMatch {
    /// The person (not shown to enterprises).
    pub person_id: Uuid,
    /// Surname's first character.
    pub surname: String,
    /// Age band.
    pub age_band: &'static str,
    /// Category.
    pub category: i16,
    /// Level.
    pub level: i16,
    /// District.
    pub district_code: String,
    /// Desired work.
    pub desired_work: String,
    /// Higher is better.
    pub score: i32,
    /// Why, in words.
    pub reasons: Vec<String>,
}

/// Characters two texts share as bigrams (a rough "the same kind of work").
fn overlaps(a: &str, b: &str) -> bool {
    let grams = |s: &str| -> Vec<(char, char)> {
        let c: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
        c.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let gb = grams(b);
    !a.is_empty() && grams(a).iter().any(|g| gb.contains(g))
}

fn category_name(c: i16) -> &'static str {
    DisabilityCategory::from_code("category", i32::from(c)).map_or("", |c| c.name_zh())
}

fn level_name(l: i16) -> &'static str {
    match l {
        1 => "一级",
        2 => "二级",
        3 => "三级",
        _ => "四级",
    }
}

/// How well a job meets a person and their intention; `None` when it does not suit them.
pub(super) fn score(
    job: &Job,
    category: i16,
    level: i16,
    district: &str,
    intention: Option<&employment_intention::Model>,
    near: Option<(f64, f64)>,
    district_name: impl Fn(&str) -> String,
) -> Option<(i32, Option<f64>, Vec<String>)> {
    if !job.suits(category, level) {
        return None;
    }
    let mut score = 0;
    let mut reasons = Vec::new();
    if job.categories().contains(&category) {
        score += 3;
        reasons.push(format!("适合类别：{}", category_name(category)));
    } else {
        score += 1;
        reasons.push("不限残疾类别".to_owned());
    }
    if job.levels().contains(&level) {
        score += 1;
        reasons.push(format!("适合等级：{}", level_name(level)));
    }
    let r = &job.row;
    match intention {
        Some(i) => {
            let wanted = i.desired_district.as_deref().unwrap_or(district);
            if wanted == r.district_code {
                score += 2;
                reasons.push(format!("意向区：{}", district_name(wanted)));
            }
            if overlaps(&i.desired_work, &r.title) || overlaps(&i.desired_work, &r.description) {
                score += 3;
                reasons.push(format!("意向工作：{}", i.desired_work));
            }
            if i.hours == r.hours {
                score += 1;
                reasons.push(
                    match WorkHours::from_stored(&r.hours) {
                        WorkHours::FullTime => "全职",
                        WorkHours::PartTime => "兼职",
                        WorkHours::Flexible => "弹性工作",
                    }
                    .to_owned(),
                );
            }
            if let Some(min) = i.salary_min {
                if r.salary_max >= min {
                    score += 1;
                    reasons.push(format!("月薪 {}–{} 元", r.salary_min, r.salary_max));
                } else {
                    score -= 2;
                }
            }
        }
        None if district == r.district_code => {
            score += 1;
            reasons.push(format!("在本区：{}", district_name(district)));
        }
        None => {}
    }
    let distance = match (near, r.latitude.zip(r.longitude)) {
        (Some(a), Some(b)) => Some(crate::volunteer::distance_m(a, b)),
        _ => None,
    };
    if let Some(d) = distance {
        score += match d {
            d if d < 5_000.0 => 3,
            d if d < 10_000.0 => 2,
            d if d < 20_000.0 => 1,
            _ => 0,
        };
        reasons.push(format!("距离 {:.1} 公里", d / 1_000.0));
    }
    if !job.accommodations().is_empty() {
        reasons.push(format!(
            "提供：{}",
            job.accommodations()
                .iter()
                .map(|a| a.label())
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    Some((score, distance, reasons))
}

impl EmploymentService<'_> {
    fn district_name(&self, code: &str) -> String {
        self.p.regions.name_of(code)
    }

    /// 推荐岗位 for a person (a citizen themself, or staff for a person in scope), best first;
    /// `near` is where the person is now (WGS-84), when they share it.
    pub async fn recommended_jobs(
        &self,
        person_id: Option<Uuid>,
        near: Option<(f64, f64)>,
        first: usize,
    ) -> DomainResult<Vec<JobMatch>> {
        if first == 0 || first > MAX_RECOMMENDATIONS {
            return Err(DomainError::bad_input(
                "first",
                format!("每次推荐 1–{MAX_RECOMMENDATIONS} 个"),
            ));
        }
        let near = near
            .map(|(a, b)| crate::volunteer::parse_shanghai_location(a, b))
            .transpose()?;
        let (p, _) = self
            .subject(self.p.db.conn(), person_id, "personId")
            .await?;
        let intention = employment_intention::Entity::find()
            .filter(employment_intention::Column::PersonId.eq(p.id))
            .order_by_desc(employment_intention::Column::Id)
            .one(self.p.db.conn())
            .await?;
        let applied: Vec<Uuid> = crate::entities::job_application::Entity::find()
            .filter(crate::entities::job_application::Column::PersonId.eq(p.id))
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(|a| a.job_id)
            .collect();
        let jobs = job::Entity::find()
            .filter(job::Column::Status.eq(JobStatus::Open.as_str()))
            .filter(super::verified_enterprise())
            .order_by_desc(job::Column::Id)
            .limit(JOBS_CONSIDERED)
            .all(self.p.db.conn())
            .await?;
        let mut out: Vec<JobMatch> = jobs
            .into_iter()
            .filter(|j| !applied.contains(&j.id))
            .filter_map(|row| {
                let job = Job { row };
                let (score, distance_m, reasons) = score(
                    &job,
                    p.category,
                    p.level,
                    &p.district_code,
                    intention.as_ref(),
                    near,
                    |c| self.district_name(c),
                )?;
                Some(JobMatch {
                    job,
                    score,
                    distance_m,
                    reasons,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(
                    a.distance_m
                        .unwrap_or(f64::MAX)
                        .total_cmp(&b.distance_m.unwrap_or(f64::MAX)),
                )
                .then(b.job.row.id.cmp(&a.job.row.id))
        });
        out.truncate(first);
        Ok(out)
    }

    /// 推荐人选 for a job (its enterprise, or staff who may see it): people whose consented
    /// intention suits the job and who have not applied, best first, de-identified.
    pub async fn recommended_candidates(
        &self,
        job_id: Uuid,
        first: usize,
    ) -> DomainResult<Vec<CandidateMatch>> {
        if first == 0 || first > MAX_RECOMMENDATIONS {
            return Err(DomainError::bad_input(
                "first",
                format!("每次推荐 1–{MAX_RECOMMENDATIONS} 个"),
            ));
        }
        let row = job::Entity::find_by_id(job_id)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_JOB })?;
        let scope = match self.party().await? {
            // Only a verified enterprise, for a job it has opened: a pending self-registration
            // could otherwise browse people.
            Party::Enterprise(e) if e.id == row.enterprise_id => {
                if e.status != super::EnterpriseStatus::Verified.as_str()
                    || row.status != JobStatus::Open.as_str()
                {
                    return Err(DomainError::Conflict(
                        "单位通过审核、岗位发布后才能查看推荐人选".to_owned(),
                    ));
                }
                None
            }
            Party::Staff(scope) if super::service::covers_district(&scope, &row.district_code) => {
                Some(crate::viewer::PersonScope::of(self.viewer()?))
            }
            _ => return Err(DomainError::NotFound { what: WHAT_JOB }),
        };
        let job = Job { row };
        let intentions = employment_intention::Entity::find()
            .order_by_desc(employment_intention::Column::Id)
            .limit(INTENTIONS_CONSIDERED)
            .all(self.p.db.conn())
            .await?;
        // The latest intention of each person.
        let mut latest: HashMap<Uuid, employment_intention::Model> = HashMap::new();
        for i in intentions {
            latest.entry(i.person_id).or_insert(i);
        }
        let applied: Vec<Uuid> = crate::entities::job_application::Entity::find()
            .filter(crate::entities::job_application::Column::JobId.eq(job.row.id))
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(|a| a.person_id)
            .collect();
        let ids: Vec<Uuid> = latest
            .keys()
            .copied()
            .filter(|p| !applied.contains(p))
            .collect();
        let people =
            crate::db::find_each::<person::Entity, _>(self.p.db.conn(), person::Column::Id, &ids)
                .await?;
        let t = today();
        let mut out: Vec<CandidateMatch> = people
            .into_iter()
            .filter(|p| p.status == "ACTIVE")
            // Staff see the people of their own scope; the enterprise, de-identified, anyone's.
            .filter(|p| {
                scope
                    .as_ref()
                    .is_none_or(|s| s.admits(p.id, &p.street_code))
            })
            .filter_map(|p| {
                let i = latest.get(&p.id)?;
                let (score, _, reasons) = score(
                    &job,
                    p.category,
                    p.level,
                    &p.district_code,
                    Some(i),
                    None,
                    |c| self.district_name(c),
                )?;
                let age = crate::person::Person::from_row(p.clone()).age_on(t);
                Some(CandidateMatch {
                    person_id: p.id,
                    surname: p.name.chars().next().map(String::from).unwrap_or_default(),
                    age_band: super::applications::age_band(age),
                    category: p.category,
                    level: p.level,
                    district_code: p.district_code.clone(),
                    desired_work: i.desired_work.clone(),
                    score,
                    reasons,
                })
            })
            .collect();
        out.sort_by(|a, b| b.score.cmp(&a.score).then(b.person_id.cmp(&a.person_id)));
        out.truncate(first);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_bigrams_mean_the_same_kind_of_work() {
        assert!(overlaps("客服", "电话客服专员"));
        assert!(!overlaps("保洁", "客服专员"));
        assert!(!overlaps("", "客服"));
    }
}
