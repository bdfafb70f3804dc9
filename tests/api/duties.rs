//! Separation of duties (三权分立): system admin, security admin and auditor each do their part
//! and nothing of the others'; none of the three can be granted; nobody administers their own
//! account; role changes and deactivation end sessions at once.

use serde_json::{Value, json};

use crate::helpers::{TestApp, code};

const CREATE: &str = "mutation($u:String!,$r:Role!,$g:String){ createAccount(username:$u, displayName:\"新管理员\", role:$r, regionCode:$g){ account{ username role regionCode } temporaryPassword } }";
const GRANT: &str = "mutation($u:String!,$r:Role!,$g:String){ grantRole(username:$u, role:$r, regionCode:$g){ username role regionCode } }";
const ACTIVE: &str =
    "mutation($u:String!,$a:Boolean!){ setAccountActive(username:$u, active:$a){ active } }";
const RESET: &str = "mutation($u:String!){ resetPassword(username:$u) }";
const PERSONS: &str = "{ persons(first: 1) { totalCount } }";
const TRAIL: &str = "{ auditTrail(first: 1) { totalCount } }";
const VERIFY: &str = "{ verifyAuditTrail { ok } }";

async fn refused(app: &TestApp, token: &str, query: &str, vars: Value) {
    let body = app.gql(Some(token), query, vars).await;
    assert_eq!(code(&body), "FORBIDDEN", "{query}: {body}");
}

#[tokio::test]
async fn each_separated_duty_does_its_part_and_nothing_of_the_others() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let sys = app.login("sysadmin").await;
    let sec = app.login("secadmin").await;
    let aud = app.login("auditor").await;
    let city = app.login("city").await;

    // System admin: creates operational accounts, never the separated duties; no personal data,
    // no audit trail, no role grants.
    let body = app
        .gql(
            Some(&sys),
            CREATE,
            json!({"u": "new_street", "r": "STREET_ADMIN", "g": "310115005"}),
        )
        .await;
    let temp = body["data"]["createAccount"]["temporaryPassword"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    assert_eq!(temp.len(), 16);
    for role in ["SYSTEM_ADMIN", "SECURITY_ADMIN", "AUDITOR"] {
        let body = app
            .gql(Some(&sys), CREATE, json!({"u": "x_dup", "r": role}))
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{role}: {body}");
    }
    let body = app
        .gql(
            Some(&sys),
            CREATE,
            json!({"u": "bad_region", "r": "DISTRICT_ADMIN", "g": "310115005"}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "regionCode",
        "{body}"
    );
    for q in [PERSONS, TRAIL, VERIFY] {
        refused(&app, &sys, q, json!({})).await;
    }
    refused(
        &app,
        &sys,
        GRANT,
        json!({"u": "new_street", "r": "DISTRICT_ADMIN", "g": "310115"}),
    )
    .await;

    // The new account must change its temporary password first.
    let body = app
        .gql(
            None,
            "mutation($p:String!){ login(input:{username:\"new_street\", password:$p}){ stage } }",
            json!({"p": temp}),
        )
        .await;
    assert_eq!(body["data"]["login"]["stage"], "PASSWORD_CHANGE", "{body}");

    // Security admin: grants roles and scopes (sessions end at once), never the separated
    // duties, never to themselves; no personal data, no audit trail, no account creation.
    let lujiazui = app.login("lujiazui").await;
    assert!(app.gql(Some(&lujiazui), PERSONS, json!({})).await["errors"].is_null());
    let body = app
        .gql(
            Some(&sec),
            GRANT,
            json!({"u": "lujiazui", "r": "DISTRICT_ADMIN", "g": "310115"}),
        )
        .await;
    assert_eq!(
        body["data"]["grantRole"]["role"], "DISTRICT_ADMIN",
        "{body}"
    );
    let body = app.gql(Some(&lujiazui), PERSONS, json!({})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "the old token ends: {body}");
    for role in ["SYSTEM_ADMIN", "SECURITY_ADMIN", "AUDITOR"] {
        refused(&app, &sec, GRANT, json!({"u": "pudong", "r": role})).await;
    }
    refused(
        &app,
        &sec,
        GRANT,
        json!({"u": "secadmin", "r": "CITY_ADMIN", "g": "310000"}),
    )
    .await;
    refused(
        &app,
        &sec,
        GRANT,
        json!({"u": "auditor", "r": "CITY_ADMIN", "g": "310000"}),
    )
    .await;
    for q in [PERSONS, TRAIL, VERIFY] {
        refused(&app, &sec, q, json!({})).await;
    }
    refused(
        &app,
        &sec,
        CREATE,
        json!({"u": "by_sec", "r": "STREET_ADMIN", "g": "310115005"}),
    )
    .await;
    refused(&app, &sec, ACTIVE, json!({"u": "pudong", "a": false})).await;
    refused(&app, &sec, RESET, json!({"u": "pudong"})).await;

    // Auditor: reads and verifies the trail, nothing else.
    assert!(app.gql(Some(&aud), TRAIL, json!({})).await["errors"].is_null());
    assert_eq!(
        app.gql(Some(&aud), VERIFY, json!({})).await["data"]["verifyAuditTrail"]["ok"],
        true
    );
    refused(&app, &aud, PERSONS, json!({})).await;
    refused(
        &app,
        &aud,
        CREATE,
        json!({"u": "by_aud", "r": "STREET_ADMIN", "g": "310115005"}),
    )
    .await;
    refused(
        &app,
        &aud,
        GRANT,
        json!({"u": "pudong", "r": "CITY_ADMIN", "g": "310000"}),
    )
    .await;

    // Region admins administer no accounts and read no trail.
    refused(
        &app,
        &city,
        CREATE,
        json!({"u": "by_city", "r": "STREET_ADMIN", "g": "310115005"}),
    )
    .await;
    refused(
        &app,
        &city,
        GRANT,
        json!({"u": "pudong", "r": "CITY_ADMIN", "g": "310000"}),
    )
    .await;
    refused(&app, &city, TRAIL, json!({})).await;

    // Deactivation and reset by the system admin end sessions; the separated duties and one's
    // own account are out of reach.
    let pudong = app.login("pudong").await;
    let body = app
        .gql(Some(&sys), ACTIVE, json!({"u": "pudong", "a": false}))
        .await;
    assert_eq!(body["data"]["setAccountActive"]["active"], false, "{body}");
    assert_eq!(
        code(&app.gql(Some(&pudong), PERSONS, json!({})).await),
        "UNAUTHENTICATED"
    );
    let body = app
        .gql(
            None,
            "mutation{ login(input:{username:\"pudong\", password:\"Test@2026pw\"}){ stage } }",
            json!({}),
        )
        .await;
    assert_eq!(
        code(&body),
        "UNAUTHENTICATED",
        "a deactivated account cannot sign in: {body}"
    );
    refused(&app, &sys, ACTIVE, json!({"u": "auditor", "a": false})).await;
    refused(&app, &sys, ACTIVE, json!({"u": "sysadmin", "a": false})).await;
    let body = app.gql(Some(&sys), RESET, json!({"u": "huangpu"})).await;
    assert_eq!(
        body["data"]["resetPassword"].as_str().map(str::len),
        Some(16),
        "{body}"
    );
    // Every administrative act is in the trail.
    let ops = app
        .rows("SELECT operation FROM audit_records WHERE operation LIKE 'account.%' AND result = 'SUCCESS'")
        .await;
    let ops: Vec<String> = ops
        .iter()
        .map(|r| r.try_get::<String>("", "operation").unwrap())
        .collect();
    for op in [
        "account.create",
        "account.role.grant",
        "account.deactivate",
        "account.password.reset",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} missing from {ops:?}");
    }
}
