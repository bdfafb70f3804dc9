#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Release builds of the merged schema need more than the default query depth (see zhucan-schema).
#![recursion_limit = "256"]
//! Black-box tests of the running server over HTTP and WebSocket. Each test starts its own
//! server on port 0 with its own database: SQLite by default, PostgreSQL when
//! `ZHUCAN_TEST_DATABASE_URL` is set.

mod helpers;

mod activities;
mod activity_attendance;
mod activity_resources;
mod analysis;
mod audit;
mod auth;
mod bad_input;
mod bench_routes;
mod care;
mod citizen_accounts;
mod cli;
mod clients;
mod cockpit;
mod custody;
mod custody_alerts;
mod duties;
mod employment;
mod guidance;
mod hardening;
mod http;
mod outreach;
mod person_file;
mod pii_logs;
mod protection;
mod relay;
mod scope;
mod second_factor;
mod subscriptions;
mod subsidies;
mod sunshine;
mod surveys;
mod ws_sessions;
