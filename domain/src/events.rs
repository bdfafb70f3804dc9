//! Domain events and the bus they travel on. The trait lives here so that services can publish;
//! its implementations (in-process, Redis) live in the `subscriptions` crate.

use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Something that happened, published after its transaction committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// Publish/subscribe of domain events across every node.
pub trait EventBus: Send + Sync {
    /// Publish an event to every subscriber on every node. Never fails the caller: a bus outage
    /// is logged, and clients catch up by querying current state.
    fn publish(&self, event: DomainEvent);
    /// A stream of every event published from now on.
    fn subscribe(&self) -> BoxStream<'static, DomainEvent>;
}
