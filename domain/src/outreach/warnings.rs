//! Warnings (R22): a follow-up past its due date, or one whose outcome means the policy did not
//! reach the person, raises a warning to the street-town — and so does a hire's employment
//! follow-up (R45) not made by its due day; unresolved after
//! `escalate_after_days`, it escalates to the district. Every node runs the tick; unique
//! (task, kind) rows and conditional updates make each step happen once.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use super::{Outcome, OutreachConfig, TaskStatus};
use crate::Platform;
use crate::entities::{employment_follow_up, job_application, outreach_task, outreach_warning};
use crate::error::DomainResult;
use crate::events::DomainEvent;
use crate::viewer::{PersonScope, Role, ScopeKind, Viewer};

code_enum! {
    /// Who a warning is addressed to.
    WarningLevel {
        /// The street-town.
        #[default]
        Street = "STREET",
        /// Escalated to the district.
        District = "DISTRICT",
    }
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Warnings raised.
    pub raised: u64,
    /// Warnings escalated to the district.
    pub escalated: u64,
    /// Warnings resolved.
    pub resolved: u64,
}

fn failed_outcomes() -> Vec<&'static str> {
    Outcome::ALL
        .iter()
        .filter(|o| o.failed())
        .map(|o| o.as_str())
        .collect()
}

/// Raise, escalate and resolve warnings as of `now`.
pub async fn tick(p: &Platform, now: DateTime<Utc>) -> DomainResult<TickReport> {
    let conn = p.db.conn();
    let config: &OutreachConfig = &p.outreach;
    let today = (now + Duration::hours(8)).date_naive();
    let mut report = TickReport::default();
    // Raise.
    let overdue: Vec<outreach_task::Model> = outreach_task::Entity::find()
        .filter(
            outreach_task::Column::Status
                .is_in([TaskStatus::Assigned.as_str(), TaskStatus::Returned.as_str()]),
        )
        .filter(outreach_task::Column::DueOn.lt(today))
        .all(conn)
        .await?;
    let failed: Vec<outreach_task::Model> = outreach_task::Entity::find()
        .filter(outreach_task::Column::Outcome.is_in(failed_outcomes()))
        .filter(outreach_task::Column::Status.ne(TaskStatus::Returned.as_str()))
        .all(conn)
        .await?;
    // Employment follow-ups past their day, addressed like a task of the person's street-town.
    let late: Vec<employment_follow_up::Model> = employment_follow_up::Entity::find()
        .filter(employment_follow_up::Column::Status.eq("DUE"))
        .filter(employment_follow_up::Column::DueOn.lt(today))
        .all(conn)
        .await?;
    let streets: std::collections::HashMap<Uuid, String> =
        crate::db::find_each::<job_application::Entity, _>(
            conn,
            job_application::Column::Id,
            &late.iter().map(|f| f.application_id).collect::<Vec<_>>(),
        )
        .await?
        .into_iter()
        .map(|a| (a.id, a.street_code))
        .collect();
    let employment: Vec<outreach_task::Model> = late
        .into_iter()
        .filter_map(|f| {
            Some(outreach_task::Model {
                id: f.id,
                push_id: f.application_id,
                person_id: f.person_id,
                street_code: streets.get(&f.application_id)?.clone(),
                district_code: f.district_code,
                status: TaskStatus::Assigned.as_str().to_owned(),
                due_on: f.due_on,
                method: None,
                outcome: None,
                notes: None,
                visited_on: None,
                submitted_at: None,
                first_submitted_at: None,
                reviewed_at: None,
                return_count: 0,
                recheck_sample_seed: None,
                recheck_result: None,
                updated_at: now,
            })
        })
        .collect();
    let mut raised = Vec::new();
    for (kind, tasks) in [
        ("OVERDUE", overdue),
        ("FAILED_OUTCOME", failed),
        ("JOB_FOLLOW_UP", employment),
    ] {
        for t in tasks {
            let w = outreach_warning::ActiveModel {
                id: Set(Uuid::now_v7()),
                task_id: Set(t.id),
                push_id: Set(t.push_id),
                kind: Set(kind.to_owned()),
                level: Set(WarningLevel::Street.as_str().to_owned()),
                district_code: Set(t.district_code.clone()),
                street_code: Set(t.street_code.clone()),
                raised_at: Set(now),
                escalated_at: Set(None),
                resolved_at: Set(None),
            };
            let inserted = outreach_warning::Entity::insert(w)
                .on_conflict(
                    OnConflict::columns([
                        outreach_warning::Column::TaskId,
                        outreach_warning::Column::Kind,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(conn)
                .await?;
            if inserted > 0 {
                report.raised += 1;
                raised.push((t.street_code.clone(), t.district_code.clone()));
            }
        }
    }
    // Escalate.
    let due = now - Duration::days(config.escalate_after_days);
    let to_escalate: Vec<outreach_warning::Model> = outreach_warning::Entity::find()
        .filter(outreach_warning::Column::Level.eq(WarningLevel::Street.as_str()))
        .filter(outreach_warning::Column::ResolvedAt.is_null())
        .filter(outreach_warning::Column::RaisedAt.lte(due))
        .all(conn)
        .await?;
    let mut escalated = Vec::new();
    for w in to_escalate {
        let res = outreach_warning::Entity::update_many()
            .col_expr(
                outreach_warning::Column::Level,
                Expr::value(WarningLevel::District.as_str()),
            )
            .col_expr(
                outreach_warning::Column::EscalatedAt,
                Expr::value(Some(now)),
            )
            .filter(outreach_warning::Column::Id.eq(w.id))
            .filter(outreach_warning::Column::Level.eq(WarningLevel::Street.as_str()))
            .exec(conn)
            .await?;
        if res.rows_affected == 1 {
            report.escalated += 1;
            escalated.push(w);
        }
    }
    // Resolve: overdue tasks that were reported, failed outcomes that were corrected.
    let open: Vec<(Uuid, Uuid, String)> = outreach_warning::Entity::find()
        .select_only()
        .column(outreach_warning::Column::Id)
        .column(outreach_warning::Column::TaskId)
        .column(outreach_warning::Column::Kind)
        .filter(outreach_warning::Column::ResolvedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    if !open.is_empty() {
        let tasks: Vec<outreach_task::Model> = outreach_task::Entity::find()
            .filter(outreach_task::Column::Id.is_in(open.iter().map(|(_, t, _)| *t)))
            .all(conn)
            .await?;
        let follow_ups: Vec<employment_follow_up::Model> = employment_follow_up::Entity::find()
            .filter(
                employment_follow_up::Column::Id.is_in(
                    open.iter()
                        .filter(|(_, _, k)| k == "JOB_FOLLOW_UP")
                        .map(|(_, t, _)| *t),
                ),
            )
            .all(conn)
            .await?;
        let done: Vec<Uuid> = open
            .iter()
            .filter(|(_, tid, kind)| {
                if kind == "JOB_FOLLOW_UP" {
                    return follow_ups
                        .iter()
                        .find(|f| f.id == *tid)
                        .is_none_or(|f| f.status != "DUE");
                }
                tasks.iter().find(|t| t.id == *tid).is_some_and(|t| {
                    let status = TaskStatus::from_stored(&t.status);
                    if kind == "OVERDUE" {
                        !matches!(status, TaskStatus::Assigned | TaskStatus::Returned)
                    } else {
                        !t.outcome
                            .as_deref()
                            .is_some_and(|o| Outcome::from_stored(o).failed())
                    }
                })
            })
            .map(|(id, _, _)| *id)
            .collect();
        if !done.is_empty() {
            let res = outreach_warning::Entity::update_many()
                .col_expr(outreach_warning::Column::ResolvedAt, Expr::value(Some(now)))
                .filter(outreach_warning::Column::Id.is_in(done))
                .filter(outreach_warning::Column::ResolvedAt.is_null())
                .exec(conn)
                .await?;
            report.resolved = res.rows_affected;
        }
    }
    for (street, district) in raised {
        p.bus.publish(DomainEvent::OutreachWarning {
            street_code: street,
            district_code: district,
            level: WarningLevel::Street.as_str().to_owned(),
        });
    }
    for w in escalated {
        p.bus.publish(DomainEvent::OutreachWarning {
            street_code: w.street_code,
            district_code: w.district_code,
            level: WarningLevel::District.as_str().to_owned(),
        });
    }
    Ok(report)
}

/// Whether a viewer is addressed by a warning at `level` in `street`: street-town staff see
/// their street-town's warnings; district and city admins see those escalated in their scope.
pub fn addressed(viewer: &Viewer, level: WarningLevel, street: &str) -> bool {
    let scope = PersonScope::of(viewer);
    match viewer.role {
        Role::StreetAdmin => matches!(scope.kind(), ScopeKind::Street(s) if s.as_str() == street),
        Role::DistrictAdmin | Role::CityAdmin => {
            level == WarningLevel::District && scope.admits(Uuid::nil(), street)
        }
        _ => false,
    }
}

/// Warnings addressed to the viewer (unresolved only unless `all`), as a query to page or narrow.
fn addressed_to(viewer: &Viewer, all: bool) -> sea_orm::Select<outreach_warning::Entity> {
    let scope = PersonScope::of(viewer);
    let q = outreach_warning::Entity::find();
    let q = match (viewer.role, scope.kind()) {
        (Role::StreetAdmin, ScopeKind::Street(s)) => {
            q.filter(outreach_warning::Column::StreetCode.eq(s.as_str()))
        }
        (Role::DistrictAdmin, ScopeKind::District(d)) => q
            .filter(outreach_warning::Column::DistrictCode.eq(d.as_str()))
            .filter(outreach_warning::Column::Level.eq(WarningLevel::District.as_str())),
        (Role::CityAdmin, ScopeKind::City) => {
            q.filter(outreach_warning::Column::Level.eq(WarningLevel::District.as_str()))
        }
        _ => q.filter(Condition::any()),
    };
    if all {
        q
    } else {
        q.filter(outreach_warning::Column::ResolvedAt.is_null())
    }
}

/// A page of the warnings addressed to the viewer, in the order they were raised (unresolved
/// only unless `all`).
pub async fn warnings(
    p: &Platform,
    viewer: &Viewer,
    all: bool,
    page: &crate::page::PageRequest,
) -> DomainResult<crate::page::Page<outreach_warning::Model>> {
    let rows = page
        .apply(addressed_to(viewer, all), outreach_warning::Column::Id)
        .all(p.db.conn())
        .await?;
    Ok(page.finish(rows))
}

/// One warning addressed to the viewer, resolved or not.
pub async fn warning(
    p: &Platform,
    viewer: &Viewer,
    id: uuid::Uuid,
) -> DomainResult<Option<outreach_warning::Model>> {
    Ok(addressed_to(viewer, true)
        .filter(outreach_warning::Column::Id.eq(id))
        .one(p.db.conn())
        .await?)
}
