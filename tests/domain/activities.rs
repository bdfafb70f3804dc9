//! The activity state pass: registration closes, the activity starts and finishes as time
//! passes (time is an argument), each step once, and a cancelled or draft activity never moves.

use chrono::{Duration, Utc};
use sea_orm::EntityTrait;
use uuid::Uuid;
use zhucan_domain::activity::{self, ActivityInput, ActivityKind, ActivityService, ActivityStatus};
use zhucan_domain::entities::activity as row;

use crate::caller;
use crate::helpers::TestApp;

fn input(title: &str) -> ActivityInput {
    let starts = Utc::now() + Duration::days(3);
    ActivityInput {
        kind: ActivityKind::Training,
        title: title.to_owned(),
        venue_address: "黄浦区南京东路1号".to_owned(),
        starts_at: starts,
        ends_at: starts + Duration::hours(2),
        registration_opens_at: Utc::now() - Duration::hours(1),
        registration_closes_at: starts - Duration::days(1),
        capacity: 20,
        ..ActivityInput::default()
    }
}

async fn status(app: &TestApp, id: Uuid) -> ActivityStatus {
    let m = row::Entity::find_by_id(id)
        .one(app.platform.db.conn())
        .await
        .unwrap()
        .unwrap();
    ActivityStatus::from_stored(&m.status)
}

#[tokio::test]
async fn the_state_pass_walks_each_step_once_when_its_time_comes() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let huangpu = caller(&app, "huangpu").await;
    let service = ActivityService::new(&app.platform, &huangpu);
    let published = service.save(input("盲文培训")).await.unwrap();
    let published = service
        .publish(published.id, published.version)
        .await
        .unwrap();
    let draft = service.save(input("草稿")).await.unwrap();
    let cancelled = service.save(input("取消的")).await.unwrap();
    let cancelled = service
        .publish(cancelled.id, cancelled.version)
        .await
        .unwrap();
    service.cancel(cancelled.id, "报名人数不足").await.unwrap();

    let db = &app.platform.db;
    let now = Utc::now();
    assert_eq!(
        activity::advance(db, now).await.unwrap(),
        0,
        "nothing is due yet"
    );
    let closed = published.registration_closes_at + Duration::seconds(1);
    assert_eq!(activity::advance(db, closed).await.unwrap(), 1);
    assert_eq!(
        status(&app, published.id).await,
        ActivityStatus::RegistrationClosed
    );
    assert_eq!(activity::advance(db, closed).await.unwrap(), 0, "once");
    let started = published.starts_at + Duration::seconds(1);
    activity::advance(db, started).await.unwrap();
    assert_eq!(status(&app, published.id).await, ActivityStatus::InProgress);
    let ended = published.ends_at + Duration::seconds(1);
    activity::advance(db, ended).await.unwrap();
    assert_eq!(status(&app, published.id).await, ActivityStatus::Finished);
    // A pass that comes late walks every step at once.
    let late = service.save(input("晚到的")).await.unwrap();
    service.publish(late.id, late.version).await.unwrap();
    assert_eq!(
        activity::advance(db, ended + Duration::days(1))
            .await
            .unwrap(),
        3
    );
    assert_eq!(status(&app, late.id).await, ActivityStatus::Finished);
    // Drafts and cancelled activities do not move.
    assert_eq!(status(&app, draft.id).await, ActivityStatus::Draft);
    assert_eq!(status(&app, cancelled.id).await, ActivityStatus::Cancelled);
    // A finished activity takes no edit.
    let mut edit = input("改结束的");
    edit.id = Some(published.id);
    edit.version = Some(published.version);
    let err = service.save(edit).await.unwrap_err();
    assert!(
        matches!(err, zhucan_domain::DomainError::Conflict(_)),
        "{err}"
    );
}
