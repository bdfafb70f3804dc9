//! Attendance (R17, R29, R30): check-in by the rotating code on the organiser's screen, by staff
//! scanning the attendee's own pass, or by hand; the live check-in count for the organiser's
//! screen; no-shows, the restriction they bring, and excusing one.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::checkin;
use super::store::{self, status_zh};
use super::{ActivityService, ActivityStatus, Registration, RegistrationStatus, WHAT_REGISTRATION};
use crate::entities::{activity, activity_registration};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::types::BoundedText;
use crate::viewer::{Role, ScopeKind};

/// How early before the start check-in opens.
pub const CHECK_IN_OPENS_BEFORE_MINUTES: i64 = 60;

/// The no-show rule: `max_no_shows` no-shows within `window_days` stop new registrations for
/// `restrict_days` after the latest one (excused no-shows do not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityPolicy {
    /// No-shows that restrict.
    pub max_no_shows: u64,
    /// Window they are counted in, days.
    pub window_days: i64,
    /// Length of the restriction after the latest no-show, days.
    pub restrict_days: i64,
}

impl Default for ActivityPolicy {
    fn default() -> Self {
        Self {
            max_no_shows: 3,
            window_days: 90,
            restrict_days: 30,
        }
    }
}

code_enum! {
    /// How someone checked in.
    CheckInMethod {
        /// The attendee's app submitted the code on the organiser's screen.
        #[default]
        Code = "CODE",
        /// Staff scanned the attendee's own pass.
        Scan = "SCAN",
        /// Staff checked them in by hand.
        Manual = "MANUAL",
    }
}

/// The code an organiser's screen shows now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInCode {
    /// Eight digits.
    pub code: String,
    /// What the QR code carries.
    pub payload: String,
    /// When the next code replaces it.
    pub valid_until: DateTime<Utc>,
}

/// A citizen's standing: recent no-shows and any restriction they bring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// No-shows in the window (excused ones not counted).
    pub no_shows: u64,
    /// The window, days.
    pub window_days: i64,
    /// How many no-shows restrict.
    pub max_no_shows: u64,
    /// New registrations refused until then.
    pub restricted_until: Option<DateTime<Utc>>,
}

/// One check-in as the organiser's screen hears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInUpdate {
    /// The person who checked in.
    pub person_id: Uuid,
    /// Checked in so far.
    pub checked_in: i32,
    /// Confirmed places.
    pub confirmed: i32,
}

/// What one organiser's screen receives: check-ins at the activity it watches.
pub struct CheckInWatch {
    activity: Uuid,
}

impl CheckInWatch {
    /// The update an `event` brings this screen, if it is about its activity.
    pub fn on(&self, event: &DomainEvent) -> Option<CheckInUpdate> {
        match event {
            DomainEvent::ActivityCheckedIn {
                activity_id,
                person_id,
                checked_in,
                confirmed,
            } if *activity_id == self.activity => Some(CheckInUpdate {
                person_id: *person_id,
                checked_in: *checked_in,
                confirmed: *confirmed,
            }),
            _ => None,
        }
    }
}

/// The standing of `person` at `now` under `policy`.
pub(crate) async fn standing<C: sea_orm::ConnectionTrait>(
    conn: &C,
    policy: &ActivityPolicy,
    person: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<Standing> {
    let since = now - Duration::days(policy.window_days);
    let recent = activity_registration::Entity::find()
        .filter(activity_registration::Column::PersonId.eq(person))
        .filter(activity_registration::Column::Status.eq(RegistrationStatus::NoShow.as_str()))
        .filter(activity_registration::Column::UpdatedAt.gte(since))
        .order_by_desc(activity_registration::Column::UpdatedAt)
        .all(conn)
        .await?;
    let no_shows = recent.len() as u64;
    let restricted_until = if no_shows >= policy.max_no_shows {
        recent
            .first()
            .and_then(|r| r.updated_at)
            .map(|latest| latest + Duration::days(policy.restrict_days))
            .filter(|until| *until > now)
    } else {
        None
    };
    Ok(Standing {
        no_shows,
        window_days: policy.window_days,
        max_no_shows: policy.max_no_shows,
        restricted_until,
    })
}

/// Why `a` takes no check-in at `now`, if it does not.
fn check_in_refusal(a: &activity::Model, now: DateTime<Utc>) -> Option<String> {
    let status = ActivityStatus::from_stored(&a.status);
    if matches!(
        status,
        ActivityStatus::Draft | ActivityStatus::Cancelled | ActivityStatus::Finished
    ) || now >= a.ends_at
    {
        let s = if now >= a.ends_at && status != ActivityStatus::Cancelled {
            ActivityStatus::Finished
        } else {
            status
        };
        return Some(format!("活动{}，不能签到", status_zh(s)));
    }
    if now < a.starts_at - Duration::minutes(CHECK_IN_OPENS_BEFORE_MINUTES) {
        return Some(format!(
            "签到在活动开始前{CHECK_IN_OPENS_BEFORE_MINUTES}分钟开放"
        ));
    }
    None
}

impl ActivityService<'_> {
    /// The activity's check-in secret, made on first use.
    async fn secret(&self, a: &activity::Model) -> DomainResult<Vec<u8>> {
        if let Some(s) = &a.checkin_secret {
            return Ok(s.clone());
        }
        activity::Entity::update_many()
            .col_expr(
                activity::Column::CheckinSecret,
                Expr::value(checkin::new_secret()),
            )
            .filter(activity::Column::Id.eq(a.id))
            .filter(activity::Column::CheckinSecret.is_null())
            .exec(self.p.db.conn())
            .await?;
        // Another node may have made it first: read the one that stuck.
        activity::Entity::find_by_id(a.id)
            .one(self.p.db.conn())
            .await?
            .and_then(|m| m.checkin_secret)
            .ok_or_else(|| DomainError::internal("activity check-in secret missing"))
    }

    /// 签到码: the code for the organiser's screen now (managers of the activity).
    pub async fn check_in_code(&self, activity_id: Uuid) -> DomainResult<CheckInCode> {
        let (_, scope) = self.manager()?;
        let a = store::managed(self.p.db.conn(), &scope, activity_id).await?;
        if let Some(why) = check_in_refusal(&a, Utc::now()) {
            return Err(DomainError::Conflict(why));
        }
        let secret = self.secret(&a).await?;
        let (code, valid_until) = checkin::activity_code(&secret, a.id, Utc::now());
        Ok(CheckInCode {
            payload: format!("zhucan:checkin:{}:{code}", a.id),
            code,
            valid_until,
        })
    }

    /// 我的签到凭证: the pass a registrant's app shows for staff to scan.
    pub async fn attendee_pass(&self, registration: Uuid) -> DomainResult<CheckInCode> {
        let viewer = self.caller.viewer()?;
        let reg = self.own_registration(registration).await?;
        if viewer.role != Role::Citizen {
            return Err(DomainError::Forbidden("签到凭证只显示在本人的应用中"));
        }
        if reg.status != RegistrationStatus::Confirmed.as_str() {
            return Err(DomainError::Conflict("只有已确认的报名可以签到".to_owned()));
        }
        let a = store::get(self.p.db.conn(), &ScopeKind::Nothing, reg.activity_id).await?;
        let secret = self.secret(&a).await?;
        let now = Utc::now();
        let code = checkin::attendee_pass(&secret, reg.id, now);
        let (_, valid_until) = checkin::activity_code(&secret, a.id, now);
        Ok(CheckInCode {
            payload: format!("zhucan:pass:{}:{code}", reg.id),
            code,
            valid_until,
        })
    }

    /// Record a check-in once, publish the new count.
    async fn record_check_in(
        &self,
        reg: &activity_registration::Model,
        method: CheckInMethod,
    ) -> DomainResult<Registration> {
        let now = Utc::now();
        let w = self.p.db.begin_write().await?;
        let done = activity_registration::Entity::update_many()
            .col_expr(activity_registration::Column::CheckedInAt, Expr::value(now))
            .col_expr(
                activity_registration::Column::CheckInMethod,
                Expr::value(method.as_str()),
            )
            .filter(activity_registration::Column::Id.eq(reg.id))
            .filter(
                activity_registration::Column::Status.eq(RegistrationStatus::Confirmed.as_str()),
            )
            .filter(activity_registration::Column::CheckedInAt.is_null())
            .exec(&w.txn)
            .await?
            .rows_affected;
        if done != 1 {
            return Err(DomainError::Conflict(
                if reg.checked_in_at.is_some() {
                    "已签到，无需重复签到"
                } else {
                    "只有已确认的报名可以签到"
                }
                .to_owned(),
            ));
        }
        let checked_in = activity_registration::Entity::find()
            .filter(activity_registration::Column::ActivityId.eq(reg.activity_id))
            .filter(activity_registration::Column::CheckedInAt.is_not_null())
            .count(&w.txn)
            .await?;
        let confirmed = activity::Entity::find_by_id(reg.activity_id)
            .one(&w.txn)
            .await?
            .map_or(0, |a| a.confirmed);
        self.append(
            &w.txn,
            "activity.check_in",
            reg.activity_id,
            format!("registration={} method={}", reg.id, method.as_str()),
        )
        .await?;
        w.commit().await?;
        let row = activity_registration::Entity::find_by_id(reg.id)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound {
                what: WHAT_REGISTRATION,
            })?;
        self.p.bus.publish(DomainEvent::ActivityCheckedIn {
            activity_id: reg.activity_id,
            person_id: reg.person_id,
            checked_in: i32::try_from(checked_in).unwrap_or(i32::MAX),
            confirmed,
        });
        Ok(row.into())
    }

    /// 签到 (the attendee's app): the code on the organiser's screen.
    pub async fn check_in(&self, activity_id: Uuid, code: &str) -> DomainResult<Registration> {
        self.audited("activity.check_in", activity_id.to_string(), async {
            let viewer = self.caller.viewer()?;
            let (Role::Citizen, Some(own)) = (viewer.role, viewer.person_id) else {
                return Err(DomainError::Forbidden("请在本人的应用中扫码签到"));
            };
            let a = store::get(self.p.db.conn(), &ScopeKind::Nothing, activity_id).await?;
            if let Some(why) = check_in_refusal(&a, Utc::now()) {
                return Err(DomainError::Conflict(why));
            }
            let secret = self.secret(&a).await?;
            checkin::verify_activity_code(&secret, a.id, code, Utc::now())?;
            let reg = activity_registration::Entity::find()
                .filter(activity_registration::Column::ActivityId.eq(a.id))
                .filter(activity_registration::Column::PersonId.eq(own))
                .one(self.p.db.conn())
                .await?
                .ok_or_else(|| DomainError::Conflict("您没有报名该活动".to_owned()))?;
            self.record_check_in(&reg, CheckInMethod::Code).await
        })
        .await
    }

    /// 现场签到 (staff of the activity): scanning the attendee's pass, or by hand without one.
    pub async fn check_in_attendee(
        &self,
        registration: Uuid,
        pass: Option<&str>,
    ) -> DomainResult<Registration> {
        self.audited("activity.check_in", registration.to_string(), async {
            let (_, scope) = self.manager()?;
            let reg = activity_registration::Entity::find_by_id(registration)
                .one(self.p.db.conn())
                .await?
                .ok_or(DomainError::NotFound {
                    what: WHAT_REGISTRATION,
                })?;
            let a = store::managed(self.p.db.conn(), &scope, reg.activity_id).await?;
            if let Some(why) = check_in_refusal(&a, Utc::now()) {
                return Err(DomainError::Conflict(why));
            }
            let method = match pass {
                Some(pass) => {
                    let secret = self.secret(&a).await?;
                    let pass = pass
                        .trim()
                        .strip_prefix(&format!("zhucan:pass:{}:", reg.id))
                        .unwrap_or(pass);
                    checkin::verify_attendee_pass(&secret, reg.id, pass, Utc::now())?;
                    CheckInMethod::Scan
                }
                None => CheckInMethod::Manual,
            };
            self.record_check_in(&reg, method).await
        })
        .await
    }

    /// 免除失约 (staff with the person in scope): a no-show with a reason stops counting.
    pub async fn excuse_no_show(
        &self,
        registration: Uuid,
        reason: &str,
    ) -> DomainResult<Registration> {
        self.audited("activity.no_show.excuse", registration.to_string(), async {
            let viewer = self
                .caller
                .region_admin("仅市、区、街镇管理员可免除失约记录")?;
            let reason = BoundedText::parse("reason", reason, 500)?.into_string();
            let reg = self.own_registration(registration).await?;
            let w = self.p.db.begin_write().await?;
            let done = activity_registration::Entity::update_many()
                .col_expr(
                    activity_registration::Column::Status,
                    Expr::value(RegistrationStatus::Excused.as_str()),
                )
                .col_expr(
                    activity_registration::Column::ExcusedBy,
                    Expr::value(viewer.username.chars().take(64).collect::<String>()),
                )
                .col_expr(
                    activity_registration::Column::ExcuseReason,
                    Expr::value(reason.clone()),
                )
                .filter(activity_registration::Column::Id.eq(reg.id))
                .filter(
                    activity_registration::Column::Status.eq(RegistrationStatus::NoShow.as_str()),
                )
                .exec(&w.txn)
                .await?
                .rows_affected;
            if done != 1 {
                return Err(DomainError::Conflict("只能免除失约的报名".to_owned()));
            }
            self.append(
                &w.txn,
                "activity.no_show.excuse",
                reg.activity_id,
                format!("registration={}", reg.id),
            )
            .await?;
            w.commit().await?;
            let row = activity_registration::Entity::find_by_id(reg.id)
                .one(self.p.db.conn())
                .await?
                .ok_or(DomainError::NotFound {
                    what: WHAT_REGISTRATION,
                })?;
            Ok(row.into())
        })
        .await
    }

    /// 我的报名信用: the signed-in citizen's no-shows and any restriction.
    pub async fn my_standing(&self) -> DomainResult<Standing> {
        let viewer = self.caller.viewer()?;
        let (Role::Citizen, Some(own)) = (viewer.role, viewer.person_id) else {
            return Err(DomainError::Forbidden("仅残疾人本人可查看报名信用"));
        };
        standing(self.p.db.conn(), &self.p.activities, own, Utc::now()).await
    }

    /// A live view of check-ins at an activity the caller manages.
    pub async fn watch_check_ins(&self, activity_id: Uuid) -> DomainResult<CheckInWatch> {
        let (_, scope) = self.manager()?;
        store::managed(self.p.db.conn(), &scope, activity_id).await?;
        Ok(CheckInWatch {
            activity: activity_id,
        })
    }
}
