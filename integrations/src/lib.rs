//! zhucan-integrations: clients of services outside the platform and the background workers
//! that drive them. Today: the SMS gateway (R52) — [`HttpSmsGateway`] and [`SmsWorker`].

pub mod sms_http;
pub mod sms_worker;

pub use sms_http::{HttpSmsGateway, SmsGatewayConfigError};
pub use sms_worker::{SmsWorker, SmsWorkerOptions};
