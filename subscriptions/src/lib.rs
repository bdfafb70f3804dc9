//! zhucan-subscriptions: implementations of the domain's `EventBus` and the Subscription roots.
//! Every event is re-authorised for its subscriber before it is sent, and every stream ends when
//! the subscriber's token expires.

mod guidance;
mod in_process;
mod person;
mod redis_bus;

pub use guidance::GuidanceSubscription;
pub use in_process::InProcessBus;
pub use person::PersonSubscription;
pub use redis_bus::RedisBus;

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};

/// End `stream` when the token behind it expires.
pub fn until_expiry<S: Stream + Send + 'static>(
    stream: S,
    expires_at: Option<DateTime<Utc>>,
) -> impl Stream<Item = S::Item> + Send {
    let remaining = expires_at.map_or(std::time::Duration::ZERO, |e| {
        (e - Utc::now()).to_std().unwrap_or_default()
    });
    stream.take_until(tokio::time::sleep(remaining))
}
