//! `http`: one request body sent over and over, closed-loop (as fast as `connections` workers
//! go) or open-loop (a fixed rate; latency is measured from when each request was due, so a
//! stalled server cannot hide its queue: coordinated-omission correction). Every response body
//! is checked: a transport failure, a non-2xx status, a body that is not JSON, carries `errors`
//! or lacks `data` counts as a failure, never as throughput. Prints one JSON line.
//!
//! `--bodies FILE` sends a different body each time instead (one JSON body per line, the k-th
//! request sends line k, wrapping around): a burst of registrations by different people.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Args;
use serde_json::{Value, json};

/// Arguments of `http`.
#[derive(Args, Clone)]
pub struct HttpArgs {
    /// Full URL (e.g. `http://127.0.0.1:18090/graphql`).
    #[arg(long)]
    url: String,
    /// JSON request body (POST); `@FILE` reads it from a file. Without it: GET.
    #[arg(long)]
    body: Option<String>,
    /// Bearer token.
    #[arg(long)]
    token: Option<String>,
    /// Extra header `name: value` (repeatable).
    #[arg(long = "header")]
    headers: Vec<String>,
    /// One JSON request body per line; request k sends line k (mod the number of lines).
    #[arg(long, conflicts_with = "body")]
    bodies: Option<String>,
    /// Concurrent connections (workers).
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Measured seconds.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Unmeasured warm-up seconds before.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Requests per second (open loop); without it, closed loop.
    #[arg(long)]
    rate: Option<f64>,
    /// Accept any 2xx JSON body (raw baselines that are not GraphQL responses).
    #[arg(long)]
    raw: bool,
    /// Label echoed in the output.
    #[arg(long, default_value = "")]
    label: String,
}

fn check(raw: bool, status: reqwest::StatusCode, body: &[u8]) -> Result<(), String> {
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    if raw {
        return Ok(());
    }
    if let Some(errors) = v.get("errors") {
        return Err(format!(
            "errors: {}",
            errors.to_string().chars().take(200).collect::<String>()
        ));
    }
    if v.get("data").is_none_or(Value::is_null) {
        return Err("no data".to_owned());
    }
    Ok(())
}

struct Shared {
    args: HttpArgs,
    body: Option<Arc<Vec<u8>>>,
    bodies: Vec<Arc<Vec<u8>>>,
    client: reqwest::Client,
    headers: reqwest::header::HeaderMap,
    start: Instant,
    measure_from: Instant,
    end: Instant,
    /// Open loop: the next request's sequence number.
    next: AtomicU64,
    failures: AtomicU64,
    first_failure: std::sync::Mutex<Option<String>>,
}

impl Shared {
    async fn one(&self, k: u64) -> Result<(), String> {
        let per_request = (!self.bodies.is_empty()).then(|| {
            let n = self.bodies.len() as u64;
            &self.bodies[usize::try_from(k % n).unwrap_or(0)]
        });
        let req = match per_request.or(self.body.as_ref()) {
            Some(b) => self
                .client
                .post(&self.args.url)
                .header("content-type", "application/json")
                .body(b.as_ref().clone()),
            None => self.client.get(&self.args.url),
        };
        let res = req
            .headers(self.headers.clone())
            .send()
            .await
            .map_err(|e| format!("transport: {e}"))?;
        let status = res.status();
        let body = res.bytes().await.map_err(|e| format!("body: {e}"))?;
        check(self.args.raw, status, &body)
    }

    fn fail(&self, e: String) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_failure.lock().unwrap_or_else(|p| p.into_inner());
        first.get_or_insert(e);
    }
}

/// Latencies (µs) of measured successes.
async fn worker(s: Arc<Shared>) -> Vec<u32> {
    let mut lat = Vec::new();
    loop {
        // When this request is due: now (closed loop) or its slot in the schedule (open loop).
        let k = s.next.fetch_add(1, Ordering::Relaxed);
        let due = match s.args.rate {
            None => Instant::now(),
            Some(rate) => {
                let due = s.start + Duration::from_secs_f64(k as f64 / rate);
                if due >= s.end {
                    break;
                }
                tokio::time::sleep_until(due.into()).await;
                due
            }
        };
        if due >= s.end {
            break;
        }
        let r = s.one(k).await;
        let measured = due >= s.measure_from;
        match r {
            Ok(()) if measured => {
                lat.push(u32::try_from(due.elapsed().as_micros()).unwrap_or(u32::MAX));
            }
            Ok(()) => {}
            Err(e) if measured => s.fail(e),
            Err(_) => {}
        }
    }
    lat
}

fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

/// Run the load and print the result line.
pub async fn run(args: HttpArgs) -> anyhow::Result<()> {
    if args.connections == 0 || args.duration.is_nan() || args.duration <= 0.0 {
        bail!("--connections and --duration must be positive");
    }
    if let Some(r) = args.rate
        && !(r > 0.0 && r.is_finite())
    {
        bail!("--rate must be positive");
    }
    let body = match args.body.as_deref() {
        Some(b) if b.starts_with('@') => {
            Some(std::fs::read(&b[1..]).with_context(|| format!("reading {}", &b[1..]))?)
        }
        Some(b) => Some(b.as_bytes().to_vec()),
        None => None,
    };
    let bodies: Vec<Arc<Vec<u8>>> = match args.bodies.as_deref() {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("reading {path}"))?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Arc::new(l.as_bytes().to_vec()))
            .collect(),
        None => Vec::new(),
    };
    if args.bodies.is_some() && bodies.is_empty() {
        bail!("--bodies file has no lines");
    }
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(t) = &args.token {
        headers.insert("authorization", format!("Bearer {t}").parse()?);
    }
    for h in &args.headers {
        let (name, value) = h.split_once(':').context("--header wants `name: value`")?;
        headers.insert(
            reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())?,
            value.trim().parse()?,
        );
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .timeout(Duration::from_secs(30))
        .tcp_nodelay(true)
        .build()?;
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup.max(0.0));
    let end = measure_from + Duration::from_secs_f64(args.duration);
    let shared = Arc::new(Shared {
        body: body.map(Arc::new),
        bodies,
        client,
        headers,
        start,
        measure_from,
        end,
        next: AtomicU64::new(0),
        failures: AtomicU64::new(0),
        first_failure: std::sync::Mutex::new(None),
        args: args.clone(),
    });
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| tokio::spawn(worker(shared.clone())))
        .collect();
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await?);
    }
    lat.sort_unstable();
    let ok = lat.len() as u64;
    let failures = shared.failures.load(Ordering::Relaxed);
    let line = json!({
        "label": args.label,
        "mode": if args.rate.is_some() { "open" } else { "closed" },
        "rate": args.rate,
        "connections": args.connections,
        "seconds": args.duration,
        "ok": ok,
        "failures": failures,
        "first_failure": *shared.first_failure.lock().unwrap_or_else(|p| p.into_inner()),
        "rps": ok as f64 / args.duration,
        "p50_ms": pct(&lat, 50.0),
        "p99_ms": pct(&lat, 99.0),
        "p999_ms": pct(&lat, 99.9),
        "max_ms": lat.last().map_or(0.0, |v| f64::from(*v) / 1000.0),
    });
    println!("{line}");
    Ok(())
}
