//! 市民账户: a registered person opens an account with a one-time code sent to the phone on their
//! file (never to anyone else; the same answer for unknown ID numbers), within limits; wrong,
//! expired and used codes are refused; admins in scope list, lock, unlock and require a new
//! activation — never seeing a password.

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, code, ids, ok};

const REQUEST: &str = "mutation($n: String!) { requestAccountActivation(idNumber: $n) { challengeId expiresAt message } }";
const ACTIVATE: &str = "mutation($c: ID!, $code: String!, $u: String!, $p: String!) { activateAccount(challengeId: $c, code: $code, username: $u, password: $p) }";
const LOGIN: &str = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }";

/// The code the newest activation SMS carries (decrypted as the SMS worker does; encrypted at
/// rest).
async fn code_sent(app: &TestApp) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use zhucan_domain::entities::sms_outbox;
    let row = sms_outbox::Entity::find()
        .filter(sms_outbox::Column::Template.eq("ACCOUNT_ACTIVATION"))
        .order_by_desc(sms_outbox::Column::CreatedAt)
        .one(app.platform.db.conn())
        .await
        .unwrap()
        .expect("an activation SMS");
    assert!(row.params.starts_with("enc:"), "{}", row.params);
    let text = zhucan_domain::sms::render(&app.platform.cipher, &row).unwrap();
    let code: String = text
        .split("验证码")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{text}");
    code
}

async fn outbox(app: &TestApp) -> usize {
    app.rows("SELECT template FROM sms_outbox WHERE template = 'ACCOUNT_ACTIVATION'")
        .await
        .len()
}

#[tokio::test]
async fn a_registered_person_activates_with_a_code_and_admins_lock_unlock_and_require_it_again() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let person = app.person("张三", ids::PUDONG_1, "11", "310115005").await;

    // Bad input, and an ID number nobody registered: same answer, nothing sent.
    let body = app
        .gql(None, REQUEST, json!({"n": "310115198001011230"}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let body = app.gql(None, REQUEST, json!({"n": ids::HUANGPU_1})).await;
    let unknown = ok(&body, "requestAccountActivation").clone();
    assert_eq!(outbox(&app).await, 0);
    let body = app
        .gql(
            None,
            ACTIVATE,
            json!({"c": unknown["challengeId"], "code": "123456", "u": "zhangsan", "p": PASSWORD}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

    // The registered person: a code to the phone on file; a second request within a minute is
    // refused.
    let body = app.gql(None, REQUEST, json!({"n": ids::PUDONG_1})).await;
    let ch = ok(&body, "requestAccountActivation").clone();
    assert_eq!(
        ch["message"], unknown["message"],
        "the same answer either way"
    );
    assert_eq!(outbox(&app).await, 1);
    let body = app.gql(None, REQUEST, json!({"n": ids::PUDONG_1})).await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
    let sent = code_sent(&app).await;

    // Wrong codes count; a weak password is refused before the code is used.
    let wrong = if sent == "000000" { "111111" } else { "000000" };
    let body = app
        .gql(
            None,
            ACTIVATE,
            json!({"c": ch["challengeId"], "code": wrong, "u": "zhangsan", "p": PASSWORD}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let body = app
        .gql(
            None,
            ACTIVATE,
            json!({"c": ch["challengeId"], "code": sent, "u": "zhangsan", "p": "short"}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let body = app
        .gql(
            None,
            ACTIVATE,
            json!({"c": ch["challengeId"], "code": sent, "u": "zhangsan", "p": PASSWORD}),
        )
        .await;
    assert_eq!(ok(&body, "activateAccount"), "zhangsan");
    // Used once.
    let body = app
        .gql(
            None,
            ACTIVATE,
            json!({"c": ch["challengeId"], "code": sent, "u": "zhangsan2", "p": PASSWORD}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let token = app.login("zhangsan").await;
    let body = app
        .gql(Some(&token), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(body["data"]["viewer"]["role"], "CITIZEN");
    let body = app
        .gql(Some(&token), "query($id: ID!) { person(id: $id) { name subsidies { period } eligibleServices { eligible } } }", json!({"id": person}))
        .await;
    assert_eq!(ok(&body, "person")["name"], "张三", "their own file");

    // Admins in scope see it; another district does not.
    const LIST: &str =
        "{ citizenAccounts(first: 10) { edges { node { id username personName status } } } }";
    let street = app.login("lujiazui").await;
    let body = app.gql(Some(&street), LIST, json!({})).await;
    let edges = ok(&body, "citizenAccounts")["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["status"], "ACTIVE");
    let id = edges[0]["node"]["id"].clone();
    let huangpu = app.login("huangpu").await;
    let body = app.gql(Some(&huangpu), LIST, json!({})).await;
    assert!(
        ok(&body, "citizenAccounts")["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    const SET: &str = "mutation($id: ID!, $a: CitizenAccountAction!, $r: String!) { setCitizenAccountStatus(id: $id, action: $a, reason: $r) { status } }";
    let body = app
        .gql(
            Some(&huangpu),
            SET,
            json!({"id": id, "a": "LOCK", "r": "测试"}),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");

    // Lock: the session ends and sign-in fails; unlock: it works again.
    let body = app
        .gql(
            Some(&street),
            SET,
            json!({"id": id, "a": "LOCK", "r": "家属反映手机遗失"}),
        )
        .await;
    assert_eq!(ok(&body, "setCitizenAccountStatus")["status"], "LOCKED");
    let body = app
        .gql(Some(&token), "{ viewer { role } }", json!({}))
        .await;
    assert!(body["data"]["viewer"].is_null(), "{body}");
    let body = app
        .gql(None, LOGIN, json!({"u": "zhangsan", "p": PASSWORD}))
        .await;
    assert!(body["data"]["login"].is_null(), "{body}");
    let body = app
        .gql(
            Some(&street),
            SET,
            json!({"id": id, "a": "UNLOCK", "r": "已核实本人"}),
        )
        .await;
    assert_eq!(ok(&body, "setCitizenAccountStatus")["status"], "ACTIVE");
    app.login("zhangsan").await;

    // Require a new activation: the old password stops working; a new code re-opens the same
    // account with a new password.
    let body = app
        .gql(
            Some(&street),
            SET,
            json!({"id": id, "a": "REQUIRE_ACTIVATION", "r": "忘记密码"}),
        )
        .await;
    assert_eq!(
        ok(&body, "setCitizenAccountStatus")["status"],
        "PENDING_ACTIVATION"
    );
    let body = app
        .gql(None, LOGIN, json!({"u": "zhangsan", "p": PASSWORD}))
        .await;
    assert!(body["data"]["login"].is_null(), "{body}");
    // (The resend interval is a minute: the earlier request is moved back by a minute.)
    backdate(&app).await;
    let body = app.gql(None, REQUEST, json!({"n": ids::PUDONG_1})).await;
    let ch = ok(&body, "requestAccountActivation").clone();
    let sent = code_sent(&app).await;
    let new_pw = "Renew@2026pw";
    let body = app
        .gql(
            None,
            ACTIVATE,
            json!({"c": ch["challengeId"], "code": sent, "u": "ignored_name", "p": new_pw}),
        )
        .await;
    assert_eq!(ok(&body, "activateAccount"), "zhangsan", "the same account");
    let body = app
        .gql(None, LOGIN, json!({"u": "zhangsan", "p": new_pw}))
        .await;
    assert!(body["data"]["login"]["accessToken"].is_string(), "{body}");
    // Every step is in the audit trail, never a code or a password.
    let rows = app
        .rows("SELECT operation, detail FROM audit_records WHERE operation LIKE 'account.%activation%' OR operation = 'account.citizen.status'")
        .await;
    assert!(rows.len() >= 6, "{}", rows.len());
    for r in rows {
        let detail: String = r.try_get("", "detail").unwrap();
        assert!(
            !detail.contains(&sent) && !detail.contains(new_pw),
            "{detail}"
        );
    }
}

/// Move every activation request back two minutes (past the resend interval).
async fn backdate(app: &TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    use zhucan_domain::entities::account_activation;
    let rows = account_activation::Entity::find()
        .all(app.platform.db.conn())
        .await
        .unwrap();
    for r in rows {
        account_activation::Entity::update_many()
            .col_expr(
                account_activation::Column::CreatedAt,
                Expr::value(r.created_at - chrono::Duration::minutes(2)),
            )
            .filter(account_activation::Column::Id.eq(r.id))
            .exec(app.platform.db.conn())
            .await
            .unwrap();
    }
}
