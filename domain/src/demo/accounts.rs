//! One demo account per role (embedded default only). All share the demo password.

use sea_orm::{ActiveModelTrait, Set};

use super::people::PeopleGenerator;
use crate::crypto::{FieldCipher, PasswordHasher};
use crate::db::Db;
use crate::error::DomainResult;
use crate::identity::{AccountRepo, NewAccount};
use crate::person::encrypt_row;
use crate::region::RegionDirectory;
use crate::types::{DisabilityCategory, RegionCode};
use crate::viewer::Role;

/// A demo account.
#[derive(Debug, Clone, Copy)]
pub struct DemoAccount {
    /// Username.
    pub username: &'static str,
    /// Display name.
    pub display_name: &'static str,
    /// Role.
    pub role: Role,
    /// Bound region.
    pub region: Option<&'static str>,
}

/// The demo accounts (README lists them); the demo volunteers come from `seed_demo_volunteers`.
pub const DEMO_ACCOUNTS: [DemoAccount; 10] = [
    DemoAccount {
        username: "city_admin",
        display_name: "市残联管理员",
        role: Role::CityAdmin,
        region: Some("310000"),
    },
    DemoAccount {
        username: "district_admin_310115",
        display_name: "浦东新区残联管理员",
        role: Role::DistrictAdmin,
        region: Some("310115"),
    },
    DemoAccount {
        username: "district_checker_310115",
        display_name: "浦东新区残联复核员",
        role: Role::DistrictAdmin,
        region: Some("310115"),
    },
    DemoAccount {
        username: "district_admin_310101",
        display_name: "黄浦区残联管理员",
        role: Role::DistrictAdmin,
        region: Some("310101"),
    },
    DemoAccount {
        username: "street_admin_310115005",
        display_name: "陆家嘴街道残联管理员",
        role: Role::StreetAdmin,
        region: Some("310115005"),
    },
    DemoAccount {
        username: "street_admin_310101002",
        display_name: "南京东路街道残联管理员",
        role: Role::StreetAdmin,
        region: Some("310101002"),
    },
    DemoAccount {
        username: "system_admin",
        display_name: "系统管理员",
        role: Role::SystemAdmin,
        region: None,
    },
    DemoAccount {
        username: "security_admin",
        display_name: "安全管理员",
        role: Role::SecurityAdmin,
        region: None,
    },
    DemoAccount {
        username: "auditor",
        display_name: "安全审计员",
        role: Role::Auditor,
        region: None,
    },
    DemoAccount {
        username: "citizen_demo",
        display_name: "演示残疾人",
        role: Role::Citizen,
        region: None,
    },
];

/// The published second-factor secret of every demo staff account (base32 of
/// `zhucan-demo-totp-key`). `zhucan otp ACCOUNT` prints the current code. The production profile
/// has no demo accounts.
pub const DEMO_TOTP_SECRET: &str = "PJUHKY3BNYWWIZLNN4WXI33UOAWWWZLZ";

/// Give a demo staff account the published second-factor secret, confirmed.
pub async fn set_demo_second_factor(
    db: &Db,
    cipher: &FieldCipher,
    username: &str,
) -> DomainResult<()> {
    use sea_orm::ActiveModelTrait;
    let Some(a) = AccountRepo::new(db).by_username(username).await? else {
        return Ok(());
    };
    let enc = cipher.encrypt(crate::identity::staff::totp_aad(&a.id), DEMO_TOTP_SECRET)?;
    let w = db.begin_write().await?;
    let mut m: crate::entities::account::ActiveModel = a.into();
    m.totp_secret_enc = Set(Some(enc));
    m.totp_confirmed = Set(true);
    m.update(&w.txn).await?;
    w.commit().await
}

/// Create the demo accounts; `citizen_demo` gets a registry record with a vision disability
/// certificate in 陆家嘴街道 (310115005).
pub async fn seed_demo_accounts(
    db: &Db,
    cipher: &FieldCipher,
    regions: &RegionDirectory,
    hasher: &PasswordHasher,
    password: &str,
) -> DomainResult<()> {
    let repo = AccountRepo::new(db);
    for a in DEMO_ACCOUNTS {
        if repo.by_username(a.username).await?.is_some() {
            continue;
        }
        let person_id = if a.role == Role::Citizen {
            let mut generator = PeopleGenerator::new(regions, 2026);
            let street = RegionCode::from_trusted("310115005".to_owned());
            let committee = regions
                .children(Some("310115005"))
                .first()
                .map(|c| c.code.clone());
            let new = generator
                .next_person(Some((street, committee)), Some(DisabilityCategory::Vision))?;
            let id = uuid::Uuid::now_v7();
            let hid = uuid::Uuid::now_v7();
            let now = chrono::Utc::now();
            let w = db.begin_write().await?;
            crate::entities::household::ActiveModel {
                id: Set(hid),
                street_code: Set("310115005".to_owned()),
                created_at: Set(now),
            }
            .insert(&w.txn)
            .await?;
            crate::entities::person::ActiveModel::from(encrypt_row(cipher, &new, id, hid, now)?)
                .insert(&w.txn)
                .await?;
            w.commit().await?;
            Some(id)
        } else {
            None
        };
        repo.create(
            hasher,
            NewAccount {
                username: a.username.to_owned(),
                display_name: a.display_name.to_owned(),
                password: password.to_owned(),
                role: Some(a.role),
                origin: if a.role == Role::Citizen {
                    crate::identity::AccountOrigin::SelfRegistered
                } else {
                    crate::identity::AccountOrigin::Operator
                },
                region: a.region.map(|r| RegionCode::from_trusted(r.to_owned())),
                person_id,
                // Demo accounts skip the first-sign-in password change.
                must_change_password: false,
            },
        )
        .await?;
        if crate::identity::staff::needs_second_factor(a.role) {
            set_demo_second_factor(db, cipher, a.username).await?;
        }
    }
    Ok(())
}
