//! sea-orm entities: the storage shape only. GraphQL never sees these; domain models and
//! resolvers' newtypes sit on top.

pub mod account;
pub mod activity;
pub mod activity_registration;
pub mod api_client;
pub mod api_client_document;
pub mod audit_head;
pub mod audit_record;
pub mod catalog_revision;
pub mod eligibility_rule;
pub mod grant_job;
pub mod guidance_block;
pub mod guidance_offer;
pub mod guidance_rating;
pub mod guidance_request;
pub mod home_pin;
pub mod household;
pub mod inbox_message;
pub mod institution;
pub mod login_challenge;
pub mod outreach_attachment;
pub mod outreach_event;
pub mod outreach_push;
pub mod outreach_task;
pub mod outreach_warning;
pub mod person;
pub mod policy;
pub mod region;
pub mod revoked_session;
pub mod service_grant;
pub mod service_item;
pub mod service_record;
pub mod session_activity;
pub mod sms_outbox;
pub mod volunteer;
pub mod volunteer_area;
