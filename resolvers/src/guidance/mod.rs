//! 云助残 in GraphQL: volunteers (R47, R50), blind-guidance requests (R48, R49), guidance users (R51).

mod mutation;
mod query;
pub mod types;

pub use mutation::GuidanceMutation;
pub use query::GuidanceQuery;
