//! zhucan-subscriptions: implementations of the domain's `EventBus` and the Subscription roots.
//! Every event is re-authorised for its subscriber before it is sent, and every stream ends when
//! the subscriber's token expires.

mod activity;
mod cockpit;
mod custody;
mod guidance;
mod in_process;
mod outreach;
mod person;
mod redis_bus;

pub use activity::ActivitySubscription;
pub use cockpit::CockpitSubscription;
pub use custody::CustodySubscription;
pub use guidance::GuidanceSubscription;
pub use in_process::InProcessBus;
pub use outreach::OutreachSubscription;
pub use person::PersonSubscription;
pub use redis_bus::RedisBus;

use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use zhucan_domain::Platform;
use zhucan_resolvers::RequestData;

/// End `stream` when the token behind it expires: at the expiry instant, and also at the first
/// item that arrives after it (a stream opened with an already expired token yields nothing).
pub fn until_expiry<S>(
    stream: S,
    expires_at: Option<DateTime<Utc>>,
) -> impl Stream<Item = S::Item> + Send
where
    S: Stream + Send + 'static,
    S::Item: Send,
{
    let deadline = expires_at.unwrap_or_else(Utc::now);
    let remaining = (deadline - Utc::now()).to_std().unwrap_or_default();
    stream
        .take_until(tokio::time::sleep(remaining))
        .take_while(move |_| futures::future::ready(Utc::now() < deadline))
}

/// End `stream` when the subscriber's session ends: at token expiry, or as soon as the token is
/// revoked (logout, forced sign-out) on any node. A session already revoked gets nothing.
pub fn session_bound<S>(
    stream: S,
    platform: &Platform,
    request: &RequestData,
) -> BoxStream<'static, S::Item>
where
    S: Stream + Send + 'static,
    S::Item: Send,
{
    let expiring = until_expiry(stream, request.expires_at);
    let (Ok(viewer), Some(session)) = (request.caller.session_viewer(), request.session) else {
        return expiring.boxed();
    };
    let account = viewer.account_id;
    if platform.revocations.is_revoked(account, &session) {
        return futures::stream::empty().boxed();
    }
    // Ends at the revocation this node notes from the bus (its own or another node's).
    let revoked = platform.revocations.revoked(account, session);
    expiring.take_until(revoked).boxed()
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    #[tokio::test]
    async fn a_stream_ends_when_its_token_expires() {
        let endless = futures::stream::pending::<u8>();
        let expires = chrono::Utc::now() + chrono::Duration::milliseconds(200);
        let mut s = Box::pin(super::until_expiry(endless, Some(expires)));
        let ended = tokio::time::timeout(std::time::Duration::from_secs(5), s.next()).await;
        assert_eq!(ended, Ok(None), "the stream ended at the expiry");
        let mut expired = Box::pin(super::until_expiry(
            futures::stream::iter([1u8]),
            Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
        ));
        assert_eq!(expired.next().await, None, "an expired token gets nothing");
    }
}
