//! Sign-in, tokens and the viewer.

use base64::Engine;
use serde_json::json;

use crate::helpers::{TestApp, code};

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
