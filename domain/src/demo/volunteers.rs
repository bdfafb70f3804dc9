//! Demo volunteers: `volunteer_demo` and `volunteer_demo_1` … `volunteer_demo_20`, verified, on
//! duty, serving 陆家嘴街道 from locations near it, so that a newcomer can watch a request being
//! offered and claimed in two GraphiQL tabs.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::Platform;
use crate::entities::{account, volunteer};
use crate::error::DomainResult;
use crate::types::IdNumber;
use crate::viewer::{RequestMeta, Role};
use crate::volunteer::{Skill, VolunteerRegistration, register};

/// Near the Oriental Pearl Tower, 陆家嘴.
pub const LUJIAZUI: (f64, f64) = (31.2397, 121.4998);

/// Number of numbered demo volunteers.
pub const DEMO_VOLUNTEERS: u16 = 20;

/// Create the demo volunteers (skipping any that exist).
pub async fn seed_demo_volunteers(p: &Platform, password: &str) -> DomainResult<()> {
    let meta = RequestMeta {
        client_ip: "local".to_owned(),
        request_id: "demo-seed".to_owned(),
    };
    for i in 0..=DEMO_VOLUNTEERS {
        let username = if i == 0 {
            "volunteer_demo".to_owned()
        } else {
            format!("volunteer_demo_{i}")
        };
        if account::Entity::find()
            .filter(account::Column::Username.eq(&username))
            .one(p.db.conn())
            .await?
            .is_some()
        {
            continue;
        }
        let birth = NaiveDate::from_ymd_opt(
            1985 + i32::from(i % 15),
            1 + u32::from(i % 12),
            1 + u32::from(i % 27),
        )
        .unwrap_or_default();
        let id_number = IdNumber::compose("310115", birth, 500 + i)?;
        let reg = VolunteerRegistration {
            username,
            password: password.to_owned(),
            name: if i == 0 {
                "演示志愿者".to_owned()
            } else {
                format!(
                    "志愿者{}",
                    ["甲", "乙", "丙", "丁", "戊"][usize::from(i % 5)]
                )
            },
            id_number: id_number.as_str().to_owned(),
            phone: format!("1370000{:04}", i),
            skills: vec![Skill::Guiding, Skill::Companionship],
            service_streets: vec!["310115005".to_owned()],
            consent: true,
        };
        let v = register(p, reg, &meta).await?;
        // Spread them around 陆家嘴: 200 m to about 2.2 km away.
        let angle = f64::from(i) * 18f64.to_radians();
        let metres = 200.0 + 100.0 * f64::from(i);
        let lat = LUJIAZUI.0 + metres * angle.cos() / 111_000.0;
        let lng = LUJIAZUI.1 + metres * angle.sin() / (111_000.0 * LUJIAZUI.0.to_radians().cos());
        let w = p.db.begin_write().await?;
        volunteer::Entity::update_many()
            .col_expr(
                volunteer::Column::Status,
                Expr::value(crate::volunteer::VolunteerStatus::Verified.as_str()),
            )
            .col_expr(volunteer::Column::VerifiedAt, Expr::value(Some(Utc::now())))
            .col_expr(volunteer::Column::Available, Expr::value(true))
            .col_expr(volunteer::Column::Latitude, Expr::value(Some(lat)))
            .col_expr(volunteer::Column::Longitude, Expr::value(Some(lng)))
            .col_expr(volunteer::Column::LocationAt, Expr::value(Some(Utc::now())))
            .filter(volunteer::Column::Id.eq(v.id))
            .exec(&w.txn)
            .await?;
        w.commit().await?;
    }
    Ok(())
}

/// Give the demo region admins phones (for escalation SMS): 1390000000N.
pub async fn seed_admin_phones(p: &Platform) -> DomainResult<()> {
    let admins = account::Entity::find()
        .filter(
            account::Column::Role.is_in([Role::StreetAdmin.as_str(), Role::DistrictAdmin.as_str()]),
        )
        .all(p.db.conn())
        .await?;
    let w = p.db.begin_write().await?;
    for (i, a) in admins
        .iter()
        .enumerate()
        .filter(|(_, a)| a.phone_enc.is_none())
    {
        let phone = format!("139000000{:02}", i + 1);
        let enc = p.cipher.encrypt(
            crate::crypto::FieldAad {
                table: "accounts",
                column: "phone",
                row: &a.id,
            },
            &phone,
        )?;
        account::Entity::update_many()
            .col_expr(account::Column::PhoneEnc, Expr::value(Some(enc)))
            .filter(account::Column::Id.eq(a.id))
            .exec(&w.txn)
            .await?;
    }
    w.commit().await
}
