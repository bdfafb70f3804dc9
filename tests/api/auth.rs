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
