//! Reading and changing activities: who sees and manages which, versioned edits, the
//! time-driven steps.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{
    ActivityFilter, ActivityInput, ActivityStatus, CheckedActivity, RegistrationStatus, WHAT,
};
use crate::db::Db;
use crate::entities::activity::{self, Column};
use crate::entities::activity_registration as registration;
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::viewer::ScopeKind;

/// Whether an admin of `scope` manages activities organised in `code`.
pub(crate) fn manages(scope: &ScopeKind, code: &str) -> bool {
    match scope {
        ScopeKind::City => true,
        ScopeKind::District(d) => code.starts_with(d.as_str()),
        ScopeKind::Street(s) => code == s.as_str(),
        ScopeKind::Person(_) | ScopeKind::Nothing => false,
    }
}

/// What a viewer sees: everything published, and the drafts of the activities they manage.
pub(crate) fn visible(scope: &ScopeKind) -> Condition {
    let published = Column::Status.ne(ActivityStatus::Draft.as_str());
    match scope {
        ScopeKind::City => Condition::all(),
        ScopeKind::District(d) => Condition::any()
            .add(published)
            .add(Column::ScopeCode.starts_with(d.as_str())),
        ScopeKind::Street(s) => Condition::any()
            .add(published)
            .add(Column::ScopeCode.eq(s.as_str())),
        ScopeKind::Person(_) | ScopeKind::Nothing => Condition::all().add(published),
    }
}

/// One activity the viewer may see (`NOT_FOUND` otherwise, whether or not it exists).
pub(crate) async fn get<C: sea_orm::ConnectionTrait>(
    conn: &C,
    scope: &ScopeKind,
    id: Uuid,
) -> DomainResult<activity::Model> {
    activity::Entity::find_by_id(id)
        .filter(visible(scope))
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })
}

/// One activity the viewer manages: `NOT_FOUND` when they cannot see it, `FORBIDDEN` when
/// they see it (published) but another region organises it.
pub(crate) async fn managed<C: sea_orm::ConnectionTrait>(
    conn: &C,
    scope: &ScopeKind,
    id: Uuid,
) -> DomainResult<activity::Model> {
    let row = get(conn, scope, id).await?;
    if !manages(scope, &row.scope_code) {
        return Err(DomainError::Forbidden("只能管理本级或下级组织的活动"));
    }
    Ok(row)
}

/// A page of the activities the viewer sees, by filter, in the order they were created.
pub(crate) async fn list(
    db: &Db,
    scope: &ScopeKind,
    filter: &ActivityFilter,
    page: &PageRequest,
) -> DomainResult<Page<activity::Model>> {
    let mut q = activity::Entity::find().filter(visible(scope));
    if let Some(region) = &filter.region {
        q = q.filter(Column::ScopeCode.starts_with(region.as_str()));
    }
    if let Some(status) = filter.status {
        q = q.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(Column::Kind.eq(kind.as_str()));
    }
    if filter.upcoming {
        q = q
            .filter(Column::EndsAt.gt(Utc::now()))
            .filter(Column::Status.ne(ActivityStatus::Cancelled.as_str()));
    }
    let rows = page.apply(q, Column::Id).all(db.conn()).await?;
    Ok(page.finish(rows))
}

/// The columns an input sets.
fn fill(row: &mut activity::ActiveModel, input: &ActivityInput, checked: CheckedActivity) {
    let (lat, lng) = checked.venue.location.unzip();
    row.kind = Set(input.kind.as_str().to_owned());
    row.title = Set(checked.title);
    row.description = Set(checked.description);
    row.venue_address = Set(checked.venue.address);
    row.venue_lat = Set(lat);
    row.venue_lng = Set(lng);
    row.step_free = Set(checked.venue.step_free);
    row.accessible_toilet = Set(checked.venue.accessible_toilet);
    row.hearing_loop = Set(checked.venue.hearing_loop);
    row.sign_language = Set(checked.venue.sign_language);
    row.starts_at = Set(input.starts_at);
    row.ends_at = Set(input.ends_at);
    row.registration_opens_at = Set(input.registration_opens_at);
    row.registration_closes_at = Set(input.registration_closes_at);
    row.capacity = Set(input.capacity);
    row.audience_kind = Set(checked.audience.kind().as_str().to_owned());
    row.audience_categories = Set(checked.audience.stored_categories());
    row.audience_rule_id = Set(match checked.audience {
        super::Audience::Rule(id) => Some(id),
        _ => None,
    });
}

/// A new draft organised in `organiser`.
pub(crate) fn new_draft(
    organiser: &str,
    input: &ActivityInput,
    checked: CheckedActivity,
    created_by: &str,
) -> activity::ActiveModel {
    let now = Utc::now();
    let mut row = activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        scope_code: Set(organiser.to_owned()),
        status: Set(ActivityStatus::Draft.as_str().to_owned()),
        version: Set(1),
        confirmed: Set(0),
        waitlisted: Set(0),
        arrival_seq: Set(0),
        cancel_reason: Set(None),
        checkin_secret: Set(Some(super::checkin::new_secret())),
        created_by: Set(created_by.chars().take(64).collect()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    fill(&mut row, input, checked);
    row
}

/// The edit of `current` (read inside the transaction) to `input`: `CONFLICT` on a stale
/// version, a state that no longer takes edits, or fewer places than are confirmed.
pub(crate) fn edited(
    current: &activity::Model,
    version: i32,
    input: &ActivityInput,
    checked: CheckedActivity,
) -> DomainResult<activity::ActiveModel> {
    if current.version != version {
        return Err(DomainError::Conflict(format!(
            "活动已被他人修改（当前版本{}，提交的版本{version}），请刷新后重试",
            current.version
        )));
    }
    let status = ActivityStatus::from_stored(&current.status);
    if !matches!(status, ActivityStatus::Draft | ActivityStatus::Published) {
        return Err(DomainError::Conflict(format!(
            "活动{}，不能再修改",
            status_zh(status)
        )));
    }
    if input.capacity < current.confirmed {
        return Err(DomainError::Conflict(format!(
            "已有{}人确认报名，名额不能少于此数",
            current.confirmed
        )));
    }
    let mut row: activity::ActiveModel = current.clone().into();
    fill(&mut row, input, checked);
    row.version = Set(current.version + 1);
    row.updated_at = Set(Utc::now());
    Ok(row)
}

/// The state in words, for messages.
pub(crate) fn status_zh(s: ActivityStatus) -> &'static str {
    match s {
        ActivityStatus::Draft => "尚未发布",
        ActivityStatus::Published => "已发布",
        ActivityStatus::RegistrationClosed => "报名已截止",
        ActivityStatus::InProgress => "正在进行",
        ActivityStatus::Finished => "已结束",
        ActivityStatus::Cancelled => "已取消",
    }
}

/// Take the time-driven steps due at `now`: registration closes, activities start and finish;
/// as one finishes, confirmed registrations become attended (checked in) or no-shows.
/// Returns how many steps were taken (an activity may take several). Idempotent: a second run at the same time
/// changes nothing.
pub async fn advance(db: &Db, now: DateTime<Utc>) -> DomainResult<u64> {
    use ActivityStatus::{Finished, InProgress, Published, RegistrationClosed};
    let step = |from: &[ActivityStatus], to: ActivityStatus, due: Column| {
        activity::Entity::update_many()
            .col_expr(Column::Status, Expr::value(to.as_str()))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Status.is_in(from.iter().map(|s| s.as_str())))
            .filter(due.lte(now))
    };
    // Most passes find nothing due: ask with a read first, so that an idle pass never takes
    // the write lock (on SQLite a write here collides with the command line's transactions).
    let due = |status: ActivityStatus, at: Column| {
        Condition::all()
            .add(Column::Status.eq(status.as_str()))
            .add(at.lte(now))
    };
    let anything_due = activity::Entity::find()
        .filter(
            Condition::any()
                .add(due(Published, Column::RegistrationClosesAt))
                .add(due(RegistrationClosed, Column::StartsAt))
                .add(due(InProgress, Column::EndsAt)),
        )
        .one(db.conn())
        .await?
        .is_some();
    if !anything_due {
        return Ok(0);
    }
    let w = db.begin_write().await?;
    let mut changed = 0;
    // In this order, so that an activity the pass last saw before registration closed and
    // that has since finished walks every step in one pass.
    changed += step(
        &[Published],
        RegistrationClosed,
        Column::RegistrationClosesAt,
    )
    .exec(&w.txn)
    .await?
    .rows_affected;
    changed += step(&[RegistrationClosed], InProgress, Column::StartsAt)
        .exec(&w.txn)
        .await?
        .rows_affected;
    // Who came and who did not, as the activity finishes.
    let ending = || {
        use sea_orm::QuerySelect;
        use sea_orm::QueryTrait;
        activity::Entity::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::Status.eq(InProgress.as_str()))
            .filter(Column::EndsAt.lte(now))
            .into_query()
    };
    for (came, status) in [
        (true, RegistrationStatus::Attended),
        (false, RegistrationStatus::NoShow),
    ] {
        let checked = if came {
            registration::Column::CheckedInAt.is_not_null()
        } else {
            registration::Column::CheckedInAt.is_null()
        };
        registration::Entity::update_many()
            .col_expr(registration::Column::Status, Expr::value(status.as_str()))
            .col_expr(registration::Column::UpdatedAt, Expr::value(Some(now)))
            .filter(registration::Column::Status.eq(RegistrationStatus::Confirmed.as_str()))
            .filter(checked)
            .filter(registration::Column::ActivityId.in_subquery(ending()))
            .exec(&w.txn)
            .await?;
    }
    changed += step(&[InProgress], Finished, Column::EndsAt)
        .exec(&w.txn)
        .await?
        .rows_affected;
    w.commit().await?;
    Ok(changed)
}
