//! The HTTP surface: health, readiness, GET queries, GraphiQL (served offline), request ids,
//! GraphQL over HTTP status codes, errors as GraphQL errors, CORS, compression and caching.

use serde_json::{Value, json};

use crate::helpers::{TestApp, code};

#[tokio::test]
async fn health_readiness_graphiql_and_get_queries_answer() {
    let app = TestApp::spawn().await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();
    let health = get("/healthz").await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), 200);
    let graphiql = get("/graphiql").await.unwrap();
    let csp = graphiql.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let page = graphiql.text().await.unwrap();
    // Everything the page loads comes from this server.
    assert!(
        !page.contains("//unpkg") && !page.contains("https://"),
        "{page}"
    );
    let assets: Vec<&str> = page
        .split("/graphiql/assets/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(assets.len() >= 5, "{assets:?}");
    for asset in assets {
        let resp = get(&format!("/graphiql/assets/{asset}")).await.unwrap();
        assert_eq!(resp.status(), 200, "{asset}");
    }
    let q = get("/graphql?query=%7B%20regions%20%7B%20code%20name%20%7D%20%7D")
        .await
        .unwrap();
    assert!(
        q.headers().get("x-request-id").is_some(),
        "a request id is returned"
    );
    let body: serde_json::Value = q.json().await.unwrap();
    let districts = body["data"]["regions"].as_array().unwrap();
    assert_eq!(districts.len(), 16);
    assert!(
        districts
            .iter()
            .any(|d| d == &json!({"code": "310115", "name": "浦东新区"}))
    );
}

#[tokio::test]
async fn the_region_hierarchy_is_the_real_one() {
    let app = TestApp::spawn().await;
    let body = app
        .gql(
            None,
            "{ region(code: \"310115005\") { name level parent { name } children { code } } }",
            json!({}),
        )
        .await;
    let r = &body["data"]["region"];
    assert_eq!(r["name"], "陆家嘴街道");
    assert_eq!(r["level"], "STREET");
    assert_eq!(r["parent"]["name"], "浦东新区");
    assert!(
        r["children"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["code"].as_str().unwrap().starts_with("310115005"))
    );
    let counts = app
        .rows("SELECT level, COUNT(*) AS n FROM regions GROUP BY level ORDER BY level")
        .await;
    let n: Vec<i64> = counts
        .iter()
        .map(|r| r.try_get::<i64>("", "n").unwrap())
        .collect();
    assert_eq!(n, vec![1, 16, 234, 6234]);
}

#[tokio::test]
async fn responses_follow_graphql_over_http_content_negotiation() {
    let app = TestApp::spawn().await;
    let post = |accept: &'static str, query: &'static str| {
        let req = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("accept", accept)
            .json(&serde_json::json!({"query": query}));
        async move { req.send().await.unwrap() }
    };
    let resp = post("application/json", "{ regions { code } }").await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    // A document that does not parse: 200 with application/json, 400 without `data` with
    // application/graphql-response+json.
    let resp = post("application/json", "{ regions {").await;
    assert_eq!(resp.status(), 200);
    let resp = post("application/graphql-response+json", "{ regions {").await;
    assert_eq!(resp.status(), 400);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/graphql-response+json")
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        body.get("data").is_none() && body["errors"].is_array(),
        "{body}"
    );
    // An execution error with data is still 200.
    let resp = post(
        "application/graphql-response+json",
        "{ regions { code } persons(first: 1) { totalCount } }",
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn unreadable_requests_answer_graphql_errors_never_plain_text() {
    let app = TestApp::spawn().await;
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let cases: [(&str, String); 5] = [
        ("application/json", "null".to_owned()),
        (
            "application/json",
            "[{\"query\":\"{ __typename }\"}]".to_owned(),
        ),
        (
            "application/json",
            format!("{{\"query\":\"{{ __typename }}\",\"variables\":{{\"a\":{deep}}}}}"),
        ),
        ("application/json", "{\"query\": 1}".to_owned()),
        ("", "{\"query\":\"{ __typename }\"}".to_owned()),
    ];
    for (content_type, body) in cases {
        let mut req = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("x-zhucan-csrf", "1")
            .body(body.clone());
        if !content_type.is_empty() {
            req = req.header("content-type", content_type);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("not JSON for {body:.40}: {text}"));
        if status == 200 && json["data"]["__typename"] == "QueryRoot" {
            continue; // an empty content type read as JSON is a fine answer too
        }
        assert_eq!(status, 400, "{body:.40}: {text}");
        assert_eq!(code(&json), "BAD_REQUEST", "{body:.40}: {text}");
        assert!(json["errors"][0].get("locations").is_none(), "{text}");
    }
}

#[tokio::test]
async fn field_errors_after_execution_started_are_200_with_data() {
    let app = TestApp::spawn().await;
    let post = |query: &'static str| {
        let req = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("accept", "application/graphql-response+json")
            .json(&json!({"query": query}));
        async move { req.send().await.unwrap() }
    };
    // UNAUTHENTICATED at a non-null root field: execution started, so 200 with `data: null`.
    let resp = post("{ persons(first: 1) { totalCount } }").await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body.get("data").is_some() && body["data"].is_null(),
        "{body}"
    );
    assert_eq!(code(&body), "UNAUTHENTICATED");
    // NOT_FOUND the same way.
    let resp = post("{ person(id: \"00000000-0000-0000-0000-000000000000\") { name } }").await;
    assert_eq!(resp.status(), 200);
    // A request that fails validation is still 400 without `data`.
    let resp = post("{ noSuchField }").await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");
}

#[tokio::test]
async fn browser_apps_of_allowed_origins_pass_the_preflight_and_others_do_not() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        cors_allowed_origins: vec!["https://h5.example.gov.cn".to_owned()],
        ..s
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type, apollo-require-preflight",
            )
            .send()
    };
    let ok = preflight("https://h5.example.gov.cn").await.unwrap();
    assert!(ok.status().is_success(), "{}", ok.status());
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://h5.example.gov.cn"
    );
    let allowed = ok.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "authorization",
        "content-type",
        "apollo-require-preflight",
        "x-zhucan-csrf",
    ] {
        assert!(allowed.contains(h), "{h} in {allowed}");
    }
    assert!(ok.headers().contains_key("access-control-max-age"));
    let other = preflight("https://evil.example.com").await.unwrap();
    assert!(
        !other.headers().contains_key("access-control-allow-origin"),
        "no CORS grant for another origin"
    );
    // Same origin only when nothing is configured: no CORS headers at all.
    let plain = TestApp::spawn().await;
    let resp = plain
        .client
        .post(format!("{}/graphql", plain.address))
        .header("origin", "https://h5.example.gov.cn")
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    assert!(!resp.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn answers_are_compressed_and_personal_ones_never_cached() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("city").await;
    let raw = |encoding: &'static str, token: Option<String>| {
        let mut req = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("accept-encoding", encoding)
            .json(&json!({"query": "{ regions { code name children { code name } } }"}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move { req.send().await.unwrap() }
    };
    let plain = raw("identity", None).await;
    let plain_len = plain.bytes().await.unwrap().len();
    for encoding in ["gzip", "br", "zstd"] {
        let resp = raw(encoding, Some(token.clone())).await;
        assert_eq!(resp.headers()["content-encoding"], encoding);
        assert_eq!(resp.headers()["cache-control"], "no-store", "signed in");
        let compressed = resp.bytes().await.unwrap().len();
        assert!(
            compressed * 3 < plain_len,
            "{encoding}: {compressed} of {plain_len} bytes"
        );
    }
    // An anonymous GET of public data may be cached briefly, with an ETag that revalidates.
    let url = format!(
        "{}/graphql?query=%7B%20regions%20%7B%20code%20%7D%20%7D",
        app.address
    );
    let first = app.client.get(&url).send().await.unwrap();
    assert!(
        first.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public, max-age="),
        "{:?}",
        first.headers()
    );
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(&url)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // The same GET signed in is never stored.
    let mine = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn graphql_js_standard_introspection_query_is_answered_whole() {
    // graphql-js 16's getIntrospectionQuery() with every option, as GraphiQL, Apollo, gql and
    // GraphQL Code Generator send it: nested 13 deep through `ofType`.
    let app = TestApp::spawn().await;
    let query = include_str!("fixtures/graphql-js-16-introspection.graphql");
    let body = app.gql(None, query, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let types = body["data"]["__schema"]["types"].as_array().unwrap();
    assert!(types.len() > 100, "{}", types.len());
    let date = types.iter().find(|t| t["name"] == "NaiveDate").unwrap();
    assert!(
        date["specifiedByURL"].as_str().unwrap().contains("rfc3339"),
        "{date}"
    );
    // Depth outside introspection is still limited.
    let deep = "{ persons { edges { node { household { members { household { members { household { members { household { members { household { members { name } } } } } } } } } } } } } }";
    let body = app.gql(None, deep, json!({})).await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
}
