//! 阳光201 activities: who manages which, versioned edits, registration with a waitlist that
//! holds under concurrency on both backends, cancellation and its notices.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use zhucan_domain::entities::{activity_registration, inbox_message};
use zhucan_domain::viewer::Role;

use crate::helpers::{TestApp, code, ids};

const SAVE: &str = "mutation($i: ActivityInput!) { saveActivity(input: $i) { id version status capacity confirmed waitlisted organiser { code } } }";
const PUBLISH: &str =
    "mutation($id: ID!, $v: Int!) { publishActivity(id: $id, version: $v) { id version status } }";
const REGISTER: &str = "mutation($a: ID!, $p: ID) { registerForActivity(activityId: $a, personId: $p, needs: [WHEELCHAIR], companions: 1) { id status waitlistPlace needs companions } }";
const CANCEL_REGISTRATION: &str =
    "mutation($id: ID!) { cancelActivityRegistration(id: $id) { id status } }";
const ONE: &str = "query($id: ID!) { activity(id: $id) { id title status version capacity confirmed waitlisted placesLeft managedByMe } }";

/// An activity that opened for registration an hour ago and starts in ten days.
fn input(title: &str, capacity: i32) -> Value {
    let now = chrono::Utc::now();
    let starts = now + chrono::Duration::days(10);
    json!({
        "kind": "REHABILITATION",
        "title": title,
        "description": "康复训练与辅具体验",
        "venueAddress": "浦东新区世纪大道100号",
        "latitude": 31.2304,
        "longitude": 121.5050,
        "stepFree": true,
        "accessibleToilet": true,
        "startsAt": starts.to_rfc3339(),
        "endsAt": (starts + chrono::Duration::hours(3)).to_rfc3339(),
        "registrationOpensAt": (now - chrono::Duration::hours(1)).to_rfc3339(),
        "registrationClosesAt": (starts - chrono::Duration::days(1)).to_rfc3339(),
        "capacity": capacity,
    })
}

fn ok<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "{field}: {body}");
    &body["data"][field]
}

/// A published activity of `token`'s region; returns its id.
async fn published(app: &TestApp, token: &str, title: &str, capacity: i32) -> String {
    let saved = app
        .gql(Some(token), SAVE, json!({"i": input(title, capacity)}))
        .await;
    let a = ok(&saved, "saveActivity");
    let id = a["id"].as_str().unwrap().to_owned();
    let body = app
        .gql(Some(token), PUBLISH, json!({"id": id, "v": a["version"]}))
        .await;
    assert_eq!(ok(&body, "publishActivity")["status"], "PUBLISHED");
    id
}

async fn registrations(app: &TestApp, id: &str) -> Vec<activity_registration::Model> {
    activity_registration::Entity::find()
        .filter(activity_registration::Column::ActivityId.eq(uuid::Uuid::parse_str(id).unwrap()))
        .order_by_asc(activity_registration::Column::Position)
        .all(app.platform.db.conn())
        .await
        .unwrap()
}

/// The people told about `id` by inbox messages of `kind`.
async fn notices(app: &TestApp, id: &str, kind: &str) -> Vec<uuid::Uuid> {
    inbox_message::Entity::find()
        .filter(inbox_message::Column::RefId.eq(uuid::Uuid::parse_str(id).unwrap()))
        .filter(inbox_message::Column::Kind.eq(kind))
        .all(app.platform.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.person_id)
        .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let rows = app.rows(sql).await;
    rows[0].try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn a_district_manages_its_own_activities_and_drafts_stay_unseen_by_others() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let pudong = app.login("pudong").await;
    let huangpu = app.login("huangpu").await;
    let lujiazui = app.login("lujiazui").await;
    let city = app.login("city").await;

    let draft = app
        .gql(Some(&pudong), SAVE, json!({"i": input("浦东康复日", 30)}))
        .await;
    let draft = ok(&draft, "saveActivity").clone();
    assert_eq!(draft["status"], "DRAFT");
    assert_eq!(draft["organiser"]["code"], "310115");
    let id = draft["id"].as_str().unwrap();

    // A draft is seen only by those who manage it: not Huangpu, not the public, not the
    // street-town below (a district's activity is the district's).
    for (who, token) in [
        ("huangpu", Some(&huangpu)),
        ("anonymous", None),
        ("lujiazui", Some(&lujiazui)),
    ] {
        let body = app
            .gql(token.map(|t| t.as_str()), ONE, json!({"id": id}))
            .await;
        assert_eq!(code(&body), "NOT_FOUND", "{who}: {body}");
        let list = app
            .gql(
                token.map(|t| t.as_str()),
                "{ activities(first: 50) { nodes { id } } }",
                json!({}),
            )
            .await;
        assert!(
            !list.to_string().contains(id),
            "{who} lists the draft: {list}"
        );
    }
    let seen = app.gql(Some(&city), ONE, json!({"id": id})).await;
    assert_eq!(ok(&seen, "activity")["managedByMe"], true);

    // Huangpu cannot edit, publish or cancel it, even knowing its id.
    let mut edit = input("黄浦改的", 30);
    edit["id"] = json!(id);
    edit["version"] = json!(1);
    let body = app.gql(Some(&huangpu), SAVE, json!({"i": edit})).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let body = app
        .gql(Some(&huangpu), PUBLISH, json!({"id": id, "v": 1}))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");

    // Published, everyone sees it, but Huangpu still may not manage it.
    let body = app
        .gql(Some(&pudong), PUBLISH, json!({"id": id, "v": 1}))
        .await;
    assert_eq!(ok(&body, "publishActivity")["version"], 2);
    let body = app.gql(None, ONE, json!({"id": id})).await;
    assert_eq!(ok(&body, "activity")["managedByMe"], false);
    let body = app
        .gql(
            Some(&huangpu),
            "mutation($id: ID!) { cancelActivity(id: $id, reason: \"场地维修\") { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    // Nor may a district name another district as the organiser.
    let mut foreign = input("越界", 10);
    foreign["organiser"] = json!("310101002");
    let body = app.gql(Some(&pudong), SAVE, json!({"i": foreign})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    // A street-town organises its own.
    let body = app
        .gql(
            Some(&lujiazui),
            SAVE,
            json!({"i": input("陆家嘴手语角", 12)}),
        )
        .await;
    assert_eq!(ok(&body, "saveActivity")["organiser"]["code"], "310115005");
}

#[tokio::test]
async fn stale_edits_conflict_and_impossible_activities_are_refused_with_nothing_written() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let pudong = app.login("pudong").await;
    let saved = app
        .gql(Some(&pudong), SAVE, json!({"i": input("康复日", 30)}))
        .await;
    let id = ok(&saved, "saveActivity")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut edit = input("康复日（改）", 40);
    edit["id"] = json!(id);
    edit["version"] = json!(1);
    let body = app
        .gql(Some(&pudong), SAVE, json!({"i": edit.clone()}))
        .await;
    assert_eq!(ok(&body, "saveActivity")["version"], 2);
    // The same edit again carries version 1, which is stale now.
    let body = app.gql(Some(&pudong), SAVE, json!({"i": edit})).await;
    assert_eq!(code(&body), "CONFLICT", "{body}");

    let before = count(&app, "SELECT COUNT(*) FROM activities").await;
    let now = chrono::Utc::now();
    let cases: Vec<(&str, Value)> = vec![
        ("input.capacity", json!({"capacity": -5})),
        ("input.endsAt", json!({"endsAt": now.to_rfc3339()})),
        (
            "input.registrationClosesAt",
            json!({"registrationClosesAt": (now + chrono::Duration::days(30)).to_rfc3339()}),
        ),
        (
            "input.latitude",
            json!({"latitude": 39.9, "longitude": 116.4}),
        ),
        ("input.categories", json!({"audience": "CATEGORIES"})),
        ("input.title", json!({"title": "\u{200b}\u{202e}"})),
        ("input.organiser", json!({"organiser": "999999"})),
    ];
    for (field, change) in cases {
        let mut i = input("坏输入", 10);
        for (k, v) in change.as_object().unwrap() {
            i[k] = v.clone();
        }
        let body = app.gql(Some(&pudong), SAVE, json!({"i": i})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM activities").await, before);
}

#[tokio::test]
async fn three_hundred_register_at_once_for_a_hundred_places() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let p = &app.platform;
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 17, 300, 300, |_| {})
        .await
        .unwrap();
    let city = app.login("city").await;
    let people = app
        .gql(
            Some(&city),
            "{ persons(first: 300) { nodes { id } } }",
            json!({}),
        )
        .await;
    let people: Vec<String> = ok(&people, "persons")["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(people.len(), 300);
    let id = published(&app, &city, "助听器验配日", 100).await;

    let calls = people.iter().map(|person| {
        let (app, city, id) = (&app, &city, &id);
        async move {
            app.gql(Some(city), REGISTER, json!({"a": id, "p": person}))
                .await
        }
    });
    let answers = futures::future::join_all(calls).await;
    let mut statuses = Vec::new();
    for a in &answers {
        statuses.push(
            ok(a, "registerForActivity")["status"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let confirmed = statuses.iter().filter(|s| *s == "CONFIRMED").count();
    assert_eq!(confirmed, 100);
    assert_eq!(statuses.iter().filter(|s| *s == "WAITLISTED").count(), 200);

    // In the database: one row per person, arrival numbers 1..300 with no gap or repeat, the
    // 100 places held by the first 100 to arrive, and the counters agree with the rows.
    let rows = registrations(&app, &id).await;
    assert_eq!(rows.len(), 300);
    let persons: HashSet<_> = rows.iter().map(|r| r.person_id).collect();
    assert_eq!(persons.len(), 300, "one registration per person");
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.position, i as i64 + 1);
        let expected = if i < 100 { "CONFIRMED" } else { "WAITLISTED" };
        assert_eq!(r.status, expected, "arrival {}", i + 1);
    }
    let body = app.gql(None, ONE, json!({"id": id})).await;
    let a = ok(&body, "activity");
    assert_eq!(
        (
            a["confirmed"].as_i64(),
            a["waitlisted"].as_i64(),
            a["placesLeft"].as_i64()
        ),
        (Some(100), Some(200), Some(0))
    );

    // Registering twice is refused, and writes nothing.
    let again = app
        .gql(Some(&city), REGISTER, json!({"a": id, "p": people[0]}))
        .await;
    assert_eq!(code(&again), "CONFLICT", "{again}");

    // One confirmed person cancels: exactly one moves up, the first on the waitlist, and is
    // told by inbox message.
    let first_confirmed = answers
        .iter()
        .map(|a| &a["data"]["registerForActivity"])
        .find(|r| r["status"] == "CONFIRMED")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app
        .gql(
            Some(&city),
            CANCEL_REGISTRATION,
            json!({"id": first_confirmed}),
        )
        .await;
    assert_eq!(
        ok(&body, "cancelActivityRegistration")["status"],
        "CANCELLED"
    );
    let rows = registrations(&app, &id).await;
    let confirmed: Vec<i64> = rows
        .iter()
        .filter(|r| r.status == "CONFIRMED")
        .map(|r| r.position)
        .collect();
    assert_eq!(confirmed.len(), 100);
    assert!(confirmed.contains(&101), "arrival 101 holds a place now");
    assert!(!confirmed.contains(&102), "and only arrival 101");
    let promoted = rows.iter().find(|r| r.position == 101).unwrap().person_id;
    assert_eq!(
        notices(&app, &id, "ACTIVITY_PROMOTED").await,
        vec![promoted]
    );
    let body = app.gql(None, ONE, json!({"id": id})).await;
    assert_eq!(ok(&body, "activity")["waitlisted"], 199);
    // Cancelling the same registration again changes nothing.
    let body = app
        .gql(
            Some(&city),
            CANCEL_REGISTRATION,
            json!({"id": first_confirmed}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
}

#[tokio::test]
async fn a_citizen_registers_themself_within_the_window_and_audience_and_sees_it_in_my_activities()
{
    let app = TestApp::spawn().await;
    app.staff().await;
    // Category 4 (physical), level 1.
    let me = app.person("报名人", ids::PUDONG_1, "41", "310115005").await;
    let other = app.person("他人", ids::PUDONG_2, "41", "310115005").await;
    app.account("citizen_a", Role::Citizen, None, Some(me))
        .await;
    let citizen = app.login("citizen_a").await;
    let pudong = app.login("pudong").await;
    let open = published(&app, &pudong, "轮椅篮球体验", 2).await;

    let body = app
        .gql(Some(&citizen), REGISTER, json!({"a": open, "p": other}))
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "only oneself: {body}");
    let body = app.gql(Some(&citizen), REGISTER, json!({"a": open})).await;
    let mine = ok(&body, "registerForActivity");
    assert_eq!(mine["status"], "CONFIRMED");
    assert_eq!(mine["needs"], json!(["WHEELCHAIR"]));

    // Only for the hearing-impaired: refused, saying for whom it is.
    let mut hearing = input("听障人士读书会", 10);
    hearing["audience"] = json!("CATEGORIES");
    hearing["categories"] = json!(["HEARING"]);
    let saved = app.gql(Some(&pudong), SAVE, json!({"i": hearing})).await;
    let hid = ok(&saved, "saveActivity")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(Some(&pudong), PUBLISH, json!({"id": hid, "v": 1}))
        .await;
    let body = app.gql(Some(&citizen), REGISTER, json!({"a": hid})).await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert!(body.to_string().contains("听力残疾"), "{body}");

    // Registration not yet open: refused, saying when it opens.
    let mut later = input("下月活动", 10);
    later["registrationOpensAt"] =
        json!((chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339());
    let saved = app.gql(Some(&pudong), SAVE, json!({"i": later})).await;
    let lid = ok(&saved, "saveActivity")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(Some(&pudong), PUBLISH, json!({"id": lid, "v": 1}))
        .await;
    let body = app.gql(Some(&citizen), REGISTER, json!({"a": lid})).await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert!(body.to_string().contains("报名尚未开始"), "{body}");
    // A draft cannot be registered for at all: it does not exist for the citizen.
    let saved = app
        .gql(Some(&pudong), SAVE, json!({"i": input("草稿", 10)}))
        .await;
    let did = ok(&saved, "saveActivity")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app.gql(Some(&citizen), REGISTER, json!({"a": did})).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");

    // Home shows what they may still join: not the hearing-only one, not the one not yet open,
    // not the one they are in, not the draft.
    let body = app
        .gql(
            Some(&citizen),
            "{ home { activities { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&body, "home")["activities"], json!([]), "{body}");
    let extra = published(&app, &pudong, "书法体验课", 10).await;
    let body = app
        .gql(
            Some(&citizen),
            "{ home { activities { id title } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&body, "home")["activities"],
        json!([{"id": extra, "title": "书法体验课"}]),
        "{body}"
    );
    let body = app
        .gql(
            Some(&citizen),
            "{ myActivities(first: 10) { nodes { status activity { title } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&body, "myActivities")["nodes"],
        json!([{"status": "CONFIRMED", "activity": {"title": "轮椅篮球体验"}}])
    );
    // Staff have no "my activities"; a district admin may not register someone of another district.
    let huangpu = app.login("huangpu").await;
    let body = app
        .gql(Some(&huangpu), REGISTER, json!({"a": open, "p": other}))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn cancelling_an_activity_tells_every_registrant_by_inbox_and_sms() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let a = app.person("甲", ids::PUDONG_1, "41", "310115005").await;
    let b = app.person("乙", ids::PUDONG_2, "41", "310115005").await;
    let c = app.person("丙", ids::PUDONG_3, "41", "310115005").await;
    let lujiazui = app.login("lujiazui").await;
    let id = published(&app, &lujiazui, "社区文体日", 2).await;
    let mut regs = Vec::new();
    for p in [a, b, c] {
        let body = app
            .gql(
                Some(&lujiazui),
                REGISTER,
                json!({"a": id, "p": p.to_string()}),
            )
            .await;
        regs.push(ok(&body, "registerForActivity").clone());
    }
    assert_eq!(regs[2]["status"], "WAITLISTED");
    assert_eq!(regs[2]["waitlistPlace"], 1);
    // One of them had cancelled already: not told.
    let body = app
        .gql(
            Some(&lujiazui),
            CANCEL_REGISTRATION,
            json!({"id": regs[0]["id"]}),
        )
        .await;
    ok(&body, "cancelActivityRegistration");
    let body = app
        .gql(
            Some(&lujiazui),
            "mutation($id: ID!) { cancelActivity(id: $id, reason: \"场地临时维修\") { status cancelReason } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(ok(&body, "cancelActivity")["status"], "CANCELLED");
    let mut told = notices(&app, &id, "ACTIVITY_CANCELLED").await;
    told.sort();
    let mut expected = vec![b, c];
    expected.sort();
    assert_eq!(
        told, expected,
        "the confirmed and the waitlisted, not the one who cancelled"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM sms_outbox WHERE template = 'ACTIVITY_CANCELLED'"
        )
        .await,
        2
    );
    // Nobody registers for a cancelled activity.
    let body = app
        .gql(
            Some(&lujiazui),
            REGISTER,
            json!({"a": id, "p": a.to_string()}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert!(body.to_string().contains("已取消"), "{body}");
    let body = app
        .gql(
            Some(&lujiazui),
            "mutation($id: ID!) { cancelActivity(id: $id, reason: \"再次\") { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
}
