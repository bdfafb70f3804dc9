//! Attendance at activities: the rotating code on the organiser's screen, the attendee's own
//! pass, check-in by hand, the live count on the organiser's screen, no-shows and the
//! restriction they bring, excusing one.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use zhucan_domain::entities::activity;
use zhucan_domain::viewer::Role;

use crate::helpers::ws::{connect, next, subscribe};
use crate::helpers::{TestApp, code, ids};

const SAVE: &str = "mutation($i: ActivityInput!) { saveActivity(input: $i) { id version } }";
const PUBLISH: &str =
    "mutation($id: ID!, $v: Int!) { publishActivity(id: $id, version: $v) { id } }";
const REGISTER: &str =
    "mutation($a: ID!, $p: ID) { registerForActivity(activityId: $a, personId: $p) { id status } }";
const CODE: &str =
    "query($a: ID!) { activityCheckInCode(activityId: $a) { code payload validUntil } }";
const CHECK_IN: &str = "mutation($a: ID!, $c: String!) { checkInToActivity(activityId: $a, code: $c) { id checkedInAt checkInMethod } }";
const CHECK_IN_ATTENDEE: &str = "mutation($r: ID!, $p: String) { checkInAttendee(registrationId: $r, pass: $p) { id checkInMethod } }";

fn ok<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "{field}: {body}");
    &body["data"][field]
}

/// A published activity of `token`'s region starting in `starts_in` (registration open now).
async fn activity_starting(app: &TestApp, token: &str, title: &str, starts_in: Duration) -> String {
    let now = Utc::now();
    let starts = now + starts_in;
    let i = json!({
        "kind": "CULTURE_SPORT",
        "title": title,
        "venueAddress": "浦东新区陆家嘴环路1000号",
        "startsAt": starts.to_rfc3339(),
        "endsAt": (starts + Duration::hours(2)).to_rfc3339(),
        "registrationOpensAt": (now - Duration::hours(1)).to_rfc3339(),
        "registrationClosesAt": (starts - Duration::minutes(5)).to_rfc3339(),
        "capacity": 10,
    });
    let saved = app.gql(Some(token), SAVE, json!({"i": i})).await;
    let a = ok(&saved, "saveActivity");
    let id = a["id"].as_str().unwrap().to_owned();
    let body = app
        .gql(Some(token), PUBLISH, json!({"id": id, "v": a["version"]}))
        .await;
    ok(&body, "publishActivity");
    id
}

/// Move an activity's times by `by` (time passing, without waiting for it).
async fn shift(app: &TestApp, id: &str, by: Duration) {
    let id = uuid::Uuid::parse_str(id).unwrap();
    let a = activity::Entity::find_by_id(id)
        .one(app.platform.db.conn())
        .await
        .unwrap()
        .unwrap();
    activity::Entity::update_many()
        .col_expr(activity::Column::StartsAt, Expr::value(a.starts_at + by))
        .col_expr(activity::Column::EndsAt, Expr::value(a.ends_at + by))
        .col_expr(
            activity::Column::RegistrationClosesAt,
            Expr::value(a.registration_closes_at + by),
        )
        .filter(activity::Column::Id.eq(id))
        .exec(app.platform.db.conn())
        .await
        .unwrap();
}

async fn citizen(
    app: &TestApp,
    name: &str,
    id_number: &str,
    username: &str,
) -> (uuid::Uuid, String) {
    let person = app.person(name, id_number, "41", "310115005").await;
    app.account(username, Role::Citizen, None, Some(person))
        .await;
    (person, app.login(username).await)
}

#[tokio::test]
async fn the_screen_code_checks_in_once_and_the_organisers_screen_hears_it_live() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let lujiazui = app.login("lujiazui").await;
    let (_, me) = citizen(&app, "签到人", ids::PUDONG_1, "attendee").await;
    let id = activity_starting(&app, &lujiazui, "社区读书会", Duration::minutes(30)).await;
    let other = activity_starting(&app, &lujiazui, "另一个活动", Duration::minutes(30)).await;
    ok(
        &app.gql(Some(&me), REGISTER, json!({"a": id})).await,
        "registerForActivity",
    );

    // The organiser's screen listens.
    let mut screen = connect(&app, &lujiazui).await;
    subscribe(
        &mut screen,
        "1",
        "subscription($a: ID!) { activityCheckins(activityId: $a) { checkedIn confirmed person { name } } }",
        json!({"a": id}),
    )
    .await;
    app.subscribed(1).await;

    // Only the organiser gets the code; a citizen asking is refused.
    assert_eq!(
        code(&app.gql(Some(&me), CODE, json!({"a": id})).await),
        "FORBIDDEN"
    );
    let shown = app.gql(Some(&lujiazui), CODE, json!({"a": id})).await;
    let shown = ok(&shown, "activityCheckInCode").clone();
    let payload = shown["payload"].as_str().unwrap();
    assert!(
        payload.starts_with(&format!("zhucan:checkin:{id}:")),
        "{shown}"
    );

    // Another activity's code, a forged one, a malformed one: refused, nothing recorded.
    let theirs = app.gql(Some(&lujiazui), CODE, json!({"a": other})).await;
    let theirs = ok(&theirs, "activityCheckInCode")["code"]
        .as_str()
        .unwrap()
        .to_owned();
    for bad in [theirs.as_str(), "00000000", "abc"] {
        let body = app
            .gql(Some(&me), CHECK_IN, json!({"a": id, "c": bad}))
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{bad}: {body}");
    }
    let body = app
        .gql(Some(&me), CHECK_IN, json!({"a": id, "c": payload}))
        .await;
    assert_eq!(ok(&body, "checkInToActivity")["checkInMethod"], "CODE");
    let heard = next(&mut screen).await;
    assert_eq!(
        heard["payload"]["data"]["activityCheckins"]["checkedIn"], 1,
        "{heard}"
    );
    assert_eq!(
        heard["payload"]["data"]["activityCheckins"]["confirmed"], 1,
        "{heard}"
    );
    assert!(
        heard["payload"]["data"]["activityCheckins"]["person"]["name"].is_string(),
        "the street-town sees its own people: {heard}"
    );
    // Once only.
    let body = app
        .gql(Some(&me), CHECK_IN, json!({"a": id, "c": payload}))
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");

    // A district admin elsewhere may not watch this screen.
    let huangpu = app.login("huangpu").await;
    let mut foreign = connect(&app, &huangpu).await;
    subscribe(
        &mut foreign,
        "1",
        "subscription($a: ID!) { activityCheckins(activityId: $a) { checkedIn } }",
        json!({"a": id}),
    )
    .await;
    let refused = next(&mut foreign).await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    assert!(refused["payload"]["data"].is_null(), "{refused}");

    // After the end, no check-in.
    shift(&app, &other, Duration::hours(-4)).await;
    let (_, late) = citizen(&app, "迟到的", ids::PUDONG_2, "late").await;
    let body = app
        .gql(Some(&late), CHECK_IN, json!({"a": other, "c": theirs}))
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert!(body.to_string().contains("已结束"), "{body}");
}

#[tokio::test]
async fn staff_scan_the_attendees_own_pass_or_check_in_by_hand() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let pudong = app.login("pudong").await;
    let (_, me) = citizen(&app, "持证人", ids::PUDONG_1, "holder").await;
    let (other, _) = citizen(&app, "手工", ids::PUDONG_2, "by_hand").await;
    let id = activity_starting(&app, &pudong, "辅具适配日", Duration::minutes(20)).await;
    let mine = app.gql(Some(&me), REGISTER, json!({"a": id})).await;
    let mine = ok(&mine, "registerForActivity")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = app
        .gql(
            Some(&pudong),
            REGISTER,
            json!({"a": id, "p": other.to_string()}),
        )
        .await;
    let theirs = ok(&theirs, "registerForActivity")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let pass = app
        .gql(
            Some(&me),
            "query($r: ID!) { attendeePass(registrationId: $r) { code payload } }",
            json!({"r": mine}),
        )
        .await;
    let pass = ok(&pass, "attendeePass")["payload"]
        .as_str()
        .unwrap()
        .to_owned();
    // A pass does not check in someone else's registration.
    let body = app
        .gql(
            Some(&pudong),
            CHECK_IN_ATTENDEE,
            json!({"r": theirs, "p": pass}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let body = app
        .gql(
            Some(&pudong),
            CHECK_IN_ATTENDEE,
            json!({"r": mine, "p": pass}),
        )
        .await;
    assert_eq!(ok(&body, "checkInAttendee")["checkInMethod"], "SCAN");
    let body = app
        .gql(Some(&pudong), CHECK_IN_ATTENDEE, json!({"r": theirs}))
        .await;
    assert_eq!(ok(&body, "checkInAttendee")["checkInMethod"], "MANUAL");
    // Huangpu does not run this activity.
    let huangpu = app.login("huangpu").await;
    let body = app
        .gql(Some(&huangpu), CHECK_IN_ATTENDEE, json!({"r": theirs}))
        .await;
    assert!(matches!(code(&body), "NOT_FOUND" | "FORBIDDEN"), "{body}");
}

#[tokio::test]
async fn three_no_shows_stop_new_registrations_until_one_is_excused() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let lujiazui = app.login("lujiazui").await;
    let (_, me) = citizen(&app, "失约人", ids::PUDONG_1, "no_show").await;
    let mut registrations = Vec::new();
    let mut attended = None;
    for i in 0..4 {
        let id =
            activity_starting(&app, &lujiazui, &format!("活动{i}"), Duration::minutes(30)).await;
        let r = app.gql(Some(&me), REGISTER, json!({"a": id})).await;
        registrations.push(
            ok(&r, "registerForActivity")["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        if i == 3 {
            // This one they attend.
            let shown = app.gql(Some(&lujiazui), CODE, json!({"a": id})).await;
            let c = ok(&shown, "activityCheckInCode")["payload"]
                .as_str()
                .unwrap()
                .to_owned();
            ok(
                &app.gql(Some(&me), CHECK_IN, json!({"a": id, "c": c})).await,
                "checkInToActivity",
            );
            attended = Some(id);
        }
    }
    // Every activity ends; the pass marks who came and who did not.
    zhucan_domain::activity::advance(&app.platform.db, Utc::now() + Duration::hours(3))
        .await
        .unwrap();
    let mine = app
        .gql(Some(&me), "{ myActivities(first: 10) { nodes { id status } } myActivityStanding { noShows maxNoShows restrictedUntil } }", json!({}))
        .await;
    let nodes = ok(&mine, "myActivities")["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let statuses: Vec<&str> = nodes
        .iter()
        .map(|n| n["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["NO_SHOW", "NO_SHOW", "NO_SHOW", "ATTENDED"],
        "{mine}"
    );
    assert!(attended.is_some());
    let standing = &mine["data"]["myActivityStanding"];
    assert_eq!(standing["noShows"], 3);
    assert!(standing["restrictedUntil"].is_string(), "{mine}");

    let next_one = activity_starting(&app, &lujiazui, "下一次", Duration::days(2)).await;
    let body = app.gql(Some(&me), REGISTER, json!({"a": next_one})).await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert!(body.to_string().contains("暂停报名"), "{body}");

    // The street-town excuses one (with a reason, audited): the restriction lifts.
    let excuse = "mutation($r: ID!) { excuseNoShow(registrationId: $r, reason: \"住院，已提供证明\") { status } }";
    let body = app
        .gql(Some(&lujiazui), excuse, json!({"r": registrations[0]}))
        .await;
    assert_eq!(ok(&body, "excuseNoShow")["status"], "EXCUSED");
    let body = app
        .gql(Some(&lujiazui), excuse, json!({"r": registrations[3]}))
        .await;
    assert_eq!(
        code(&body),
        "CONFLICT",
        "an attended registration is no no-show: {body}"
    );
    let body = app.gql(Some(&me), REGISTER, json!({"a": next_one})).await;
    assert_eq!(ok(&body, "registerForActivity")["status"], "CONFIRMED");
    let audited = app
        .rows("SELECT COUNT(*) AS n FROM audit_records WHERE operation = 'activity.no_show.excuse' AND result = 'SUCCESS'")
        .await;
    assert_eq!(audited[0].try_get::<i64>("", "n").unwrap(), 1);
}
