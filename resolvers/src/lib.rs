//! zhucan-resolvers: GraphQL object types (newtypes over the domain's read models), the Query and
//! Mutation roots of each domain, and the DataLoaders. Resolvers are thin: each builds the domain
//! service of its area from the request's caller and maps what it answers; access is decided by
//! the service, never here.

pub mod activity;
pub mod analysis;
pub mod audit;
pub mod care;
pub mod catalog;
pub mod citizen_accounts;
pub mod cockpit;
pub mod context;
pub mod custody;
pub mod custody_alerts;
pub mod eligibility;
pub mod employment;
pub mod error;
pub mod guidance;
pub mod home;
pub mod identity;
pub mod loaders;
pub mod node;
pub mod outreach;
pub mod person;
pub mod records;
pub mod region;
pub mod scalars;
pub mod subsidy;
pub mod support;
pub mod survey;

pub use context::{RequestData, attach_request_data};
