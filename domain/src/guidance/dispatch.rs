//! Dispatch: offer a request to the nearest available verified volunteers serving its
//! street-town, widen the radius on a timer, escalate to the street-town when nobody claims it,
//! and expire it. Every step is a conditional update, so any number of nodes may run `tick`:
//! exactly one of them performs each step.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, TryInsertResult};
use uuid::Uuid;

use super::{GuidanceStatus, status_event};
use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::entities::{
    account, guidance_block, guidance_offer, guidance_request, volunteer, volunteer_area,
};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::sms::{self, SmsTemplate};
use crate::types::Phone;
use crate::volunteer::distance_m;

/// Dispatch timings (all configurable).
#[derive(Debug, Clone)]
pub struct DispatchConfig {
    /// Offer radii in metres, widened in this order.
    pub radii_m: Vec<i32>,
    /// Time between widenings.
    pub widen_every: Duration,
    /// Unclaimed for this long: escalate to the street-town.
    pub escalate_after: Duration,
    /// Unclaimed this long after the pickup time: expire.
    pub expire_after_pickup: Duration,
    /// Most volunteers offered per round.
    pub max_offers_per_round: usize,
    /// How often each node runs `tick`.
    pub tick_every: StdDuration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            radii_m: vec![1_000, 3_000, 8_000],
            widen_every: Duration::seconds(60),
            escalate_after: Duration::seconds(300),
            expire_after_pickup: Duration::seconds(1_800),
            max_offers_per_round: 10,
            tick_every: StdDuration::from_secs(5),
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Requests whose radius widened.
    pub widened: usize,
    /// Requests escalated.
    pub escalated: usize,
    /// Requests expired.
    pub expired: usize,
}

fn live() -> Condition {
    Condition::any()
        .add(guidance_request::Column::Status.eq(GuidanceStatus::Open.as_str()))
        .add(guidance_request::Column::Status.eq(GuidanceStatus::Offered.as_str()))
}

/// Offer the request to the nearest eligible volunteers within its current radius who have not
/// been offered it yet. Returns the volunteers newly offered.
pub async fn offer_round(
    p: &Platform,
    request: &guidance_request::Model,
) -> DomainResult<Vec<Uuid>> {
    let radius = f64::from(request.radius_m);
    let lat = request.pickup_latitude;
    let lng = request.pickup_longitude;
    // Bounding box first (index-friendly), exact great-circle distance after.
    let dlat = radius / 111_000.0;
    let dlng = radius / (111_000.0 * lat.to_radians().cos().abs().max(0.01));
    let serving = Query::select()
        .column(volunteer_area::Column::VolunteerId)
        .from(volunteer_area::Entity)
        .and_where(volunteer_area::Column::StreetCode.eq(&request.street_code))
        .to_owned();
    let blocked = Query::select()
        .column(guidance_block::Column::VolunteerId)
        .from(guidance_block::Entity)
        .and_where(guidance_block::Column::PersonId.eq(request.person_id))
        .to_owned();
    let offered = Query::select()
        .column(guidance_offer::Column::VolunteerId)
        .from(guidance_offer::Entity)
        .and_where(guidance_offer::Column::RequestId.eq(request.id))
        .to_owned();
    let candidates = volunteer::Entity::find()
        .filter(volunteer::Column::Status.eq(crate::volunteer::VolunteerStatus::Verified.as_str()))
        .filter(volunteer::Column::Available.eq(true))
        .filter(volunteer::Column::Latitude.between(lat - dlat, lat + dlat))
        .filter(volunteer::Column::Longitude.between(lng - dlng, lng + dlng))
        .filter(volunteer::Column::Id.in_subquery(serving))
        .filter(volunteer::Column::Id.not_in_subquery(blocked))
        .filter(volunteer::Column::Id.not_in_subquery(offered))
        .all(p.db.conn())
        .await?;
    let mut near: Vec<(Uuid, f64)> = candidates
        .into_iter()
        .filter_map(|v| Some((v.id, distance_m((lat, lng), (v.latitude?, v.longitude?)))))
        .filter(|(_, d)| *d <= radius)
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    near.truncate(p.dispatch.max_offers_per_round);
    if near.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let w = p.db.begin_write().await?;
    let current = guidance_request::Entity::find_by_id(request.id)
        .filter(live())
        .one(&w.txn)
        .await?;
    let Some(current) = current else {
        return Ok(Vec::new());
    };
    // In chunks: one statement holds at most 1,000 offers (5 variables each), well inside
    // SQLite's 32,766 variables (10,000 offers at once failed: found by the fan-out scenario).
    for chunk in near.chunks(1_000) {
        let offers = chunk.iter().map(|(v, d)| {
            guidance_offer::ActiveModel::from(guidance_offer::Model {
                request_id: request.id,
                volunteer_id: *v,
                distance_m: *d as i32,
                offered_at: now,
                withdrawn_at: None,
            })
        });
        let inserted = guidance_offer::Entity::insert_many(offers)
            .on_conflict(
                OnConflict::columns([
                    guidance_offer::Column::RequestId,
                    guidance_offer::Column::VolunteerId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .try_insert()
            .exec(&w.txn)
            .await;
        match inserted {
            Ok(
                TryInsertResult::Inserted(_) | TryInsertResult::Conflicted | TryInsertResult::Empty,
            )
            | Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let became_offered = current.status == GuidanceStatus::Open.as_str()
        && guidance_request::Entity::update_many()
            .col_expr(
                guidance_request::Column::Status,
                Expr::value(GuidanceStatus::Offered.as_str()),
            )
            .col_expr(guidance_request::Column::OfferedAt, Expr::value(Some(now)))
            .filter(guidance_request::Column::Id.eq(request.id))
            .filter(guidance_request::Column::Status.eq(GuidanceStatus::Open.as_str()))
            .exec(&w.txn)
            .await?
            .rows_affected
            == 1;
    w.commit().await?;
    let ids: Vec<Uuid> = near.iter().map(|(v, _)| *v).collect();
    let offered = if became_offered {
        guidance_request::Model {
            status: GuidanceStatus::Offered.as_str().to_owned(),
            offered_at: Some(now),
            ..current
        }
    } else {
        current
    };
    p.bus.publish(DomainEvent::GuidanceOffered {
        request_id: request.id,
        offers: crate::events::Offers::new(
            near.iter()
                .map(|(v, d)| crate::events::Offer {
                    volunteer_id: *v,
                    distance_m: *d as i32,
                })
                .collect(),
        ),
        request: Box::new(offered.clone()),
    });
    if became_offered {
        status_event(p, &offered);
    }
    Ok(ids)
}

/// Withdraw every live offer of a request except `keep`'s; returns whose offers ended.
pub(crate) async fn withdraw_offers<C: sea_orm::ConnectionTrait>(
    conn: &C,
    request_id: Uuid,
    keep: Option<Uuid>,
    now: DateTime<Utc>,
) -> DomainResult<Vec<Uuid>> {
    let mut q = guidance_offer::Entity::find()
        .filter(guidance_offer::Column::RequestId.eq(request_id))
        .filter(guidance_offer::Column::WithdrawnAt.is_null());
    if let Some(k) = keep {
        q = q.filter(guidance_offer::Column::VolunteerId.ne(k));
    }
    let losers: Vec<Uuid> = q
        .all(conn)
        .await?
        .into_iter()
        .map(|o| o.volunteer_id)
        .collect();
    if !losers.is_empty() {
        guidance_offer::Entity::update_many()
            .col_expr(guidance_offer::Column::WithdrawnAt, Expr::value(Some(now)))
            .filter(guidance_offer::Column::RequestId.eq(request_id))
            .filter(guidance_offer::Column::VolunteerId.is_in(losers.clone()))
            .filter(guidance_offer::Column::WithdrawnAt.is_null())
            .exec(conn)
            .await?;
    }
    Ok(losers)
}

/// One pass of the dispatcher at `now`: expire, escalate, widen.
pub async fn tick(p: &Platform, now: DateTime<Utc>) -> DomainResult<TickReport> {
    let mut report = TickReport::default();
    let due = |col: guidance_request::Column| {
        guidance_request::Entity::find()
            .filter(live())
            .filter(col.lte(now))
            .all(p.db.conn())
    };

    for r in due(guidance_request::Column::ExpiresAt).await? {
        let w = p.db.begin_write().await?;
        let won = guidance_request::Entity::update_many()
            .col_expr(
                guidance_request::Column::Status,
                Expr::value(GuidanceStatus::Expired.as_str()),
            )
            .col_expr(guidance_request::Column::ExpiredAt, Expr::value(Some(now)))
            .filter(guidance_request::Column::Id.eq(r.id))
            .filter(live())
            .exec(&w.txn)
            .await?
            .rows_affected
            == 1;
        let withdrawn = if won {
            withdraw_offers(&w.txn, r.id, None, now).await?
        } else {
            Vec::new()
        };
        w.commit().await?;
        if won {
            report.expired += 1;
            if !withdrawn.is_empty() {
                p.bus.publish(DomainEvent::GuidanceWithdrawn {
                    request_id: r.id,
                    volunteer_ids: crate::events::VolunteerIds::new(withdrawn),
                });
            }
            status_event(
                p,
                &guidance_request::Model {
                    status: GuidanceStatus::Expired.as_str().to_owned(),
                    expired_at: Some(now),
                    ..r
                },
            );
        }
    }

    for r in due(guidance_request::Column::EscalateAt)
        .await?
        .into_iter()
        .filter(|r| r.escalated_at.is_none())
    {
        if escalate(p, &r, now).await? {
            report.escalated += 1;
        }
    }

    for r in due(guidance_request::Column::NextWidenAt).await? {
        let next = p
            .dispatch
            .radii_m
            .iter()
            .copied()
            .find(|x| *x > r.radius_m)
            .unwrap_or(r.radius_m);
        let w = p.db.begin_write().await?;
        let won = guidance_request::Entity::update_many()
            .col_expr(guidance_request::Column::RadiusM, Expr::value(next))
            .col_expr(
                guidance_request::Column::NextWidenAt,
                Expr::value(now + p.dispatch.widen_every),
            )
            .filter(guidance_request::Column::Id.eq(r.id))
            .filter(guidance_request::Column::RadiusM.eq(r.radius_m))
            .filter(guidance_request::Column::NextWidenAt.eq(r.next_widen_at))
            .filter(live())
            .exec(&w.txn)
            .await?
            .rows_affected
            == 1;
        w.commit().await?;
        if won {
            if next > r.radius_m {
                report.widened += 1;
            }
            // Also re-offers at the same radius: volunteers who came on duty meanwhile.
            offer_round(
                p,
                &guidance_request::Model {
                    radius_m: next,
                    ..r
                },
            )
            .await?;
        }
    }
    Ok(report)
}

/// Escalate one request to its street-town: mark it, queue an SMS to each street admin with a
/// phone, audit, then publish. Returns whether this node did it.
async fn escalate(
    p: &Platform,
    r: &guidance_request::Model,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let w = p.db.begin_write().await?;
    let won = guidance_request::Entity::update_many()
        .col_expr(
            guidance_request::Column::EscalatedAt,
            Expr::value(Some(now)),
        )
        .filter(guidance_request::Column::Id.eq(r.id))
        .filter(guidance_request::Column::EscalatedAt.is_null())
        .filter(live())
        .exec(&w.txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        return Ok(false);
    }
    let admins = account::Entity::find()
        .filter(account::Column::Role.eq(crate::viewer::Role::StreetAdmin.as_str()))
        .filter(account::Column::RegionCode.eq(&r.street_code))
        .filter(account::Column::Active.eq(true))
        .all(&w.txn)
        .await?;
    let street = p.regions.name_of(&r.street_code);
    let minutes = (now - r.created_at).num_minutes().max(0).to_string();
    let request_no = request_no(r.id);
    let mut queued = 0;
    for a in admins {
        let Some(enc) = &a.phone_enc else { continue };
        let plain = p.cipher.decrypt(
            crate::crypto::FieldAad {
                table: "accounts",
                column: "phone",
                row: &a.id,
            },
            enc,
        )?;
        let phone = Phone::parse("phone", &plain)?;
        let params = sms::params([
            ("request_no", request_no.as_str()),
            ("street", street.as_str()),
            ("minutes", minutes.as_str()),
        ]);
        if sms::enqueue(
            &w.txn,
            &p.cipher,
            &format!("guidance:{}:escalated:{}", r.id, a.id),
            &phone,
            SmsTemplate::GuidanceEscalated,
            params,
        )
        .await?
        {
            queued += 1;
        }
    }
    let actor = Actor::system("dispatcher");
    let entry = AuditEntry {
        operation: "guidance.escalate",
        object_type: "guidance_request",
        object_id: r.id.to_string(),
        result: "SUCCESS".to_owned(),
        detail: format!("sms={queued}"),
    };
    audit::append(&w.txn, p.audit_key(), &actor, entry).await?;
    w.commit().await?;
    p.bus.publish(DomainEvent::GuidanceEscalated {
        request_id: r.id,
        street_code: r.street_code.clone(),
    });
    Ok(true)
}

/// Short human-readable number of a request (its id's last 8 hex digits, upper case).
pub fn request_no(id: Uuid) -> String {
    let s = id.simple().to_string();
    format!("G{}", s[s.len() - 8..].to_uppercase())
}

/// Refuse configurations that cannot work.
impl DispatchConfig {
    /// Check the radii ascend and are positive.
    pub fn validate(&self) -> DomainResult<()> {
        if self.radii_m.is_empty()
            || self.radii_m.iter().any(|r| *r <= 0)
            || self.radii_m.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(DomainError::bad_input(
                "guidance_radii_m",
                "派单半径应为递增的正整数列表",
            ));
        }
        Ok(())
    }
}
