//! 云助残 blind guidance (R48, R49, R51): requests, their state machine, dispatch to the nearest
//! verified volunteers with a widening radius, an atomic first-claim-wins, pickup PIN, ratings
//! and blocks. Every change publishes an event after its transaction commits.

mod actions;
mod dispatch;
mod publish;
mod service;
mod status;
mod views;

pub use actions::{block_volunteer, cancel, claim, complete, rate, start};
pub use dispatch::{DispatchConfig, TickReport, offer_round, request_no, tick};
pub use publish::{GuidanceDraft, publish};
pub use service::{
    EscalationWatch, GuidanceHistory, GuidanceService, OfferSeen, OfferWatch, Place, RequestView,
    RequestWatch,
};
pub use status::GuidanceStatus;
pub use views::{
    GuidanceAccess, GuidanceUserStats, access_of, guidance_user_stats, live_offers_of,
    requests_of_person,
};

use uuid::Uuid;

use crate::Platform;
use crate::crypto::FieldAad;
use crate::entities::guidance_request;
use crate::error::DomainResult;
use crate::events::DomainEvent;

/// What a missing or invisible request is called in errors.
pub(crate) const WHAT: &str = "助盲出行需求";

/// Associated data of a request's encrypted columns.
pub(crate) fn aad<'a>(column: &'static str, row: &'a Uuid) -> FieldAad<'a> {
    FieldAad {
        table: "guidance_requests",
        column,
        row,
    }
}

/// A sensitive field of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuidanceSecret {
    /// Pickup address.
    PickupAddress,
    /// Destination.
    Destination,
    /// Contact phone.
    ContactPhone,
    /// Pickup PIN.
    Pin,
}

/// Decrypt one sensitive field of a request (only what a resolver was asked for).
pub fn secret(
    p: &Platform,
    r: &guidance_request::Model,
    field: GuidanceSecret,
) -> DomainResult<String> {
    let (column, stored) = match field {
        GuidanceSecret::PickupAddress => ("pickup_address", &r.pickup_address_enc),
        GuidanceSecret::Destination => ("destination", &r.destination_enc),
        GuidanceSecret::ContactPhone => ("contact_phone", &r.contact_phone_enc),
        GuidanceSecret::Pin => ("pin", &r.pin_enc),
    };
    p.cipher.decrypt(aad(column, &r.id), stored)
}

/// Publish the state of a request.
pub(crate) fn status_event(p: &Platform, r: &guidance_request::Model) {
    p.bus.publish(DomainEvent::GuidanceStatusChanged {
        request_id: r.id,
        person_id: r.person_id,
        street_code: r.street_code.clone(),
        status: r.status.clone(),
    });
}
