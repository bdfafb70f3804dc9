//! zhucan-resolvers: GraphQL object types (newtypes over domain types), the Query and Mutation
//! roots of each domain, DataLoaders, and the field policy applied at the edge of the schema.

pub mod audit;
pub mod catalog;
pub mod context;
pub mod eligibility;
pub mod error;
pub mod guidance;
pub mod home;
pub mod identity;
pub mod outreach;
pub mod person;
pub mod region;
pub mod scalars;

pub use context::{RequestData, attach_request_data};

/// Largest page any connection returns.
pub const MAX_PAGE_SIZE: usize = 500;
/// Page size when `first` is absent.
pub const DEFAULT_PAGE_SIZE: usize = 20;
