//! The embedded default's bus: a tokio broadcast channel inside one process.

use futures::stream::{self, BoxStream, StreamExt};
use tokio::sync::broadcast;
use zhucan_domain::events::{DomainEvent, EventBus, SharedEvent};

/// In-process publish/subscribe. A subscriber that falls more than `capacity` events behind
/// skips the missed ones (logged) rather than holding memory for it.
pub struct InProcessBus {
    tx: broadcast::Sender<SharedEvent>,
}

impl InProcessBus {
    /// A bus buffering up to `capacity` events per subscriber.
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(16));
        Self { tx }
    }
}

impl InProcessBus {
    /// The sending side, for bridges that feed events in from elsewhere (Redis).
    pub fn sender(&self) -> broadcast::Sender<SharedEvent> {
        self.tx.clone()
    }
}

impl EventBus for InProcessBus {
    fn publish(&self, event: DomainEvent) {
        // No subscriber is not an error.
        let _ = self.tx.send(SharedEvent::new(event));
    }

    fn subscribe(&self) -> BoxStream<'static, SharedEvent> {
        let rx = self.tx.subscribe();
        stream::unfold(rx, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(e) => return Some((e, rx)),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "slow subscriber skipped events");
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .boxed()
    }

    fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_subscriber_receives_what_is_published_after_it_subscribed() {
        let bus = InProcessBus::new(16);
        let mut a = bus.subscribe();
        let mut b = bus.subscribe();
        let e = DomainEvent::PersonChanged {
            person_id: uuid::Uuid::nil(),
            street_code: "310115005".into(),
            change: "CREATED".into(),
        };
        bus.publish(e.clone());
        assert_eq!(a.next().await.as_deref(), Some(&e));
        assert_eq!(b.next().await.as_deref(), Some(&e));
    }
}
