//! Sign-in, tokens and the viewer.

use base64::Engine;
use serde_json::json;

use crate::helpers::{TestApp, code, eventually, stay_idle};

#[tokio::test]
async fn login_returns_a_token_that_builds_the_viewer_and_its_scope() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("pudong").await;
    let body = app
        .gql(
            Some(&token),
            "{ viewer { username role scope { level code name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["viewer"],
        json!({"username": "pudong", "role": "DISTRICT_ADMIN", "scope": {"level": "DISTRICT", "code": "310115", "name": "浦东新区"}})
    );
    let anonymous = app.gql(None, "{ viewer { username } }", json!({})).await;
    assert!(anonymous["data"]["viewer"].is_null());
}

#[tokio::test]
async fn forged_tampered_and_alg_none_tokens_are_unauthenticated() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("pudong").await;
    let parts: Vec<&str> = token.split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: serde_json::Value =
        serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    claims["role"] = json!("CITY_ADMIN");
    let elevated = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(claims.to_string()),
        parts[2]
    );
    let none = format!(
        "{}.{}.",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        b64.encode(claims.to_string())
    );
    for bad in [
        elevated.as_str(),
        none.as_str(),
        "not-a-token",
        &format!("{token}x"),
    ] {
        let body = app
            .gql(Some(bad), "{ persons { totalCount } }", json!({}))
            .await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{bad}: {body}");
    }
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_on_every_node() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let node_b = app.second_node().await;
    for _ in 0..5 {
        assert_eq!(
            code(&attempt(&app, "Wrong-pass-1").await),
            "UNAUTHENTICATED"
        );
    }
    // The right password no longer works, on this node or the other.
    for node in [&app, &node_b] {
        let locked = attempt(node, crate::helpers::PASSWORD).await;
        assert_eq!(code(&locked), "UNAUTHENTICATED");
        assert!(
            locked["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("锁定"),
            "{locked}"
        );
    }
    let audit = app.rows("SELECT operation, result FROM audit_records WHERE operation LIKE 'auth.%' ORDER BY seq").await;
    let ops: Vec<(String, String)> = audit
        .iter()
        .map(|r| {
            (
                r.try_get("", "operation").unwrap(),
                r.try_get("", "result").unwrap(),
            )
        })
        .collect();
    assert!(
        ops.contains(&("auth.lockout".to_owned(), "SUCCESS".to_owned())),
        "{ops:?}"
    );
    assert_eq!(ops.iter().filter(|(_, r)| r == "FAILURE:LOCKED").count(), 2);
    // When the lock has run out, the right password works again and the counter starts afresh.
    app.sql("UPDATE accounts SET locked_until = NULL WHERE username = 'pudong'")
        .await;
    assert!(attempt(&app, crate::helpers::PASSWORD).await["errors"].is_null());
    assert_eq!(
        code(&attempt(&app, "Wrong-pass-1").await),
        "UNAUTHENTICATED"
    );
    assert!(
        attempt(&app, crate::helpers::PASSWORD).await["errors"].is_null(),
        "one failure does not lock"
    );
}

async fn attempt(app: &TestApp, pw: &str) -> serde_json::Value {
    let q = format!(
        "mutation {{ login(input: {{username: \"pudong\", password: \"{pw}\"}}) {{ accessToken }} }}"
    );
    app.gql(None, &q, json!({})).await
}

#[tokio::test]
async fn logout_revokes_the_token_at_once_and_ends_its_streams() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("pudong").await;
    let other = app.login("pudong").await; // a second device
    let mut socket = crate::helpers::ws::connect(&app, &token).await;
    crate::helpers::ws::subscribe(
        &mut socket,
        "1",
        "subscription { personChanged { personId } }",
        json!({}),
    )
    .await;
    app.subscribed(1).await;

    let out = app
        .gql(Some(&token), "mutation { logout }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    assert_eq!(
        code(
            &app.gql(Some(&token), "{ viewer { username } }", json!({}))
                .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(Some(&other), "{ viewer { username } }", json!({}))
            .await["data"]["viewer"]["username"],
        "pudong",
        "only that token"
    );
    // The socket is only as good as its session: it closes (its stream with it).
    let (close, _) = crate::helpers::ws::closed(&mut socket).await;
    assert_eq!(close, 4403, "the socket of the revoked token closes");
    let audited = app
        .rows("SELECT seq FROM audit_records WHERE operation = 'auth.logout'")
        .await;
    assert_eq!(audited.len(), 1);
}

#[tokio::test]
async fn a_security_admin_signs_an_account_out_everywhere() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let victim = app.login("pudong").await;
    let node_b = if std::env::var("ZHUCAN_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) {
        Some(app.second_node().await)
    } else {
        None
    };
    let revoke = "mutation { revokeSessions(username: \"pudong\") }";
    for not_allowed in ["city", "auditor", "huangpu"] {
        let t = app.login(not_allowed).await;
        assert_eq!(
            code(&app.gql(Some(&t), revoke, json!({})).await),
            "FORBIDDEN",
            "{not_allowed}"
        );
    }
    let sec = app.login("secadmin").await;
    assert_eq!(
        app.gql(Some(&sec), revoke, json!({})).await["data"]["revokeSessions"],
        true
    );
    assert_eq!(
        code(
            &app.gql(Some(&victim), "{ viewer { username } }", json!({}))
                .await
        ),
        "UNAUTHENTICATED"
    );
    if let Some(b) = &node_b {
        // The other node learnt it through Redis.
        eventually(
            "node B honours the revocation",
            std::time::Duration::from_secs(2),
            || async {
                let body = b
                    .gql(Some(&victim), "{ viewer { username } }", json!({}))
                    .await;
                (code(&body) == "UNAUTHENTICATED").then_some(())
            },
        )
        .await;
    }
    // Tokens issued afterwards work (the cut-off is whole seconds: one issued in the same
    // second as the revocation is still refused, so a fresh sign-in works from the next one).
    eventually(
        "a token issued after the revocation works",
        std::time::Duration::from_secs(5),
        || async {
            let fresh = app.login("pudong").await;
            let body = app
                .gql(Some(&fresh), "{ viewer { username } }", json!({}))
                .await;
            (body["data"]["viewer"]["username"] == "pudong").then_some(())
        },
    )
    .await;
    // A node started later loads the revocation from the database.
    let late = app.second_node().await;
    assert_eq!(
        code(
            &late
                .gql(Some(&victim), "{ viewer { username } }", json!({}))
                .await
        ),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn an_idle_staff_session_ends_and_activity_on_any_node_keeps_it_alive() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        idle_timeout_secs: 2,
        ..s
    })
    .await;
    app.staff().await;
    // With Redis (several nodes), a second node must honour the activity recorded on the first.
    let node_b = if std::env::var("ZHUCAN_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) {
        Some(app.second_node().await)
    } else {
        None
    };
    let staff = app.login("pudong").await;
    let volunteer = app.login("volunteer").await;
    let q = "{ viewer { username } }";
    let alive = |body: &serde_json::Value| body["data"]["viewer"]["username"].is_string();
    assert!(alive(&app.gql(Some(&staff), q, json!({})).await));
    // Used every 1.2 s: stays alive past the 2 s limit.
    for _ in 0..2 {
        stay_idle(std::time::Duration::from_millis(1_200)).await;
        assert!(alive(&app.gql(Some(&staff), q, json!({})).await));
    }
    if let Some(b) = &node_b {
        stay_idle(std::time::Duration::from_millis(1_000)).await;
        assert!(
            alive(&b.gql(Some(&staff), q, json!({})).await),
            "node B ended a live session"
        );
    }
    stay_idle(std::time::Duration::from_millis(2_600)).await;
    let body = app.gql(Some(&staff), q, json!({})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("超时"),
        "{body}"
    );
    // Volunteers' apps stay open for hours: no idle timeout for them.
    assert!(alive(&app.gql(Some(&volunteer), q, json!({})).await));
}

#[tokio::test]
async fn a_node_cut_off_from_the_bus_still_learns_of_a_logout_from_the_database() {
    let app = TestApp::spawn().await;
    app.staff().await;
    // Node B hears nothing node A publishes: no shared in-process bus, and with Redis another
    // channel (as if its subscription were down).
    let b = app
        .second_node_with(|s| zhucan::config::Settings {
            redis_channel: format!("{}-cut-off", s.redis_channel),
            ..s
        })
        .await;
    let token = app.login("pudong").await;
    assert_eq!(
        b.gql(Some(&token), "{ viewer { username } }", json!({}))
            .await["data"]["viewer"]["username"],
        "pudong",
        "valid on node B before the logout"
    );
    let out = app
        .gql(Some(&token), "mutation { logout }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    eventually(
        "node B refuses the token within its revocation poll",
        std::time::Duration::from_secs(5),
        || async {
            let body = b
                .gql(Some(&token), "{ viewer { username } }", json!({}))
                .await;
            (code(&body) == "UNAUTHENTICATED").then_some(())
        },
    )
    .await;
}
