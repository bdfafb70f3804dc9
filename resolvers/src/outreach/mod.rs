//! 政策找人 (R19–R27): pushes, follow-up tasks, review, telephone re-checks, warnings,
//! statistics and the monthly report, all through the outreach service.

mod mutation;
mod query;
mod types;

pub use mutation::{FollowUpInput, OutreachMutation, OutreachPushInput};
pub use query::OutreachQuery;
pub use types::*;
