//! zhucan: the composition root of 助残云 — configuration, command line, start-up, the HTTP and
//! WebSocket edge, and authentication. The only crate that knows every other crate.

pub mod cli;
pub mod config;
pub mod http;
pub mod startup;
pub mod telemetry;

pub use config::Settings;
pub use startup::Application;
