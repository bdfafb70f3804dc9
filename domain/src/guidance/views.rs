//! Who may see a request, and the read views: a volunteer's live offers, a person's requests,
//! and the admin view of guidance users (R51).

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::WHAT;
use crate::Platform;
use crate::entities::{guidance_block, guidance_offer, guidance_request, person};
use crate::error::{DomainError, DomainResult};
use crate::viewer::{PersonScope, Role, ScopeKind, Viewer};
use crate::volunteer::VolunteerRepo;

/// How a viewer relates to a request (decides which fields they see).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GuidanceAccess {
    /// The person or their family: everything, including the PIN.
    Requester,
    /// The volunteer who claimed it: contact and addresses in full.
    ClaimedVolunteer,
    /// A volunteer it is offered to: masked contact, no addresses.
    OfferedVolunteer {
        /// Distance when offered, metres.
        distance_m: i32,
    },
    /// A region admin whose scope holds the person: masked contact.
    Admin,
}

/// The viewer's access to a request, or `NOT_FOUND` when they have none.
pub async fn access_of(
    p: &Platform,
    viewer: &Viewer,
    r: &guidance_request::Model,
) -> DomainResult<GuidanceAccess> {
    match viewer.role {
        Role::Citizen if viewer.person_id == Some(r.person_id) => {
            return Ok(GuidanceAccess::Requester);
        }
        Role::Volunteer => {
            if let Some(v) = VolunteerRepo::new(&p.db)
                .by_account(viewer.account_id)
                .await?
            {
                if r.volunteer_id == Some(v.id) {
                    return Ok(GuidanceAccess::ClaimedVolunteer);
                }
                let offer = guidance_offer::Entity::find_by_id((r.id, v.id))
                    .one(p.db.conn())
                    .await?;
                if let Some(o) = offer.filter(|o| o.withdrawn_at.is_none()) {
                    return Ok(GuidanceAccess::OfferedVolunteer {
                        distance_m: o.distance_m,
                    });
                }
            }
        }
        role if role.is_region_admin()
            && PersonScope::of(viewer).admits(r.person_id, &r.street_code) =>
        {
            return Ok(GuidanceAccess::Admin);
        }
        _ => {}
    }
    Err(DomainError::NotFound { what: WHAT })
}

/// A volunteer's live offers (what a reconnecting app queries to catch up), nearest first.
pub async fn live_offers_of(
    p: &Platform,
    volunteer_id: Uuid,
) -> DomainResult<Vec<(guidance_request::Model, guidance_offer::Model)>> {
    let offers = guidance_offer::Entity::find()
        .filter(guidance_offer::Column::VolunteerId.eq(volunteer_id))
        .filter(guidance_offer::Column::WithdrawnAt.is_null())
        .order_by_asc(guidance_offer::Column::DistanceM)
        .all(p.db.conn())
        .await?;
    let ids: Vec<Uuid> = offers.iter().map(|o| o.request_id).collect();
    let mut requests: HashMap<Uuid, guidance_request::Model> = guidance_request::Entity::find()
        .filter(guidance_request::Column::Id.is_in(ids))
        .filter(guidance_request::Column::Status.is_in(["OPEN", "OFFERED"]))
        .all(p.db.conn())
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Ok(offers
        .into_iter()
        .filter_map(|o| requests.remove(&o.request_id).map(|r| (r, o)))
        .collect())
}

/// A page of a person's requests, in the order they were published.
pub async fn requests_of_person(
    p: &Platform,
    person_id: Uuid,
    page: &crate::page::PageRequest,
) -> DomainResult<crate::page::Page<guidance_request::Model>> {
    let q =
        guidance_request::Entity::find().filter(guidance_request::Column::PersonId.eq(person_id));
    let rows = page
        .apply(q, guidance_request::Column::Id)
        .all(p.db.conn())
        .await?;
    Ok(page.finish(rows))
}

/// One guidance user in an admin's view (R51).
#[derive(Debug, Clone, PartialEq)]
pub struct GuidanceUserStats {
    /// Person id.
    pub person_id: Uuid,
    /// Name.
    pub name: String,
    /// Street-town.
    pub street_code: String,
    /// Requests published.
    pub requests: u32,
    /// Completed.
    pub completed: u32,
    /// Cancelled.
    pub cancelled: u32,
    /// Expired unclaimed.
    pub expired: u32,
    /// Volunteers they blocked.
    pub blocks: u32,
}

/// Guidance users in the admin's scope, most requests first (at most `limit`).
pub async fn guidance_user_stats(
    p: &Platform,
    scope: &PersonScope,
    limit: usize,
) -> DomainResult<Vec<GuidanceUserStats>> {
    let mut q = guidance_request::Entity::find();
    q = match scope.kind() {
        ScopeKind::City => q,
        ScopeKind::District(d) => {
            q.filter(guidance_request::Column::StreetCode.starts_with(d.as_str()))
        }
        ScopeKind::Street(s) => q.filter(guidance_request::Column::StreetCode.eq(s.as_str())),
        ScopeKind::Person(_) | ScopeKind::Nothing => {
            return Err(DomainError::Forbidden("仅管理员可查看"));
        }
    };
    let rows = q.all(p.db.conn()).await?;
    let mut by_person: HashMap<Uuid, GuidanceUserStats> = HashMap::new();
    for r in &rows {
        let s = by_person
            .entry(r.person_id)
            .or_insert_with(|| GuidanceUserStats {
                person_id: r.person_id,
                name: String::new(),
                street_code: r.street_code.clone(),
                requests: 0,
                completed: 0,
                cancelled: 0,
                expired: 0,
                blocks: 0,
            });
        s.requests += 1;
        match r.status.as_str() {
            "COMPLETED" => s.completed += 1,
            "CANCELLED" => s.cancelled += 1,
            "EXPIRED" => s.expired += 1,
            _ => {}
        }
    }
    let ids: Vec<Uuid> = by_person.keys().copied().collect();
    for b in guidance_block::Entity::find()
        .filter(guidance_block::Column::PersonId.is_in(ids.clone()))
        .all(p.db.conn())
        .await?
    {
        if let Some(s) = by_person.get_mut(&b.person_id) {
            s.blocks += 1;
        }
    }
    for pr in person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(p.db.conn())
        .await?
    {
        if let Some(s) = by_person.get_mut(&pr.id) {
            s.name = pr.name;
        }
    }
    let mut out: Vec<GuidanceUserStats> = by_person.into_values().collect();
    out.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then(a.person_id.cmp(&b.person_id))
    });
    out.truncate(limit);
    Ok(out)
}
