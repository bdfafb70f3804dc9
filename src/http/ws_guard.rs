//! WebSocket protocol enforcement in front of async-graphql's handler, so that violations close
//! the socket with the codes graphql-transport-ws defines: 4400 invalid message (or too many
//! subscriptions on one socket), 4401 subscribe before the connection was acknowledged, 4403
//! initialisation refused or the session ended, 4408 no `connection_init` in time, 4409 a
//! subscription id already in use, 4429 a second `connection_init` (async-graphql's own).
//!
//! The legacy graphql-ws protocol (subscriptions-transport-ws: `start`/`stop`) gets the same
//! guards — valid messages, the initialisation timeout, the subscription cap — with the same
//! codes, since that protocol defines none of its own.

use std::collections::HashSet;
use std::sync::Mutex;

/// A protocol violation: close code and reason.
pub type Violation = (u16, String);

#[derive(Default)]
struct State {
    init_seen: bool,
    acked: bool,
    active: HashSet<String>,
    violation: Option<Violation>,
}

/// The protocol state of one socket.
pub struct Guard {
    max_subscriptions: usize,
    /// The legacy graphql-ws protocol (`start`/`stop`) instead of graphql-transport-ws.
    legacy: bool,
    state: Mutex<State>,
    started: std::time::Instant,
    /// When the client last sent any frame (pongs included), in ms since `started`.
    heard: std::sync::atomic::AtomicU64,
}

impl Guard {
    /// A guard allowing at most `max_subscriptions` live subscriptions; `legacy` for the
    /// graphql-ws protocol.
    pub fn new(max_subscriptions: usize, legacy: bool) -> Self {
        Self {
            max_subscriptions: max_subscriptions.max(1),
            legacy,
            state: Mutex::new(State::default()),
            started: std::time::Instant::now(),
            heard: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> Option<T> {
        self.state.lock().ok().map(|mut s| f(&mut s))
    }

    /// Check a client message: what it is, or `None` when the socket must close (see
    /// [`Guard::violation`]).
    pub fn client(&self, data: &[u8]) -> Option<Msg> {
        let verdict = check(data, self.legacy);
        self.with(|s| {
            let v = match verdict {
                Err(v) => Some(v),
                Ok(Msg::Init) => {
                    s.init_seen = true;
                    return Some(Msg::Init);
                }
                Ok(Msg::Subscribe(_)) if !s.acked => Some((4401, "Unauthorized".to_owned())),
                Ok(Msg::Subscribe(id)) if s.active.contains(&id) => {
                    Some((4409, format!("Subscriber for {id} already exists")))
                }
                Ok(Msg::Subscribe(_)) if s.active.len() >= self.max_subscriptions => Some((
                    4400,
                    format!(
                        "Too many subscriptions on one connection (at most {})",
                        self.max_subscriptions
                    ),
                )),
                Ok(Msg::Subscribe(id)) => {
                    s.active.insert(id.clone());
                    return Some(Msg::Subscribe(id));
                }
                Ok(Msg::Complete(id)) => {
                    s.active.remove(&id);
                    return Some(Msg::Complete(id));
                }
                Ok(other) => return Some(other),
            };
            if let Some(v) = v {
                s.violation.get_or_insert(v);
            }
            None
        })
        .flatten()
    }

    /// Forget an operation the edge refused before it started (its `error` was sent by the
    /// edge, not by async-graphql).
    pub fn release(&self, id: &str) {
        self.with(|s| s.active.remove(id));
    }

    /// Note a server message (acknowledgement, completions).
    pub fn server(&self, text: &str) {
        /// Only what the guard tracks: the payload is skipped, not built (every offer to every
        /// subscriber passes here).
        #[derive(serde::Deserialize)]
        struct Head<'a> {
            #[serde(rename = "type", borrow)]
            kind: Option<std::borrow::Cow<'a, str>>,
            #[serde(borrow)]
            id: Option<std::borrow::Cow<'a, str>>,
        }
        let Ok(head) = serde_json::from_str::<Head<'_>>(text) else {
            return;
        };
        match head.kind.as_deref() {
            Some("connection_ack") => {
                self.with(|s| s.acked = true);
            }
            Some("complete" | "error") => {
                if let Some(id) = head.id {
                    self.with(|s| s.active.remove(id.as_ref()));
                }
            }
            _ => {}
        }
    }

    /// The client sent a frame (any: a pong answers the keep-alive ping).
    pub fn heard(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.heard.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// How long since the client last sent a frame.
    pub fn silent_for(&self) -> std::time::Duration {
        let heard = self.heard.load(std::sync::atomic::Ordering::Relaxed);
        self.started
            .elapsed()
            .saturating_sub(std::time::Duration::from_millis(heard))
    }

    /// Whether the connection was acknowledged.
    pub fn acked(&self) -> bool {
        self.with(|s| s.acked).unwrap_or(false)
    }

    /// Whether `connection_init` arrived.
    pub fn init_seen(&self) -> bool {
        self.with(|s| s.init_seen).unwrap_or(false)
    }

    /// Record a violation found elsewhere (the init timeout).
    pub fn violate(&self, code: u16, reason: &str) {
        self.with(|s| {
            s.violation.get_or_insert((code, reason.to_owned()));
        });
    }

    /// The violation that ends the socket, if any.
    pub fn violation(&self) -> Option<Violation> {
        self.with(|s| s.violation.clone()).flatten()
    }
}

/// A client message the guard admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// `connection_init`.
    Init,
    /// An operation starts (`subscribe`; legacy `start`) under this id.
    Subscribe(String),
    /// An operation ends (`complete`; legacy `stop`).
    Complete(String),
    /// Anything else allowed (`ping`, `pong`; legacy `connection_terminate`).
    Other,
}

fn invalid() -> Violation {
    (4400, "Invalid message received".to_owned())
}

fn check(data: &[u8], legacy: bool) -> Result<Msg, Violation> {
    let v: serde_json::Value = serde_json::from_slice(data).map_err(|_| invalid())?;
    let kind = v
        .get("type")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(invalid)?;
    let id = || {
        v.get("id")
            .and_then(serde_json::Value::as_str)
            .filter(|i| !i.is_empty() && i.len() <= 128)
            .map(str::to_owned)
            .ok_or_else(invalid)
    };
    match (kind, legacy) {
        ("connection_init", _) => Ok(Msg::Init),
        ("ping" | "pong", false) | ("connection_terminate", true) => Ok(Msg::Other),
        ("subscribe", false) | ("start", true) => {
            let id = id()?;
            let query = v
                .get("payload")
                .and_then(|p| p.get("query"))
                .and_then(serde_json::Value::as_str);
            if query.is_none() {
                return Err(invalid());
            }
            Ok(Msg::Subscribe(id))
        }
        ("complete", false) | ("stop", true) => Ok(Msg::Complete(id()?)),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_get_the_protocol_codes() {
        let g = Guard::new(2, false);
        assert!(
            g.client(br#"{"id":"1","type":"subscribe","payload":{"query":"subscription{a}"}}"#)
                .is_none()
        );
        assert_eq!(g.violation().unwrap().0, 4401);
        let g = Guard::new(2, false);
        assert!(g.client(b"not json").is_none());
        assert_eq!(g.violation().unwrap().0, 4400);
        let g = Guard::new(2, false);
        assert!(g.client(br#"{"type":"connection_init"}"#).is_some());
        g.server(r#"{"type":"connection_ack"}"#);
        let sub = |id: &str| {
            format!(
                r#"{{"id":"{id}","type":"subscribe","payload":{{"query":"subscription{{a}}"}}}}"#
            )
        };
        assert!(g.client(sub("1").as_bytes()).is_some());
        assert!(g.client(sub("1").as_bytes()).is_none());
        assert_eq!(g.violation().unwrap().0, 4409);
        let g = Guard::new(2, false);
        g.client(br#"{"type":"connection_init"}"#);
        g.server(r#"{"type":"connection_ack"}"#);
        assert!(g.client(sub("1").as_bytes()).is_some() && g.client(sub("2").as_bytes()).is_some());
        g.server(r#"{"id":"1","type":"complete"}"#);
        assert!(
            g.client(sub("3").as_bytes()).is_some(),
            "a completed id frees its place"
        );
        assert!(g.client(sub("4").as_bytes()).is_none());
        assert_eq!(g.violation().unwrap().0, 4400);
    }

    #[test]
    fn the_legacy_protocol_gets_the_subscription_cap_and_valid_messages() {
        let g = Guard::new(1, true);
        let start = |id: &str| {
            format!(r#"{{"id":"{id}","type":"start","payload":{{"query":"subscription{{a}}"}}}}"#)
        };
        assert_eq!(g.client(br#"{"type":"connection_init"}"#), Some(Msg::Init));
        g.server(r#"{"type":"connection_ack"}"#);
        assert_eq!(
            g.client(start("1").as_bytes()),
            Some(Msg::Subscribe("1".into()))
        );
        assert!(g.client(start("2").as_bytes()).is_none(), "over the cap");
        assert_eq!(g.violation().unwrap().0, 4400);
        let g = Guard::new(1, true);
        assert!(
            g.client(br#"{"id":"1","type":"subscribe","payload":{"query":"subscription{a}"}}"#)
                .is_none(),
            "graphql-transport-ws messages are not legacy messages"
        );
        let g = Guard::new(1, true);
        g.client(br#"{"type":"connection_init"}"#);
        g.server(r#"{"type":"connection_ack"}"#);
        assert!(g.client(start("1").as_bytes()).is_some());
        assert_eq!(
            g.client(br#"{"id":"1","type":"stop"}"#),
            Some(Msg::Complete("1".into()))
        );
        assert!(
            g.client(start("2").as_bytes()).is_some(),
            "a stop frees its place"
        );
    }
}
