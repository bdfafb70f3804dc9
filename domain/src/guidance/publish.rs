//! Publishing a trip: a certified person with a vision disability (or their family, through the
//! citizen account bound to that person) asks to be accompanied.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait};
use uuid::Uuid;

use super::{GuidanceStatus, aad, offer_round, status_event};
use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::entities::{guidance_request, person};
use crate::error::{DomainError, DomainResult};
use crate::policy::SensitiveField;
use crate::types::{BoundedText, DisabilityCategory, Phone};
use crate::viewer::{RequestMeta, Role, Viewer};
use crate::volunteer::parse_shanghai_location;

/// `publishGuidanceRequest` input as received.
#[derive(Debug, Clone, Default)]
pub struct GuidanceDraft {
    /// Where to meet.
    pub pickup_address: String,
    /// Pickup latitude (WGS-84).
    pub pickup_latitude: f64,
    /// Pickup longitude.
    pub pickup_longitude: f64,
    /// Where to go.
    pub destination: String,
    /// When; `None` means now.
    pub pickup_time: Option<DateTime<Utc>>,
    /// What help is needed.
    pub needs: String,
    /// Contact phone; defaults to the person's registered phone.
    pub contact_phone: Option<String>,
}

/// Publish a request and make the first round of offers.
pub async fn publish(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    draft: GuidanceDraft,
) -> DomainResult<guidance_request::Model> {
    let (Role::Citizen, Some(person_id)) = (viewer.role, viewer.person_id) else {
        return Err(DomainError::Forbidden(
            "仅持证视力残疾人本人或家属可发布助盲出行需求",
        ));
    };
    let pickup_address = BoundedText::parse("input.pickupAddress", &draft.pickup_address, 200)?;
    let destination = BoundedText::parse("input.destination", &draft.destination, 200)?;
    let needs = BoundedText::parse("input.needs", &draft.needs, 200)?;
    let (lat, lng) = parse_shanghai_location(draft.pickup_latitude, draft.pickup_longitude)
        .map_err(|e| e.in_field("input"))?;
    let now = Utc::now();
    let pickup_time = draft.pickup_time.unwrap_or(now);
    if pickup_time < now - Duration::minutes(5) {
        return Err(DomainError::bad_input(
            "input.pickupTime",
            "出发时间不能早于当前时间",
        ));
    }
    if pickup_time > now + Duration::days(30) {
        return Err(DomainError::bad_input(
            "input.pickupTime",
            "只能预约30天内的出行",
        ));
    }
    let person = person::Entity::find_by_id(person_id)
        .one(p.db.conn())
        .await?
        .ok_or(DomainError::NotFound { what: "残疾人" })?;
    if person.status != "ACTIVE" || person.category != DisabilityCategory::Vision.code() {
        return Err(DomainError::Forbidden("助盲出行服务面向持证视力残疾人"));
    }
    let contact = match draft
        .contact_phone
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        Some(c) => Phone::parse("input.contactPhone", c)?,
        None => {
            let registered = crate::person::Person::from_row(person.clone())
                .decrypt(&p.cipher, SensitiveField::Phone)?;
            let Some(registered) = registered else {
                return Err(DomainError::bad_input(
                    "input.contactPhone",
                    "档案中没有手机号码，请填写联系电话",
                ));
            };
            Phone::parse("input.contactPhone", &registered)?
        }
    };
    let id = Uuid::now_v7();
    let pin = format!("{:04}", rand::random_range(0..10_000u32));
    let cfg = &p.dispatch;
    let first_radius = cfg.radii_m.first().copied().unwrap_or(1_000);
    let row = guidance_request::Model {
        id,
        person_id,
        requested_by: viewer.account_id,
        street_code: person.street_code.clone(),
        pickup_address_enc: p
            .cipher
            .encrypt(aad("pickup_address", &id), pickup_address.as_str())?,
        pickup_latitude: lat,
        pickup_longitude: lng,
        destination_enc: p
            .cipher
            .encrypt(aad("destination", &id), destination.as_str())?,
        pickup_time,
        needs: needs.into_string(),
        contact_phone_enc: p
            .cipher
            .encrypt(aad("contact_phone", &id), contact.as_str())?,
        pin_enc: p.cipher.encrypt(aad("pin", &id), &pin)?,
        status: GuidanceStatus::Open.as_str().to_owned(),
        volunteer_id: None,
        radius_m: first_radius,
        next_widen_at: now + cfg.widen_every,
        escalate_at: now + cfg.escalate_after,
        expires_at: pickup_time.max(now) + cfg.expire_after_pickup,
        pin_failures: 0,
        cancel_reason: None,
        created_at: now,
        offered_at: None,
        claimed_at: None,
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        expired_at: None,
        escalated_at: None,
    };
    let w = p.db.begin_write().await?;
    let saved = guidance_request::ActiveModel::from(row)
        .insert(&w.txn)
        .await?;
    let actor = Actor::of(viewer, meta);
    let entry = AuditEntry {
        operation: "guidance.publish",
        object_type: "guidance_request",
        object_id: id.to_string(),
        result: "SUCCESS".to_owned(),
        detail: String::new(),
    };
    audit::append(&w.txn, p.audit_key(), &actor, entry).await?;
    w.commit().await?;
    status_event(p, &saved);
    offer_round(p, &saved).await?;
    Ok(guidance_request::Entity::find_by_id(id)
        .one(p.db.conn())
        .await?
        .unwrap_or(saved))
}
