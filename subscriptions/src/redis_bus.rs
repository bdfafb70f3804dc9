//! The scale-out bus: Redis pub/sub, so that an event published on any node reaches subscribers
//! on every node. Publishing goes through one ordered queue to a connection manager (which
//! reconnects by itself); receiving runs on one pub/sub connection per node that re-subscribes
//! with backoff after Redis goes away, fanning out to local subscribers through a broadcast
//! channel. Events published while Redis is away are logged and dropped: clients catch up by
//! querying current state.

use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use redis::AsyncCommands;
use tokio::sync::{broadcast, mpsc};
use zhucan_domain::events::{DomainEvent, EventBus, SharedEvent};

use crate::InProcessBus;

/// Redis-backed bus.
pub struct RedisBus {
    outgoing: mpsc::UnboundedSender<DomainEvent>,
    local: InProcessBus,
}

impl RedisBus {
    /// Connect to `url` and use `channel` (one per deployment; tests use their own).
    pub async fn connect(url: &str, channel: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let publisher = client.get_connection_manager().await?;
        let local = InProcessBus::new(1024);
        let (outgoing, rx) = mpsc::unbounded_channel();
        tokio::spawn(publish_loop(publisher, channel.to_owned(), rx));
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(receive_loop(
            client,
            channel.to_owned(),
            local.sender(),
            Some(ready_tx),
        ));
        // Wait until the first subscription is in place, so that nothing published after
        // `connect` returns can be missed by this node.
        let _ = tokio::time::timeout(Duration::from_secs(5), ready_rx).await;
        Ok(Self { outgoing, local })
    }
}

async fn publish_loop(
    mut conn: redis::aio::ConnectionManager,
    channel: String,
    mut rx: mpsc::UnboundedReceiver<DomainEvent>,
) {
    while let Some(event) = rx.recv().await {
        let payload = match serde_json::to_string(&event) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "event not serialisable");
                continue;
            }
        };
        if let Err(e) = conn.publish::<_, _, i64>(&channel, payload).await {
            tracing::warn!(error = %e, "event not published: Redis unavailable");
        }
    }
}

async fn receive_loop(
    client: redis::Client,
    channel: String,
    local: broadcast::Sender<SharedEvent>,
    mut ready: Option<tokio::sync::oneshot::Sender<()>>,
) {
    let mut backoff = Duration::from_millis(100);
    let mut subscribed_before = false;
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    backoff = Duration::from_millis(100);
                    if let Some(r) = ready.take() {
                        let _ = r.send(());
                    }
                    if subscribed_before {
                        // Whatever was published while away is lost: say so, locally.
                        tracing::info!("Redis subscription re-established");
                        let _ = local.send(SharedEvent::new(DomainEvent::BusReconnected));
                    }
                    subscribed_before = true;
                    let mut messages = pubsub.on_message();
                    while let Some(msg) = messages.next().await {
                        match msg
                            .get_payload::<String>()
                            .map(|p| serde_json::from_str::<DomainEvent>(&p))
                        {
                            Ok(Ok(event)) => {
                                let _ = local.send(SharedEvent::new(event));
                            }
                            _ => tracing::warn!("malformed event on the bus ignored"),
                        }
                    }
                    tracing::warn!("Redis subscription lost; reconnecting");
                }
                Err(e) => tracing::warn!(error = %e, "Redis subscribe failed"),
            },
            Err(e) => tracing::warn!(error = %e, "Redis unavailable"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

impl EventBus for RedisBus {
    fn publish(&self, event: DomainEvent) {
        if self.outgoing.send(event).is_err() {
            tracing::error!("event publisher stopped");
        }
    }

    fn subscribe(&self) -> BoxStream<'static, SharedEvent> {
        self.local.subscribe()
    }

    fn subscribers(&self) -> usize {
        self.local.subscribers()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_event_published_on_node_a_reaches_a_subscriber_on_node_b() {
        let Ok(url) = std::env::var("ZHUCAN_TEST_REDIS_URL") else {
            eprintln!("ZHUCAN_TEST_REDIS_URL not set: Redis bus test not run");
            return;
        };
        let channel = format!("zhucan-test-{}", uuid::Uuid::now_v7());
        let a = RedisBus::connect(&url, &channel).await.unwrap();
        let b = RedisBus::connect(&url, &channel).await.unwrap();
        let mut on_b = b.subscribe();
        let event = DomainEvent::PersonChanged {
            person_id: uuid::Uuid::now_v7(),
            street_code: "310115005".into(),
            change: "CREATED".into(),
        };
        a.publish(event.clone());
        let got = tokio::time::timeout(Duration::from_secs(5), on_b.next())
            .await
            .unwrap();
        assert_eq!(got.as_deref(), Some(&event));
    }
}

#[cfg(test)]
mod fault_tests {
    use std::process::{Child, Command, Stdio};

    use super::*;

    fn start_redis(port: u16) -> Option<Child> {
        Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()
    }

    async fn wait_for_port(port: u16) {
        for _ in 0..50 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    #[tokio::test]
    async fn subscriptions_resume_after_redis_goes_away_and_comes_back() {
        if std::env::var("ZHUCAN_TEST_REDIS_URL").is_err() {
            eprintln!("ZHUCAN_TEST_REDIS_URL not set: Redis fault test not run");
            return;
        }
        // A Redis of this test's own, on a free port, so that stopping it disturbs nobody else.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let Some(mut redis) = start_redis(port) else {
            eprintln!("redis-server not on PATH: Redis fault test not run");
            return;
        };
        wait_for_port(port).await;
        let url = format!("redis://127.0.0.1:{port}");
        let a = RedisBus::connect(&url, "fault").await.unwrap();
        let b = RedisBus::connect(&url, "fault").await.unwrap();
        let mut on_b = b.subscribe();
        let event = |n: u8| DomainEvent::PersonChanged {
            person_id: uuid::Uuid::from_bytes([n; 16]),
            street_code: "310115005".into(),
            change: "UPDATED".into(),
        };
        a.publish(event(1));
        assert_eq!(
            tokio::time::timeout(Duration::from_secs(5), on_b.next())
                .await
                .unwrap()
                .as_deref(),
            Some(&event(1))
        );

        redis.kill().unwrap();
        redis.wait().unwrap();
        a.publish(event(2)); // lost while Redis is away: logged, never blocks the publisher
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut redis = start_redis(port).unwrap();
        wait_for_port(port).await;

        // The subscriber's stream is still open and resumes once both sides reconnect; the
        // reconnection itself is announced first (node B re-reads what it may have missed).
        let mut reconnected = false;
        let resumed = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                a.publish(event(3));
                if let Ok(Some(e)) =
                    tokio::time::timeout(Duration::from_millis(300), on_b.next()).await
                {
                    reconnected |= *e == DomainEvent::BusReconnected;
                    if *e == event(3) {
                        return true;
                    }
                }
            }
        })
        .await;
        redis.kill().ok();
        redis.wait().ok();
        assert_eq!(resumed, Ok(true), "events flow again after Redis came back");
        assert!(
            reconnected,
            "the reconnection was announced before events resumed"
        );
    }
}
