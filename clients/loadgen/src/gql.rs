//! A GraphQL-over-HTTP client that checks every response body: a transport failure, a non-2xx
//! status, a body with `errors` or without `data` is a failure, counted per operation with the
//! first message kept as an example.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use serde_json::{Value, json};

/// Failures per operation: (count, first example).
#[derive(Default)]
pub struct ErrorLog {
    inner: Mutex<BTreeMap<String, (u64, String)>>,
}

impl ErrorLog {
    /// Count one failure of `op`.
    pub fn record(&self, op: &str, message: &str) {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map
            .entry(op.to_owned())
            .or_insert_with(|| (0, message.to_owned()));
        entry.0 += 1;
    }

    /// Every failure so far, by operation.
    pub fn snapshot(&self) -> BTreeMap<String, (u64, String)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Total failures.
    pub fn total(&self) -> u64 {
        self.snapshot().values().map(|(n, _)| n).sum()
    }
}

/// The HTTP endpoint and the shared error log.
#[derive(Clone)]
pub struct Gql {
    http: reqwest::Client,
    endpoint: String,
    base: String,
    pub errors: Arc<ErrorLog>,
}

impl Gql {
    /// A client for `base` (`http://host:port`).
    pub fn new(base: &str, errors: Arc<ErrorLog>) -> anyhow::Result<Self> {
        let base = base.trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .pool_max_idle_per_host(64)
            .build()?;
        Ok(Self {
            http,
            endpoint: format!("{base}/graphql"),
            base,
            errors,
        })
    }

    /// `ws://host:port/graphql/ws`.
    pub fn ws_url(&self) -> String {
        let rest = self
            .base
            .strip_prefix("https://")
            .map(|r| format!("wss://{r}"))
            .or_else(|| {
                self.base
                    .strip_prefix("http://")
                    .map(|r| format!("ws://{r}"))
            })
            .unwrap_or_else(|| self.base.clone());
        format!("{rest}/graphql/ws")
    }

    /// `GET /readyz` answers 200.
    pub async fn ready(&self) -> anyhow::Result<()> {
        let res = self
            .http
            .get(format!("{}/readyz", self.base))
            .send()
            .await
            .with_context(|| format!("GET {}/readyz", self.base))?;
        if !res.status().is_success() {
            bail!("{}/readyz answered {}", self.base, res.status());
        }
        Ok(())
    }

    /// Run `query` as operation `op`; returns `data`. Any failure is recorded under `op`.
    pub async fn call(
        &self,
        op: &str,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<Value> {
        match self.call_unrecorded(token, query, variables).await {
            Ok(data) => Ok(data),
            Err(e) => {
                let msg = format!("{e:#}");
                self.errors.record(op, &msg);
                Err(anyhow!("{op}: {msg}"))
            }
        }
    }

    async fn call_unrecorded(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<Value> {
        let mut req = self
            .http
            .post(&self.endpoint)
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.context("transport")?;
        let status = res.status();
        let text = res.text().await.context("reading body")?;
        let body: Value = serde_json::from_str(&text)
            .with_context(|| format!("HTTP {status}, body is not JSON: {}", clip(&text)))?;
        if let Some(errors) = body.get("errors").filter(|e| !e.is_null()) {
            bail!("HTTP {status}, errors: {}", describe_errors(errors));
        }
        if !status.is_success() {
            bail!("HTTP {status}: {}", clip(&text));
        }
        match body.get("data") {
            Some(d) if !d.is_null() => Ok(d.clone()),
            _ => bail!("HTTP {status}, no data: {}", clip(&text)),
        }
    }
}

/// `CODE: message` of each GraphQL error.
pub fn describe_errors(errors: &Value) -> String {
    match errors.as_array() {
        Some(list) => list
            .iter()
            .map(|e| {
                let code = e
                    .pointer("/extensions/code")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                let msg = e.get("message").and_then(Value::as_str).unwrap_or("");
                format!("{code}: {msg}")
            })
            .collect::<Vec<_>>()
            .join("; "),
        None => clip(&errors.to_string()),
    }
}

/// At most 300 characters of `s`.
pub fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(300).collect();
    if s.chars().count() > 300 {
        out.push('…');
    }
    out
}

/// A string field at `pointer` in `data`, or an error naming it.
pub fn str_at<'a>(data: &'a Value, pointer: &str) -> anyhow::Result<&'a str> {
    data.pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("response lacks {pointer}: {}", clip(&data.to_string())))
}
