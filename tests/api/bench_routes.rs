//! The load scenarios' baselines are honest: the raw route answers what `{ __typename }` answers,
//! and the hand-written file page returns the same people, masked values and household members
//! as the GraphQL query it is compared with (S1, S3). Off by default.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const FILE: &str = "query($n: Int!) { persons(first: $n) { edges { node {
    id name idNumber phone address certificate { number category level }
    district { name } street { name } household { id members { id name phone } }
} } } }";

#[tokio::test]
async fn the_baselines_return_what_graphql_returns() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        bench_routes: true,
        ..s
    })
    .await;
    app.staff().await;
    let p = &app.platform;
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 11, 60, 30, |_| {})
        .await
        .unwrap();
    let token = app.login("city").await;

    let gql = app.gql(None, "{ __typename }", json!({})).await;
    let raw: Value = app
        .client
        .post(format!("{}/bench/raw", app.address))
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw, gql);

    let stats = |app: &TestApp| {
        let url = format!("{}/bench/stats", app.address);
        let client = app.client.clone();
        async move {
            let v: Value = client.get(url).send().await.unwrap().json().await.unwrap();
            v["statements"].as_u64().unwrap()
        }
    };
    // The counter is the process's: a background task (the audit writer, the search index
    // following the bus) may add a statement between the two reads, never remove one. So the
    // fewest over three tries is the route's own count.
    let mut fewest = u64::MAX;
    let mut hand = Value::Null;
    for _ in 0..3 {
        let before = stats(&app).await;
        hand = app
            .client
            .get(format!("{}/bench/persons?first=10", app.address))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        fewest = fewest.min(stats(&app).await - before);
    }
    assert_eq!(fewest, 1, "one hand-written statement");
    let ours = app.gql(Some(&token), FILE, json!({"n": 10})).await;
    assert!(ours["errors"].is_null(), "{ours}");
    let ours = ours["data"]["persons"]["edges"].as_array().unwrap().clone();
    let hand = hand["data"]["persons"]["edges"].as_array().unwrap().clone();
    assert_eq!(ours.len(), 10);
    assert_eq!(hand.len(), 10);
    for (o, h) in ours.iter().zip(&hand) {
        let (o, h) = (&o["node"], &h["node"]);
        for f in ["id", "name", "idNumber", "phone", "address"] {
            assert_eq!(o[f], h[f], "{f}");
        }
        assert_eq!(o["certificate"]["number"], h["certificate"]["number"]);
        assert_eq!(o["street"]["name"], h["street"]["name"]);
        assert_eq!(o["household"]["id"], h["household"]["id"]);
        let ids = |v: &Value| -> Vec<String> {
            let mut ids: Vec<String> = v["household"]["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(o), ids(h));
    }
}

#[tokio::test]
async fn the_bench_routes_are_off_by_default() {
    let app = TestApp::spawn().await;
    let status = app
        .client
        .get(format!("{}/bench/stats", app.address))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
}
