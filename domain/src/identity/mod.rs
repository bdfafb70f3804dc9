//! Accounts, sign-in and access tokens.

mod accounts;
pub mod activation;
mod activity;
pub mod admin;
pub mod gmt0021;
pub mod otp_token;
pub(crate) mod revocation;
mod service;
pub mod staff;
mod tokens;
pub mod totp;
pub mod ukey;

pub use accounts::{
    AccountOrigin, AccountRepo, LockoutPolicy, NO_ROLE, NewAccount, login, self_registered,
};
pub use activity::Activity;
pub use revocation::{Revocations, logout, revoke_account_sessions};
pub use service::{AccountService, AccountSummary, Challenge, Credentials};
pub use staff::SignInPolicy;
pub use tokens::{IssuedToken, Session, SessionStage, TokenService};
