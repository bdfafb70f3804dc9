//! 补贴发放: a type pays by the person's level; a batch is generated from the rule for one
//! district and period, adjusted by its maker with a reason, reviewed by another district admin
//! and approved by the city; the bank file carries the full account numbers (GBK CSV, XLSX) and
//! is audited; the bank's results are applied once, failures go to a supplementary batch and
//! the batch reconciles. Next month's batch lists who stopped and why (the deceased excluded).
//! A crash between pages is resumed without a second payment, which the database itself refuses.

use serde_json::{Value, json};
use zhucan_domain::viewer::Role;

use crate::helpers::{TestApp, code, id_number, ids, ok};

const SAVE_ITEM: &str = "mutation($in:ServiceItemInput!){ saveServiceItem(input:$in){ id } }";
const SAVE_RULE: &str = "mutation($s:ID!,$c:[ConditionInput!]!){ saveEligibilityRule(serviceItemId:$s, conditions:$c){ id } }";
const PUBLISH: &str = "mutation($r:ID!){ publishEligibilityRule(ruleId:$r, expectedCurrentVersion:0){ rule{ version } } }";
const SAVE_TYPE: &str = "mutation($i: SubsidyTypeInput!) { saveSubsidyType(input: $i) { id key amount amountExpression periodKind version } }";
const BATCH_FIELDS: &str = "id status kind period people totalAmount paidAmount failed excluded missingAccounts version preparedByMe";
const ACCOUNT: &str = "mutation($i: PersonBankAccountInput!) { savePersonBankAccount(input: $i) { id number bankName active } }";

fn generate(fields: &str) -> String {
    format!(
        "mutation($t: ID!, $p: String!, $d: String!) {{ generateSubsidyBatch(typeId: $t, period: $p, districtCode: $d) {{ {fields} }} }}"
    )
}

/// A rule-bearing catalog item (`conditions` all must hold); its id.
async fn ruled_item(app: &TestApp, city: &str, key: &str, expression: &str) -> String {
    let item = app
        .gql(
            Some(city),
            SAVE_ITEM,
            json!({"in": {"key": key, "name": format!("{key}补贴事项"), "businessLine": "RIGHTS", "description": "按月发放。", "timeLimitDays": 5, "channel": "OFFLINE"}}),
        )
        .await;
    let item = ok(&item, "saveServiceItem")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rule = app
        .gql(
            Some(city),
            SAVE_RULE,
            json!({"s": item, "c": [{"label": "等级条件", "expression": expression}]}),
        )
        .await;
    let rule = ok(&rule, "saveEligibilityRule")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let published = app.gql(Some(city), PUBLISH, json!({"r": rule})).await;
    ok(&published, "publishEligibilityRule");
    item
}

async fn subsidy_type(app: &TestApp, city: &str, item: &str, key: &str, amount: Value) -> String {
    let mut input = json!({"key": key, "name": format!("{key}补贴"), "serviceItemId": item, "periodKind": "MONTH"});
    if let Some(e) = amount.get("expression") {
        input["amountExpression"] = e.clone();
    } else {
        input["amount"] = amount["yuan"].clone();
    }
    let body = app.gql(Some(city), SAVE_TYPE, json!({"i": input})).await;
    ok(&body, "saveSubsidyType")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn decision(batch: &Value, approve: bool, total: &str) -> Value {
    json!({"i": {"batchId": batch["id"], "version": batch["version"], "approve": approve, "expectedTotal": total, "note": if approve { Value::Null } else { json!("请核对") }}})
}

const REVIEW: &str = "mutation($i: SubsidyDecisionInput!) { reviewSubsidyBatch(input: $i) { id status version totalAmount } }";
const APPROVE: &str = "mutation($i: SubsidyDecisionInput!) { approveSubsidyBatch(input: $i) { id status version totalAmount } }";
const SUBMIT: &str = "mutation($id: ID!, $v: Int!) { submitSubsidyBatch(id: $id, version: $v) { id status version totalAmount missingAccounts } }";
const EXPORT: &str = "mutation($id: ID!, $f: BankFileFormat!) { exportSubsidyBatch(id: $id, format: $f) { fileName contentBase64 sm3 rows totalAmount withheld batch { status exports } } }";
const IMPORT: &str = "mutation($b: ID!, $f: Upload!) { importSubsidyPaymentResults(batchId: $b, file: $f) { rows paid failed already supplementaryBatchId batch { status paidAmount failed } } }";
const ITEMS: &str = "query($id: ID!) { subsidyBatch(id: $id) { items(first: 100) { edges { node { id personName amount baseAmount adjustmentReason account status failureReason resolution supplementItemId } } } changes(first: 100) { edges { node { personName kind reasonCode reason previousAmount amount } } } } }";

fn b64(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

async fn import(app: &TestApp, token: &str, batch: &str, name: &str, file: &[u8]) -> Value {
    let req = crate::helpers::multipart_upload(IMPORT, json!({"b": batch}), name, file);
    app.post_multipart(token, req).await.json().await.unwrap()
}

async fn items(app: &TestApp, token: &str, batch: &str) -> (Vec<Value>, Vec<Value>) {
    let body = app.gql(Some(token), ITEMS, json!({"id": batch})).await;
    let b = ok(&body, "subsidyBatch");
    let list = |k: &str| {
        b[k]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect::<Vec<_>>()
    };
    (list("items"), list("changes"))
}

async fn sum_of_items(app: &TestApp, batch: &str) -> (i64, i64) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use zhucan_domain::entities::{subsidy_batch, subsidy_item};
    let id: uuid::Uuid = batch.parse().unwrap();
    let conn = app.platform.db.conn();
    let items = subsidy_item::Entity::find()
        .filter(subsidy_item::Column::BatchId.eq(id))
        .all(conn)
        .await
        .unwrap();
    let b = subsidy_batch::Entity::find_by_id(id)
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    (items.iter().map(|i| i.amount_fen).sum(), b.total_fen)
}

#[tokio::test]
async fn a_batch_goes_from_the_rule_through_maker_and_checkers_to_the_bank_and_reconciles() {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        subsidy_bank_file_gbk: true,
        ..s
    })
    .await;
    app.staff().await;
    app.account("pudong2", Role::DistrictAdmin, Some("310115"), None)
        .await;
    let city = app.login("city").await;
    let pudong = app.login("pudong").await;
    let pudong2 = app.login("pudong2").await;
    let huangpu = app.login("huangpu").await;
    let street = app.login("lujiazui").await;
    let a = app.person("甲", ids::PUDONG_1, "11", "310115005").await;
    let b = app.person("乙", ids::PUDONG_2, "42", "310115005").await;
    app.person("丙", ids::PUDONG_3, "43", "310115005").await;
    app.person("丁", ids::HUANGPU_1, "11", "310101002").await;
    let item = ruled_item(&app, &city, "SEVERE_CARE", "level <= 2").await;

    // Types: exactly one of a fixed sum and an expression; the expression must give fen.
    for (input, field) in [
        (
            json!({"amount": "100", "amountExpression": "36000"}),
            "input.amount",
        ),
        (
            json!({"amountExpression": "level <= 2"}),
            "input.amountExpression",
        ),
        (
            json!({"amountExpression": "income * 2"}),
            "input.amountExpression",
        ),
    ] {
        let mut i =
            json!({"key": "BAD", "name": "错误", "serviceItemId": item, "periodKind": "MONTH"});
        i.as_object_mut()
            .unwrap()
            .extend(input.as_object().unwrap().clone());
        let body = app.gql(Some(&city), SAVE_TYPE, json!({"i": i})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let body = app
        .gql(Some(&pudong), SAVE_TYPE, json!({"i": {"key": "X", "name": "区里的", "serviceItemId": item, "periodKind": "MONTH", "amount": "1"}}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let t = subsidy_type(
        &app,
        &city,
        &item,
        "SEVERE_CARE",
        json!({"expression": "level == 1 ? 36000 : 24000"}),
    )
    .await;

    // Generate October for Pudong: the rule admits 甲 (level 1) and 乙 (level 2), not 丙, and
    // nobody from Huangpu. No accounts yet.
    let gen_ = generate(BATCH_FIELDS);
    let body = app
        .gql(
            Some(&pudong),
            &gen_,
            json!({"t": t, "p": "2026-10", "d": "310115"}),
        )
        .await;
    let batch = ok(&body, "generateSubsidyBatch").clone();
    assert_eq!(
        (
            batch["status"].as_str(),
            batch["people"].as_i64(),
            batch["totalAmount"].as_str(),
            batch["missingAccounts"].as_i64(),
            batch["preparedByMe"].as_bool()
        ),
        (
            Some("GENERATED"),
            Some(2),
            Some("600.00"),
            Some(2),
            Some(true)
        ),
        "{body}"
    );
    let id = batch["id"].as_str().unwrap().to_owned();
    // The same period again, a period not begun, a district out of scope, a street-town.
    for (token, period, district, expect) in [
        (&pudong, "2026-10", "310115", "CONFLICT"),
        (&pudong, "2027-01", "310115", "BAD_USER_INPUT"),
        (&pudong, "2026-13", "310115", "BAD_USER_INPUT"),
        (&huangpu, "2026-10", "310115", "NOT_FOUND"),
        (&street, "2026-10", "310115", "FORBIDDEN"),
    ] {
        let body = app
            .gql(
                Some(token),
                &gen_,
                json!({"t": t, "p": period, "d": district}),
            )
            .await;
        assert_eq!(code(&body), expect, "{period} {district}: {body}");
    }
    // Huangpu does not even see Pudong's batch; the street-town sees it, read-only.
    let body = app.gql(Some(&huangpu), ITEMS, json!({"id": id})).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let (list, _) = items(&app, &street, &id).await;
    assert_eq!(list.len(), 2);

    // Submitting without accounts is refused and says why.
    let body = app
        .gql(
            Some(&pudong),
            SUBMIT,
            json!({"id": id, "v": batch["version"]}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2 人尚未登记收款账户")
    );

    // Accounts: Luhn checked, masked, filled into the batch.
    let body = app
        .gql(Some(&street), ACCOUNT, json!({"i": {"personId": a, "kind": "CARD", "bankCode": "102", "number": "4111111111111112"}}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let acc_a = app
        .gql(Some(&street), ACCOUNT, json!({"i": {"personId": a, "kind": "CARD", "bankCode": "102", "number": "4111 1111 1111 1111"}}))
        .await;
    assert_eq!(ok(&acc_a, "savePersonBankAccount")["number"], "**** 1111");
    let body = app
        .gql(Some(&street), ACCOUNT, json!({"i": {"personId": b, "kind": "CARD", "bankCode": "102", "number": "4111111111111111"}}))
        .await;
    assert_eq!(code(&body), "CONFLICT", "one number, two people: {body}");
    let body = app
        .gql(Some(&street), ACCOUNT, json!({"i": {"personId": b, "kind": "CARD", "bankCode": "325", "number": "5500000000000004"}}))
        .await;
    ok(&body, "savePersonBankAccount");
    let body = app
        .gql(Some(&huangpu), ACCOUNT, json!({"i": {"personId": b, "kind": "CARD", "bankCode": "325", "number": "4012888888881881"}}))
        .await;
    assert_eq!(
        code(&body),
        "NOT_FOUND",
        "another district's person: {body}"
    );

    // The maker adjusts 乙 with a reason; nobody else may.
    let (list, _) = items(&app, &pudong, &id).await;
    let yi = list.iter().find(|i| i["personName"] == "乙").unwrap();
    assert!(yi["account"].as_str().unwrap().ends_with("0004"));
    const ADJUST: &str = "mutation($i: AdjustSubsidyItemInput!) { adjustSubsidyItem(input: $i) { totalAmount version missingAccounts } }";
    let body = app
        .gql(
            Some(&pudong2),
            ADJUST,
            json!({"i": {"itemId": yi["id"], "amount": "250", "reason": "补差"}}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let body = app
        .gql(
            Some(&pudong),
            ADJUST,
            json!({"i": {"itemId": yi["id"], "amount": "250", "reason": " "}}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let body = app
        .gql(
            Some(&pudong),
            ADJUST,
            json!({"i": {"itemId": yi["id"], "amount": "250", "reason": "上月少发10元补差"}}),
        )
        .await;
    let adjusted = ok(&body, "adjustSubsidyItem");
    assert_eq!(adjusted["totalAmount"], "610.00");
    assert_eq!(adjusted["missingAccounts"], 0);
    assert_eq!(sum_of_items(&app, &id).await, (61_000, 61_000));

    // Submit (maker), review (another district admin), approve (the city).
    let body = app
        .gql(
            Some(&pudong),
            SUBMIT,
            json!({"id": id, "v": adjusted["version"]}),
        )
        .await;
    let submitted = ok(&body, "submitSubsidyBatch").clone();
    assert_eq!(submitted["status"], "SUBMITTED");
    let body = app
        .gql(Some(&pudong), REVIEW, decision(&submitted, true, "610"))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "the maker cannot check: {body}");
    let body = app
        .gql(Some(&pudong2), REVIEW, decision(&submitted, true, "600.00"))
        .await;
    assert_eq!(
        code(&body),
        "CONFLICT",
        "a total that does not reconcile: {body}"
    );
    let body = app
        .gql(Some(&city), REVIEW, decision(&submitted, true, "610"))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "the city does not review: {body}");
    let body = app
        .gql(Some(&pudong2), REVIEW, decision(&submitted, true, "610.00"))
        .await;
    let reviewed = ok(&body, "reviewSubsidyBatch").clone();
    assert_eq!(reviewed["status"], "REVIEWED");
    let body = app
        .gql(Some(&city), EXPORT, json!({"id": id, "f": "CSV"}))
        .await;
    assert_eq!(code(&body), "CONFLICT", "not approved yet: {body}");
    let body = app
        .gql(Some(&city), APPROVE, decision(&reviewed, true, "610"))
        .await;
    assert_eq!(ok(&body, "approveSubsidyBatch")["status"], "APPROVED");

    // The bank file: GBK CSV with the full numbers, audited with its digest; XLSX the same.
    let body = app
        .gql(Some(&pudong), EXPORT, json!({"id": id, "f": "CSV"}))
        .await;
    let file = ok(&body, "exportSubsidyBatch");
    assert_eq!(
        (file["rows"].as_i64(), file["totalAmount"].as_str()),
        (Some(2), Some("610.00"))
    );
    assert_eq!(file["batch"]["status"], "EXPORTED");
    let bytes = b64(file["contentBase64"].as_str().unwrap());
    assert!(std::str::from_utf8(&bytes).is_err(), "GBK, not UTF-8");
    let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
    assert!(!bad);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("明细编号,姓名,账户类型,开户行代码,账号,金额（元）"),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("甲") && l.contains("4111111111111111") && l.contains("360.00")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("乙") && l.contains("5500000000000004") && l.contains("250.00")),
        "{text}"
    );
    let audited = app
        .rows("SELECT detail FROM audit_records WHERE operation = 'subsidy.batch.export' AND result = 'SUCCESS'")
        .await;
    let detail: String = audited[0].try_get("", "detail").unwrap();
    assert!(
        detail.contains(file["sm3"].as_str().unwrap()) && !detail.contains("4111"),
        "{detail}"
    );
    let body = app
        .gql(Some(&city), EXPORT, json!({"id": id, "f": "XLSX"}))
        .await;
    let x = ok(&body, "exportSubsidyBatch");
    assert_eq!(x["batch"]["exports"], 2);
    let cells = {
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(b64(x["contentBase64"]
            .as_str()
            .unwrap())))
        .unwrap();
        let r = wb.worksheet_range_at(0).unwrap().unwrap();
        r.rows()
            .map(|row| row.iter().map(ToString::to_string).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert_eq!(cells.len(), 3);
    assert!(
        cells
            .iter()
            .any(|r| r[4] == "5500000000000004" && r[5] == "250.00"),
        "{cells:?}"
    );

    // Results: faulty files write nothing.
    let (list, _) = items(&app, &pudong, &id).await;
    let jia = list.iter().find(|i| i["personName"] == "甲").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let yi = list.iter().find(|i| i["personName"] == "乙").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (file, says) in [
        (
            format!(
                "明细编号,结果,金额（元）,失败原因\n{jia},成功,360.00,\n{},成功,1.00,\n",
                uuid::Uuid::now_v7()
            ),
            "没有这条发放明细",
        ),
        (
            format!("明细编号,结果,金额（元）,失败原因\n{jia},成功,361.00,\n"),
            "不符",
        ),
        (
            format!("明细编号,结果,金额（元）,失败原因\n{jia},失败,360.00,\n"),
            "失败原因",
        ),
        (format!("明细编号,结果\n{jia},成功\n"), "表头"),
    ] {
        let body = import(&app, &pudong, &id, "back.csv", file.as_bytes()).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{says}: {body}"
        );
    }
    let (list, _) = items(&app, &pudong, &id).await;
    assert!(
        list.iter().all(|i| i["status"] == "PENDING"),
        "nothing written"
    );

    // The bank pays 甲 and returns 乙's payment (GBK file, as banks send it).
    let back = format!(
        "明细编号,结果,金额（元）,失败原因,入账日期\n{jia},成功,360.00,,2026-11-05\n{yi},失败,250.00,账户已冻结,\n"
    );
    let gbk = encoding_rs::GBK.encode(&back).0.into_owned();
    let body = import(&app, &pudong, &id, "back.csv", &gbk).await;
    let r = ok(&body, "importSubsidyPaymentResults");
    assert_eq!(
        (
            r["paid"].as_i64(),
            r["failed"].as_i64(),
            r["already"].as_i64()
        ),
        (Some(1), Some(1), Some(0)),
        "{body}"
    );
    assert_eq!(
        r["batch"]["status"], "RECONCILED",
        "paid or gone to a supplementary batch"
    );
    assert_eq!(r["batch"]["paidAmount"], "360.00");
    let sup = r["supplementaryBatchId"].as_str().unwrap().to_owned();
    // The same file again changes nothing.
    let body = import(&app, &pudong, &id, "back.csv", &gbk).await;
    let r = ok(&body, "importSubsidyPaymentResults");
    assert_eq!(
        (
            r["paid"].as_i64(),
            r["failed"].as_i64(),
            r["already"].as_i64()
        ),
        (Some(0), Some(0), Some(2)),
        "{body}"
    );
    // A results file for another batch names the rows.
    let body = import(&app, &pudong, &sup, "back.csv", &gbk).await;
    assert_eq!(
        code(&body),
        "CONFLICT",
        "the supplementary batch is not exported: {body}"
    );
    let body = app
        .gql(
            Some(&pudong),
            &format!("query($id: ID!) {{ subsidyBatch(id: $id) {{ {BATCH_FIELDS} }} }}"),
            json!({"id": sup}),
        )
        .await;
    let s = ok(&body, "subsidyBatch");
    assert_eq!(
        (
            s["kind"].as_str(),
            s["status"].as_str(),
            s["people"].as_i64(),
            s["totalAmount"].as_str()
        ),
        (
            Some("SUPPLEMENTARY"),
            Some("GENERATED"),
            Some(1),
            Some("250.00")
        )
    );
    let (list, _) = items(&app, &pudong, &id).await;
    let failed = list.iter().find(|i| i["personName"] == "乙").unwrap();
    assert_eq!(
        (
            failed["status"].as_str(),
            failed["resolution"].as_str(),
            failed["failureReason"].as_str()
        ),
        (Some("FAILED"), Some("SUPPLEMENTED"), Some("账户已冻结"))
    );

    // The person's file shows the payment.
    let body = app
        .gql(Some(&street), "query($id: ID!) { person(id: $id) { subsidies { typeName period amount status paidOn } bankAccounts { number active } } }", json!({"id": a}))
        .await;
    let p = ok(&body, "person");
    assert_eq!(p["subsidies"][0]["status"], "PAID");
    assert_eq!(p["subsidies"][0]["paidOn"], "2026-11-05");
    assert_eq!(p["bankAccounts"][0]["number"], "**** 1111");
    // Revealing the number is audited.
    let acc = acc_a["data"]["savePersonBankAccount"]["id"].clone();
    let body = app
        .gql(
            Some(&street),
            "mutation($id: ID!) { revealPersonBankAccount(id: $id) }",
            json!({"id": acc}),
        )
        .await;
    assert_eq!(ok(&body, "revealPersonBankAccount"), "4111111111111111");
    assert_eq!(app.rows("SELECT seq FROM audit_records WHERE operation = 'subsidy.account.reveal' AND result = 'SUCCESS'").await.len(), 1);
    let body = app
        .gql(
            Some(&huangpu),
            "mutation($id: ID!) { revealPersonBankAccount(id: $id) }",
            json!({"id": acc}),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");

    // November: 甲 has died (excluded, listed), 乙's effective October amount was 250 and is 240
    // by the rule now (changed).
    let body = app
        .gql(
            Some(&street),
            "mutation($id: ID!) { deactivatePerson(id: $id, reason: \"死亡\") { status } }",
            json!({"id": a}),
        )
        .await;
    ok(&body, "deactivatePerson");
    let body = app
        .gql(
            Some(&pudong2),
            &gen_,
            json!({"t": t, "p": "2026-11", "d": "310115"}),
        )
        .await;
    let nov = ok(&body, "generateSubsidyBatch").clone();
    assert_eq!(
        (
            nov["people"].as_i64(),
            nov["excluded"].as_i64(),
            nov["totalAmount"].as_str()
        ),
        (Some(1), Some(1), Some("240.00")),
        "{body}"
    );
    let (_, changes) = items(&app, &pudong, nov["id"].as_str().unwrap()).await;
    let kinds: Vec<(String, String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["personName"].as_str().unwrap().to_owned(),
                c["kind"].as_str().unwrap().to_owned(),
                c["reasonCode"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("甲".into(), "EXCLUDED".into(), "DECEASED".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("乙".into(), "CHANGED".into(), "AMOUNT".into())),
        "{kinds:?}"
    );

    // Statistics count approved batches only: October's payment and its failure.
    let body = app
        .gql(Some(&pudong), "{ subsidyStatistics(from: \"2026-01\", to: \"2026-12\", by: STREET) { regionCode rows { key payments amount paidAmount failures } total { payments amount paidAmount failures } trend { key payments } } }", json!({}))
        .await;
    let s = ok(&body, "subsidyStatistics");
    assert_eq!(s["regionCode"], "310115");
    assert_eq!(
        (
            s["total"]["payments"].as_i64(),
            s["total"]["amount"].as_str(),
            s["total"]["paidAmount"].as_str(),
            s["total"]["failures"].as_i64()
        ),
        (Some(1), Some("360.00"), Some("360.00"), Some(1)),
        "{body}"
    );
    assert_eq!(s["rows"][0]["key"], "310115005");
    let resp = app
        .client
        .get(format!(
            "{}/reports/subsidies.xlsx?from=2026-01&to=2026-12&by=PERIOD",
            app.address
        ))
        .bearer_auth(&pudong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let sheet = {
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(resp.bytes().await.unwrap().to_vec())).unwrap();
        let r = wb.worksheet_range_at(0).unwrap().unwrap();
        r.rows()
            .map(|row| row.iter().map(ToString::to_string).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert_eq!(sheet[1][0], "2026-10", "{sheet:?}");
    assert_eq!(
        (
            sheet[1][1].as_str(),
            sheet[1][2].as_str(),
            sheet[1][4].as_str()
        ),
        ("1", "360", "1"),
        "{sheet:?}"
    );
    let body = app
        .gql(
            Some(&huangpu),
            "{ subsidyStatistics(from: \"2026-01\", to: \"2026-12\") { total { payments } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&body, "subsidyStatistics")["total"]["payments"],
        0,
        "Huangpu sees none of Pudong's"
    );
    let body = app
        .gql(Some(&huangpu), "{ subsidyStatistics(regionCode: \"310115\", from: \"2026-01\", to: \"2026-12\") { total { payments } } }", json!({}))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn a_crash_between_pages_is_resumed_and_the_database_refuses_a_second_payment() {
    use sea_orm::ConnectionTrait as _;
    use zhucan_domain::subsidy::{GenerateOptions, SubsidyService};
    let app = TestApp::spawn().await;
    app.staff().await;
    let city = app.login("city").await;
    let pudong = app.login("pudong").await;
    for i in 0..25u32 {
        let n = id_number(&format!("31011519800101{:03}", 100 + i));
        let name: String = ["张", "王", "李", "赵", "陈"][(i % 5) as usize].to_owned()
            + ["一", "二", "三", "四", "五"][(i / 5) as usize];
        app.person(&name, &n, "41", "310115005").await;
    }
    app.person("黄浦", ids::HUANGPU_1, "41", "310101002").await;
    let item = ruled_item(&app, &city, "LIVING", "level <= 4").await;
    let t = subsidy_type(&app, &city, &item, "LIVING", json!({"yuan": "100"})).await;
    let pudong_id: uuid::Uuid = app
        .rows("SELECT id FROM accounts WHERE username = 'pudong'")
        .await[0]
        .try_get("", "id")
        .unwrap();
    let caller = zhucan_domain::Caller::signed_in(
        zhucan_domain::viewer::Viewer {
            account_id: pudong_id,
            username: "pudong".into(),
            role: Role::DistrictAdmin,
            region: Some(zhucan_domain::types::RegionCode::parse("r", "310115").unwrap()),
            person_id: None,
            client: None,
        },
        zhucan_domain::identity::SessionStage::Full,
        zhucan_domain::viewer::RequestMeta::default(),
    );
    let svc = SubsidyService::new(&app.platform, &caller);
    let crash = GenerateOptions {
        page_size: 10,
        crash_after_pages: Some(1),
    };
    let t_id: uuid::Uuid = t.parse().unwrap();
    // Two crashes, each after one committed page of ten.
    for expected in [10i64, 20] {
        let err = svc.generate_with(t_id, "2026-11", "310115", crash).await;
        assert!(err.is_err());
        let rows = app
            .rows("SELECT status, people, cursor FROM subsidy_batches")
            .await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].try_get::<String>("", "status").unwrap(), "DRAFT");
        let n: i64 = app
            .rows("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM subsidy_items")
            .await[0]
            .try_get("", "n")
            .unwrap();
        assert_eq!(n, expected, "only whole pages are written");
    }
    // Generating again (through the API) resumes and completes: 25 people, each once.
    let body = app
        .gql(
            Some(&pudong),
            &generate(BATCH_FIELDS),
            json!({"t": t, "p": "2026-11", "d": "310115"}),
        )
        .await;
    let batch = ok(&body, "generateSubsidyBatch");
    assert_eq!(
        (
            batch["status"].as_str(),
            batch["people"].as_i64(),
            batch["totalAmount"].as_str()
        ),
        (Some("GENERATED"), Some(25), Some("2500.00")),
        "{body}"
    );
    let rows = app
        .rows("SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COUNT(DISTINCT person_id) AS BIGINT) AS d FROM subsidy_items")
        .await;
    assert_eq!(rows[0].try_get::<i64>("", "n").unwrap(), 25);
    assert_eq!(rows[0].try_get::<i64>("", "d").unwrap(), 25);
    let id = batch["id"].as_str().unwrap();
    assert_eq!(sum_of_items(&app, id).await, (250_000, 250_000));
    // The rule is the database's: a second payment for the same type, period and person is
    // refused even when written behind the service's back.
    let dup = app
        .platform
        .db
        .conn()
        .execute_unprepared(&format!(
            "INSERT INTO subsidy_items (id, batch_id, type_id, period, person_id, district_code, street_code, base_fen, amount_fen, status, created_at, updated_at) \
             SELECT '{}', batch_id, type_id, period, person_id, district_code, street_code, 1, 1, 'PENDING', created_at, updated_at FROM subsidy_items LIMIT 1",
            uuid::Uuid::now_v7()
        ))
        .await;
    assert!(dup.is_err(), "the partial unique index refuses it");
}

#[tokio::test]
async fn the_demo_has_twelve_months_of_batches_in_every_state_and_pays_citizen_demo() {
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
    zhucan_domain::demo::seed_catalog(p, |_| {}).await.unwrap();
    let made = zhucan_domain::demo::seed_demo_subsidies(p).await.unwrap();
    assert!(made >= 36, "{made}");
    assert_eq!(
        zhucan_domain::demo::seed_demo_subsidies(p).await.unwrap(),
        0,
        "seeded once"
    );
    let rows = app
        .rows("SELECT DISTINCT status FROM subsidy_batches")
        .await;
    let mut states: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("", "status").unwrap())
        .collect();
    states.sort();
    assert_eq!(
        states,
        [
            "APPROVED",
            "DRAFT",
            "EXPORTED",
            "GENERATED",
            "RECONCILED",
            "REVIEWED",
            "SUBMITTED"
        ],
    );
    assert!(
        !app.rows(
            "SELECT id FROM subsidy_batches WHERE kind = 'SUPPLEMENTARY' AND status = 'RECONCILED'"
        )
        .await
        .is_empty()
    );
    assert!(
        !app.rows("SELECT id FROM subsidy_items WHERE status = 'FAILED'")
            .await
            .is_empty()
    );
    // Totals equal the sums of their items, batch by batch.
    use sea_orm::EntityTrait;
    for b in zhucan_domain::entities::subsidy_batch::Entity::find()
        .all(p.db.conn())
        .await
        .unwrap()
    {
        let (sum, total) = sum_of_items(&app, &b.id.to_string()).await;
        assert_eq!(sum, total, "batch {} {}", b.period, b.status);
    }
    let citizen = app.login("citizen_demo").await;
    let body = app
        .gql(Some(&citizen), "{ viewer { personId } }", json!({}))
        .await;
    let me = body["data"]["viewer"]["personId"].clone();
    let body = app
        .gql(
            Some(&citizen),
            "query($id: ID!) { person(id: $id) { subsidies { typeName period status } } }",
            json!({"id": me}),
        )
        .await;
    let list = ok(&body, "person")["subsidies"].as_array().unwrap().clone();
    assert!(!list.is_empty(), "citizen_demo receives a subsidy: {body}");
}

fn staff_caller(id: uuid::Uuid, name: &str, role: Role, region: &str) -> zhucan_domain::Caller {
    zhucan_domain::Caller::signed_in(
        zhucan_domain::viewer::Viewer {
            account_id: id,
            username: name.into(),
            role,
            region: zhucan_domain::types::RegionCode::parse("r", region).ok(),
            person_id: None,
            client: None,
        },
        zhucan_domain::identity::SessionStage::Full,
        zhucan_domain::viewer::RequestMeta::default(),
    )
}

async fn account_id(app: &TestApp, name: &str) -> uuid::Uuid {
    app.rows(&format!(
        "SELECT id FROM accounts WHERE username = '{name}'"
    ))
    .await[0]
        .try_get("", "id")
        .unwrap()
}

/// Peak resident memory since the last reset, and the resident memory now (KiB, Linux).
fn memory_kib() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// A Luhn-valid 19-digit card number (the test writes accounts directly).
fn card(i: u64) -> String {
    let body = format!("622848{:012}", 100_000_000_000 + i);
    let sum: u32 = body
        .chars()
        .rev()
        .enumerate()
        .map(|(k, c)| {
            let d = c.to_digit(10).unwrap();
            if k % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

#[tokio::test]
#[ignore = "measurement: seeds 580,000 people"]
async fn measure_generating_every_district_over_580k_people_and_exporting_pudong() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
    use zhucan_domain::entities::{person, person_bank_account};
    use zhucan_domain::subsidy::{BankFileFormat, Decision, SubsidyService};
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        revocation_poll_secs: 0,
        outreach_tick_secs: 0,
        guidance_tick_secs: 0,
        activity_tick_secs: 0,
        ..s
    })
    .await;
    app.staff().await;
    app.account("city2", Role::CityAdmin, Some("310000"), None)
        .await;
    let p = &app.platform;
    let n: u64 = std::env::var("ZHUCAN_MEASURE_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(580_000);
    let t0 = std::time::Instant::now();
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 7, n, 1_000, |_| {})
        .await
        .unwrap();
    println!("seeded {n} people in {:.1} s", t0.elapsed().as_secs_f64());
    let conn = p.db.conn();
    // Everyone in Pudong has an account (written directly, as the demo does).
    let pudong: Vec<uuid::Uuid> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::DistrictCode.eq("310115"))
        .filter(person::Column::Status.eq("ACTIVE"))
        .into_tuple()
        .all(conn)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    for (c, chunk) in pudong.chunks(1_000).enumerate() {
        let rows: Vec<person_bank_account::ActiveModel> = chunk
            .iter()
            .enumerate()
            .map(|(i, person)| {
                let number = card((c * 1_000 + i) as u64);
                let id = uuid::Uuid::now_v7();
                person_bank_account::ActiveModel {
                    id: sea_orm::Set(id),
                    person_id: sea_orm::Set(*person),
                    kind: sea_orm::Set("CARD".into()),
                    bank_code: sea_orm::Set("102".into()),
                    number_enc: sea_orm::Set(
                        p.cipher
                            .encrypt(
                                zhucan_domain::crypto::FieldAad {
                                    table: "person_bank_accounts",
                                    column: "number",
                                    row: &id,
                                },
                                &number,
                            )
                            .unwrap(),
                    ),
                    number_bidx: sea_orm::Set(
                        p.cipher
                            .blind_index(zhucan_domain::subsidy::NUMBER_INDEX, &number),
                    ),
                    last4: sea_orm::Set(number[number.len() - 4..].to_owned()),
                    status: sea_orm::Set("ACTIVE".into()),
                    created_by: sea_orm::Set("measure".into()),
                    created_at: sea_orm::Set(now),
                    closed_at: sea_orm::Set(None),
                }
            })
            .collect();
        person_bank_account::Entity::insert_many(rows)
            .exec(conn)
            .await
            .unwrap();
    }
    let city = app.login("city").await;
    let item = ruled_item(&app, &city, "MEASURE_ALL", "level >= 1").await;
    let t = subsidy_type(&app, &city, &item, "MEASURE_ALL", json!({"yuan": "100"})).await;
    let t: uuid::Uuid = t.parse().unwrap();
    let maker = staff_caller(
        account_id(&app, "city").await,
        "city",
        Role::CityAdmin,
        "310000",
    );
    let reviewer = staff_caller(
        account_id(&app, "pudong").await,
        "pudong",
        Role::DistrictAdmin,
        "310115",
    );
    let approver = staff_caller(
        account_id(&app, "city2").await,
        "city2",
        Role::CityAdmin,
        "310000",
    );
    let districts: Vec<String> = p
        .regions
        .children(Some("310000"))
        .iter()
        .map(|r| r.code.as_str().to_owned())
        .collect();

    // Baseline, in the same run: the bare read of the same pages (active people of each
    // district by id, 2,000 a page), nothing evaluated or written.
    let t1 = std::time::Instant::now();
    let mut read = 0usize;
    for d in &districts {
        let mut after: Option<uuid::Uuid> = None;
        loop {
            let mut q = person::Entity::find()
                .filter(person::Column::Status.eq("ACTIVE"))
                .filter(person::Column::DistrictCode.eq(d.as_str()))
                .order_by_asc(person::Column::Id)
                .limit(2_000);
            if let Some(a) = after {
                q = q.filter(person::Column::Id.gt(a));
            }
            let rows = q.all(conn).await.unwrap();
            read += rows.len();
            if rows.len() < 2_000 {
                break;
            }
            after = rows.last().map(|r| r.id);
        }
    }
    let bare = t1.elapsed().as_secs_f64();

    let svc = SubsidyService::new(p, &maker);
    let before = app.statements();
    let t2 = std::time::Instant::now();
    let mut items = 0i64;
    let mut pages = 0usize;
    let mut pudong_batch = None;
    for d in &districts {
        let b = svc.generate(t, "2026-11", d).await.unwrap();
        items += i64::from(b.row.people);
        let people = person::Entity::find()
            .filter(person::Column::DistrictCode.eq(d.as_str()))
            .filter(person::Column::Status.eq("ACTIVE"))
            .count(conn)
            .await
            .unwrap() as usize;
        pages += people.div_ceil(2_000);
        if d == "310115" {
            pudong_batch = Some(b);
        }
    }
    let generated = t2.elapsed().as_secs_f64();
    let statements = app.statements() - before;
    println!(
        "generate 16 district batches over {read} people ({items} payments, {pages} pages): {generated:.1} s; bare read of the same pages {bare:.1} s ({:.2}×); {:.1} statements per page",
        generated / bare,
        statements as f64 / pages as f64
    );

    let b = pudong_batch.unwrap();
    let total = zhucan_domain::types::Fen::yuan_text(b.row.total_fen);
    let b = svc.submit(b.row.id, b.row.version).await.unwrap();
    let b = SubsidyService::new(p, &reviewer)
        .review(
            b.row.id,
            Decision {
                approve: true,
                note: None,
                expected_total: total.clone(),
                version: b.row.version,
            },
        )
        .await
        .unwrap();
    let b = SubsidyService::new(p, &approver)
        .approve(
            b.row.id,
            Decision {
                approve: true,
                note: None,
                expected_total: total,
                version: b.row.version,
            },
        )
        .await
        .unwrap();
    let export = SubsidyService::new(p, &approver);
    for format in [
        BankFileFormat::Xlsx,
        BankFileFormat::Csv,
        BankFileFormat::Xlsx,
    ] {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let (_, rss0) = memory_kib();
        let t3 = std::time::Instant::now();
        let f = export.export_bank_file(b.row.id, format).await.unwrap();
        let secs = t3.elapsed().as_secs_f64();
        let (peak, _) = memory_kib();
        println!(
            "export {format:?}: {} rows, {:.1} MB file, {secs:.2} s, peak resident +{:.0} MB over {:.0} MB",
            f.rows,
            f.bytes.len() as f64 / 1e6,
            peak.saturating_sub(rss0) as f64 / 1024.0,
            rss0 as f64 / 1024.0
        );
    }
}

/// The 580,000-person measurement found it: Pudong's bank file (97,000 payments) failed on
/// SQLite with "too many SQL variables" (32,766 per statement) when its people were read.
#[tokio::test]
async fn forty_thousand_ids_are_read_in_statements_sqlite_accepts() {
    use zhucan_domain::entities::person;
    let app = TestApp::spawn().await;
    let id = app.person("多多", ids::PUDONG_1, "41", "310115005").await;
    let mut many: Vec<uuid::Uuid> = (0..40_000).map(|_| uuid::Uuid::now_v7()).collect();
    many.push(id);
    let found = zhucan_domain::db::find_each::<person::Entity, _>(
        app.platform.db.conn(),
        person::Column::Id,
        &many,
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, id);
}
