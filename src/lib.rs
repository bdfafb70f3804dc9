//! zhucan: the composition root of 助残云 — configuration, command line, start-up, the HTTP and
//! WebSocket edge, and authentication. The only crate that knows every other crate.

// The merged schema's resolvers are deep enough that the release build needs more than the
// default query depth (128) to lay them out (as in `zhucan-schema`).
#![recursion_limit = "256"]

pub mod cli;
pub mod config;
pub mod http;
pub mod startup;
pub mod telemetry;

pub use config::Settings;
pub use startup::Application;
