//! Field policy, audited reveal, and encryption at rest.

use serde_json::json;
use zhucan_domain::viewer::Role;

use crate::helpers::{TestApp, code, ids};

const FILE: &str = "query($id: ID!) { person(id: $id) { idNumber phone address certificate { number category level } } }";
const REVEAL: &str =
    "mutation($id: ID!, $f: SensitiveField!) { revealPersonField(personId: $id, field: $f) }";

#[tokio::test]
async fn sensitive_fields_are_masked_by_default() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let id = app.person("掩码", ids::PUDONG_1, "41", "310115005").await;
    let token = app.login("pudong").await;
    let body = app.gql(Some(&token), FILE, json!({"id": id})).await;
    let p = &body["data"]["person"];
    assert_eq!(p["idNumber"], "310***********1238");
    assert_eq!(p["phone"], "138****5678");
    assert_eq!(p["certificate"]["number"], "310*************3841");
    assert_eq!(p["certificate"]["category"], "PHYSICAL");
    assert_eq!(p["certificate"]["level"], 1);
    assert!(
        !p["address"]
            .as_str()
            .unwrap_or_default()
            .contains("测试路1号"),
        "{p}"
    );
}

#[tokio::test]
async fn a_reveal_returns_the_full_value_and_is_audited() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let id = app.person("揭示", ids::PUDONG_1, "41", "310115005").await;
    let token = app.login("lujiazui").await;
    let body = app
        .gql(Some(&token), REVEAL, json!({"id": id, "f": "ID_NUMBER"}))
        .await;
    assert_eq!(body["data"]["revealPersonField"], ids::PUDONG_1, "{body}");

    let rows = app.rows(&format!("SELECT actor_name, detail, result FROM audit_records WHERE operation = 'person.reveal' AND object_id = '{id}'")).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].try_get::<String>("", "actor_name").unwrap(),
        "lujiazui"
    );
    assert_eq!(
        rows[0].try_get::<String>("", "detail").unwrap(),
        "ID_NUMBER"
    );
    // The audit trail names the field, never its value.
    let all = app
        .rows("SELECT detail, object_id, actor_name FROM audit_records")
        .await;
    for r in all {
        assert!(
            !r.try_get::<String>("", "detail")
                .unwrap()
                .contains(ids::PUDONG_1)
        );
    }
}

#[tokio::test]
async fn reveals_outside_scope_or_by_separated_duties_fail_and_are_audited() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let id = app.person("揭示", ids::PUDONG_1, "41", "310115005").await;
    let huangpu = app.login("huangpu").await;
    assert_eq!(
        code(
            &app.gql(Some(&huangpu), REVEAL, json!({"id": id, "f": "PHONE"}))
                .await
        ),
        "NOT_FOUND"
    );
    let sec = app.login("secadmin").await;
    assert_eq!(
        code(
            &app.gql(Some(&sec), REVEAL, json!({"id": id, "f": "PHONE"}))
                .await
        ),
        "FORBIDDEN"
    );
    let rows = app
        .rows("SELECT result FROM audit_records WHERE operation = 'person.reveal' ORDER BY seq")
        .await;
    let results: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "result").unwrap())
        .collect();
    assert_eq!(results, vec!["FAILURE:NOT_FOUND", "FAILURE:FORBIDDEN"]);
}

#[tokio::test]
async fn a_citizen_may_reveal_their_own_fields_but_sees_them_masked_first() {
    let app = TestApp::spawn().await;
    let id = app.person("本人", ids::PUDONG_2, "11", "310115005").await;
    app.account("citizen", Role::Citizen, None, Some(id)).await;
    let token = app.login("citizen").await;
    let me = app.gql(Some(&token), "{ me { phone } }", json!({})).await;
    assert_eq!(me["data"]["me"]["phone"], "138****5678");
    let full = app
        .gql(Some(&token), REVEAL, json!({"id": id, "f": "PHONE"}))
        .await;
    assert_eq!(full["data"]["revealPersonField"], "13812345678");
}

#[tokio::test]
async fn sensitive_columns_hold_no_plaintext_at_rest() {
    let app = TestApp::spawn().await;
    let id = app.person("密文", ids::PUDONG_1, "41", "310115005").await;
    let rows = app
        .rows(&format!("SELECT id_number_enc, id_number_bidx, certificate_enc, phone_enc, address_enc FROM persons WHERE id = '{id}'"))
        .await;
    let rows = if rows.is_empty() {
        // SQLite stores UUIDs as 16-byte blobs.
        app.rows(&format!("SELECT id_number_enc, id_number_bidx, certificate_enc, phone_enc, address_enc FROM persons WHERE hex(id) = '{}'", id.simple().to_string().to_uppercase())).await
    } else {
        rows
    };
    assert_eq!(rows.len(), 1, "the fixture row is found");
    let plaintexts: [&[u8]; 4] = [
        ids::PUDONG_1.as_bytes(),
        b"13812345678",
        "测试路".as_bytes(),
        b"198001011238",
    ];
    for col in [
        "id_number_enc",
        "id_number_bidx",
        "certificate_enc",
        "phone_enc",
        "address_enc",
    ] {
        let bytes: Vec<u8> = rows[0].try_get("", col).unwrap();
        assert!(bytes.len() >= 16, "{col} is stored");
        for p in plaintexts {
            assert!(
                !bytes.windows(p.len()).any(|w| w == p),
                "{col} contains plaintext"
            );
        }
    }
    // Decrypting through the platform gives the value back, so the column is real ciphertext.
    let person = zhucan_domain::person::PersonRepo::new(&app.platform.db)
        .get(
            &zhucan_domain::viewer::PersonScope::of(&zhucan_domain::viewer::Viewer {
                account_id: uuid::Uuid::nil(),
                username: String::new(),
                role: Role::CityAdmin,
                region: None,
                person_id: None,
                client: None,
            }),
            id,
        )
        .await
        .unwrap();
    let back = person
        .decrypt(
            &app.platform.cipher,
            zhucan_domain::policy::SensitiveField::IdNumber,
        )
        .unwrap();
    assert_eq!(back.as_deref(), Some(ids::PUDONG_1));
}
