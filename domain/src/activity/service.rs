//! `ActivityService`: activities and registrations for one caller.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::register::{self, notify, promote};
use super::store::{self, manages, status_zh};
use super::{
    Activity, ActivityFilter, ActivityInput, ActivityStatus, Audience, Registration,
    RegistrationInput, RegistrationStatus, WHAT_REGISTRATION,
};
use crate::Platform;
use crate::audit::{self, AuditEntry};
use crate::caller::Caller;
use crate::entities::{activity, activity_registration, eligibility_rule, person};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::person::PersonRepo;
use crate::sms::SmsTemplate;
use crate::types::{BoundedText, RegionLevel};
use crate::viewer::{PersonScope, Role, ScopeKind, Viewer};

/// Activities for one caller.
pub struct ActivityService<'a> {
    pub(super) p: &'a Platform,
    pub(super) caller: &'a Caller,
}

impl<'a> ActivityService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    /// What the caller sees: a region admin's scope, or nothing beyond published activities.
    fn scope(&self) -> ScopeKind {
        self.caller
            .full_viewer()
            .filter(|v| v.role.is_region_admin())
            .map_or(ScopeKind::Nothing, |v| PersonScope::of(v).kind().clone())
    }

    /// A region admin, with the scope they manage.
    pub(super) fn manager(&self) -> DomainResult<(&Viewer, ScopeKind)> {
        let viewer = self.caller.region_admin("仅市、区、街镇管理员可管理活动")?;
        Ok((viewer, PersonScope::of(viewer).kind().clone()))
    }

    pub(super) fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(self.p, self.caller, operation, "activity", object_id, body)
    }

    pub(super) async fn append<C: sea_orm::ConnectionTrait>(
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
                object_type: "activity",
                object_id: object_id.to_string(),
                result: "SUCCESS".to_owned(),
                detail,
            },
        )
        .await
        .map(|_| ())
    }

    /// Bring the search index up to date with a committed change of `row`.
    fn reindex(&self, row: &activity::Model) -> DomainResult<()> {
        self.p
            .search
            .upsert(row.id, crate::catalog::search::activity_doc(row).as_ref())
    }

    /// Record that an export succeeded (a failed one is recorded by [`Self::audited`]).
    pub(super) async fn exported(
        &self,
        operation: &'static str,
        object_id: String,
        detail: String,
    ) -> DomainResult<()> {
        audit::record_failure(
            &self.p.db,
            self.p.audit_key(),
            &self.caller.actor(),
            AuditEntry {
                operation,
                object_type: "report",
                object_id,
                result: "SUCCESS".to_owned(),
                detail,
            },
        )
        .await
        .map(|_| ())
    }

    /// 活动列表: published activities (anyone, signed in or not) and the drafts the caller
    /// manages, in the order they were created.
    pub async fn activities(
        &self,
        filter: &ActivityFilter,
        page: &PageRequest,
    ) -> DomainResult<Page<Activity>> {
        if let Some(region) = &filter.region {
            crate::types::RegionCode::parse("filter.regionCode", region)?;
        }
        Ok(store::list(&self.p.db, &self.scope(), filter, page)
            .await?
            .map(Into::into))
    }

    /// One activity the caller may see (`NOT_FOUND` otherwise).
    pub async fn activity(&self, id: Uuid) -> DomainResult<Activity> {
        Ok(store::get(self.p.db.conn(), &self.scope(), id)
            .await?
            .into())
    }

    /// Whether the caller manages `a` (shows its registrations and edit actions).
    pub fn manages(&self, a: &Activity) -> bool {
        manages(&self.scope(), a.organiser.as_str())
    }

    /// 保存活动: a new draft (organised by the caller's region or one inside it), or an edit
    /// of the version read.
    pub async fn save(&self, input: ActivityInput) -> DomainResult<Activity> {
        self.audited(
            "activity.save",
            input.id.map(|i| i.to_string()).unwrap_or_default(),
            async {
                let (viewer, scope) = self.manager()?;
                let checked = input.check()?;
                if let Audience::Rule(rule) = &checked.audience
                    && eligibility_rule::Entity::find_by_id(*rule)
                        .one(self.p.db.conn())
                        .await?
                        .is_none()
                {
                    return Err(DomainError::bad_input("input.ruleId", "适用条件规则不存在"));
                }
                let w = self.p.db.begin_write().await?;
                let saved = match input.id {
                    None => {
                        let organiser =
                            self.organiser(viewer, &scope, input.organiser.as_deref())?;
                        let row = store::new_draft(&organiser, &input, checked, &viewer.username)
                            .insert(&w.txn)
                            .await?;
                        self.append(
                            &w.txn,
                            "activity.create",
                            row.id,
                            format!("organiser={organiser}"),
                        )
                        .await?;
                        row
                    }
                    Some(id) => {
                        let version = input.version.ok_or_else(|| {
                            DomainError::bad_input("input.version", "修改活动须提交读取时的版本")
                        })?;
                        let current = store::managed(&w.txn, &scope, id).await?;
                        let grown = input.capacity > current.capacity;
                        let row = store::edited(&current, version, &input, checked)?
                            .update(&w.txn)
                            .await?;
                        self.append(
                            &w.txn,
                            "activity.update",
                            row.id,
                            format!("version={} capacity={}", row.version, row.capacity),
                        )
                        .await?;
                        // More places: the waitlist moves up at once.
                        if grown && row.status == ActivityStatus::Published.as_str() {
                            let free = u64::try_from(row.capacity - row.confirmed).unwrap_or(0);
                            let moved = promote(&w.txn, row.id, free).await?;
                            let persons: Vec<Uuid> = moved.iter().map(|r| r.person_id).collect();
                            notify(
                                &w.txn,
                                &self.p.cipher,
                                &row,
                                &persons,
                                SmsTemplate::ActivityPromoted,
                            )
                            .await?;
                            activity::Entity::find_by_id(row.id)
                                .one(&w.txn)
                                .await?
                                .unwrap_or(row)
                        } else {
                            row
                        }
                    }
                };
                w.commit().await?;
                self.reindex(&saved)?;
                Ok(saved.into())
            },
        )
        .await
    }

    /// The organiser of a new activity: the caller's own region unless they name one inside it.
    fn organiser(
        &self,
        viewer: &Viewer,
        scope: &ScopeKind,
        asked: Option<&str>,
    ) -> DomainResult<String> {
        let Some(raw) = asked else {
            return Ok(match &viewer.region {
                Some(r) => r.as_str().to_owned(),
                None => crate::types::CITY_CODE.to_owned(),
            });
        };
        let code = crate::types::RegionCode::parse("input.organiser", raw)?;
        if matches!(code.level(), RegionLevel::Committee) {
            return Err(DomainError::bad_input(
                "input.organiser",
                "组织方应为市、区或街镇",
            ));
        }
        if self.p.regions.get(code.as_str()).is_none() && code.as_str() != crate::types::CITY_CODE {
            return Err(DomainError::bad_input("input.organiser", "区划代码不存在"));
        }
        if !manages(scope, code.as_str()) {
            return Err(DomainError::Forbidden("只能以本级或下级名义组织活动"));
        }
        Ok(code.as_str().to_owned())
    }

    /// 发布活动: a draft becomes public and open for registration in its window.
    pub async fn publish(&self, id: Uuid, version: i32) -> DomainResult<Activity> {
        self.audited("activity.publish", id.to_string(), async {
            let (_, scope) = self.manager()?;
            let w = self.p.db.begin_write().await?;
            let current = store::managed(&w.txn, &scope, id).await?;
            if current.version != version {
                return Err(DomainError::Conflict(format!(
                    "活动已被他人修改（当前版本{}），请刷新后重试",
                    current.version
                )));
            }
            let status = ActivityStatus::from_stored(&current.status);
            if status != ActivityStatus::Draft {
                return Err(DomainError::Conflict(format!(
                    "活动{}，不能发布",
                    status_zh(status)
                )));
            }
            if current.registration_closes_at <= Utc::now() {
                return Err(DomainError::Conflict(
                    "报名截止时间已过，请先修改报名时间再发布".to_owned(),
                ));
            }
            let mut m: activity::ActiveModel = current.clone().into();
            m.status = Set(ActivityStatus::Published.as_str().to_owned());
            m.version = Set(current.version + 1);
            m.updated_at = Set(Utc::now());
            let row = m.update(&w.txn).await?;
            self.append(&w.txn, "activity.publish", row.id, String::new())
                .await?;
            w.commit().await?;
            self.reindex(&row)?;
            Ok(row.into())
        })
        .await
    }

    /// 取消活动, with the reason every registrant is told by inbox and SMS.
    pub async fn cancel(&self, id: Uuid, reason: &str) -> DomainResult<Activity> {
        self.audited("activity.cancel", id.to_string(), async {
            let (_, scope) = self.manager()?;
            let reason = BoundedText::parse("reason", reason, 500)?.into_string();
            let w = self.p.db.begin_write().await?;
            let current = store::managed(&w.txn, &scope, id).await?;
            let status = ActivityStatus::from_stored(&current.status);
            if matches!(
                status,
                ActivityStatus::Finished | ActivityStatus::Cancelled | ActivityStatus::InProgress
            ) {
                return Err(DomainError::Conflict(format!(
                    "活动{}，不能取消",
                    status_zh(status)
                )));
            }
            let mut m: activity::ActiveModel = current.clone().into();
            m.status = Set(ActivityStatus::Cancelled.as_str().to_owned());
            m.cancel_reason = Set(Some(reason.clone()));
            m.version = Set(current.version + 1);
            m.updated_at = Set(Utc::now());
            let row = m.update(&w.txn).await?;
            let told: Vec<Uuid> = activity_registration::Entity::find()
                .filter(activity_registration::Column::ActivityId.eq(id))
                .filter(activity_registration::Column::Status.is_in([
                    RegistrationStatus::Confirmed.as_str(),
                    RegistrationStatus::Waitlisted.as_str(),
                ]))
                .all(&w.txn)
                .await?
                .into_iter()
                .map(|r| r.person_id)
                .collect();
            notify(
                &w.txn,
                &self.p.cipher,
                &row,
                &told,
                SmsTemplate::ActivityCancelled,
            )
            .await?;
            self.append(
                &w.txn,
                "activity.cancel",
                row.id,
                format!("notified={}", told.len()),
            )
            .await?;
            w.commit().await?;
            self.reindex(&row)?;
            Ok(row.into())
        })
        .await
    }

    /// The person a registration is for: a citizen's own record, or (staff) a person in scope.
    async fn registrant(&self, asked: Option<Uuid>) -> DomainResult<person::Model> {
        let viewer = self.caller.viewer()?;
        let id = match (viewer.role, viewer.person_id, asked) {
            (Role::Citizen, Some(own), None) => own,
            (Role::Citizen, Some(own), Some(p)) if p == own => own,
            (Role::Citizen, _, _) => {
                return Err(DomainError::Forbidden("只能为本人报名"));
            }
            (r, _, Some(p)) if r.is_region_admin() => p,
            (r, _, None) if r.is_region_admin() => {
                return Err(DomainError::bad_input("personId", "代为报名须指定残疾人"));
            }
            _ => return Err(DomainError::Forbidden("当前角色不能报名活动")),
        };
        let scope = self.caller.person_scope()?;
        let person = PersonRepo::new(&self.p.db).get(&scope, id).await?;
        if person.status() != crate::person::PersonStatus::Active {
            return Err(DomainError::Conflict("该残疾人已注销，不能报名".to_owned()));
        }
        Ok(person.row().clone())
    }

    /// 报名: a place while there are places, else the waitlist in arrival order.
    pub async fn register(&self, input: RegistrationInput) -> DomainResult<Registration> {
        self.audited("activity.register", input.activity_id.to_string(), async {
            let (needs, companions) = input.check()?;
            let who = self.registrant(input.person_id).await?;
            let a = store::get(self.p.db.conn(), &ScopeKind::Nothing, input.activity_id).await?;
            if let Some(why) = register::window_refusal(&a) {
                return Err(DomainError::Conflict(why));
            }
            register::check_audience(self.p.db.conn(), &super::Audience::from_row(&a), &who)
                .await?;
            let standing = super::attendance::standing(
                self.p.db.conn(),
                &self.p.activities,
                who.id,
                Utc::now(),
            )
            .await?;
            if let Some(until) = standing.restricted_until {
                return Err(DomainError::Conflict(format!(
                    "近{}天内{}次报名未到场，暂停报名至{}；如有正当理由请联系所在街镇",
                    standing.window_days,
                    standing.no_shows,
                    until.with_timezone(&super::shanghai()).format("%Y-%m-%d")
                )));
            }
            let w = self.p.db.begin_write().await?;
            let done = register::register(
                &w,
                a.id,
                &who,
                needs,
                companions,
                &self.caller.viewer()?.username,
            )
            .await?;
            self.append(
                &w.txn,
                "activity.register",
                a.id,
                format!(
                    "registration={} status={} position={}",
                    done.id, done.status, done.position
                ),
            )
            .await?;
            w.commit().await?;
            Ok(done.into())
        })
        .await
    }

    /// A registration the caller may act on: their own (citizen) or of a person in scope.
    pub(super) async fn own_registration(
        &self,
        id: Uuid,
    ) -> DomainResult<activity_registration::Model> {
        let scope = self.caller.person_scope()?;
        let row = activity_registration::Entity::find_by_id(id)
            .one(self.p.db.conn())
            .await?
            .filter(|r| scope.admits(r.person_id, &r.street_code))
            .ok_or(DomainError::NotFound {
                what: WHAT_REGISTRATION,
            })?;
        Ok(row)
    }

    /// 取消报名: the place goes to the first on the waitlist, who is told.
    pub async fn cancel_registration(&self, id: Uuid) -> DomainResult<Registration> {
        self.audited("activity.registration.cancel", id.to_string(), async {
            let reg = self.own_registration(id).await?;
            let w = self.p.db.begin_write().await?;
            let done = register::cancel(&w, &reg).await?;
            if let Some(promoted) = &done.promoted {
                notify(
                    &w.txn,
                    &self.p.cipher,
                    &done.activity,
                    &[promoted.person_id],
                    SmsTemplate::ActivityPromoted,
                )
                .await?;
            }
            self.append(
                &w.txn,
                "activity.registration.cancel",
                done.activity.id,
                format!(
                    "registration={} promoted={}",
                    done.row.id,
                    done.promoted
                        .as_ref()
                        .map(|p| p.id.to_string())
                        .unwrap_or_default()
                ),
            )
            .await?;
            w.commit().await?;
            Ok(done.row.into())
        })
        .await
    }

    /// 我的活动: the signed-in citizen's registrations, in the order they were made.
    pub async fn my_registrations(&self, page: &PageRequest) -> DomainResult<Page<Registration>> {
        let viewer = self.caller.viewer()?;
        let (Role::Citizen, Some(own)) = (viewer.role, viewer.person_id) else {
            return Err(DomainError::Forbidden("仅残疾人本人可查看“我的活动”"));
        };
        let q = activity_registration::Entity::find()
            .filter(activity_registration::Column::PersonId.eq(own));
        let rows = page
            .apply(q, activity_registration::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(page.finish(rows).map(Into::into))
    }

    /// Registrations of an activity the caller manages, of the people in their scope, in
    /// arrival order (`status` narrows to confirmed or waitlisted).
    pub async fn registrations(
        &self,
        activity: Uuid,
        status: Option<RegistrationStatus>,
        page: &PageRequest,
    ) -> DomainResult<Page<Registration>> {
        let (viewer, scope) = self.manager()?;
        store::managed(self.p.db.conn(), &scope, activity).await?;
        let persons = PersonScope::of(viewer);
        let mut q = activity_registration::Entity::find()
            .filter(activity_registration::Column::ActivityId.eq(activity));
        q = match persons.kind() {
            ScopeKind::City => q,
            ScopeKind::District(d) => {
                q.filter(activity_registration::Column::DistrictCode.eq(d.as_str()))
            }
            ScopeKind::Street(s) => {
                q.filter(activity_registration::Column::StreetCode.eq(s.as_str()))
            }
            ScopeKind::Person(_) | ScopeKind::Nothing => return Ok(page.finish(Vec::new())),
        };
        if let Some(s) = status {
            q = q.filter(activity_registration::Column::Status.eq(s.as_str()));
        }
        let rows = page
            .apply(q, activity_registration::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(page.finish(rows).map(Into::into))
    }

    /// One registration the caller may see (its person, or staff with the person in scope).
    pub async fn registration(&self, id: Uuid) -> DomainResult<Registration> {
        Ok(self.own_registration(id).await?.into())
    }

    /// The latest registrations (at most [`super::REGISTRATIONS_SHOWN`] each) of persons already
    /// shown to the caller, for their files: one statement, the scope applied as a subquery over
    /// the people.
    pub async fn registrations_of_many(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<Registration>>> {
        use sea_orm::{QuerySelect, QueryTrait};
        let scope = self.caller.person_scope()?;
        let admitted = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .filter(person::Column::Id.is_in(persons.iter().copied()))
            .filter(crate::person::scope_condition(&scope))
            .into_query();
        let rows = activity_registration::Entity::find()
            .filter(activity_registration::Column::PersonId.in_subquery(admitted))
            .order_by_desc(activity_registration::Column::Id)
            .all(self.p.db.conn())
            .await?;
        let mut out: HashMap<Uuid, Vec<Registration>> =
            persons.iter().map(|p| (*p, Vec::new())).collect();
        for r in rows {
            if let Some(list) = out.get_mut(&r.person_id)
                && list.len() < super::REGISTRATIONS_SHOWN
            {
                list.push(r.into());
            }
        }
        Ok(out)
    }

    /// 可报名的活动 for a citizen's home page: published activities organised by the city, the
    /// person's district or street-town, open for registration now, whose audience admits the
    /// person and that they have not registered for; soonest first, at most `limit`.
    pub async fn open_for(
        &self,
        who: &crate::person::Person,
        limit: usize,
    ) -> DomainResult<Vec<Activity>> {
        use sea_orm::QuerySelect;
        let row = who.row();
        let now = Utc::now();
        let mine: Vec<Uuid> = activity_registration::Entity::find()
            .select_only()
            .column(activity_registration::Column::ActivityId)
            .filter(activity_registration::Column::PersonId.eq(row.id))
            .filter(
                activity_registration::Column::Status.ne(RegistrationStatus::Cancelled.as_str()),
            )
            .into_tuple()
            .all(self.p.db.conn())
            .await?;
        let candidates = activity::Entity::find()
            .filter(activity::Column::Status.eq(ActivityStatus::Published.as_str()))
            .filter(activity::Column::ScopeCode.is_in([
                crate::types::CITY_CODE,
                row.district_code.as_str(),
                row.street_code.as_str(),
            ]))
            .filter(activity::Column::RegistrationOpensAt.lte(now))
            .filter(activity::Column::RegistrationClosesAt.gt(now))
            .filter(activity::Column::Id.is_not_in(mine))
            .order_by_asc(activity::Column::StartsAt)
            .limit(u64::try_from(limit * 4).unwrap_or(u64::MAX))
            .all(self.p.db.conn())
            .await?;
        let mut out = Vec::new();
        for a in candidates {
            if out.len() == limit {
                break;
            }
            if register::check_audience(self.p.db.conn(), &Audience::from_row(&a), row)
                .await
                .is_ok()
            {
                out.push(a.into());
            }
        }
        Ok(out)
    }

    /// Activities by id, as the caller may see them (DataLoaders).
    pub async fn activities_by_id(&self, ids: &[Uuid]) -> DomainResult<HashMap<Uuid, Activity>> {
        Ok(activity::Entity::find()
            .filter(activity::Column::Id.is_in(ids.iter().copied()))
            .filter(store::visible(&self.scope()))
            .order_by_asc(activity::Column::Id)
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(|m| (m.id, m.into()))
            .collect())
    }

    /// The place of a waitlisted registration in the queue (1 = next), or none.
    pub async fn waitlist_place(&self, r: &Registration) -> DomainResult<Option<u64>> {
        use sea_orm::PaginatorTrait;
        if r.status != RegistrationStatus::Waitlisted {
            return Ok(None);
        }
        let ahead = activity_registration::Entity::find()
            .filter(activity_registration::Column::ActivityId.eq(r.activity_id))
            .filter(
                activity_registration::Column::Status.eq(RegistrationStatus::Waitlisted.as_str()),
            )
            .filter(activity_registration::Column::Position.lt(r.position))
            .count(self.p.db.conn())
            .await?;
        Ok(Some(ahead + 1))
    }
}
