//! graphql-transport-ws on `/graphql/ws`: authenticated by `connection_init`, every event
//! re-checked against the subscriber's scope.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::ws::{connect, next as next_json};
use crate::helpers::{TestApp, ids};

#[tokio::test]
async fn admins_receive_registry_changes_in_their_scope_only() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let pudong = app.login("pudong").await;
    let huangpu = app.login("huangpu").await;
    let mut pd = connect(&app, &pudong).await;
    let mut hp = connect(&app, &huangpu).await;
    for ws in [&mut pd, &mut hp] {
        ws.send(Message::text(json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { personChanged { personId change } }"}}).to_string()))
            .await
            .unwrap();
    }
    // Give the server a moment to register both subscriptions.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let create = "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }";
    let city = app.login("city").await;
    let created = app
        .gql(Some(&city), create, json!({"i": {"name": "实时", "idNumber": ids::PUDONG_1, "certificateNumber": format!("{}41", ids::PUDONG_1), "streetCode": "310115005"}}))
        .await;
    let pudong_id = created["data"]["createPerson"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let created_hp = app
        .gql(Some(&city), create, json!({"i": {"name": "黄浦", "idNumber": ids::HUANGPU_1, "certificateNumber": format!("{}23", ids::HUANGPU_1), "streetCode": "310101002"}}))
        .await;
    let huangpu_id = created_hp["data"]["createPerson"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let got = next_json(&mut pd).await;
    assert_eq!(got["type"], "next");
    assert_eq!(
        got["payload"]["data"]["personChanged"],
        json!({"personId": pudong_id, "change": "CREATED"})
    );
    let got = next_json(&mut hp).await;
    // Huangpu's subscriber never saw the Pudong registration: its first event is its own.
    assert_eq!(
        got["payload"]["data"]["personChanged"]["personId"],
        huangpu_id
    );
}

#[tokio::test]
async fn subscribing_without_a_valid_token_is_refused() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let url = format!("{}/graphql/ws", app.address.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws.send(Message::text(
        json!({"type": "connection_init", "payload": {"accessToken": "forged"}}).to_string(),
    ))
    .await
    .unwrap();
    let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .unwrap();
    let closed = match msg {
        Some(Ok(Message::Close(frame))) => frame.map(|f| u16::from(f.code)),
        other => panic!("expected close, got {other:?}"),
    };
    // async-graphql 7 closes a refused `connection_init` with 1002; the graphql-transport-ws
    // code 4403 comes with the WebSocket-compliance work of the security issue.
    assert_eq!(closed, Some(1002), "the socket is closed without an ack");

    // A volunteer is signed in but may not watch the registry.
    let volunteer = app.login("volunteer").await;
    let mut ws = connect(&app, &volunteer).await;
    ws.send(Message::text(json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { personChanged { personId } }"}}).to_string())).await.unwrap();
    // An execution error arrives as a `next` payload with `errors` (graphql-transport-ws).
    let err = next_json(&mut ws).await;
    assert_eq!(err["type"], "next", "{err}");
    assert!(err["payload"]["data"].is_null());
    assert_eq!(
        err["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_still_works_for_older_mini_programs() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let city = app.login("city").await;
    let url = format!("{}/graphql/ws", app.address.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", "graphql-ws".parse().unwrap());
    let (mut ws, resp) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(resp.headers()["sec-websocket-protocol"], "graphql-ws");
    ws.send(Message::text(
        json!({"type": "connection_init", "payload": {"accessToken": city}}).to_string(),
    ))
    .await
    .unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "connection_ack");
    ws.send(Message::text(json!({"id": "1", "type": "start", "payload": {"query": "subscription { personChanged { personId change } }"}}).to_string())).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = app.person("旧协议", ids::PUDONG_1, "41", "310115005").await;
    // The fixture writes through the domain; publish as the mutation would.
    app.platform
        .bus
        .publish(zhucan_domain::events::DomainEvent::PersonChanged {
            person_id: id,
            street_code: "310115005".into(),
            change: "CREATED".into(),
        });
    let m = next_json(&mut ws).await;
    assert_eq!(m["type"], "data", "{m}");
    assert_eq!(
        m["payload"]["data"]["personChanged"]["personId"],
        id.to_string()
    );
}
