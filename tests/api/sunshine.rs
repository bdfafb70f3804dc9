//! 阳光申办: catalog edits and scope, fuzzy search, explained eligibility, 免申即享 dry runs and
//! idempotent grants, service records, the citizen's home page and inbox.

use serde_json::{Value, json};
use zhucan_domain::viewer::Role;

use crate::helpers::{TestApp, code, eventually, ids};

const SEARCH: &str = "query($q:String!,$k:[CatalogKind!],$f:Int,$a:String){ search(query:$q, kinds:$k, first:$f, after:$a){ totalCount pageInfo{ hasNextPage } edges{ cursor node{ kind title{ text html ranges{ start end } } snippet{ text } entry{ __typename ... on ServiceItem{ id key name } ... on Policy{ title } ... on Institution{ name } } } } } }";

async fn titles(app: &TestApp, q: &str) -> Vec<String> {
    let body = app.gql(None, SEARCH, json!({"q": q})).await;
    assert!(body["errors"].is_null(), "{q}: {body}");
    body["data"]["search"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"]["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    zhucan::startup::seed_catalog(&app.platform).await.unwrap();
    app
}

#[tokio::test]
async fn search_finds_partial_words_pinyin_initials_and_typos_without_signing_in() {
    let app = seeded().await;
    // Partial word.
    assert_eq!(titles(&app, "护理补贴").await[0], "重度残疾人护理补贴");
    // Initials and full pinyin.
    let cjrz = titles(&app, "cjrz").await;
    assert!(
        cjrz.iter().take(3).any(|t| t.starts_with("残疾人证")),
        "{cjrz:?}"
    );
    let kangfu = titles(&app, "kangfu").await;
    assert!(
        !kangfu.is_empty() && kangfu.iter().take(5).all(|t| t.contains("康复")),
        "{kangfu:?}"
    );
    // One wrong character; one wrong letter.
    assert_eq!(
        titles(&app, "重度残疾人护里补贴").await[0],
        "重度残疾人护理补贴"
    );
    let typo = titles(&app, "kangfo").await;
    assert!(typo.iter().any(|t| t.contains("康复")), "{typo:?}");
    // Word-segmented query.
    let words = titles(&app, "轮椅 燃油").await;
    assert_eq!(words[0], "残疾人机动轮椅车燃油补贴", "{words:?}");
    // Highlights are escaped HTML with <em>, and ranges point at the match.
    let body = app
        .gql(
            None,
            SEARCH,
            json!({"q": "阳光宝宝卡", "k": ["SERVICE_ITEM"]}),
        )
        .await;
    let node = &body["data"]["search"]["edges"][0]["node"];
    assert_eq!(node["kind"], "SERVICE_ITEM");
    assert_eq!(node["entry"]["__typename"], "ServiceItem");
    assert!(
        node["title"]["html"]
            .as_str()
            .unwrap()
            .contains("<em>阳光宝宝卡</em>"),
        "{node}"
    );
    // Kinds filter and paging.
    let body = app
        .gql(
            None,
            SEARCH,
            json!({"q": "残疾人", "k": ["INSTITUTION"], "f": 5}),
        )
        .await;
    let s = &body["data"]["search"];
    assert!(s["totalCount"].as_i64().unwrap() > 5, "{body}");
    assert_eq!(s["pageInfo"]["hasNextPage"], true);
    for e in s["edges"].as_array().unwrap() {
        assert_eq!(e["node"]["kind"], "INSTITUTION");
    }
    let cursor = s["edges"][4]["cursor"].as_str().unwrap();
    let next = app
        .gql(
            None,
            SEARCH,
            json!({"q": "残疾人", "k": ["INSTITUTION"], "f": 5, "a": cursor}),
        )
        .await;
    let first_page: Vec<&Value> = s["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["entry"]["name"])
        .collect();
    let second = &next["data"]["search"]["edges"][0]["node"]["entry"]["name"];
    assert!(!first_page.contains(&second), "pages overlap: {next}");
}

#[tokio::test]
async fn bad_search_input_gets_a_clear_error() {
    let app = seeded().await;
    for (q, field) in [("   ", "query"), (&*"残".repeat(1000), "query")] {
        let body = app.gql(None, SEARCH, json!({"q": q})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    let body = app.gql(None, SEARCH, json!({"q": "康复", "f": 500})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    let body = app
        .gql(None, SEARCH, json!({"q": "康复", "a": "not-a-cursor"}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    // Query syntax and SQL are just text.
    for q in [
        "title:* OR 1=1 --",
        "'; DROP TABLE service_items; --",
        "\"unbalanced AND (",
    ] {
        let body = app.gql(None, SEARCH, json!({"q": q})).await;
        assert!(body["errors"].is_null(), "{q}: {body}");
    }
    let n = app.rows("SELECT COUNT(*) AS n FROM service_items").await;
    assert!(n[0].try_get::<i64>("", "n").unwrap() >= 20);
}

const SAVE_ITEM: &str = "mutation($id:ID,$v:Int,$in:ServiceItemInput!){ saveServiceItem(id:$id, expectedVersion:$v, input:$in){ id key name version district{ code } } }";

fn item_input(key: &str, name: &str, district: Option<&str>, channel: &str) -> Value {
    json!({
        "key": key, "name": name, "businessLine": "RIGHTS", "description": "测试事项说明。",
        "materials": ["居民身份证", "第二代残疾人证"], "timeLimitDays": 5, "channel": channel,
        "onlineUrl": if channel == "ONLINE" { json!("/h5/test") } else { Value::Null },
        "tags": ["测试"], "districtCode": district
    })
}

#[tokio::test]
async fn catalog_edits_are_scoped_versioned_audited_and_searchable_at_once() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let pudong = app.login("pudong").await;
    let huangpu = app.login("huangpu").await;
    let city = app.login("city").await;
    let citizen_like = app.login("lujiazui").await;

    // A district admin manages their district's entries only.
    let body = app
        .gql(Some(&pudong), SAVE_ITEM, json!({"in": item_input("PD_TEST_ITEM", "浦东新区助残测试服务", Some("310115"), "OFFLINE")}))
        .await;
    let item = &body["data"]["saveServiceItem"];
    assert_eq!(item["version"], 1, "{body}");
    let id = item["id"].as_str().unwrap().to_owned();
    let body = app
        .gql(
            Some(&pudong),
            SAVE_ITEM,
            json!({"in": item_input("PD_CITY_ITEM", "全市测试服务", None, "OFFLINE")}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let body = app
        .gql(Some(&huangpu), SAVE_ITEM, json!({"id": id, "v": 1, "in": item_input("PD_TEST_ITEM", "改名", Some("310115"), "OFFLINE")}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let body = app
        .gql(
            Some(&citizen_like),
            SAVE_ITEM,
            json!({"in": item_input("STREET_ITEM", "街镇服务", Some("310115"), "OFFLINE")}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");

    // Found by search at once, renamed with the version read, stale versions refused.
    assert!(
        titles(&app, "助残测试")
            .await
            .contains(&"浦东新区助残测试服务".to_owned())
    );
    let body = app
        .gql(Some(&city), SAVE_ITEM, json!({"id": id, "v": 1, "in": item_input("PD_TEST_ITEM", "浦东新区无障碍出行测试服务", Some("310115"), "OFFLINE")}))
        .await;
    assert_eq!(body["data"]["saveServiceItem"]["version"], 2, "{body}");
    let body = app
        .gql(Some(&pudong), SAVE_ITEM, json!({"id": id, "v": 1, "in": item_input("PD_TEST_ITEM", "旧版本覆盖", Some("310115"), "OFFLINE")}))
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("当前版本 2")
    );
    let found = titles(&app, "wzacx").await;
    assert!(
        found.contains(&"浦东新区无障碍出行测试服务".to_owned()),
        "{found:?}"
    );
    assert!(
        !titles(&app, "助残测试")
            .await
            .contains(&"浦东新区助残测试服务".to_owned())
    );

    // Every version is kept; every change is in the audit chain.
    let body = app
        .gql(
            Some(&pudong),
            "query($id:ID!){ catalogRevisions(id:$id){ version snapshot } }",
            json!({"id": id}),
        )
        .await;
    let revs = body["data"]["catalogRevisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2, "{body}");
    assert!(
        revs[1]["snapshot"]
            .as_str()
            .unwrap()
            .contains("浦东新区助残测试服务")
    );
    let audit = app
        .rows(&format!(
            "SELECT operation, result FROM audit_records WHERE object_id = '{id}' ORDER BY seq"
        ))
        .await;
    let ops: Vec<String> = audit
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.try_get::<String>("", "operation").unwrap(),
                r.try_get::<String>("", "result").unwrap()
            )
        })
        .collect();
    assert!(
        ops.contains(&"catalog.service_item.create SUCCESS".to_owned()),
        "{ops:?}"
    );
    assert!(
        ops.contains(&"catalog.service_item.update SUCCESS".to_owned()),
        "{ops:?}"
    );
    assert!(
        ops.iter()
            .any(|o| o.starts_with("catalog.service_item.save FAILURE:FORBIDDEN")),
        "{ops:?}"
    );

    // Bad input names the field; nothing is written.
    let mut bad = item_input("lower case", "x", Some("310115"), "OFFLINE");
    let body = app
        .gql(Some(&pudong), SAVE_ITEM, json!({"in": bad.clone()}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "input.key",
        "{body}"
    );
    bad["key"] = json!("PD_BAD");
    bad["districtCode"] = json!("310199");
    let body = app
        .gql(Some(&pudong), SAVE_ITEM, json!({"in": bad.clone()}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "input.districtCode",
        "{body}"
    );
    let body = app
        .gql(
            Some(&pudong),
            SAVE_ITEM,
            json!({"in": item_input("PD_ONLINE", "线上事项", Some("310115"), "ONLINE")}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let mut no_url = item_input("PD_ONLINE2", "线上事项2", Some("310115"), "ONLINE");
    no_url["onlineUrl"] = json!("javascript:alert(1)");
    let body = app
        .gql(Some(&pudong), SAVE_ITEM, json!({"in": no_url}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "input.onlineUrl",
        "{body}"
    );
    let inst = json!({"name": "测试机构", "kind": "REHABILITATION", "districtCode": "310115", "streetCode": "310101002",
        "address": "浦东新区测试路1号", "latitude": 31.2, "longitude": 121.5, "openingHours": "周一至周五", "phone": "021-12345678"});
    let body = app
        .gql(
            Some(&pudong),
            "mutation($in:InstitutionInput!){ saveInstitution(input:$in){ id } }",
            json!({"in": inst}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "input.streetCode",
        "{body}"
    );
    let n = app.rows("SELECT COUNT(*) AS n FROM service_items").await;
    assert_eq!(n[0].try_get::<i64>("", "n").unwrap(), 2);
}

#[tokio::test]
async fn a_second_node_indexes_changes_through_the_bus() {
    if std::env::var("ZHUCAN_TEST_REDIS_URL").map_or(true, |u| u.is_empty()) {
        eprintln!(
            "ZHUCAN_TEST_REDIS_URL not set: two nodes need Redis; not run on the embedded default"
        );
        return;
    }
    let a = TestApp::spawn().await;
    a.staff().await;
    let b = a.second_node().await;
    let city = a.login("city").await;
    let body = a
        .gql(
            Some(&city),
            SAVE_ITEM,
            json!({"in": item_input("NODE_TEST", "跨节点检索测试事项", None, "OFFLINE")}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    eventually(
        "node B indexes the new item",
        std::time::Duration::from_secs(5),
        || async {
            titles(&b, "跨节点检索")
                .await
                .contains(&"跨节点检索测试事项".to_owned())
                .then_some(())
        },
    )
    .await;
}

const SAVE_RULE: &str = "mutation($s:ID!,$c:[ConditionInput!]!){ saveEligibilityRule(serviceItemId:$s, conditions:$c){ id version status conditions{ label expression } } }";
const PUBLISH: &str = "mutation($r:ID!,$v:Int!){ publishEligibilityRule(ruleId:$r, expectedCurrentVersion:$v){ rule{ version status } job{ id status } } }";
const DRY_RUN: &str = "query($r:ID!){ dryRunEligibilityRule(ruleId:$r){ evaluated eligible newlyEligible losing admitsEveryone byDistrict{ district{ code } eligible newlyEligible losing } } }";
const JOB: &str = "query($id:ID!){ grantJob(id:$id){ status evaluated granted revoked error } }";

async fn rule(app: &TestApp, token: &str, item: &str, conds: &[(&str, &str)]) -> String {
    let c: Vec<Value> = conds
        .iter()
        .map(|(l, e)| json!({"label": l, "expression": e}))
        .collect();
    let body = app
        .gql(Some(token), SAVE_RULE, json!({"s": item, "c": c}))
        .await;
    body["data"]["saveEligibilityRule"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn finish(app: &TestApp, token: &str, job: &str) -> Value {
    let body = eventually(
        "the grant job finishes",
        std::time::Duration::from_secs(30),
        || async {
            let body = app.gql(Some(token), JOB, json!({"id": job})).await;
            (body["data"]["grantJob"]["status"] != "RUNNING").then_some(body)
        },
    )
    .await;
    let j = &body["data"]["grantJob"];
    assert_eq!(j["status"], "DONE", "{body}");
    j.clone()
}

/// Save a 免申即享 (AUTOMATIC) city-wide item; its id.
async fn automatic_item(app: &TestApp, token: &str, key: &str, name: &str) -> String {
    let body = app
        .gql(
            Some(token),
            SAVE_ITEM,
            json!({"in": item_input(key, name, None, "AUTOMATIC")}),
        )
        .await;
    body["data"]["saveServiceItem"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// Publish rule version `rule` over item version `version` and wait for its grant job.
async fn publish_and_finish(app: &TestApp, token: &str, rule: &str, version: i64) -> Value {
    let body = app
        .gql(Some(token), PUBLISH, json!({"r": rule, "v": version}))
        .await;
    let job = body["data"]["publishEligibilityRule"]["job"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    finish(app, token, &job).await
}

/// Run an item's grant job again and wait for it.
async fn rerun(app: &TestApp, token: &str, item: &str) -> Value {
    let body = app
        .gql(
            Some(token),
            "mutation($s:ID!){ rerunGrantJob(serviceItemId:$s){ id } }",
            json!({"s": item}),
        )
        .await;
    let job = body["data"]["rerunGrantJob"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    finish(app, token, &job).await
}

async fn active_grants(app: &TestApp, person: uuid::Uuid) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use zhucan_domain::entities::service_grant;
    service_grant::Entity::find()
        .filter(service_grant::Column::PersonId.eq(person))
        .filter(service_grant::Column::Status.eq("ACTIVE"))
        .count(app.platform.db.conn())
        .await
        .unwrap()
}

async fn records_of_kind(app: &TestApp, person: uuid::Uuid, kind: &str) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use zhucan_domain::entities::service_record;
    service_record::Entity::find()
        .filter(service_record::Column::PersonId.eq(person))
        .filter(service_record::Column::Kind.eq(kind))
        .count(app.platform.db.conn())
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.rows(sql).await[0].try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn automatic_grants_match_the_dry_run_run_once_and_follow_changes() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let city = app.login("city").await;
    let pudong = app.login("pudong").await;
    let p1 = app.person("一级", ids::PUDONG_1, "41", "310115005").await;
    let p2 = app.person("二级", ids::PUDONG_2, "42", "310115005").await;
    let p3 = app.person("三级", ids::PUDONG_3, "43", "310115007").await;
    let item = automatic_item(&app, &city, "TEST_AUTO", "测试免申即享补贴").await;

    // Rules that do not parse, read unknown facts or are not boolean are refused with where.
    let body = app
        .gql(Some(&city), SAVE_RULE, json!({"s": item, "c": [{"label": "等级", "expression": "level <= 2"}, {"label": "坏", "expression": "level <="}]}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "conditions[1].expression"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("第1行"),
        "{body}"
    );
    let body = app
        .gql(
            Some(&city),
            SAVE_RULE,
            json!({"s": item, "c": [{"label": "收入", "expression": "income < 3000"}]}),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("income"),
        "{body}"
    );
    // A district admin cannot set rules of a city-wide item.
    let body = app
        .gql(
            Some(&pudong),
            SAVE_RULE,
            json!({"s": item, "c": [{"label": "等级", "expression": "level <= 2"}]}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");

    // v1: levels 1–2. Dry run, then publish; the grants equal the dry run.
    let v1 = rule(
        &app,
        &city,
        &item,
        &[
            ("一级或二级残疾", "level <= 2"),
            ("证件有效", "certificateValid"),
        ],
    )
    .await;
    let body = app.gql(Some(&city), DRY_RUN, json!({"r": v1})).await;
    let run = &body["data"]["dryRunEligibilityRule"];
    assert_eq!(
        (
            run["evaluated"].as_i64(),
            run["newlyEligible"].as_i64(),
            run["losing"].as_i64()
        ),
        (Some(3), Some(2), Some(0)),
        "{body}"
    );
    assert_eq!(run["admitsEveryone"], false);
    assert_eq!(run["byDistrict"][0]["district"]["code"], "310115");
    let done = publish_and_finish(&app, &city, &v1, 0).await;
    assert_eq!(
        (done["evaluated"].as_i64(), done["granted"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM service_grants WHERE status = 'ACTIVE'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM service_records WHERE kind = 'GRANT'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM inbox_messages WHERE kind = 'SERVICE_GRANTED'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM sms_outbox WHERE template = 'SERVICE_GRANTED'"
        )
        .await,
        2
    );
    // Publishing the same version again is refused; re-running grants nothing twice.
    let body = app
        .gql(Some(&city), PUBLISH, json!({"r": v1, "v": 1}))
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    let again = rerun(&app, &city, &item).await;
    assert_eq!(
        (again["granted"].as_i64(), again["revoked"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM sms_outbox WHERE template = 'SERVICE_GRANTED'"
        )
        .await,
        2
    );

    // The match explains the failing condition with the fact it read.
    let body = app
        .gql(Some(&city), "query($id:ID!){ person(id:$id){ eligibleServices{ service{ key } eligible granted failedReasons conditions{ label held facts } } } }", json!({"id": p3.to_string()}))
        .await;
    let m = body["data"]["person"]["eligibleServices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["service"]["key"] == "TEST_AUTO")
        .unwrap_or_else(|| panic!("{body}"))
        .clone();
    assert_eq!(m["eligible"], false);
    assert_eq!(
        m["failedReasons"][0], "不满足：一级或二级残疾（level = 3）",
        "{m}"
    );
    assert_eq!(m["conditions"][1]["held"], true);

    // Two versions published at once from the same state: exactly one wins.
    let v2 = rule(&app, &city, &item, &[("一级残疾", "level == 1")]).await;
    let v3 = rule(&app, &city, &item, &[("一级残疾", "level <= 1")]).await;
    let (a, b) = tokio::join!(
        app.gql(Some(&city), PUBLISH, json!({"r": v2, "v": 1})),
        app.gql(Some(&city), PUBLISH, json!({"r": v3, "v": 1}))
    );
    let codes = [code(&a), code(&b)];
    assert_eq!(
        codes.iter().filter(|c| **c == "CONFLICT").count(),
        1,
        "{a} {b}"
    );
    let winner = if code(&a) == "CONFLICT" { &b } else { &a };
    let job = winner["data"]["publishEligibilityRule"]["job"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = finish(&app, &city, &job).await;
    assert_eq!(done["revoked"].as_i64(), Some(1), "{done}");
    assert_eq!(active_grants(&app, p1).await, 1);
    assert_eq!(records_of_kind(&app, p2, "REVOKE").await, 1);

    // A rule that admits everyone is flagged by the dry run.
    let all = rule(&app, &city, &item, &[("任何人", "age >= 0")]).await;
    let body = app.gql(Some(&city), DRY_RUN, json!({"r": all})).await;
    assert_eq!(
        body["data"]["dryRunEligibilityRule"]["admitsEveryone"], true,
        "{body}"
    );

    // A re-assessment to level 1 grants at once, in the same transaction as the change.
    let body = app
        .gql(Some(&pudong), "mutation($id:ID!,$c:String!){ updatePerson(id:$id, input:{certificateNumber:$c}){ certificate{ level } } }", json!({"id": p3.to_string(), "c": format!("{}41", ids::PUDONG_3)}))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(active_grants(&app, p3).await, 1);
    // Deactivation ends it.
    let body = app
        .gql(
            Some(&pudong),
            "mutation($id:ID!){ deactivatePerson(id:$id, reason:\"迁出本市\"){ status } }",
            json!({"id": p3.to_string()}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(active_grants(&app, p3).await, 0);
}

const HOME: &str = "{ home { flagshipStore{ name entryUrl } frequentServices{ service{ key } count } pinnedServices{ key } unreadMessages profile{ name idNumber serviceRecords{ kind service{ key } } visitorRecords{ office role } eligibleServices{ service{ key } eligible } } } }";

#[tokio::test]
async fn a_citizen_sees_their_home_records_inbox_and_visitors_and_no_one_else() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let me = app.person("本人", ids::PUDONG_1, "41", "310115005").await;
    let other = app.person("他人", ids::PUDONG_2, "42", "310115005").await;
    zhucan::startup::seed_catalog(&app.platform).await.unwrap();
    app.account("citizen", Role::Citizen, None, Some(me)).await;
    app.account("neighbour", Role::Citizen, None, Some(other))
        .await;
    let citizen = app.login("citizen").await;
    let neighbour = app.login("neighbour").await;
    let lujiazui = app.login("lujiazui").await;

    // An office looks at my file and records an offline handling.
    let body = app
        .gql(
            Some(&lujiazui),
            "query($id:ID!){ person(id:$id){ name } }",
            json!({"id": me.to_string()}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let items = app
        .gql(
            None,
            "{ serviceItems(filter:{channel:OFFLINE}){ id key } }",
            json!({}),
        )
        .await;
    let wheelchair = items["data"]["serviceItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "MOTOR_WHEELCHAIR_FUEL_SUBSIDY")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app
        .gql(Some(&lujiazui), "mutation($p:ID!,$s:ID!){ recordServiceHandling(personId:$p, serviceItemId:$s, kind:OFFLINE, note:\"窗口受理\"){ kind } }", json!({"p": me.to_string(), "s": wheelchair}))
        .await;
    assert_eq!(
        body["data"]["recordServiceHandling"]["kind"], "OFFLINE",
        "{body}"
    );
    // Not on a file outside their street-town, and only applications or offline handlings.
    let body = app
        .gql(Some(&app.login("nanjingdonglu").await), "mutation($p:ID!,$s:ID!){ recordServiceHandling(personId:$p, serviceItemId:$s, kind:OFFLINE){ kind } }", json!({"p": me.to_string(), "s": wheelchair}))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let body = app
        .gql(Some(&lujiazui), "mutation($p:ID!,$s:ID!){ recordServiceHandling(personId:$p, serviceItemId:$s, kind:GRANT){ kind } }", json!({"p": me.to_string(), "s": wheelchair}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

    // Pins are mine, in my order.
    let all: Vec<String> = items["data"]["serviceItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    let body = app
        .gql(
            Some(&citizen),
            "mutation($ids:[ID!]!){ setPinnedServices(serviceItemIds:$ids){ id } }",
            json!({"ids": [all[2], all[0]]}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app
        .gql(
            Some(&citizen),
            "mutation($ids:[ID!]!){ setPinnedServices(serviceItemIds:$ids){ id } }",
            json!({"ids": [all[1], all[1]]}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

    let body = app.gql(Some(&citizen), HOME, json!({})).await;
    let home = &body["data"]["home"];
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(home["flagshipStore"]["entryUrl"], "/h5/flagship/310115");
    let pinned: Vec<&str> = home["pinnedServices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(pinned.len(), 2);
    assert!(
        home["frequentServices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["service"]["key"] == "MOTOR_WHEELCHAIR_FUEL_SUBSIDY"),
        "{home}"
    );
    // Masked profile; my records include the automatic grants and the offline handling.
    assert!(
        home["profile"]["idNumber"].as_str().unwrap().contains('*'),
        "{home}"
    );
    let records: Vec<(&str, &str)> = home["profile"]["serviceRecords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap(),
                r["service"]["key"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        records.contains(&("OFFLINE", "MOTOR_WHEELCHAIR_FUEL_SUBSIDY")),
        "{records:?}"
    );
    assert!(
        records.contains(&("GRANT", "SEVERE_CARE_SUBSIDY")),
        "{records:?}"
    );
    // Visitors are offices, never names.
    let visitors = home["profile"]["visitorRecords"].as_array().unwrap();
    assert!(
        visitors
            .iter()
            .any(|v| v["office"] == "陆家嘴街道" && v["role"] == "STREET_ADMIN"),
        "{visitors:?}"
    );
    assert!(!body.to_string().contains("lujiazui"));
    assert!(
        home["profile"]["eligibleServices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["service"]["key"] == "SEVERE_CARE_SUBSIDY" && m["eligible"] == true)
    );

    // The inbox told me about the automatic grants; marking read only touches mine.
    let unread = home["unreadMessages"].as_i64().unwrap();
    assert!(unread >= 1, "{home}");
    let inbox = app
        .gql(
            Some(&citizen),
            "{ inbox(last: 20) { nodes { id title read } } }",
            json!({}),
        )
        .await;
    let msgs = inbox["data"]["inbox"]["nodes"].as_array().unwrap();
    assert!(
        msgs.iter()
            .any(|m| m["title"].as_str().unwrap().contains("重度残疾人护理补贴")),
        "{inbox}"
    );
    let mine: Vec<&str> = msgs.iter().map(|m| m["id"].as_str().unwrap()).collect();
    let body = app
        .gql(
            Some(&neighbour),
            "mutation($ids:[ID!]!){ markMessagesRead(ids:$ids) }",
            json!({"ids": mine}),
        )
        .await;
    assert_eq!(body["data"]["markMessagesRead"], 0, "{body}");
    let body = app
        .gql(
            Some(&citizen),
            "mutation($ids:[ID!]!){ markMessagesRead(ids:$ids) }",
            json!({"ids": mine}),
        )
        .await;
    assert_eq!(
        body["data"]["markMessagesRead"].as_i64(),
        Some(unread),
        "{body}"
    );

    // Nobody else's file, records or home.
    let body = app
        .gql(
            Some(&neighbour),
            "query($id:ID!){ person(id:$id){ serviceRecords{ kind } } }",
            json!({"id": me.to_string()}),
        )
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let body = app.gql(Some(&lujiazui), HOME, json!({})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let body = app.gql(None, HOME, json!({})).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
}

#[tokio::test]
async fn a_rerun_revokes_grants_of_holders_who_left_coverage_however_they_left() {
    // The coverage sweep at the end of a job finds holders who are no longer covered (here
    // deactivated behind the application's back, as a bulk correction would) in the database,
    // whatever their number, and revokes their grants with records, inbox and SMS.
    let app = TestApp::spawn().await;
    app.staff().await;
    let city = app.login("city").await;
    let p1 = app.person("一级", ids::PUDONG_1, "41", "310115005").await;
    let p2 = app.person("二级", ids::PUDONG_2, "42", "310115005").await;
    let item = automatic_item(&app, &city, "TEST_SWEEP", "测试覆盖清理").await;
    let v1 = rule(&app, &city, &item, &[("一级或二级残疾", "level <= 2")]).await;
    publish_and_finish(&app, &city, &v1, 0).await;
    assert_eq!(
        (active_grants(&app, p1).await, active_grants(&app, p2).await),
        (1, 1)
    );

    {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use zhucan_domain::entities::person;
        person::Entity::update_many()
            .col_expr(person::Column::Status, Expr::value("DEACTIVATED"))
            .filter(person::Column::Id.eq(p1))
            .exec(app.platform.db.conn())
            .await
            .unwrap();
    }
    let again = rerun(&app, &city, &item).await;
    assert_eq!(again["revoked"].as_i64(), Some(1), "{again}");
    assert_eq!(
        (active_grants(&app, p1).await, active_grants(&app, p2).await),
        (0, 1)
    );
    assert_eq!(records_of_kind(&app, p1, "REVOKE").await, 1);
}
