//! zhucan-loadgen: load clients against a running 助残云 server. Not run by `cargo test`.
//!
//! `fanout`: N verified, on-duty volunteers near 陆家嘴 each hold one idle graphql-transport-ws
//! connection subscribed to `guidanceOffers`; `citizen_demo` publishes requests at a fixed rate
//! and cancels each right after; every subscriber timestamps the matching `next` message.
//! Prints delivery counts and latency, and (with `--server-pid`) the server's resident memory per
//! idle connection. Start the server with `ZHUCAN_GUIDANCE_MAX_OFFERS` ≥ N (plus the 21 demo
//! volunteers) and radii covering 800 m, or offers will (correctly) not reach everyone.

mod gql;
mod http;
mod volunteers;
mod ws;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand};
use futures::StreamExt;
use serde_json::json;
use tokio::sync::{Semaphore, mpsc, watch};

use crate::gql::{ErrorLog, Gql, str_at};
use crate::volunteers::{LUJIAZUI, Setup};
use crate::ws::{SubEvent, Subscriber};

#[derive(Parser)]
#[command(
    name = "zhucan-loadgen",
    about = "Load clients for a running 助残云 server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Live guidance-offer fan-out: N idle subscribers, requests at a fixed rate.
    Fanout(FanoutArgs),
    /// One request body, closed- or open-loop, every response body checked; one JSON line.
    Http(http::HttpArgs),
    /// Sign in (with the TOTP-SM3 code when a secret is given) and print the access token.
    Token(TokenArgs),
}

#[derive(Args, Clone)]
struct TokenArgs {
    /// Server base URL.
    #[arg(long, default_value = "http://127.0.0.1:18090")]
    url: String,
    /// Username.
    #[arg(long)]
    user: String,
    /// Password.
    #[arg(long, default_value = "Zhucan@2026")]
    password: String,
    /// TOTP-SM3 secret (base32); the demo accounts' published one by default; `none` for none.
    #[arg(long, default_value = zhucan_domain::demo::DEMO_TOTP_SECRET)]
    totp_secret: String,
}

#[derive(Args, Clone)]
struct FanoutArgs {
    /// Server base URL.
    #[arg(long, default_value = "http://127.0.0.1:18090")]
    url: String,
    /// Volunteers (one WebSocket connection each).
    #[arg(long, default_value_t = 1000)]
    volunteers: usize,
    /// Guidance requests to publish.
    #[arg(long, default_value_t = 20)]
    requests: usize,
    /// Requests per second.
    #[arg(long, default_value_t = 1.0)]
    rate: f64,
    /// How many volunteers the server offers each request (its `guidance_max_offers`, when all
    /// volunteers are within the first radius); default: every subscriber (the worst case).
    #[arg(long)]
    offered: Option<usize>,
    /// Server process id, to read VmRSS from /proc/<pid>/status.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Run id in the volunteers' usernames (`load_vol_<run>_<i>`); default: random.
    #[arg(long)]
    run: Option<String>,
    /// Re-use the volunteers of `--run` (already registered and verified): only sign them in.
    #[arg(long, requires = "run")]
    reuse: bool,
    /// Admin who verifies the volunteers.
    #[arg(long, default_value = "street_admin_310115005")]
    admin: String,
    /// The admin's TOTP-SM3 secret (base32); the demo accounts' published one by default.
    #[arg(long, default_value = zhucan_domain::demo::DEMO_TOTP_SECRET)]
    admin_totp_secret: String,
    /// Citizen who publishes the requests.
    #[arg(long, default_value = "citizen_demo")]
    citizen: String,
    /// Password of the admin, the citizen and the load volunteers.
    #[arg(long, default_value = "Zhucan@2026")]
    password: String,
    /// Concurrent volunteer set-ups (register, verify, sign in, on duty, location).
    #[arg(long, default_value_t = 16)]
    setup_concurrency: usize,
    /// Concurrent WebSocket handshakes.
    #[arg(long, default_value_t = 64)]
    connect_concurrency: usize,
    /// Wait after the last `subscribe` before measuring memory and publishing.
    #[arg(long, default_value_t = 1000)]
    settle_ms: u64,
    /// Delay between a request's publish answer and its cancellation.
    #[arg(long, default_value_t = 0)]
    cancel_delay_ms: u64,
    /// After the last request: how long to wait for outstanding deliveries.
    #[arg(long, default_value_t = 60)]
    drain_secs: u64,
    /// Publish the requests on this node instead (two nodes sharing Redis); subscribers stay on
    /// `--url`.
    #[arg(long)]
    publish_url: Option<String>,
    /// Also write the summary as JSON to this file.
    #[arg(long)]
    json_out: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Fanout(args) => fanout(args).await,
        Command::Http(args) => http::run(args).await,
        Command::Token(args) => {
            let gql = Gql::new(&args.url, Arc::new(ErrorLog::default()))?;
            let secret = (args.totp_secret != "none").then_some(args.totp_secret.as_str());
            let token =
                volunteers::login_with(&gql, "login", &args.user, &args.password, secret).await;
            // Accounts without a second factor refuse a code they do not expect: retry without.
            let token = match token {
                Ok(t) => t,
                Err(_) if secret.is_some() => {
                    volunteers::login_with(&gql, "login", &args.user, &args.password, None).await?
                }
                Err(e) => return Err(e),
            };
            println!("{token}");
            Ok(())
        }
    }
}

/// One published request.
struct Published {
    index: usize,
    sent: Instant,
    request_id: Option<String>,
    publish_ms: Option<f64>,
    cancel_ms: Option<f64>,
}

/// What the subscribers reported.
#[derive(Default)]
struct Collected {
    offers: Vec<(usize, String, Instant)>,
    withdrawals: Vec<(usize, String, Instant)>,
    errors: BTreeMap<String, u64>,
    completes: u64,
    closed: BTreeMap<String, u64>,
    /// Volunteers with an error, a completed stream or a closed connection.
    affected: HashSet<usize>,
}

fn log(msg: impl AsRef<str>) {
    eprintln!(
        "[{}] {}",
        chrono::Local::now().format("%H:%M:%S%.3f"),
        msg.as_ref()
    );
}

fn rss_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS line")?;
    let kb = line
        .split_whitespace()
        .nth(1)
        .context("VmRSS without a value")?
        .parse()?;
    Ok(kb)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

fn fmt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"))
}

fn triple(sorted: &[f64]) -> String {
    format!(
        "{} / {} / {}",
        fmt_ms(pct(sorted, 50.0)),
        fmt_ms(pct(sorted, 99.0)),
        fmt_ms(sorted.last().copied())
    )
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

async fn fanout(args: FanoutArgs) -> anyhow::Result<()> {
    if !(args.rate > 0.0 && args.rate.is_finite()) {
        bail!("--rate must be positive");
    }
    if args.volunteers == 0 {
        bail!("--volunteers must be at least 1");
    }
    let run = args
        .run
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()[..8].to_owned());
    if !run.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || run.len() > 40 {
        bail!("--run may hold letters, digits and underscores only (≤ 40)");
    }
    if let Some(pid) = args.server_pid {
        rss_kb(pid).with_context(|| format!("--server-pid {pid}"))?;
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        log(format!("server pid {pid}: {}", comm.trim()));
    }
    let errors = Arc::new(ErrorLog::default());
    let gql = Gql::new(&args.url, errors.clone())?;
    gql.ready().await?;
    log(format!(
        "run id {run}{} — {} volunteers, {} requests at {}/s",
        if args.reuse { " (re-used)" } else { "" },
        args.volunteers,
        args.requests,
        args.rate
    ));

    // 1. Admin and citizen sessions, then the volunteers.
    let admin_token = volunteers::login_with(
        &gql,
        "login (admin)",
        &args.admin,
        &args.password,
        Some(&args.admin_totp_secret),
    )
    .await
    .context("admin sign-in")?;
    let citizen_token = volunteers::login(&gql, "login (citizen)", &args.citizen, &args.password)
        .await
        .context("citizen sign-in")?;
    let setup = Setup {
        gql: &gql,
        admin_token: &admin_token,
        run: &run,
        seed: volunteers::run_seed(&run),
        total: args.volunteers,
        password: &args.password,
        reuse: args.reuse,
    };
    let t_setup = Instant::now();
    let done = AtomicU64::new(0);
    let results: Vec<(usize, anyhow::Result<String>)> = futures::stream::iter(0..args.volunteers)
        .map(|i| {
            let setup = &setup;
            let done = &done;
            async move {
                let r = volunteers::prepare(setup, i).await;
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_multiple_of(100) {
                    log(format!("volunteers set up: {n}"));
                }
                (i, r)
            }
        })
        .buffer_unordered(args.setup_concurrency.max(1))
        .collect()
        .await;
    let setup_secs = t_setup.elapsed().as_secs_f64();
    let mut tokens = Vec::new();
    let mut setup_failures = Vec::new();
    for (i, r) in results {
        match r {
            Ok(t) => tokens.push((i, t)),
            Err(e) => setup_failures.push(format!("volunteer {i}: {e:#}")),
        }
    }
    tokens.sort_by_key(|(i, _)| *i);
    log(format!(
        "set-up: {} ok, {} failed in {setup_secs:.1} s",
        tokens.len(),
        setup_failures.len()
    ));
    for f in setup_failures.iter().take(5) {
        log(format!("  {f}"));
    }
    if tokens.is_empty() {
        bail!("no volunteer could be set up");
    }

    // 2. One subscriber per volunteer; memory before and after.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = args.server_pid.map(rss_kb).transpose()?;
    let (events_tx, mut events_rx) = mpsc::unbounded_channel::<SubEvent>();
    let (ready_tx, mut ready_rx) = mpsc::channel::<Result<(), String>>(tokens.len());
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let offers_seen = Arc::new(AtomicU64::new(0));
    let withdrawals_seen = Arc::new(AtomicU64::new(0));
    let collector = {
        let offers_seen = offers_seen.clone();
        let withdrawals_seen = withdrawals_seen.clone();
        tokio::spawn(async move {
            let mut c = Collected::default();
            while let Some(e) = events_rx.recv().await {
                match e {
                    SubEvent::Offer {
                        vol,
                        withdrawn: false,
                        request_id,
                        at,
                    } => {
                        offers_seen.fetch_add(1, Ordering::Relaxed);
                        c.offers.push((vol, request_id, at));
                    }
                    SubEvent::Offer {
                        vol,
                        withdrawn: true,
                        request_id,
                        at,
                    } => {
                        withdrawals_seen.fetch_add(1, Ordering::Relaxed);
                        c.withdrawals.push((vol, request_id, at));
                    }
                    SubEvent::Error { vol, message } => {
                        c.affected.insert(vol);
                        *c.errors.entry(message).or_default() += 1;
                    }
                    SubEvent::Complete { vol } => {
                        c.affected.insert(vol);
                        c.completes += 1;
                    }
                    SubEvent::Closed { vol, reason } => {
                        c.affected.insert(vol);
                        *c.closed.entry(reason).or_default() += 1;
                    }
                }
            }
            c
        })
    };
    let gate = Arc::new(Semaphore::new(args.connect_concurrency.max(1)));
    let url = gql.ws_url();
    let t_connect = Instant::now();
    let mut subscribers = Vec::with_capacity(tokens.len());
    for (vol, token) in &tokens {
        let s = Subscriber {
            vol: *vol,
            url: url.clone(),
            token: token.clone(),
            events: events_tx.clone(),
            ready: ready_tx.clone(),
            shutdown: shutdown_rx.clone(),
        };
        subscribers.push(tokio::spawn(s.run(gate.clone())));
    }
    drop(events_tx);
    drop(ready_tx);
    let mut subscribed = 0usize;
    let mut connect_failures: BTreeMap<String, u64> = BTreeMap::new();
    // Every subscriber reports exactly once (and keeps its sender while it runs).
    for _ in 0..tokens.len() {
        match ready_rx.recv().await {
            Some(Ok(())) => subscribed += 1,
            Some(Err(e)) => *connect_failures.entry(e).or_default() += 1,
            None => break,
        }
    }
    let connect_secs = t_connect.elapsed().as_secs_f64();
    log(format!(
        "subscribed: {subscribed} of {} in {connect_secs:.1} s ({} failed)",
        tokens.len(),
        connect_failures.values().sum::<u64>()
    ));
    for (e, n) in connect_failures.iter().take(5) {
        log(format!("  {n} × {e}"));
    }
    tokio::time::sleep(Duration::from_millis(args.settle_ms)).await;
    let rss_after = args.server_pid.map(rss_kb).transpose()?;
    if subscribed == 0 {
        bail!("no subscriber connected");
    }

    // 3. Publish at the given rate (on `--publish-url` when given); cancel each right after.
    let publisher = match &args.publish_url {
        Some(u) => Gql::new(u, errors.clone())?,
        None => gql.clone(),
    };
    let start = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let mut publishers = Vec::with_capacity(args.requests);
    for k in 0..args.requests {
        let at = start + interval.mul_f64(k as f64);
        let gql = publisher.clone();
        let token = citizen_token.clone();
        let cancel_delay = Duration::from_millis(args.cancel_delay_ms);
        tokio::time::sleep_until(at.into()).await;
        publishers.push(tokio::spawn(async move {
            publish_and_cancel(&gql, &token, k, cancel_delay).await
        }));
    }
    let mut published = Vec::with_capacity(args.requests);
    for p in publishers {
        published.push(p.await?);
    }
    let ok: Vec<&Published> = published
        .iter()
        .filter(|p| p.request_id.is_some())
        .collect();
    let cancelled = published.iter().filter(|p| p.cancel_ms.is_some()).count();
    // The volunteers each request reaches: every subscriber, or the server's offer cap.
    let reached = args.offered.map_or(subscribed, |n| n.min(subscribed));
    let expected_offers = (ok.len() * reached) as u64;
    let expected_withdrawals = (cancelled * reached) as u64;
    log(format!(
        "published {} of {} in {:.1} s, cancelled {cancelled}; waiting for deliveries",
        ok.len(),
        args.requests,
        start.elapsed().as_secs_f64()
    ));

    // 4. Drain.
    let deadline = Instant::now() + Duration::from_secs(args.drain_secs);
    let mut last_log = Instant::now();
    while Instant::now() < deadline
        && (offers_seen.load(Ordering::Relaxed) < expected_offers
            || withdrawals_seen.load(Ordering::Relaxed) < expected_withdrawals)
    {
        if last_log.elapsed() > Duration::from_secs(5) {
            log(format!(
                "received {} / {expected_offers} offers, {} / {expected_withdrawals} withdrawals",
                offers_seen.load(Ordering::Relaxed),
                withdrawals_seen.load(Ordering::Relaxed)
            ));
            last_log = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let drained_secs = start.elapsed().as_secs_f64();
    let rss_end = args.server_pid.map(rss_kb).transpose()?;
    let _ = shutdown_tx.send(true);
    for s in subscribers {
        let _ = tokio::time::timeout(Duration::from_secs(5), s).await;
    }
    let collected = collector.await?;

    // 5. Report.
    let sent: HashMap<&str, (usize, Instant)> = ok
        .iter()
        .filter_map(|p| p.request_id.as_deref().map(|id| (id, (p.index, p.sent))))
        .collect();
    let mut latencies = Vec::new();
    let mut per_request: HashMap<&str, (f64, f64, usize)> = HashMap::new();
    let mut seen: HashSet<(usize, &str)> = HashSet::new();
    let mut duplicates = 0u64;
    let mut unmatched = 0u64;
    for (vol, id, at) in &collected.offers {
        let Some((_, t0)) = sent.get(id.as_str()) else {
            unmatched += 1;
            continue;
        };
        if !seen.insert((*vol, id.as_str())) {
            duplicates += 1;
            continue;
        }
        let l = ms(at.saturating_duration_since(*t0));
        latencies.push(l);
        let e = per_request.entry(id.as_str()).or_insert((f64::MAX, 0.0, 0));
        e.0 = e.0.min(l);
        e.1 = e.1.max(l);
        e.2 += 1;
    }
    latencies.sort_by(f64::total_cmp);
    let received = latencies.len() as u64;
    let mut withdrawals_matched = 0u64;
    let mut seen_w: HashSet<(usize, &str)> = HashSet::new();
    for (vol, id, _) in &collected.withdrawals {
        if sent.contains_key(id.as_str()) && seen_w.insert((*vol, id.as_str())) {
            withdrawals_matched += 1;
        }
    }
    let mut first: Vec<f64> = per_request.values().map(|v| v.0).collect();
    let mut last: Vec<f64> = per_request.values().map(|v| v.1).collect();
    first.sort_by(f64::total_cmp);
    last.sort_by(f64::total_cmp);
    let mut publish_ms: Vec<f64> = published.iter().filter_map(|p| p.publish_ms).collect();
    let mut cancel_ms: Vec<f64> = published.iter().filter_map(|p| p.cancel_ms).collect();
    publish_ms.sort_by(f64::total_cmp);
    cancel_ms.sort_by(f64::total_cmp);
    // Only when every subscriber is offered every request does each volunteer expect them all.
    let short_volunteers = if reached == subscribed {
        let mut per_vol: HashMap<usize, usize> = HashMap::new();
        for (vol, _) in &seen {
            *per_vol.entry(*vol).or_default() += 1;
        }
        tokens
            .iter()
            .filter(|(v, _)| per_vol.get(v).copied().unwrap_or(0) < ok.len())
            .count()
            .to_string()
    } else {
        format!("– ({reached} offered per request)")
    };
    let sub_errors: u64 = collected.errors.values().sum();
    let closed: u64 = collected.closed.values().sum();

    println!();
    println!(
        "### guidance-offer fan-out — {} volunteers, {} requests at {}/s (run `{run}`)",
        subscribed, args.requests, args.rate
    );
    println!();
    println!("| metric | value |");
    println!("|---|---|");
    println!(
        "| volunteers subscribed / set up / asked | {subscribed} / {} / {} |",
        tokens.len(),
        args.volunteers
    );
    println!(
        "| requests published / attempted (cancelled) | {} / {} ({cancelled}) |",
        ok.len(),
        args.requests
    );
    println!(
        "| offer deliveries expected / received (lost) | {expected_offers} / {received} ({}) |",
        expected_offers.saturating_sub(received)
    );
    println!(
        "| withdrawals expected / received (lost), untimed | {expected_withdrawals} / {withdrawals_matched} ({}) |",
        expected_withdrawals.saturating_sub(withdrawals_matched)
    );
    println!(
        "| delivery latency p50 / p99 / max (ms) | {} |",
        triple(&latencies)
    );
    println!(
        "| per request: first / last volunteer reached, p50 (ms) | {} / {} |",
        fmt_ms(pct(&first, 50.0)),
        fmt_ms(pct(&last, 50.0))
    );
    println!(
        "| per request: last volunteer reached, max (ms) | {} |",
        fmt_ms(last.last().copied())
    );
    println!(
        "| publishGuidanceRequest HTTP p50 / p99 / max (ms) | {} |",
        triple(&publish_ms)
    );
    println!(
        "| cancelGuidanceRequest HTTP p50 / p99 / max (ms) | {} |",
        triple(&cancel_ms)
    );
    match (rss_before, rss_after) {
        (Some(b), Some(a)) => {
            let per = (a as f64 - b as f64) / subscribed as f64;
            println!("| server memory per idle connection | {per:.1} KB |");
            println!(
                "| server RSS before / after {subscribed} idle connections | {} / {} |",
                mb(b),
                mb(a)
            );
        }
        _ => println!("| server memory per idle connection | n/a (no --server-pid) |"),
    }
    if let Some(e) = rss_end {
        println!("| server RSS after the requests | {} |", mb(e));
    }
    println!(
        "| GraphQL HTTP errors (all operations) | {} |",
        errors.total()
    );
    println!(
        "| subscription errors / server-completed streams / closed (volunteers affected) | {sub_errors} / {} / {closed} ({}) |",
        collected.completes,
        collected.affected.len()
    );
    println!(
        "| volunteers missing ≥ 1 offer; duplicate / foreign offers | {short_volunteers}; {duplicates} / {unmatched} |"
    );
    println!(
        "| set-up {} volunteers / connect {subscribed} / publish + drain (s) | {setup_secs:.1} / {connect_secs:.1} / {drained_secs:.1} |",
        tokens.len()
    );

    let http_errors = errors.snapshot();
    if !http_errors.is_empty()
        || !collected.errors.is_empty()
        || !collected.closed.is_empty()
        || !connect_failures.is_empty()
    {
        println!();
        println!("Failures:");
        for (op, (n, example)) in &http_errors {
            println!("- {n} × `{op}`: {example}");
        }
        for (e, n) in &connect_failures {
            println!("- {n} × subscribe/connect: {e}");
        }
        for (e, n) in &collected.errors {
            println!("- {n} × subscription: {e}");
        }
        for (e, n) in &collected.closed {
            println!("- {n} × connection closed: {e}");
        }
    }
    let mut missing: Vec<(usize, usize)> = published
        .iter()
        .filter_map(|p| {
            let id = p.request_id.as_deref()?;
            let got = per_request.get(id).map_or(0, |v| v.2);
            (got < reached).then_some((p.index, reached - got))
        })
        .collect();
    missing.sort_unstable();
    if !missing.is_empty() {
        println!();
        println!("Requests with lost offers (request #, lost):");
        for (k, n) in missing {
            println!("- #{k}: {n}");
        }
    }
    if let Some(path) = &args.json_out {
        let per_kb = match (rss_before, rss_after) {
            (Some(b), Some(a)) => Some((a as f64 - b as f64) / subscribed as f64),
            _ => None,
        };
        let summary = json!({
            "subscribed": subscribed,
            "expected": expected_offers,
            "received": received,
            "lost": expected_offers.saturating_sub(received),
            "p50_ms": pct(&latencies, 50.0),
            "p99_ms": pct(&latencies, 99.0),
            "max_ms": latencies.last(),
            "kb_per_connection": per_kb,
            "rss_after_kb": rss_after,
            "http_errors": errors.total(),
            "subscription_errors": sub_errors,
            "closed_early": closed,
        });
        std::fs::write(path, summary.to_string())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let failed = errors.total() > 0
        || sub_errors > 0
        || expected_offers != received
        || subscribed < args.volunteers;
    if failed {
        bail!("the run had failures (see above)");
    }
    Ok(())
}

async fn publish_and_cancel(
    gql: &Gql,
    token: &str,
    index: usize,
    cancel_delay: Duration,
) -> Published {
    let sent = Instant::now();
    let r = gql
        .call(
            "publishGuidanceRequest",
            Some(token),
            "mutation($i: PublishGuidanceRequestInput!) { publishGuidanceRequest(input: $i) { id status } }",
            json!({"i": {
                "pickupAddress": "陆家嘴环路1000号",
                "pickupLatitude": LUJIAZUI.0,
                "pickupLongitude": LUJIAZUI.1,
                "destination": "浦东新区残联",
                "needs": format!("压测 #{index}"),
                "contactPhone": "13800000000",
            }}),
        )
        .await;
    let publish_ms = ms(sent.elapsed());
    let request_id = match r.and_then(|d| Ok(str_at(&d, "/publishGuidanceRequest/id")?.to_owned()))
    {
        Ok(id) => id,
        Err(e) => {
            log(format!("request #{index}: {e:#}"));
            return Published {
                index,
                sent,
                request_id: None,
                publish_ms: None,
                cancel_ms: None,
            };
        }
    };
    tokio::time::sleep(cancel_delay).await;
    let t = Instant::now();
    let c = gql
        .call(
            "cancelGuidanceRequest",
            Some(token),
            "mutation($id: ID!, $r: String!) { cancelGuidanceRequest(id: $id, reason: $r) { id status } }",
            json!({"id": request_id, "r": "压测结束"}),
        )
        .await;
    let cancel_ms =
        match c.and_then(|d| Ok(str_at(&d, "/cancelGuidanceRequest/status")?.to_owned())) {
            Ok(s) if s == "CANCELLED" => Some(ms(t.elapsed())),
            Ok(s) => {
                gql.errors
                    .record("cancelGuidanceRequest", &format!("status {s} after cancel"));
                None
            }
            Err(e) => {
                log(format!("cancel #{index}: {e:#}"));
                None
            }
        };
    Published {
        index,
        sent,
        request_id: Some(request_id),
        publish_ms: Some(publish_ms),
        cancel_ms,
    }
}
