//! Accounts, sign-in and access tokens.

mod accounts;
mod tokens;

pub use accounts::{AccountRepo, NewAccount, login};
pub use tokens::{IssuedToken, TokenService};
