//! 政策找人: push, dry run, publish (idempotent), visit, return, resubmit, approve, re-check,
//! overdue warning and escalation (live), statistics, monthly report (GraphQL and XLSX), and
//! scope isolation at each level.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, code, eventually, ids, ws};

const CREATE: &str = "mutation($in:OutreachPushInput!){ createOutreachPush(input:$in){ id status filter{ districtCode } } }";
const PUBLISH: &str = "mutation($id:ID!){ publishOutreachPush(id:$id){ id status } }";
const PUSH: &str = "query($id:ID!){ outreachPush(id:$id){ status targeted progress } }";
const TASKS: &str = "query($p:ID){ outreachTasks(pushId:$p){ totalCount nodes{ id status dueOn street{ code } person{ id name } } } }";
const FOLLOW: &str = "mutation($t:ID!,$o:Outcome!){ recordFollowUp(taskId:$t, input:{method:HOME_VISIT, outcome:$o, notes:\"已入户告知\", visitedOn:\"2026-11-30\"}){ status outcome } }";
const REVIEW: &str = "mutation($t:ID!,$d:ReviewDecision!,$r:ReturnReason){ reviewFollowUp(taskId:$t, decision:$d, reason:$r, note:\"请补充材料\"){ status returnCount } }";

async fn policy(app: &TestApp, city: &str) -> String {
    let body = app
        .gql(Some(city), "mutation($in:PolicyInput!){ savePolicy(input:$in){ id } }", json!({"in": {
            "key": "SH_TEST_POLICY", "title": "上海市重度残疾人护理补贴政策", "issuer": "上海市残疾人联合会",
            "issuedOn": "2026-01-01", "effectiveFrom": "2026-01-01", "fullText": "第一条 为保障重度残疾人基本生活……"}}))
        .await;
    body["data"]["savePolicy"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn published(app: &TestApp, token: &str, push: &str) -> Value {
    eventually("the push is published", Duration::from_secs(30), || async {
        let body = app.gql(Some(token), PUSH, json!({"id": push})).await;
        let p = &body["data"]["outreachPush"];
        assert_ne!(p["status"], "FAILED", "{body}");
        (p["status"] == "PUBLISHED").then(|| p.clone())
    })
    .await
}

fn task_of<'a>(tasks: &'a Value, person: &uuid::Uuid) -> &'a str {
    tasks["data"]["outreachTasks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["person"]["id"] == person.to_string())
        .unwrap_or_else(|| panic!("no task for {person}: {tasks}"))["id"]
        .as_str()
        .unwrap()
}

async fn upload(app: &TestApp, token: &str, task: &str, name: &str, bytes: &[u8]) -> Value {
    let request = crate::helpers::multipart_upload(
        "mutation($t:ID!,$f:Upload!){ attachFollowUpMaterial(taskId:$t, file:$f){ contentType sizeBytes sm3 } }",
        json!({"t": task}),
        name,
        bytes,
    );
    app.post_multipart(token, request)
        .await
        .json()
        .await
        .unwrap()
}

/// Three people in Pudong (two in Lujiazui, one in Weifang), one in Huangpu, the staff of
/// every level, and a policy to push.
struct Scene {
    app: TestApp,
    p1: uuid::Uuid,
    p2: uuid::Uuid,
    p3: uuid::Uuid,
    city: String,
    pudong: String,
    huangpu: String,
    lujiazui: String,
    nanjing: String,
    policy: String,
}

async fn scene() -> Scene {
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        attachment_max_bytes: 4096,
        ..s
    })
    .await;
    app.staff().await;
    let p1 = app
        .person("陆家嘴一", ids::PUDONG_1, "41", "310115005")
        .await;
    let p2 = app
        .person("陆家嘴二", ids::PUDONG_2, "42", "310115005")
        .await;
    let p3 = app.person("潍坊三", ids::PUDONG_3, "43", "310115007").await;
    app.person("黄浦一", ids::HUANGPU_1, "11", "310101002")
        .await;
    let city = app.login("city").await;
    let policy = policy(&app, &city).await;
    Scene {
        p1,
        p2,
        p3,
        pudong: app.login("pudong").await,
        huangpu: app.login("huangpu").await,
        lujiazui: app.login("lujiazui").await,
        nanjing: app.login("nanjingdonglu").await,
        city,
        policy,
        app,
    }
}

/// The Pudong district's push of the policy (a draft).
async fn draft(s: &Scene) -> String {
    let body = s
        .app
        .gql(
            Some(&s.pudong),
            CREATE,
            json!({"in": {"title": "重度残疾人护理补贴政策告知", "policyId": s.policy}}),
        )
        .await;
    body["data"]["createOutreachPush"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// A published push and its three tasks (`t1`, `t2` in Lujiazui, `t3` in Weifang).
struct Tasks {
    push: String,
    t1: String,
    t2: String,
    t3: String,
    due: String,
}

async fn published_tasks(s: &Scene) -> Tasks {
    let push = draft(s).await;
    let body = s
        .app
        .gql(Some(&s.pudong), PUBLISH, json!({"id": push}))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    published(&s.app, &s.pudong, &push).await;
    let mine = s
        .app
        .gql(Some(&s.lujiazui), TASKS, json!({"p": push}))
        .await;
    let all = s.app.gql(Some(&s.pudong), TASKS, json!({"p": push})).await;
    Tasks {
        t1: task_of(&mine, &s.p1).to_owned(),
        t2: task_of(&mine, &s.p2).to_owned(),
        t3: task_of(&all, &s.p3).to_owned(),
        due: all["data"]["outreachTasks"]["nodes"][0]["dueOn"]
            .as_str()
            .unwrap()
            .to_owned(),
        push,
    }
}

async fn ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = app.gql(Some(token), query, variables).await;
    assert!(body["errors"].is_null(), "{body}");
    body
}

const RECHECK: &str = "mutation($t:ID!){ recordRecheck(taskId:$t, agree:false, note:\"本人表示未被告知\"){ status returnCount recheckResult } }";
const DRAW: &str = "mutation($p:ID!){ drawRecheckSample(pushId:$p, share:1.0, seed:7){ id } }";

/// The follow-up history the later steps build on: t1 visited, returned for materials,
/// resubmitted, approved, drawn for a telephone re-check that disagrees (back to the
/// street-town); t2 unreachable; t3 never visited.
async fn history(s: &Scene) -> Tasks {
    let t = published_tasks(s).await;
    let app = &s.app;
    ok(
        app,
        &s.lujiazui,
        FOLLOW,
        json!({"t": t.t1, "o": "INFORMED"}),
    )
    .await;
    ok(
        app,
        &s.pudong,
        REVIEW,
        json!({"t": t.t1, "d": "RETURN", "r": "MISSING_MATERIALS"}),
    )
    .await;
    ok(app, &s.lujiazui, FOLLOW, json!({"t": t.t1, "o": "APPLIED"})).await;
    ok(app, &s.pudong, REVIEW, json!({"t": t.t1, "d": "APPROVE"})).await;
    ok(app, &s.pudong, DRAW, json!({"p": t.push})).await;
    ok(app, &s.pudong, RECHECK, json!({"t": t.t1})).await;
    ok(
        app,
        &s.lujiazui,
        FOLLOW,
        json!({"t": t.t2, "o": "UNREACHABLE"}),
    )
    .await;
    t
}

#[tokio::test]
async fn a_district_admin_pushes_within_their_district_only() {
    let s = scene().await;
    let (app, policy) = (&s.app, &s.policy);
    // A district admin pushes within their district only.
    let body = app
        .gql(Some(&s.pudong), CREATE, json!({"in": {"title": "重度残疾人护理补贴政策告知", "policyId": policy, "filter": {"districtCode": "310101"}}}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let body = app
        .gql(
            Some(&s.lujiazui),
            CREATE,
            json!({"in": {"title": "街镇推送", "policyId": policy}}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let body = app
        .gql(
            Some(&s.pudong),
            CREATE,
            json!({"in": {"title": "重度残疾人护理补贴政策告知", "policyId": policy}}),
        )
        .await;
    assert!(
        body["data"]["createOutreachPush"]["id"].is_string(),
        "{body}"
    );
    assert_eq!(
        body["data"]["createOutreachPush"]["filter"]["districtCode"],
        "310115"
    );
}

#[tokio::test]
async fn the_dry_run_counts_per_street_town_and_another_district_cannot_publish() {
    let s = scene().await;
    let (app, push) = (&s.app, draft(&s).await);
    // Dry run per street-town, never outside the district.
    let body = app
        .gql(
            Some(&s.pudong),
            "query($id:ID!){ dryRunOutreachPush(id:$id){ total rows{ street{ code } count } } }",
            json!({"id": push}),
        )
        .await;
    let dry = &body["data"]["dryRunOutreachPush"];
    assert_eq!(dry["total"], 3, "{body}");
    let rows: Vec<(String, i64)> = dry["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["street"]["code"].as_str().unwrap().to_owned(),
                r["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![("310115005".to_owned(), 2), ("310115007".to_owned(), 1)]
    );
    let body = app
        .gql(Some(&s.huangpu), PUBLISH, json!({"id": push}))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn empty_targets_and_bad_filters_are_refused_with_the_field_named() {
    let s = scene().await;
    let (app, policy) = (&s.app, &s.policy);
    // Empty targets are refused; bad filters name the field.
    let body = app
        .gql(Some(&s.pudong), CREATE, json!({"in": {"title": "无对象", "policyId": policy, "filter": {"level": 4, "category": "HEARING"}}}))
        .await;
    let empty = body["data"]["createOutreachPush"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app
        .gql(Some(&s.pudong), PUBLISH, json!({"id": empty}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let body = app
        .gql(
            Some(&s.pudong),
            CREATE,
            json!({"in": {"title": "坏条件", "policyId": policy, "filter": {"level": 9}}}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "input.filter.level",
        "{body}"
    );
}

#[tokio::test]
async fn publishing_twice_at_once_creates_each_task_and_notice_once() {
    let s = scene().await;
    let (app, push, pudong) = (&s.app, draft(&s).await, &s.pudong);
    // Publishing twice at once creates each task once.
    let (a, b) = tokio::join!(
        app.gql(Some(pudong), PUBLISH, json!({"id": push})),
        app.gql(Some(pudong), PUBLISH, json!({"id": push}))
    );
    assert!(a["errors"].is_null() && b["errors"].is_null(), "{a} {b}");
    let done = published(app, pudong, &push).await;
    assert_eq!(done["targeted"], 3, "{done}");
    let body = app.gql(Some(pudong), PUBLISH, json!({"id": push})).await;
    assert_eq!(body["data"]["publishOutreachPush"]["status"], "PUBLISHED");
    let n = app.rows("SELECT COUNT(*) AS n FROM outreach_tasks").await[0]
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(n, 3);
    let n = app
        .rows("SELECT COUNT(*) AS n FROM sms_outbox WHERE template = 'OUTREACH_NOTICE'")
        .await[0]
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(n, 3);
}

#[tokio::test]
async fn each_street_town_sees_its_own_tasks_only() {
    let s = scene().await;
    let t = published_tasks(&s).await;
    let (app, push) = (&s.app, &t.push);
    let mine = app.gql(Some(&s.lujiazui), TASKS, json!({"p": push})).await;
    assert_eq!(mine["data"]["outreachTasks"]["totalCount"], 2, "{mine}");
    let all = app.gql(Some(&s.pudong), TASKS, json!({"p": push})).await;
    assert_eq!(all["data"]["outreachTasks"]["totalCount"], 3);
    let other = app.gql(Some(&s.nanjing), TASKS, json!({"p": push})).await;
    assert_eq!(other["data"]["outreachTasks"]["totalCount"], 0);
}

#[tokio::test]
async fn only_the_persons_street_town_records_the_visit_and_only_once() {
    let s = scene().await;
    let Tasks { t1, t3, .. } = published_tasks(&s).await;
    let (app, lujiazui, pudong) = (&s.app, &s.lujiazui, &s.pudong);
    // Visit: only the person's street-town records it.
    let body = app
        .gql(Some(lujiazui), FOLLOW, json!({"t": t3, "o": "INFORMED"}))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let body = app
        .gql(Some(pudong), FOLLOW, json!({"t": t1, "o": "INFORMED"}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let body = app
        .gql(Some(lujiazui), FOLLOW, json!({"t": t1, "o": "INFORMED"}))
        .await;
    assert_eq!(
        body["data"]["recordFollowUp"]["status"], "SUBMITTED",
        "{body}"
    );
    let body = app
        .gql(Some(lujiazui), FOLLOW, json!({"t": t1, "o": "APPLIED"}))
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("SUBMITTED"),
        "{body}"
    );
}

#[tokio::test]
async fn materials_are_typed_by_content_limited_in_size_and_downloaded_only_in_scope() {
    let s = scene().await;
    let Tasks { t1, .. } = published_tasks(&s).await;
    let (app, lujiazui, pudong, huangpu, nanjing) =
        (&s.app, &s.lujiazui, &s.pudong, &s.huangpu, &s.nanjing);
    ok(app, lujiazui, FOLLOW, json!({"t": t1, "o": "INFORMED"})).await;
    // Materials: sniffed type, size limit, SM3 digest.
    let png = b"\x89PNG\r\n\x1a\n0000IHDRfake-image-bytes";
    let body = upload(app, lujiazui, &t1, "visit.png", png).await;
    let att = &body["data"]["attachFollowUpMaterial"];
    assert_eq!(att["contentType"], "image/png", "{body}");
    assert_eq!(att["sm3"].as_str().unwrap().len(), 64);
    let att_id = {
        let body = app
            .gql(
                Some(pudong),
                "query($t:ID!){ outreachTask(id:$t){ attachments{ id } } }",
                json!({"t": t1}),
            )
            .await;
        body["data"]["outreachTask"]["attachments"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned()
    };
    let file_url = format!("{}/files/outreach/{att_id}", app.address);
    let resp = app
        .client
        .get(&file_url)
        .bearer_auth(pudong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(&resp.bytes().await.unwrap()[..], &png[..]);
    let resp = app
        .client
        .get(&file_url)
        .bearer_auth(huangpu)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404, "another district's material");
    let resp = app.client.get(&file_url).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body = upload(app, lujiazui, &t1, "virus.exe", b"MZ\x90\x00\x03").await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let mut big = b"%PDF-1.7\n".to_vec();
    big.extend(vec![b'x'; 5000]);
    let body = upload(app, lujiazui, &t1, "big.pdf", &big).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let body = upload(app, nanjing, &t1, "visit.png", png).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn the_district_returns_with_a_coded_reason_and_approves_the_resubmission() {
    let s = scene().await;
    let Tasks { t1, .. } = published_tasks(&s).await;
    let (app, lujiazui, pudong, huangpu) = (&s.app, &s.lujiazui, &s.pudong, &s.huangpu);
    ok(app, lujiazui, FOLLOW, json!({"t": t1, "o": "INFORMED"})).await;
    // Review: the district returns with a coded reason, the street-town completes and
    // resubmits, the district approves. Other districts cannot see it.
    let body = app
        .gql(Some(huangpu), REVIEW, json!({"t": t1, "d": "APPROVE"}))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let body = app
        .gql(Some(pudong), REVIEW, json!({"t": t1, "d": "RETURN"}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "reason", "{body}");
    let body = app
        .gql(
            Some(pudong),
            REVIEW,
            json!({"t": t1, "d": "RETURN", "r": "MISSING_MATERIALS"}),
        )
        .await;
    assert_eq!(
        body["data"]["reviewFollowUp"]["status"], "RETURNED",
        "{body}"
    );
    let body = app
        .gql(Some(pudong), REVIEW, json!({"t": t1, "d": "APPROVE"}))
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    let body = app
        .gql(Some(lujiazui), FOLLOW, json!({"t": t1, "o": "APPLIED"}))
        .await;
    assert_eq!(
        body["data"]["recordFollowUp"]["status"], "SUBMITTED",
        "{body}"
    );
    let body = app
        .gql(Some(pudong), REVIEW, json!({"t": t1, "d": "APPROVE"}))
        .await;
    assert_eq!(
        body["data"]["reviewFollowUp"]["status"], "APPROVED",
        "{body}"
    );
}

#[tokio::test]
async fn a_telephone_recheck_draws_reproducibly_and_a_disagreement_reopens_the_task() {
    let s = scene().await;
    let Tasks { push, t1, t2, .. } = published_tasks(&s).await;
    let (app, lujiazui, pudong) = (&s.app, &s.lujiazui, &s.pudong);
    ok(app, lujiazui, FOLLOW, json!({"t": t1, "o": "INFORMED"})).await;
    ok(
        app,
        pudong,
        REVIEW,
        json!({"t": t1, "d": "RETURN", "r": "MISSING_MATERIALS"}),
    )
    .await;
    ok(app, lujiazui, FOLLOW, json!({"t": t1, "o": "APPLIED"})).await;
    ok(app, pudong, REVIEW, json!({"t": t1, "d": "APPROVE"})).await;
    // Telephone re-check: a reproducible draw; a disagreement reopens the task.
    let body = app.gql(Some(pudong), DRAW, json!({"p": push})).await;
    let drawn: Vec<&str> = body["data"]["drawRecheckSample"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(drawn, vec![t1.as_str()]);
    let body = app.gql(Some(pudong), RECHECK, json!({"t": t2})).await;
    assert_eq!(code(&body), "CONFLICT", "not drawn: {body}");
    let body = app.gql(Some(pudong), RECHECK, json!({"t": t1})).await;
    let t = &body["data"]["recordRecheck"];
    assert_eq!(
        (
            t["status"].as_str(),
            t["returnCount"].as_i64(),
            t["recheckResult"].as_str()
        ),
        (Some("RETURNED"), Some(2), Some("DISAGREE")),
        "{body}"
    );
}

#[tokio::test]
async fn warnings_reach_the_street_town_first_and_escalate_live_to_the_district_in_scope() {
    let s = scene().await;
    history(&s).await;
    let (app, lujiazui, pudong, huangpu) = (&s.app, &s.lujiazui, &s.pudong, &s.huangpu);
    // Warnings: overdue and failed go to the street-town first, escalate to the district later,
    // live to subscribers in scope.
    let mut district_ws = ws::connect(app, pudong).await;
    ws::subscribe(
        &mut district_ws,
        "w",
        "subscription { outreachWarnings { level street { code } } }",
        json!({}),
    )
    .await;
    let mut other_ws = ws::connect(app, huangpu).await;
    ws::subscribe(
        &mut other_ws,
        "w",
        "subscription { outreachWarnings { level street { code } } }",
        json!({}),
    )
    .await;
    app.subscribed(2).await;
    let later = chrono::Utc::now() + chrono::Duration::days(30);
    let r = zhucan_domain::outreach::tick(&app.platform, later)
        .await
        .unwrap();
    assert_eq!(r.raised, 3, "{r:?}"); // t1 returned and overdue, t3 overdue, t2 failed
    let body = app
        .gql(
            Some(lujiazui),
            "{ outreachWarnings { nodes { kind level } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["outreachWarnings"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{body}"
    );
    let body = app
        .gql(
            Some(pudong),
            "{ outreachWarnings { nodes { kind level } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["outreachWarnings"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "{body}"
    );
    let r = zhucan_domain::outreach::tick(&app.platform, later + chrono::Duration::days(4))
        .await
        .unwrap();
    assert_eq!(r.escalated, 3, "{r:?}");
    let event = ws::next(&mut district_ws).await;
    assert_eq!(
        event["payload"]["data"]["outreachWarnings"]["level"], "DISTRICT",
        "{event}"
    );
    ws::quiet(&mut other_ws, 500).await;
    let body = app
        .gql(
            Some(pudong),
            "{ outreachWarnings { nodes { kind level street { code } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["outreachWarnings"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "{body}"
    );
    let body = app
        .gql(
            Some(huangpu),
            "{ outreachWarnings { nodes { kind } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["outreachWarnings"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "{body}"
    );
}

#[tokio::test]
async fn statistics_count_by_street_town_for_the_district_and_by_district_for_the_city() {
    let s = scene().await;
    let Tasks { push, .. } = history(&s).await;
    let (app, city, pudong, huangpu) = (&s.app, &s.city, &s.pudong, &s.huangpu);
    // Statistics by street-town (district) and by district (city).
    let body = app
        .gql(Some(pudong), "query($p:ID){ outreachStatistics(pushId:$p){ rows{ regionCode targeted } total{ targeted visited approved returned rechecked disagreements disagreementRate outcomes{ outcome count } } } }", json!({"p": push}))
        .await;
    let stats = &body["data"]["outreachStatistics"];
    assert_eq!(stats["rows"].as_array().unwrap().len(), 2, "{body}");
    let total = &stats["total"];
    assert_eq!(
        (
            total["targeted"].as_i64(),
            total["visited"].as_i64(),
            total["rechecked"].as_i64(),
            total["disagreements"].as_i64()
        ),
        (Some(3), Some(2), Some(1), Some(1)),
        "{body}"
    );
    assert_eq!(total["disagreementRate"], 1.0);
    let body = app
        .gql(
            Some(city),
            "{ outreachStatistics { rows{ regionCode targeted } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["outreachStatistics"]["rows"][0]["regionCode"], "310115",
        "{body}"
    );
    let body = app
        .gql(
            Some(huangpu),
            "{ outreachStatistics { total{ targeted } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["outreachStatistics"]["total"]["targeted"], 0,
        "{body}"
    );
}

#[tokio::test]
async fn the_monthly_report_comes_as_graphql_and_xlsx_and_each_export_is_audited() {
    let s = scene().await;
    let Tasks { due, .. } = history(&s).await;
    let (app, pudong) = (&s.app, &s.pudong);
    // Monthly report through GraphQL and as XLSX.
    let due = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap();
    use chrono::Datelike;
    let month_of = if due.day() > 25 {
        due + chrono::Duration::days(10)
    } else {
        due
    };
    let month = format!("{}-{:02}", month_of.year(), month_of.month());
    let body = app
        .gql(Some(pudong), "query($m:String!){ outreachMonthlyReport(month:$m){ month from to downloadPath total{ targeted } } }", json!({"m": month}))
        .await;
    let report = &body["data"]["outreachMonthlyReport"];
    assert_eq!(report["total"]["targeted"], 3, "{body}");
    let path = report["downloadPath"].as_str().unwrap();
    let resp = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(pudong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"), "not an xlsx");
    let resp = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = app
        .client
        .get(format!("{}/reports/outreach/2026-13.xlsx", app.address))
        .bearer_auth(pudong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let exports = app
        .rows("SELECT COUNT(*) AS n FROM audit_records WHERE operation = 'outreach.report.export'")
        .await[0]
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(exports, 1);
}

#[tokio::test]
async fn the_persons_file_shows_the_whole_follow_up_history() {
    let s = scene().await;
    history(&s).await;
    let (app, pudong, p1) = (&s.app, &s.pudong, s.p1);
    // The person's file shows the whole history.
    let body = app
        .gql(Some(pudong), "query($id:ID!){ person(id:$id){ outreachTasks{ status events{ action toStatus reason } } } }", json!({"id": p1.to_string()}))
        .await;
    let actions: Vec<&str> = body["data"]["person"]["outreachTasks"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "ASSIGN",
            "SUBMIT",
            "RETURN",
            "SUBMIT",
            "APPROVE",
            "RECHECK_DISAGREE"
        ],
        "{body}"
    );
    assert_eq!(
        body["data"]["person"]["outreachTasks"][0]["events"][2]["reason"],
        "MISSING_MATERIALS"
    );
}

/// Measurement, not a check: publish a city-wide push to 50,000 people and build the city-wide
/// monthly report. Run with `cargo test --release --test api measure_ -- --ignored --nocapture`
/// (on PostgreSQL with `ZHUCAN_TEST_DATABASE_URL`).
#[tokio::test]
#[ignore = "measurement: seeds 50,000 people"]
async fn measure_publishing_a_50k_push_and_the_city_monthly_report() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let seeded = zhucan_domain::demo::seed_people(
        &app.platform.db,
        &app.platform.cipher,
        &app.platform.regions,
        7,
        50_000,
        1_000,
        |_| {},
    )
    .await
    .unwrap();
    let city = app.login("city").await;
    let policy = policy(&app, &city).await;
    let body = app
        .gql(
            Some(&city),
            CREATE,
            json!({"in": {"title": "全市政策告知", "policyId": policy}}),
        )
        .await;
    let push = body["data"]["createOutreachPush"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = std::time::Instant::now();
    let body = app.gql(Some(&city), PUBLISH, json!({"id": push})).await;
    assert!(body["errors"].is_null(), "{body}");
    let accepted = started.elapsed();
    let done = eventually(
        "the city-wide push is published",
        Duration::from_secs(600),
        || async {
            let body = app.gql(Some(&city), PUSH, json!({"id": push})).await;
            let p = &body["data"]["outreachPush"];
            (p["status"] == "PUBLISHED").then(|| p.clone())
        },
    )
    .await;
    let published = started.elapsed();
    assert_eq!(done["targeted"].as_u64(), Some(seeded), "{done}");
    let month = {
        use chrono::Datelike;
        let d = chrono::Utc::now().date_naive() + chrono::Duration::days(20);
        format!("{}-{:02}", d.year(), d.month())
    };
    let started = std::time::Instant::now();
    let body = app
        .gql(Some(&city), "query($m:String!){ outreachMonthlyReport(month:$m){ total{ targeted } rows{ regionCode } } }", json!({"m": month}))
        .await;
    let report = started.elapsed();
    let started = std::time::Instant::now();
    let resp = app
        .client
        .get(format!("{}/reports/outreach/{month}.xlsx", app.address))
        .bearer_auth(&city)
        .send()
        .await
        .unwrap();
    let xlsx = resp.bytes().await.unwrap().len();
    let export = started.elapsed();
    println!(
        "backend={:?} people={seeded} publish accepted in {accepted:?}, published in {published:?}; monthly report (city, {} rows, {} tasks in period) {report:?}; xlsx {xlsx} bytes in {export:?}",
        app.platform.db.backend(),
        body["data"]["outreachMonthlyReport"]["rows"]
            .as_array()
            .map_or(0, Vec::len),
        body["data"]["outreachMonthlyReport"]["total"]["targeted"]
    );
}
