//! 代管资金异常预警: rules as data run on every import and entry, one alert per rule and record
//! however often a statement is imported, handled step by step with notes, escalated to the
//! district when left unhandled, seen only in scope; rules are checked before they are saved.

use serde_json::{Value, json};

use crate::custody::{ADD, import, ok, scene};
use crate::helpers::code;

const ALERTS: &str = "{ custodyAlerts(first: 50) { edges { node { id ruleCode status level version amountFen events { action status note } } } } }";
const HANDLE: &str = "mutation($id:ID!,$v:Int!,$a:CustodyAlertAction!,$n:String!){ handleCustodyAlert(id:$id, version:$v, action:$a, note:$n){ status version events { action } } }";

/// The scene's ward gets a card (added by their street-town); its id.
async fn card(s: &crate::custody::Scene) -> String {
    let added = s
        .app
        .gql(
            Some(&s.street),
            ADD,
            json!({"i": {"custodianshipId": s.custodianship, "kind": "CARD", "bankCode": "102", "number": "4111111111111111"}}),
        )
        .await;
    ok(&added, "addCustodyAccount")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn alerts(body: &Value) -> Vec<Value> {
    body["data"]["custodyAlerts"]["edges"]
        .as_array()
        .map(|e| e.iter().map(|x| x["node"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn statements_and_entries_raise_alerts_once_that_are_handled_escalated_and_scoped() {
    let s = scene().await;
    let app = &s.app;
    let account = card(&s).await;
    // One ordinary row, then one row for each of three rules.
    let text = "流水号,日期,金额,收款方,类别,余额\n\
                A1,2026-11-02 10:00:00,128.50,联华超市,生活,9000\n\
                A2,2026-11-03 11:00:00,6000,某商场,其他,1000\n\
                A3,2026-11-04 02:10:00,50,便利店,生活,950\n\
                A4,2026-11-05 15:00:00,20,体育彩票投注站,其他,930\n";
    let first = import(app, &s.street, &account, "s.csv", text.as_bytes()).await;
    assert_eq!(ok(&first, "importBankStatement")["imported"], 4, "{first}");
    let listed = app.gql(Some(&s.street), ALERTS, json!({})).await;
    let mut codes: Vec<String> = alerts(&listed)
        .iter()
        .map(|a| a["ruleCode"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    // 6,000 of 7,000 before it: large and most of the balance.
    assert_eq!(
        codes,
        ["BALANCE_SHARE", "LARGE_SINGLE", "NIGHT", "RISKY_MERCHANT"],
        "{listed}"
    );
    // Importing the statement again raises nothing new.
    import(app, &s.street, &account, "s.csv", text.as_bytes()).await;
    assert_eq!(
        alerts(&app.gql(Some(&s.street), ALERTS, json!({})).await).len(),
        4
    );
    // Another district sees none; the ward's district sees them.
    let huangpu = app.login("huangpu").await;
    assert!(alerts(&app.gql(Some(&huangpu), ALERTS, json!({})).await).is_empty());
    let pudong = app.login("pudong").await;
    assert_eq!(
        alerts(&app.gql(Some(&pudong), ALERTS, json!({})).await).len(),
        4
    );
    // The custodian does not see alerts about their own spending.
    assert!(alerts(&app.gql(Some(&s.guardian), ALERTS, json!({})).await).is_empty());

    // Handling: acknowledge, then explaining needs a note; a stale version is a conflict.
    let list = alerts(&app.gql(Some(&s.street), ALERTS, json!({})).await);
    let night = list
        .iter()
        .find(|a| a["ruleCode"] == "NIGHT")
        .unwrap()
        .clone();
    let id = night["id"].as_str().unwrap();
    let acked = app
        .gql(
            Some(&s.street),
            HANDLE,
            json!({"id": id, "v": 1, "a": "ACKNOWLEDGE", "n": ""}),
        )
        .await;
    assert_eq!(ok(&acked, "handleCustodyAlert")["status"], "ACKNOWLEDGED");
    let no_note = app
        .gql(
            Some(&s.street),
            HANDLE,
            json!({"id": id, "v": 2, "a": "EXPLAIN", "n": " "}),
        )
        .await;
    assert_eq!(code(&no_note), "BAD_USER_INPUT");
    let stale = app
        .gql(
            Some(&s.street),
            HANDLE,
            json!({"id": id, "v": 1, "a": "EXPLAIN", "n": "夜间急诊买药"}),
        )
        .await;
    assert_eq!(code(&stale), "CONFLICT");
    let explained = app
        .gql(
            Some(&s.street),
            HANDLE,
            json!({"id": id, "v": 2, "a": "EXPLAIN", "n": "夜间急诊买药"}),
        )
        .await;
    let e = ok(&explained, "handleCustodyAlert");
    assert_eq!(e["status"], "EXPLAINED");
    assert_eq!(e["events"].as_array().unwrap().len(), 3);
    // The district may not handle an alert that has not escalated.
    let other = list
        .iter()
        .find(|a| a["ruleCode"] == "RISKY_MERCHANT")
        .unwrap();
    let early = app
        .gql(
            Some(&pudong),
            HANDLE,
            json!({"id": other["id"], "v": 1, "a": "CONFIRM_MISUSE", "n": "挪用"}),
        )
        .await;
    assert_eq!(code(&early), "FORBIDDEN");

    // Unhandled for longer than the configured days: escalated to the district, once.
    let days = app.platform.custody.escalate_after_days;
    let later = chrono::Utc::now() + chrono::Duration::days(days + 1);
    let r = zhucan_domain::custody::escalate(&app.platform, later)
        .await
        .unwrap();
    assert_eq!(r.escalated, 3, "the explained one stays with the street");
    let again = zhucan_domain::custody::escalate(&app.platform, later)
        .await
        .unwrap();
    assert_eq!(again.escalated, 0);
    let confirmed = app
        .gql(Some(&pudong), HANDLE, json!({"id": other["id"], "v": 2, "a": "CONFIRM_MISUSE", "n": "核实为挪用，已约谈代管人"}))
        .await;
    assert_eq!(
        ok(&confirmed, "handleCustodyAlert")["status"],
        "CONFIRMED_MISUSE",
        "{confirmed}"
    );

    // An entry by the custodian runs the rules too.
    let record = app
        .gql(
            Some(&s.guardian),
            "mutation($i: SpendingInput!) { recordSpending(input: $i) { id } }",
            json!({"i": {"accountId": account, "amount": "5000", "category": "OTHER", "merchant": "游戏充值平台", "spentOn": "2026-11-10", "note": ""}}),
        )
        .await;
    ok(&record, "recordSpending");
    let after = alerts(&app.gql(Some(&s.street), ALERTS, json!({})).await);
    let entered: Vec<&str> = after
        .iter()
        .filter(|a| a["amountFen"] == 500_000)
        .map(|a| a["ruleCode"].as_str().unwrap())
        .collect();
    assert!(
        entered.contains(&"LARGE_SINGLE") && entered.contains(&"RISKY_MERCHANT"),
        "{after:?}"
    );
}

#[tokio::test]
async fn rules_are_checked_before_saving_and_only_the_city_edits_them() {
    let s = scene().await;
    let app = &s.app;
    let city = app.login("city").await;
    const SAVE_RULE: &str =
        "mutation($i: CustodyRuleInput!){ saveCustodyRule(input:$i){ id code enabled version } }";
    let bad = app
        .gql(Some(&city), SAVE_RULE, json!({"i": {"code": "NEW_RULE", "label": "测试", "expression": "salary > 3", "severity": "LOW"}}))
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT", "{bad}");
    assert!(bad.to_string().contains("未知的事实"));
    let street = app
        .gql(Some(&s.street), SAVE_RULE, json!({"i": {"code": "NEW_RULE", "label": "测试", "expression": "amount > 3", "severity": "LOW"}}))
        .await;
    assert_eq!(code(&street), "FORBIDDEN");
    let saved = app
        .gql(Some(&city), SAVE_RULE, json!({"i": {"code": "MEDICAL_BIG", "label": "大额医疗", "expression": "category == \"MEDICAL\" && amount >= 2000000", "severity": "MEDIUM"}}))
        .await;
    assert_eq!(ok(&saved, "saveCustodyRule")["version"], 1);
    let rules = app
        .gql(
            Some(&s.street),
            "{ custodyRules { id code builtin enabled version } }",
            json!({}),
        )
        .await;
    let list = ok(&rules, "custodyRules").as_array().unwrap().clone();
    assert_eq!(list[0]["code"], "WARD_INACTIVE");
    assert_eq!(list[0]["builtin"], true);
    assert!(list.iter().any(|r| r["code"] == "MEDICAL_BIG"));
    let off = app
        .gql(Some(&city), SAVE_RULE, json!({"i": {"id": list[0]["id"], "version": 1, "label": "关掉", "expression": "false", "severity": "LOW", "enabled": false}}))
        .await;
    assert_eq!(code(&off), "FORBIDDEN", "the built-in rule always runs");
}

#[tokio::test]
async fn supervisors_hear_alerts_live_and_another_district_does_not() {
    use crate::helpers::ws;
    let s = scene().await;
    let app = &s.app;
    let account = card(&s).await;
    const SUB: &str = "subscription { custodyAlertRaised { ruleCode level amount } }";
    let mut street_ws = ws::connect(app, &s.street).await;
    ws::subscribe(&mut street_ws, "a", SUB, json!({})).await;
    let huangpu = app.login("huangpu").await;
    let mut other_ws = ws::connect(app, &huangpu).await;
    ws::subscribe(&mut other_ws, "a", SUB, json!({})).await;
    app.subscribed(2).await;
    let text = "流水号,日期,金额,收款方\nB1,2026-11-03,6000,某商场\n";
    let r = import(app, &s.street, &account, "s.csv", text.as_bytes()).await;
    assert_eq!(ok(&r, "importBankStatement")["imported"], 1, "{r}");
    let msg = ws::next(&mut street_ws).await;
    assert_eq!(
        msg["payload"]["data"]["custodyAlertRaised"]["ruleCode"], "LARGE_SINGLE",
        "{msg}"
    );
    assert_eq!(
        msg["payload"]["data"]["custodyAlertRaised"]["level"],
        "STREET"
    );
    ws::quiet(&mut other_ws, 300).await;
}

/// Give the street admin (the supervisor) a mobile number, as account creation by the system
/// admin does.
async fn supervisor_phone(app: &crate::helpers::TestApp, username: &str) {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    use zhucan_domain::entities::account;
    let a = account::Entity::find()
        .filter(account::Column::Username.eq(username))
        .one(app.platform.db.conn())
        .await
        .unwrap()
        .unwrap();
    let enc = app
        .platform
        .cipher
        .encrypt(
            zhucan_domain::identity::admin::phone_aad(&a.id),
            "13900001111",
        )
        .unwrap();
    let mut m: account::ActiveModel = a.into();
    m.phone_enc = Set(Some(enc));
    m.update(app.platform.db.conn()).await.unwrap();
}

/// The custody SMS in the outbox: (template, dedupe key).
async fn custody_sms(app: &crate::helpers::TestApp) -> Vec<(String, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use zhucan_domain::entities::sms_outbox;
    let mut rows: Vec<(String, String)> = sms_outbox::Entity::find()
        .filter(sms_outbox::Column::DedupeKey.starts_with("custody-alert:"))
        .all(app.platform.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.template, r.dedupe_key))
        .collect();
    rows.sort();
    rows
}

const RECORD_WITH_RECEIPT: &str = "mutation($i: SpendingInput!, $f: Upload){ recordSpending(input:$i, receipt:$f){ id receipts { id fileName contentType sizeBytes sm3 url } } }";

#[tokio::test]
async fn receipts_and_alert_materials_are_stored_downloaded_in_scope_and_each_alert_texts_once() {
    let s = scene().await;
    let app = &s.app;
    supervisor_phone(app, "lujiazui").await;
    let account = card(&s).await;
    let png = b"\x89PNG\r\n\x1a\n0000IHDRreceipt-bytes";

    // The custodian enters a spending with its receipt in one request; a large one raises an
    // alert, texted once to the supervisor and once to the ward.
    let input = json!({"i": {"accountId": account, "amount": "5200", "category": "MEDICAL", "merchant": "仁济医院", "spentOn": "2026-11-10", "note": "住院押金"}});
    let request =
        crate::helpers::multipart_upload(RECORD_WITH_RECEIPT, input.clone(), "发票.png", png);
    let body: Value = app
        .post_multipart(&s.guardian, request)
        .await
        .json()
        .await
        .unwrap();
    let record = ok(&body, "recordSpending").clone();
    let receipt = &record["receipts"][0];
    assert_eq!(receipt["contentType"], "image/png", "{body}");
    assert_eq!(receipt["fileName"], "发票.png");
    assert_eq!(receipt["sizeBytes"], png.len());
    let url = format!("{}{}", app.address, receipt["url"].as_str().unwrap());
    let sms = custody_sms(app).await;
    let templates: Vec<&str> = sms.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        templates,
        ["CUSTODY_ALERT_SUPERVISOR", "CUSTODY_ALERT_WARD"],
        "{sms:?}"
    );

    // A receipt that is not an image or PDF is refused and the spending is not written.
    let bad = crate::helpers::multipart_upload(
        RECORD_WITH_RECEIPT,
        input.clone(),
        "x.exe",
        b"MZ\x90\x00",
    );
    let refused: Value = app
        .post_multipart(&s.guardian, bad)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(code(&refused), "BAD_USER_INPUT", "{refused}");
    let listed = app
        .gql(
            Some(&s.street),
            "query($c:ID!){ spendingRecords(custodianshipId:$c) { id } }",
            json!({"c": s.custodianship}),
        )
        .await;
    assert_eq!(
        ok(&listed, "spendingRecords").as_array().unwrap().len(),
        1,
        "{listed}"
    );

    // The receipt downloads for the custodian and the street, not for another district or
    // without a token; the download is audited.
    for (token, status) in [(&s.guardian, 200), (&s.street, 200)] {
        let resp = app
            .client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status);
        assert_eq!(resp.headers()["content-type"], "image/png");
        assert_eq!(
            resp.headers()["x-content-sm3"],
            receipt["sm3"].as_str().unwrap()
        );
        assert_eq!(&resp.bytes().await.unwrap()[..], &png[..]);
    }
    let huangpu = app.login("huangpu").await;
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&huangpu)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);
    {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        use zhucan_domain::entities::audit_record;
        let downloads = audit_record::Entity::find()
            .filter(audit_record::Column::Operation.eq("custody.file.download"))
            .count(app.platform.db.conn())
            .await
            .unwrap();
        assert!(downloads >= 2, "each download is audited: {downloads}");
    }

    // The supervisor adds material to the alert while explaining it.
    let list = alerts(&app.gql(Some(&s.street), ALERTS, json!({})).await);
    let alert_id = list[0]["id"].as_str().unwrap().to_owned();
    let pdf = b"%PDF-1.7\n%hospital invoice\n";
    let attach = "mutation($a:ID!,$f:Upload!){ attachCustodyAlertFile(alertId:$a, file:$f){ id contentType url } }";
    let request =
        crate::helpers::multipart_upload(attach, json!({"a": alert_id}), "住院证明.pdf", pdf);
    let body: Value = app
        .post_multipart(&s.street, request)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ok(&body, "attachCustodyAlertFile")["contentType"],
        "application/pdf"
    );
    let request = crate::helpers::multipart_upload(attach, json!({"a": alert_id}), "x.pdf", pdf);
    let other: Value = app
        .post_multipart(&huangpu, request)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(code(&other), "NOT_FOUND", "another district: {other}");
    let files = app
        .gql(
            Some(&s.street),
            "{ custodyAlerts(first: 5) { edges { node { files { fileName } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        alerts(&files)[0]["files"][0]["fileName"],
        "住院证明.pdf",
        "{files}"
    );

    // Re-running the rules (a statement carrying the same spending by its bank id twice) adds
    // no second text for the same alert.
    let text = "流水号,日期,金额,收款方\nC1,2026-11-12,6000,某商场\nC1,2026-11-12,6000,某商场\n";
    import(app, &s.street, &account, "s.csv", text.as_bytes()).await;
    import(app, &s.street, &account, "s.csv", text.as_bytes()).await;
    let after = custody_sms(app).await;
    let new: Vec<_> = after.iter().filter(|r| !sms.contains(r)).collect();
    assert!(
        !new.is_empty() && new.len().is_multiple_of(2),
        "each new alert texts the supervisor and the ward: {after:?}"
    );
    let keys: std::collections::HashSet<_> = after.iter().map(|(_, k)| k).collect();
    assert_eq!(keys.len(), after.len(), "one text per alert and recipient");
}

#[tokio::test]
async fn the_console_imports_a_statement_file_reporting_faulty_rows_and_adding_nothing_twice() {
    let s = scene().await;
    let app = &s.app;
    let account = card(&s).await;
    let path = app.settings.data_dir.join("statement.csv");
    // GBK, as banks export: three good rows, a fraction of a fen, a date in the future.
    let text = "流水号,日期,金额,收款方,类别\n\
                K1,2026-10-02,35.20,联华超市,生活\n\
                K2,2026-10-03,120,社区卫生服务中心,医疗\n\
                K3,2026-10-04,0.001,便利店,生活\n\
                K4,2099-01-01,10,便利店,生活\n\
                K5,2026-10-05,66.60,药房,医疗\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    std::fs::write(&path, &gbk).unwrap();
    let path = path.to_str().unwrap();
    let run = || crate::cli::zhucan(app, &["custody", "import", "--account", &account, path]);
    let first = run();
    let out = String::from_utf8_lossy(&first.stdout).into_owned();
    assert_eq!(
        first.status.code(),
        Some(2),
        "rows were refused: {out} {}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(out.contains("第 4 行"), "{out}");
    assert!(out.contains("第 5 行"), "{out}");
    assert!(out.contains("新导入 3"), "{out}");
    let again = run();
    let out = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(
        out.contains("新导入 0") && out.contains("此前已导入 3"),
        "{out}"
    );
    let listed = app
        .gql(
            Some(&s.street),
            "query($c:ID!){ spendingRecords(custodianshipId:$c) { amountFen source } }",
            json!({"c": s.custodianship}),
        )
        .await;
    let rows = ok(&listed, "spendingRecords").as_array().unwrap().clone();
    assert_eq!(rows.len(), 3, "{listed}");
    assert!(rows.iter().all(|r| r["source"] == "IMPORTED"));
    let total: i64 = rows.iter().map(|r| r["amountFen"].as_i64().unwrap()).sum();
    assert_eq!(total, 3_520 + 12_000 + 6_660);

    // A file that is not a statement imports nothing and says why; an unknown account too.
    std::fs::write(app.settings.data_dir.join("bad.csv"), "a,b\n1,2\n").unwrap();
    let bad = crate::cli::zhucan(
        app,
        &[
            "custody",
            "import",
            "--account",
            &account,
            app.settings.data_dir.join("bad.csv").to_str().unwrap(),
        ],
    );
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("流水号"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let unknown = crate::cli::zhucan(
        app,
        &[
            "custody",
            "import",
            "--account",
            &uuid::Uuid::now_v7().to_string(),
            path,
        ],
    );
    assert!(!unknown.status.success());
}
