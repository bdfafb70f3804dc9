//! Reading and administering volunteers. An admin's scope over volunteers is the street-towns
//! they serve: a volunteer is in scope when one of their service areas is.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{VolunteerStatus, parse_location};
use crate::audit::{self, Actor, AuditEntry};
use crate::entities::{volunteer, volunteer_area};
use crate::error::{DomainError, DomainResult};
use crate::viewer::{PersonScope, ScopeKind};
use crate::{Db, Platform};

const WHAT: &str = "志愿者";

/// Volunteer reads.
pub struct VolunteerRepo<'a> {
    db: &'a Db,
}

/// Counts for the admin view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolunteerStats {
    /// All in scope.
    pub total: u64,
    /// Awaiting verification.
    pub pending: u64,
    /// Verified.
    pub verified: u64,
    /// Suspended.
    pub suspended: u64,
    /// Verified and on duty now.
    pub on_duty: u64,
}

/// Condition: the volunteer serves a street-town inside `scope`.
fn in_scope(scope: &PersonScope) -> Condition {
    let areas = match scope.kind() {
        ScopeKind::City => return Condition::all(),
        ScopeKind::District(d) => volunteer_area::Column::StreetCode.starts_with(d.as_str()),
        ScopeKind::Street(s) => volunteer_area::Column::StreetCode.eq(s.as_str()),
        ScopeKind::Person(_) | ScopeKind::Nothing => return Condition::any(),
    };
    let sub = sea_orm::sea_query::Query::select()
        .column(volunteer_area::Column::VolunteerId)
        .from(volunteer_area::Entity)
        .and_where(areas)
        .to_owned();
    Condition::all().add(volunteer::Column::Id.in_subquery(sub))
}

impl<'a> VolunteerRepo<'a> {
    /// A repository over `db`.
    pub fn new(db: &'a Db) -> Self {
        Self { db }
    }

    /// The volunteer profile of an account.
    pub async fn by_account(&self, account_id: Uuid) -> DomainResult<Option<volunteer::Model>> {
        Ok(volunteer::Entity::find()
            .filter(volunteer::Column::AccountId.eq(account_id))
            .one(self.db.conn())
            .await?)
    }

    /// One volunteer in an admin's scope.
    pub async fn get_in_scope(
        &self,
        scope: &PersonScope,
        id: Uuid,
    ) -> DomainResult<volunteer::Model> {
        volunteer::Entity::find_by_id(id)
            .filter(in_scope(scope))
            .one(self.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT })
    }

    /// Volunteers by id (no scope: callers decide what to show).
    pub async fn get_many(&self, ids: &[Uuid]) -> DomainResult<HashMap<Uuid, volunteer::Model>> {
        let rows = volunteer::Entity::find()
            .filter(volunteer::Column::Id.is_in(ids.iter().copied()))
            .all(self.db.conn())
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }

    /// Service areas of volunteers, in one statement.
    pub async fn areas_of(&self, ids: &[Uuid]) -> DomainResult<HashMap<Uuid, Vec<String>>> {
        let rows = volunteer_area::Entity::find()
            .filter(volunteer_area::Column::VolunteerId.is_in(ids.iter().copied()))
            .order_by_asc(volunteer_area::Column::StreetCode)
            .all(self.db.conn())
            .await?;
        let mut out: HashMap<Uuid, Vec<String>> = ids.iter().map(|i| (*i, Vec::new())).collect();
        for r in rows {
            out.entry(r.volunteer_id).or_default().push(r.street_code);
        }
        Ok(out)
    }

    /// A page of volunteers in scope, optionally by status, in registration order.
    pub async fn page(
        &self,
        scope: &PersonScope,
        status: Option<VolunteerStatus>,
        page: crate::page::PageRequest,
    ) -> DomainResult<crate::page::Page<volunteer::Model>> {
        let mut cond = in_scope(scope);
        if let Some(s) = status {
            cond = cond.add(volunteer::Column::Status.eq(s.as_str()));
        }
        let rows = page
            .apply(
                volunteer::Entity::find().filter(cond),
                volunteer::Column::Id,
            )
            .all(self.db.conn())
            .await?;
        Ok(page.finish(rows))
    }

    /// Counts by status in scope.
    pub async fn stats(&self, scope: &PersonScope) -> DomainResult<VolunteerStats> {
        let count = |extra: Condition| {
            volunteer::Entity::find()
                .filter(in_scope(scope))
                .filter(extra)
                .count(self.db.conn())
        };
        Ok(VolunteerStats {
            total: count(Condition::all()).await?,
            pending: count(
                Condition::all()
                    .add(volunteer::Column::Status.eq(VolunteerStatus::Pending.as_str())),
            )
            .await?,
            verified: count(
                Condition::all()
                    .add(volunteer::Column::Status.eq(VolunteerStatus::Verified.as_str())),
            )
            .await?,
            suspended: count(
                Condition::all()
                    .add(volunteer::Column::Status.eq(VolunteerStatus::Suspended.as_str())),
            )
            .await?,
            on_duty: count(
                Condition::all()
                    .add(volunteer::Column::Status.eq(VolunteerStatus::Verified.as_str()))
                    .add(volunteer::Column::Available.eq(true)),
            )
            .await?,
        })
    }
}

/// Verify or suspend a volunteer in the admin's scope (audited).
pub async fn set_status(
    p: &Platform,
    actor: &Actor,
    scope: &PersonScope,
    id: Uuid,
    to: VolunteerStatus,
    reason: Option<String>,
) -> DomainResult<volunteer::Model> {
    let w = p.db.begin_write().await?;
    let current = volunteer::Entity::find_by_id(id)
        .filter(in_scope(scope))
        .one(&w.txn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })?;
    let allowed = matches!(
        (VolunteerStatus::from_stored(&current.status), to),
        (
            VolunteerStatus::Pending | VolunteerStatus::Suspended,
            VolunteerStatus::Verified
        ) | (
            VolunteerStatus::Pending | VolunteerStatus::Verified,
            VolunteerStatus::Suspended
        )
    );
    if !allowed {
        return Err(DomainError::Conflict(format!(
            "志愿者当前状态为{}，不能变更为{}",
            current.status,
            to.as_str()
        )));
    }
    let now = Utc::now();
    let mut upd = volunteer::Entity::update_many()
        .col_expr(volunteer::Column::Status, Expr::value(to.as_str()))
        .filter(volunteer::Column::Id.eq(id))
        .filter(volunteer::Column::Status.eq(current.status.clone()));
    upd = match to {
        VolunteerStatus::Verified => upd
            .col_expr(volunteer::Column::VerifiedAt, Expr::value(Some(now)))
            .col_expr(
                volunteer::Column::SuspensionReason,
                Expr::value(Option::<String>::None),
            ),
        _ => upd
            .col_expr(volunteer::Column::SuspensionReason, Expr::value(reason))
            .col_expr(volunteer::Column::Available, Expr::value(false)),
    };
    if upd.exec(&w.txn).await?.rows_affected != 1 {
        return Err(DomainError::Conflict(
            "志愿者状态已被他人修改，请刷新后重试".to_owned(),
        ));
    }
    let op = if to == VolunteerStatus::Verified {
        "volunteer.verify"
    } else {
        "volunteer.suspend"
    };
    audit::append(
        &w.txn,
        p.audit_key(),
        actor,
        AuditEntry {
            operation: op,
            object_type: "volunteer",
            object_id: id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: String::new(),
        },
    )
    .await?;
    let row = volunteer::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })?;
    w.commit().await?;
    p.bus
        .publish(crate::events::DomainEvent::VolunteerChanged { volunteer_id: id });
    Ok(row)
}

/// Go on or off duty (verified volunteers only).
pub async fn set_availability(
    p: &Platform,
    account_id: Uuid,
    available: bool,
) -> DomainResult<volunteer::Model> {
    let w = p.db.begin_write().await?;
    let v = volunteer::Entity::find()
        .filter(volunteer::Column::AccountId.eq(account_id))
        .one(&w.txn)
        .await?
        .ok_or(DomainError::Forbidden("仅志愿者可操作"))?;
    if available && v.status != VolunteerStatus::Verified.as_str() {
        return Err(DomainError::Forbidden("志愿者尚未通过审核或已被暂停"));
    }
    volunteer::Entity::update_many()
        .col_expr(volunteer::Column::Available, Expr::value(available))
        .filter(volunteer::Column::Id.eq(v.id))
        .exec(&w.txn)
        .await?;
    w.commit().await?;
    Ok(volunteer::Model { available, ..v })
}

/// Record the on-duty volunteer's location.
pub async fn report_location(
    p: &Platform,
    account_id: Uuid,
    lat: f64,
    lng: f64,
) -> DomainResult<volunteer::Model> {
    let (lat, lng) = parse_location(lat, lng)?;
    let w = p.db.begin_write().await?;
    let v = volunteer::Entity::find()
        .filter(volunteer::Column::AccountId.eq(account_id))
        .one(&w.txn)
        .await?
        .ok_or(DomainError::Forbidden("仅志愿者可操作"))?;
    if !v.available {
        return Err(DomainError::Conflict(
            "仅在服务（在岗）期间上报位置".to_owned(),
        ));
    }
    let now = Utc::now();
    volunteer::Entity::update_many()
        .col_expr(volunteer::Column::Latitude, Expr::value(Some(lat)))
        .col_expr(volunteer::Column::Longitude, Expr::value(Some(lng)))
        .col_expr(volunteer::Column::LocationAt, Expr::value(Some(now)))
        .filter(volunteer::Column::Id.eq(v.id))
        .exec(&w.txn)
        .await?;
    w.commit().await?;
    Ok(volunteer::Model {
        latitude: Some(lat),
        longitude: Some(lng),
        location_at: Some(now),
        ..v
    })
}
