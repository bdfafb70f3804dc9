//! Domain events and the bus they travel on. The trait lives here so that services can publish;
//! its implementations (in-process, Redis) live in the `subscriptions` crate.

use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Something that happened, published after its transaction committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum DomainEvent {
    /// A registry record was created, changed or deactivated. Carries only what subscribers need
    /// to authorise and refetch: never personal values.
    PersonChanged {
        /// Person id.
        person_id: Uuid,
        /// Street-town of residence (for scope checks).
        street_code: String,
        /// `CREATED`, `UPDATED` or `DEACTIVATED`.
        change: String,
    },
    /// A guidance request was offered to these volunteers. Carries the request as offered and
    /// each volunteer's distance, so that delivering it to a thousand subscribers costs no query.
    GuidanceOffered {
        /// Request id.
        request_id: Uuid,
        /// Volunteers newly offered it, with their distances to the pickup point.
        offers: Offers,
        /// The request at the time of the offer (sensitive columns still encrypted).
        request: Box<crate::entities::guidance_request::Model>,
    },
    /// Offers to these volunteers were withdrawn (claimed by another, cancelled, expired).
    GuidanceWithdrawn {
        /// Request id.
        request_id: Uuid,
        /// Volunteers whose offer ended.
        volunteer_ids: VolunteerIds,
    },
    /// A guidance request changed state.
    GuidanceStatusChanged {
        /// Request id.
        request_id: Uuid,
        /// The person accompanied.
        person_id: Uuid,
        /// Their street-town (scope checks).
        street_code: String,
        /// New state code.
        status: String,
    },
    /// One token was signed out.
    SessionRevoked {
        /// The token's `jti`.
        jti: Uuid,
        /// Its account.
        account_id: Uuid,
        /// When it would have expired.
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    /// Every token of an account issued at or before `valid_after` was revoked.
    AccountSessionsRevoked {
        /// The account.
        account_id: Uuid,
        /// Tokens issued at or before this instant are void.
        valid_after: chrono::DateTime<chrono::Utc>,
    },
    /// A volunteer was verified or suspended (their live streams re-check their standing).
    VolunteerChanged {
        /// Volunteer id.
        volunteer_id: Uuid,
    },
    /// A 政策找人 warning was raised (to the street-town) or escalated (to the district).
    OutreachWarning {
        /// Street-town of the task.
        street_code: String,
        /// District of the task.
        district_code: String,
        /// `STREET` or `DISTRICT`.
        level: String,
    },
    /// A catalog entry was created or changed: every node re-indexes it.
    CatalogChanged {
        /// `POLICY`, `SERVICE_ITEM` or `INSTITUTION`.
        kind: String,
        /// Entry id.
        id: Uuid,
    },
    /// This node's bus subscription was re-established after an outage (Redis restarted): events
    /// published meanwhile were missed, so what must never be missed (revocations) is re-read
    /// from the database. Delivered to this node's subscribers only, never published.
    BusReconnected,
    /// Someone checked in at an activity (the organiser's screen shows the count).
    ActivityCheckedIn {
        /// Activity.
        activity_id: Uuid,
        /// Who checked in.
        person_id: Uuid,
        /// Checked in so far.
        checked_in: i32,
        /// Confirmed places.
        confirmed: i32,
    },
    /// A custody alert was raised (to its supervisor and street-town) or escalated (to the
    /// district). Carries only what subscribers need to authorise and refetch.
    CustodyAlertRaised {
        /// Alert.
        alert_id: Uuid,
        /// The ward's street-town.
        street_code: String,
        /// The custodianship's supervisor.
        supervisor_account_id: Uuid,
        /// `STREET` or `DISTRICT`.
        level: String,
    },
    /// Nobody claimed a request in time: the street-town must act.
    GuidanceEscalated {
        /// Request id.
        request_id: Uuid,
        /// The person's street-town.
        street_code: String,
    },
}

/// One volunteer offered a request, and how far they are from the pickup point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// Distance to the pickup point, metres.
    pub distance_m: i32,
}

/// The offers of one event, sorted by volunteer so that each of thousands of subscribers finds
/// its own by binary search: a linear scan per subscriber made a fan-out to 10,000 volunteers
/// quadratic. Sorted when built and when read from another node.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Offers(Vec<Offer>);

impl Offers {
    /// The offers, in any order.
    pub fn new(mut offers: Vec<Offer>) -> Self {
        offers.sort_unstable_by_key(|o| o.volunteer_id);
        Self(offers)
    }

    /// The offer to `volunteer`, if any.
    pub fn get(&self, volunteer: Uuid) -> Option<&Offer> {
        self.0
            .binary_search_by_key(&volunteer, |o| o.volunteer_id)
            .ok()
            .map(|i| &self.0[i])
    }

    /// Number of volunteers offered.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nobody was offered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for Offers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::deserialize(d).map(Self::new)
    }
}

/// Volunteers named by an event, sorted (binary search per subscriber, as for `Offers`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct VolunteerIds(Vec<Uuid>);

impl VolunteerIds {
    /// The volunteers, in any order.
    pub fn new(mut ids: Vec<Uuid>) -> Self {
        ids.sort_unstable();
        Self(ids)
    }

    /// Whether `volunteer` is one of them.
    pub fn contains(&self, volunteer: &Uuid) -> bool {
        self.0.binary_search(volunteer).is_ok()
    }

    /// Number of volunteers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for VolunteerIds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::deserialize(d).map(Self::new)
    }
}

/// An event as subscribers receive it: shared, not copied for each of them (one offer to
/// 10,000 volunteers carries 10,000 offers).
pub type SharedEvent = std::sync::Arc<DomainEvent>;

/// Publish/subscribe of domain events across every node.
pub trait EventBus: Send + Sync {
    /// Publish an event to every subscriber on every node. Never fails the caller: a bus outage
    /// is logged, and clients catch up by querying current state.
    fn publish(&self, event: DomainEvent);
    /// A stream of every event published from now on.
    fn subscribe(&self) -> BoxStream<'static, SharedEvent>;
    /// Streams subscribed on this node now (the node's own listener and every live GraphQL
    /// subscription): for monitoring, and for tests to know a subscription is in place.
    fn subscribers(&self) -> usize;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_and_ids_are_found_whatever_order_they_came_in_even_from_another_node() {
        let ids: Vec<Uuid> = (0..50u8)
            .map(|i| Uuid::from_bytes([i.wrapping_mul(37); 16]))
            .collect();
        let offers = Offers::new(
            ids.iter()
                .enumerate()
                .map(|(i, id)| Offer {
                    volunteer_id: *id,
                    distance_m: i as i32,
                })
                .collect(),
        );
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(offers.get(*id).map(|o| o.distance_m), Some(i as i32));
        }
        assert_eq!(offers.get(Uuid::from_bytes([255; 16])), None);
        // Read back in another order (a node that did not sort): still found.
        let mut reversed = serde_json::to_value(&offers).unwrap();
        reversed.as_array_mut().unwrap().reverse();
        let again: Offers = serde_json::from_value(reversed).unwrap();
        assert_eq!(again, offers);
        let set = VolunteerIds::new(ids.iter().rev().copied().collect());
        assert!(ids.iter().all(|id| set.contains(id)));
        assert!(!set.contains(&Uuid::from_bytes([255; 16])));
    }
}
