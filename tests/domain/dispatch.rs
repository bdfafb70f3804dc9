//! The guidance dispatcher's tick: it widens the offer radius step by step, escalates an
//! unclaimed request once, expires it after the pickup time, offers to volunteers a wider radius
//! reaches, and does each step once however many nodes tick at the same moment.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;
use zhucan_domain::entities::{guidance_request, volunteer};
use zhucan_domain::guidance::{self, GuidanceDraft, GuidanceService, GuidanceStatus, TickReport};
use zhucan_domain::viewer::{RequestMeta, Role};
use zhucan_domain::volunteer::{Skill, VolunteerRegistration};

use crate::caller;
use crate::helpers::{PASSWORD, TestApp, ids};

const LUJIAZUI: (f64, f64) = (31.2397, 121.4998);

/// A blind citizen in Lujiazui, signed in.
async fn requester() -> (TestApp, zhucan_domain::Caller) {
    let app = TestApp::spawn().await;
    app.staff().await;
    let person = app.person("盲人甲", ids::PUDONG_1, "12", "310115005").await;
    app.account("blind", Role::Citizen, None, Some(person))
        .await;
    let citizen = caller(&app, "blind").await;
    (app, citizen)
}

/// A verified volunteer on duty `metres` north of Lujiazui.
async fn volunteer_at(app: &TestApp, metres: f64) -> zhucan_domain::Caller {
    let birth = chrono::NaiveDate::from_ymd_opt(1985, 3, 4).unwrap();
    let id_number = zhucan_domain::types::IdNumber::compose("310115", birth, 101).unwrap();
    let reg = VolunteerRegistration {
        username: "far_volunteer".to_owned(),
        password: PASSWORD.to_owned(),
        name: "志愿者".to_owned(),
        id_number: id_number.as_str().to_owned(),
        phone: "13712340001".to_owned(),
        skills: vec![Skill::Guiding],
        service_streets: vec!["310115005".to_owned()],
        consent: true,
    };
    let v = zhucan_domain::volunteer::register(&app.platform, reg, &RequestMeta::default())
        .await
        .unwrap();
    volunteer::Entity::update_many()
        .col_expr(volunteer::Column::Status, Expr::value("VERIFIED"))
        .col_expr(volunteer::Column::Available, Expr::value(true))
        .col_expr(
            volunteer::Column::Latitude,
            Expr::value(Some(LUJIAZUI.0 + metres / 111_000.0)),
        )
        .col_expr(volunteer::Column::Longitude, Expr::value(Some(LUJIAZUI.1)))
        .filter(volunteer::Column::Id.eq(v.id))
        .exec(app.platform.db.conn())
        .await
        .unwrap();
    caller(app, "far_volunteer").await
}

async fn publish(app: &TestApp, citizen: &zhucan_domain::Caller) -> Uuid {
    let view = GuidanceService::new(&app.platform, citizen)
        .publish(GuidanceDraft {
            pickup_address: "浦东新区陆家嘴环路1000号".to_owned(),
            pickup_latitude: LUJIAZUI.0,
            pickup_longitude: LUJIAZUI.1,
            destination: "东方医院".to_owned(),
            pickup_time: None,
            needs: "陪同就医".to_owned(),
            contact_phone: Some("13912345678".to_owned()),
        })
        .await
        .expect("publish");
    view.id()
}

async fn row(app: &TestApp, id: Uuid) -> guidance_request::Model {
    guidance_request::Entity::find_by_id(id)
        .one(app.platform.db.conn())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_tick_with_nothing_due_changes_nothing() {
    let (app, citizen) = requester().await;
    let id = publish(&app, &citizen).await;
    let before = row(&app, id).await;
    let report = guidance::tick(&app.platform, Utc::now()).await.unwrap();
    assert_eq!(report, TickReport::default());
    assert_eq!(row(&app, id).await, before);
}

#[tokio::test]
async fn the_radius_widens_one_step_per_interval_up_to_the_widest() {
    let (app, citizen) = requester().await;
    let id = publish(&app, &citizen).await;
    let p = &app.platform;
    let radii = p.dispatch.radii_m.clone();
    assert_eq!(row(&app, id).await.radius_m, radii[0]);
    let mut at = Utc::now();
    for expected in radii.iter().skip(1) {
        at += p.dispatch.widen_every + Duration::seconds(1);
        let report = guidance::tick(p, at).await.unwrap();
        assert_eq!(report.widened, 1, "{report:?}");
        assert_eq!(row(&app, id).await.radius_m, *expected);
        // The same moment again: already done.
        assert_eq!(guidance::tick(p, at).await.unwrap().widened, 0);
    }
    at += p.dispatch.widen_every + Duration::seconds(1);
    guidance::tick(p, at).await.unwrap();
    assert_eq!(
        row(&app, id).await.radius_m,
        *radii.last().unwrap(),
        "never wider than the widest"
    );
}

#[tokio::test]
async fn a_volunteer_the_wider_radius_reaches_is_offered_the_request() {
    let (app, citizen) = requester().await;
    let volunteer = volunteer_at(&app, 2_000.0).await;
    let id = publish(&app, &citizen).await;
    let offers = GuidanceService::new(&app.platform, &volunteer);
    assert!(
        offers.my_offers().await.unwrap().is_empty(),
        "2 km away: outside the first radius"
    );
    let at = Utc::now() + app.platform.dispatch.widen_every + Duration::seconds(1);
    guidance::tick(&app.platform, at).await.unwrap();
    let live = offers.my_offers().await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].id(), id);
    assert!(
        live[0]
            .distance_m()
            .is_some_and(|d| (1_900..=2_100).contains(&d))
    );
}

#[tokio::test]
async fn nodes_ticking_at_the_same_moment_escalate_and_expire_each_request_once() {
    let (app, citizen) = requester().await;
    let id = publish(&app, &citizen).await;
    let node_b = app.second_node().await;
    let (a, b) = (&app.platform, &node_b.platform);

    let escalate_at = Utc::now() + a.dispatch.escalate_after + Duration::seconds(1);
    let (ra, rb) = tokio::join!(
        guidance::tick(a, escalate_at),
        guidance::tick(b, escalate_at)
    );
    assert_eq!(ra.unwrap().escalated + rb.unwrap().escalated, 1);
    let escalated = row(&app, id).await;
    assert!(escalated.escalated_at.is_some());
    assert_eq!(
        guidance::tick(a, escalate_at + Duration::seconds(5))
            .await
            .unwrap()
            .escalated,
        0,
        "escalated once"
    );

    let expire_at = escalated.pickup_time + a.dispatch.expire_after_pickup + Duration::seconds(1);
    let (ra, rb) = tokio::join!(guidance::tick(a, expire_at), guidance::tick(b, expire_at));
    assert_eq!(ra.unwrap().expired + rb.unwrap().expired, 1);
    let expired = row(&app, id).await;
    assert_eq!(expired.status, GuidanceStatus::Expired.as_str());
    assert_eq!(
        expired.expired_at.map(|t| t.timestamp_millis()),
        Some(expire_at.timestamp_millis())
    );
}
