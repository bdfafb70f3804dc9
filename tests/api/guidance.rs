//! 云助残 end to end: offers reach the nearest volunteers live, exactly one of any number of
//! concurrent claims wins, losers see the withdrawal, escalation with SMS when nobody claims,
//! reconnection by query, suspension ends a volunteer's stream, and every illegal move is refused.

use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;
use zhucan_domain::entities::{account, guidance_request, sms_outbox, volunteer};
use zhucan_domain::types::IdNumber;
use zhucan_domain::viewer::{RequestMeta, Role};
use zhucan_domain::volunteer::{Skill, VolunteerRegistration};

use crate::helpers::{PASSWORD, TestApp, code, ids, ws};

const LUJIAZUI: (f64, f64) = (31.2397, 121.4998);
const PUBLISH: &str = "mutation { publishGuidanceRequest(input: {pickupAddress: \"浦东新区陆家嘴环路1000号\", pickupLatitude: 31.2397, pickupLongitude: 121.4998, destination: \"东方医院\", needs: \"陪同就医\"}) { id status pin contactPhone } }";
const OFFERS: &str = "subscription { guidanceOffers { change requestId request { needs contactPhone pickupAddress distanceMeters } } }";

/// A blind requester in 陆家嘴 and `n` verified volunteers near them.
pub(crate) struct Scene {
    pub(crate) app: TestApp,
    pub(crate) citizen: String,
    pub(crate) volunteers: Vec<(Uuid, String)>,
}

async fn volunteer(
    app: &TestApp,
    i: u16,
    street: &str,
    near: (f64, f64),
    metres: f64,
) -> (Uuid, String) {
    let username = format!("vol{i}_{street}");
    let birth = NaiveDate::from_ymd_opt(
        1980 + i32::from(i % 20),
        1 + u32::from(i % 12),
        1 + u32::from(i % 28),
    )
    .unwrap();
    let id_number = IdNumber::compose("310115", birth, 100 + i).unwrap();
    let reg = VolunteerRegistration {
        username: username.clone(),
        password: PASSWORD.to_owned(),
        name: "志愿者".to_owned(),
        id_number: id_number.as_str().to_owned(),
        phone: format!("1371234{:04}", i),
        skills: vec![Skill::Guiding],
        service_streets: vec![street.to_owned()],
        consent: true,
    };
    let meta = RequestMeta::default();
    let v = zhucan_domain::volunteer::register(&app.platform, reg, &meta)
        .await
        .unwrap();
    let lat = near.0 + metres / 111_000.0;
    volunteer::Entity::update_many()
        .col_expr(volunteer::Column::Status, Expr::value("VERIFIED"))
        .col_expr(volunteer::Column::Available, Expr::value(true))
        .col_expr(volunteer::Column::Latitude, Expr::value(Some(lat)))
        .col_expr(volunteer::Column::Longitude, Expr::value(Some(near.1)))
        .filter(volunteer::Column::Id.eq(v.id))
        .exec(app.platform.db.conn())
        .await
        .unwrap();
    (v.id, app.login(&username).await)
}

pub(crate) async fn scene(app: TestApp, n: u16) -> Scene {
    app.staff().await;
    let person = app.person("盲人甲", ids::PUDONG_1, "12", "310115005").await;
    app.account("blind", Role::Citizen, None, Some(person))
        .await;
    let citizen = app.login("blind").await;
    let mut volunteers = Vec::new();
    for i in 0..n {
        volunteers
            .push(volunteer(&app, i, "310115005", LUJIAZUI, 100.0 + 10.0 * f64::from(i)).await);
    }
    Scene {
        app,
        citizen,
        volunteers,
    }
}

pub(crate) async fn publish(s: &Scene) -> Value {
    let body = s.app.gql(Some(&s.citizen), PUBLISH, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["publishGuidanceRequest"].clone()
}

#[tokio::test]
async fn fifty_concurrent_claims_on_one_request_have_exactly_one_winner() {
    let app = TestApp::spawn_with(|s| zhucan::Settings {
        guidance_max_offers: 100,
        ..s
    })
    .await;
    let s = scene(app, 50).await;
    let request = publish(&s).await;
    let id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["status"], "OFFERED");

    let claim = "mutation($id: ID!) { claimGuidanceRequest(id: $id) { status } }";
    let attempts = s
        .volunteers
        .iter()
        .map(|(_, token)| s.app.gql(Some(token), claim, json!({"id": id})));
    let results = futures::future::join_all(attempts).await;
    let winners: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r["errors"].is_null())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one winner: {winners:?}");
    let conflicts = results.iter().filter(|r| code(r) == "CONFLICT").count();
    assert_eq!(conflicts, 49, "every other claimer gets CONFLICT");

    let row = guidance_request::Entity::find_by_id(Uuid::parse_str(&id).unwrap())
        .one(s.app.platform.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "CLAIMED");
    assert_eq!(row.volunteer_id, Some(s.volunteers[winners[0]].0));
    let live = s
        .app
        .rows("SELECT volunteer_id FROM guidance_offers WHERE withdrawn_at IS NULL")
        .await;
    assert_eq!(live.len(), 1, "only the winner's offer stays live");
    let sms = sms_outbox::Entity::find()
        .filter(sms_outbox::Column::Template.eq("GUIDANCE_CLAIMED"))
        .all(s.app.platform.db.conn())
        .await
        .unwrap();
    assert_eq!(sms.len(), 1, "one SMS to the requester");
}

#[tokio::test]
async fn offers_reach_volunteers_live_withdrawals_reach_the_losers_and_the_requester_watches() {
    let s = scene(TestApp::spawn().await, 3).await;
    let mut sockets = Vec::new();
    for (_, token) in &s.volunteers {
        let mut socket = ws::connect(&s.app, token).await;
        ws::subscribe(&mut socket, "1", OFFERS, json!({})).await;
        sockets.push(socket);
    }
    s.app.subscribed(3).await;
    let request = publish(&s).await;
    let id = request["id"].as_str().unwrap().to_owned();
    let mut requester = ws::connect(&s.app, &s.citizen).await;
    ws::subscribe(
        &mut requester,
        "r",
        "subscription($id: ID!) { guidanceRequestUpdated(id: $id) { status } }",
        json!({"id": id}),
    )
    .await;

    for socket in &mut sockets {
        let m = ws::next(socket).await;
        let offer = &m["payload"]["data"]["guidanceOffers"];
        assert_eq!(offer["change"], "OFFERED", "{m}");
        assert_eq!(offer["requestId"], id);
        // Until claimed, the volunteer sees the need but not the address, and a masked phone.
        assert_eq!(offer["request"]["needs"], "陪同就医");
        assert!(offer["request"]["pickupAddress"].is_null());
        assert!(
            offer["request"]["contactPhone"]
                .as_str()
                .unwrap()
                .contains("****")
        );
    }
    s.app.subscribed(4).await; // the requester's too
    let claim = s
        .app
        .gql(
            Some(&s.volunteers[0].1),
            "mutation($id: ID!) { claimGuidanceRequest(id: $id) { contactPhone pickupAddress } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        claim["data"]["claimGuidanceRequest"]["pickupAddress"], "浦东新区陆家嘴环路1000号",
        "{claim}"
    );
    for socket in &mut sockets[1..] {
        let m = ws::next(socket).await;
        assert_eq!(
            m["payload"]["data"]["guidanceOffers"]["change"], "WITHDRAWN",
            "{m}"
        );
    }
    ws::quiet(&mut sockets[0], 300).await;
    let update = ws::next(&mut requester).await;
    assert_eq!(
        update["payload"]["data"]["guidanceRequestUpdated"]["status"], "CLAIMED",
        "{update}"
    );
}

#[tokio::test]
async fn an_offer_published_on_node_a_reaches_a_volunteer_subscribed_on_node_b() {
    if std::env::var("ZHUCAN_TEST_REDIS_URL").map_or(true, |u| u.is_empty()) {
        eprintln!(
            "ZHUCAN_TEST_REDIS_URL not set: two nodes need Redis; not run on the embedded default"
        );
        return;
    }
    let s = scene(TestApp::spawn().await, 1).await;
    let node_b = s.app.second_node().await;
    let mut socket = ws::connect(&node_b, &s.volunteers[0].1).await;
    ws::subscribe(&mut socket, "1", OFFERS, json!({})).await;
    node_b.subscribed(1).await;
    let request = publish(&s).await; // on node A
    let m = ws::next(&mut socket).await;
    assert_eq!(
        m["payload"]["data"]["guidanceOffers"]["requestId"], request["id"],
        "{m}"
    );
}

#[tokio::test]
async fn nobody_claims_in_time_so_it_escalates_once_with_an_sms_then_expires() {
    let s = scene(TestApp::spawn().await, 0).await;
    // The street admin has a phone for SMS.
    let admin = account::Entity::find()
        .filter(account::Column::Username.eq("lujiazui"))
        .one(s.app.platform.db.conn())
        .await
        .unwrap()
        .unwrap();
    let enc = s
        .app
        .platform
        .cipher
        .encrypt(
            zhucan_domain::crypto::FieldAad {
                table: "accounts",
                column: "phone",
                row: &admin.id,
            },
            "13900000001",
        )
        .unwrap();
    account::Entity::update_many()
        .col_expr(account::Column::PhoneEnc, Expr::value(Some(enc)))
        .filter(account::Column::Id.eq(admin.id))
        .exec(s.app.platform.db.conn())
        .await
        .unwrap();
    let admin_token = s.app.login("lujiazui").await;
    let mut escalations = ws::connect(&s.app, &admin_token).await;
    ws::subscribe(
        &mut escalations,
        "e",
        "subscription { guidanceEscalations { request { id status contactPhone } } }",
        json!({}),
    )
    .await;
    let other_district = s.app.login("huangpu").await;
    let mut elsewhere = ws::connect(&s.app, &other_district).await;
    ws::subscribe(
        &mut elsewhere,
        "e",
        "subscription { guidanceEscalations { request { id } } }",
        json!({}),
    )
    .await;
    s.app.subscribed(2).await;

    let request = publish(&s).await;
    assert_eq!(request["status"], "OPEN", "no volunteer in range");
    let p = &s.app.platform;
    let later = Utc::now() + Duration::seconds(301);
    let report = zhucan_domain::guidance::tick(p, later).await.unwrap();
    assert_eq!(report.escalated, 1);
    let m = ws::next(&mut escalations).await;
    assert_eq!(
        m["payload"]["data"]["guidanceEscalations"]["request"]["id"], request["id"],
        "{m}"
    );
    assert!(
        m["payload"]["data"]["guidanceEscalations"]["request"]["contactPhone"]
            .as_str()
            .unwrap()
            .contains("****")
    );
    ws::quiet(&mut elsewhere, 300).await;

    // A second pass, on any node, escalates nothing twice.
    assert_eq!(
        zhucan_domain::guidance::tick(p, later + Duration::seconds(5))
            .await
            .unwrap()
            .escalated,
        0
    );
    let sms = sms_outbox::Entity::find()
        .filter(sms_outbox::Column::Template.eq("GUIDANCE_ESCALATED"))
        .all(p.db.conn())
        .await
        .unwrap();
    assert_eq!(sms.len(), 1, "one SMS per admin per escalation");
    assert!(
        !sms[0].params.contains("13900000001"),
        "the phone is not in the parameters"
    );

    let expired = zhucan_domain::guidance::tick(p, Utc::now() + Duration::seconds(1_900))
        .await
        .unwrap();
    assert_eq!(expired.expired, 1);
    let now = s
        .app
        .gql(
            Some(&s.citizen),
            "query($id: ID!) { guidanceRequest(id: $id) { status expiredAt escalatedAt } }",
            json!({"id": request["id"]}),
        )
        .await;
    assert_eq!(now["data"]["guidanceRequest"]["status"], "EXPIRED", "{now}");
    assert!(!now["data"]["guidanceRequest"]["escalatedAt"].is_null());
}

#[tokio::test]
async fn the_radius_widens_on_the_timer_until_a_farther_volunteer_is_offered() {
    let app = TestApp::spawn().await;
    let s = scene(app, 0).await;
    let far = volunteer(&s.app, 7, "310115005", LUJIAZUI, 2_500.0).await;
    let request = publish(&s).await;
    assert_eq!(
        request["status"], "OPEN",
        "2.5 km is outside the first 1 km radius"
    );
    let p = &s.app.platform;
    let report = zhucan_domain::guidance::tick(p, Utc::now() + Duration::seconds(61))
        .await
        .unwrap();
    assert_eq!(report.widened, 1);
    let offers = s
        .app
        .gql(
            Some(&far.1),
            "{ myGuidanceOffers { id distanceMeters } }",
            json!({}),
        )
        .await;
    let list = offers["data"]["myGuidanceOffers"]
        .as_array()
        .unwrap_or_else(|| panic!("{offers}"));
    assert_eq!(list.len(), 1);
    assert!((2_400..2_600).contains(&list[0]["distanceMeters"].as_i64().unwrap()));
}

#[tokio::test]
async fn a_reconnecting_volunteer_catches_up_by_querying_current_state() {
    let s = scene(TestApp::spawn().await, 1).await;
    let token = &s.volunteers[0].1;
    let mut socket = ws::connect(&s.app, token).await;
    ws::subscribe(&mut socket, "1", OFFERS, json!({})).await;
    drop(socket); // the phone loses its connection
    let request = publish(&s).await;
    let mut again = ws::connect(&s.app, token).await;
    ws::subscribe(&mut again, "1", OFFERS, json!({})).await;
    let offers = s
        .app
        .gql(Some(token), "{ myGuidanceOffers { id status } }", json!({}))
        .await;
    assert_eq!(
        offers["data"]["myGuidanceOffers"][0]["id"], request["id"],
        "{offers}"
    );
}

#[tokio::test]
async fn a_suspended_volunteers_offer_stream_ends_and_they_cannot_claim() {
    let s = scene(TestApp::spawn().await, 1).await;
    let (vid, token) = &s.volunteers[0];
    let mut socket = ws::connect(&s.app, token).await;
    ws::subscribe(&mut socket, "1", OFFERS, json!({})).await;
    s.app.subscribed(1).await;
    let request = publish(&s).await;
    assert_eq!(
        ws::next(&mut socket).await["payload"]["data"]["guidanceOffers"]["change"],
        "OFFERED"
    );

    let admin = s.app.login("lujiazui").await;
    let suspended = s
        .app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { suspendVolunteer(id: $id, reason: \"投诉核实中\") { status } }",
            json!({"id": vid}),
        )
        .await;
    assert_eq!(
        suspended["data"]["suspendVolunteer"]["status"], "SUSPENDED",
        "{suspended}"
    );
    let end = ws::next(&mut socket).await;
    assert_eq!(end["type"], "complete", "the stream ends: {end}");
    let claim = s
        .app
        .gql(
            Some(token),
            "mutation($id: ID!) { claimGuidanceRequest(id: $id) { status } }",
            json!({"id": request["id"]}),
        )
        .await;
    assert_eq!(code(&claim), "FORBIDDEN");
    // An admin of another district cannot see or suspend this volunteer.
    let huangpu = s.app.login("huangpu").await;
    let other = s
        .app
        .gql(
            Some(&huangpu),
            "mutation($id: ID!) { verifyVolunteer(id: $id) { status } }",
            json!({"id": vid}),
        )
        .await;
    assert_eq!(code(&other), "NOT_FOUND");
}

#[tokio::test]
async fn illegal_moves_wrong_pins_and_strangers_are_refused() {
    let s = scene(TestApp::spawn().await, 2).await;
    let outsider = volunteer(&s.app, 9, "310101002", LUJIAZUI, 50.0).await; // serves 南京东路, not 陆家嘴
    let request = publish(&s).await;
    let id = request["id"].as_str().unwrap().to_owned();
    let pin = request["pin"].as_str().unwrap().to_owned();
    let (_, v) = &s.volunteers[0];
    let m = |q: &str, token: &str, vars: Value| {
        let app = &s.app;
        let q = q.to_owned();
        let token = token.to_owned();
        async move { app.gql(Some(&token), &q, vars).await }
    };
    let claim = "mutation($id: ID!) { claimGuidanceRequest(id: $id) { status } }";
    assert_eq!(
        code(&m(claim, &outsider.1, json!({"id": id})).await),
        "FORBIDDEN",
        "outside the request's area"
    );
    let start =
        "mutation($id: ID!, $pin: String!) { startGuidance(id: $id, pin: $pin) { status } }";
    assert_eq!(
        code(&m(start, v, json!({"id": id, "pin": pin})).await),
        "NOT_FOUND",
        "not claimed by them"
    );
    assert!(m(claim, v, json!({"id": id})).await["errors"].is_null());
    let wrong = if pin == "0000" { "1111" } else { "0000" };
    let bad_pin = m(start, v, json!({"id": id, "pin": wrong})).await;
    assert_eq!(code(&bad_pin), "BAD_USER_INPUT");
    assert_eq!(bad_pin["errors"][0]["extensions"]["field"], "pin");
    assert_eq!(
        m(start, v, json!({"id": id, "pin": pin})).await["data"]["startGuidance"]["status"],
        "IN_PROGRESS"
    );
    let complete = "mutation($id: ID!) { completeGuidance(id: $id) { status } }";
    assert_eq!(
        m(complete, v, json!({"id": id})).await["data"]["completeGuidance"]["status"],
        "COMPLETED"
    );
    let twice = m(complete, &s.citizen, json!({"id": id})).await;
    assert_eq!(code(&twice), "CONFLICT");
    assert!(
        twice["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("COMPLETED"),
        "names the current state: {twice}"
    );
    let cancel =
        "mutation($id: ID!) { cancelGuidanceRequest(id: $id, reason: \"不需要了\") { status } }";
    assert_eq!(
        code(&m(cancel, &s.citizen, json!({"id": id})).await),
        "CONFLICT"
    );
    let rate = "mutation($id: ID!, $s: Int!) { rateGuidance(input: {requestId: $id, stars: $s}) }";
    assert_eq!(
        code(&m(rate, &s.citizen, json!({"id": id, "s": 6})).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        m(rate, &s.citizen, json!({"id": id, "s": 5})).await["data"]["rateGuidance"],
        true
    );
    assert_eq!(
        code(&m(rate, &s.citizen, json!({"id": id, "s": 4})).await),
        "CONFLICT",
        "once per side"
    );

    // A cancelled request cannot be claimed; the error names the state.
    let second = publish(&s).await;
    assert_eq!(
        m(cancel, &s.citizen, json!({"id": second["id"]})).await["data"]["cancelGuidanceRequest"]["status"],
        "CANCELLED"
    );
    let late = m(claim, &s.volunteers[1].1, json!({"id": second["id"]})).await;
    assert_eq!(code(&late), "CONFLICT");
    assert!(
        late["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("已取消"),
        "{late}"
    );

    // Bad input to publishing.
    let bad = "mutation($lat: Float!) { publishGuidanceRequest(input: {pickupAddress: \"x\", pickupLatitude: $lat, pickupLongitude: 121.5, destination: \"y\", needs: \"z\"}) { id } }";
    let body = m(bad, &s.citizen, json!({"lat": 95.0})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.latitude");
    // A pickup outside Shanghai (here: Hangzhou's latitude) is refused.
    let body = m(bad, &s.citizen, json!({"lat": 30.25})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.pickupLatitude"
    );
    // Only a person certified with a vision disability may publish.
    let deaf = s
        .app
        .person("听障乙", ids::PUDONG_2, "21", "310115005")
        .await;
    s.app.account("deaf", Role::Citizen, None, Some(deaf)).await;
    let token = s.app.login("deaf").await;
    assert_eq!(code(&m(PUBLISH, &token, json!({})).await), "FORBIDDEN");
    // Another district's admin cannot even see the request.
    let huangpu = s.app.login("huangpu").await;
    assert_eq!(
        code(
            &m(
                "query($id: ID!) { guidanceRequest(id: $id) { status } }",
                &huangpu,
                json!({"id": id})
            )
            .await
        ),
        "NOT_FOUND"
    );
    let pudong = s.app.login("pudong").await;
    let seen = m(
        "query($id: ID!) { guidanceRequest(id: $id) { status pin contactPhone } }",
        &pudong,
        json!({"id": id}),
    )
    .await;
    assert!(
        seen["data"]["guidanceRequest"]["pin"].is_null(),
        "only the requester sees the PIN"
    );
}

#[tokio::test]
async fn a_blocked_volunteer_is_not_offered_the_persons_next_request() {
    let s = scene(TestApp::spawn().await, 2).await;
    let first = publish(&s).await;
    let (vid, v) = &s.volunteers[0];
    assert!(
        s.app
            .gql(
                Some(v),
                "mutation($id: ID!) { claimGuidanceRequest(id: $id) { status } }",
                json!({"id": first["id"]})
            )
            .await["errors"]
            .is_null()
    );
    let block = s
        .app
        .gql(
            Some(&s.citizen),
            "mutation($v: ID!) { blockVolunteer(volunteerId: $v, reason: \"迟到\") }",
            json!({"v": vid}),
        )
        .await;
    assert_eq!(block["data"]["blockVolunteer"], true, "{block}");
    let second = publish(&s).await;
    let mine = s
        .app
        .gql(Some(v), "{ myGuidanceOffers { id } }", json!({}))
        .await;
    assert!(
        mine["data"]["myGuidanceOffers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["id"] != second["id"]),
        "{mine}"
    );
    let other = s
        .app
        .gql(
            Some(&s.volunteers[1].1),
            "{ myGuidanceOffers { id } }",
            json!({}),
        )
        .await;
    assert!(
        other["data"]["myGuidanceOffers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == second["id"])
    );
    let admin = s.app.login("lujiazui").await;
    let users = s.app.gql(Some(&admin), "{ guidanceUsers { name requests blocks } volunteerStatistics { total verified onDuty } }", json!({})).await;
    assert_eq!(
        users["data"]["guidanceUsers"][0],
        json!({"name": "盲人甲", "requests": 2, "blocks": 1}),
        "{users}"
    );
    assert_eq!(users["data"]["volunteerStatistics"]["verified"], 2);
}

#[tokio::test]
async fn volunteers_register_with_a_verified_id_number_and_wait_for_verification() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let q = "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { id status phone serviceStreets { name } } }";
    let input = json!({"username": "newvol", "password": PASSWORD, "name": "新志愿者", "idNumber": ids::PUDONG_3, "phone": "13600001111", "skills": ["GUIDING", "SIGN_LANGUAGE"], "serviceStreets": ["310115005"], "consent": true});
    let ok = app.gql(None, q, json!({"i": input})).await;
    assert_eq!(ok["data"]["registerVolunteer"]["status"], "PENDING", "{ok}");
    assert_eq!(ok["data"]["registerVolunteer"]["phone"], "136****1111");
    let again = app.gql(None, q, json!({"i": {"username": "other", "password": PASSWORD, "name": "重复", "idNumber": ids::PUDONG_3, "phone": "13600001112", "skills": ["GUIDING"], "serviceStreets": ["310115005"], "consent": true}})).await;
    assert_eq!(code(&again), "CONFLICT");
    for (field, value) in [
        ("idNumber", json!("310115198511110018")),
        ("password", json!("weakpass")),
        ("serviceStreets", json!(["999999999"])),
        ("consent", json!(false)),
        ("phone", json!("12345")),
    ] {
        let mut bad = input.clone();
        bad["username"] = json!("bad_case");
        bad[field] = value;
        let body = app.gql(None, q, json!({"i": bad})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{field}: {body}");
        assert!(
            body["errors"][0]["extensions"]["field"]
                .as_str()
                .unwrap()
                .contains(field),
            "{field}: {body}"
        );
    }
    // Pending volunteers cannot go on duty; the admin verifies them.
    let token = app.login("newvol").await;
    assert_eq!(
        code(
            &app.gql(
                Some(&token),
                "mutation { setVolunteerAvailability(available: true) { available } }",
                json!({})
            )
            .await
        ),
        "FORBIDDEN"
    );
    let id = ok["data"]["registerVolunteer"]["id"].clone();
    let admin = app.login("lujiazui").await;
    assert_eq!(
        app.gql(
            Some(&admin),
            "mutation($id: ID!) { verifyVolunteer(id: $id) { status } }",
            json!({"id": id})
        )
        .await["data"]["verifyVolunteer"]["status"],
        "VERIFIED"
    );
    assert_eq!(
        app.gql(
            Some(&token),
            "mutation { setVolunteerAvailability(available: true) { available } }",
            json!({})
        )
        .await["data"]["setVolunteerAvailability"]["available"],
        true
    );
    let loc = app
        .gql(
            Some(&token),
            "mutation { reportVolunteerLocation(latitude: 31.24, longitude: 121.50) }",
            json!({}),
        )
        .await;
    assert_eq!(loc["data"]["reportVolunteerLocation"], true, "{loc}");
}
