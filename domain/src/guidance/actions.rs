//! Claim, start, complete, cancel, rate, block. Each is one transaction whose deciding step is a
//! conditional update on the request's state: never read-then-write.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, TryInsertResult};
use uuid::Uuid;

use super::dispatch::{request_no, withdraw_offers};
use super::status::{illegal, parse};
use super::{GuidanceStatus, WHAT, aad, status_event};
use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::entities::{
    guidance_block, guidance_offer, guidance_rating, guidance_request, volunteer,
};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::sms::{self, SmsTemplate};
use crate::types::{BoundedText, Phone};
use crate::viewer::{PersonScope, RequestMeta, Role, Viewer};
use crate::volunteer::{VolunteerRepo, VolunteerStatus};

fn entry(operation: &str, id: Uuid, detail: String) -> AuditEntry<'_> {
    AuditEntry {
        operation,
        object_type: "guidance_request",
        object_id: id.to_string(),
        result: "SUCCESS".to_owned(),
        detail,
    }
}

async fn verified_volunteer(p: &Platform, viewer: &Viewer) -> DomainResult<volunteer::Model> {
    if viewer.role != Role::Volunteer {
        return Err(DomainError::Forbidden("仅志愿者可操作"));
    }
    let v = VolunteerRepo::new(&p.db)
        .by_account(viewer.account_id)
        .await?
        .ok_or(DomainError::Forbidden("仅志愿者可操作"))?;
    if v.status != VolunteerStatus::Verified.as_str() {
        return Err(DomainError::Forbidden("志愿者尚未通过审核或已被暂停"));
    }
    Ok(v)
}

async fn load(p: &Platform, id: Uuid) -> DomainResult<guidance_request::Model> {
    guidance_request::Entity::find_by_id(id)
        .one(p.db.conn())
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })
}

/// Move `id` from one of `from` to `to` with `extra` column values; `false` when the state had
/// already moved on.
async fn transition<C: sea_orm::ConnectionTrait>(
    conn: &C,
    id: Uuid,
    to: GuidanceStatus,
    extra: Vec<(guidance_request::Column, sea_orm::sea_query::SimpleExpr)>,
    guard: Option<(guidance_request::Column, Uuid)>,
) -> DomainResult<bool> {
    let mut upd = guidance_request::Entity::update_many()
        .col_expr(guidance_request::Column::Status, Expr::value(to.as_str()))
        .filter(guidance_request::Column::Id.eq(id))
        .filter(guidance_request::Column::Status.is_in(GuidanceStatus::sources_of(to)));
    for (c, v) in extra {
        upd = upd.col_expr(c, v);
    }
    if let Some((c, v)) = guard {
        upd = upd.filter(c.eq(v));
    }
    Ok(upd.exec(conn).await?.rows_affected == 1)
}

/// 认领: exactly one of any number of concurrent claimers wins; the others get `CONFLICT`.
pub async fn claim(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: Uuid,
) -> DomainResult<guidance_request::Model> {
    let v = verified_volunteer(p, viewer).await?;
    let offer = guidance_offer::Entity::find_by_id((id, v.id))
        .one(p.db.conn())
        .await?;
    let Some(offer) = offer else {
        // Not offered to this volunteer: outside their area, radius, or blocked. Do not reveal more.
        let _ = load(p, id).await?;
        return Err(DomainError::Forbidden("该需求不在您的服务范围内"));
    };
    let now = Utc::now();
    let w = p.db.begin_write().await?;
    let won = transition(
        &w.txn,
        id,
        GuidanceStatus::Claimed,
        vec![
            (
                guidance_request::Column::VolunteerId,
                Expr::value(Some(v.id)),
            ),
            (guidance_request::Column::ClaimedAt, Expr::value(Some(now))),
        ],
        None,
    )
    .await?;
    if !won {
        drop(w);
        let current = load(p, id).await?;
        if current.status == GuidanceStatus::Claimed.as_str() {
            return Err(DomainError::Conflict("该需求已被其他志愿者认领".to_owned()));
        }
        return Err(illegal(&current.status, "认领"));
    }
    if offer.withdrawn_at.is_some() {
        // Defensive: a withdrawn offer cannot win (it is withdrawn only once the state moved on).
        return Err(DomainError::Conflict("该派单已撤回".to_owned()));
    }
    let losers = withdraw_offers(&w.txn, id, Some(v.id), now).await?;
    let r = guidance_request::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })?;
    let phone = Phone::parse(
        "contactPhone",
        &p.cipher
            .decrypt(aad("contact_phone", &id), &r.contact_phone_enc)?,
    )?;
    let pin = p.cipher.decrypt(aad("pin", &id), &r.pin_enc)?;
    sms::enqueue(
        &w.txn,
        &p.cipher,
        &format!("guidance:{id}:claimed"),
        &phone,
        SmsTemplate::GuidanceClaimed,
        sms::params([("pin", pin.as_str())]),
    )
    .await?;
    audit::append(
        &w.txn,
        p.audit_key(),
        &Actor::of(viewer, meta),
        entry("guidance.claim", id, String::new()),
    )
    .await?;
    w.commit().await?;
    if !losers.is_empty() {
        p.bus.publish(DomainEvent::GuidanceWithdrawn {
            request_id: id,
            volunteer_ids: crate::events::VolunteerIds::new(losers),
        });
    }
    status_event(p, &r);
    Ok(r)
}

/// 开始服务: the claiming volunteer confirms the pickup with the requester's PIN.
pub async fn start(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: Uuid,
    pin: &str,
) -> DomainResult<guidance_request::Model> {
    let v = verified_volunteer(p, viewer).await?;
    let r = load(p, id).await?;
    if r.volunteer_id != Some(v.id) {
        return Err(DomainError::NotFound { what: WHAT });
    }
    if parse(&r.status)? != GuidanceStatus::Claimed {
        return Err(illegal(&r.status, "开始服务"));
    }
    if r.pin_failures >= 5 {
        return Err(DomainError::Conflict(
            "确认码错误次数过多，请联系需求人或街镇工作人员".to_owned(),
        ));
    }
    let expected = p.cipher.decrypt(aad("pin", &id), &r.pin_enc)?;
    let w = p.db.begin_write().await?;
    if !crate::crypto::ct_eq(expected.as_bytes(), pin.trim().as_bytes()) {
        guidance_request::Entity::update_many()
            .col_expr(
                guidance_request::Column::PinFailures,
                Expr::col(guidance_request::Column::PinFailures).add(1),
            )
            .filter(guidance_request::Column::Id.eq(id))
            .exec(&w.txn)
            .await?;
        let mut e = entry("guidance.start", id, String::new());
        e.result = "FAILURE:BAD_USER_INPUT".to_owned();
        audit::append(&w.txn, p.audit_key(), &Actor::of(viewer, meta), e).await?;
        w.commit().await?;
        return Err(DomainError::bad_input("pin", "确认码错误"));
    }
    let now = Utc::now();
    if !transition(
        &w.txn,
        id,
        GuidanceStatus::InProgress,
        vec![(guidance_request::Column::StartedAt, Expr::value(Some(now)))],
        Some((guidance_request::Column::VolunteerId, v.id)),
    )
    .await?
    {
        drop(w);
        return Err(illegal(&load(p, id).await?.status, "开始服务"));
    }
    audit::append(
        &w.txn,
        p.audit_key(),
        &Actor::of(viewer, meta),
        entry("guidance.start", id, String::new()),
    )
    .await?;
    w.commit().await?;
    let r = load(p, id).await?;
    status_event(p, &r);
    Ok(r)
}

/// 完成: the claiming volunteer or the requester closes a trip in progress.
pub async fn complete(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: Uuid,
) -> DomainResult<guidance_request::Model> {
    let r = load(p, id).await?;
    let allowed = match viewer.role {
        Role::Volunteer => VolunteerRepo::new(&p.db)
            .by_account(viewer.account_id)
            .await?
            .is_some_and(|v| r.volunteer_id == Some(v.id)),
        Role::Citizen => viewer.person_id == Some(r.person_id),
        _ => false,
    };
    if !allowed {
        return Err(DomainError::NotFound { what: WHAT });
    }
    let w = p.db.begin_write().await?;
    if !transition(
        &w.txn,
        id,
        GuidanceStatus::Completed,
        vec![(
            guidance_request::Column::CompletedAt,
            Expr::value(Some(Utc::now())),
        )],
        None,
    )
    .await?
    {
        drop(w);
        return Err(illegal(&load(p, id).await?.status, "完成"));
    }
    audit::append(
        &w.txn,
        p.audit_key(),
        &Actor::of(viewer, meta),
        entry("guidance.complete", id, String::new()),
    )
    .await?;
    w.commit().await?;
    let r = load(p, id).await?;
    status_event(p, &r);
    Ok(r)
}

/// 取消: the requester, or an admin whose scope holds the person, cancels with a reason.
pub async fn cancel(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: Uuid,
    reason: &str,
) -> DomainResult<guidance_request::Model> {
    let reason = BoundedText::parse("reason", reason, 200)?;
    let r = load(p, id).await?;
    let allowed = match viewer.role {
        Role::Citizen => viewer.person_id == Some(r.person_id),
        role if role.is_region_admin() => {
            PersonScope::of(viewer).admits(r.person_id, &r.street_code)
        }
        _ => false,
    };
    if !allowed {
        return Err(DomainError::NotFound { what: WHAT });
    }
    let now = Utc::now();
    let w = p.db.begin_write().await?;
    let extra = vec![
        (
            guidance_request::Column::CancelledAt,
            Expr::value(Some(now)),
        ),
        (
            guidance_request::Column::CancelReason,
            Expr::value(Some(reason.as_str().to_owned())),
        ),
    ];
    if !transition(&w.txn, id, GuidanceStatus::Cancelled, extra, None).await? {
        drop(w);
        return Err(illegal(&load(p, id).await?.status, "取消"));
    }
    let withdrawn = withdraw_offers(&w.txn, id, None, now).await?;
    if let Some(vid) = r.volunteer_id
        && let Some(v) = volunteer::Entity::find_by_id(vid).one(&w.txn).await?
    {
        let phone = Phone::parse("phone", &crate::volunteer::volunteer_phone(p, &v)?)?;
        let no = request_no(id);
        sms::enqueue(
            &w.txn,
            &p.cipher,
            &format!("guidance:{id}:cancelled"),
            &phone,
            SmsTemplate::GuidanceCancelled,
            sms::params([("request_no", no.as_str())]),
        )
        .await?;
    }
    audit::append(
        &w.txn,
        p.audit_key(),
        &Actor::of(viewer, meta),
        entry("guidance.cancel", id, String::new()),
    )
    .await?;
    w.commit().await?;
    if !withdrawn.is_empty() {
        p.bus.publish(DomainEvent::GuidanceWithdrawn {
            request_id: id,
            volunteer_ids: crate::events::VolunteerIds::new(withdrawn),
        });
    }
    let r = load(p, id).await?;
    status_event(p, &r);
    Ok(r)
}

/// 评价: after completion, the requester rates the volunteer and the volunteer rates the trip,
/// once each.
pub async fn rate(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: Uuid,
    stars: i32,
    comment: Option<&str>,
) -> DomainResult<()> {
    if !(1..=5).contains(&stars) {
        return Err(DomainError::bad_input("stars", "评分应为1–5星"));
    }
    let comment = comment
        .filter(|c| !c.trim().is_empty())
        .map(|c| BoundedText::parse("comment", c, 200))
        .transpose()?;
    let r = load(p, id).await?;
    let rater = match viewer.role {
        Role::Citizen if viewer.person_id == Some(r.person_id) => "REQUESTER",
        Role::Volunteer
            if VolunteerRepo::new(&p.db)
                .by_account(viewer.account_id)
                .await?
                .is_some_and(|v| r.volunteer_id == Some(v.id)) =>
        {
            "VOLUNTEER"
        }
        _ => return Err(DomainError::NotFound { what: WHAT }),
    };
    if r.status != GuidanceStatus::Completed.as_str() {
        return Err(illegal(&r.status, "评价"));
    }
    let w = p.db.begin_write().await?;
    let row = guidance_rating::Model {
        request_id: id,
        rater_role: rater.to_owned(),
        stars: stars as i16,
        comment: comment.map(BoundedText::into_string),
        created_at: Utc::now(),
    };
    guidance_rating::ActiveModel::from(row)
        .insert(&w.txn)
        .await
        .map_err(|e| match DomainError::from(e) {
            DomainError::Conflict(_) => DomainError::Conflict("已评价过该次服务".to_owned()),
            other => other,
        })?;
    if rater == "REQUESTER"
        && let Some(vid) = r.volunteer_id
    {
        volunteer::Entity::update_many()
            .col_expr(
                volunteer::Column::RatingSum,
                Expr::col(volunteer::Column::RatingSum).add(stars),
            )
            .col_expr(
                volunteer::Column::RatingCount,
                Expr::col(volunteer::Column::RatingCount).add(1),
            )
            .filter(volunteer::Column::Id.eq(vid))
            .exec(&w.txn)
            .await?;
    }
    audit::append(
        &w.txn,
        p.audit_key(),
        &Actor::of(viewer, meta),
        entry("guidance.rate", id, rater.to_owned()),
    )
    .await?;
    w.commit().await
}

/// 屏蔽: a person excludes a volunteer who served them from future matches.
pub async fn block_volunteer(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    volunteer_id: Uuid,
    reason: Option<&str>,
) -> DomainResult<()> {
    let (Role::Citizen, Some(person_id)) = (viewer.role, viewer.person_id) else {
        return Err(DomainError::Forbidden("仅需求人可屏蔽志愿者"));
    };
    let served = guidance_request::Entity::find()
        .filter(guidance_request::Column::PersonId.eq(person_id))
        .filter(guidance_request::Column::VolunteerId.eq(volunteer_id))
        .one(p.db.conn())
        .await?;
    if served.is_none() {
        return Err(DomainError::NotFound { what: "志愿者" });
    }
    let reason = reason
        .filter(|r| !r.trim().is_empty())
        .map(|r| BoundedText::parse("reason", r, 200))
        .transpose()?;
    let w = p.db.begin_write().await?;
    let row = guidance_block::Model {
        person_id,
        volunteer_id,
        reason: reason.map(BoundedText::into_string),
        created_at: Utc::now(),
    };
    let res = guidance_block::Entity::insert(guidance_block::ActiveModel::from(row))
        .on_conflict(
            OnConflict::columns([
                guidance_block::Column::PersonId,
                guidance_block::Column::VolunteerId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .try_insert()
        .exec(&w.txn)
        .await;
    match res {
        Ok(TryInsertResult::Inserted(_) | TryInsertResult::Conflicted | TryInsertResult::Empty)
        | Err(sea_orm::DbErr::RecordNotInserted) => {}
        Err(e) => return Err(e.into()),
    }
    let e = AuditEntry {
        operation: "guidance.block",
        object_type: "volunteer",
        object_id: volunteer_id.to_string(),
        result: "SUCCESS".to_owned(),
        detail: String::new(),
    };
    audit::append(&w.txn, p.audit_key(), &Actor::of(viewer, meta), e).await?;
    w.commit().await
}
