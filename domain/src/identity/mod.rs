//! Accounts, sign-in and access tokens.

mod accounts;
mod tokens;

pub use accounts::{AccountRepo, LockoutPolicy, NewAccount, login};
pub use tokens::{IssuedToken, TokenService};
