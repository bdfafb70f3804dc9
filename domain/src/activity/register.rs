//! Registration: a place or the waitlist, decided under the activity row's lock; cancellation
//! hands the place to the first on the waitlist; everyone affected is told by inbox and SMS.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::{
    ActivityStatus, Audience, RegistrationStatus, WHAT, WHAT_REGISTRATION, store::status_zh,
};
use crate::crypto::FieldCipher;
use crate::db::WriteTxn;
use crate::eligibility::{Evaluator, Facts, granted_keys, rule};
use crate::entities::{activity, activity_registration, eligibility_rule, inbox_message, person};
use crate::error::{DomainError, DomainResult};
use crate::sms::{self, SmsTemplate};
use crate::types::Phone;

/// Lock the activity's row for the rest of the transaction (an update of its arrival counter:
/// `arrive` hands out the next arrival number, otherwise it is set to itself) and answer the row
/// as locked.
async fn lock<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    arrive: bool,
) -> DomainResult<activity::Model> {
    activity::Entity::update_many()
        .col_expr(
            activity::Column::ArrivalSeq,
            Expr::col(activity::Column::ArrivalSeq).add(i64::from(arrive)),
        )
        .filter(activity::Column::Id.eq(id))
        .exec(conn)
        .await?;
    activity::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })
}

/// Whether `row` belongs to the activity's audience (`CONFLICT` saying why not).
pub(crate) async fn check_audience<C: ConnectionTrait>(
    conn: &C,
    audience: &Audience,
    row: &person::Model,
) -> DomainResult<()> {
    match audience {
        Audience::All => Ok(()),
        Audience::Categories(list) => {
            if list
                .iter()
                .any(|c| i32::from(c.code()) == i32::from(row.category))
            {
                Ok(())
            } else {
                let names: Vec<&str> = list.iter().map(|c| c.name_zh()).collect();
                Err(DomainError::Conflict(format!(
                    "该活动仅面向{}",
                    names.join("、")
                )))
            }
        }
        Audience::Rule(rule_id) => {
            let rule = eligibility_rule::Entity::find_by_id(*rule_id)
                .one(conn)
                .await?
                .ok_or_else(|| DomainError::internal("activity audience rule missing"))?;
            let compiled = rule::compiled(rule.id, &rule.conditions)?;
            let granted = granted_keys(conn, row.id).await?;
            let facts = Facts::of(
                row,
                Utc::now().date_naive(),
                granted.into_iter().map(|(_, k)| k).collect(),
            );
            if Evaluator::default().holds(&compiled, &facts) {
                Ok(())
            } else {
                Err(DomainError::Conflict(
                    "该活动仅面向符合指定条件的人员，您暂不符合".to_owned(),
                ))
            }
        }
    }
}

/// Why registration is not open now, if it is not.
pub(crate) fn window_refusal(a: &activity::Model) -> Option<String> {
    let status = ActivityStatus::from_stored(&a.status);
    let now = Utc::now();
    if status != ActivityStatus::Published {
        return Some(format!("活动{}，不能报名", status_zh(status)));
    }
    if now < a.registration_opens_at {
        return Some(format!(
            "报名尚未开始（{}开始）",
            a.registration_opens_at
                .with_timezone(&super::shanghai())
                .format("%Y-%m-%d %H:%M")
        ));
    }
    if now >= a.registration_closes_at {
        return Some("报名已截止".to_owned());
    }
    None
}

/// Register `who` inside `w`: the activity row is locked first, so the decision between a
/// place and the waitlist sees every registration committed before it.
pub(crate) async fn register(
    w: &WriteTxn<'_>,
    activity_id: Uuid,
    who: &person::Model,
    needs: String,
    companions: i32,
    registered_by: &str,
) -> DomainResult<activity_registration::Model> {
    let a = lock(&w.txn, activity_id, true).await?;
    if let Some(why) = window_refusal(&a) {
        return Err(DomainError::Conflict(why));
    }
    let existing = activity_registration::Entity::find()
        .filter(activity_registration::Column::ActivityId.eq(a.id))
        .filter(activity_registration::Column::PersonId.eq(who.id))
        .one(&w.txn)
        .await?;
    if let Some(e) = &existing
        && e.status != RegistrationStatus::Cancelled.as_str()
    {
        return Err(DomainError::Conflict(
            if e.status == RegistrationStatus::Waitlisted.as_str() {
                "已在候补名单中，无需重复报名"
            } else {
                "已报名该活动，无需重复报名"
            }
            .to_owned(),
        ));
    }
    let status = if a.confirmed < a.capacity {
        RegistrationStatus::Confirmed
    } else {
        RegistrationStatus::Waitlisted
    };
    let counter = match status {
        RegistrationStatus::Confirmed => activity::Column::Confirmed,
        _ => activity::Column::Waitlisted,
    };
    activity::Entity::update_many()
        .col_expr(counter, Expr::col(counter).add(1))
        .filter(activity::Column::Id.eq(a.id))
        .exec(&w.txn)
        .await?;
    let now = Utc::now();
    let fields = |m: &mut activity_registration::ActiveModel| {
        m.district_code = Set(who.district_code.clone());
        m.street_code = Set(who.street_code.clone());
        m.status = Set(status.as_str().to_owned());
        m.position = Set(a.arrival_seq);
        m.needs = Set(needs.clone());
        m.companions = Set(companions);
        m.registered_by = Set(registered_by.chars().take(64).collect());
        m.created_at = Set(now);
        m.updated_at = Set(None);
        m.checked_in_at = Set(None);
        m.check_in_method = Set(None);
        m.excused_by = Set(None);
        m.excuse_reason = Set(None);
    };
    let row = match existing {
        Some(e) => {
            let mut m: activity_registration::ActiveModel = e.into();
            fields(&mut m);
            m.update(&w.txn).await?
        }
        None => {
            let mut m = activity_registration::ActiveModel {
                id: Set(Uuid::now_v7()),
                activity_id: Set(a.id),
                person_id: Set(who.id),
                ..Default::default()
            };
            fields(&mut m);
            m.insert(&w.txn).await?
        }
    };
    Ok(row)
}

/// What cancelling did.
pub(crate) struct Cancelled {
    pub row: activity_registration::Model,
    /// The registration that took the freed place.
    pub promoted: Option<activity_registration::Model>,
    pub activity: activity::Model,
}

/// Cancel `id` inside `w`; a freed place goes to the first on the waitlist.
pub(crate) async fn cancel(
    w: &WriteTxn<'_>,
    reg: &activity_registration::Model,
) -> DomainResult<Cancelled> {
    let a = lock(&w.txn, reg.activity_id, false).await?;
    let status = ActivityStatus::from_stored(&a.status);
    if !matches!(
        status,
        ActivityStatus::Published | ActivityStatus::RegistrationClosed
    ) {
        return Err(DomainError::Conflict(format!(
            "活动{}，不能取消报名",
            status_zh(status)
        )));
    }
    // Re-read under the lock: a concurrent cancellation may have come first.
    let current = activity_registration::Entity::find_by_id(reg.id)
        .one(&w.txn)
        .await?
        .ok_or(DomainError::NotFound {
            what: WHAT_REGISTRATION,
        })?;
    let was = RegistrationStatus::from_stored(&current.status);
    if was == RegistrationStatus::Cancelled {
        return Err(DomainError::Conflict("该报名已取消".to_owned()));
    }
    let now = Utc::now();
    let mut m: activity_registration::ActiveModel = current.into();
    m.status = Set(RegistrationStatus::Cancelled.as_str().to_owned());
    m.updated_at = Set(Some(now));
    let row = m.update(&w.txn).await?;
    let counter = match was {
        RegistrationStatus::Confirmed => activity::Column::Confirmed,
        _ => activity::Column::Waitlisted,
    };
    activity::Entity::update_many()
        .col_expr(counter, Expr::col(counter).sub(1))
        .filter(activity::Column::Id.eq(a.id))
        .exec(&w.txn)
        .await?;
    let promoted = if was == RegistrationStatus::Confirmed {
        promote(&w.txn, a.id, 1).await?.pop()
    } else {
        None
    };
    Ok(Cancelled {
        row,
        promoted,
        activity: a,
    })
}

/// Move the first `n` of the waitlist to confirmed places (the activity row must be locked).
pub(crate) async fn promote<C: ConnectionTrait>(
    conn: &C,
    activity_id: Uuid,
    n: u64,
) -> DomainResult<Vec<activity_registration::Model>> {
    use sea_orm::QuerySelect;
    if n == 0 {
        return Ok(Vec::new());
    }
    let next = activity_registration::Entity::find()
        .filter(activity_registration::Column::ActivityId.eq(activity_id))
        .filter(activity_registration::Column::Status.eq(RegistrationStatus::Waitlisted.as_str()))
        .order_by_asc(activity_registration::Column::Position)
        .limit(n)
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(next.len());
    let now = Utc::now();
    for r in next {
        let mut m: activity_registration::ActiveModel = r.into();
        m.status = Set(RegistrationStatus::Confirmed.as_str().to_owned());
        m.updated_at = Set(Some(now));
        out.push(m.update(conn).await?);
    }
    let moved = i32::try_from(out.len()).unwrap_or(i32::MAX);
    if moved > 0 {
        activity::Entity::update_many()
            .col_expr(
                activity::Column::Confirmed,
                Expr::col(activity::Column::Confirmed).add(moved),
            )
            .col_expr(
                activity::Column::Waitlisted,
                Expr::col(activity::Column::Waitlisted).sub(moved),
            )
            .filter(activity::Column::Id.eq(activity_id))
            .exec(conn)
            .await?;
    }
    Ok(out)
}

/// Tell `persons` about `a` by inbox message and SMS (queued in the outbox, sent after commit
/// by the outbox worker).
pub(crate) async fn notify<C: ConnectionTrait>(
    conn: &C,
    cipher: &FieldCipher,
    a: &activity::Model,
    persons: &[Uuid],
    template: SmsTemplate,
) -> DomainResult<()> {
    if persons.is_empty() {
        return Ok(());
    }
    let rows = person::Entity::find()
        .filter(person::Column::Id.is_in(persons.iter().copied()))
        .all(conn)
        .await?;
    let title: String = a.title.chars().take(sms::MAX_PARAM_CHARS).collect();
    let (heading, body) = match template {
        SmsTemplate::ActivityCancelled => (
            format!("活动取消：{}", a.title),
            format!(
                "您报名的“{}”已取消。原因：{}。给您带来不便，敬请谅解。",
                a.title,
                a.cancel_reason.as_deref().unwrap_or("组织方取消")
            ),
        ),
        _ => (
            format!("候补成功：{}", a.title),
            format!(
                "有人取消了报名，您已从候补转为正式报名“{}”，请按时参加；如不能参加请及时取消。",
                a.title
            ),
        ),
    };
    let now = Utc::now();
    let mut inbox = Vec::with_capacity(rows.len());
    let mut texts = Vec::new();
    for r in &rows {
        inbox.push(inbox_message::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(r.id),
            kind: Set(template.code().to_owned()),
            title: Set(heading.chars().take(200).collect()),
            body: Set(body.chars().take(1000).collect()),
            ref_id: Set(Some(a.id)),
            created_at: Set(now),
            read_at: Set(None),
        });
        if let Some(enc) = &r.phone_enc
            && let Ok(plain) = cipher.decrypt(crate::person::aad("phone", &r.id), enc)
            && let Ok(phone) = Phone::parse("phone", &plain)
        {
            texts.push((
                format!(
                    "{}:{}:{}:{}",
                    template.code(),
                    a.id.simple(),
                    r.id.simple(),
                    now.timestamp_millis()
                ),
                phone,
                template,
                sms::params([("activity", title.as_str())]),
            ));
        }
    }
    inbox_message::Entity::insert_many(inbox).exec(conn).await?;
    sms::enqueue_many(conn, cipher, texts).await?;
    Ok(())
}
