//! 云助残 blind guidance (R48, R49, R51): requests, their state machine, dispatch to the nearest
//! verified volunteers with a widening radius, an atomic first-claim-wins, pickup PIN, ratings
//! and blocks. Every change publishes an event after its transaction commits.

mod actions;
mod dispatch;
mod publish;
mod status;
mod views;

pub use actions::{block_volunteer, cancel, claim, complete, rate, start};
pub use dispatch::{DispatchConfig, TickReport, offer_round, request_no, tick};
pub use publish::{GuidanceDraft, publish};
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

/// Decrypted sensitive fields of a request.
#[derive(Debug, Clone)]
pub struct GuidanceSecrets {
    /// Pickup address.
    pub pickup_address: String,
    /// Destination.
    pub destination: String,
    /// Contact phone.
    pub contact_phone: String,
    /// Pickup PIN.
    pub pin: String,
}

/// Decrypt a request's sensitive fields.
pub fn secrets(p: &Platform, r: &guidance_request::Model) -> DomainResult<GuidanceSecrets> {
    Ok(GuidanceSecrets {
        pickup_address: p
            .cipher
            .decrypt(aad("pickup_address", &r.id), &r.pickup_address_enc)?,
        destination: p
            .cipher
            .decrypt(aad("destination", &r.id), &r.destination_enc)?,
        contact_phone: p
            .cipher
            .decrypt(aad("contact_phone", &r.id), &r.contact_phone_enc)?,
        pin: p.cipher.decrypt(aad("pin", &r.id), &r.pin_enc)?,
    })
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
