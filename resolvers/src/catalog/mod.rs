//! 阳光申办 catalog (R1, R2): policies, service items and institutions — public reads, fuzzy
//! search, and admin edits, all through the catalog service.

mod mutation;
mod query;
mod types;

pub use mutation::{CatalogMutation, InstitutionInput, PolicyInput, ServiceItemInput};
pub use query::{CatalogQuery, ServiceItemFilter};
pub use types::*;
