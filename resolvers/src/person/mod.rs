//! The person registry (R18) and one-person-one-file (R54) in GraphQL.

pub mod inputs;
mod mutation;
mod query;
pub mod types;

pub use mutation::PersonMutation;
pub use query::PersonQuery;
pub use types::Person;
