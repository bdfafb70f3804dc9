//! Demo activities (阳光201): two per district across the city's sixteen districts, spread from
//! three weeks ago to a month ahead, and in 陆家嘴街道 (where `citizen_demo` lives) upcoming ones
//! open for registration, one of them full with a waitlist; finished ones carry attendance and
//! no-shows. Every activity brings an information pack (goods) and needs guides (a volunteer
//! role); rehabilitation and assistive-device days deliver an assessment linked to a catalog
//! service item. Finished ones carry the packs handed out, the assessments delivered (service
//! records on the files) and two volunteers' hours; `volunteer_demo` holds an approved role in
//! 陆家嘴's orientation training and served at its finished lecture. Deterministic: the same
//! database gets the same activities.

use chrono::{DateTime, Duration, DurationRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::Platform;
use crate::activity::{
    ActivityInput, ActivityKind, ActivityStatus, AudienceKind, RegistrationStatus,
};
use crate::entities::{
    account, activity, activity_goods, activity_goods_distribution, activity_registration,
    activity_service, activity_service_delivery, activity_volunteer, activity_volunteer_role,
    person, service_item, volunteer,
};
use crate::error::DomainResult;
use crate::types::DisabilityCategory;

const LUJIAZUI: &str = "310115005";

const TITLES: [(ActivityKind, &str, &str); 8] = [
    (
        ActivityKind::Rehabilitation,
        "康复训练开放日",
        "专业康复师现场评估与训练指导",
    ),
    (
        ActivityKind::Training,
        "电脑与手机使用培训",
        "读屏软件、无障碍浏览与移动支付",
    ),
    (
        ActivityKind::CultureSport,
        "阳光健身操",
        "适合轮椅使用者和视障人士的集体健身",
    ),
    (
        ActivityKind::AssistiveDevices,
        "辅具适配服务日",
        "助听器、轮椅、助行器现场适配与维修",
    ),
    (
        ActivityKind::VolunteerService,
        "助残志愿服务日",
        "志愿者上门陪伴与出行协助",
    ),
    (
        ActivityKind::CultureSport,
        "手语沙龙",
        "听障朋友与手语爱好者交流",
    ),
    (ActivityKind::Training, "就业技能讲座", "简历写作与面试辅导"),
    (
        ActivityKind::Other,
        "政策宣讲会",
        "最新助残政策解读与现场咨询",
    ),
];

fn input(
    kind: ActivityKind,
    title: &str,
    about: &str,
    starts: DateTime<Utc>,
    capacity: i32,
) -> ActivityInput {
    ActivityInput {
        kind,
        title: title.to_owned(),
        description: about.to_owned(),
        venue_address: "社区文化活动中心多功能厅".to_owned(),
        step_free: true,
        accessible_toilet: true,
        hearing_loop: kind == ActivityKind::CultureSport,
        sign_language: title.contains("手语"),
        starts_at: starts,
        ends_at: starts + Duration::hours(2),
        registration_opens_at: starts - Duration::days(14),
        registration_closes_at: starts - Duration::hours(2),
        capacity,
        ..ActivityInput::default()
    }
}

fn for_the_blind(mut i: ActivityInput) -> ActivityInput {
    i.audience = AudienceKind::Categories;
    i.categories = vec![DisabilityCategory::Vision];
    i
}

/// The status an activity has at `now` by its times.
fn status_at(i: &ActivityInput, now: DateTime<Utc>) -> ActivityStatus {
    if now >= i.ends_at {
        ActivityStatus::Finished
    } else if now >= i.starts_at {
        ActivityStatus::InProgress
    } else if now >= i.registration_closes_at {
        ActivityStatus::RegistrationClosed
    } else {
        ActivityStatus::Published
    }
}

/// Insert one activity with registrations of `people` (the first `capacity` confirmed, the
/// rest waitlisted; in a finished one every third confirmed person did not come).
async fn seed_one(
    p: &Platform,
    organiser: &str,
    i: &ActivityInput,
    people: &[person::Model],
    now: DateTime<Utc>,
) -> DomainResult<Uuid> {
    let checked = i.check()?;
    let status = status_at(i, now);
    let mut row = crate::activity::store_new_draft(organiser, i, checked, "demo");
    row.status = Set(status.as_str().to_owned());
    let w = p.db.begin_write().await?;
    let a = row.insert(&w.txn).await?;
    let (mut confirmed, mut waitlisted) = (0, 0);
    for (n, who) in people.iter().enumerate() {
        let position = i64::try_from(n).unwrap_or(0) + 1;
        let placed = confirmed < i.capacity;
        let status = match (placed, status) {
            (false, _) => RegistrationStatus::Waitlisted,
            (true, ActivityStatus::Finished) if n % 3 == 2 => RegistrationStatus::NoShow,
            (true, ActivityStatus::Finished) => RegistrationStatus::Attended,
            (true, _) => RegistrationStatus::Confirmed,
        };
        if placed {
            confirmed += 1;
        } else {
            waitlisted += 1;
        }
        let came = status == RegistrationStatus::Attended;
        activity_registration::ActiveModel {
            id: Set(Uuid::now_v7()),
            activity_id: Set(a.id),
            person_id: Set(who.id),
            district_code: Set(who.district_code.clone()),
            street_code: Set(who.street_code.clone()),
            status: Set(status.as_str().to_owned()),
            position: Set(position),
            needs: Set(if who.category == 1 {
                "GUIDE".to_owned()
            } else {
                String::new()
            }),
            companions: Set(0),
            registered_by: Set("demo".to_owned()),
            created_at: Set(i.registration_opens_at + Duration::hours(position)),
            updated_at: Set((status == RegistrationStatus::NoShow).then_some(i.ends_at)),
            checked_in_at: Set(came.then_some(i.starts_at)),
            check_in_method: Set(came.then(|| "CODE".to_owned())),
            excused_by: Set(None),
            excuse_reason: Set(None),
        }
        .insert(&w.txn)
        .await?;
    }
    activity::Entity::update_many()
        .col_expr(
            activity::Column::Confirmed,
            sea_orm::sea_query::Expr::value(confirmed),
        )
        .col_expr(
            activity::Column::Waitlisted,
            sea_orm::sea_query::Expr::value(waitlisted),
        )
        .col_expr(
            activity::Column::ArrivalSeq,
            sea_orm::sea_query::Expr::value(i64::try_from(people.len()).unwrap_or(0)),
        )
        .filter(activity::Column::Id.eq(a.id))
        .exec(&w.txn)
        .await?;
    w.commit().await?;
    Ok(a.id)
}

async fn people_of(
    p: &Platform,
    street_prefix: &str,
    n: u64,
    except: Option<Uuid>,
) -> DomainResult<Vec<person::Model>> {
    let mut q = person::Entity::find()
        .filter(person::Column::StreetCode.starts_with(street_prefix))
        .filter(person::Column::Status.ne(crate::person::PersonStatus::Deactivated.as_str()))
        .order_by_asc(person::Column::Id)
        .limit(n);
    if let Some(id) = except {
        q = q.filter(person::Column::Id.ne(id));
    }
    Ok(q.all(p.db.conn()).await?)
}

/// Seed the demo activities; returns how many. `citizen` is `citizen_demo`'s person.
pub async fn seed_demo_activities(p: &Platform, citizen: Option<Uuid>) -> DomainResult<usize> {
    let now = Utc::now()
        .duration_trunc(Duration::hours(1))
        .unwrap_or_else(|_| Utc::now());
    let districts: Vec<String> = p
        .regions
        .children(Some(crate::types::CITY_CODE))
        .into_iter()
        .map(|r| r.code.as_str().to_owned())
        .collect();
    let mut made = 0;
    for (d, district) in districts.iter().enumerate() {
        for k in 0..2 {
            let (kind, title, about) = TITLES[(d * 2 + k) % TITLES.len()];
            // From three weeks ago to a month ahead, at 9:00 or 14:00 China time.
            let days = i64::try_from(d * 3 + k * 17).unwrap_or(0) % 52 - 21;
            let starts = now + Duration::days(days) + Duration::hours(if k == 0 { 1 } else { 6 });
            let i = input(
                kind,
                &format!("{title}（{}）", p.regions.name_of(district)),
                about,
                starts,
                20,
            );
            let people = people_of(p, district, 12, citizen).await?;
            seed_one(p, district, &i, &people, now).await?;
            made += 1;
        }
    }
    // 陆家嘴街道: open for registration (citizen_demo may join), one full with a waitlist, one
    // for the visually impaired only, and one finished with attendance and no-shows.
    let neighbours = people_of(p, LUJIAZUI, 8, citizen).await?;
    let lujiazui = [
        (
            input(
                ActivityKind::Rehabilitation,
                "陆家嘴视障者定向行走训练",
                "盲杖使用与社区出行路线训练",
                now + Duration::days(5),
                15,
            ),
            3usize,
        ),
        (
            input(
                ActivityKind::CultureSport,
                "滨江无障碍步道健步走",
                "沿滨江步道健步走，全程无障碍",
                now + Duration::days(9),
                5,
            ),
            7,
        ),
        (
            for_the_blind(input(
                ActivityKind::AssistiveDevices,
                "读屏手机体验会",
                "视障人士读屏手机上手体验",
                now + Duration::days(12),
                20,
            )),
            2,
        ),
        (
            input(
                ActivityKind::Training,
                "陆家嘴社区康复讲座",
                "居家康复与家庭护理",
                now - Duration::days(6),
                10,
            ),
            6,
        ),
    ];
    for (i, registrants) in lujiazui {
        let people: Vec<person::Model> = neighbours.iter().take(registrants).cloned().collect();
        seed_one(p, LUJIAZUI, &i, &people, now).await?;
        made += 1;
    }
    furnish(p).await?;
    Ok(made)
}

/// Goods, services and volunteer roles on every demo activity; what was handed out, delivered
/// and served at the finished ones.
async fn furnish(p: &Platform) -> DomainResult<()> {
    let conn = p.db.conn();
    let mut volunteers: Vec<volunteer::Model> = volunteer::Entity::find()
        .filter(volunteer::Column::Status.eq("VERIFIED"))
        .order_by_asc(volunteer::Column::CreatedAt)
        .all(conn)
        .await?;
    let demo = account::Entity::find()
        .filter(account::Column::Username.eq("volunteer_demo"))
        .one(conn)
        .await?
        .map(|a| a.id);
    // volunteer_demo first, then the others in the order they registered.
    volunteers.sort_by_key(|v| Some(v.account_id) != demo);
    let assessment = service_item::Entity::find()
        .filter(service_item::Column::Status.eq("ACTIVE"))
        .filter(service_item::Column::Name.eq("残疾人辅助器具适配"))
        .one(conn)
        .await?;
    let activities = activity::Entity::find()
        .order_by_asc(activity::Column::StartsAt)
        .all(conn)
        .await?;
    let mut served = 0usize;
    for a in activities {
        let finished = a.status == ActivityStatus::Finished.as_str();
        let kind = ActivityKind::from_stored(&a.kind);
        let w = p.db.begin_write().await?;
        let attended = activity_registration::Entity::find()
            .filter(activity_registration::Column::ActivityId.eq(a.id))
            .filter(activity_registration::Column::Status.eq(RegistrationStatus::Attended.as_str()))
            .order_by_asc(activity_registration::Column::Position)
            .all(&w.txn)
            .await?;
        let handed = if finished {
            i32::try_from(attended.len()).unwrap_or(0)
        } else {
            0
        };
        let goods = activity_goods::ActiveModel {
            id: Set(Uuid::now_v7()),
            activity_id: Set(a.id),
            name: Set("活动资料包（含大字版）".to_owned()),
            stock: Set(a.capacity),
            issued: Set(handed),
            per_person_limit: Set(1),
            created_at: Set(a.created_at),
            updated_at: Set(a.created_at),
        }
        .insert(&w.txn)
        .await?;
        let delivers = matches!(
            kind,
            ActivityKind::Rehabilitation | ActivityKind::AssistiveDevices
        );
        let service = if delivers {
            Some(
                activity_service::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    activity_id: Set(a.id),
                    name: Set("现场康复与辅具评估".to_owned()),
                    service_item_id: Set(assessment.as_ref().map(|i| i.id)),
                    delivered: Set(if finished { handed } else { 0 }),
                    created_at: Set(a.created_at),
                }
                .insert(&w.txn)
                .await?,
            )
        } else {
            None
        };
        if finished {
            for r in &attended {
                activity_goods_distribution::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    goods_id: Set(goods.id),
                    activity_id: Set(a.id),
                    registration_id: Set(r.id),
                    person_id: Set(r.person_id),
                    quantity: Set(1),
                    recorded_by: Set("demo".to_owned()),
                    created_at: Set(a.starts_at),
                }
                .insert(&w.txn)
                .await?;
                if let Some(service) = &service {
                    let record = match (
                        &assessment,
                        person::Entity::find_by_id(r.person_id).one(&w.txn).await?,
                    ) {
                        (Some(item), Some(who)) => Some(
                            crate::eligibility::record(
                                &w.txn,
                                &who,
                                item.id,
                                crate::records::RecordKind::Activity.as_str(),
                                &format!("活动“{}”：{}", a.title, service.name),
                                "demo",
                            )
                            .await?
                            .id,
                        ),
                        _ => None,
                    };
                    activity_service_delivery::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        service_id: Set(service.id),
                        activity_id: Set(a.id),
                        registration_id: Set(r.id),
                        person_id: Set(r.person_id),
                        record_id: Set(record),
                        recorded_by: Set("demo".to_owned()),
                        created_at: Set(a.starts_at),
                    }
                    .insert(&w.txn)
                    .await?;
                }
            }
        }
        // Two guides at every finished activity, served in turn; volunteer_demo at 陆家嘴's.
        let lujiazui = a.scope_code == LUJIAZUI;
        let helpers: Vec<&volunteer::Model> = if volunteers.is_empty() {
            Vec::new()
        } else if lujiazui && (finished || a.title.contains("定向行走")) {
            vec![&volunteers[0]]
        } else if finished {
            let v = &volunteers[1 % volunteers.len()..];
            let at = served;
            served += 2;
            let pick = |k: usize| v.get((at + k) % v.len().max(1));
            [pick(0), pick(1)].into_iter().flatten().collect()
        } else {
            Vec::new()
        };
        let role = activity_volunteer_role::ActiveModel {
            id: Set(Uuid::now_v7()),
            activity_id: Set(a.id),
            name: Set("现场引导".to_owned()),
            description: Set("签到引导、视障人士陪同入场、轮椅协助".to_owned()),
            capacity: Set(3),
            approved: Set(i32::try_from(helpers.len()).unwrap_or(0)),
            created_at: Set(a.created_at),
        }
        .insert(&w.txn)
        .await?;
        for v in helpers {
            let (checked_in_at, checked_out_at, minutes) = if finished {
                let from = a.starts_at - Duration::minutes(30);
                let to = a.ends_at + Duration::minutes(15);
                (
                    Some(from),
                    Some(to),
                    i32::try_from((to - from).num_minutes()).unwrap_or(0),
                )
            } else {
                (None, None, 0)
            };
            activity_volunteer::ActiveModel {
                id: Set(Uuid::now_v7()),
                role_id: Set(role.id),
                activity_id: Set(a.id),
                volunteer_id: Set(v.id),
                status: Set("APPROVED".to_owned()),
                decided_by: Set(Some("demo".to_owned())),
                decision_reason: Set(None),
                checked_in_at: Set(checked_in_at),
                checked_out_at: Set(checked_out_at),
                minutes: Set(minutes),
                created_at: Set(a.registration_opens_at),
                updated_at: Set(a.registration_opens_at),
            }
            .insert(&w.txn)
            .await?;
        }
        w.commit().await?;
    }
    Ok(())
}
