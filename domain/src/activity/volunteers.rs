//! Volunteers at activities (R15): roles with their own capacity; volunteers of the registry sign
//! up, the organiser approves (one conditional update on the role, so never beyond capacity);
//! check-in and check-out by the organiser give the minutes served; a volunteer's hour statement
//! per month and per activity.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::resources::still_open;
use super::store::{self, manages};
use super::{ActivityService, ActivityStatus, shanghai};
use crate::entities::{activity, activity_volunteer, activity_volunteer_role, volunteer};
use crate::error::{DomainError, DomainResult};
use crate::types::BoundedText;
use crate::viewer::{Role, ScopeKind};
use crate::volunteer::VolunteerRepo;

/// What the error messages call a volunteer role.
pub const WHAT_ROLE: &str = "志愿岗位";
/// What the error messages call a volunteer's sign-up.
pub const WHAT_SIGNUP: &str = "志愿岗位报名";
/// Largest capacity of one role.
pub const MAX_ROLE_CAPACITY: i32 = 1_000;
/// Longest statement, in months.
pub const MAX_STATEMENT_MONTHS: usize = 24;

code_enum! {
    /// 志愿岗位报名状态
    SignupStatus {
        /// 待审核
        #[default]
        Pending = "PENDING",
        /// 已通过
        Approved = "APPROVED",
        /// 未通过
        Rejected = "REJECTED",
        /// 已退出
        Withdrawn = "WITHDRAWN",
    }
}

/// A volunteer role at an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerRole {
    /// Id.
    pub id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// 岗位名称
    pub name: String,
    /// 岗位说明
    pub description: String,
    /// 需要人数
    pub capacity: i32,
    /// 已通过人数
    pub approved: i32,
}

impl From<activity_volunteer_role::Model> for VolunteerRole {
    fn from(m: activity_volunteer_role::Model) -> Self {
        Self {
            id: m.id,
            activity_id: m.activity_id,
            name: m.name,
            description: m.description,
            capacity: m.capacity,
            approved: m.approved,
        }
    }
}

/// A role as submitted (create when `id` is none).
#[derive(Debug, Clone, Default)]
pub struct VolunteerRoleInput {
    /// Role to edit.
    pub id: Option<Uuid>,
    /// Activity (to create).
    pub activity_id: Uuid,
    /// 岗位名称
    pub name: String,
    /// 岗位说明
    pub description: String,
    /// 需要人数
    pub capacity: i32,
}

/// A volunteer's sign-up for a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    /// Id.
    pub id: Uuid,
    /// Role.
    pub role_id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// 状态
    pub status: SignupStatus,
    /// 未通过原因
    pub decision_reason: Option<String>,
    /// 签到
    pub checked_in_at: Option<DateTime<Utc>>,
    /// 签退
    pub checked_out_at: Option<DateTime<Utc>>,
    /// 服务时长（分钟）
    pub minutes: i32,
    /// 报名时间
    pub created_at: DateTime<Utc>,
}

impl From<activity_volunteer::Model> for Signup {
    fn from(m: activity_volunteer::Model) -> Self {
        Self {
            id: m.id,
            role_id: m.role_id,
            activity_id: m.activity_id,
            volunteer_id: m.volunteer_id,
            status: SignupStatus::from_stored(&m.status),
            decision_reason: m.decision_reason,
            checked_in_at: m.checked_in_at,
            checked_out_at: m.checked_out_at,
            minutes: m.minutes,
            created_at: m.created_at,
        }
    }
}

/// One activity on an hour statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourLine {
    /// Activity.
    pub activity_id: Uuid,
    /// 活动名称
    pub title: String,
    /// 岗位
    pub role: String,
    /// 月份 (`YYYY-MM`, Shanghai time of the check-in)
    pub month: String,
    /// 签到
    pub checked_in_at: DateTime<Utc>,
    /// 签退
    pub checked_out_at: DateTime<Utc>,
    /// 分钟
    pub minutes: i32,
}

/// One month on an hour statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthHours {
    /// `YYYY-MM`
    pub month: String,
    /// 活动数
    pub activities: i32,
    /// 分钟
    pub minutes: i32,
}

/// 志愿服务时长证明: a volunteer's served time, by activity and by month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourStatement {
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// 姓名
    pub volunteer_name: String,
    /// First month (`YYYY-MM`).
    pub from: String,
    /// Last month.
    pub to: String,
    /// Activities, in the order served.
    pub lines: Vec<HourLine>,
    /// Months with time served.
    pub months: Vec<MonthHours>,
    /// 合计分钟
    pub total_minutes: i32,
}

/// `(year, month)` of `YYYY-MM`.
pub fn parse_month(field: &str, raw: &str) -> DomainResult<(i32, u32)> {
    let bad = || DomainError::bad_input(field, "月份格式应为 YYYY-MM，如 2026-11");
    let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) {
        return Err(bad());
    }
    Ok((y, m))
}

/// The first instant of `(y, m)` in Shanghai, as UTC.
pub fn month_start(y: i32, m: u32) -> DateTime<Utc> {
    use chrono::TimeZone;
    shanghai()
        .with_ymd_and_hms(y, m, 1, 0, 0, 0)
        .single()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

/// The month after `(y, m)`.
pub fn next_month(y: i32, m: u32) -> (i32, u32) {
    if m == 12 { (y + 1, 1) } else { (y, m + 1) }
}

fn month_of(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&shanghai());
    format!("{}-{:02}", local.year(), local.month())
}

impl ActivityService<'_> {
    /// The caller's own registered volunteer, verified (`FORBIDDEN` otherwise).
    async fn own_volunteer(&self) -> DomainResult<volunteer::Model> {
        let viewer = self.caller.viewer()?;
        let v = VolunteerRepo::new(&self.p.db)
            .by_account(viewer.account_id)
            .await?
            .ok_or(DomainError::Forbidden("仅注册志愿者可报名志愿岗位"))?;
        if v.status != "VERIFIED" {
            return Err(DomainError::Forbidden("志愿者资格尚未审核通过或已暂停"));
        }
        Ok(v)
    }

    /// 志愿岗位: the roles of an activity the caller may see.
    pub async fn volunteer_roles(&self, activity_id: Uuid) -> DomainResult<Vec<VolunteerRole>> {
        self.activity(activity_id).await?;
        Ok(activity_volunteer_role::Entity::find()
            .filter(activity_volunteer_role::Column::ActivityId.eq(activity_id))
            .order_by_asc(activity_volunteer_role::Column::Id)
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// 保存志愿岗位: a new role, or a change (capacity never below those approved).
    pub async fn save_volunteer_role(
        &self,
        input: VolunteerRoleInput,
    ) -> DomainResult<VolunteerRole> {
        self.audited("activity.role.save", input.activity_id.to_string(), async {
            let (_, scope) = self.manager()?;
            let name = BoundedText::parse("input.name", &input.name, 100)?.into_string();
            let description = if input.description.trim().is_empty() {
                String::new()
            } else {
                BoundedText::parse("input.description", &input.description, 2000)?.into_string()
            };
            if !(1..=MAX_ROLE_CAPACITY).contains(&input.capacity) {
                return Err(DomainError::bad_input(
                    "input.capacity",
                    format!("岗位人数应在 1 至 {MAX_ROLE_CAPACITY} 之间"),
                ));
            }
            let activity_id = match input.id {
                None => input.activity_id,
                Some(id) => self.role(id).await?.activity_id,
            };
            let a = store::managed(self.p.db.conn(), &scope, activity_id).await?;
            still_open(&a, "志愿岗位")?;
            let w = self.p.db.begin_write().await?;
            let taken = activity_volunteer_role::Entity::find()
                .filter(activity_volunteer_role::Column::ActivityId.eq(a.id))
                .filter(activity_volunteer_role::Column::Name.eq(name.as_str()))
                .one(&w.txn)
                .await?
                .filter(|r| Some(r.id) != input.id);
            if taken.is_some() {
                return Err(DomainError::Conflict(format!("该活动已有岗位“{name}”")));
            }
            let id = match input.id {
                None => {
                    activity_volunteer_role::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        activity_id: Set(a.id),
                        name: Set(name),
                        description: Set(description),
                        capacity: Set(input.capacity),
                        approved: Set(0),
                        created_at: Set(Utc::now()),
                    }
                    .insert(&w.txn)
                    .await?
                    .id
                }
                Some(id) => {
                    let done = activity_volunteer_role::Entity::update_many()
                        .col_expr(activity_volunteer_role::Column::Name, Expr::value(name))
                        .col_expr(
                            activity_volunteer_role::Column::Description,
                            Expr::value(description),
                        )
                        .col_expr(
                            activity_volunteer_role::Column::Capacity,
                            Expr::value(input.capacity),
                        )
                        .filter(activity_volunteer_role::Column::Id.eq(id))
                        .filter(activity_volunteer_role::Column::Approved.lte(input.capacity))
                        .exec(&w.txn)
                        .await?
                        .rows_affected;
                    if done != 1 {
                        return Err(DomainError::Conflict(
                            "岗位人数不能少于已通过的志愿者人数".to_owned(),
                        ));
                    }
                    id
                }
            };
            self.append(
                &w.txn,
                "activity.role.save",
                a.id,
                format!("role={id} capacity={}", input.capacity),
            )
            .await?;
            w.commit().await?;
            Ok(self.role(id).await?.into())
        })
        .await
    }

    async fn role(&self, id: Uuid) -> DomainResult<activity_volunteer_role::Model> {
        activity_volunteer_role::Entity::find_by_id(id)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_ROLE })
    }

    async fn signup(&self, id: Uuid) -> DomainResult<activity_volunteer::Model> {
        activity_volunteer::Entity::find_by_id(id)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_SIGNUP })
    }

    /// A sign-up at an activity the caller manages.
    async fn managed_signup(
        &self,
        id: Uuid,
    ) -> DomainResult<(activity_volunteer::Model, activity::Model)> {
        let (_, scope) = self.manager()?;
        let s = self.signup(id).await?;
        let a = store::managed(self.p.db.conn(), &scope, s.activity_id)
            .await
            .map_err(|_| DomainError::NotFound { what: WHAT_SIGNUP })?;
        Ok((s, a))
    }

    /// 报名志愿岗位 (a verified volunteer): waits for the organiser's approval. One role per
    /// activity; after withdrawing one may sign up again.
    pub async fn sign_up_for_role(&self, role_id: Uuid) -> DomainResult<Signup> {
        self.audited("activity.role.sign_up", role_id.to_string(), async {
            let v = self.own_volunteer().await?;
            let role = self.role(role_id).await?;
            let a = store::get(self.p.db.conn(), &ScopeKind::Nothing, role.activity_id).await?;
            match ActivityStatus::from_stored(&a.status) {
                ActivityStatus::Published | ActivityStatus::RegistrationClosed => {}
                _ => {
                    return Err(DomainError::Conflict(format!(
                        "活动{}，不能报名志愿岗位",
                        store::status_zh(ActivityStatus::from_stored(&a.status))
                    )));
                }
            }
            let now = Utc::now();
            let w = self.p.db.begin_write().await?;
            let existing = activity_volunteer::Entity::find()
                .filter(activity_volunteer::Column::ActivityId.eq(a.id))
                .filter(activity_volunteer::Column::VolunteerId.eq(v.id))
                .one(&w.txn)
                .await?;
            let row = match existing {
                Some(old) if old.status == SignupStatus::Withdrawn.as_str() => {
                    let mut m: activity_volunteer::ActiveModel = old.into();
                    m.role_id = Set(role.id);
                    m.status = Set(SignupStatus::Pending.as_str().to_owned());
                    m.decided_by = Set(None);
                    m.decision_reason = Set(None);
                    m.updated_at = Set(now);
                    m.update(&w.txn).await?
                }
                Some(_) => {
                    return Err(DomainError::Conflict("您已报名该活动的志愿岗位".to_owned()));
                }
                None => {
                    activity_volunteer::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        role_id: Set(role.id),
                        activity_id: Set(a.id),
                        volunteer_id: Set(v.id),
                        status: Set(SignupStatus::Pending.as_str().to_owned()),
                        decided_by: Set(None),
                        decision_reason: Set(None),
                        checked_in_at: Set(None),
                        checked_out_at: Set(None),
                        minutes: Set(0),
                        created_at: Set(now),
                        updated_at: Set(now),
                    }
                    .insert(&w.txn)
                    .await?
                }
            };
            self.append(
                &w.txn,
                "activity.role.sign_up",
                a.id,
                format!("role={} signup={}", role.id, row.id),
            )
            .await?;
            w.commit().await?;
            Ok(row.into())
        })
        .await
    }

    /// 退出志愿岗位 (the volunteer, before checking in): an approved place is freed.
    pub async fn withdraw_from_role(&self, signup_id: Uuid) -> DomainResult<Signup> {
        self.audited("activity.role.withdraw", signup_id.to_string(), async {
            let v = self.own_volunteer().await?;
            let s = self.signup(signup_id).await?;
            if s.volunteer_id != v.id {
                return Err(DomainError::NotFound { what: WHAT_SIGNUP });
            }
            if s.checked_in_at.is_some() {
                return Err(DomainError::Conflict("已签到，不能退出".to_owned()));
            }
            let was = SignupStatus::from_stored(&s.status);
            if !matches!(was, SignupStatus::Pending | SignupStatus::Approved) {
                return Err(DomainError::Conflict("该报名已结束，无需退出".to_owned()));
            }
            let w = self.p.db.begin_write().await?;
            let done = activity_volunteer::Entity::update_many()
                .col_expr(
                    activity_volunteer::Column::Status,
                    Expr::value(SignupStatus::Withdrawn.as_str()),
                )
                .col_expr(
                    activity_volunteer::Column::UpdatedAt,
                    Expr::value(Utc::now()),
                )
                .filter(activity_volunteer::Column::Id.eq(s.id))
                .filter(activity_volunteer::Column::Status.eq(was.as_str()))
                .filter(activity_volunteer::Column::CheckedInAt.is_null())
                .exec(&w.txn)
                .await?
                .rows_affected;
            if done != 1 {
                return Err(DomainError::Conflict(
                    "报名状态已变化，请刷新后重试".to_owned(),
                ));
            }
            if was == SignupStatus::Approved {
                activity_volunteer_role::Entity::update_many()
                    .col_expr(
                        activity_volunteer_role::Column::Approved,
                        Expr::col(activity_volunteer_role::Column::Approved).sub(1),
                    )
                    .filter(activity_volunteer_role::Column::Id.eq(s.role_id))
                    .exec(&w.txn)
                    .await?;
            }
            self.append(
                &w.txn,
                "activity.role.withdraw",
                s.activity_id,
                format!("signup={}", s.id),
            )
            .await?;
            w.commit().await?;
            Ok(self.signup(s.id).await?.into())
        })
        .await
    }

    /// 审核志愿者 (the organiser): approve within the role's capacity, or reject with a reason.
    pub async fn decide_volunteer(
        &self,
        signup_id: Uuid,
        approve: bool,
        reason: Option<&str>,
    ) -> DomainResult<Signup> {
        self.audited("activity.role.decide", signup_id.to_string(), async {
            let viewer = self.caller.region_admin("仅活动管理方可审核志愿者")?;
            let (s, a) = self.managed_signup(signup_id).await?;
            still_open(&a, "志愿者")?;
            let reason = match (approve, reason.filter(|r| !r.trim().is_empty())) {
                (true, _) => None,
                (false, Some(r)) => Some(BoundedText::parse("reason", r, 500)?.into_string()),
                (false, None) => {
                    return Err(DomainError::bad_input("reason", "不通过时须说明原因"));
                }
            };
            if s.status != SignupStatus::Pending.as_str() {
                return Err(DomainError::Conflict("只能审核待审核的报名".to_owned()));
            }
            let w = self.p.db.begin_write().await?;
            if approve {
                let room = activity_volunteer_role::Entity::update_many()
                    .col_expr(
                        activity_volunteer_role::Column::Approved,
                        Expr::col(activity_volunteer_role::Column::Approved).add(1),
                    )
                    .filter(activity_volunteer_role::Column::Id.eq(s.role_id))
                    .filter(
                        Expr::col(activity_volunteer_role::Column::Approved)
                            .lt(Expr::col(activity_volunteer_role::Column::Capacity)),
                    )
                    .exec(&w.txn)
                    .await?
                    .rows_affected;
                if room != 1 {
                    return Err(DomainError::Conflict("该岗位人数已满".to_owned()));
                }
            }
            let status = if approve {
                SignupStatus::Approved
            } else {
                SignupStatus::Rejected
            };
            let done = activity_volunteer::Entity::update_many()
                .col_expr(
                    activity_volunteer::Column::Status,
                    Expr::value(status.as_str()),
                )
                .col_expr(
                    activity_volunteer::Column::DecidedBy,
                    Expr::value(viewer.username.chars().take(64).collect::<String>()),
                )
                .col_expr(
                    activity_volunteer::Column::DecisionReason,
                    Expr::value(reason),
                )
                .col_expr(
                    activity_volunteer::Column::UpdatedAt,
                    Expr::value(Utc::now()),
                )
                .filter(activity_volunteer::Column::Id.eq(s.id))
                .filter(activity_volunteer::Column::Status.eq(SignupStatus::Pending.as_str()))
                .exec(&w.txn)
                .await?
                .rows_affected;
            if done != 1 {
                return Err(DomainError::Conflict(
                    "报名状态已变化，请刷新后重试".to_owned(),
                ));
            }
            self.append(
                &w.txn,
                "activity.role.decide",
                a.id,
                format!("signup={} status={}", s.id, status.as_str()),
            )
            .await?;
            w.commit().await?;
            Ok(self.signup(s.id).await?.into())
        })
        .await
    }

    /// 志愿者签到 / 签退 (the organiser, on the day): check-out records the minutes served.
    pub async fn volunteer_attendance(&self, signup_id: Uuid, out: bool) -> DomainResult<Signup> {
        let op = if out {
            "activity.role.check_out"
        } else {
            "activity.role.check_in"
        };
        self.audited(op, signup_id.to_string(), async {
            let (s, a) = self.managed_signup(signup_id).await?;
            if s.status != SignupStatus::Approved.as_str() {
                return Err(DomainError::Conflict(
                    "只有审核通过的志愿者可以签到签退".to_owned(),
                ));
            }
            let now = Utc::now();
            let status = ActivityStatus::from_stored(&a.status);
            if matches!(status, ActivityStatus::Draft | ActivityStatus::Cancelled)
                || now < a.starts_at - chrono::Duration::hours(3)
            {
                return Err(DomainError::Conflict(
                    "活动尚未开始或已取消，不能签到".to_owned(),
                ));
            }
            let w = self.p.db.begin_write().await?;
            let q = activity_volunteer::Entity::update_many()
                .col_expr(activity_volunteer::Column::UpdatedAt, Expr::value(now))
                .filter(activity_volunteer::Column::Id.eq(s.id));
            let done = if out {
                let Some(since) = s.checked_in_at else {
                    return Err(DomainError::Conflict("尚未签到，不能签退".to_owned()));
                };
                let minutes =
                    i32::try_from(Ord::max((now - since).num_minutes(), 0)).unwrap_or(i32::MAX);
                q.col_expr(activity_volunteer::Column::CheckedOutAt, Expr::value(now))
                    .col_expr(activity_volunteer::Column::Minutes, Expr::value(minutes))
                    .filter(activity_volunteer::Column::CheckedOutAt.is_null())
                    .filter(activity_volunteer::Column::CheckedInAt.is_not_null())
                    .exec(&w.txn)
                    .await?
                    .rows_affected
            } else {
                if status == ActivityStatus::Finished {
                    return Err(DomainError::Conflict("活动已结束，不能补签到".to_owned()));
                }
                q.col_expr(activity_volunteer::Column::CheckedInAt, Expr::value(now))
                    .filter(activity_volunteer::Column::CheckedInAt.is_null())
                    .exec(&w.txn)
                    .await?
                    .rows_affected
            };
            if done != 1 {
                return Err(DomainError::Conflict(
                    if out {
                        "已签退，无需重复签退"
                    } else {
                        "已签到，无需重复签到"
                    }
                    .to_owned(),
                ));
            }
            self.append(&w.txn, op, a.id, format!("signup={}", s.id))
                .await?;
            w.commit().await?;
            Ok(self.signup(s.id).await?.into())
        })
        .await
    }

    /// The sign-ups of an activity the caller manages, in the order they came.
    pub async fn signups(&self, activity_id: Uuid) -> DomainResult<Vec<(Signup, String)>> {
        let (_, scope) = self.manager()?;
        let a = store::managed(self.p.db.conn(), &scope, activity_id).await?;
        let rows = activity_volunteer::Entity::find()
            .filter(activity_volunteer::Column::ActivityId.eq(a.id))
            .order_by_asc(activity_volunteer::Column::CreatedAt)
            .all(self.p.db.conn())
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.volunteer_id).collect();
        let names = VolunteerRepo::new(&self.p.db).get_many(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let name = names
                    .get(&r.volunteer_id)
                    .map(|v| v.name.clone())
                    .unwrap_or_default();
                (r.into(), name)
            })
            .collect())
    }

    /// 我的志愿岗位 (the volunteer): every sign-up, newest first.
    pub async fn my_signups(&self) -> DomainResult<Vec<Signup>> {
        let viewer = self.caller.viewer()?;
        let Some(v) = VolunteerRepo::new(&self.p.db)
            .by_account(viewer.account_id)
            .await?
        else {
            return Ok(Vec::new());
        };
        Ok(activity_volunteer::Entity::find()
            .filter(activity_volunteer::Column::VolunteerId.eq(v.id))
            .order_by_desc(activity_volunteer::Column::CreatedAt)
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// 志愿服务时长: a volunteer's served time from `from` to `to` (months, inclusive). The
    /// volunteer sees their own (no id, or their own); a region admin sees any volunteer's time
    /// at the activities they manage.
    pub async fn volunteer_hours(
        &self,
        volunteer_id: Option<Uuid>,
        from: &str,
        to: &str,
    ) -> DomainResult<HourStatement> {
        let (fy, fm) = parse_month("from", from)?;
        let (ty, tm) = parse_month("to", to)?;
        let months =
            (ty - fy) * 12 + i32::try_from(tm).unwrap_or(0) - i32::try_from(fm).unwrap_or(0) + 1;
        if months < 1 {
            return Err(DomainError::bad_input("to", "结束月份不能早于开始月份"));
        }
        if usize::try_from(months).unwrap_or(usize::MAX) > MAX_STATEMENT_MONTHS {
            return Err(DomainError::bad_input(
                "to",
                format!("一次最多查询 {MAX_STATEMENT_MONTHS} 个月"),
            ));
        }
        let viewer = self.caller.viewer()?;
        let repo = VolunteerRepo::new(&self.p.db);
        let own = repo.by_account(viewer.account_id).await?;
        let (v, scope) = match (volunteer_id, own) {
            (None, Some(v)) => (v, None),
            (Some(id), Some(v)) if v.id == id => (v, None),
            (Some(id), _) if viewer.role.is_region_admin() => {
                let (_, scope) = self.manager()?;
                let v = repo
                    .get_many(&[id])
                    .await?
                    .remove(&id)
                    .ok_or(DomainError::NotFound { what: "志愿者" })?;
                (v, Some(scope))
            }
            (None, None) if viewer.role == Role::Volunteer => {
                return Err(DomainError::Forbidden("尚未注册为志愿者"));
            }
            _ => {
                return Err(DomainError::Forbidden(
                    "只能查看本人或本辖区活动的志愿服务时长",
                ));
            }
        };
        let (ny, nm) = next_month(ty, tm);
        let rows = activity_volunteer::Entity::find()
            .filter(activity_volunteer::Column::VolunteerId.eq(v.id))
            .filter(activity_volunteer::Column::CheckedInAt.gte(month_start(fy, fm)))
            .filter(activity_volunteer::Column::CheckedInAt.lt(month_start(ny, nm)))
            .filter(activity_volunteer::Column::CheckedOutAt.is_not_null())
            .order_by_asc(activity_volunteer::Column::CheckedInAt)
            .all(self.p.db.conn())
            .await?;
        let activity_ids: Vec<Uuid> = rows.iter().map(|r| r.activity_id).collect();
        let role_ids: Vec<Uuid> = rows.iter().map(|r| r.role_id).collect();
        let activities: std::collections::HashMap<Uuid, activity::Model> = activity::Entity::find()
            .filter(activity::Column::Id.is_in(activity_ids))
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let roles: std::collections::HashMap<Uuid, String> =
            activity_volunteer_role::Entity::find()
                .filter(activity_volunteer_role::Column::Id.is_in(role_ids))
                .all(self.p.db.conn())
                .await?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect();
        let mut lines = Vec::new();
        let mut by_month: BTreeMap<String, MonthHours> = BTreeMap::new();
        for r in rows {
            let (Some(a), Some(checked_in_at), Some(checked_out_at)) = (
                activities.get(&r.activity_id),
                r.checked_in_at,
                r.checked_out_at,
            ) else {
                continue;
            };
            if let Some(scope) = &scope
                && !manages(scope, &a.scope_code)
            {
                continue;
            }
            let month = month_of(checked_in_at);
            let m = by_month.entry(month.clone()).or_insert_with(|| MonthHours {
                month: month.clone(),
                activities: 0,
                minutes: 0,
            });
            m.activities += 1;
            m.minutes += r.minutes;
            lines.push(HourLine {
                activity_id: a.id,
                title: a.title.clone(),
                role: roles.get(&r.role_id).cloned().unwrap_or_default(),
                month,
                checked_in_at,
                checked_out_at,
                minutes: r.minutes,
            });
        }
        let total_minutes = lines.iter().map(|l| l.minutes).sum();
        Ok(HourStatement {
            volunteer_id: v.id,
            volunteer_name: v.name,
            from: format!("{fy}-{fm:02}"),
            to: format!("{ty}-{tm:02}"),
            lines,
            months: by_month.into_values().collect(),
            total_minutes,
        })
    }

    /// The hour statement as an XLSX workbook (audited: it carries a volunteer's name).
    pub async fn volunteer_hours_workbook(
        &self,
        volunteer_id: Option<Uuid>,
        from: &str,
        to: &str,
    ) -> DomainResult<(HourStatement, Vec<u8>)> {
        self.audited(
            "activity.volunteer_hours.export",
            volunteer_id.map(|v| v.to_string()).unwrap_or_default(),
            async {
                let s = self.volunteer_hours(volunteer_id, from, to).await?;
                let bytes = hours_xlsx(&s)?;
                self.exported(
                    "activity.volunteer_hours.export",
                    s.volunteer_id.to_string(),
                    format!("from={} to={} lines={}", s.from, s.to, s.lines.len()),
                )
                .await?;
                Ok((s, bytes))
            },
        )
        .await
    }
}

/// The statement as a workbook: one sheet by activity, one by month.
pub fn hours_xlsx(s: &HourStatement) -> DomainResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| DomainError::internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let hours = Format::new().set_num_format("0.00");
    let ws = wb.add_worksheet();
    ws.set_name("志愿服务时长").map_err(x)?;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "志愿服务时长证明：{}（{} 至 {}）",
            s.volunteer_name, s.from, s.to
        ),
        &bold,
    )
    .map_err(x)?;
    ws.write_row_with_format(
        2,
        0,
        ["月份", "活动", "岗位", "签到", "签退", "分钟", "小时"],
        &bold,
    )
    .map_err(x)?;
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&shanghai())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let mut row = 3u32;
    for l in &s.lines {
        ws.write_string(row, 0, &l.month).map_err(x)?;
        ws.write_string(row, 1, &l.title).map_err(x)?;
        ws.write_string(row, 2, &l.role).map_err(x)?;
        ws.write_string(row, 3, local(l.checked_in_at)).map_err(x)?;
        ws.write_string(row, 4, local(l.checked_out_at))
            .map_err(x)?;
        ws.write_number(row, 5, f64::from(l.minutes)).map_err(x)?;
        ws.write_number_with_format(row, 6, f64::from(l.minutes) / 60.0, &hours)
            .map_err(x)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "合计", &bold)
        .map_err(x)?;
    ws.write_number(row, 5, f64::from(s.total_minutes))
        .map_err(x)?;
    ws.write_number_with_format(row, 6, f64::from(s.total_minutes) / 60.0, &hours)
        .map_err(x)?;
    let ws = wb.add_worksheet();
    ws.set_name("按月汇总").map_err(x)?;
    ws.write_row_with_format(0, 0, ["月份", "活动数", "分钟", "小时"], &bold)
        .map_err(x)?;
    for (r, m) in (1u32..).zip(&s.months) {
        ws.write_string(r, 0, &m.month).map_err(x)?;
        ws.write_number(r, 1, f64::from(m.activities)).map_err(x)?;
        ws.write_number(r, 2, f64::from(m.minutes)).map_err(x)?;
        ws.write_number_with_format(r, 3, f64::from(m.minutes) / 60.0, &hours)
            .map_err(x)?;
    }
    wb.save_to_buffer().map_err(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_strictly_and_start_at_shanghai_midnight() {
        assert_eq!(parse_month("m", "2026-11").unwrap(), (2026, 11));
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "abcd-ef"] {
            assert!(parse_month("m", bad).is_err(), "{bad}");
        }
        assert_eq!(
            month_start(2026, 12).to_rfc3339(),
            "2026-11-30T16:00:00+00:00"
        );
        assert_eq!(next_month(2026, 12), (2027, 1));
        assert_eq!(month_of(month_start(2027, 1)), "2027-01");
    }
}
