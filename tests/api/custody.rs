//! 代管卡折资金: custodianships managed by the ward's street-town and seen in scope; accounts
//! Luhn-checked, never held for two wards, masked, revealed only by the supervisor (audited);
//! spending entered by the custodian in exact fen.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use zhucan_domain::entities::{audit_record, custody_account, spending_record};
use zhucan_domain::viewer::Role;

use crate::helpers::{TestApp, code, ids};

const SAVE: &str = "mutation($i: CustodianshipInput!) { saveCustodianship(input: $i) { id version status wardName custodianName street { name } } }";
pub(crate) const ADD: &str = "mutation($i: CustodyAccountInput!) { addCustodyAccount(input: $i) { id number bank { name } } }";
const LIST: &str = "{ custodianships(first: 20) { edges { node { id } } } }";

pub(crate) fn ok<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "{field}: {body}");
    &body["data"][field]
}

pub(crate) struct Scene {
    pub app: TestApp,
    pub street: String,
    pub guardian: String,
    pub ward: uuid::Uuid,
    pub custodianship: String,
}

/// 陆家嘴 sets up a custodianship: a ward of theirs, `guardian` as custodian, themselves as
/// supervisor.
pub(crate) async fn scene() -> Scene {
    let app = TestApp::spawn().await;
    app.staff().await;
    let ward = app
        .person("被代管人", ids::PUDONG_1, "51", "310115005")
        .await;
    app.account("guardian", Role::Citizen, None, None).await;
    let street = app.login("lujiazui").await;
    let guardian = app.login("guardian").await;
    let body = app
        .gql(
            Some(&street),
            SAVE,
            json!({"i": {"wardPersonId": ward.to_string(), "custodianUsername": "guardian", "custodianName": "王监护", "relation": "PARENT", "basis": "COURT_DECISION", "basisDocument": "(2026)沪0115民特123号", "startsOn": "2026-01-01"}}),
        )
        .await;
    let c = ok(&body, "saveCustodianship");
    assert_eq!(c["status"], "ACTIVE");
    assert_eq!(c["street"]["name"], "陆家嘴街道");
    Scene {
        custodianship: c["id"].as_str().unwrap().to_owned(),
        app,
        street,
        guardian,
        ward,
    }
}

fn count(body: &Value) -> usize {
    body["data"]["custodianships"]["edges"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn a_street_manages_custodianships_and_another_district_sees_none() {
    let s = scene().await;
    let app = &s.app;
    let huangpu = app.login("huangpu").await;
    let pudong = app.login("pudong").await;
    assert_eq!(count(&app.gql(Some(&huangpu), LIST, json!({})).await), 0);
    assert_eq!(
        code(
            &app.gql(
                Some(&huangpu),
                "query($id: ID!) { custodianship(id: $id) { id } }",
                json!({"id": s.custodianship}),
            )
            .await
        ),
        "NOT_FOUND"
    );
    assert_eq!(count(&app.gql(Some(&pudong), LIST, json!({})).await), 1);
    assert_eq!(count(&app.gql(Some(&s.guardian), LIST, json!({})).await), 1);
    // The district sees but does not manage; the separated duties see nothing.
    let again = json!({"i": {"wardPersonId": s.ward.to_string(), "custodianUsername": "guardian", "custodianName": "王监护", "relation": "PARENT", "basis": "FAMILY_AGREEMENT", "startsOn": "2026-02-01"}});
    assert_eq!(
        code(&app.gql(Some(&pudong), SAVE, again.clone()).await),
        "FORBIDDEN"
    );
    let auditor = app.login("auditor").await;
    assert_eq!(
        code(&app.gql(Some(&auditor), LIST, json!({})).await),
        "FORBIDDEN"
    );
    // One in force per ward.
    assert_eq!(
        code(&app.gql(Some(&s.street), SAVE, again.clone()).await),
        "CONFLICT"
    );
    // Ending keeps it; then a new one may begin.
    const END: &str = "mutation($id: ID!, $v: Int!) { endCustodianship(id: $id, version: $v, endsOn: \"2026-06-30\", reason: \"监护人变更\") { status endsOn endReason } }";
    assert_eq!(
        code(
            &app.gql(Some(&s.street), END, json!({"id": s.custodianship, "v": 7}))
                .await
        ),
        "CONFLICT",
        "a stale version"
    );
    let ended = app
        .gql(Some(&s.street), END, json!({"id": s.custodianship, "v": 1}))
        .await;
    assert_eq!(ok(&ended, "endCustodianship")["status"], "ENDED");
    ok(
        &app.gql(Some(&s.street), SAVE, again).await,
        "saveCustodianship",
    );
    let all = app
        .gql(
            Some(&pudong),
            "{ custodianships(first: 10) { edges { node { status } } } }",
            json!({}),
        )
        .await;
    let statuses: Vec<&str> = ok(&all, "custodianships")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ENDED", "ACTIVE"]);
    // A ward outside the street: not found to them.
    let elsewhere = app
        .person("黄浦居民", ids::HUANGPU_1, "51", "310101002")
        .await;
    let body = app
        .gql(
            Some(&s.street),
            SAVE,
            json!({"i": {"wardPersonId": elsewhere.to_string(), "custodianUsername": "guardian", "custodianName": "王监护", "relation": "PARENT", "basis": "COURT_DECISION", "startsOn": "2026-01-01"}}),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn accounts_are_luhn_checked_held_once_masked_and_revealed_only_by_the_supervisor() {
    let s = scene().await;
    let app = &s.app;
    let add = |number: &str| json!({"i": {"custodianshipId": s.custodianship, "kind": "CARD", "bankCode": "102", "number": number}});
    for (number, why) in [
        ("4111111111111121", "Luhn"),
        ("4111", "length"),
        ("4111x11111111111", "digits"),
    ] {
        let body = app.gql(Some(&s.street), ADD, add(number)).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{why}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.number");
    }
    let bad_bank = app
        .gql(
            Some(&s.street),
            ADD,
            json!({"i": {"custodianshipId": s.custodianship, "kind": "CARD", "bankCode": "999", "number": "4111111111111111"}}),
        )
        .await;
    assert_eq!(code(&bad_bank), "BAD_USER_INPUT");
    assert!(
        custody_account::Entity::find()
            .all(app.platform.db.conn())
            .await
            .unwrap()
            .is_empty(),
        "nothing written"
    );
    let added = app
        .gql(Some(&s.street), ADD, add("4111 1111 1111 1111"))
        .await;
    let added = ok(&added, "addCustodyAccount").clone();
    assert_eq!(added["number"], "4111 **** **** 1111");
    assert_eq!(added["bank"]["name"], "中国工商银行");
    // Stored encrypted: the digits are nowhere in the row.
    let row = custody_account::Entity::find()
        .one(app.platform.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert!(
        !row.number_enc.windows(16).any(|w| w == b"4111111111111111"),
        "plaintext in the ciphertext column"
    );
    // The same number for another ward: refused.
    let other_ward = app.person("另一人", ids::PUDONG_2, "51", "310115005").await;
    app.account("guardian2", Role::Citizen, None, None).await;
    let other = app
        .gql(
            Some(&s.street),
            SAVE,
            json!({"i": {"wardPersonId": other_ward.to_string(), "custodianUsername": "guardian2", "custodianName": "李监护", "relation": "SIBLING", "basis": "RESIDENTS_COMMITTEE", "startsOn": "2026-03-01"}}),
        )
        .await;
    let other = ok(&other, "saveCustodianship")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dup = app
        .gql(
            Some(&s.street),
            ADD,
            json!({"i": {"custodianshipId": other, "kind": "CARD", "bankCode": "104", "number": "4111111111111111"}}),
        )
        .await;
    assert_eq!(code(&dup), "CONFLICT", "{dup}");

    // The custodian sees it masked and may not reveal; the district may not; the supervisor may.
    const REVEAL: &str = "mutation($a: ID!) { revealCustodyAccountNumber(accountId: $a) }";
    let seen = app
        .gql(
            Some(&s.guardian),
            "{ custodianships(first: 5) { edges { node { custodianIsMe accounts { number } } } } }",
            json!({}),
        )
        .await;
    let node = &ok(&seen, "custodianships")["edges"][0]["node"];
    assert_eq!(node["custodianIsMe"], true);
    assert_eq!(node["accounts"][0]["number"], "4111 **** **** 1111");
    let id = added["id"].as_str().unwrap();
    assert_eq!(
        code(&app.gql(Some(&s.guardian), REVEAL, json!({"a": id})).await),
        "FORBIDDEN"
    );
    let pudong = app.login("pudong").await;
    assert_eq!(
        code(&app.gql(Some(&pudong), REVEAL, json!({"a": id})).await),
        "FORBIDDEN"
    );
    let huangpu = app.login("huangpu").await;
    assert_eq!(
        code(&app.gql(Some(&huangpu), REVEAL, json!({"a": id})).await),
        "NOT_FOUND"
    );
    let full = app.gql(Some(&s.street), REVEAL, json!({"a": id})).await;
    assert_eq!(ok(&full, "revealCustodyAccountNumber"), "4111111111111111");
    let reveals = audit_record::Entity::find()
        .filter(audit_record::Column::Operation.eq("custody.account.reveal"))
        .all(app.platform.db.conn())
        .await
        .unwrap();
    let succeeded = reveals.iter().filter(|r| r.result == "SUCCESS").count();
    assert_eq!(succeeded, 1, "the one reveal is audited");
    assert_eq!(reveals.len(), 4, "refusals are audited too");
    // The ward's file carries the custody section, masked, in scope only.
    const FILE: &str = "query($p: ID!) { person(id: $p) { custodianships { status custodianName accounts { number } } } }";
    let file = app
        .gql(Some(&s.street), FILE, json!({"p": s.ward.to_string()}))
        .await;
    let section = &ok(&file, "person")["custodianships"];
    assert_eq!(section[0]["custodianName"], "王监护");
    assert_eq!(section[0]["accounts"][0]["number"], "4111 **** **** 1111");
    let elsewhere = app
        .gql(Some(&huangpu), FILE, json!({"p": s.ward.to_string()}))
        .await;
    assert_eq!(code(&elsewhere), "NOT_FOUND");
}

#[tokio::test]
async fn the_custodian_records_spending_in_exact_fen_and_bad_input_writes_nothing() {
    let s = scene().await;
    let app = &s.app;
    let added = app
        .gql(
            Some(&s.street),
            ADD,
            json!({"i": {"custodianshipId": s.custodianship, "kind": "PASSBOOK", "bankCode": "403", "number": "0338 9100 0123 45"}}),
        )
        .await;
    let account = ok(&added, "addCustodyAccount")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const RECORD: &str = "mutation($i: SpendingInput!) { recordSpending(input: $i) { amountFen amount category spentOn } }";
    let input = |amount: &str, on: &str| json!({"i": {"accountId": account, "amount": amount, "category": "MEDICAL", "merchant": "东方医院", "spentOn": on}});
    for (amount, on, field) in [
        ("0", "2026-11-02", "input.amount"),
        ("-12", "2026-11-02", "input.amount"),
        ("12.345", "2026-11-02", "input.amount"),
        ("十二元", "2026-11-02", "input.amount"),
        ("12", "2099-01-01", "input.spentOn"),
        ("12", "2025-12-31", "input.spentOn"),
    ] {
        let body = app.gql(Some(&s.guardian), RECORD, input(amount, on)).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{amount} {on}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // Only the custodian enters spending.
    assert_eq!(
        code(
            &app.gql(Some(&s.street), RECORD, input("12", "2026-11-02"))
                .await
        ),
        "FORBIDDEN"
    );
    assert!(
        spending_record::Entity::find()
            .all(app.platform.db.conn())
            .await
            .unwrap()
            .is_empty()
    );
    let done = app
        .gql(Some(&s.guardian), RECORD, input("128.5", "2026-11-02"))
        .await;
    let done = ok(&done, "recordSpending");
    assert_eq!(done["amountFen"], 12850);
    assert_eq!(done["amount"], "128.50");
    let listed = app
        .gql(
            Some(&s.street),
            "query($c: ID!) { spendingRecords(custodianshipId: $c) { amount merchant category } }",
            json!({"c": s.custodianship}),
        )
        .await;
    assert_eq!(ok(&listed, "spendingRecords")[0]["merchant"], "东方医院");
    let huangpu = app.login("huangpu").await;
    assert_eq!(
        code(
            &app.gql(
                Some(&huangpu),
                "query($c: ID!) { spendingRecords(custodianshipId: $c) { amount } }",
                json!({"c": s.custodianship}),
            )
            .await
        ),
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn the_demo_custodian_holds_two_wards_with_a_year_of_spending() {
    use zhucan_domain::entities::custodianship;
    use zhucan_domain::types::bank_account::{AccountNumber, AccountNumberKind};
    let app = TestApp::spawn().await;
    let p = &app.platform;
    zhucan_domain::demo::seed_demo_accounts(
        &p.db,
        &p.cipher,
        &p.regions,
        &p.hasher,
        crate::helpers::PASSWORD,
    )
    .await
    .unwrap();
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 7, 3_000, 500, |_| {})
        .await
        .unwrap();
    let made = zhucan_domain::demo::seed_demo_custody(p, crate::helpers::PASSWORD)
        .await
        .unwrap();
    assert!(made >= 10, "{made}");
    assert_eq!(
        zhucan_domain::demo::seed_demo_custody(p, crate::helpers::PASSWORD)
            .await
            .unwrap(),
        0,
        "seeding twice adds nothing"
    );
    let rows = custodianship::Entity::find()
        .all(p.db.conn())
        .await
        .unwrap();
    assert_eq!(rows.len(), made);
    assert!(
        rows.iter()
            .all(|r| r.ward_street_code == "310115005" || r.ward_street_code == "310101002")
    );
    let me = app.login("custodian_demo").await;
    let mine = app
        .gql(
            Some(&me),
            "{ custodianships(first: 10) { edges { node { id custodianIsMe street { name } accounts { id number } spending { amountFen } } } } }",
            json!({}),
        )
        .await;
    let edges = ok(&mine, "custodianships")["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 2);
    for e in &edges {
        let n = &e["node"];
        assert_eq!(n["custodianIsMe"], true);
        assert_eq!(n["street"]["name"], "陆家嘴街道");
        assert!(n["spending"].as_array().unwrap().len() >= 20, "{n}");
        assert!(
            n["accounts"][0]["number"]
                .as_str()
                .unwrap()
                .contains("****")
        );
    }
    // The demo numbers are Luhn-valid, so the custodian's own entries work on them.
    let first = custodianship::Entity::find()
        .filter(custodianship::Column::CustodianAccountId.ne(uuid::Uuid::nil()))
        .one(p.db.conn())
        .await
        .unwrap()
        .unwrap();
    let account = custody_account::Entity::find()
        .filter(custody_account::Column::CustodianshipId.eq(first.id))
        .one(p.db.conn())
        .await
        .unwrap()
        .unwrap();
    let number = p
        .cipher
        .decrypt(
            zhucan_domain::crypto::FieldAad {
                table: "custody_accounts",
                column: "number",
                row: &account.id,
            },
            &account.number_enc,
        )
        .unwrap();
    assert!(AccountNumber::parse("n", AccountNumberKind::Card, &number).is_ok());

    // The demo's imported statements, run through the real import, meet every default rule
    // (the built-in one on a ward who has died with their card still spent).
    use zhucan_domain::entities::custody_alert;
    let mut met: Vec<String> = custody_alert::Entity::find()
        .all(p.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.rule_code)
        .collect();
    met.sort();
    met.dedup();
    let mut every: Vec<&str> = zhucan_migrations::DEFAULT_CUSTODY_RULES
        .iter()
        .map(|r| r.0)
        .collect();
    every.sort_unstable();
    assert_eq!(met, every);
    let imported = spending_record::Entity::find()
        .filter(spending_record::Column::Source.eq("IMPORTED"))
        .all(p.db.conn())
        .await
        .unwrap();
    assert!(imported.len() >= 15, "{}", imported.len());
}

#[tokio::test]
async fn spending_statistics_add_up_by_month_region_and_ward_in_scope_and_export() {
    let s = scene().await;
    let app = &s.app;
    let added = app
        .gql(
            Some(&s.street),
            ADD,
            json!({"i": {"custodianshipId": s.custodianship, "kind": "CARD", "bankCode": "325", "number": "5555555555554444"}}),
        )
        .await;
    let account = ok(&added, "addCustodyAccount")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const RECORD: &str = "mutation($i: SpendingInput!) { recordSpending(input: $i) { id } }";
    for (amount, category, on) in [
        ("100.10", "LIVING", "2026-10-03"),
        ("50", "LIVING", "2026-10-20"),
        ("300.5", "MEDICAL", "2026-11-02"),
    ] {
        ok(
            &app.gql(
                Some(&s.guardian),
                RECORD,
                json!({"i": {"accountId": account, "amount": amount, "category": category, "merchant": "商户", "spentOn": on}}),
            )
            .await,
            "recordSpending",
        );
    }
    const STATS: &str = "query($r: String, $f: String!, $t: String!) { spendingStatistics(regionCode: $r, from: $f, to: $t) { regionCode totalFen months { month records totalFen } regions { regionCode wards records totalFen } wards { wardName totalFen months { month totalFen byCategory { category amountFen } } } downloadPath } }";
    let pudong = app.login("pudong").await;
    let body = app
        .gql(
            Some(&pudong),
            STATS,
            json!({"f": "2026-01", "t": "2026-12"}),
        )
        .await;
    let st = ok(&body, "spendingStatistics").clone();
    assert_eq!(st["totalFen"], 45_060);
    assert_eq!(st["months"][0]["month"], "2026-10");
    assert_eq!(st["months"][0]["totalFen"], 15_010);
    assert_eq!(st["months"][1]["totalFen"], 30_050);
    assert_eq!(st["regions"][0]["regionCode"], "310115005");
    assert_eq!(st["regions"][0]["wards"], 1);
    assert_eq!(st["regions"][0]["records"], 3);
    assert_eq!(st["wards"][0]["wardName"], "被代管人");
    let nov = &st["wards"][0]["months"][1];
    let medical = nov["byCategory"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "MEDICAL")
        .unwrap();
    assert_eq!(medical["amountFen"], 30_050);
    // Out of scope, a custodian, a bad period: refused.
    let huangpu = app.login("huangpu").await;
    assert_eq!(
        code(
            &app.gql(
                Some(&huangpu),
                STATS,
                json!({"r": "310115", "f": "2026-01", "t": "2026-12"})
            )
            .await
        ),
        "FORBIDDEN"
    );
    let theirs = app
        .gql(
            Some(&huangpu),
            STATS,
            json!({"f": "2026-01", "t": "2026-12"}),
        )
        .await;
    assert_eq!(ok(&theirs, "spendingStatistics")["totalFen"], 0);
    assert_eq!(
        code(
            &app.gql(
                Some(&s.guardian),
                STATS,
                json!({"f": "2026-01", "t": "2026-12"})
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql(
                Some(&pudong),
                STATS,
                json!({"f": "2026-12", "t": "2026-01"})
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &app.gql(
                Some(&pudong),
                STATS,
                json!({"f": "2024-01", "t": "2026-12"})
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    let resp = app
        .client
        .get(format!(
            "{}{}",
            app.address,
            st["downloadPath"].as_str().unwrap()
        ))
        .bearer_auth(&pudong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
}

const IMPORT: &str = "mutation($a:ID!,$f:Upload!){ importBankStatement(accountId:$a, file:$f){ rows imported alreadyImported faulty errors { row column message } } }";

pub(crate) async fn import(
    app: &TestApp,
    token: &str,
    account: &str,
    name: &str,
    bytes: &[u8],
) -> Value {
    let request = crate::helpers::multipart_upload(IMPORT, json!({"a": account}), name, bytes);
    app.post_multipart(token, request)
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_gbk_statement_imports_its_valid_rows_once_and_reports_the_rest_by_row() {
    let s = scene().await;
    let app = &s.app;
    let added = app
        .gql(
            Some(&s.street),
            ADD,
            json!({"i": {"custodianshipId": s.custodianship, "kind": "CARD", "bankCode": "102", "number": "4111111111111111"}}),
        )
        .await;
    let account = ok(&added, "addCustodyAccount")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let csv = "交易流水号说明\n";
    // A wrong header: nothing imported.
    let body = import(
        app,
        &s.street,
        &account,
        "bad.csv",
        format!("{csv}A1,2026-11-02,12,超市\n").as_bytes(),
    )
    .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    // GBK, as banks export it: two good rows, a duplicate id, a fraction of a fen, a future date.
    let text = "流水号,日期,金额,收款方,类别,备注\n\
                T001,2026/11/02,128.50,联华超市,生活,\n\
                T002,20261105,300,东方医院,医疗,门诊\n\
                T002,2026-11-06,20,重复,生活,\n\
                T003,2026-11-07,1.234,药房,医疗,\n\
                T004,2099-01-01,10,未来,生活,\n\
                T005,2026-11-08,10,,生活,\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let first = import(app, &s.street, &account, "statement.csv", &gbk).await;
    let r = ok(&first, "importBankStatement").clone();
    assert_eq!(r["rows"], 6);
    assert_eq!(r["imported"], 2);
    assert_eq!(r["faulty"], 4);
    let rows: Vec<i64> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, [4, 5, 6, 7], "{r}");
    assert_eq!(r["errors"][1]["column"], "金额");
    // The same statement again: nothing new.
    let again = import(app, &s.street, &account, "statement.csv", &gbk).await;
    let again = ok(&again, "importBankStatement");
    assert_eq!(
        (
            again["imported"].as_i64(),
            again["alreadyImported"].as_i64()
        ),
        (Some(0), Some(2))
    );
    let stored = spending_record::Entity::find()
        .all(app.platform.db.conn())
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored.iter().map(|r| r.amount_fen).sum::<i64>(), 42_850);
    assert!(stored.iter().all(|r| r.source == "IMPORTED"));
    // Text mixing GBK with UTF-8 cannot be read: a file-level error.
    let mut mixed = gbk.to_vec();
    mixed.extend_from_slice("T009,2026-11-09,5,混合编码,生活,\n".as_bytes());
    mixed.push(0xFF);
    assert_eq!(
        code(&import(app, &s.street, &account, "mixed.csv", &mixed).await),
        "BAD_USER_INPUT"
    );
    // XLSX, and only the ward's street imports.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_row(0, 0, ["流水号", "日期", "金额", "收款方"])
        .unwrap();
    ws.write_row(1, 0, ["X001", "2026-11-10", "66.6", "康复中心"])
        .unwrap();
    let xlsx = wb.save_to_buffer().unwrap();
    // Reconciliation: the custodian entered one of the two (a day off), and one the bank never saw.
    const RECORD: &str = "mutation($i: SpendingInput!) { recordSpending(input: $i) { id } }";
    for (amount, on) in [("128.5", "2026-11-03"), ("9.9", "2026-11-04")] {
        ok(
            &app.gql(
                Some(&s.guardian),
                RECORD,
                json!({"i": {"accountId": account, "amount": amount, "category": "LIVING", "merchant": "超市", "spentOn": on}}),
            )
            .await,
            "recordSpending",
        );
    }
    let rec = app
        .gql(
            Some(&s.street),
            "query($a: ID!) { spendingReconciliation(accountId: $a, from: \"2026-11-01\", to: \"2026-11-30\") { matched { entered { spentOn } onStatement { spentOn amount } } onlyEntered { amount } onlyOnStatement { amount merchant } } }",
            json!({"a": account}),
        )
        .await;
    let rec = ok(&rec, "spendingReconciliation");
    assert_eq!(
        rec["matched"][0]["onStatement"]["spentOn"], "2026-11-02",
        "{rec}"
    );
    assert_eq!(rec["onlyEntered"][0]["amount"], "9.90");
    assert_eq!(rec["onlyOnStatement"][0]["merchant"], "东方医院");
    let pudong = app.login("pudong").await;
    assert_eq!(
        code(&import(app, &pudong, &account, "s.xlsx", &xlsx).await),
        "FORBIDDEN"
    );
    let x = import(app, &s.street, &account, "s.xlsx", &xlsx).await;
    assert_eq!(ok(&x, "importBankStatement")["imported"], 1, "{x}");
    assert_eq!(
        spending_record::Entity::find()
            .all(app.platform.db.conn())
            .await
            .unwrap()
            .len(),
        5
    );
}

#[tokio::test]
async fn a_statement_beyond_the_upload_limit_is_refused_whole() {
    let s = scene().await;
    let app = &s.app;
    let added = app
        .gql(
            Some(&s.street),
            ADD,
            json!({"i": {"custodianshipId": s.custodianship, "kind": "CARD", "bankCode": "102", "number": "4111111111111111"}}),
        )
        .await;
    let account = ok(&added, "addCustodyAccount")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Valid rows, 7 MB of them: more than `upload_limit_bytes` (6 MB).
    let mut text = String::from("流水号,日期,金额,收款方\n");
    let mut i = 0;
    while text.len() < 7 << 20 {
        i += 1;
        text.push_str(&format!("BIG{i:08},2026-11-02,1.00,超市\n"));
    }
    let request =
        crate::helpers::multipart_upload(IMPORT, json!({"a": account}), "big.csv", text.as_bytes());
    let resp = app.post_multipart(&s.street, request).await;
    assert_eq!(resp.status(), 413);
    let answer: Value = resp.json().await.unwrap();
    assert!(answer.to_string().contains("请求体过大"), "{answer}");
    assert!(
        spending_record::Entity::find()
            .all(app.platform.db.conn())
            .await
            .unwrap()
            .is_empty(),
        "nothing imported"
    );
}
