//! SMS push end to end: the outbox on a real database (SQLite in a temp dir, or a fresh
//! PostgreSQL database when `ZHUCAN_TEST_DATABASE_URL` is set), the real HTTP gateway client,
//! and a fake gateway that is a real HTTP server on 127.0.0.1 speaking the same protocol.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use sea_orm::{ConnectionTrait, Database, EntityTrait, QueryOrder};
use sea_orm_migration::MigratorTrait;
use serde_json::{Value, json};
use zhucan_domain::crypto::{FieldCipher, StaticKeys};
use zhucan_domain::entities::sms_outbox;
use zhucan_domain::sms::{self, Backoff, SmsGateway, SmsSendError, SmsTemplate};
use zhucan_domain::types::Phone;
use zhucan_domain::{Db, DomainError};
use zhucan_integrations::sms_worker::{Clock, PassReport};
use zhucan_integrations::{HttpSmsGateway, SmsWorker, SmsWorkerOptions};

const API_KEY: &str = "test-gateway-key";
const PHONE: &str = "13812345678";

// ---------------------------------------------------------------------------------------------
// The fake gateway
// ---------------------------------------------------------------------------------------------

/// One request as the gateway saw it.
#[derive(Debug, Clone)]
struct Received {
    to: String,
    text: String,
    key: String,
}

#[derive(Default)]
struct GatewayState {
    /// Answer this many of the next requests with 503.
    fail_next: AtomicUsize,
    /// Answer every request with this status (and `{"code": "INVALID_NUMBER"}`).
    reject_with: Mutex<Option<u16>>,
    /// Time taken per request.
    delay: Mutex<Duration>,
    /// Every request, authorised or not, failed or not.
    requests: Mutex<Vec<Received>>,
    /// Delivered messages by idempotency key: (message id, request).
    delivered: Mutex<HashMap<String, (String, Received)>>,
}

struct FakeGateway {
    url: String,
    state: Arc<GatewayState>,
}

impl FakeGateway {
    async fn start() -> Self {
        let state = Arc::new(GatewayState::default());
        let app = axum::Router::new()
            .route("/v1/messages", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, state }
    }

    fn client(&self) -> Arc<dyn SmsGateway> {
        Arc::new(HttpSmsGateway::new(&self.url, API_KEY).unwrap())
    }

    fn requests(&self) -> Vec<Received> {
        self.state.requests.lock().unwrap().clone()
    }

    fn delivered(&self) -> HashMap<String, (String, Received)> {
        self.state.delivered.lock().unwrap().clone()
    }
}

async fn receive(
    State(state): State<Arc<GatewayState>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let field = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    let received = Received {
        to: field("to"),
        text: field("text"),
        key: field("idempotencyKey"),
    };
    state.requests.lock().unwrap().push(received.clone());
    let delay = *state.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let authorised = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {API_KEY}"));
    if !authorised {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": "UNAUTHORIZED"})),
        )
            .into_response();
    }
    if received.to.is_empty() || received.text.is_empty() || received.key.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"code": "MISSING_FIELD"})),
        )
            .into_response();
    }
    if state
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"code": "UPSTREAM_DOWN"})),
        )
            .into_response();
    }
    if let Some(status) = *state.reject_with.lock().unwrap() {
        // A real gateway might echo the number; the client must not store it.
        return (
            StatusCode::from_u16(status).unwrap(),
            Json(
                json!({"code": "INVALID_NUMBER", "message": format!("bad number {}", received.to)}),
            ),
        )
            .into_response();
    }
    let mut delivered = state.delivered.lock().unwrap();
    let next = delivered.len() + 1;
    let (message_id, _) = delivered
        .entry(received.key.clone())
        .or_insert_with(|| (format!("msg-{next}"), received));
    (StatusCode::OK, Json(json!({"messageId": message_id}))).into_response()
}

// ---------------------------------------------------------------------------------------------
// A real database per test
// ---------------------------------------------------------------------------------------------

static COUNTER: AtomicU32 = AtomicU32::new(0);

enum Place {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

struct TestDb {
    db: Db,
    url: String,
    place: Place,
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

impl TestDb {
    async fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        let (url, place) = match std::env::var("ZHUCAN_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) => {
                // `zhucan_test_<pid>_…`: the API tests' stale-database sweep recognises it.
                let name = format!("zhucan_test_{pid}_sms{n}");
                let admin = Database::connect(&admin_url).await.unwrap();
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                admin.close().await.ok();
                (
                    with_database(&admin_url, &name),
                    Place::Postgres { admin_url, name },
                )
            }
            None => {
                let dir = std::env::temp_dir().join(format!("zhucan-sms-test-{pid}-{n}"));
                std::fs::create_dir_all(&dir).unwrap();
                (
                    format!("sqlite://{}?mode=rwc", dir.join("zhucan.db").display()),
                    Place::Sqlite(dir),
                )
            }
        };
        let db = Db::connect(&url, 8).await.unwrap();
        zhucan_migrations::Migrator::up(db.conn(), None)
            .await
            .unwrap();
        Self { db, url, place }
    }

    /// Another connection pool to the same database: a second node.
    async fn second_node(&self) -> Db {
        Db::connect(&self.url, 8).await.unwrap()
    }

    async fn rows(&self) -> Vec<sms_outbox::Model> {
        sms_outbox::Entity::find()
            .order_by_asc(sms_outbox::Column::CreatedAt)
            .all(self.db.conn())
            .await
            .unwrap()
    }

    async fn only_row(&self) -> sms_outbox::Model {
        let mut rows = self.rows().await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        rows.remove(0)
    }

    /// Drop the database (or its directory). Skipped when a test fails; the next run's sweep
    /// (PostgreSQL) or the OS (temp dir) clears those.
    async fn finish(self, others: Vec<Db>) {
        for db in others {
            db.conn().clone().close().await.ok();
        }
        self.db.conn().clone().close().await.ok();
        match self.place {
            Place::Sqlite(dir) => {
                std::fs::remove_dir_all(dir).ok();
            }
            Place::Postgres { admin_url, name } => {
                let admin = Database::connect(&admin_url).await.unwrap();
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok();
                admin.close().await.ok();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn cipher() -> FieldCipher {
    FieldCipher::new(Arc::new(StaticKeys::demo().unwrap()))
}

fn phone() -> Phone {
    Phone::parse("phone", PHONE).unwrap()
}

/// A clock `offset` seconds ahead of the real one.
fn shifted_clock(offset: &Arc<AtomicI64>) -> Clock {
    let offset = offset.clone();
    Arc::new(move || Utc::now() + chrono::TimeDelta::seconds(offset.load(Ordering::SeqCst)))
}

/// Queue the claimed-PIN SMS of request `n` in its own committed transaction.
async fn enqueue_claimed(db: &Db, cipher: &FieldCipher, n: usize) -> bool {
    let w = db.begin_write().await.unwrap();
    let queued = sms::enqueue(
        &w.txn,
        cipher,
        &format!("guidance:req-{n}:claimed:requester"),
        &phone(),
        SmsTemplate::GuidanceClaimed,
        sms::params([("pin", format!("{:04}", 1000 + n).as_str())]),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    queued
}

fn worker(db: &TestDb, gateway: &FakeGateway, clock: Clock) -> SmsWorker {
    SmsWorker::new(db.db.clone(), cipher(), gateway.client()).with_clock(clock)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn enqueuing_the_same_event_twice_stores_one_row_and_sends_one_sms() {
    let t = TestDb::new().await;
    let gateway = FakeGateway::start().await;
    let c = cipher();

    let w = t.db.begin_write().await.unwrap();
    let first = sms::enqueue(
        &w.txn,
        &c,
        "guidance:req-1:escalated:admin-7",
        &phone(),
        SmsTemplate::GuidanceEscalated,
        sms::params([
            ("request_no", "G20261130-0001"),
            ("street", "陆家嘴街道"),
            ("minutes", "15"),
        ]),
    )
    .await
    .unwrap();
    // The same event again, in the same transaction: nothing written, no error, and the
    // transaction is still usable (ON CONFLICT DO NOTHING does not abort it on PostgreSQL).
    let second = sms::enqueue(
        &w.txn,
        &c,
        "guidance:req-1:escalated:admin-7",
        &phone(),
        SmsTemplate::GuidanceEscalated,
        sms::params([
            ("request_no", "G20261130-0001"),
            ("street", "陆家嘴街道"),
            ("minutes", "15"),
        ]),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    // And once more in a later transaction.
    let w = t.db.begin_write().await.unwrap();
    let third = sms::enqueue(
        &w.txn,
        &c,
        "guidance:req-1:escalated:admin-7",
        &phone(),
        SmsTemplate::GuidanceEscalated,
        sms::params([
            ("request_no", "G20261130-0001"),
            ("street", "陆家嘴街道"),
            ("minutes", "16"),
        ]),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    assert_eq!((first, second, third), (true, false, false));

    let row = t.only_row().await;
    assert_eq!(row.status, "PENDING");
    assert_eq!(row.template, "GUIDANCE_ESCALATED");

    let worker = worker(&t, &gateway, Arc::new(Utc::now));
    assert_eq!(worker.run_once().await, 1);
    assert_eq!(worker.run_once().await, 0);

    let requests = gateway.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].to, PHONE);
    assert_eq!(
        requests[0].text,
        "【上海残联】助盲出行需求G20261130-0001（陆家嘴街道）已超过15分钟无人认领，请尽快协调志愿者。"
    );
    assert_eq!(requests[0].key, row.id.to_string());

    let row = t.only_row().await;
    assert_eq!(row.status, "SENT");
    assert_eq!(row.attempts, 1);
    assert_eq!(row.gateway_message_id.as_deref(), Some("msg-1"));
    assert!(row.sent_at.is_some());
    assert!(row.locked_until.is_none());
    t.finish(vec![]).await;
}

#[tokio::test]
async fn an_sms_enqueued_in_a_rolled_back_transaction_is_never_sent() {
    let t = TestDb::new().await;
    let gateway = FakeGateway::start().await;
    {
        let w = t.db.begin_write().await.unwrap();
        let queued = sms::enqueue(
            &w.txn,
            &cipher(),
            "volunteer:v-1:verified",
            &phone(),
            SmsTemplate::VolunteerVerified,
            serde_json::Map::new(),
        )
        .await
        .unwrap();
        assert!(queued);
        // Dropped without commit: the domain change failed, so no SMS.
    }
    assert!(t.rows().await.is_empty());
    assert_eq!(worker(&t, &gateway, Arc::new(Utc::now)).run_once().await, 0);
    assert!(gateway.requests().is_empty());
    t.finish(vec![]).await;
}

#[tokio::test]
async fn enqueue_refuses_parameters_the_template_does_not_need_and_writes_nothing() {
    let t = TestDb::new().await;
    let w = t.db.begin_write().await.unwrap();
    let err = sms::enqueue(
        &w.txn,
        &cipher(),
        "guidance:req-9:claimed:requester",
        &phone(),
        SmsTemplate::GuidanceClaimed,
        sms::params([("pin", "1234"), ("name", "张三")]),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DomainError::BadInput { .. }), "{err:?}");
    let err = sms::enqueue(
        &w.txn,
        &cipher(),
        &format!("guidance:req-9:claimed:{PHONE}"),
        &phone(),
        SmsTemplate::GuidanceClaimed,
        sms::params([("pin", "1234")]),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DomainError::BadInput { .. }), "{err:?}");
    w.commit().await.unwrap();
    assert!(t.rows().await.is_empty());
    t.finish(vec![]).await;
}

#[tokio::test]
async fn two_workers_on_two_nodes_send_each_message_exactly_once() {
    let t = TestDb::new().await;
    let gateway = FakeGateway::start().await;
    *gateway.state.delay.lock().unwrap() = Duration::from_millis(15);
    let c = cipher();
    const MESSAGES: usize = 24;
    for n in 0..MESSAGES {
        assert!(enqueue_claimed(&t.db, &c, n).await);
    }
    let options = SmsWorkerOptions {
        batch_size: 4,
        concurrency: 2,
        ..SmsWorkerOptions::default()
    };
    let node_b = t.second_node().await;
    let a = worker(&t, &gateway, Arc::new(Utc::now)).with_options(options);
    let b = SmsWorker::new(node_b.clone(), cipher(), gateway.client()).with_options(options);

    let mut passes = Vec::new();
    loop {
        let (ra, rb): (PassReport, PassReport) = tokio::join!(a.run_pass(), b.run_pass());
        passes.push((ra, rb));
        if ra.claimed == 0 && rb.claimed == 0 {
            break;
        }
        assert!(passes.len() < 100, "workers do not finish: {passes:?}");
    }
    let sent: usize = passes.iter().map(|(a, b)| a.sent + b.sent).sum();
    assert_eq!(sent, MESSAGES, "{passes:?}");
    assert!(
        passes.iter().any(|(a, _)| a.sent > 0) && passes.iter().any(|(_, b)| b.sent > 0),
        "both workers should have taken part: {passes:?}"
    );

    // No request was made twice: the claims never overlapped (the gateway's own dedupe is a
    // second line of defence, not what keeps this count exact).
    let requests = gateway.requests();
    assert_eq!(requests.len(), MESSAGES);
    let mut keys: Vec<&str> = requests.iter().map(|r| r.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), MESSAGES);
    assert_eq!(gateway.delivered().len(), MESSAGES);

    let rows = t.rows().await;
    assert_eq!(rows.len(), MESSAGES);
    assert!(
        rows.iter().all(|r| r.status == "SENT" && r.attempts == 1),
        "{rows:?}"
    );
    t.finish(vec![node_b]).await;
}

#[tokio::test]
async fn a_gateway_outage_is_retried_after_the_backoff_and_then_sent() {
    let t = TestDb::new().await;
    let gateway = FakeGateway::start().await;
    gateway.state.fail_next.store(1, Ordering::SeqCst);
    assert!(enqueue_claimed(&t.db, &cipher(), 1).await);
    let offset = Arc::new(AtomicI64::new(0));
    let worker = worker(&t, &gateway, shifted_clock(&offset));

    let first = worker.run_pass().await;
    assert_eq!((first.claimed, first.retrying, first.sent), (1, 1, 0));
    let row = t.only_row().await;
    assert_eq!(row.status, "PENDING");
    assert_eq!(row.attempts, 1);
    assert_eq!(
        row.last_error.as_deref(),
        Some("retryable: HTTP 503 UPSTREAM_DOWN")
    );
    let wait = row.next_attempt_at - Utc::now();
    assert!(
        wait > chrono::TimeDelta::seconds(3) && wait <= chrono::TimeDelta::seconds(5),
        "first retry after 5 s, not {wait}"
    );

    // Not yet due.
    assert_eq!(worker.run_pass().await.claimed, 0);
    // Five seconds later it is.
    offset.store(6, Ordering::SeqCst);
    assert_eq!(worker.run_once().await, 1);

    let requests = gateway.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].key, requests[1].key);
    assert_eq!(gateway.delivered().len(), 1);
    let row = t.only_row().await;
    assert_eq!(row.status, "SENT");
    assert_eq!(row.attempts, 2);
    assert_eq!(row.last_error, None);
    t.finish(vec![]).await;
}

#[tokio::test]
async fn a_permanent_rejection_ends_in_failed_without_retry() {
    let t = TestDb::new().await;
    let gateway = FakeGateway::start().await;
    *gateway.state.reject_with.lock().unwrap() = Some(400);
    assert!(enqueue_claimed(&t.db, &cipher(), 1).await);
    let offset = Arc::new(AtomicI64::new(0));
    let worker = worker(&t, &gateway, shifted_clock(&offset));

    let report = worker.run_pass().await;
    assert_eq!((report.claimed, report.failed), (1, 1));
    offset.store(3_600, Ordering::SeqCst);
    assert_eq!(worker.run_pass().await.claimed, 0);
    assert_eq!(gateway.requests().len(), 1);

    let row = t.only_row().await;
    assert_eq!(row.status, "FAILED");
    assert_eq!(row.attempts, 1);
    // The gateway echoed the number in its message; only its code is kept.
    assert_eq!(
        row.last_error.as_deref(),
        Some("permanent: HTTP 400 INVALID_NUMBER")
    );
    t.finish(vec![]).await;
}

#[tokio::test]
async fn a_gateway_that_never_recovers_is_given_up_after_eight_attempts() {
    let t = TestDb::new().await;
    let gateway = FakeGateway::start().await;
    gateway.state.fail_next.store(usize::MAX, Ordering::SeqCst);
    assert!(enqueue_claimed(&t.db, &cipher(), 1).await);
    let offset = Arc::new(AtomicI64::new(0));
    let worker = worker(&t, &gateway, shifted_clock(&offset));

    let mut waits = Vec::new();
    for attempt in 1..=8 {
        let report = worker.run_pass().await;
        assert_eq!(report.claimed, 1, "attempt {attempt}");
        let row = t.only_row().await;
        assert_eq!(row.attempts, attempt);
        if attempt < 8 {
            assert_eq!(row.status, "PENDING");
            let now = Utc::now() + chrono::TimeDelta::seconds(offset.load(Ordering::SeqCst));
            waits.push((row.next_attempt_at - now).num_milliseconds());
        } else {
            assert_eq!(row.status, "FAILED");
        }
        offset.fetch_add(11 * 60, Ordering::SeqCst);
    }
    // 5 s doubling: each wait within a second of the schedule.
    let expected = [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000];
    for (w, e) in waits.iter().zip(expected) {
        assert!((e - 1_000..=e).contains(w), "{waits:?}");
    }
    assert_eq!(worker.run_pass().await.claimed, 0);
    assert_eq!(gateway.requests().len(), 8);
    assert!(gateway.delivered().is_empty());
    t.finish(vec![]).await;
}

#[tokio::test]
async fn a_claim_abandoned_by_a_crashed_worker_is_taken_over_after_its_lease() {
    let t = TestDb::new().await;
    let gateway = FakeGateway::start().await;
    let c = cipher();
    assert!(enqueue_claimed(&t.db, &c, 1).await);
    // A worker claims the row and dies before sending.
    let lease = Duration::from_secs(120);
    let claimed = sms::claim_due(&t.db, &c, Utc::now(), 10, lease, &Backoff::default())
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].1, phone());
    assert_eq!(t.only_row().await.status, "SENDING");

    let offset = Arc::new(AtomicI64::new(0));
    let worker = worker(&t, &gateway, shifted_clock(&offset));
    assert_eq!(worker.run_pass().await.claimed, 0, "the lease still holds");
    offset.store(121, Ordering::SeqCst);
    assert_eq!(worker.run_once().await, 1);
    let row = t.only_row().await;
    assert_eq!(row.status, "SENT");
    assert_eq!(row.attempts, 2);
    assert_eq!(gateway.requests().len(), 1);
    t.finish(vec![]).await;
}

#[tokio::test]
async fn the_outbox_row_holds_no_plaintext_phone_number() {
    let t = TestDb::new().await;
    let gateway = FakeGateway::start().await;
    *gateway.state.reject_with.lock().unwrap() = Some(422);
    let c = cipher();
    assert!(enqueue_claimed(&t.db, &c, 7).await);
    worker(&t, &gateway, Arc::new(Utc::now)).run_once().await;

    let row = t.only_row().await;
    let as_text = format!("{row:?}");
    for needle in [PHONE, "138****5678", "12345678"] {
        assert!(!as_text.contains(needle), "{needle} in {as_text}");
    }
    assert!(!row.phone_enc.windows(4).any(|w| w == b"1381"));
    assert_eq!(row.params, r#"{"pin":"1007"}"#);
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| !e.contains(PHONE))
    );
    // The ciphertext is bound to this table, column and row.
    assert_eq!(
        c.decrypt(sms::phone_aad(&row.id), &row.phone_enc).unwrap(),
        PHONE
    );
    let other = uuid::Uuid::now_v7();
    assert!(c.decrypt(sms::phone_aad(&other), &row.phone_enc).is_err());
    t.finish(vec![]).await;
}

#[tokio::test]
async fn the_http_client_sends_the_bearer_key_and_a_wrong_key_is_a_permanent_error() {
    let gateway = FakeGateway::start().await;
    let good = HttpSmsGateway::new(&gateway.url, API_KEY).unwrap();
    let id = good.send(&phone(), "你好", "k-1").await.unwrap();
    assert_eq!(id, "msg-1");
    // The same idempotency key again: the gateway answers with the same message.
    assert_eq!(good.send(&phone(), "你好", "k-1").await.unwrap(), "msg-1");
    assert_eq!(gateway.delivered().len(), 1);

    let wrong = HttpSmsGateway::new(&gateway.url, "not-the-key").unwrap();
    let err = wrong.send(&phone(), "你好", "k-2").await.unwrap_err();
    assert_eq!(
        err,
        SmsSendError::Permanent("HTTP 401 UNAUTHORIZED".to_owned())
    );

    gateway.state.fail_next.store(1, Ordering::SeqCst);
    let err = good.send(&phone(), "你好", "k-3").await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn a_rate_limited_gateway_or_an_answer_without_a_message_id_is_retryable() {
    // 429 from a gateway that rate-limits.
    let app = axum::Router::new().route(
        "/v1/messages",
        post(|| async { StatusCode::TOO_MANY_REQUESTS }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let err = HttpSmsGateway::new(&url, API_KEY)
        .unwrap()
        .send(&phone(), "t", "k")
        .await
        .unwrap_err();
    assert_eq!(err, SmsSendError::Retryable("HTTP 429".to_owned()));

    // A 2xx without a message id: accepted or not, retrying with the same key is safe.
    let app = axum::Router::new().route("/v1/messages", post(|| async { Json(json!({})) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let err = HttpSmsGateway::new(&url, API_KEY)
        .unwrap()
        .send(&phone(), "t", "k")
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}
