//! sea-orm entities: the storage shape only. GraphQL never sees these; domain models and
//! resolvers' newtypes sit on top.

pub mod account;
pub mod audit_head;
pub mod audit_record;
pub mod household;
pub mod person;
pub mod region;
