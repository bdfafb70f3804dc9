//! Third-party clients: registered from a manifest on the command line, they run their trusted
//! documents (by hash) and nothing else, inside their granted scope, under their own quota;
//! wrong credentials are refused and audited; secrets rotate; disabled clients stop at once.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cli::zhucan;
use crate::helpers::{TestApp, code, ids};

const PUDONG: &str = include_str!("../../clients/third-party/pudong-flagship.json");
const SUISHENBAN: &str = include_str!("../../clients/third-party/suishenban.json");

fn manifest_path(name: &str) -> String {
    format!(
        "{}/clients/third-party/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The hash of the operation named `name` in a manifest.
fn hash_of(manifest: &str, name: &str) -> String {
    let m: Value = serde_json::from_str(manifest).expect("manifest json");
    m["operations"]
        .as_object()
        .expect("operations")
        .iter()
        .find(|(_, doc)| doc.as_str().unwrap().contains(&format!("query {name}")))
        .map(|(h, _)| h.clone())
        .unwrap_or_else(|| panic!("no operation {name}"))
}

fn document_of(manifest: &str, hash: &str) -> String {
    let m: Value = serde_json::from_str(manifest).expect("manifest json");
    m["operations"][hash].as_str().expect("document").to_owned()
}

struct Reply {
    status: StatusCode,
    body: Value,
    retry_after: Option<String>,
}

/// A third-party request: Basic credentials, an optional hash, an optional document.
async fn call(
    app: &TestApp,
    (id, secret): (&str, &str),
    hash: Option<&str>,
    query: Option<&str>,
    variables: Value,
) -> Reply {
    let mut body = json!({ "variables": variables });
    if let Some(h) = hash {
        body["extensions"] = json!({"persistedQuery": {"version": 1, "sha256Hash": h}});
    }
    if let Some(q) = query {
        body["query"] = json!(q);
    }
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("authorization", format!("Basic {basic}"))
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Reply {
        status,
        body: resp.json().await.expect("json body"),
        retry_after,
    }
}

/// Register a manifest with the command line and return the secret it printed.
fn register(app: &TestApp, name: &str, extra: &[&str]) -> Option<String> {
    let path = manifest_path(name);
    let mut args = vec!["clients", "register", "--manifest", path.as_str()];
    args.extend_from_slice(extra);
    let out = zhucan(app, &args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().find_map(|l| {
        l.split_once("请安全交付）: ")
            .map(|(_, s)| s.trim().to_owned())
    })
}

#[tokio::test]
async fn a_client_runs_only_its_trusted_documents_inside_its_scope() {
    let app = TestApp::spawn().await;
    app.person("浦东甲", ids::PUDONG_1, "41", "310115005").await;
    app.person("黄浦乙", ids::HUANGPU_1, "41", "310101002")
        .await;
    let secret = register(&app, "pudong-flagship", &[]).expect("a new client gets a secret");
    assert_eq!(secret.len(), 64, "256 random bits, hex");
    let creds = ("pudong-flagship", secret.as_str());
    let persons = hash_of(PUDONG, "DistrictPersons");

    // The trusted document, by hash alone: the district's people only, masked.
    let r = call(&app, creds, Some(&persons), None, json!({"first": 20})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["errors"].is_null(), "{}", r.body);
    let page = &r.body["data"]["persons"];
    assert_eq!(
        page["totalCount"], 1,
        "Huangpu is outside the grant: {page}"
    );
    assert_eq!(page["nodes"][0]["name"], "浦东甲");
    assert_eq!(page["nodes"][0]["idNumber"], "310***********1238");
    // The same document sent along with its hash is accepted too.
    let doc = document_of(PUDONG, &persons);
    let r = call(&app, creds, Some(&persons), Some(&doc), json!({})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    // The search operation of the manifest also runs (and validates against the schema).
    let search = hash_of(PUDONG, "ServiceSearch");
    let r = call(
        &app,
        creds,
        Some(&search),
        None,
        json!({"query": "康复", "first": 5}),
    )
    .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    // An arbitrary document is refused before it is parsed.
    let r = call(
        &app,
        creds,
        None,
        Some("{ persons(first: 100) { nodes { idNumber } } }"),
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&r.body), "PERSISTED_QUERY_REQUIRED");
    assert!(r.body["data"].is_null());

    // Another client's operation, or a different text under an allowed hash: not allowed.
    let items = hash_of(SUISHENBAN, "ServiceItems");
    let r = call(&app, creds, Some(&items), None, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&r.body), "PERSISTED_QUERY_NOT_ALLOWED");
    let r = call(
        &app,
        creds,
        Some(&persons),
        Some("{ persons(first: 100) { nodes { idNumber } } }"),
        json!({}),
    )
    .await;
    assert_eq!(code(&r.body), "PERSISTED_QUERY_NOT_ALLOWED");

    // A wrong secret is refused and audited.
    let r = call(
        &app,
        ("pudong-flagship", "not-the-secret"),
        Some(&persons),
        None,
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&r.body), "UNAUTHENTICATED");
    let failures = app
        .rows(
            "SELECT seq FROM audit_records WHERE operation = 'client.authenticate' \
             AND result = 'FAILURE:UNAUTHENTICATED' AND object_id = 'pudong-flagship'",
        )
        .await;
    assert_eq!(failures.len(), 1);
    // Unknown clients get the same answer.
    let r = call(&app, ("nobody", "x"), Some(&persons), None, json!({})).await;
    assert_eq!(code(&r.body), "UNAUTHENTICATED");
    assert!(
        app.rows("SELECT seq FROM audit_records WHERE operation = 'client.register'")
            .await
            .len()
            == 1
    );
}

#[tokio::test]
async fn secrets_rotate_and_disabled_clients_stop_at_once() {
    let app = TestApp::spawn().await;
    let old = register(&app, "suishenban", &[]).expect("secret");
    let items = hash_of(SUISHENBAN, "ServiceItems");
    let r = call(&app, ("suishenban", &old), Some(&items), None, json!({})).await;
    assert!(
        r.body["errors"].is_null(),
        "public catalog data: {}",
        r.body
    );
    assert!(r.body["data"]["serviceItems"].is_array());

    // Re-registering keeps the secret unless asked to rotate it.
    assert_eq!(register(&app, "suishenban", &[]), None);
    let new = register(&app, "suishenban", &["--rotate-secret"]).expect("new secret");
    assert_ne!(new, old);
    let r = call(&app, ("suishenban", &old), Some(&items), None, json!({})).await;
    assert_eq!(
        code(&r.body),
        "UNAUTHENTICATED",
        "the old secret stops working"
    );
    let r = call(&app, ("suishenban", &new), Some(&items), None, json!({})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    let out = zhucan(&app, &["clients", "disable", "suishenban"]);
    assert!(out.status.success());
    let r = call(&app, ("suishenban", &new), Some(&items), None, json!({})).await;
    assert_eq!(code(&r.body), "UNAUTHENTICATED");
    let out = zhucan(&app, &["clients", "list"]);
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(listed.contains("suishenban\t停用\tPUBLIC"), "{listed}");
    assert!(
        zhucan(&app, &["clients", "enable", "suishenban"])
            .status
            .success()
    );
    let r = call(&app, ("suishenban", &new), Some(&items), None, json!({})).await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    let ops: Vec<String> = app
        .rows(
            "SELECT operation FROM audit_records WHERE object_type = 'api_client' \
             AND operation <> 'client.authenticate' ORDER BY seq",
        )
        .await
        .iter()
        .map(|r| r.try_get::<String>("", "operation").unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "client.register",
            "client.register",
            "client.register",
            "client.disable",
            "client.enable"
        ]
    );
}

#[tokio::test]
async fn a_client_over_its_quota_is_rate_limited() {
    let app = TestApp::spawn().await;
    let mut m: Value = serde_json::from_str(SUISHENBAN).unwrap();
    m["client"]["quotaPerMinute"] = json!(2);
    let manifest =
        zhucan_domain::partners::Manifest::parse(&app.platform, &m.to_string()).expect("manifest");
    // What `zhucan clients register` does at the console.
    let console = zhucan_domain::Caller::console("test");
    zhucan_domain::partners::PartnerService::new(&app.platform, &console)
        .register(&manifest, false, Some("quota-secret"))
        .await
        .expect("register");
    let items = hash_of(SUISHENBAN, "ServiceItems");
    for _ in 0..2 {
        let r = call(
            &app,
            ("suishenban", "quota-secret"),
            Some(&items),
            None,
            json!({}),
        )
        .await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
    }
    let r = call(
        &app,
        ("suishenban", "quota-secret"),
        Some(&items),
        None,
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(code(&r.body), "RATE_LIMITED");
    let wait: u64 = r.retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&wait));
}

/// One way to spoil a manifest.
type Change = Box<dyn Fn(&mut Value)>;

#[tokio::test]
async fn bad_manifests_name_their_fault_and_write_nothing() {
    let app = TestApp::spawn().await;
    let good: Value = serde_json::from_str(PUDONG).unwrap();
    let persons = hash_of(PUDONG, "DistrictPersons");
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|m| m["client"]["id"] = json!("Pudong Flagship")),
            "client.id",
        ),
        (
            Box::new(|m| m["client"]["scope"]["region"] = json!("310199")),
            "client.scope.region",
        ),
        (
            Box::new(|m| m["client"]["scope"]["region"] = json!("310115005")),
            "client.scope.region",
        ),
        (
            Box::new(|m| m["client"]["scope"]["role"] = json!("CITIZEN")),
            "client.scope.role",
        ),
        (
            Box::new(|m| m["client"]["quotaPerMinute"] = json!(0)),
            "client.quotaPerMinute",
        ),
        (
            Box::new(|m| m["client"]["purpose"] = json!("  ")),
            "client.purpose",
        ),
        (
            Box::new(move |m| {
                m["operations"][&persons] = json!("query Changed { viewer { role } }")
            }),
            "operations.",
        ),
        (
            Box::new(|m| {
                let doc = "query Broken { persons(";
                let h = zhucan_domain::partners::document_hash(doc);
                m["operations"][h] = json!(doc);
            }),
            "文档无法解析",
        ),
        (Box::new(|m| m["operations"] = json!({})), "operations"),
        (Box::new(|m| m["client"]["extra"] = json!(1)), "manifest"),
    ];
    for (change, fault) in cases {
        let mut m = good.clone();
        change(&mut m);
        let err = zhucan_domain::partners::Manifest::parse(&app.platform, &m.to_string())
            .expect_err("a bad manifest is refused");
        assert!(err.to_string().contains(fault), "{fault}: {err}");
    }
    // On the command line: exit code 1, the fault on stderr, nothing registered.
    let dir = &app.settings.data_dir;
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("bad.json");
    std::fs::write(&path, "{\"client\": {}").unwrap();
    let out = zhucan(
        &app,
        &["clients", "register", "--manifest", path.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("manifest"));
    assert!(app.rows("SELECT id FROM api_clients").await.is_empty());
}

#[tokio::test]
async fn the_demo_clients_work_with_the_published_secret() {
    let app = TestApp::spawn().await;
    app.person("浦东甲", ids::PUDONG_1, "41", "310115005").await;
    zhucan::startup::seed_demo_clients(&app.platform)
        .await
        .expect("demo clients");
    let secret = zhucan::startup::DEMO_CLIENT_SECRET;
    let persons = hash_of(PUDONG, "DistrictPersons");
    let r = call(
        &app,
        ("pudong-flagship", secret),
        Some(&persons),
        None,
        json!({"first": 5, "filter": {"streetCode": "310115005"}}),
    )
    .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(r.body["data"]["persons"]["totalCount"], 1);
    // The public client may not read people: that operation is not on its list.
    let r = call(
        &app,
        ("suishenban", secret),
        Some(&persons),
        None,
        json!({}),
    )
    .await;
    assert_eq!(code(&r.body), "PERSISTED_QUERY_NOT_ALLOWED");
    let search = hash_of(SUISHENBAN, "ServiceSearch");
    let r = call(
        &app,
        ("suishenban", secret),
        Some(&search),
        None,
        json!({"query": "护理补贴"}),
    )
    .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
}
