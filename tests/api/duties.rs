//! Separation of duties (三权分立): system admin, security admin and auditor each do their part
//! and nothing of the others'; no single one of them can reach personal data alone; none of the
//! three is created, granted or administered through the API (the operator's command line does
//! that); nobody administers their own account; role changes and deactivation end sessions at
//! once.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, code, eventually, ids};

const CREATE: &str = "mutation($u:String!,$p:String!){ createAccount(username:$u, displayName:\"新管理员\", phone:$p){ username role regionCode active } }";
const GRANT: &str = "mutation($u:String!,$r:Role!,$g:String){ grantRole(username:$u, role:$r, regionCode:$g){ username role regionCode } }";
const ACTIVE: &str =
    "mutation($u:String!,$a:Boolean!){ setAccountActive(username:$u, active:$a){ active } }";
const RESET: &str = "mutation($u:String!){ resetPassword(username:$u) }";
const REVOKE: &str = "mutation($u:String!){ revokeSessions(username:$u) }";
const UKEY: &str = "mutation($u:String!){ registerUkey(username:$u, publicKey:\"04\") }";
const TOKEN: &str = "mutation($u:String!){ registerOtpToken(username:$u, serial:\"GM-1\", seed:\"1234567890abcdef1234567890abcdef\") }";
const PERSONS: &str = "{ persons(first: 1) { totalCount } }";
const TRAIL: &str = "{ auditTrail(first: 1) { totalCount } }";
const VERIFY: &str = "{ verifyAuditTrail { ok } }";
const LOGIN: &str = "mutation($u:String!,$p:String!){ login(input:{username:$u, password:$p}){ stage accessToken } }";

async fn refused(app: &TestApp, token: &str, query: &str, vars: Value) {
    let body = app.gql(Some(token), query, vars).await;
    assert_eq!(code(&body), "FORBIDDEN", "{query}: {body}");
}

/// The temporary password an SMS in the outbox carries to `phone`, decrypted as the SMS worker
/// does; also checks it is not stored in the clear.
async fn password_sent_to(app: &TestApp, template: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use zhucan_domain::entities::sms_outbox;
    let row = sms_outbox::Entity::find()
        .filter(sms_outbox::Column::Template.eq(template))
        .order_by_desc(sms_outbox::Column::CreatedAt)
        .one(app.platform.db.conn())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no {template} SMS queued"));
    assert!(
        row.params.starts_with("enc:"),
        "the temporary password is encrypted at rest: {}",
        row.params
    );
    let text = zhucan_domain::sms::render(&app.platform.cipher, &row).unwrap();
    let password = text
        .split("临时密码")
        .nth(1)
        .unwrap()
        .chars()
        .take(16)
        .collect::<String>();
    assert!(
        !row.params.contains(&password),
        "not in the clear in the outbox"
    );
    password
}

#[tokio::test]
async fn a_new_staff_account_has_no_role_and_its_password_goes_to_the_holder_by_sms() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let sys = app.login("sysadmin").await;
    let body = app
        .gql(
            Some(&sys),
            CREATE,
            json!({"u": "new_street", "p": "13900001234"}),
        )
        .await;
    assert_eq!(
        body["data"]["createAccount"],
        json!({"username": "new_street", "role": null, "regionCode": null, "active": true}),
        "{body}"
    );
    assert!(
        !body.to_string().contains("assword"),
        "the answer carries no password: {body}"
    );
    let password = password_sent_to(&app, "ACCOUNT_CREATED").await;
    assert_eq!(password.len(), 16);
    // Without a role the account signs in to nothing.
    let body = app
        .gql(None, LOGIN, json!({"u": "new_street", "p": password}))
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("尚未授予角色"),
        "{body}"
    );
    // The security admin grants it; the holder must then change the password first.
    let sec = app.login("secadmin").await;
    let body = app
        .gql(
            Some(&sec),
            GRANT,
            json!({"u": "new_street", "r": "STREET_ADMIN", "g": "310115005"}),
        )
        .await;
    assert_eq!(body["data"]["grantRole"]["role"], "STREET_ADMIN", "{body}");
    let body = app
        .gql(None, LOGIN, json!({"u": "new_street", "p": password}))
        .await;
    assert_eq!(body["data"]["login"]["stage"], "PASSWORD_CHANGE", "{body}");
    // Bad input loses nothing.
    for (u, p, field) in [
        ("bad phone", "13900001234", "username"),
        ("ok_name", "1234", "phone"),
    ] {
        let body = app.gql(Some(&sys), CREATE, json!({"u": u, "p": p})).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let body = app
        .gql(
            Some(&sys),
            CREATE,
            json!({"u": "new_street", "p": "13900001235"}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
}

#[tokio::test]
async fn the_security_admin_cannot_make_a_self_registered_account_staff() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let q = "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { status } }";
    let input = json!({"username": "mine", "password": PASSWORD, "name": "自己人", "idNumber": ids::PUDONG_3, "phone": "13600001111", "skills": ["GUIDING"], "serviceStreets": ["310115005"], "consent": true});
    let body = app.gql(None, q, json!({"i": input})).await;
    assert_eq!(
        body["data"]["registerVolunteer"]["status"], "PENDING",
        "{body}"
    );
    let sec = app.login("secadmin").await;
    for (role, region) in [
        ("CITY_ADMIN", Some("310000")),
        ("DISTRICT_ADMIN", Some("310115")),
    ] {
        refused(
            &app,
            &sec,
            GRANT,
            json!({"u": "mine", "r": role, "g": region}),
        )
        .await;
        refused(
            &app,
            &sec,
            GRANT,
            json!({"u": "volunteer", "r": role, "g": region}),
        )
        .await;
    }
    // The volunteer's token still only reaches a volunteer's world.
    let token = app.login("mine").await;
    refused(&app, &token, PERSONS, json!({})).await;
    // Only region-admin roles are granted at all.
    let body = app
        .gql(Some(&sec), GRANT, json!({"u": "pudong", "r": "CITIZEN"}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn a_role_grant_ends_sessions_and_forces_a_new_password_and_second_factor() {
    let app = TestApp::spawn().await;
    app.staff().await;
    zhucan_domain::demo::set_demo_second_factor(&app.platform.db, &app.platform.cipher, "lujiazui")
        .await
        .unwrap();
    let lujiazui = app.login("lujiazui").await;
    assert!(app.gql(Some(&lujiazui), PERSONS, json!({})).await["errors"].is_null());
    let sec = app.login("secadmin").await;
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
    let rows = app
        .rows(
            "SELECT must_change_password, totp_confirmed FROM accounts WHERE username = 'lujiazui'",
        )
        .await;
    assert!(rows[0].try_get::<bool>("", "must_change_password").unwrap());
    assert!(
        !rows[0].try_get::<bool>("", "totp_confirmed").unwrap(),
        "the second factor must be enrolled afresh"
    );
    let body = app
        .gql(None, LOGIN, json!({"u": "lujiazui", "p": PASSWORD}))
        .await;
    assert_eq!(body["data"]["login"]["stage"], "PASSWORD_CHANGE", "{body}");
    let detail = app
        .rows("SELECT detail FROM audit_records WHERE operation = 'account.role.grant'")
        .await;
    assert!(
        detail[0]
            .try_get::<String>("", "detail")
            .unwrap()
            .contains("STREET_ADMIN:310115005 -> DISTRICT_ADMIN:310115"),
        "the grant is audited with before and after"
    );
}

#[tokio::test]
async fn no_account_operation_reaches_the_three_duties_or_ones_own_account() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let sys = app.login("sysadmin").await;
    let sec = app.login("secadmin").await;
    for duty in ["sysadmin", "secadmin", "auditor"] {
        for token in [&sys, &sec] {
            refused(&app, token, REVOKE, json!({"u": duty})).await;
        }
        refused(&app, &sys, ACTIVE, json!({"u": duty, "a": false})).await;
        refused(&app, &sys, RESET, json!({"u": duty})).await;
        refused(
            &app,
            &sec,
            GRANT,
            json!({"u": duty, "r": "CITY_ADMIN", "g": "310000"}),
        )
        .await;
        refused(&app, &sec, UKEY, json!({"u": duty})).await;
        refused(&app, &sec, TOKEN, json!({"u": duty})).await;
    }
    for role in ["SYSTEM_ADMIN", "SECURITY_ADMIN", "AUDITOR"] {
        refused(&app, &sec, GRANT, json!({"u": "pudong", "r": role})).await;
    }
    // The duties' sessions are still alive.
    for token in [&sys, &sec] {
        let body = app.gql(Some(token), "{ viewer { role } }", json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let auditor = app.login("auditor").await;
    assert!(app.gql(Some(&auditor), TRAIL, json!({})).await["errors"].is_null());
}

#[tokio::test]
async fn each_separated_duty_reads_nothing_of_the_others() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let sys = app.login("sysadmin").await;
    let sec = app.login("secadmin").await;
    let aud = app.login("auditor").await;
    let city = app.login("city").await;
    for token in [&sys, &sec] {
        for q in [PERSONS, TRAIL, VERIFY] {
            refused(&app, token, q, json!({})).await;
        }
    }
    refused(
        &app,
        &sys,
        GRANT,
        json!({"u": "pudong", "r": "DISTRICT_ADMIN", "g": "310115"}),
    )
    .await;
    refused(
        &app,
        &sec,
        CREATE,
        json!({"u": "by_sec", "p": "13900001234"}),
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
        json!({"u": "by_aud", "p": "13900001234"}),
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
        json!({"u": "by_city", "p": "13900001234"}),
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
}

#[tokio::test]
async fn deactivation_and_reset_end_sessions_and_the_reset_password_goes_by_sms() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let sys = app.login("sysadmin").await;
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
        .gql(None, LOGIN, json!({"u": "pudong", "p": PASSWORD}))
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "deactivated: {body}");
    refused(&app, &sys, ACTIVE, json!({"u": "sysadmin", "a": false})).await;
    // An account without a phone cannot receive a reset: the operator resets it.
    let body = app.gql(Some(&sys), RESET, json!({"u": "huangpu"})).await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    // With a phone, the temporary password goes there, never to the system admin.
    app.gql(
        Some(&sys),
        CREATE,
        json!({"u": "with_phone", "p": "13900002222"}),
    )
    .await;
    let body = app.gql(Some(&sys), RESET, json!({"u": "with_phone"})).await;
    assert_eq!(body["data"]["resetPassword"], true, "{body}");
    let password = password_sent_to(&app, "PASSWORD_RESET").await;
    assert_eq!(password.len(), 16);
    let ops: Vec<String> = app
        .rows("SELECT operation FROM audit_records WHERE operation LIKE 'account.%' AND result = 'SUCCESS'")
        .await
        .iter()
        .map(|r| r.try_get::<String>("", "operation").unwrap())
        .collect();
    for op in [
        "account.create",
        "account.deactivate",
        "account.password.reset",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} missing from {ops:?}");
    }
}

#[tokio::test]
async fn the_operators_command_line_manages_the_duty_accounts() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let auditor = app.login("auditor").await;
    let out = crate::cli::zhucan(&app, &["accounts", "reset-password", "auditor"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let password = stdout
        .split("临时密码（只显示这一次，请当面交付持有人）: ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(password.len(), 16);
    // The reset ended the auditor's sessions (the CLI's process revoked them in the database;
    // this node learns of it from its revocation poll).
    eventually(
        "the auditor's old session ended",
        std::time::Duration::from_secs(12),
        || async {
            let body = app.gql(Some(&auditor), TRAIL, json!({})).await;
            (code(&body) == "UNAUTHENTICATED").then_some(())
        },
    )
    .await;
    let body = app
        .gql(None, LOGIN, json!({"u": "auditor", "p": password}))
        .await;
    assert_eq!(body["data"]["login"]["stage"], "PASSWORD_CHANGE", "{body}");
    let out = crate::cli::zhucan(
        &app,
        &[
            "accounts",
            "create",
            "auditor_two",
            "--role",
            "AUDITOR",
            "--display-name",
            "第二审计员",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = app
        .rows("SELECT role, origin FROM accounts WHERE username = 'auditor_two'")
        .await;
    assert_eq!(rows[0].try_get::<String>("", "role").unwrap(), "AUDITOR");
    assert_eq!(rows[0].try_get::<String>("", "origin").unwrap(), "OPERATOR");
}
