//! What an activity hands out, delivers and needs volunteers for: goods never beyond stock or
//! the per-person limit however many hand out at once; a delivered catalog service lands on the
//! person's file; volunteer roles never beyond capacity, hours from check-in to check-out, the
//! hour statement as GraphQL and XLSX; statistics per activity and per street-town, in scope.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use zhucan_domain::entities::{activity_goods, activity_volunteer, service_record, volunteer};
use zhucan_domain::types::IdNumber;
use zhucan_domain::viewer::{RequestMeta, Role};
use zhucan_domain::volunteer::{Skill, VolunteerRegistration};

use crate::helpers::{PASSWORD, TestApp, code, ids};

const SAVE: &str = "mutation($i: ActivityInput!) { saveActivity(input: $i) { id version } }";
const PUBLISH: &str =
    "mutation($id: ID!, $v: Int!) { publishActivity(id: $id, version: $v) { id } }";
const REGISTER: &str =
    "mutation($a: ID!, $p: ID) { registerForActivity(activityId: $a, personId: $p) { id status } }";
const CHECK_IN: &str =
    "mutation($r: ID!) { checkInAttendee(registrationId: $r) { id checkedInAt } }";
const SAVE_GOODS: &str = "mutation($i: ActivityGoodsInput!) { saveActivityGoods(input: $i) { id name stock issued remaining perPersonLimit } }";
const DISTRIBUTE: &str = "mutation($g: ID!, $r: ID!, $q: Int!) { recordGoodsDistribution(goodsId: $g, registrationId: $r, quantity: $q) { id quantity } }";

const NAMES: [&str; 10] = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"];

fn ok<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "{field}: {body}");
    &body["data"][field]
}

/// A published activity of 陆家嘴 starting in half an hour (check-in open).
async fn activity(app: &TestApp, token: &str, title: &str, capacity: i32) -> String {
    let now = Utc::now();
    let starts = now + Duration::minutes(30);
    let i = json!({
        "kind": "ASSISTIVE_DEVICES",
        "title": title,
        "venueAddress": "浦东新区陆家嘴环路1000号",
        "startsAt": starts.to_rfc3339(),
        "endsAt": (starts + Duration::hours(2)).to_rfc3339(),
        "registrationOpensAt": (now - Duration::hours(1)).to_rfc3339(),
        "registrationClosesAt": (starts - Duration::minutes(5)).to_rfc3339(),
        "capacity": capacity,
    });
    let saved = app.gql(Some(token), SAVE, json!({"i": i})).await;
    let a = ok(&saved, "saveActivity");
    let id = a["id"].as_str().unwrap().to_owned();
    ok(
        &app.gql(Some(token), PUBLISH, json!({"id": id, "v": a["version"]}))
            .await,
        "publishActivity",
    );
    id
}

/// `n` people of 陆家嘴 registered by staff and checked in by hand: their registration ids.
async fn attendees(app: &TestApp, token: &str, activity: &str, n: u16) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..n {
        let birth =
            NaiveDate::from_ymd_opt(1970 + i32::from(i % 30), 3, 1 + u32::from(i % 28)).unwrap();
        let id_number = IdNumber::compose("310115", birth, 200 + i).unwrap();
        let person = app
            .person(
                &format!("到场人{}", NAMES[usize::from(i)]),
                id_number.as_str(),
                "41",
                "310115005",
            )
            .await;
        let reg = app
            .gql(
                Some(token),
                REGISTER,
                json!({"a": activity, "p": person.to_string()}),
            )
            .await;
        let reg = ok(&reg, "registerForActivity")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(
            &app.gql(Some(token), CHECK_IN, json!({"r": reg})).await,
            "checkInAttendee",
        );
        out.push(reg);
    }
    out
}

#[tokio::test]
async fn goods_never_go_beyond_stock_or_the_per_person_limit_however_many_hand_out_at_once() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let staff = app.login("lujiazui").await;
    let a = activity(&app, &staff, "助听器适配日", 20).await;
    // Bad input first: nothing is written.
    for (stock, limit, field) in [(-1, 1, "input.stock"), (5, 0, "input.perPersonLimit")] {
        let body = app
            .gql(
                Some(&staff),
                SAVE_GOODS,
                json!({"i": {"activityId": a, "name": "电池", "stock": stock, "perPersonLimit": limit}}),
            )
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    assert_eq!(
        activity_goods::Entity::find()
            .all(app.platform.db.conn())
            .await
            .unwrap()
            .len(),
        0
    );
    // Another district's admin does not even see it to manage.
    let huangpu = app.login("huangpu").await;
    let body = app
        .gql(
            Some(&huangpu),
            SAVE_GOODS,
            json!({"i": {"activityId": a, "name": "电池", "stock": 5}}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");

    let goods = app
        .gql(
            Some(&staff),
            SAVE_GOODS,
            json!({"i": {"activityId": a, "name": "助听器电池", "stock": 5, "perPersonLimit": 2}}),
        )
        .await;
    let goods = ok(&goods, "saveActivityGoods").clone();
    assert_eq!(goods["remaining"], 5);
    let g = goods["id"].as_str().unwrap().to_owned();
    let dup = app
        .gql(
            Some(&staff),
            SAVE_GOODS,
            json!({"i": {"activityId": a, "name": "助听器电池", "stock": 1}}),
        )
        .await;
    assert_eq!(code(&dup), "CONFLICT", "{dup}");

    // Someone registered but not checked in gets nothing.
    let absent = app.person("未到场", ids::PUDONG_2, "41", "310115005").await;
    let reg = app
        .gql(
            Some(&staff),
            REGISTER,
            json!({"a": a, "p": absent.to_string()}),
        )
        .await;
    let absent_reg = ok(&reg, "registerForActivity")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app
        .gql(
            Some(&staff),
            DISTRIBUTE,
            json!({"g": g, "r": absent_reg, "q": 1}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");

    let came = attendees(&app, &staff, &a, 8).await;
    // The per-person limit: 2 at once is fine, a third is refused; 3 at once is refused.
    ok(
        &app.gql(
            Some(&staff),
            DISTRIBUTE,
            json!({"g": g, "r": came[0], "q": 2}),
        )
        .await,
        "recordGoodsDistribution",
    );
    for q in [1, 3] {
        let r = if q == 1 { &came[0] } else { &came[1] };
        let body = app
            .gql(Some(&staff), DISTRIBUTE, json!({"g": g, "r": r, "q": q}))
            .await;
        assert_eq!(code(&body), "CONFLICT", "q={q}: {body}");
    }
    // Stock cannot be cut below what was issued.
    let body = app
        .gql(
            Some(&staff),
            SAVE_GOODS,
            json!({"i": {"id": g, "name": "助听器电池", "stock": 1, "perPersonLimit": 2}}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");

    // Seven attendees ask for one each at once with 3 left: exactly 3 get one.
    let calls = came[1..]
        .iter()
        .map(|r| app.gql(Some(&staff), DISTRIBUTE, json!({"g": g, "r": r, "q": 1})));
    let answers = futures::future::join_all(calls).await;
    let mut given = 0;
    let mut refused = 0;
    for body in answers {
        if body["errors"].is_null() {
            given += 1;
        } else {
            assert_eq!(code(&body), "CONFLICT", "{body}");
            refused += 1;
        }
    }
    assert_eq!((given, refused), (3, 4));
    let row = activity_goods::Entity::find_by_id(uuid::Uuid::parse_str(&g).unwrap())
        .one(app.platform.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.stock, row.issued), (5, 5));
    let handed = app
        .rows("SELECT SUM(quantity) AS n FROM activity_goods_distributions")
        .await[0]
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(
        handed, 5,
        "the distributions add up to what the goods row says"
    );
    // Five hand-outs to the same person at once with a limit of one: exactly one.
    let cap = app
        .gql(
            Some(&staff),
            SAVE_GOODS,
            json!({"i": {"activityId": a, "name": "盲文日历", "stock": 10, "perPersonLimit": 1}}),
        )
        .await;
    let cap = ok(&cap, "saveActivityGoods")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let same = (0..5).map(|_| {
        app.gql(
            Some(&staff),
            DISTRIBUTE,
            json!({"g": cap, "r": came[7], "q": 1}),
        )
    });
    let answers = futures::future::join_all(same).await;
    let won = answers.iter().filter(|b| b["errors"].is_null()).count();
    assert_eq!(won, 1, "{answers:?}");
    let row = activity_goods::Entity::find_by_id(uuid::Uuid::parse_str(&cap).unwrap())
        .one(app.platform.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.issued, 1, "the refused ones rolled back their stock");
    let listed = app
        .gql(
            None,
            "query($a: ID!) { activity(id: $a) { goods { name remaining issued } } }",
            json!({"a": a}),
        )
        .await;
    assert_eq!(ok(&listed, "activity")["goods"][0]["remaining"], 0);
    assert_eq!(ok(&listed, "activity")["goods"][1]["remaining"], 9);
}

#[tokio::test]
async fn a_delivered_catalog_service_lands_on_the_file_and_a_repeat_writes_nothing() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let staff = app.login("lujiazui").await;
    let city = app.login("city").await;
    let item = app
        .gql(
            Some(&city),
            "mutation { saveServiceItem(input: {key: \"DEVICE_FITTING\", name: \"辅助器具适配\", businessLine: RIGHTS, description: \"免费适配\", timeLimitDays: 5, channel: OFFLINE}) { id } }",
            json!({}),
        )
        .await;
    let item = ok(&item, "saveServiceItem")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = activity(&app, &staff, "辅具进社区", 10).await;
    let svc = app
        .gql(
            Some(&staff),
            "mutation($i: ActivityServiceInput!) { saveActivityService(input: $i) { id name delivered serviceItem { name } } }",
            json!({"i": {"activityId": a, "name": "轮椅适配", "serviceItemId": item}}),
        )
        .await;
    let svc = ok(&svc, "saveActivityService").clone();
    assert_eq!(svc["serviceItem"]["name"], "辅助器具适配");
    let s = svc["id"].as_str().unwrap().to_owned();
    let came = attendees(&app, &staff, &a, 3).await;
    const DELIVER: &str = "mutation($s: ID!, $r: [ID!]!) { recordServiceDelivery(serviceId: $s, registrationIds: $r) { id serviceRecordId } }";
    let done = app
        .gql(
            Some(&staff),
            DELIVER,
            json!({"s": s, "r": [came[0], came[1]]}),
        )
        .await;
    let done = ok(&done, "recordServiceDelivery");
    assert_eq!(done.as_array().unwrap().len(), 2);
    assert!(done[0]["serviceRecordId"].is_string(), "{done}");
    let records = service_record::Entity::find()
        .filter(service_record::Column::Kind.eq("ACTIVITY"))
        .all(app.platform.db.conn())
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    assert!(
        records[0].note.contains("辅具进社区"),
        "{}",
        records[0].note
    );
    // The file shows it.
    let person = records[0].person_id;
    let file = app
        .gql(
            Some(&staff),
            "query($p: ID!) { person(id: $p) { serviceRecords { kind service { name } } } }",
            json!({"p": person.to_string()}),
        )
        .await;
    assert_eq!(
        ok(&file, "person")["serviceRecords"][0]["kind"],
        "ACTIVITY",
        "{file}"
    );
    // One new and one repeat: refused as a whole, nothing written.
    let body = app
        .gql(
            Some(&staff),
            DELIVER,
            json!({"s": s, "r": [came[2], came[0]]}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    let after = service_record::Entity::find()
        .filter(service_record::Column::Kind.eq("ACTIVITY"))
        .all(app.platform.db.conn())
        .await
        .unwrap();
    assert_eq!(after.len(), 2, "the batch rolled back");
    let listed = app
        .gql(
            None,
            "query($a: ID!) { activity(id: $a) { services { name delivered } } }",
            json!({"a": a}),
        )
        .await;
    assert_eq!(ok(&listed, "activity")["services"][0]["delivered"], 2);
}

/// A verified volunteer of the registry, signed in.
async fn volunteer(app: &TestApp, i: u16) -> (uuid::Uuid, String) {
    let username = format!("helper{i}");
    let birth = NaiveDate::from_ymd_opt(1985, 1 + u32::from(i % 12), 10).unwrap();
    let reg = VolunteerRegistration {
        username: username.clone(),
        password: PASSWORD.to_owned(),
        name: format!("志愿者{}", NAMES[usize::from(i)]),
        id_number: IdNumber::compose("310115", birth, 500 + i)
            .unwrap()
            .as_str()
            .to_owned(),
        phone: format!("1371235{i:04}"),
        skills: vec![Skill::Guiding],
        service_streets: vec!["310115005".to_owned()],
        consent: true,
    };
    let v = zhucan_domain::volunteer::register(&app.platform, reg, &RequestMeta::default())
        .await
        .unwrap();
    volunteer::Entity::update_many()
        .col_expr(volunteer::Column::Status, Expr::value("VERIFIED"))
        .filter(volunteer::Column::Id.eq(v.id))
        .exec(app.platform.db.conn())
        .await
        .unwrap();
    (v.id, app.login(&username).await)
}

#[tokio::test]
async fn volunteer_roles_fill_to_capacity_and_check_out_gives_hours_on_the_statement() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let staff = app.login("lujiazui").await;
    let a = activity(&app, &staff, "助残日志愿服务", 10).await;
    let role = app
        .gql(
            Some(&staff),
            "mutation($i: ActivityVolunteerRoleInput!) { saveActivityVolunteerRole(input: $i) { id capacity placesLeft } }",
            json!({"i": {"activityId": a, "name": "引导员", "description": "引导视障人士入场", "capacity": 1}}),
        )
        .await;
    let role = ok(&role, "saveActivityVolunteerRole")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const SIGN_UP: &str = "mutation($r: ID!) { signUpForActivityRole(roleId: $r) { id status } }";
    const DECIDE: &str = "mutation($s: ID!, $ok: Boolean!, $why: String) { approveActivityVolunteer(signupId: $s, approve: $ok, reason: $why) { id status decisionReason } }";
    let (v1, t1) = volunteer(&app, 1).await;
    let (_, t2) = volunteer(&app, 2).await;
    // A citizen or an unverified account cannot sign up.
    let citizen_person = app.person("居民", ids::PUDONG_1, "41", "310115005").await;
    app.account("resident", Role::Citizen, None, Some(citizen_person))
        .await;
    let resident = app.login("resident").await;
    assert_eq!(
        code(&app.gql(Some(&resident), SIGN_UP, json!({"r": role})).await),
        "FORBIDDEN"
    );
    let s1 = app.gql(Some(&t1), SIGN_UP, json!({"r": role})).await;
    let s1 = ok(&s1, "signUpForActivityRole")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        code(&app.gql(Some(&t1), SIGN_UP, json!({"r": role})).await),
        "CONFLICT",
        "one sign-up per activity"
    );
    let s2 = app.gql(Some(&t2), SIGN_UP, json!({"r": role})).await;
    let s2 = ok(&s2, "signUpForActivityRole")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A volunteer cannot approve; rejecting needs a reason.
    assert_eq!(
        code(
            &app.gql(Some(&t1), DECIDE, json!({"s": s1, "ok": true}))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &app.gql(Some(&staff), DECIDE, json!({"s": s2, "ok": false}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    let approved = app
        .gql(Some(&staff), DECIDE, json!({"s": s1, "ok": true}))
        .await;
    assert_eq!(
        ok(&approved, "approveActivityVolunteer")["status"],
        "APPROVED"
    );
    let full = app
        .gql(Some(&staff), DECIDE, json!({"s": s2, "ok": true}))
        .await;
    assert_eq!(code(&full), "CONFLICT", "capacity 1: {full}");
    let rejected = app
        .gql(
            Some(&staff),
            DECIDE,
            json!({"s": s2, "ok": false, "why": "岗位已满"}),
        )
        .await;
    assert_eq!(
        ok(&rejected, "approveActivityVolunteer")["status"],
        "REJECTED"
    );
    let roster = app
        .gql(
            Some(&staff),
            "query($a: ID!) { activityVolunteers(activityId: $a) { volunteerName status } }",
            json!({"a": a}),
        )
        .await;
    assert_eq!(
        ok(&roster, "activityVolunteers")[0]["volunteerName"],
        "志愿者乙"
    );

    // Check out before check in: refused; then in and out.
    const OUT: &str =
        "mutation($s: ID!) { checkOutActivityVolunteer(signupId: $s) { minutes checkedOutAt } }";
    assert_eq!(
        code(&app.gql(Some(&staff), OUT, json!({"s": s1})).await),
        "CONFLICT"
    );
    ok(
        &app.gql(
            Some(&staff),
            "mutation($s: ID!) { checkInActivityVolunteer(signupId: $s) { checkedInAt } }",
            json!({"s": s1}),
        )
        .await,
        "checkInActivityVolunteer",
    );
    // Two and a half hours pass.
    let sid = uuid::Uuid::parse_str(&s1).unwrap();
    activity_volunteer::Entity::update_many()
        .col_expr(
            activity_volunteer::Column::CheckedInAt,
            Expr::value(Some(Utc::now() - Duration::minutes(150))),
        )
        .filter(activity_volunteer::Column::Id.eq(sid))
        .exec(app.platform.db.conn())
        .await
        .unwrap();
    let out = app.gql(Some(&staff), OUT, json!({"s": s1})).await;
    let minutes = ok(&out, "checkOutActivityVolunteer")["minutes"]
        .as_i64()
        .unwrap();
    assert!((150..=151).contains(&minutes), "{minutes}");

    // The volunteer's statement, as GraphQL and XLSX; another district's admin sees none of it.
    let local = Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let month = format!("{}-{:02}", local.year(), local.month());
    const HOURS: &str = "query($v: ID, $f: String!, $t: String!) { volunteerHours(volunteerId: $v, from: $f, to: $t) { volunteerName totalMinutes totalHours months { month minutes activities } lines { title role minutes } downloadPath } }";
    let mine = app
        .gql(Some(&t1), HOURS, json!({"f": month, "t": month}))
        .await;
    let mine = ok(&mine, "volunteerHours").clone();
    assert_eq!(mine["totalMinutes"].as_i64(), Some(minutes), "{mine}");
    assert_eq!(mine["lines"][0]["role"], "引导员");
    assert_eq!(mine["months"][0]["activities"], 1);
    let theirs = app
        .gql(
            Some(&app.login("huangpu").await),
            HOURS,
            json!({"v": v1.to_string(), "f": month, "t": month}),
        )
        .await;
    assert_eq!(ok(&theirs, "volunteerHours")["totalMinutes"], 0);
    assert_eq!(
        code(
            &app.gql(
                Some(&t2),
                HOURS,
                json!({"v": v1.to_string(), "f": month, "t": month})
            )
            .await
        ),
        "FORBIDDEN",
        "one volunteer cannot read another's"
    );
    assert_eq!(
        code(
            &app.gql(Some(&t1), HOURS, json!({"f": "2026-13", "t": month}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    let path = mine["downloadPath"].as_str().unwrap();
    let resp = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(&t1)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
}

#[tokio::test]
async fn statistics_count_each_activity_and_street_in_scope_and_export_as_xlsx() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let staff = app.login("lujiazui").await;
    let a = activity(&app, &staff, "康复讲座", 10).await;
    let came = attendees(&app, &staff, &a, 3).await;
    let absent = app
        .person("没来的人", ids::PUDONG_2, "41", "310115005")
        .await;
    ok(
        &app.gql(
            Some(&staff),
            REGISTER,
            json!({"a": a, "p": absent.to_string()}),
        )
        .await,
        "registerForActivity",
    );
    let goods = app
        .gql(
            Some(&staff),
            SAVE_GOODS,
            json!({"i": {"activityId": a, "name": "康复手册", "stock": 10, "perPersonLimit": 3}}),
        )
        .await;
    let g = ok(&goods, "saveActivityGoods")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (r, q) in [(&came[0], 3), (&came[1], 1)] {
        ok(
            &app.gql(Some(&staff), DISTRIBUTE, json!({"g": g, "r": r, "q": q}))
                .await,
            "recordGoodsDistribution",
        );
    }
    let local = (Utc::now() + Duration::minutes(30))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let month = format!("{}-{:02}", local.year(), local.month());
    const STATS: &str = "query($r: String, $m: String!) { activityStatistics(regionCode: $r, month: $m) { regionCode regions { regionCode region { name } measures { activities registered attended goodsDistributed } } activities { title measures { registered attended noShows goodsDistributed } } total { activities capacity registered attended } downloadPath } }";
    let pudong = app.login("pudong").await;
    let body = app.gql(Some(&pudong), STATS, json!({"m": month})).await;
    let s = ok(&body, "activityStatistics").clone();
    assert_eq!(s["regionCode"], "310115");
    assert_eq!(s["regions"][0]["regionCode"], "310115005", "{s}");
    assert_eq!(s["regions"][0]["region"]["name"], "陆家嘴街道");
    assert_eq!(s["total"]["registered"], 4);
    assert_eq!(s["total"]["attended"], 3);
    assert_eq!(s["total"]["capacity"], 10);
    assert_eq!(s["activities"][0]["measures"]["goodsDistributed"], 4);
    // The city sees it under 浦东; 黄浦 may not ask about 浦东.
    let city = app
        .gql(Some(&app.login("city").await), STATS, json!({"m": month}))
        .await;
    assert_eq!(
        ok(&city, "activityStatistics")["regions"][0]["regionCode"],
        "310115"
    );
    let huangpu = app.login("huangpu").await;
    assert_eq!(
        code(
            &app.gql(Some(&huangpu), STATS, json!({"r": "310115", "m": month}))
                .await
        ),
        "FORBIDDEN"
    );
    let own = app.gql(Some(&huangpu), STATS, json!({"m": month})).await;
    assert_eq!(ok(&own, "activityStatistics")["total"]["activities"], 0);
    assert_eq!(
        code(&app.gql(Some(&pudong), STATS, json!({"m": "2026-1"})).await),
        "BAD_USER_INPUT"
    );
    let path = s["downloadPath"].as_str().unwrap();
    let resp = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(&pudong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
    let resp = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(&huangpu)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let exports = app
        .rows("SELECT COUNT(*) AS n FROM audit_records WHERE operation = 'activity.statistics.export'")
        .await[0]
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(exports, 2, "the refused export is audited too");
}

#[tokio::test]
async fn the_demo_activities_carry_goods_services_volunteer_hours_and_are_found_by_search() {
    let app = TestApp::spawn().await;
    let p = &app.platform;
    zhucan_domain::demo::seed_demo_accounts(&p.db, &p.cipher, &p.regions, &p.hasher, PASSWORD)
        .await
        .unwrap();
    zhucan_domain::demo::seed_demo_volunteers(p, PASSWORD)
        .await
        .unwrap();
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 7, 3_000, 500, |_| {})
        .await
        .unwrap();
    zhucan::startup::seed_catalog(p).await.unwrap();
    let citizen = zhucan_domain::identity::AccountRepo::new(&p.db)
        .by_username("citizen_demo")
        .await
        .unwrap()
        .and_then(|a| a.person_id);
    let made = zhucan_domain::demo::seed_demo_activities(p, citizen)
        .await
        .unwrap();
    assert!(made >= 30, "{made}");
    p.search.rebuild(&p.db).await.unwrap();

    // Every goods row says exactly what its distributions add up to.
    let goods = activity_goods::Entity::find()
        .all(p.db.conn())
        .await
        .unwrap();
    assert_eq!(goods.len(), made);
    let handed = app
        .rows("SELECT SUM(quantity) AS n FROM activity_goods_distributions")
        .await[0]
        .try_get::<i64>("", "n")
        .unwrap();
    assert!(handed > 0);
    assert_eq!(
        handed,
        goods.iter().map(|g| i64::from(g.issued)).sum::<i64>()
    );
    // Delivered assessments are on the files.
    let on_files = service_record::Entity::find()
        .filter(service_record::Column::Kind.eq("ACTIVITY"))
        .all(p.db.conn())
        .await
        .unwrap();
    assert!(!on_files.is_empty());

    // volunteer_demo: an approved role in 陆家嘴's orientation training, hours at its lecture.
    let me = app.login("volunteer_demo").await;
    let mine = app
        .gql(
            Some(&me),
            "{ myVolunteerSignups { status activity { title status } } }",
            json!({}),
        )
        .await;
    let mine = ok(&mine, "myVolunteerSignups").as_array().unwrap().clone();
    assert!(
        mine.iter().any(|s| s["status"] == "APPROVED"
            && s["activity"]["title"]
                .as_str()
                .unwrap()
                .contains("定向行走")),
        "{mine:?}"
    );
    let local = Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let from = local - Duration::days(40);
    let hours = app
        .gql(
            Some(&me),
            "query($f: String!, $t: String!) { volunteerHours(from: $f, to: $t) { totalMinutes lines { title } } }",
            json!({"f": format!("{}-{:02}", from.year(), from.month()), "t": format!("{}-{:02}", local.year(), local.month())}),
        )
        .await;
    let hours = ok(&hours, "volunteerHours");
    assert!(hours["totalMinutes"].as_i64().unwrap() >= 150, "{hours}");

    // Activities are found by pinyin initials, and only while live.
    let found = app
        .gql(
            None,
            "{ search(query: \"dxxz\", kinds: [ACTIVITY]) { totalCount edges { node { kind entry { ... on Activity { title status } } } } } }",
            json!({}),
        )
        .await;
    let found = ok(&found, "search");
    assert_eq!(found["edges"][0]["node"]["kind"], "ACTIVITY", "{found}");
    assert!(
        found["edges"][0]["node"]["entry"]["title"]
            .as_str()
            .unwrap()
            .contains("定向行走"),
        "{found}"
    );
    let finished = app
        .gql(
            None,
            "{ search(query: \"社区康复讲座\", kinds: [ACTIVITY]) { edges { node { entry { ... on Activity { title status } } } } } }",
            json!({}),
        )
        .await;
    for e in ok(&finished, "search")["edges"].as_array().unwrap() {
        assert_ne!(e["node"]["entry"]["status"], "FINISHED", "{e}");
    }
}

#[tokio::test]
async fn a_published_activity_is_found_at_once_and_a_cancelled_one_no_longer() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let staff = app.login("lujiazui").await;
    const FIND: &str = "{ search(query: \"gjlrjlh\", kinds: [ACTIVITY]) { totalCount edges { node { entry { ... on Activity { id title } } } } } }";
    let draft = app
        .gql(
            Some(&staff),
            SAVE,
            json!({"i": {"kind": "CULTURE_SPORT", "title": "滚球比赛", "venueAddress": "陆家嘴", "startsAt": (Utc::now() + Duration::days(3)).to_rfc3339(), "endsAt": (Utc::now() + Duration::days(3) + Duration::hours(2)).to_rfc3339(), "registrationOpensAt": Utc::now().to_rfc3339(), "registrationClosesAt": (Utc::now() + Duration::days(2)).to_rfc3339(), "capacity": 10}}),
        )
        .await;
    ok(&draft, "saveActivity");
    // A draft is not found; 滚球 → gunqiu, the initials of 滚球比赛 are gqbs.
    let none = app
        .gql(None, &FIND.replace("gjlrjlh", "gqbs"), json!({}))
        .await;
    assert_eq!(ok(&none, "search")["totalCount"], 0);
    let a = activity(&app, &staff, "国际聋人节联欢", 10).await;
    let found = app.gql(None, FIND, json!({})).await;
    assert_eq!(
        ok(&found, "search")["edges"][0]["node"]["entry"]["id"],
        a.as_str(),
        "{found}"
    );
    ok(
        &app.gql(
            Some(&staff),
            "mutation($id: ID!) { cancelActivity(id: $id, reason: \"场地维修\") { status } }",
            json!({"id": a}),
        )
        .await,
        "cancelActivity",
    );
    let gone = app.gql(None, FIND, json!({})).await;
    assert_eq!(ok(&gone, "search")["totalCount"], 0, "{gone}");
}
