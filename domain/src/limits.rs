//! Rate limiting per principal, per client and per IP. The trait lives here; the in-process
//! (governor) and Redis (shared by every node) implementations live in the `subscriptions`
//! crate, next to the event buses.

use std::time::Duration;

/// A limiter of requests per key per minute.
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    /// Count one request for `key` (at most `per_minute` a minute). `Err` carries how long to
    /// wait. A limiter whose store is down lets requests through (and logs): rate limiting must
    /// not become an outage.
    async fn check(&self, key: &str, per_minute: u32) -> Result<(), Duration>;
}
