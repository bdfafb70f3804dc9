//! Self-registration of a volunteer: account, profile and service areas in one transaction.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{Skill, VolunteerStatus, check_password};
use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::entities::{account, volunteer, volunteer_area};
use crate::error::{DomainError, DomainResult};
use crate::types::{IdNumber, PersonName, Phone, RegionLevel};
use crate::viewer::{RequestMeta, Role};

/// `registerVolunteer` input as received.
#[derive(Debug, Clone, Default)]
pub struct VolunteerRegistration {
    /// Sign-in name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Real name.
    pub name: String,
    /// ID number (verified: GB 11643 check digit; one volunteer per ID number).
    pub id_number: String,
    /// Mobile phone.
    pub phone: String,
    /// Skills.
    pub skills: Vec<Skill>,
    /// Street-towns served (9-digit codes).
    pub service_streets: Vec<String>,
    /// Consent to location use and contact while on duty.
    pub consent: bool,
}

/// Register a volunteer (status `PENDING` until an admin verifies them).
pub async fn register(
    p: &Platform,
    reg: VolunteerRegistration,
    meta: &RequestMeta,
) -> DomainResult<volunteer::Model> {
    let username = reg.username.trim().to_owned();
    if username.len() < 3
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(DomainError::bad_input(
            "input.username",
            "用户名应为3–64位字母、数字或下划线",
        ));
    }
    check_password("input.password", &reg.password)?;
    let name = PersonName::parse("input.name", &reg.name)?;
    let id_number = IdNumber::parse("input.idNumber", &reg.id_number)?;
    let phone = Phone::parse("input.phone", &reg.phone)?;
    if !reg.consent {
        return Err(DomainError::bad_input(
            "input.consent",
            "须同意在服务期间使用位置信息和联系方式",
        ));
    }
    if reg.skills.is_empty() {
        return Err(DomainError::bad_input("input.skills", "至少选择一项技能"));
    }
    if reg.service_streets.is_empty() || reg.service_streets.len() > 20 {
        return Err(DomainError::bad_input(
            "input.serviceStreets",
            "服务街镇应为1–20个",
        ));
    }
    let mut streets = Vec::new();
    for s in &reg.service_streets {
        let code = p
            .regions
            .parse_existing("input.serviceStreets", s, RegionLevel::Street)?;
        if !streets.contains(&code) {
            streets.push(code);
        }
    }
    let hasher = p.hasher;
    let password = reg.password.clone();
    let hash = tokio::task::spawn_blocking(move || hasher.hash(&password))
        .await
        .map_err(DomainError::internal)??;

    let now = Utc::now();
    let account_id = Uuid::now_v7();
    let id = Uuid::now_v7();
    let bidx = p
        .cipher
        .blind_index("volunteers.id_number", id_number.as_str());
    let w = p.db.begin_write().await?;
    if account::Entity::find()
        .filter(account::Column::Username.eq(&username))
        .one(&w.txn)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict("用户名已被使用".to_owned()));
    }
    if volunteer::Entity::find()
        .filter(volunteer::Column::IdNumberBidx.eq(bidx.clone()))
        .one(&w.txn)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict(
            "该身份证号码已注册为志愿者".to_owned(),
        ));
    }
    account::ActiveModel::from(crate::identity::self_registered(
        account_id,
        username.clone(),
        name.as_str().to_owned(),
        hash,
        Role::Volunteer,
        now,
    ))
    .insert(&w.txn)
    .await?;
    let aad = |column| crate::crypto::FieldAad {
        table: "volunteers",
        column,
        row: &id,
    };
    let row = volunteer::Model {
        id,
        account_id,
        name: name.as_str().to_owned(),
        id_number_enc: p.cipher.encrypt(aad("id_number"), id_number.as_str())?,
        id_number_bidx: bidx,
        phone_enc: p.cipher.encrypt(aad("phone"), phone.as_str())?,
        skills: reg
            .skills
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(","),
        status: VolunteerStatus::Pending.as_str().to_owned(),
        available: false,
        latitude: None,
        longitude: None,
        location_at: None,
        consent_at: now,
        rating_sum: 0,
        rating_count: 0,
        suspension_reason: None,
        verified_at: None,
        created_at: now,
    };
    let saved = volunteer::ActiveModel::from(row).insert(&w.txn).await?;
    volunteer_area::Entity::insert_many(streets.iter().map(|s| {
        volunteer_area::ActiveModel::from(volunteer_area::Model {
            volunteer_id: id,
            street_code: s.as_str().to_owned(),
        })
    }))
    .exec(&w.txn)
    .await?;
    let actor = Actor::anonymous(&username, meta);
    let entry = AuditEntry {
        operation: "volunteer.register",
        object_type: "volunteer",
        object_id: id.to_string(),
        result: "SUCCESS".to_owned(),
        detail: String::new(),
    };
    audit::append(&w.txn, p.audit_key(), &actor, entry).await?;
    w.commit().await?;
    Ok(saved)
}

/// Decrypt a volunteer's phone.
pub fn volunteer_phone(p: &Platform, v: &volunteer::Model) -> DomainResult<String> {
    p.cipher.decrypt(
        crate::crypto::FieldAad {
            table: "volunteers",
            column: "phone",
            row: &v.id,
        },
        &v.phone_enc,
    )
}
