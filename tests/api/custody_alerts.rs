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
