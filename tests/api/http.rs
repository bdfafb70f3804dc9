//! The HTTP surface: health, readiness, GET queries, GraphiQL, request ids.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn health_readiness_graphiql_and_get_queries_answer() {
    let app = TestApp::spawn().await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();
    let health = get("/healthz").await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), 200);
    let graphiql = get("/graphiql").await.unwrap();
    assert!(graphiql.text().await.unwrap().contains("/graphql/ws"));
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
