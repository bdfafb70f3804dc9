//! One graphql-transport-ws subscriber per volunteer: `connection_init` with the access token,
//! `subscribe` to `guidanceOffers`, then timestamp every message as it is read.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::gql::{clip, describe_errors};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The subscription every volunteer runs.
pub const SUBSCRIPTION: &str = "subscription { guidanceOffers { change requestId } }";

/// What a subscriber saw.
#[derive(Debug)]
pub enum SubEvent {
    /// A `next` with data.
    Offer {
        vol: usize,
        withdrawn: bool,
        request_id: String,
        at: Instant,
    },
    /// A `next` with `errors`, an `error` message, or an unreadable message.
    Error { vol: usize, message: String },
    /// The server completed the subscription (the stream ended on its side).
    Complete { vol: usize },
    /// The connection closed or failed before we asked.
    Closed { vol: usize, reason: String },
}

/// Everything one subscriber task needs.
pub struct Subscriber {
    pub vol: usize,
    pub url: String,
    pub token: String,
    pub events: mpsc::UnboundedSender<SubEvent>,
    pub ready: mpsc::Sender<Result<(), String>>,
    pub shutdown: watch::Receiver<bool>,
}

impl Subscriber {
    /// Connect (holding a permit of `gate` while connecting), report readiness, then read until
    /// shut down.
    pub async fn run(mut self, gate: std::sync::Arc<Semaphore>) {
        let opened = {
            let _permit = gate.acquire().await;
            tokio::time::timeout(Duration::from_secs(60), self.open()).await
        };
        let mut ws = match opened {
            Ok(Ok(ws)) => ws,
            Ok(Err(e)) => {
                let _ = self.ready.send(Err(format!("{e:#}"))).await;
                return;
            }
            Err(_) => {
                let _ = self
                    .ready
                    .send(Err("connect + ack took over 60 s".to_owned()))
                    .await;
                return;
            }
        };
        let _ = self.ready.send(Ok(())).await;
        loop {
            tokio::select! {
                _ = self.shutdown.changed() => break,
                msg = ws.next() => {
                    let at = Instant::now();
                    match msg {
                        Some(Ok(Message::Text(t))) => {
                            if let Some(reply) = self.handle(t.as_str(), at)
                                && let Err(e) = ws.send(Message::text(reply)).await
                            {
                                self.closed(format!("sending pong: {e}"));
                                return;
                            }
                        }
                        Some(Ok(Message::Close(frame))) => {
                            self.closed(format!("server closed: {frame:?}"));
                            return;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            self.closed(format!("read error: {e}"));
                            return;
                        }
                        None => {
                            self.closed("stream ended".to_owned());
                            return;
                        }
                    }
                }
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
    }

    fn closed(&self, reason: String) {
        let _ = self.events.send(SubEvent::Closed {
            vol: self.vol,
            reason,
        });
    }

    /// Connect, `connection_init`, wait for the ack, `subscribe`.
    async fn open(&mut self) -> anyhow::Result<Ws> {
        let mut req = self.url.as_str().into_client_request()?;
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
        let (mut ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .context("WebSocket connect")?;
        ws.send(Message::text(
            json!({"type": "connection_init", "payload": {"accessToken": self.token}}).to_string(),
        ))
        .await?;
        loop {
            let msg = ws.next().await.context("closed before connection_ack")??;
            match msg {
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(t.as_str())?;
                    match v.get("type").and_then(Value::as_str) {
                        Some("connection_ack") => break,
                        Some("ping") => ws.send(Message::text(r#"{"type":"pong"}"#)).await?,
                        _ => bail!("expected connection_ack, got {}", clip(t.as_str())),
                    }
                }
                Message::Close(frame) => bail!("closed instead of connection_ack: {frame:?}"),
                _ => {}
            }
        }
        ws.send(Message::text(
            json!({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}).to_string(),
        ))
        .await?;
        Ok(ws)
    }

    /// Record one text message; returns a reply to send, if any.
    fn handle(&self, text: &str, at: Instant) -> Option<String> {
        let vol = self.vol;
        let v: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let _ = self.events.send(SubEvent::Error {
                    vol,
                    message: format!("not JSON ({e}): {}", clip(text)),
                });
                return None;
            }
        };
        let event = match v.get("type").and_then(Value::as_str) {
            Some("next") => {
                if let Some(errors) = v.pointer("/payload/errors").filter(|e| !e.is_null()) {
                    SubEvent::Error {
                        vol,
                        message: format!("next with errors: {}", describe_errors(errors)),
                    }
                } else {
                    let offer = v.pointer("/payload/data/guidanceOffers");
                    let change = offer.and_then(|o| o.get("change")).and_then(Value::as_str);
                    let request_id = offer
                        .and_then(|o| o.get("requestId"))
                        .and_then(Value::as_str);
                    match (change, request_id) {
                        (Some(c @ ("OFFERED" | "WITHDRAWN")), Some(id)) => SubEvent::Offer {
                            vol,
                            withdrawn: c == "WITHDRAWN",
                            request_id: id.to_owned(),
                            at,
                        },
                        _ => SubEvent::Error {
                            vol,
                            message: format!("unexpected next: {}", clip(text)),
                        },
                    }
                }
            }
            Some("error") => SubEvent::Error {
                vol,
                message: format!(
                    "error message: {}",
                    describe_errors(v.get("payload").unwrap_or(&Value::Null))
                ),
            },
            Some("complete") => SubEvent::Complete { vol },
            Some("ping") => return Some(r#"{"type":"pong"}"#.to_owned()),
            Some("pong") => return None,
            _ => SubEvent::Error {
                vol,
                message: format!("unexpected message: {}", clip(text)),
            },
        };
        let _ = self.events.send(event);
        None
    }
}
