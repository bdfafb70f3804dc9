//! Intentions, resumes and applications.
//!
//! An application carries what the enterprise may see from the start — the surname's first
//! character, age band, disability category and level, and the resume as sent (education,
//! experience, skills, certificates, desired work; none of it drawn from the registry's
//! identifying fields). The applicant's name and phone reach the enterprise only after it has
//! invited them to an interview **and** they have agreed to show who they are
//! ([`ApplicationMove::ShareIdentity`]); every such read is an audit record. The ID number never
//! reaches an enterprise.
//!
//! Moves and who makes them: the enterprise views (`APPLIED → VIEWED`), invites (→ `INTERVIEW`),
//! offers (`INTERVIEW → OFFERED`), records the hire (`OFFERED → HIRED`, with the first day) or
//! rejects (any open state → `REJECTED`); the person — or staff for them — withdraws (any open
//! state before the hire → `WITHDRAWN`) and agrees to show their identity.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::service::Party;
use super::{
    ApplicationStatus, Education, EmploymentService, JobStatus, WHAT_APPLICATION, WHAT_JOB,
    WorkHours, salary_range, today,
};
use crate::entities::{
    employment_intention, enterprise, inbox_message, job, job_application, job_application_event,
    person, resume,
};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::{BoundedText, Phone, RegionLevel};
use crate::viewer::{PersonScope, ScopeKind};

/// Most entries of work experience on a resume.
pub const MAX_EXPERIENCE: usize = 20;
/// Most skills or certificates on a resume.
pub const MAX_LIST: usize = 30;

/// One entry of work experience.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Experience {
    /// Employer (as the person writes it).
    pub employer: String,
    /// Role.
    pub role: String,
    /// From (`YYYY-MM`).
    pub from: String,
    /// To (`YYYY-MM`; empty: to date).
    pub to: String,
}

/// A resume as submitted.
#[derive(Debug, Clone, Default)]
pub struct ResumeInput {
    /// The person (staff only).
    pub person_id: Option<Uuid>,
    /// Version read (`None` for the first save).
    pub version: Option<i32>,
    /// Highest education.
    pub education: Education,
    /// Work experience.
    pub experience: Vec<Experience>,
    /// Skills.
    pub skills: Vec<String>,
    /// Certificates.
    pub certificates: Vec<String>,
    /// Desired work.
    pub desired_work: String,
}

/// What an application carries of the resume (stored with it, as sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeSnapshot {
    /// Education code.
    pub education: String,
    /// Experience.
    pub experience: Vec<Experience>,
    /// Skills.
    pub skills: Vec<String>,
    /// Certificates.
    pub certificates: Vec<String>,
    /// Desired work.
    pub desired_work: String,
}

/// A person's resume: the stored one, or one prefilled from their file.
#[derive(Debug, Clone, PartialEq)]
pub struct Resume {
    /// Person.
    pub person_id: Uuid,
    /// Content.
    pub content: ResumeSnapshot,
    /// Version (0: not saved yet, prefilled).
    pub version: i32,
    /// From the file: age, category, level, district.
    pub age: i32,
    /// Category.
    pub category: i16,
    /// Level.
    pub level: i16,
    /// District.
    pub district_code: String,
}

/// An intention as submitted.
#[derive(Debug, Clone, Default)]
pub struct IntentionInput {
    /// The person (staff only).
    pub person_id: Option<Uuid>,
    /// Recorded at this fair.
    pub fair_id: Option<Uuid>,
    /// Desired work.
    pub desired_work: String,
    /// Desired district.
    pub desired_district: Option<String>,
    /// Hours.
    pub hours: WorkHours,
    /// Lowest acceptable monthly salary (yuan).
    pub salary_min: Option<i32>,
    /// The person agrees that the intention is used to match them with jobs.
    pub consent: bool,
}

/// A move of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationMove {
    /// The enterprise has read it.
    View,
    /// The enterprise offers the job.
    Offer,
    /// The enterprise records the hire, from this day.
    Hire(NaiveDate),
    /// The enterprise declines.
    Reject,
    /// The person withdraws.
    Withdraw,
    /// The person agrees to show their name and phone to the inviting enterprise.
    ShareIdentity,
}

impl ApplicationMove {
    fn code(self) -> &'static str {
        match self {
            Self::View => "VIEW",
            Self::Offer => "OFFER",
            Self::Hire(_) => "HIRE",
            Self::Reject => "REJECT",
            Self::Withdraw => "WITHDRAW",
            Self::ShareIdentity => "SHARE_IDENTITY",
        }
    }
    fn by_enterprise(self) -> bool {
        matches!(
            self,
            Self::View | Self::Offer | Self::Hire(_) | Self::Reject
        )
    }
}

/// The status a move leads to, or why it cannot happen. An invitation is its own operation
/// ([`EmploymentService::invite`]); sharing identity leaves the status as it is.
pub fn application_transition(
    from: ApplicationStatus,
    m: ApplicationMove,
) -> DomainResult<ApplicationStatus> {
    use ApplicationStatus as S;
    let to = match (from, m) {
        (S::Applied, ApplicationMove::View) => Some(S::Viewed),
        (S::Interview, ApplicationMove::Offer) => Some(S::Offered),
        (S::Offered, ApplicationMove::Hire(_)) => Some(S::Hired),
        (S::Applied | S::Viewed | S::Interview | S::Offered, ApplicationMove::Reject) => {
            Some(S::Rejected)
        }
        (S::Applied | S::Viewed | S::Interview | S::Offered, ApplicationMove::Withdraw) => {
            Some(S::Withdrawn)
        }
        (S::Interview | S::Offered | S::Hired, ApplicationMove::ShareIdentity) => Some(from),
        _ => None,
    };
    to.ok_or_else(|| {
        DomainError::Conflict(format!(
            "申请当前为“{}”，不能{}",
            from.label(),
            match m {
                ApplicationMove::View => "标记为已查看",
                ApplicationMove::Offer => "发录用通知",
                ApplicationMove::Hire(_) => "登记入职",
                ApplicationMove::Reject => "标记为未通过",
                ApplicationMove::Withdraw => "撤回",
                ApplicationMove::ShareIdentity => "向单位提供身份信息（须先收到面试邀请）",
            }
        ))
    })
}

/// An application as the viewer may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Applicant {
    /// Row (its `person_id` is not shown to enterprises).
    pub row: job_application::Model,
    /// The resume as sent.
    pub resume: ResumeSnapshot,
    /// Whether the viewer is the enterprise (sees it de-identified until shared).
    pub for_enterprise: bool,
}

impl Applicant {
    /// Status.
    pub fn status(&self) -> ApplicationStatus {
        ApplicationStatus::from_stored(&self.row.status)
    }
    /// Whether the enterprise may now read who the applicant is.
    pub fn identity_shared(&self) -> bool {
        self.row.consent_at.is_some()
            && matches!(
                self.status(),
                ApplicationStatus::Interview
                    | ApplicationStatus::Offered
                    | ApplicationStatus::Hired
            )
    }
    /// The de-identified name: the surname's first character and a mask.
    pub fn masked_name(&self) -> String {
        format!("{}**", self.row.surname)
    }
}

/// An applicant's identity, as shown to the enterprise they agreed to show it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Full name.
    pub name: String,
    /// Mobile phone.
    pub phone: Option<String>,
}

pub(super) fn age_band(age: i32) -> &'static str {
    match age {
        ..=24 => "16-24",
        25..=34 => "25-34",
        35..=44 => "35-44",
        45..=54 => "45-54",
        _ => "55+",
    }
}

fn list(field: &str, items: &[String], max_each: usize) -> DomainResult<Vec<String>> {
    if items.len() > MAX_LIST {
        return Err(DomainError::bad_input(field, format!("最多{MAX_LIST}项")));
    }
    let mut out = Vec::new();
    for s in items {
        let t = BoundedText::parse(field, s, max_each)?.into_string();
        if t.contains(',') {
            return Err(DomainError::bad_input(field, "每项中不能含英文逗号"));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.iter().map(|t| t.chars().count() + 1).sum::<usize>() > 500 {
        return Err(DomainError::bad_input(field, "合计不超过500字"));
    }
    Ok(out)
}

fn year_month(field: &str, raw: &str, optional: bool) -> DomainResult<()> {
    if optional && raw.is_empty() {
        return Ok(());
    }
    NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
        .map(|_| ())
        .map_err(|_| DomainError::bad_input(field, "年月格式应为 YYYY-MM"))
}

impl ResumeInput {
    fn check(&self) -> DomainResult<ResumeSnapshot> {
        if self.experience.len() > MAX_EXPERIENCE {
            return Err(DomainError::bad_input(
                "input.experience",
                format!("工作经历最多{MAX_EXPERIENCE}条"),
            ));
        }
        let mut experience = Vec::new();
        for (i, e) in self.experience.iter().enumerate() {
            let f = |k: &str| format!("input.experience.{i}.{k}");
            year_month(&f("from"), &e.from, false)?;
            year_month(&f("to"), &e.to, true)?;
            if !e.to.is_empty() && e.to < e.from {
                return Err(DomainError::bad_input(f("to"), "结束年月不能早于开始年月"));
            }
            experience.push(Experience {
                employer: BoundedText::parse(&f("employer"), &e.employer, 100)?.into_string(),
                role: BoundedText::parse(&f("role"), &e.role, 100)?.into_string(),
                from: e.from.clone(),
                to: e.to.clone(),
            });
        }
        let desired_work = if self.desired_work.trim().is_empty() {
            String::new()
        } else {
            BoundedText::parse("input.desiredWork", &self.desired_work, 200)?.into_string()
        };
        Ok(ResumeSnapshot {
            education: self.education.as_str().to_owned(),
            experience,
            skills: list("input.skills", &self.skills, 30)?,
            certificates: list("input.certificates", &self.certificates, 50)?,
            desired_work,
        })
    }
}

fn resume_of(row: &resume::Model) -> ResumeSnapshot {
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    ResumeSnapshot {
        education: row.education.clone(),
        experience: serde_json::from_str(&row.experience).unwrap_or_default(),
        skills: split(&row.skills),
        certificates: split(&row.certificates),
        desired_work: row.desired_work.clone(),
    }
}

impl EmploymentService<'_> {
    async fn resume_for(&self, p: &person::Model) -> DomainResult<Resume> {
        let stored = resume::Entity::find_by_id(p.id)
            .one(self.p.db.conn())
            .await?;
        let age = crate::person::Person::from_row(p.clone()).age_on(today());
        let (content, version) = match stored {
            Some(r) => (resume_of(&r), r.version),
            None => {
                // Prefilled: the desired work of the latest intention, if any.
                let desired = employment_intention::Entity::find()
                    .filter(employment_intention::Column::PersonId.eq(p.id))
                    .order_by_desc(employment_intention::Column::Id)
                    .one(self.p.db.conn())
                    .await?
                    .map(|i| i.desired_work)
                    .unwrap_or_default();
                (
                    ResumeSnapshot {
                        education: Education::default().as_str().to_owned(),
                        desired_work: desired,
                        ..ResumeSnapshot::default()
                    },
                    0,
                )
            }
        };
        Ok(Resume {
            person_id: p.id,
            content,
            version,
            age,
            category: p.category,
            level: p.level,
            district_code: p.district_code.clone(),
        })
    }

    /// 我的简历 (or, for staff, a person's in scope): stored, or prefilled from the file.
    pub async fn resume(&self, person_id: Option<Uuid>) -> DomainResult<Resume> {
        let (p, _) = self
            .subject(self.p.db.conn(), person_id, "personId")
            .await?;
        self.resume_for(&p).await
    }

    /// 保存简历, with the version read (none for the first save).
    pub async fn save_resume(&self, input: ResumeInput) -> DomainResult<Resume> {
        self.audited("employment.resume.save", "resume", String::new(), async {
            let content = input.check()?;
            let w = self.p.db.begin_write().await?;
            let (p, _) = self
                .subject(&w.txn, input.person_id, "input.personId")
                .await?;
            let cur = resume::Entity::find_by_id(p.id).one(&w.txn).await?;
            if cur.as_ref().map(|r| r.version) != input.version {
                return Err(DomainError::Conflict(
                    "简历已被更新，请刷新后重试".to_owned(),
                ));
            }
            let row = resume::ActiveModel {
                person_id: Set(p.id),
                education: Set(content.education.clone()),
                experience: Set(
                    serde_json::to_string(&content.experience).map_err(DomainError::internal)?
                ),
                skills: Set(content.skills.join(",")),
                certificates: Set(content.certificates.join(",")),
                desired_work: Set(content.desired_work.clone()),
                version: Set(cur.as_ref().map_or(1, |r| r.version + 1)),
                updated_at: Set(Utc::now()),
            };
            if cur.is_some() {
                row.update(&w.txn).await?;
            } else {
                row.insert(&w.txn).await?;
            }
            self.append(
                &w.txn,
                "employment.resume.save",
                "resume",
                p.id,
                String::new(),
            )
            .await?;
            w.commit().await?;
            self.resume_for(&p).await
        })
        .await
    }

    /// 登记就业意向 (the person, or staff for them — at a fair, say), with consent.
    pub async fn record_intention(
        &self,
        input: IntentionInput,
    ) -> DomainResult<employment_intention::Model> {
        self.audited(
            "employment.intention.record",
            "employment_intention",
            String::new(),
            async {
                if !input.consent {
                    return Err(DomainError::bad_input(
                        "input.consent",
                        "须经本人同意将就业意向用于岗位推荐",
                    ));
                }
                let desired_work =
                    BoundedText::parse("input.desiredWork", &input.desired_work, 200)?
                        .into_string();
                let desired_district = input
                    .desired_district
                    .as_deref()
                    .filter(|d| !d.trim().is_empty())
                    .map(|d| {
                        self.p
                            .regions
                            .parse_existing("input.desiredDistrict", d, RegionLevel::District)
                            .map(|c| c.as_str().to_owned())
                    })
                    .transpose()?;
                if let Some(s) = input.salary_min {
                    salary_range("input.salaryMin", s, s)?;
                }
                let w = self.p.db.begin_write().await?;
                // Only a published fair (a draft or a cancelled one is not where anyone met).
                if let Some(f) = input.fair_id {
                    crate::entities::job_fair::Entity::find_by_id(f)
                        .filter(
                            crate::entities::job_fair::Column::Status
                                .eq(super::FairStatus::Published.as_str()),
                        )
                        .one(&w.txn)
                        .await?
                        .ok_or(DomainError::NotFound {
                            what: super::WHAT_FAIR,
                        })?;
                }
                let (p, proxy) = self
                    .subject(&w.txn, input.person_id, "input.personId")
                    .await?;
                let now = Utc::now();
                let saved = employment_intention::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    person_id: Set(p.id),
                    fair_id: Set(input.fair_id),
                    desired_work: Set(desired_work),
                    desired_district: Set(desired_district),
                    hours: Set(input.hours.as_str().to_owned()),
                    salary_min: Set(input.salary_min),
                    district_code: Set(p.district_code.clone()),
                    street_code: Set(p.street_code.clone()),
                    proxy: Set(proxy.is_some()),
                    recorded_by: Set(self.actor_name()),
                    consent_at: Set(now),
                    created_at: Set(now),
                }
                .insert(&w.txn)
                .await?;
                self.append(
                    &w.txn,
                    "employment.intention.record",
                    "employment_intention",
                    saved.id,
                    format!("proxy={}", proxy.is_some()),
                )
                .await?;
                w.commit().await?;
                Ok(saved)
            },
        )
        .await
    }

    /// The intentions of many people already shown to the caller, newest first.
    pub async fn intentions_of(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Vec<employment_intention::Model>>> {
        self.caller.person_scope()?;
        let mut out: std::collections::HashMap<Uuid, Vec<_>> = std::collections::HashMap::new();
        if persons.is_empty() {
            return Ok(out);
        }
        for r in employment_intention::Entity::find()
            .filter(employment_intention::Column::PersonId.is_in(persons.iter().copied()))
            .order_by_desc(employment_intention::Column::Id)
            .all(self.p.db.conn())
            .await?
        {
            out.entry(r.person_id).or_default().push(r);
        }
        Ok(out)
    }

    fn applicant(&self, row: job_application::Model, for_enterprise: bool) -> Applicant {
        let resume = serde_json::from_str(&row.resume).unwrap_or_default();
        Applicant {
            row,
            resume,
            for_enterprise,
        }
    }

    /// 投递简历: the person (or staff for them) applies to an open job with the resume as it
    /// stands. Once per job and person (a unique index).
    pub async fn apply(&self, job_id: Uuid, person_id: Option<Uuid>) -> DomainResult<Applicant> {
        self.audited(
            "employment.application.apply",
            "job_application",
            job_id.to_string(),
            async {
                let w = self.p.db.begin_write().await?;
                let (p, proxy) = self.subject(&w.txn, person_id, "personId").await?;
                let j = job::Entity::find_by_id(job_id)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_JOB })?;
                if j.status != JobStatus::Open.as_str() {
                    return Err(DomainError::Conflict(format!(
                        "岗位当前为“{}”，不接受申请",
                        super::jobs::job_status_zh(JobStatus::from_stored(&j.status))
                    )));
                }
                let verified = enterprise::Entity::find_by_id(j.enterprise_id)
                    .one(&w.txn)
                    .await?
                    .is_some_and(|e| e.status == super::EnterpriseStatus::Verified.as_str());
                if !verified {
                    return Err(DomainError::Conflict(
                        "该单位已暂停招聘，岗位不接受申请".to_owned(),
                    ));
                }
                if job_application::Entity::find()
                    .filter(job_application::Column::JobId.eq(j.id))
                    .filter(job_application::Column::PersonId.eq(p.id))
                    .one(&w.txn)
                    .await?
                    .is_some()
                {
                    return Err(DomainError::Conflict("已申请过该岗位".to_owned()));
                }
                let resume = resume::Entity::find_by_id(p.id).one(&w.txn).await?;
                let snapshot = resume.as_ref().map(resume_of).unwrap_or_default();
                let age = crate::person::Person::from_row(p.clone()).age_on(today());
                let now = Utc::now();
                let id = Uuid::now_v7();
                let saved = job_application::ActiveModel {
                    id: Set(id),
                    job_id: Set(j.id),
                    enterprise_id: Set(j.enterprise_id),
                    person_id: Set(p.id),
                    status: Set(ApplicationStatus::Applied.as_str().to_owned()),
                    resume: Set(serde_json::to_string(&snapshot).map_err(DomainError::internal)?),
                    district_code: Set(p.district_code.clone()),
                    street_code: Set(p.street_code.clone()),
                    category: Set(p.category),
                    level: Set(p.level),
                    age_band: Set(age_band(age).to_owned()),
                    surname: Set(p.name.chars().next().map(String::from).unwrap_or_default()),
                    interview_at: Set(None),
                    interview_place: Set(String::new()),
                    consent_at: Set(None),
                    hired_on: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&w.txn)
                .await?;
                self.event(
                    &w.txn,
                    id,
                    "",
                    ApplicationStatus::Applied,
                    if proxy.is_some() {
                        "工作人员代为投递"
                    } else {
                        ""
                    },
                )
                .await?;
                self.append(
                    &w.txn,
                    "employment.application.apply",
                    "job_application",
                    id,
                    format!("job={} proxy={}", j.id, proxy.is_some()),
                )
                .await?;
                w.commit().await?;
                Ok(self.applicant(saved, false))
            },
        )
        .await
    }

    async fn event<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        application: Uuid,
        from: &str,
        to: ApplicationStatus,
        note: &str,
    ) -> DomainResult<()> {
        let viewer = self.viewer()?;
        job_application_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(application),
            from_status: Set(from.to_owned()),
            to_status: Set(to.as_str().to_owned()),
            actor: Set(viewer.username.chars().take(64).collect()),
            actor_role: Set(viewer.role.as_str().to_owned()),
            note: Set(note.chars().take(500).collect()),
            at: Set(Utc::now()),
        }
        .insert(conn)
        .await?;
        Ok(())
    }

    /// Which applications the caller sees, and whether as the enterprise.
    async fn application_visibility(&self) -> DomainResult<(Condition, bool)> {
        use job_application::Column as C;
        Ok(match self.party().await? {
            Party::Enterprise(e) => (Condition::all().add(C::EnterpriseId.eq(e.id)), true),
            Party::Person(p) => (Condition::all().add(C::PersonId.eq(p)), false),
            Party::Staff(ScopeKind::City) => (Condition::all(), false),
            Party::Staff(ScopeKind::District(d)) => {
                (Condition::all().add(C::DistrictCode.eq(d.as_str())), false)
            }
            Party::Staff(ScopeKind::Street(s)) => {
                (Condition::all().add(C::StreetCode.eq(s.as_str())), false)
            }
            Party::Staff(_) => (Condition::all().add(C::Id.is_null()), false),
        })
    }

    /// 求职申请: an enterprise's applicants (of one job, or all), a person's own applications,
    /// staff's in scope; newest first by default.
    pub async fn applications(
        &self,
        job_id: Option<Uuid>,
        status: Option<ApplicationStatus>,
        page: &PageRequest,
    ) -> DomainResult<Page<Applicant>> {
        let (cond, ent) = self.application_visibility().await?;
        let mut q = job_application::Entity::find().filter(cond);
        if let Some(j) = job_id {
            q = q.filter(job_application::Column::JobId.eq(j));
        }
        if let Some(s) = status {
            q = q.filter(job_application::Column::Status.eq(s.as_str()));
        }
        let rows = page
            .apply(q, job_application::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(page.finish(rows).map(|r| self.applicant(r, ent)))
    }

    /// One application the caller sees.
    pub async fn application(&self, id: Uuid) -> DomainResult<Applicant> {
        let (cond, ent) = self.application_visibility().await?;
        let row = job_application::Entity::find_by_id(id)
            .filter(cond)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound {
                what: WHAT_APPLICATION,
            })?;
        Ok(self.applicant(row, ent))
    }

    /// The applications of many people already shown to the caller (the person file).
    pub async fn applications_of(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Vec<Applicant>>> {
        self.caller.person_scope()?;
        let mut out: std::collections::HashMap<Uuid, Vec<Applicant>> =
            std::collections::HashMap::new();
        if persons.is_empty() {
            return Ok(out);
        }
        for r in job_application::Entity::find()
            .filter(job_application::Column::PersonId.is_in(persons.iter().copied()))
            .order_by_desc(job_application::Column::Id)
            .all(self.p.db.conn())
            .await?
        {
            out.entry(r.person_id)
                .or_default()
                .push(self.applicant(r, false));
        }
        Ok(out)
    }

    /// The steps of an application already shown, oldest first.
    pub async fn application_events(
        &self,
        id: Uuid,
    ) -> DomainResult<Vec<job_application_event::Model>> {
        Ok(job_application_event::Entity::find()
            .filter(job_application_event::Column::ApplicationId.eq(id))
            .order_by_asc(job_application_event::Column::Id)
            .all(self.p.db.conn())
            .await?)
    }

    /// The application row to move, locked by its version, with the party checked.
    async fn movable<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        id: Uuid,
        version: i32,
        by_enterprise: bool,
    ) -> DomainResult<job_application::Model> {
        let (cond, ent) = self.application_visibility().await?;
        let cur = job_application::Entity::find_by_id(id)
            .filter(cond)
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound {
                what: WHAT_APPLICATION,
            })?;
        if by_enterprise != ent {
            return Err(DomainError::Forbidden(if by_enterprise {
                "该操作由用人单位办理"
            } else {
                "该操作由求职者本人或工作人员办理"
            }));
        }
        if cur.version != version {
            return Err(DomainError::Conflict(
                "申请已被更新，请刷新后重试".to_owned(),
            ));
        }
        super::service::claim::<job_application::Entity, _>(
            conn,
            job_application::Column::Id,
            cur.id,
            job_application::Column::Version,
            version,
            "申请已被更新，请刷新后重试",
        )
        .await?;
        Ok(cur)
    }

    /// 邀请面试 (the enterprise): `APPLIED | VIEWED → INTERVIEW`, with a time and place; the
    /// person is told in their inbox and asked whether to show who they are.
    pub async fn invite(
        &self,
        id: Uuid,
        version: i32,
        at: DateTime<Utc>,
        place: &str,
    ) -> DomainResult<Applicant> {
        self.audited("employment.application.invite", "job_application", id.to_string(), async {
            let place = BoundedText::parse("place", place, 200)?.into_string();
            if at <= Utc::now() {
                return Err(DomainError::bad_input("at", "面试时间应晚于现在"));
            }
            let w = self.p.db.begin_write().await?;
            let cur = self.movable(&w.txn, id, version, true).await?;
            let from = ApplicationStatus::from_stored(&cur.status);
            if !matches!(from, ApplicationStatus::Applied | ApplicationStatus::Viewed) {
                return Err(DomainError::Conflict(format!(
                    "申请当前为“{}”，不能邀请面试",
                    from.label()
                )));
            }
            let ent = enterprise::Entity::find_by_id(cur.enterprise_id)
                .one(&w.txn)
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_APPLICATION })?;
            let j = job::Entity::find_by_id(cur.job_id)
                .one(&w.txn)
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_JOB })?;
            let mut m: job_application::ActiveModel = cur.clone().into();
            m.status = Set(ApplicationStatus::Interview.as_str().to_owned());
            m.interview_at = Set(Some(at));
            m.interview_place = Set(place.clone());
            m.version = Set(cur.version + 1);
            m.updated_at = Set(Utc::now());
            let saved = m.update(&w.txn).await?;
            self.event(&w.txn, id, from.as_str(), ApplicationStatus::Interview, &place)
                .await?;
            let local = at + chrono::Duration::hours(8);
            inbox_message::ActiveModel {
                id: Set(Uuid::now_v7()),
                person_id: Set(cur.person_id),
                kind: Set("JOB_INTERVIEW".to_owned()),
                title: Set(format!("面试邀请：{}", j.title).chars().take(200).collect()),
                body: Set(format!(
                    "{}邀请您于{}在{}参加面试。如同意向该单位提供您的姓名和联系电话，请在“我的求职”中确认。",
                    ent.name,
                    local.format("%Y年%m月%d日 %H:%M"),
                    place
                )
                .chars()
                .take(1000)
                .collect()),
                ref_id: Set(Some(id)),
                created_at: Set(Utc::now()),
                read_at: Set(None),
            }
            .insert(&w.txn)
            .await?;
            self.append(&w.txn, "employment.application.invite", "job_application", id, String::new())
                .await?;
            w.commit().await?;
            Ok(self.applicant(saved, true))
        })
        .await
    }

    /// 办理求职申请: a move by the party allowed to make it, with the version read. A hire
    /// counts towards the job's places (the job is `FILLED` when they are all taken) and
    /// schedules the follow-ups at 1, 3 and 6 months, in the same transaction.
    pub async fn update_application(
        &self,
        id: Uuid,
        version: i32,
        m: ApplicationMove,
        note: &str,
    ) -> DomainResult<Applicant> {
        self.audited(
            "employment.application.update",
            "job_application",
            id.to_string(),
            async {
                let note = if note.trim().is_empty() {
                    String::new()
                } else {
                    BoundedText::parse("note", note, 500)?.into_string()
                };
                if m == ApplicationMove::Reject && note.is_empty() {
                    return Err(DomainError::bad_input("note", "请填写未通过的原因"));
                }
                if let ApplicationMove::Hire(day) = m {
                    let t = today();
                    if day > t + chrono::Duration::days(90) || day < t - chrono::Duration::days(366)
                    {
                        return Err(DomainError::bad_input(
                            "hiredOn",
                            "入职日期应在过去一年至未来90天之内",
                        ));
                    }
                }
                let w = self.p.db.begin_write().await?;
                let cur = self.movable(&w.txn, id, version, m.by_enterprise()).await?;
                let from = ApplicationStatus::from_stored(&cur.status);
                let to = application_transition(from, m)?;
                let mut am: job_application::ActiveModel = cur.clone().into();
                am.status = Set(to.as_str().to_owned());
                if m == ApplicationMove::ShareIdentity {
                    // Consent is the applicant's own: not given by staff on their behalf.
                    if self.viewer()?.role != crate::viewer::Role::Citizen {
                        return Err(DomainError::Forbidden(
                            "是否向单位提供身份信息须由求职者本人确认",
                        ));
                    }
                    if cur.consent_at.is_some() {
                        return Err(DomainError::Conflict("已同意提供身份信息".to_owned()));
                    }
                    am.consent_at = Set(Some(Utc::now()));
                }
                if let ApplicationMove::Hire(day) = m {
                    am.hired_on = Set(Some(day));
                    let j = job::Entity::find_by_id(cur.job_id)
                        .one(&w.txn)
                        .await?
                        .ok_or(DomainError::NotFound { what: WHAT_JOB })?;
                    // A place is taken only while one is left: a conditional increment, so two
                    // hires at once can never take more places than the job has.
                    let took = job::Entity::update_many()
                        .col_expr(job::Column::Hired, Expr::col(job::Column::Hired).add(1))
                        .col_expr(job::Column::Version, Expr::col(job::Column::Version).add(1))
                        .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()))
                        .filter(job::Column::Id.eq(j.id))
                        .filter(Expr::col(job::Column::Hired).lt(Expr::col(job::Column::Vacancies)))
                        .exec(&w.txn)
                        .await?
                        .rows_affected;
                    if took != 1 {
                        return Err(DomainError::Conflict(
                            "岗位已招满，请先增加招聘人数".to_owned(),
                        ));
                    }
                    let mut saved_job = job::Entity::find_by_id(j.id)
                        .one(&w.txn)
                        .await?
                        .ok_or(DomainError::NotFound { what: WHAT_JOB })?;
                    let filled = saved_job.hired >= saved_job.vacancies;
                    if filled && saved_job.status == JobStatus::Open.as_str() {
                        let mut jm: job::ActiveModel = saved_job.clone().into();
                        jm.status = Set(JobStatus::Filled.as_str().to_owned());
                        saved_job = jm.update(&w.txn).await?;
                    }
                    super::follow_ups::schedule(&w.txn, &cur, day).await?;
                    if filled {
                        self.turn_away(&w.txn, &saved_job, id).await?;
                    }
                    let ent = enterprise::Entity::find_by_id(j.enterprise_id)
                        .one(&w.txn)
                        .await?;
                    am.version = Set(cur.version + 1);
                    am.updated_at = Set(Utc::now());
                    let saved = am.update(&w.txn).await?;
                    self.event(&w.txn, id, from.as_str(), to, &note).await?;
                    self.append(
                        &w.txn,
                        "employment.application.update",
                        "job_application",
                        id,
                        format!("{}:{}->{}", m.code(), from.as_str(), to.as_str()),
                    )
                    .await?;
                    w.commit().await?;
                    if let Some(ent) = ent {
                        self.reindex_job(&saved_job, &ent)?;
                    }
                    return Ok(self.applicant(saved, true));
                }
                am.version = Set(cur.version + 1);
                am.updated_at = Set(Utc::now());
                let saved = am.update(&w.txn).await?;
                self.event(&w.txn, id, from.as_str(), to, &note).await?;
                self.append(
                    &w.txn,
                    "employment.application.update",
                    "job_application",
                    id,
                    format!("{}:{}->{}", m.code(), from.as_str(), to.as_str()),
                )
                .await?;
                w.commit().await?;
                Ok(self.applicant(saved, m.by_enterprise()))
            },
        )
        .await
    }

    /// A job's places are all taken: the applications not yet invited are closed as not
    /// successful, each with its step and an inbox message, in the hire's transaction.
    async fn turn_away<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        j: &job::Model,
        hired: Uuid,
    ) -> DomainResult<()> {
        let open = job_application::Entity::find()
            .filter(job_application::Column::JobId.eq(j.id))
            .filter(job_application::Column::Id.ne(hired))
            .filter(job_application::Column::Status.is_in([
                ApplicationStatus::Applied.as_str(),
                ApplicationStatus::Viewed.as_str(),
            ]))
            .all(conn)
            .await?;
        let now = Utc::now();
        for a in open {
            let from = a.status.clone();
            let mut m: job_application::ActiveModel = a.clone().into();
            m.status = Set(ApplicationStatus::Rejected.as_str().to_owned());
            m.version = Set(a.version + 1);
            m.updated_at = Set(now);
            m.update(conn).await?;
            self.event(conn, a.id, &from, ApplicationStatus::Rejected, "岗位已招满")
                .await?;
            inbox_message::ActiveModel {
                id: Set(Uuid::now_v7()),
                person_id: Set(a.person_id),
                kind: Set("JOB_FILLED".to_owned()),
                title: Set(format!("岗位已招满：{}", j.title).chars().take(200).collect()),
                body: Set(format!(
                    "您申请的岗位“{}”已招满，本次申请未能录用。您可以在“推荐岗位”中查看其他适合您的岗位。",
                    j.title
                )
                .chars()
                .take(1000)
                .collect()),
                ref_id: Set(Some(a.id)),
                created_at: Set(now),
                read_at: Set(None),
            }
            .insert(conn)
            .await?;
        }
        Ok(())
    }

    /// 查看求职者身份 (the enterprise, after an accepted invitation): name and phone, never
    /// the ID number. Every read is an audit record, committed before the answer.
    pub async fn identity(&self, application: &Applicant) -> DomainResult<Identity> {
        let id = application.row.id;
        self.audited(
            "employment.applicant.identity",
            "job_application",
            id.to_string(),
            async {
                // Re-read as the caller's own enterprise sees it now (not as handed in).
                let Party::Enterprise(own) = self.party().await? else {
                    return Err(DomainError::Forbidden("仅邀请面试的用人单位可查看"));
                };
                let w = self.p.db.begin_write().await?;
                let row = job_application::Entity::find_by_id(id)
                    .filter(job_application::Column::EnterpriseId.eq(own.id))
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound {
                        what: WHAT_APPLICATION,
                    })?;
                if !self.applicant(row, true).identity_shared() {
                    return Err(DomainError::Forbidden("求职者同意后才能查看其身份信息"));
                }
                let p = person::Entity::find_by_id(application.row.person_id)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound {
                        what: WHAT_APPLICATION,
                    })?;
                let phone = p
                    .phone_enc
                    .as_ref()
                    .and_then(|enc| {
                        self.p
                            .cipher
                            .decrypt(crate::person::aad("phone", &p.id), enc)
                            .ok()
                    })
                    .and_then(|s| Phone::parse("phone", &s).ok())
                    .map(|ph| ph.as_str().to_owned());
                self.append(
                    &w.txn,
                    "employment.applicant.identity",
                    "job_application",
                    id,
                    format!("enterprise={}", application.row.enterprise_id),
                )
                .await?;
                w.commit().await?;
                Ok(Identity {
                    name: p.name,
                    phone,
                })
            },
        )
        .await
    }

    /// Whether a person is in the caller's person scope (staff views of applications).
    pub fn sees_person(&self, street: &str, person: Uuid) -> bool {
        self.caller
            .full_viewer()
            .is_some_and(|v| PersonScope::of(v).admits(person, street))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applications_move_only_along_their_transitions() {
        use ApplicationMove as M;
        use ApplicationStatus as S;
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            application_transition(S::Applied, M::View).unwrap(),
            S::Viewed
        );
        assert_eq!(
            application_transition(S::Interview, M::Offer).unwrap(),
            S::Offered
        );
        assert_eq!(
            application_transition(S::Offered, M::Hire(day)).unwrap(),
            S::Hired
        );
        assert_eq!(
            application_transition(S::Viewed, M::Withdraw).unwrap(),
            S::Withdrawn
        );
        assert_eq!(
            application_transition(S::Interview, M::ShareIdentity).unwrap(),
            S::Interview
        );
        // Skipping states, or moving a closed application, is refused.
        assert!(application_transition(S::Applied, M::Offer).is_err());
        assert!(application_transition(S::Applied, M::Hire(day)).is_err());
        assert!(application_transition(S::Viewed, M::Hire(day)).is_err());
        assert!(application_transition(S::Hired, M::Withdraw).is_err());
        assert!(application_transition(S::Rejected, M::View).is_err());
        assert!(application_transition(S::Applied, M::ShareIdentity).is_err());
    }

    #[test]
    fn resumes_are_checked_item_by_item() {
        let ok = ResumeInput {
            experience: vec![Experience {
                employer: "某公司".into(),
                role: "客服".into(),
                from: "2020-03".into(),
                to: String::new(),
            }],
            skills: vec!["打字".into(), "打字".into()],
            ..ResumeInput::default()
        };
        let snap = ok.check().unwrap();
        assert_eq!(snap.skills, vec!["打字".to_owned()]);
        let mut bad = ok.clone();
        bad.experience[0].from = "2020-13".into();
        assert!(bad.check().is_err());
        let mut backwards = ok.clone();
        backwards.experience[0].to = "2019-01".into();
        assert!(backwards.check().is_err());
        let mut comma = ok;
        comma.skills = vec!["a,b".into()];
        assert!(comma.check().is_err());
    }
}
