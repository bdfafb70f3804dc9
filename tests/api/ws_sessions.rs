//! A WebSocket is only as good as its session: queries and mutations sent on an open socket are
//! checked like HTTP requests (revocation, expiry, idle timeout, rate limits), and the socket
//! closes with 4403 the moment its session ends. The legacy graphql-ws protocol gets the same
//! guards.

use std::time::Duration;

use serde_json::json;

use crate::helpers::ws::{closed, connect, next, open, send};
use crate::helpers::{TestApp, code, ids};

const REVEAL: &str = "mutation($id: ID!) { revealPersonField(personId: $id, field: ID_NUMBER) }";

async fn reveals(app: &TestApp) -> usize {
    app.rows(
        "SELECT seq FROM audit_records WHERE operation = 'person.reveal' AND result = 'SUCCESS'",
    )
    .await
    .len()
}

#[tokio::test]
async fn a_mutation_sent_on_a_socket_after_logout_does_not_run_and_the_socket_closes() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let id = app.person("套接字", ids::PUDONG_1, "41", "310115005").await;
    let token = app.login("pudong").await;
    let mut ws = connect(&app, &token).await;
    // While the session holds, the socket runs queries and mutations.
    send(&mut ws, json!({"id": "1", "type": "subscribe", "payload": {"query": REVEAL, "variables": {"id": id}}})).await;
    let revealed = next(&mut ws).await;
    assert_eq!(
        revealed["payload"]["data"]["revealPersonField"],
        ids::PUDONG_1,
        "{revealed}"
    );
    assert_eq!(reveals(&app).await, 1);
    let out = app
        .gql(Some(&token), "mutation { logout }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    // Whatever the client manages to send after the logout never runs (the server may have
    // closed the socket already, so a send may fail).
    use futures::SinkExt;
    let update = "mutation($id: ID!) { updatePerson(id: $id, input: {name: \"改名\"}) { name } }";
    for (n, query) in [("2", REVEAL), ("3", update)] {
        let msg = json!({"id": n, "type": "subscribe", "payload": {"query": query, "variables": {"id": id}}});
        let _ = ws
            .send(tokio_tungstenite::tungstenite::Message::text(
                msg.to_string(),
            ))
            .await;
    }
    let (close, reason) = closed(&mut ws).await;
    assert_eq!(close, 4403, "{reason}");
    assert_eq!(reveals(&app).await, 1, "no reveal after the logout");
    let city = app.login("city").await;
    let body = app
        .gql(
            Some(&city),
            "query($id: ID!) { person(id: $id) { name } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        body["data"]["person"]["name"], "套接字",
        "no update after the logout: {body}"
    );
}

#[tokio::test]
async fn a_forced_sign_out_closes_every_socket_of_the_account() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("pudong").await;
    let mut a = connect(&app, &token).await;
    let mut b = connect(&app, &app.login("pudong").await).await;
    let sec = app.login("secadmin").await;
    let body = app
        .gql(
            Some(&sec),
            "mutation { revokeSessions(username: \"pudong\") }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["revokeSessions"], true, "{body}");
    assert_eq!(closed(&mut a).await.0, 4403);
    assert_eq!(closed(&mut b).await.0, 4403);
}

#[tokio::test]
async fn a_socket_closes_when_its_token_expires() {
    let app = TestApp::spawn().await;
    app.staff().await;
    // A token of this server's key that lives two seconds.
    let account = zhucan_domain::identity::AccountRepo::new(&app.platform.db)
        .by_username("pudong")
        .await
        .unwrap()
        .unwrap();
    let short = zhucan_domain::identity::TokenService::new(
        app.settings.jwt_secret.expose().as_bytes(),
        Duration::from_secs(2),
    )
    .unwrap()
    .issue(&account)
    .unwrap();
    let mut ws = connect(&app, &short.token).await;
    send(
        &mut ws,
        json!({"id": "1", "type": "subscribe", "payload": {"query": "{ viewer { username } }"}}),
    )
    .await;
    assert_eq!(
        next(&mut ws).await["payload"]["data"]["viewer"]["username"],
        "pudong"
    );
    let (close, reason) = closed(&mut ws).await;
    assert_eq!(close, 4403, "{reason}");
}

#[tokio::test]
async fn an_idle_staff_session_runs_nothing_more_on_its_socket() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        idle_timeout_secs: 1,
        ..s
    })
    .await;
    app.staff().await;
    let token = app.login("pudong").await;
    let mut ws = connect(&app, &token).await;
    crate::helpers::stay_idle(Duration::from_millis(2_500)).await;
    send(&mut ws, json!({"id": "1", "type": "subscribe", "payload": {"query": "{ persons(first: 1) { totalCount } }"}})).await;
    let (close, reason) = closed(&mut ws).await;
    assert_eq!(close, 4403, "{reason}");
    assert!(reason.contains("超时"), "{reason}");
}

#[tokio::test]
async fn operations_on_a_socket_count_against_the_rate_limits() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        rate_limit_ip_per_minute: 8,
        rate_limit_account_per_minute: 0,
        ..s
    })
    .await;
    app.staff().await;
    let token = app.login("pudong").await;
    let mut ws = connect(&app, &token).await;
    let mut limited = None;
    for i in 0..12 {
        let id = i.to_string();
        send(
            &mut ws,
            json!({"id": id, "type": "subscribe", "payload": {"query": "{ viewer { username } }"}}),
        )
        .await;
        // Each query answers `next` then `complete`, or an `error` when over the limit.
        let m = next(&mut ws).await;
        if m["type"] == "error" {
            limited = Some(m);
            break;
        }
        assert_eq!(m["type"], "next", "{m}");
        assert_eq!(next(&mut ws).await["type"], "complete");
    }
    let limited = limited.expect("the socket's operations hit the IP's limit");
    assert_eq!(
        limited["payload"][0]["extensions"]["code"], "RATE_LIMITED",
        "{limited}"
    );
    // The socket itself stays open for when the limit frees up.
    send(&mut ws, json!({"type": "ping"})).await;
    assert_eq!(next(&mut ws).await["type"], "pong");
    // HTTP from the same IP is refused too: one budget.
    let body = app
        .gql(Some(&token), "{ viewer { username } }", json!({}))
        .await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
}

#[tokio::test]
async fn the_legacy_protocol_has_the_init_timeout_and_the_subscription_cap() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        ws_init_timeout_secs: 1,
        ws_max_subscriptions: 1,
        ..s
    })
    .await;
    app.staff().await;
    let mut idle = open(&app, "graphql-ws").await;
    assert_eq!(
        closed(&mut idle).await.0,
        4408,
        "no connection_init in time"
    );
    let token = app.login("city").await;
    let mut ws = open(&app, "graphql-ws").await;
    send(
        &mut ws,
        json!({"type": "connection_init", "payload": {"accessToken": token}}),
    )
    .await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    let start = |id: &str| json!({"id": id, "type": "start", "payload": {"query": "subscription { personChanged { personId } }"}});
    send(&mut ws, start("1")).await;
    send(&mut ws, start("2")).await;
    let (close, reason) = closed(&mut ws).await;
    assert_eq!(close, 4400);
    assert!(reason.contains("Too many subscriptions"), "{reason}");
    // And its sessions end like the new protocol's.
    let mut ws = open(&app, "graphql-ws").await;
    send(
        &mut ws,
        json!({"type": "connection_init", "payload": {"accessToken": token}}),
    )
    .await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    app.gql(Some(&token), "mutation { logout }", json!({}))
        .await;
    assert_eq!(closed(&mut ws).await.0, 4403);
}

#[tokio::test]
async fn browser_pages_of_other_origins_cannot_open_a_socket() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        cors_allowed_origins: vec!["https://h5.example.gov.cn".to_owned()],
        ..s
    })
    .await;
    let url = format!("{}/graphql/ws", app.address.replace("http://", "ws://"));
    let attempt = |origin: &'static str| {
        let mut req = url.clone().into_client_request().unwrap();
        req.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        req.headers_mut().insert("Origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(req)
    };
    let refused = attempt("https://evil.example.com").await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 403);
        }
        other => panic!("a foreign origin was let in: {other:?}"),
    }
    assert!(
        attempt("https://h5.example.gov.cn").await.is_ok(),
        "an allowed origin"
    );
    let own = app.address.clone();
    let mut req = url.clone().into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    req.headers_mut().insert("Origin", own.parse().unwrap());
    assert!(
        tokio_tungstenite::connect_async(req).await.is_ok(),
        "the page's own origin"
    );
}

#[tokio::test]
async fn sockets_close_with_1001_when_the_server_shuts_down() {
    let settings = crate::helpers::TestApp::spawn().await.settings;
    let platform = zhucan::startup::platform(&settings).await.unwrap();
    let app = zhucan::startup::Application::build_with(settings.clone(), platform.clone())
        .await
        .unwrap();
    let address = format!("http://{}", app.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let test_app = TestApp::around(address, platform, settings);
    let mut ws = open(&test_app, "graphql-transport-ws").await;
    send(&mut ws, json!({"type": "connection_init", "payload": {}})).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    stop.send(()).unwrap();
    let (close, reason) = closed(&mut ws).await;
    assert_eq!(close, 1001, "{reason}");
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}
