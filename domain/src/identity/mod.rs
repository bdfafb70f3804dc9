//! Accounts, sign-in and access tokens.

mod accounts;
mod revocation;
mod tokens;

pub use accounts::{AccountRepo, LockoutPolicy, NewAccount, login};
pub use revocation::{Revocations, logout, revoke_account_sessions, revokes};
pub use tokens::{IssuedToken, Session, TokenService};
