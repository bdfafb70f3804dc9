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
    app.subscribed(2).await;

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
    // A refused `connection_init` closes with graphql-transport-ws's 4403 Forbidden.
    assert_eq!(closed, Some(4403), "the socket is closed without an ack");

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
    app.subscribed(1).await;
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

mod protocol {
    //! graphql-transport-ws close codes: 4400, 4401, 4403, 4408, 4409, 4429, and the cap on
    //! subscriptions per socket.

    use std::time::Duration;

    use futures::{SinkExt, StreamExt};
    use serde_json::json;
    use tokio_tungstenite::tungstenite::Message;

    use crate::helpers::TestApp;
    use crate::helpers::ws::{Ws, closed, send};

    async fn open(app: &TestApp) -> Ws {
        crate::helpers::ws::open(app, "graphql-transport-ws").await
    }

    async fn acked(app: &TestApp, token: &str) -> Ws {
        let mut ws = open(app).await;
        send(
            &mut ws,
            json!({"type": "connection_init", "payload": {"accessToken": token}}),
        )
        .await;
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(msg.to_text().unwrap().contains("connection_ack"), "{msg:?}");
        ws
    }

    fn sub(id: &str) -> serde_json::Value {
        json!({"id": id, "type": "subscribe", "payload": {"query": "subscription { personChanged { personId } }"}})
    }

    #[tokio::test]
    async fn protocol_violations_close_with_the_defined_codes() {
        let app = TestApp::spawn_with(|s| zhucan::config::Settings {
            ws_init_timeout_secs: 1,
            ws_max_subscriptions: 2,
            ..s
        })
        .await;
        app.staff().await;
        let token = app.login("pudong").await;

        let mut ws = open(&app).await;
        ws.send(Message::text("{not json")).await.unwrap();
        assert_eq!(closed(&mut ws).await.0, 4400);

        let mut ws = open(&app).await;
        send(&mut ws, json!({"type": "no_such_type"})).await;
        assert_eq!(closed(&mut ws).await.0, 4400);

        let mut ws = open(&app).await;
        send(&mut ws, sub("1")).await;
        assert_eq!(closed(&mut ws).await, (4401, "Unauthorized".to_owned()));

        let mut ws = open(&app).await;
        send(
            &mut ws,
            json!({"type": "connection_init", "payload": {"accessToken": "forged.token.value"}}),
        )
        .await;
        assert_eq!(closed(&mut ws).await.0, 4403);

        let mut ws = open(&app).await;
        assert_eq!(
            closed(&mut ws).await.0,
            4408,
            "no connection_init within the timeout"
        );

        let mut ws = acked(&app, &token).await;
        send(
            &mut ws,
            json!({"type": "connection_init", "payload": {"accessToken": token}}),
        )
        .await;
        assert_eq!(closed(&mut ws).await.0, 4429);

        let mut ws = acked(&app, &token).await;
        send(&mut ws, sub("a")).await;
        send(&mut ws, sub("a")).await;
        assert_eq!(closed(&mut ws).await.0, 4409);

        let mut ws = acked(&app, &token).await;
        send(&mut ws, sub("a")).await;
        send(&mut ws, sub("b")).await;
        send(&mut ws, json!({"id": "a", "type": "complete"})).await;
        send(&mut ws, sub("c")).await;
        send(&mut ws, sub("d")).await;
        let (code, reason) = closed(&mut ws).await;
        assert_eq!(code, 4400);
        assert!(reason.contains("Too many subscriptions"), "{reason}");

        // An acknowledged socket that follows the protocol stays open past the init timeout.
        let mut ws = acked(&app, &token).await;
        send(&mut ws, sub("x")).await;
        crate::helpers::stay_idle(Duration::from_millis(1_500)).await;
        send(&mut ws, json!({"type": "ping"})).await;
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(msg.to_text().unwrap().contains("pong"), "{msg:?}");
    }
}

mod keepalive {
    //! The server pings every `ws_keepalive_secs`; a live client answers (every WebSocket client
    //! does, unasked) and stays connected however long it only listens, and a client that
    //! answers nothing for three intervals is closed.

    use std::time::{Duration, Instant};

    use futures::StreamExt;
    use serde_json::json;
    use tokio_tungstenite::tungstenite::Message;

    use crate::helpers::ws::{connect, next, subscribe};
    use crate::helpers::{TestApp, ids};

    async fn app() -> TestApp {
        let app = TestApp::spawn_with(|s| zhucan::config::Settings {
            ws_keepalive_secs: 1,
            ..s
        })
        .await;
        app.staff().await;
        app
    }

    #[tokio::test]
    async fn a_subscriber_that_only_listens_is_pinged_and_still_served_intervals_later() {
        let app = app().await;
        let pudong = app.login("pudong").await;
        let mut ws = connect(&app, &pudong).await;
        subscribe(
            &mut ws,
            "1",
            "subscription { personChanged { personId change } }",
            json!({}),
        )
        .await;
        // Listen for 4.5 intervals, sending nothing of our own (tungstenite answers pings).
        let until = Instant::now() + Duration::from_millis(4_500);
        let mut pings = 0;
        while let Ok(frame) = tokio::time::timeout_at(until.into(), ws.next()).await {
            match frame.expect("open").expect("ok") {
                Message::Ping(_) => pings += 1,
                other => panic!("unexpected frame while idle: {other:?}"),
            }
        }
        assert!(pings >= 3, "pinged every interval: {pings}");
        let city = app.login("city").await;
        let created = app
            .gql(
                Some(&city),
                "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }",
                json!({"i": {"name": "长连", "idNumber": ids::PUDONG_1, "certificateNumber": format!("{}41", ids::PUDONG_1), "streetCode": "310115005"}}),
            )
            .await;
        assert!(created.get("errors").is_none(), "{created}");
        let got = next(&mut ws).await;
        assert_eq!(
            got["payload"]["data"]["personChanged"]["change"], "CREATED",
            "{got}"
        );
    }

    #[tokio::test]
    async fn a_client_that_answers_nothing_for_three_intervals_is_closed() {
        let app = app().await;
        let pudong = app.login("pudong").await;
        let mut ws = connect(&app, &pudong).await;
        // Not reading: no pong goes back.
        crate::helpers::stay_idle(Duration::from_millis(4_500)).await;
        // Reading now answers the queued pings too late: the server has closed (its close frame
        // may be lost to the reset our late pongs provoke, so an ended stream counts too).
        let ended = tokio::time::timeout(Duration::from_secs(3), async {
            loop {
                match ws.next().await {
                    Some(Ok(Message::Close(c))) => return Some(c),
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return None,
                }
            }
        })
        .await
        .expect("the server ended the connection");
        if let Some(Some(close)) = ended {
            assert_eq!(u16::from(close.code), 1001, "{close:?}");
            assert_eq!(close.reason.as_str(), "keep-alive timeout");
        }
    }
}
