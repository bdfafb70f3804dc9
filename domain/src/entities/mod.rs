//! sea-orm entities: the storage shape only. GraphQL never sees these; domain models and
//! resolvers' newtypes sit on top.

pub mod account;
pub mod audit_head;
pub mod audit_record;
pub mod guidance_block;
pub mod guidance_offer;
pub mod guidance_rating;
pub mod guidance_request;
pub mod household;
pub mod person;
pub mod region;
pub mod revoked_session;
pub mod sms_outbox;
pub mod volunteer;
pub mod volunteer_area;
