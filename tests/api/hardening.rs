//! GraphQL hardening at the edge: no mutations over GET, CSRF-safe content types, document
//! limits (size, tokens, aliases, depth), one sign-in per request, no array batching.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, code};

async fn post_raw(
    app: &TestApp,
    content_type: &str,
    body: String,
    extra: Option<(&str, &str)>,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", content_type)
        .body(body);
    if let Some((k, v)) = extra {
        req = req.header(k, v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn mutations_are_refused_over_get() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let q = format!(
        "mutation {{ login(input: {{username: \"city\", password: \"{PASSWORD}\"}}) {{ accessToken }} }}"
    );
    let url = reqwest::Url::parse_with_params(
        &format!("{}/graphql", app.address),
        &[("query", q.as_str())],
    )
    .unwrap();
    let resp = app.client.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 405);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "BAD_REQUEST");
    assert!(
        app.rows("SELECT seq FROM audit_records WHERE operation = 'auth.login'")
            .await
            .is_empty(),
        "nothing ran"
    );
}

#[tokio::test]
async fn a_persisted_mutation_is_refused_over_get_too() {
    use sha2::Digest;
    let app = TestApp::spawn().await;
    app.staff().await;
    let login = format!(
        "mutation {{ login(input: {{username: \"city\", password: \"{PASSWORD}\"}}) {{ accessToken }} }}"
    );
    let logout = "mutation { logout }";
    for document in [login.as_str(), logout] {
        let hash = hex::encode(sha2::Sha256::digest(document.as_bytes()));
        let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
        // Registered over POST (where it may run)…
        app.client
            .post(format!("{}/graphql", app.address))
            .json(&json!({"query": document, "extensions": ext}))
            .send()
            .await
            .unwrap();
        let before = app
            .rows("SELECT seq FROM audit_records WHERE operation LIKE 'auth.%'")
            .await
            .len();
        // …its hash alone over GET is still a mutation.
        let url = reqwest::Url::parse_with_params(
            &format!("{}/graphql", app.address),
            &[("extensions", ext.to_string())],
        )
        .unwrap();
        let resp = app.client.get(url).send().await.unwrap();
        assert_eq!(resp.status(), 405, "{document}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(code(&body), "BAD_REQUEST", "{body}");
        assert!(
            body["errors"][0].get("locations").is_none(),
            "a server-made error has no locations: {body}"
        );
        let after = app
            .rows("SELECT seq FROM audit_records WHERE operation LIKE 'auth.%'")
            .await
            .len();
        assert_eq!(before, after, "nothing ran: {document}");
    }
}

#[tokio::test]
async fn browser_simple_content_types_need_a_preflight_header() {
    let app = TestApp::spawn().await;
    let body = json!({"query": "{ regions { code } }"}).to_string();
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain;charset=UTF-8",
    ] {
        let resp = post_raw(&app, ct, body.clone(), None).await;
        assert_eq!(resp.status(), 400, "{ct}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(code(&v), "BAD_REQUEST", "{ct}");
    }
    let ok = post_raw(&app, "application/json", body.clone(), None).await;
    assert_eq!(ok.status(), 200);
    let v: Value = ok.json().await.unwrap();
    assert_eq!(v["data"]["regions"].as_array().unwrap().len(), 16);
}

#[tokio::test]
async fn oversized_deep_aliased_and_token_flooded_documents_are_refused() {
    let app = TestApp::spawn().await;
    let aliases: String = (0..16)
        .map(|i| format!("a{i}: regions {{ code }} "))
        .collect();
    let too_many_aliases = app.gql(None, &format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(
        code(&too_many_aliases),
        "GRAPHQL_VALIDATION_FAILED",
        "{too_many_aliases}"
    );
    assert!(
        too_many_aliases["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("别名")
    );
    assert!(too_many_aliases["data"].is_null());

    let tokens: String = (0..2_100).map(|_| "code ").collect();
    let flooded = app
        .gql(None, &format!("{{ regions {{ {tokens} }} }}"), json!({}))
        .await;
    assert_eq!(code(&flooded), "GRAPHQL_VALIDATION_FAILED", "{flooded}");

    let huge = format!("{{ regions {{ code }} }} # {}", "x".repeat(20_000));
    assert_eq!(
        code(&app.gql(None, &huge, json!({})).await),
        "GRAPHQL_VALIDATION_FAILED"
    );

    let deep = format!(
        "{{ region(code: \"310115005\") {}{} }}",
        "{ parent ".repeat(13),
        "{ code }".to_owned() + &" }".repeat(13)
    );
    let body = app.gql(None, &deep, json!({})).await;
    assert!(
        body["data"].is_null() && !body["errors"].is_null(),
        "depth limit: {body}"
    );

    let body_too_large = post_raw(
        &app,
        "application/json",
        json!({"query": "{ regions { code } }", "x": "y".repeat(2 << 20)}).to_string(),
        None,
    )
    .await;
    assert_eq!(body_too_large.status(), 413);
}

#[tokio::test]
async fn sign_in_cannot_be_batched_or_repeated_within_one_request() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let twice = format!(
        "mutation {{ a: login(input: {{username: \"city\", password: \"x1\"}}) {{ accessToken }} b: login(input: {{username: \"city\", password: \"{PASSWORD}\"}}) {{ accessToken }} }}"
    );
    let body = app.gql(None, &twice, json!({})).await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    let batch = json!([{"query": "mutation { login(input: {username: \"city\", password: \"x\"}) { accessToken } }"}, {"query": "{ regions { code } }"}]);
    let resp = post_raw(&app, "application/json", batch.to_string(), None).await;
    assert_ne!(resp.status(), 200, "array batching is not accepted");
    assert!(
        app.rows("SELECT seq FROM audit_records WHERE operation = 'auth.login'")
            .await
            .is_empty(),
        "no sign-in was attempted"
    );
}

#[tokio::test]
async fn requests_over_the_rate_limit_get_429_with_retry_after_on_every_node() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        rate_limit_ip_per_minute: 12,
        rate_limit_account_per_minute: 3,
        ..s
    })
    .await;
    app.staff().await;
    let token = app.login("city").await;
    // Per account: three requests a minute, then 429 with Retry-After. (With Redis the window
    // is a calendar minute; a window that turns over during the test allows at most three more,
    // so the 429 comes within eight.)
    let mut refused = None;
    for i in 0..8 {
        let resp = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&token)
            .json(&json!({"query": "{ viewer { username } }"}))
            .send()
            .await
            .unwrap();
        if resp.status() == 429 {
            refused = Some((i, resp));
            break;
        }
        assert_eq!(resp.status(), 200);
    }
    let (i, resp) = refused.expect("the account limit never answered 429");
    assert!(i >= 3, "refused after {i} requests");
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    // Per IP, anonymous requests included; with Redis the count is shared with a second node.
    let other = if std::env::var("ZHUCAN_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) {
        app.second_node().await
    } else {
        app
    };
    let mut ok = 0;
    let mut limited = false;
    for _ in 0..30 {
        let resp = other
            .client
            .post(format!("{}/graphql", other.address))
            .json(&json!({"query": "{ regions { code } }"}))
            .send()
            .await
            .unwrap();
        if resp.status() == 429 {
            limited = true;
            break;
        }
        ok += 1;
    }
    assert!(limited, "the IP limit never answered 429");
    assert!(ok <= 12, "{ok} requests passed a limit of 12");
}

#[tokio::test]
async fn automatic_persisted_queries_follow_the_apollo_protocol_on_every_node() {
    use sha2::Digest;
    let app = TestApp::spawn().await;
    let query = "{ regions { code } }";
    let hash = hex::encode(sha2::Sha256::digest(query.as_bytes()));
    let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
    let post = |app: &TestApp, body: serde_json::Value| {
        let req = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&body);
        async move {
            req.send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    // Unknown hash: the client must send the document.
    let body = post(&app, json!({"extensions": ext})).await;
    assert_eq!(
        body["errors"][0]["message"], "PersistedQueryNotFound",
        "{body}"
    );
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");
    // A document with a hash that is not its own is refused and not kept.
    let wrong = json!({"persistedQuery": {"version": 1, "sha256Hash": "0".repeat(64)}});
    let body = post(&app, json!({"query": query, "extensions": wrong})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let body = post(&app, json!({"extensions": wrong})).await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
    // Registered with the document, then the hash alone works, also over GET.
    let body = post(&app, json!({"query": query, "extensions": ext})).await;
    assert!(body["data"]["regions"].is_array(), "{body}");
    let body = post(&app, json!({"extensions": ext})).await;
    assert!(body["data"]["regions"].is_array(), "{body}");
    let encoded: String = ext
        .to_string()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let resp = app
        .client
        .get(format!("{}/graphql?extensions={encoded}", app.address))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["data"]["regions"].is_array(), "GET: {body}");
    // Malformed extension.
    let body = post(
        &app,
        json!({"extensions": {"persistedQuery": {"version": 2, "sha256Hash": hash}}}),
    )
    .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    // With Redis, another node knows the hash.
    if std::env::var("ZHUCAN_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) {
        let b = app.second_node().await;
        let body = post(&b, json!({"extensions": ext})).await;
        assert!(body["data"]["regions"].is_array(), "node B: {body}");
    }
}
