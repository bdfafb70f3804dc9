//! Staff sign-in (8.1.4.1): the TOTP-SM3 second factor admin roles cannot act without, codes
//! that work once, the password policy (complexity, history, forced change, expiry), and the
//! `zhucan otp` demo command.

use chrono::Utc;
use serde_json::{Value, json};
use zhucan_domain::identity::totp;

use crate::helpers::{PASSWORD, TestApp, code};

const LOGIN: &str = "mutation($u:String!,$p:String!,$o:String){ login(input:{username:$u,password:$p,otp:$o}){ accessToken stage } }";
const PERSONS: &str = "{ persons(first: 1) { totalCount } }";

async fn login(app: &TestApp, user: &str, password: &str, otp: Option<&str>) -> Value {
    app.gql(None, LOGIN, json!({"u": user, "p": password, "o": otp}))
        .await
}

fn token(body: &Value) -> String {
    body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn audited(app: &TestApp, operation: &str, result: &str) -> usize {
    app.rows(&format!(
        "SELECT seq FROM audit_records WHERE operation = '{operation}' AND result = '{result}'"
    ))
    .await
    .len()
}

#[tokio::test]
async fn staff_cannot_act_without_a_second_factor_and_each_code_works_once() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        require_second_factor: true,
        ..s
    })
    .await;
    app.staff().await;

    // Not enrolled: the password alone gives a token that can only enrol.
    let body = login(&app, "pudong", PASSWORD, None).await;
    assert_eq!(
        body["data"]["login"]["stage"], "SECOND_FACTOR_ENROLLMENT",
        "{body}"
    );
    let limited = token(&body);
    let body = app.gql(Some(&limited), PERSONS, json!({})).await;
    assert_eq!(code(&body), "SECOND_FACTOR_ENROLLMENT_REQUIRED", "{body}");
    let body = app
        .gql(Some(&limited), "{ viewer { username } }", json!({}))
        .await;
    assert_eq!(body["data"]["viewer"]["username"], "pudong");
    let resp = app
        .client
        .get(format!("{}/reports/outreach/2026-11.xlsx", app.address))
        .bearer_auth(&limited)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    // Enrol: an otpauth URI naming SM3; a wrong code is refused; the right one gives a full token.
    let body = app
        .gql(
            Some(&limited),
            "mutation { enrollSecondFactor { secret otpauthUri } }",
            json!({}),
        )
        .await;
    let e = &body["data"]["enrollSecondFactor"];
    let uri = e["otpauthUri"].as_str().unwrap_or_else(|| panic!("{body}"));
    assert!(
        uri.starts_with("otpauth://totp/") && uri.contains("algorithm=SM3"),
        "{uri}"
    );
    let secret = totp::secret_from_base32(e["secret"].as_str().unwrap()).unwrap();
    let other = totp::code_at(b"not-the-secret-at-all", Utc::now());
    let confirm = "mutation($c:String!){ confirmSecondFactor(code:$c){ accessToken stage } }";
    let body = app.gql(Some(&limited), confirm, json!({"c": other})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    let now_code = totp::code_at(&secret, Utc::now());
    let body = app
        .gql(Some(&limited), confirm, json!({"c": now_code}))
        .await;
    assert_eq!(
        body["data"]["confirmSecondFactor"]["stage"], "FULL",
        "{body}"
    );
    let full = body["data"]["confirmSecondFactor"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app.gql(Some(&full), PERSONS, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");

    // Enrolled: the password alone is not enough; wrong and replayed codes are refused and
    // audited; the next step's code works.
    let body = login(&app, "pudong", PASSWORD, None).await;
    assert_eq!(code(&body), "SECOND_FACTOR_REQUIRED", "{body}");
    let body = login(&app, "pudong", PASSWORD, Some(&other)).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    let body = login(&app, "pudong", PASSWORD, Some(&now_code)).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "replayed code: {body}");
    let next = totp::code_at(&secret, Utc::now() + chrono::Duration::seconds(30));
    let body = login(&app, "pudong", PASSWORD, Some(&next)).await;
    assert_eq!(body["data"]["login"]["stage"], "FULL", "{body}");
    // A wrong password never reaches the second factor.
    let body = login(&app, "pudong", "Wrong@2026pw", None).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    assert_eq!(
        audited(&app, "auth.second_factor", "FAILURE:UNAUTHENTICATED").await,
        2
    );
    assert_eq!(
        audited(&app, "auth.second_factor.confirm", "SUCCESS").await,
        1
    );
    assert_eq!(
        audited(&app, "auth.login", "FAILURE:SECOND_FACTOR_REQUIRED").await,
        1
    );
    // Citizens and volunteers sign in with the password alone.
    let body = login(&app, "volunteer", PASSWORD, None).await;
    assert_eq!(body["data"]["login"]["stage"], "FULL", "{body}");
}

#[tokio::test]
async fn passwords_follow_the_policy_and_must_change_when_required() {
    let app = TestApp::spawn().await;
    app.staff().await;
    app.sql("UPDATE accounts SET must_change_password = TRUE WHERE username = 'lujiazui'")
        .await;
    let body = login(&app, "lujiazui", PASSWORD, None).await;
    assert_eq!(body["data"]["login"]["stage"], "PASSWORD_CHANGE", "{body}");
    let limited = token(&body);
    let body = app.gql(Some(&limited), PERSONS, json!({})).await;
    assert_eq!(code(&body), "PASSWORD_CHANGE_REQUIRED", "{body}");
    let change = "mutation($c:String!,$n:String!){ changePassword(currentPassword:$c, newPassword:$n){ accessToken stage } }";
    let body = app
        .gql(
            Some(&limited),
            change,
            json!({"c": "Wrong@2026pw", "n": "Zc#2027safe"}),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    for weak in ["abc", "abcdefgh1", "Lujiazui#2027", PASSWORD] {
        let body = app
            .gql(Some(&limited), change, json!({"c": PASSWORD, "n": weak}))
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{weak}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "newPassword");
    }
    let body = app
        .gql(
            Some(&limited),
            change,
            json!({"c": PASSWORD, "n": "Zc#2027safe"}),
        )
        .await;
    assert_eq!(body["data"]["changePassword"]["stage"], "FULL", "{body}");
    let body = login(&app, "lujiazui", "Zc#2027safe", None).await;
    assert_eq!(body["data"]["login"]["stage"], "FULL", "{body}");
    let full = token(&body);
    // The previous password is in the history.
    let body = app
        .gql(
            Some(&full),
            change,
            json!({"c": "Zc#2027safe", "n": PASSWORD}),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("最近5次"),
        "{body}"
    );

    // An expired password must be changed.
    {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use zhucan_domain::entities::account;
        account::Entity::update_many()
            .col_expr(
                account::Column::PasswordChangedAt,
                Expr::value(Some(Utc::now() - chrono::Duration::days(91))),
            )
            .filter(account::Column::Username.eq("lujiazui"))
            .exec(app.platform.db.conn())
            .await
            .unwrap();
    }
    let body = login(&app, "lujiazui", "Zc#2027safe", None).await;
    assert_eq!(body["data"]["login"]["stage"], "PASSWORD_CHANGE", "{body}");
    assert_eq!(audited(&app, "auth.password.change", "SUCCESS").await, 1);
    assert_eq!(
        audited(&app, "auth.password.change", "FAILURE:UNAUTHENTICATED").await,
        1
    );
}

#[tokio::test]
async fn the_demo_otp_command_prints_the_code_of_the_published_secret() {
    let app = TestApp::spawn().await;
    app.staff().await;
    zhucan_domain::demo::set_demo_second_factor(&app.platform.db, &app.platform.cipher, "city")
        .await
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args(["otp", "city"])
        .env("ZHUCAN_DATA_DIR", &app.settings.data_dir)
        .env("ZHUCAN_LOG_LEVEL", "warn")
        .env("ZHUCAN_DEMO_DATA", "false")
        .envs(
            app.settings
                .database_url
                .as_ref()
                .map(|u| ("ZHUCAN_DATABASE_URL", u.expose().to_owned())),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let secret = totp::secret_from_base32(zhucan_domain::demo::DEMO_TOTP_SECRET).unwrap();
    let now = Utc::now();
    let candidates = [
        totp::code_at(&secret, now - chrono::Duration::seconds(30)),
        totp::code_at(&secret, now),
    ];
    assert!(
        candidates.contains(&printed),
        "{printed} not in {candidates:?}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args(["otp", "nobody"])
        .env("ZHUCAN_DATA_DIR", &app.settings.data_dir)
        .env("ZHUCAN_DEMO_DATA", "false")
        .envs(
            app.settings
                .database_url
                .as_ref()
                .map(|u| ("ZHUCAN_DATABASE_URL", u.expose().to_owned())),
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_ukey_signs_a_one_time_challenge_with_sm2() {
    use sm2::dsa::SigningKey;
    use sm2::dsa::signature::Signer;
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        require_second_factor: true,
        ..s
    })
    .await;
    app.staff().await;
    let ukey = SigningKey::from_slice(zhucan_domain::identity::ukey::DIST_ID, &[7u8; 32]).unwrap();
    let public = hex::encode(ukey.verifying_key().to_sec1_bytes());
    // Registered by the security admin (who signs in with a TOTP they enrol first).
    let body = login(&app, "secadmin", PASSWORD, None).await;
    let limited = token(&body);
    let body = app
        .gql(
            Some(&limited),
            "mutation { enrollSecondFactor { secret } }",
            json!({}),
        )
        .await;
    let secret = totp::secret_from_base32(
        body["data"]["enrollSecondFactor"]["secret"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let body = app
        .gql(
            Some(&limited),
            "mutation($c:String!){ confirmSecondFactor(code:$c){ accessToken } }",
            json!({"c": totp::code_at(&secret, Utc::now())}),
        )
        .await;
    let sec = body["data"]["confirmSecondFactor"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let register = "mutation($u:String!,$k:String!){ registerUkey(username:$u, publicKey:$k) }";
    let body = app
        .gql(
            Some(&sec),
            register,
            json!({"u": "pudong", "k": "04abcdef"}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "publicKey",
        "{body}"
    );
    let body = app
        .gql(Some(&sec), register, json!({"u": "pudong", "k": public}))
        .await;
    assert_eq!(body["data"]["registerUkey"], true, "{body}");

    let challenge = "mutation($u:String!){ loginChallenge(username:$u){ challengeId challenge } }";
    let ukey_login = "mutation($u:String!,$p:String!,$c:ID,$s:String){ login(input:{username:$u,password:$p,challengeId:$c,sm2Signature:$s}){ accessToken stage } }";
    let sign = |c: &str| -> String {
        let sig: sm2::dsa::Signature = ukey.sign(&hex::decode(c).unwrap());
        hex::encode(sig.to_bytes())
    };
    // The password alone is not enough.
    let body = login(&app, "pudong", PASSWORD, None).await;
    assert_eq!(code(&body), "SECOND_FACTOR_REQUIRED", "{body}");
    // A signed challenge signs in, once.
    let body = app.gql(None, challenge, json!({"u": "pudong"})).await;
    let (cid, c) = (
        body["data"]["loginChallenge"]["challengeId"]
            .as_str()
            .unwrap()
            .to_owned(),
        body["data"]["loginChallenge"]["challenge"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let signature = sign(&c);
    let body = app
        .gql(
            None,
            ukey_login,
            json!({"u": "pudong", "p": PASSWORD, "c": cid, "s": signature}),
        )
        .await;
    assert_eq!(body["data"]["login"]["stage"], "FULL", "{body}");
    let body = app
        .gql(
            None,
            ukey_login,
            json!({"u": "pudong", "p": PASSWORD, "c": cid, "s": signature}),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "replayed challenge: {body}");
    // A signature over something else, or by another key, fails.
    let body = app.gql(None, challenge, json!({"u": "pudong"})).await;
    let cid = body["data"]["loginChallenge"]["challengeId"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app
        .gql(
            None,
            ukey_login,
            json!({"u": "pudong", "p": PASSWORD, "c": cid, "s": sign(&"00".repeat(32))}),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    // Unknown usernames get a challenge too (nothing to probe), which never signs anyone in.
    let body = app
        .gql(None, challenge, json!({"u": "nobody_at_all"}))
        .await;
    assert_eq!(
        body["data"]["loginChallenge"]["challenge"]
            .as_str()
            .map(str::len),
        Some(64),
        "{body}"
    );
    assert_eq!(audited(&app, "auth.ukey.register", "SUCCESS").await, 1);
}

/// Give `user` the authenticator secret `secret`, confirmed, as the demo seeding does.
async fn with_secret(app: &TestApp, user: &str, secret: &[u8]) {
    use sea_orm::{ActiveModelTrait, Set};
    let a = zhucan_domain::identity::AccountRepo::new(&app.platform.db)
        .by_username(user)
        .await
        .unwrap()
        .unwrap();
    let enc = app
        .platform
        .cipher
        .encrypt(
            zhucan_domain::identity::staff::totp_aad(&a.id),
            &totp::secret_base32(secret),
        )
        .unwrap();
    let mut m: zhucan_domain::entities::account::ActiveModel = a.into();
    m.totp_secret_enc = Set(Some(enc));
    m.totp_confirmed = Set(true);
    m.update(app.platform.db.conn()).await.unwrap();
}

async fn login_detail(app: &TestApp) -> String {
    app.rows("SELECT detail FROM audit_records WHERE operation = 'auth.login' AND result = 'SUCCESS' ORDER BY seq DESC")
        .await[0]
        .try_get::<String>("", "detail")
        .unwrap()
}

#[tokio::test]
async fn a_standard_authenticators_code_signs_in_and_the_old_construction_is_flagged() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        require_second_factor: true,
        ..s
    })
    .await;
    app.staff().await;
    let secret = b"12345678901234567890";
    with_secret(&app, "pudong", secret).await;
    // RFC 6238 with HMAC-SM3 over the 8-byte counter, computed here the way any standard
    // authenticator does (the unit tests pin it to an independent implementation).
    let step = Utc::now().timestamp() / 30;
    let standard = |s: i64| {
        let mac = zhucan_domain::crypto::hmac_sm3_plain(secret, &(s as u64).to_be_bytes());
        let off = usize::from(mac[31] & 0x0f);
        let bin = u32::from_be_bytes([mac[off] & 0x7f, mac[off + 1], mac[off + 2], mac[off + 3]]);
        format!("{:06}", bin % 1_000_000)
    };
    let body = login(&app, "pudong", PASSWORD, Some(&standard(step))).await;
    assert_eq!(body["data"]["login"]["stage"], "FULL", "{body}");
    assert_eq!(login_detail(&app).await, "factor=TOTP_SM3");
    // A code of the pre-standard construction still works for this release, flagged.
    let legacy = format!("{:06}", totp::hotp_sm3_legacy(secret, (step + 1) as u64));
    let body = login(&app, "pudong", PASSWORD, Some(&legacy)).await;
    assert_eq!(body["data"]["login"]["stage"], "FULL", "{body}");
    assert!(login_detail(&app).await.contains("legacy_otp=1"));
    // Switched off, the old construction is refused.
    let strict = TestApp::spawn_with(|s| zhucan::config::Settings {
        require_second_factor: true,
        otp_accept_legacy: false,
        ..s
    })
    .await;
    strict.staff().await;
    with_secret(&strict, "pudong", secret).await;
    let legacy = format!("{:06}", totp::hotp_sm3_legacy(secret, step as u64));
    let body = login(&strict, "pudong", PASSWORD, Some(&legacy)).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
}

#[tokio::test]
async fn a_gmt_0021_hardware_token_is_a_second_factor() {
    use zhucan_domain::identity::gmt0021;
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        require_second_factor: true,
        ..s
    })
    .await;
    app.staff().await;
    let seed_hex = "1234567890abcdef1234567890abcdef";
    let seed = hex::decode(seed_hex).unwrap();
    // The security admin registers the token (her own second factor first).
    with_secret(&app, "secadmin", b"security-admin-secret").await;
    let sec_code = totp::code_at(b"security-admin-secret", Utc::now());
    let sec = token(&login(&app, "secadmin", PASSWORD, Some(&sec_code)).await);
    let register = "mutation($u:String!,$s:String!){ registerOtpToken(username:$u, serial:\"GM-0001\", seed:$s) }";
    let body = app
        .gql(Some(&sec), register, json!({"u": "pudong", "s": "12ab"}))
        .await;
    assert_eq!(
        code(&body),
        "BAD_USER_INPUT",
        "a seed under 128 bits: {body}"
    );
    let body = app
        .gql(Some(&sec), register, json!({"u": "pudong", "s": seed_hex}))
        .await;
    assert_eq!(body["data"]["registerOtpToken"], true, "{body}");
    // The token holder signs in with the token's password in `otp`.
    let body = login(&app, "pudong", PASSWORD, None).await;
    assert_eq!(code(&body), "SECOND_FACTOR_REQUIRED", "{body}");
    let now = Utc::now().timestamp();
    let password = gmt0021::code_at(&seed, now, 60);
    let body = login(&app, "pudong", PASSWORD, Some(&password)).await;
    assert_eq!(body["data"]["login"]["stage"], "FULL", "{body}");
    assert_eq!(login_detail(&app).await, "factor=GMT0021");
    let body = login(&app, "pudong", PASSWORD, Some(&password)).await;
    assert_eq!(
        code(&body),
        "UNAUTHENTICATED",
        "a replayed password: {body}"
    );
    let stored = app
        .rows("SELECT otp_token_seed_enc FROM accounts WHERE username = 'pudong'")
        .await[0]
        .try_get::<Vec<u8>>("", "otp_token_seed_enc")
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&stored).contains(seed_hex),
        "the seed is stored encrypted"
    );
}
