//! `/graphql/ws`: GraphQL over WebSocket, graphql-transport-ws and the legacy graphql-ws
//! protocol, in front of async-graphql's handler. A socket is only as good as the session that
//! opened it: every operation sent on it is checked against revocation, expiry and (staff) the
//! idle timeout, and counted against the IP's and the account's rate limits; the socket closes
//! with 4403 as soon as its session ends, and with 1001 when the server shuts down.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols, WsMessage};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message};
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tower_http::request_id::RequestId;
use zhucan_domain::identity::Session;
use zhucan_domain::viewer::{RequestMeta, Viewer};
use zhucan_resolvers::error::codes;

use super::auth::{authenticate, rate_limit, session_in_force, still_active, too_many};
use super::ws_guard::{Guard, Msg};
use super::{AppState, meta, refusal};

/// The WebSockets a server holds open. Shutting down tells each to close with 1001 ("going
/// away") instead of vanishing under its clients (1006).
#[derive(Clone)]
pub struct Sockets {
    shutdown: Arc<watch::Sender<bool>>,
    open: Arc<AtomicUsize>,
}

impl Default for Sockets {
    fn default() -> Self {
        Self {
            shutdown: Arc::new(watch::Sender::new(false)),
            open: Arc::default(),
        }
    }
}

impl Sockets {
    /// Tell every open socket to close (1001).
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Sockets open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Wait until every socket closed, or `at_most`.
    pub async fn closed(&self, at_most: Duration) {
        let deadline = tokio::time::Instant::now() + at_most;
        while self.open() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Resolves when the server shuts down.
    fn shutting_down(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.subscribe();
        async move {
            if rx.wait_for(|down| *down).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    fn enter(&self) -> OpenSocket {
        self.open.fetch_add(1, Ordering::Relaxed);
        OpenSocket(self.open.clone())
    }
}

/// Counts one open socket until dropped.
struct OpenSocket(Arc<AtomicUsize>);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The token in a `connection_init` payload: `accessToken`, `token`, or `Authorization: Bearer …`.
fn token_from_payload(payload: &serde_json::Value) -> Option<String> {
    for key in ["accessToken", "token"] {
        if let Some(t) = payload.get(key).and_then(|v| v.as_str()) {
            return Some(t.to_owned());
        }
    }
    let auth = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(|v| v.as_str())?;
    auth.strip_prefix("Bearer ").map(str::to_owned)
}

/// Whether a browser page of `origin` may open a socket here: its own origin (the `Host` it
/// called), or one of `cors_allowed_origins`. Clients that are not browsers send no `Origin`.
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if allowed.iter().any(|a| a == origin) {
        return true;
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or_default();
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// The upgrade of `/graphql/ws`.
pub(super) async fn handler(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let meta = meta(addr, request_id.as_ref().map(|e| &e.0));
    if !origin_allowed(&headers, &state.allowed_origins) {
        return refusal(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "该来源的网页不能连接本服务（cors_allowed_origins）",
        );
    }
    // Opening a socket counts against the IP's limit like a request.
    if let Err(wait) = rate_limit(&state, addr, None).await {
        return too_many(wait);
    }
    // The first sub-protocol we speak: graphql-transport-ws, or the legacy graphql-ws.
    let protocol = headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok());
    let Some(protocol) = protocol else {
        return (
            StatusCode::BAD_REQUEST,
            "unsupported WebSocket sub-protocol: use graphql-transport-ws",
        )
            .into_response();
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // Small buffers: tungstenite zero-fills its read buffer on every read, and most
        // subscribers only receive. Client messages are small (init, subscribe, complete); a
        // longer frame grows the buffer as it arrives. 2 KiB rather than 8 KiB saved 6 KB of
        // each idle connection's 32 KB (S5, heap profile).
        .read_buffer_size(2 * 1024)
        .write_buffer_size(8 * 1024)
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| serve_socket(socket, state, protocol, meta, addr))
        .into_response()
}

/// The session a socket was opened with, once `connection_init` authenticated it.
type SocketSession = Option<(Viewer, Session)>;

/// What becomes of one client message.
enum Admit {
    /// Hand it to async-graphql.
    Pass(Bytes),
    /// Refused on its own (an `error` for its id was sent); the socket stays open.
    Drop,
    /// The socket must close (the guard holds the code).
    End,
}

/// Checks every client message before async-graphql sees it.
struct Gate {
    state: AppState,
    addr: SocketAddr,
    guard: Arc<Guard>,
    session: watch::Receiver<SocketSession>,
    /// Messages the edge itself sends (refusals of single operations).
    inject: mpsc::UnboundedSender<String>,
}

impl Gate {
    async fn admit(self: Arc<Self>, data: Bytes) -> Admit {
        let Some(msg) = self.guard.client(&data) else {
            return Admit::End;
        };
        let Msg::Subscribe(id) = msg else {
            return Admit::Pass(data);
        };
        let session = self.session.borrow().clone();
        if let Some(pair) = &session
            && let Err(e) = session_in_force(&self.state.platform, pair).await
        {
            self.guard.violate(4403, &format!("Forbidden: {e}"));
            return Admit::End;
        }
        let account = session.as_ref().map(|(v, _)| v.account_id);
        if let Err(wait) = rate_limit(&self.state, self.addr, account).await {
            self.guard.release(&id);
            let secs = wait.as_secs().max(1);
            let refused = serde_json::json!({
                "id": id,
                "type": "error",
                "payload": [{
                    "message": format!("请求过于频繁，请 {secs} 秒后再试"),
                    "extensions": {"code": codes::RATE_LIMITED, "retryAfter": secs},
                }],
            });
            let _ = self.inject.send(refused.to_string());
            return Admit::Drop;
        }
        Admit::Pass(data)
    }
}

/// Resolves when the session behind the socket ends: revoked on any node, or expired. Never,
/// for an anonymous socket.
fn session_end(
    state: &AppState,
    mut session: watch::Receiver<SocketSession>,
) -> impl Future<Output = ()> + Send + 'static {
    let platform = state.platform.clone();
    async move {
        let (viewer, s) = loop {
            if let Some(pair) = session.borrow_and_update().clone() {
                break pair;
            }
            if session.changed().await.is_err() {
                return std::future::pending().await;
            }
        };
        let remaining = (s.expires_at - chrono::Utc::now())
            .to_std()
            .unwrap_or_default();
        tokio::select! {
            () = platform.revocations.revoked(viewer.account_id, s) => {}
            () = tokio::time::sleep(remaining) => {}
        }
    }
}

/// Serve one WebSocket (graphql-transport-ws or the legacy graphql-ws protocol). Unlike
/// async-graphql-axum's `serve`, every send is bounded by `ws_send_timeout`: a client that stops
/// reading is disconnected instead of holding the connection (its subscriptions' buffers are
/// bounded, so the server's memory does not grow meanwhile).
async fn serve_socket(
    socket: axum::extract::ws::WebSocket,
    state: AppState,
    protocol: WebSocketProtocols,
    meta: RequestMeta,
    addr: SocketAddr,
) {
    let _open = state.sockets.enter();
    let (sink, stream) = socket.split();
    let strict = protocol == WebSocketProtocols::GraphQLWS;
    let guard = Arc::new(Guard::new(state.ws_max_subscriptions, !strict));
    let (session_tx, session_rx) = watch::channel::<SocketSession>(None);
    let (inject_tx, mut inject_rx) = mpsc::unbounded_channel::<String>();
    let gate = Arc::new(Gate {
        state: state.clone(),
        addr,
        guard: guard.clone(),
        session: session_rx.clone(),
        inject: inject_tx,
    });
    let heard_guard = guard.clone();
    let input = stream
        .take_while(|m| futures::future::ready(m.is_ok()))
        .inspect(move |_| heard_guard.heard())
        .filter_map(|m| {
            futures::future::ready(match m {
                Ok(msg @ (Message::Text(_) | Message::Binary(_))) => Some(msg.into_data()),
                _ => None,
            })
        })
        .then(move |data| gate.clone().admit(data))
        // A violation or an ended session ends the input; the output then ends and the close
        // code follows.
        .take_while(|a| futures::future::ready(!matches!(a, Admit::End)))
        .filter_map(|a| {
            futures::future::ready(match a {
                Admit::Pass(data) => Some(data),
                Admit::Drop | Admit::End => None,
            })
        });
    let platform = state.platform.clone();
    let outgoing = async_graphql::http::WebSocket::new(state.schema.clone(), input, protocol)
        .on_connection_init(move |payload| async move {
            let token = token_from_payload(&payload);
            let viewer = authenticate(&platform, token.as_deref())
                .map_err(|e| async_graphql::Error::new(e.to_string()))?;
            still_active(&platform, viewer.as_ref())
                .await
                .map_err(|e| async_graphql::Error::new(e.to_string()))?;
            session_tx.send_replace(viewer.clone());
            let data: Data = zhucan_resolvers::attach_request_data(&platform, viewer, meta);
            Ok(data)
        });
    let init_guard = guard.clone();
    let init_timeout = state.ws_init_timeout;
    let init_deadline = async move {
        tokio::time::sleep(init_timeout).await;
        if init_guard.init_seen() {
            futures::future::pending::<()>().await;
        }
        init_guard.violate(4408, "Connection initialisation timeout");
    };
    let end_guard = guard.clone();
    let ended = session_end(&state, session_rx);
    let session_over = async move {
        ended.await;
        end_guard.violate(4403, "Forbidden: session ended");
    };
    let down_guard = guard.clone();
    let down = state.sockets.shutting_down();
    let shutdown = async move {
        down.await;
        down_guard.violate(1001, "server shutting down");
    };
    let stop = async move {
        tokio::select! {
            () = init_deadline => {}
            () = session_over => {}
            () = shutdown => {}
        }
    };
    let out_guard = guard.clone();
    let close_guard = guard.clone();
    let messages = outgoing
        .take_until(stop)
        .map(move |msg| match msg {
            WsMessage::Text(text) => {
                out_guard.server(&text);
                Message::Text(text.into())
            }
            // A refused initialisation (bad, expired or revoked token) is 4403 Forbidden.
            WsMessage::Close(1002, reason) if !out_guard.acked() => {
                Message::Close(Some(CloseFrame {
                    code: 4403,
                    reason: format!("Forbidden: {reason}").into(),
                }))
            }
            WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })),
        })
        .chain(
            futures::stream::once(async move { close_guard.violation() }).filter_map(|v| {
                futures::future::ready(v.map(|(code, reason)| {
                    Message::Close(Some(CloseFrame {
                        code,
                        reason: reason.into(),
                    }))
                }))
            }),
        );
    // Refusals the edge sends itself, interleaved; the socket's own messages end the stream.
    let injected = futures::stream::poll_fn(move |cx| inject_rx.poll_recv(cx))
        .map(|text| Some(Message::Text(text.into())));
    let messages = futures::stream::select(
        messages
            .map(Some)
            .chain(futures::stream::once(async { None })),
        injected,
    )
    .take_while(|m| futures::future::ready(m.is_some()))
    .filter_map(futures::future::ready);
    let messages = with_keepalive(messages, state.ws_keepalive, guard.clone());
    if forward(messages, sink, state.ws_send_timeout).await == Forwarded::TooSlow {
        tracing::info!("WebSocket client stopped reading: disconnected");
    }
}

/// Interleave WebSocket pings every `every` with the outgoing messages, and close the socket
/// (1001) when the client has sent nothing, not even the pong every WebSocket client answers a
/// ping with, for three intervals: a vanished phone does not hold its subscriptions for the
/// minutes TCP takes to notice. Live clients need not ping themselves; before, async-graphql's
/// `keepalive_timeout` closed every subscriber that sent nothing for 30 s (3008), which the
/// 10-minute S7 soak found: 95 % of offers lost after the first half-minute.
fn with_keepalive<S>(
    messages: S,
    every: Option<Duration>,
    guard: std::sync::Arc<Guard>,
) -> futures::stream::BoxStream<'static, axum::extract::ws::Message>
where
    S: futures::Stream<Item = axum::extract::ws::Message> + Send + 'static,
{
    use axum::extract::ws::{CloseFrame, Message};
    use futures::StreamExt;
    let Some(every) = every else {
        return messages.boxed();
    };
    let start = tokio::time::Instant::now() + every;
    let ticks = ticks_from(start, every).map(move |()| {
        if guard.silent_for() > every * 3 {
            Some(Message::Close(Some(CloseFrame {
                code: 1001,
                reason: "keep-alive timeout".into(),
            })))
        } else {
            Some(Message::Ping(axum::body::Bytes::new()))
        }
    });
    // The socket's own messages end the stream; a close for silence ends it too.
    futures::stream::select(
        messages
            .map(Some)
            .chain(futures::stream::once(async { None })),
        ticks,
    )
    .take_while(|m| futures::future::ready(m.is_some()))
    .filter_map(futures::future::ready)
    .scan(false, |closed, m| {
        let done = *closed;
        *closed |= matches!(m, Message::Close(_));
        futures::future::ready((!done).then_some(m))
    })
    .boxed()
}

/// Ticks at `start`, then every `every`.
fn ticks_from(
    start: tokio::time::Instant,
    every: Duration,
) -> impl futures::Stream<Item = ()> + Send + 'static {
    let mut interval = tokio::time::interval_at(start, every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    futures::stream::unfold(interval, |mut i| async move {
        i.tick().await;
        Some(((), i))
    })
}

/// How forwarding to a client ended.
#[derive(Debug, PartialEq, Eq)]
enum Forwarded {
    /// The server side finished (connection closed normally).
    Finished,
    /// The client went away.
    ClientGone,
    /// One send took longer than the timeout: the client stopped reading.
    TooSlow,
}

/// Forward every message to the sink, giving up when a single send takes longer than `timeout`.
async fn forward<T, S, K>(messages: S, sink: K, timeout: Duration) -> Forwarded
where
    S: futures::Stream<Item = T>,
    K: futures::Sink<T>,
{
    use futures::{SinkExt, StreamExt};
    futures::pin_mut!(messages, sink);
    while let Some(msg) = messages.next().await {
        match tokio::time::timeout(timeout, sink.send(msg)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Forwarded::ClientGone,
            Err(_) => return Forwarded::TooSlow,
        }
    }
    Forwarded::Finished
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Forwarded, forward};

    #[tokio::test]
    async fn a_client_that_stops_reading_is_dropped_after_the_send_timeout() {
        let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        // Accepts two messages, then never again (a full socket whose reader stopped).
        let sink = futures::sink::unfold((), move |(), _msg: u32| {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 2 {
                    futures::future::pending::<()>().await;
                }
                Ok::<(), ()>(())
            }
        });
        let endless = futures::stream::iter(0u32..);
        let started = std::time::Instant::now();
        let outcome = tokio::time::timeout(
            Duration::from_secs(5),
            forward(endless, sink, Duration::from_millis(100)),
        )
        .await;
        assert_eq!(outcome, Ok(Forwarded::TooSlow));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            accepted.load(std::sync::atomic::Ordering::SeqCst),
            3,
            "two delivered, the third never completed"
        );
    }

    #[tokio::test]
    async fn forwarding_ends_cleanly_when_the_server_side_ends_or_the_client_is_gone() {
        let sink = futures::sink::drain::<u32>();
        assert_eq!(
            forward(
                futures::stream::iter([1u32, 2, 3]),
                sink,
                Duration::from_millis(100)
            )
            .await,
            Forwarded::Finished
        );
        let broken = futures::sink::unfold((), |(), _m: u32| async { Err::<(), ()>(()) });
        assert_eq!(
            forward(
                futures::stream::iter([1u32]),
                broken,
                Duration::from_millis(100)
            )
            .await,
            Forwarded::ClientGone
        );
    }
}
