//! 招聘会: offline (a venue, a day, numbered booths) or online (a window of dates), organised by
//! the city, a district or a street-town and managed like activities (the organiser's region and
//! the regions above it). Drafts are seen by their managers; published fairs by everyone.
//! Verified enterprises apply to take part; the organiser approves (with a booth offline, each
//! booth given once — a unique index) or refuses with a note.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::service::Party;
use super::{
    EmploymentService, EnterpriseStatus, FairKind, FairStatus, ParticipationStatus, WHAT_FAIR,
};
use crate::activity::organiser_manages as manages;
use crate::entities::{enterprise, fair_participation, job_fair};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::{BoundedText, RegionLevel};
use crate::viewer::ScopeKind;

/// Most booths of one offline fair.
pub const MAX_BOOTHS: i32 = 2_000;
/// Longest online fair, in days.
pub const MAX_ONLINE_DAYS: i64 = 92;

/// A fair as submitted.
#[derive(Debug, Clone, Default)]
pub struct FairInput {
    /// Edit of this fair (with `version`), or a new draft.
    pub id: Option<Uuid>,
    /// Version read.
    pub version: Option<i32>,
    /// Title.
    pub title: String,
    /// Offline or online.
    pub kind: FairKind,
    /// Organising region (the caller's own when absent).
    pub organiser: Option<String>,
    /// Venue (offline).
    pub venue: String,
    /// Description.
    pub description: String,
    /// Opens.
    pub starts_at: DateTime<Utc>,
    /// Closes.
    pub ends_at: DateTime<Utc>,
    /// Booths (offline).
    pub booths: i32,
}

/// An enterprise's participation in a fair.
pub type Participation = fair_participation::Model;

impl FairInput {
    fn check(&self) -> DomainResult<(String, String, String)> {
        let title = BoundedText::parse("input.title", &self.title, 200)?.into_string();
        let description = if self.description.trim().is_empty() {
            String::new()
        } else {
            BoundedText::parse("input.description", &self.description, 5000)?.into_string()
        };
        if self.ends_at <= self.starts_at {
            return Err(DomainError::bad_input(
                "input.endsAt",
                "结束时间应晚于开始时间",
            ));
        }
        let venue = match self.kind {
            FairKind::Offline => {
                let venue = BoundedText::parse("input.venue", &self.venue, 200)?.into_string();
                if !(1..=MAX_BOOTHS).contains(&self.booths) {
                    return Err(DomainError::bad_input(
                        "input.booths",
                        format!("线下招聘会展位数应为 1–{MAX_BOOTHS}"),
                    ));
                }
                if self.ends_at - self.starts_at > chrono::Duration::days(3) {
                    return Err(DomainError::bad_input("input.endsAt", "线下招聘会最长3天"));
                }
                venue
            }
            FairKind::Online => {
                if self.ends_at - self.starts_at > chrono::Duration::days(MAX_ONLINE_DAYS) {
                    return Err(DomainError::bad_input(
                        "input.endsAt",
                        format!("线上招聘会最长{MAX_ONLINE_DAYS}天"),
                    ));
                }
                String::new()
            }
        };
        Ok((title, description, venue))
    }
}

impl EmploymentService<'_> {
    /// Which fairs the caller sees: published ones, and drafts they manage.
    fn fair_visibility(&self) -> Condition {
        use job_fair::Column as C;
        let published = Condition::all().add(C::Status.ne(FairStatus::Draft.as_str()));
        let scope = self
            .caller
            .full_viewer()
            .filter(|v| v.role.is_region_admin())
            .map(|v| crate::viewer::PersonScope::of(v).kind().clone());
        match scope {
            Some(ScopeKind::City) => Condition::all(),
            Some(ScopeKind::District(d)) => Condition::any()
                .add(published)
                .add(C::OrganiserCode.starts_with(d.as_str())),
            Some(ScopeKind::Street(s)) => Condition::any()
                .add(published)
                .add(C::OrganiserCode.eq(s.as_str())),
            _ => published,
        }
    }

    /// 招聘会列表: newest first by default; optionally those still to come or under way.
    pub async fn job_fairs(
        &self,
        upcoming: bool,
        page: &PageRequest,
    ) -> DomainResult<Page<job_fair::Model>> {
        let mut q = job_fair::Entity::find().filter(self.fair_visibility());
        if upcoming {
            q = q.filter(job_fair::Column::EndsAt.gt(Utc::now()));
        }
        let rows = page
            .apply(q, job_fair::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(page.finish(rows))
    }

    /// One fair the caller sees.
    pub async fn job_fair(&self, id: Uuid) -> DomainResult<job_fair::Model> {
        job_fair::Entity::find_by_id(id)
            .filter(self.fair_visibility())
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_FAIR })
    }

    /// Whether the caller manages a fair (sees every participation, approves).
    pub fn manages_fair(&self, fair: &job_fair::Model) -> bool {
        self.caller
            .full_viewer()
            .filter(|v| v.role.is_region_admin())
            .is_some_and(|v| {
                manages(
                    crate::viewer::PersonScope::of(v).kind(),
                    &fair.organiser_code,
                )
            })
    }

    /// 保存招聘会: a new draft organised by the caller's region (or one inside it), or an edit
    /// of the version read. A published fair keeps its kind; a cancelled one is not edited.
    pub async fn save_job_fair(&self, input: FairInput) -> DomainResult<job_fair::Model> {
        let object = input.id.map(|i| i.to_string()).unwrap_or_default();
        self.audited("employment.fair.save", "job_fair", object, async {
            let (viewer, scope) = self.staff()?;
            let (title, description, venue) = input.check()?;
            let booths = if input.kind == FairKind::Offline {
                input.booths
            } else {
                0
            };
            let now = Utc::now();
            let w = self.p.db.begin_write().await?;
            let saved = if let Some(id) = input.id {
                let cur = job_fair::Entity::find_by_id(id)
                    .one(&w.txn)
                    .await?
                    .filter(|f| manages(&scope, &f.organiser_code))
                    .ok_or(DomainError::NotFound { what: WHAT_FAIR })?;
                if Some(cur.version) != input.version {
                    return Err(DomainError::Conflict(
                        "招聘会已被他人修改，请刷新后重试".to_owned(),
                    ));
                }
                super::service::claim::<job_fair::Entity, _>(
                    &w.txn,
                    job_fair::Column::Id,
                    cur.id,
                    job_fair::Column::Version,
                    cur.version,
                    "招聘会已被他人修改，请刷新后重试",
                )
                .await?;
                if cur.status == FairStatus::Cancelled.as_str() {
                    return Err(DomainError::Conflict("招聘会已取消，不能修改".to_owned()));
                }
                if cur.status != FairStatus::Draft.as_str() && cur.kind != input.kind.as_str() {
                    return Err(DomainError::Conflict(
                        "已发布的招聘会不能改变线上、线下形式".to_owned(),
                    ));
                }
                // Booths already given keep their numbers: the fair cannot shrink below the
                // highest of them.
                let highest = fair_participation::Entity::find()
                    .filter(fair_participation::Column::FairId.eq(id))
                    .filter(fair_participation::Column::Booth.is_not_null())
                    .all(&w.txn)
                    .await?
                    .iter()
                    .filter_map(|p| p.booth.as_deref()?.parse::<i32>().ok())
                    .max()
                    .unwrap_or(0);
                if booths < highest && input.kind == FairKind::Offline {
                    return Err(DomainError::bad_input(
                        "input.booths",
                        format!("已分配到{highest}号展位，展位数不能少于{highest}"),
                    ));
                }
                let mut m: job_fair::ActiveModel = cur.clone().into();
                m.title = Set(title);
                m.kind = Set(input.kind.as_str().to_owned());
                m.venue = Set(venue);
                m.description = Set(description);
                m.starts_at = Set(input.starts_at);
                m.ends_at = Set(input.ends_at);
                m.booths = Set(booths);
                m.version = Set(cur.version + 1);
                m.updated_at = Set(now);
                m.update(&w.txn).await?
            } else {
                let organiser = match input.organiser.as_deref() {
                    None => viewer
                        .region
                        .as_ref()
                        .map_or(crate::types::CITY_CODE.to_owned(), |r| {
                            r.as_str().to_owned()
                        }),
                    Some(raw) => {
                        let code = crate::types::RegionCode::parse("input.organiser", raw)?;
                        if matches!(code.level(), RegionLevel::Committee)
                            || (self.p.regions.get(code.as_str()).is_none()
                                && code.as_str() != crate::types::CITY_CODE)
                        {
                            return Err(DomainError::bad_input(
                                "input.organiser",
                                "组织方应为市、区或街镇",
                            ));
                        }
                        if !manages(&scope, code.as_str()) {
                            return Err(DomainError::Forbidden("只能以本级或下级名义举办招聘会"));
                        }
                        code.as_str().to_owned()
                    }
                };
                job_fair::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    title: Set(title),
                    kind: Set(input.kind.as_str().to_owned()),
                    organiser_code: Set(organiser),
                    venue: Set(venue),
                    description: Set(description),
                    starts_at: Set(input.starts_at),
                    ends_at: Set(input.ends_at),
                    booths: Set(booths),
                    status: Set(FairStatus::Draft.as_str().to_owned()),
                    version: Set(1),
                    created_by: Set(viewer.username.chars().take(64).collect()),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&w.txn)
                .await?
            };
            self.append(
                &w.txn,
                "employment.fair.save",
                "job_fair",
                saved.id,
                saved.kind.clone(),
            )
            .await?;
            w.commit().await?;
            Ok(saved)
        })
        .await
    }

    /// 发布或取消招聘会 (the organiser's managers), with the version read. Only a draft is
    /// published, only a fair not yet over is cancelled.
    pub async fn set_job_fair_status(
        &self,
        id: Uuid,
        version: i32,
        to: FairStatus,
    ) -> DomainResult<job_fair::Model> {
        self.audited(
            "employment.fair.status",
            "job_fair",
            id.to_string(),
            async {
                let (_, scope) = self.staff()?;
                let w = self.p.db.begin_write().await?;
                let cur = job_fair::Entity::find_by_id(id)
                    .one(&w.txn)
                    .await?
                    .filter(|f| manages(&scope, &f.organiser_code))
                    .ok_or(DomainError::NotFound { what: WHAT_FAIR })?;
                if cur.version != version {
                    return Err(DomainError::Conflict(
                        "招聘会已被他人修改，请刷新后重试".to_owned(),
                    ));
                }
                super::service::claim::<job_fair::Entity, _>(
                    &w.txn,
                    job_fair::Column::Id,
                    cur.id,
                    job_fair::Column::Version,
                    version,
                    "招聘会已被他人修改，请刷新后重试",
                )
                .await?;
                let from = FairStatus::from_stored(&cur.status);
                let ok = match (from, to) {
                    (FairStatus::Draft, FairStatus::Published) => true,
                    (FairStatus::Draft | FairStatus::Published, FairStatus::Cancelled) => {
                        cur.ends_at > Utc::now()
                    }
                    _ => false,
                };
                if !ok {
                    return Err(DomainError::Conflict(format!(
                        "招聘会当前为“{}”，不能改为“{}”",
                        fair_status_zh(from),
                        fair_status_zh(to)
                    )));
                }
                let mut m: job_fair::ActiveModel = cur.clone().into();
                m.status = Set(to.as_str().to_owned());
                m.version = Set(cur.version + 1);
                m.updated_at = Set(Utc::now());
                let saved = m.update(&w.txn).await?;
                self.append(
                    &w.txn,
                    "employment.fair.status",
                    "job_fair",
                    id,
                    format!("{}->{}", from.as_str(), to.as_str()),
                )
                .await?;
                w.commit().await?;
                Ok(saved)
            },
        )
        .await
    }

    /// The participations of a fair the caller sees: all of them for its managers, the
    /// enterprise's own for an enterprise, the approved ones for everyone else.
    pub async fn participations(&self, fair: &job_fair::Model) -> DomainResult<Vec<Participation>> {
        let mut q = fair_participation::Entity::find()
            .filter(fair_participation::Column::FairId.eq(fair.id))
            .order_by_asc(fair_participation::Column::CreatedAt);
        if !self.manages_fair(fair) {
            let own = match self.caller.full_viewer() {
                Some(v) if v.role == crate::viewer::Role::Enterprise => self
                    .own_enterprise(self.p.db.conn(), v)
                    .await
                    .ok()
                    .map(|e| e.id),
                _ => None,
            };
            let mut c = Condition::any()
                .add(fair_participation::Column::Status.eq(ParticipationStatus::Approved.as_str()));
            if let Some(e) = own {
                c = c.add(fair_participation::Column::EnterpriseId.eq(e));
            }
            q = q.filter(c);
        }
        Ok(q.all(self.p.db.conn()).await?)
    }

    /// 报名参会: a verified enterprise applies to take part in a published fair not yet over
    /// (staff of its district may apply for it).
    pub async fn join_job_fair(
        &self,
        fair_id: Uuid,
        enterprise_id: Option<Uuid>,
    ) -> DomainResult<Participation> {
        self.audited(
            "employment.fair.join",
            "job_fair",
            fair_id.to_string(),
            async {
                let party = self.party().await?;
                let w = self.p.db.begin_write().await?;
                let ent = match (&party, enterprise_id) {
                    (Party::Enterprise(e), None) => *e.clone(),
                    (Party::Enterprise(e), Some(id)) if id == e.id => *e.clone(),
                    (Party::Staff(scope), Some(id)) => enterprise::Entity::find_by_id(id)
                        .one(&w.txn)
                        .await?
                        .filter(|e| super::service::manages_district(scope, &e.district_code))
                        .ok_or(DomainError::NotFound {
                            what: super::WHAT_ENTERPRISE,
                        })?,
                    (Party::Staff(_), None) => {
                        return Err(DomainError::bad_input("enterpriseId", "须指明用人单位"));
                    }
                    _ => return Err(DomainError::Forbidden("仅用人单位或其所在区可以报名参会")),
                };
                if ent.status != EnterpriseStatus::Verified.as_str() {
                    return Err(DomainError::Conflict(
                        "用人单位通过审核后才能报名参会".to_owned(),
                    ));
                }
                let fair = job_fair::Entity::find_by_id(fair_id)
                    .filter(job_fair::Column::Status.eq(FairStatus::Published.as_str()))
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_FAIR })?;
                if fair.ends_at <= Utc::now() {
                    return Err(DomainError::Conflict("招聘会已结束".to_owned()));
                }
                if fair_participation::Entity::find_by_id((fair.id, ent.id))
                    .one(&w.txn)
                    .await?
                    .is_some()
                {
                    return Err(DomainError::Conflict("已报名该招聘会".to_owned()));
                }
                let now = Utc::now();
                let saved = fair_participation::ActiveModel {
                    fair_id: Set(fair.id),
                    enterprise_id: Set(ent.id),
                    status: Set(ParticipationStatus::Applied.as_str().to_owned()),
                    booth: Set(None),
                    note: Set(String::new()),
                    decided_by: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&w.txn)
                .await?;
                self.append(
                    &w.txn,
                    "employment.fair.join",
                    "job_fair",
                    fair.id,
                    format!("enterprise={}", ent.id),
                )
                .await?;
                w.commit().await?;
                Ok(saved)
            },
        )
        .await
    }

    /// 审批参会 (the fair's managers): approve — with a booth number offline, within the
    /// fair's booths and given once — or refuse with a note.
    pub async fn decide_participation(
        &self,
        fair_id: Uuid,
        enterprise_id: Uuid,
        approve: bool,
        booth: Option<&str>,
        note: &str,
    ) -> DomainResult<Participation> {
        self.audited(
            "employment.fair.decide",
            "job_fair",
            fair_id.to_string(),
            async {
                let (viewer, scope) = self.staff()?;
                let note = if note.trim().is_empty() {
                    String::new()
                } else {
                    BoundedText::parse("note", note, 500)?.into_string()
                };
                if !approve && note.is_empty() {
                    return Err(DomainError::bad_input("note", "不批准须填写原因"));
                }
                let w = self.p.db.begin_write().await?;
                let fair = job_fair::Entity::find_by_id(fair_id)
                    .one(&w.txn)
                    .await?
                    .filter(|f| manages(&scope, &f.organiser_code))
                    .ok_or(DomainError::NotFound { what: WHAT_FAIR })?;
                if fair.status != FairStatus::Published.as_str() || fair.ends_at <= Utc::now() {
                    return Err(DomainError::Conflict(
                        "招聘会已取消或已结束，不再审批参会".to_owned(),
                    ));
                }
                let cur = fair_participation::Entity::find_by_id((fair_id, enterprise_id))
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound {
                        what: "参会申请"
                    })?;
                if cur.status != ParticipationStatus::Applied.as_str() {
                    return Err(DomainError::Conflict("该参会申请已处理".to_owned()));
                }
                let booth = if approve && fair.kind == FairKind::Offline.as_str() {
                    let raw = booth.unwrap_or_default().trim();
                    let n: i32 = raw.parse().map_err(|_| {
                        DomainError::bad_input("booth", "线下招聘会须分配展位号（数字）")
                    })?;
                    if !(1..=fair.booths).contains(&n) {
                        return Err(DomainError::bad_input(
                            "booth",
                            format!("展位号应为 1–{}", fair.booths),
                        ));
                    }
                    let taken = fair_participation::Entity::find()
                        .filter(fair_participation::Column::FairId.eq(fair_id))
                        .filter(fair_participation::Column::Booth.eq(n.to_string()))
                        .one(&w.txn)
                        .await?;
                    if taken.is_some() {
                        return Err(DomainError::Conflict(format!("{n}号展位已分配")));
                    }
                    Some(n.to_string())
                } else {
                    None
                };
                let to = if approve {
                    ParticipationStatus::Approved
                } else {
                    ParticipationStatus::Rejected
                };
                let mut m: fair_participation::ActiveModel = cur.into();
                m.status = Set(to.as_str().to_owned());
                m.booth = Set(booth);
                m.note = Set(note);
                m.decided_by = Set(Some(viewer.username.chars().take(64).collect()));
                m.updated_at = Set(Utc::now());
                let saved = m.update(&w.txn).await?;
                self.append(
                    &w.txn,
                    "employment.fair.decide",
                    "job_fair",
                    fair_id,
                    format!("enterprise={enterprise_id} {}", to.as_str()),
                )
                .await?;
                w.commit().await?;
                Ok(saved)
            },
        )
        .await
    }
}

fn fair_status_zh(s: FairStatus) -> &'static str {
    match s {
        FairStatus::Draft => "草稿",
        FairStatus::Published => "已发布",
        FairStatus::Cancelled => "已取消",
    }
}
