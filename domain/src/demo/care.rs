//! Demo institutional care: the demo day-care institutions get places, the service centres a few
//! residential ones; people of each institution's district are placed (some since ended, so the
//! average stay means something) and, where places run out, wait. Through the care service as
//! the city admin; seeded once.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::Platform;
use crate::caller::Caller;
use crate::care::{CareService, CareType, PlacementInput, PlacementStatus};
use crate::entities::{care_capacity, institution, person};
use crate::error::DomainResult;
use crate::identity::{AccountRepo, SessionStage};
use crate::viewer::{RequestMeta, Role, Viewer};

/// Seed the demo care once; returns how many placements (and waiting entries) were made.
pub async fn seed_demo_care(p: &Platform) -> DomainResult<usize> {
    if care_capacity::Entity::find().count(p.db.conn()).await? > 0 {
        return Ok(0);
    }
    let Some(admin) = AccountRepo::new(&p.db).by_username("city_admin").await? else {
        return Ok(0);
    };
    let caller = Caller::signed_in(
        Viewer {
            account_id: admin.id,
            username: "city_admin".to_owned(),
            role: Role::CityAdmin,
            region: None,
            person_id: None,
            client: None,
        },
        SessionStage::Full,
        RequestMeta::default(),
    );
    let care = CareService::new(p, &caller);
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let institutions = institution::Entity::find()
        .filter(institution::Column::Kind.is_in(["DAY_CARE", "SERVICE_CENTER"]))
        .order_by_asc(institution::Column::Id)
        .all(p.db.conn())
        .await?;
    let mut made = 0;
    for (i, inst) in institutions.iter().enumerate() {
        let (kind, places) = if inst.kind == "DAY_CARE" {
            (CareType::DayCare, 6 + (i % 4) * 2)
        } else {
            (CareType::Residential, 4)
        };
        care.save_capacity(inst.id, kind, i32::try_from(places).unwrap_or(4))
            .await?;
        // People of the institution's district: most places taken, one ended stay, and
        // in every third institution more people than places (a waiting list).
        let want = places - 1 + if i % 3 == 0 { 3 } else { 0 };
        let people = person::Entity::find()
            .filter(person::Column::DistrictCode.eq(inst.district_code.as_str()))
            .filter(person::Column::Status.eq("ACTIVE"))
            .order_by_desc(person::Column::Id)
            .offset(u64::try_from(i * 12).unwrap_or(0))
            .limit(u64::try_from(want + 1).unwrap_or(0))
            .all(p.db.conn())
            .await?;
        for (j, who) in people.iter().enumerate() {
            let days_ago = 40 + i64::try_from((i * 7 + j * 13) % 300).unwrap_or(0);
            let starts = today - Duration::days(days_ago);
            let ended = j == 0;
            let status = if ended || j < places {
                PlacementStatus::Active
            } else {
                PlacementStatus::Waiting
            };
            let input = PlacementInput {
                id: None,
                version: None,
                person_id: who.id,
                institution_id: inst.id,
                care_type: kind,
                status,
                requested_on: Some(starts - Duration::days(20)),
                starts_on: (status == PlacementStatus::Active).then_some(starts),
                fee: if kind == CareType::Residential {
                    "2400"
                } else {
                    "900"
                }
                .to_owned(),
                subsidy: if kind == CareType::Residential {
                    "1600"
                } else {
                    "600"
                }
                .to_owned(),
            };
            // A person already placed elsewhere (a shared district) is simply skipped.
            let Ok(row) = care.save_placement(input).await else {
                continue;
            };
            made += 1;
            if ended {
                care.end_placement(
                    row.id,
                    row.version,
                    starts + Duration::days(25),
                    "家属接回居家照护",
                )
                .await?;
            }
        }
    }
    Ok(made)
}
