//! Eligibility (R3, R5): rule versions, explained matching, dry runs, publication with 免申即享
//! grant jobs, and the registration of handlings (R4), all through the eligibility and record
//! services.

mod mutation;
mod query;
mod types;

pub use mutation::{ConditionInput, EligibilityMutation};
pub use query::EligibilityQuery;
pub use types::*;
