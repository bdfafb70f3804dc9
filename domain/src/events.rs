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
        /// Volunteers newly offered it.
        volunteer_ids: Vec<Uuid>,
        /// Their distances to the pickup point, metres (same order).
        distances_m: Vec<i32>,
        /// The request at the time of the offer (sensitive columns still encrypted).
        request: Box<crate::entities::guidance_request::Model>,
    },
    /// Offers to these volunteers were withdrawn (claimed by another, cancelled, expired).
    GuidanceWithdrawn {
        /// Request id.
        request_id: Uuid,
        /// Volunteers whose offer ended.
        volunteer_ids: Vec<Uuid>,
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
    /// Nobody claimed a request in time: the street-town must act.
    GuidanceEscalated {
        /// Request id.
        request_id: Uuid,
        /// The person's street-town.
        street_code: String,
    },
}

/// Publish/subscribe of domain events across every node.
pub trait EventBus: Send + Sync {
    /// Publish an event to every subscriber on every node. Never fails the caller: a bus outage
    /// is logged, and clients catch up by querying current state.
    fn publish(&self, event: DomainEvent);
    /// A stream of every event published from now on.
    fn subscribe(&self) -> BoxStream<'static, DomainEvent>;
}
