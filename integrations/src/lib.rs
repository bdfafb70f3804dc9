//! zhucan-integrations: the infrastructure adapters of the domain's ports — clients of services
//! outside the platform and the workers that drive them (the SMS gateway, R52: [`HttpSmsGateway`]
//! and [`SmsWorker`]), the rate limiters ([`InProcessLimiter`], [`RedisLimiter`]) and the stores
//! of persisted queries ([`InProcessQueryStore`], [`RedisQueryStore`]).

pub mod query_store;
pub mod rate_limits;
pub mod sms_http;
pub mod sms_worker;

pub use query_store::{InProcessQueryStore, RedisQueryStore};
pub use rate_limits::{InProcessLimiter, RedisLimiter};
pub use sms_http::{HttpSmsGateway, SmsGatewayConfigError};
pub use sms_worker::{SmsWorker, SmsWorkerOptions};
