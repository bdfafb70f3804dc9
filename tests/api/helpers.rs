//! Starting a server for a test, arranging data, and speaking GraphQL to it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use tokio::sync::OnceCell;
use zhucan::config::{LogFormat, Secret, Settings};
use zhucan::startup::{self, Application};
use zhucan_domain::Platform;
use zhucan_domain::audit::Actor;
use zhucan_domain::identity::{AccountOrigin, AccountRepo, NewAccount};
use zhucan_domain::person::{NewPersonInput, PersonWriter};
use zhucan_domain::types::RegionCode;
use zhucan_domain::viewer::{PersonScope, Role, Viewer};

/// Password of every test account.
pub const PASSWORD: &str = "Test@2026pw";

static COUNTER: AtomicU32 = AtomicU32::new(0);
static TEMPLATE: OnceCell<Template> = OnceCell::const_new();

/// A migrated database to copy per test.
enum Template {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn base_settings() -> Settings {
    Settings {
        http_addr: "127.0.0.1:0".parse().unwrap_or_else(|_| unreachable!()),
        demo_data: false,
        password_iterations: 1_000,
        database_max_connections: 8,
        log_format: LogFormat::Pretty,
        log_level: "warn".to_owned(),
        // Staff second factor: exercised by `second_factor.rs`, which turns it on; the other
        // tests sign staff in with the password alone.
        require_second_factor: false,
        // Revocations made elsewhere (another node, the command line) arrive within a second.
        revocation_poll_secs: 1,
        // Cockpit screens see changes within a tenth of a second; the nightly reconciliation is
        // run by the tests that test it.
        cockpit_push_ms: 100,
        cockpit_reconcile_check_secs: 0,
        ..Settings::default()
    }
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

async fn template() -> &'static Template {
    TEMPLATE
        .get_or_init(|| async {
            match std::env::var("ZHUCAN_TEST_DATABASE_URL")
                .ok()
                .filter(|u| !u.is_empty())
            {
                Some(admin_url) => {
                    let admin = Database::connect(&admin_url)
                        .await
                        .expect("connect to ZHUCAN_TEST_DATABASE_URL");
                    drop_stale_databases(&admin).await;
                    let name = format!("zhucan_test_{}_template", std::process::id());
                    admin
                        .execute_unprepared(&format!("CREATE DATABASE {name}"))
                        .await
                        .expect("create template");
                    let settings = Settings {
                        database_url: Some(Secret::new(with_database(&admin_url, &name))),
                        ..base_settings()
                    };
                    let platform = startup::platform(&settings)
                        .await
                        .expect("migrate template");
                    platform
                        .db
                        .conn()
                        .clone()
                        .close()
                        .await
                        .expect("close template");
                    Template::Postgres { admin_url, name }
                }
                None => {
                    let dir =
                        std::env::temp_dir().join(format!("zhucan-test-{}", std::process::id()));
                    std::fs::create_dir_all(&dir).expect("temp dir");
                    let settings = Settings {
                        data_dir: dir.clone(),
                        ..base_settings()
                    };
                    let platform = startup::platform(&settings)
                        .await
                        .expect("migrate template");
                    platform
                        .db
                        .conn()
                        .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                        .await
                        .expect("checkpoint");
                    platform
                        .db
                        .conn()
                        .clone()
                        .close()
                        .await
                        .expect("close template");
                    Template::Sqlite(dir.join("zhucan.db"))
                }
            }
        })
        .await
}

/// Drop databases left by earlier test processes that are no longer running.
async fn drop_stale_databases(admin: &sea_orm::DatabaseConnection) {
    let rows = admin
        .query_all_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'zhucan_test_%'",
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !std::path::Path::new(&format!("/proc/{p}")).exists()) {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

/// A running server with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:port`
    pub address: String,
    /// The platform behind the server (to arrange data and inspect storage).
    pub platform: Platform,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The settings the server runs with (the CLI tests reuse its database).
    pub settings: Settings,
    /// Bus subscribers of the node before any client subscribed (its own listeners).
    idle_subscribers: usize,
}

/// Wait, up to `within`, until `check` gives a value; panics naming `what` if it never does.
/// Polls every 25 ms: the condition, not a guessed delay, decides how long a test waits.
pub async fn eventually<T, F, Fut>(what: &str, within: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {within:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// Let `d` of wall-clock time pass with no traffic from this client: the scenario itself of
/// idle-timeout and keep-alive tests (an idle session, a silent socket), never a guess at how
/// long the server needs for something — that is what [`eventually`] is for.
pub async fn stay_idle(d: std::time::Duration) {
    tokio::time::sleep(d).await;
}

impl TestApp {
    /// The test's view of a server already running at `address` on `platform`.
    pub fn around(address: String, platform: Platform, settings: Settings) -> TestApp {
        TestApp {
            idle_subscribers: platform.bus.subscribers(),
            address,
            platform,
            client: reqwest::Client::new(),
            settings,
        }
    }

    /// Wait until `n` client subscriptions are in place on this node (their streams listen to
    /// the bus), so that events published next reach them.
    pub async fn subscribed(&self, n: usize) {
        let want = self.idle_subscribers + n;
        let bus = self.platform.bus.clone();
        eventually(
            "subscriptions in place",
            std::time::Duration::from_secs(10),
            || {
                let now = bus.subscribers();
                async move { (now >= want).then_some(()) }
            },
        )
        .await;
    }

    /// Start a server on a fresh copy of the migrated template.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|s| s).await
    }

    /// Start a second node on the same database (and Redis channel, when Redis is in use).
    pub async fn second_node(&self) -> TestApp {
        self.second_node_with(|s| s).await
    }

    /// Start a second node on the same database whose settings `adjust` changes first (e.g.
    /// another Redis channel: a node cut off from the bus).
    pub async fn second_node_with(&self, adjust: impl FnOnce(Settings) -> Settings) -> TestApp {
        let settings = adjust(self.settings.clone());
        let platform = startup::platform(&settings).await.expect("platform");
        let app = Application::build_with(settings.clone(), platform.clone())
            .await
            .expect("build node b");
        let address = format!("http://{}", app.local_addr().expect("addr"));
        tokio::spawn(app.run_until_stopped());
        TestApp::around(address, platform, settings)
    }

    /// Start a server whose settings `adjust` changes first.
    pub async fn spawn_with(adjust: impl FnOnce(Settings) -> Settings) -> TestApp {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let settings = match template().await {
            Template::Sqlite(file) => {
                let dir =
                    std::env::temp_dir().join(format!("zhucan-test-{}-{n}", std::process::id()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                std::fs::copy(file, dir.join("zhucan.db")).expect("copy template");
                Settings {
                    data_dir: dir,
                    ..base_settings()
                }
            }
            Template::Postgres { admin_url, name } => {
                let db = format!("zhucan_test_{}_{n}", std::process::id());
                let admin = Database::connect(admin_url)
                    .await
                    .expect("admin connection");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {db} TEMPLATE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                // Blobs (attachments) still go to a directory of this test's own.
                let dir =
                    std::env::temp_dir().join(format!("zhucan-test-{}-{n}", std::process::id()));
                Settings {
                    database_url: Some(Secret::new(with_database(admin_url, &db))),
                    data_dir: dir,
                    ..base_settings()
                }
            }
        };
        // With ZHUCAN_TEST_REDIS_URL set, events travel through Redis on a channel of this test's own.
        let settings = match std::env::var("ZHUCAN_TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(url) => Settings {
                redis_url: Some(Secret::new(url)),
                redis_channel: format!("zhucan-test-{}-{n}", std::process::id()),
                ..settings
            },
            None => settings,
        };
        let settings = adjust(settings);
        let platform = startup::platform(&settings).await.expect("platform");
        let app = Application::build_with(settings.clone(), platform.clone())
            .await
            .expect("build app");
        let address = format!("http://{}", app.local_addr().expect("addr"));
        tokio::spawn(app.run_until_stopped());
        TestApp::around(address, platform, settings)
    }

    /// Create an account of `role` bound to `region` (and `person` for citizens).
    pub async fn account(
        &self,
        username: &str,
        role: Role,
        region: Option<&str>,
        person: Option<uuid::Uuid>,
    ) {
        AccountRepo::new(&self.platform.db)
            .create(
                &self.platform.hasher,
                NewAccount {
                    username: username.to_owned(),
                    display_name: username.to_owned(),
                    password: PASSWORD.to_owned(),
                    role: Some(role),
                    origin: if matches!(role, Role::Citizen | Role::Volunteer) {
                        AccountOrigin::SelfRegistered
                    } else {
                        AccountOrigin::Operator
                    },
                    region: region.map(|r| RegionCode::parse("region", r).expect("region")),
                    person_id: person,
                    must_change_password: false,
                },
            )
            .await
            .expect("create account");
    }

    /// Sign in and return the access token.
    pub async fn login(&self, username: &str) -> String {
        let body = self
            .gql(None, "mutation($u:String!,$p:String!){ login(input:{username:$u,password:$p}){ accessToken } }", json!({"u": username, "p": PASSWORD}))
            .await;
        body["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {body}"))
            .to_owned()
    }

    /// The standard cast: city, two district, two street admins and the separated duties.
    pub async fn staff(&self) {
        self.account("city", Role::CityAdmin, Some("310000"), None)
            .await;
        self.account("pudong", Role::DistrictAdmin, Some("310115"), None)
            .await;
        self.account("huangpu", Role::DistrictAdmin, Some("310101"), None)
            .await;
        self.account("lujiazui", Role::StreetAdmin, Some("310115005"), None)
            .await;
        self.account("nanjingdonglu", Role::StreetAdmin, Some("310101002"), None)
            .await;
        self.account("sysadmin", Role::SystemAdmin, None, None)
            .await;
        self.account("secadmin", Role::SecurityAdmin, None, None)
            .await;
        self.account("auditor", Role::Auditor, None, None).await;
        self.account("volunteer", Role::Volunteer, None, None).await;
    }

    /// Register a person directly through the domain (as the city) and return their id.
    pub async fn person(
        &self,
        name: &str,
        id_number: &str,
        category_level: &str,
        street: &str,
    ) -> uuid::Uuid {
        let city = Viewer {
            account_id: uuid::Uuid::nil(),
            username: "fixture".into(),
            role: Role::CityAdmin,
            region: None,
            person_id: None,
            client: None,
        };
        let input = NewPersonInput {
            name: name.to_owned(),
            id_number: id_number.to_owned(),
            certificate_number: format!("{id_number}{category_level}"),
            phone: Some("13812345678".to_owned()),
            address: Some("上海市测试路1号".to_owned()),
            street_code: street.to_owned(),
            ..Default::default()
        };
        let new = input.parse(&self.platform.regions).expect("valid fixture");
        let actor = Actor::system("fixture");
        let scope = PersonScope::of(&city);
        let writer = PersonWriter {
            db: &self.platform.db,
            cipher: &self.platform.cipher,
            actor: &actor,
            scope: &scope,
        };
        writer
            .create(new)
            .await
            .expect("create fixture person")
            .id()
    }

    /// POST a GraphQL request and return the JSON body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        resp.json().await.expect("json body")
    }

    /// Number of SQL statements executed so far.
    pub fn statements(&self) -> u64 {
        self.platform.db.statements_executed()
    }

    /// Run raw SQL (arranging tampering, inspecting storage).
    pub async fn sql(&self, sql: &str) {
        self.platform
            .db
            .conn()
            .execute_unprepared(sql)
            .await
            .expect("sql");
    }

    /// Drop the append-only triggers of the audit trail, as an attacker with DDL rights (not the
    /// application's own DML) could, so that tests can tamper and watch verification catch it.
    pub async fn drop_audit_guard(&self) {
        let statements: &[&str] = match self.platform.db.backend() {
            sea_orm::DbBackend::Postgres => &[
                "DROP TRIGGER IF EXISTS audit_records_append_only ON audit_records",
                "DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records",
                "DROP TRIGGER IF EXISTS audit_head_forward ON audit_head",
                "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head",
            ],
            _ => &[
                "DROP TRIGGER IF EXISTS audit_records_no_update",
                "DROP TRIGGER IF EXISTS audit_records_no_delete",
                "DROP TRIGGER IF EXISTS audit_records_delete_below_anchor",
                "DROP TRIGGER IF EXISTS audit_head_forward",
                "DROP TRIGGER IF EXISTS audit_head_no_delete",
            ],
        };
        for sql in statements {
            self.sql(sql).await;
        }
    }

    /// Rows of a raw query.
    pub async fn rows(&self, sql: &str) -> Vec<sea_orm::QueryResult> {
        let conn = self.platform.db.conn();
        conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .expect("query")
    }
}

/// The error code of the first error.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

/// Valid ID numbers (GB 11643 check digits) for fixtures, in Pudong and Huangpu.
pub mod ids {
    /// Pudong, 1980-01-01, male.
    pub const PUDONG_1: &str = "310115198001011238";
    /// Pudong, 1990-05-20, female.
    pub const PUDONG_2: &str = "310115199005200022";
    /// Huangpu, 1975-03-15, male.
    pub const HUANGPU_1: &str = "310101197503150016";
    /// Pudong, 1985-11-11, male.
    pub const PUDONG_3: &str = "310115198511110017";
}

/// graphql-transport-ws client helpers.
pub mod ws {
    use std::time::Duration;

    use futures::{SinkExt, StreamExt};
    use serde_json::{Value, json};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    use super::TestApp;

    /// An open socket.
    pub type Ws = tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >;

    /// Open a socket speaking `protocol` (`graphql-transport-ws` or the legacy `graphql-ws`).
    pub async fn open(app: &TestApp, protocol: &str) -> Ws {
        let url = format!("{}/graphql/ws", app.address.replace("http://", "ws://"));
        let mut req = url.into_client_request().unwrap();
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        tokio_tungstenite::connect_async(req).await.unwrap().0
    }

    /// Send one JSON message.
    pub async fn send(ws: &mut Ws, v: Value) {
        ws.send(Message::text(v.to_string())).await.unwrap();
    }

    /// Read until the server closes: the close code and reason (text messages are skipped).
    pub async fn closed(ws: &mut Ws) -> (u16, String) {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .expect("closed in time");
            match msg {
                Some(Ok(Message::Close(Some(f)))) => {
                    return (u16::from(f.code), f.reason.to_string());
                }
                Some(Ok(_)) => continue,
                other => panic!("no close frame: {other:?}"),
            }
        }
    }

    /// Open a graphql-transport-ws socket, send `connection_init` with the token, and wait for
    /// the ack.
    pub async fn connect(app: &TestApp, token: &str) -> Ws {
        let mut ws = open(app, "graphql-transport-ws").await;
        send(
            &mut ws,
            json!({"type": "connection_init", "payload": {"accessToken": token}}),
        )
        .await;
        let ack = next(&mut ws).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        ws
    }

    /// Subscribe with id `id`.
    pub async fn subscribe(ws: &mut Ws, id: &str, query: &str, variables: Value) {
        ws.send(Message::text(json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}).to_string())).await.unwrap();
    }

    /// The next JSON message (10 s at most).
    pub async fn next(ws: &mut Ws) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .expect("message in time")
                .expect("open")
                .expect("ok");
            if let Message::Text(t) = msg {
                return serde_json::from_str(&t).unwrap();
            }
        }
    }

    /// Assert that nothing arrives for `ms` milliseconds.
    pub async fn quiet(ws: &mut Ws, ms: u64) {
        if let Ok(Some(Ok(Message::Text(t)))) =
            tokio::time::timeout(Duration::from_millis(ms), ws.next()).await
        {
            panic!("unexpected message: {t}");
        }
    }
}

/// A GraphQL multipart request (the GraphQL multipart request spec) uploading one file as the
/// variable `f` of `query`, with `variables` for the rest: the content type and the body.
pub fn multipart_upload(
    query: &str,
    mut variables: Value,
    file_name: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "zhucanBoundary7MA4YWxkTrZu0gW";
    variables["f"] = Value::Null;
    let ops = json!({"query": query, "variables": variables});
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{ops}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\":[\"variables.f\"]}}\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// Send a multipart request (with the CSRF header a browser form cannot set).
    pub async fn post_multipart(
        &self,
        token: &str,
        (content_type, body): (String, Vec<u8>),
    ) -> reqwest::Response {
        self.client
            .post(format!("{}/graphql", self.address))
            .header("content-type", content_type)
            .header("x-zhucan-csrf", "1")
            .bearer_auth(token)
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

/// The field `field` of a GraphQL answer's data, after asserting there were no errors.
pub fn ok<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "{field}: {body}");
    &body["data"][field]
}

/// A valid 18-digit ID number (GB 11643 check character) from its first 17 digits.
pub fn id_number(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).expect("digits") * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}
