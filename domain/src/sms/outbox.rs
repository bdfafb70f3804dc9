//! The outbox: enqueue inside the caller's transaction; claim, mark sent, mark failed for the
//! worker. Claims are one conditional `UPDATE` per row, so that two workers (on two nodes) never
//! hold the same row.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TryInsertResult,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Backoff, SmsSendError, SmsTemplate};
use crate::crypto::{FieldAad, FieldCipher};
use crate::db::Db;
use crate::entities::sms_outbox::{self, Column, Entity};
use crate::error::{DomainError, DomainResult};
use crate::types::Phone;

/// Longest dedupe key, in characters.
pub const MAX_DEDUPE_KEY_CHARS: usize = 128;
const MAX_ERROR_CHARS: usize = 500;
const MAX_MESSAGE_ID_CHARS: usize = 128;

/// Where an outbox row is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsStatus {
    /// Waiting for `next_attempt_at`.
    Pending,
    /// Claimed by a worker until `locked_until`.
    Sending,
    /// Accepted by the gateway.
    Sent,
    /// Given up: a permanent error or too many attempts.
    Failed,
}

impl SmsStatus {
    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Sending => "SENDING",
            Self::Sent => "SENT",
            Self::Failed => "FAILED",
        }
    }

    /// The status of a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pending, Self::Sending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == code)
    }
}

/// The associated data of a row's secret parameters (temporary passwords).
pub fn params_aad(id: &Uuid) -> FieldAad<'_> {
    FieldAad {
        table: "sms_outbox",
        column: "params",
        row: id,
    }
}

/// Prefix of stored parameters that are SM4-GCM ciphertext (hex) rather than JSON.
const SECRET_PARAMS: &str = "enc:";

/// The associated data of a row's phone ciphertext.
pub fn phone_aad(id: &Uuid) -> FieldAad<'_> {
    FieldAad {
        table: "sms_outbox",
        column: "phone",
        row: id,
    }
}

fn now_micros(now: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

fn later(now: DateTime<Utc>, by: Duration) -> DomainResult<DateTime<Utc>> {
    TimeDelta::from_std(by)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| DomainError::internal("SMS outbox: time out of range"))
}

/// Queue an SMS inside the caller's transaction, so that it is sent if and only if the change
/// that causes it commits. Returns `false` (and writes nothing) when an SMS with `dedupe_key` was
/// already queued: one event, one SMS.
///
/// Uses `INSERT … ON CONFLICT (dedupe_key) DO NOTHING`, which never aborts the caller's
/// PostgreSQL transaction. The parameters are checked against the template first (see
/// [`SmsTemplate::check`]).
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    cipher: &FieldCipher,
    dedupe_key: &str,
    phone: &Phone,
    template: SmsTemplate,
    params: Map<String, Value>,
) -> DomainResult<bool> {
    let row = outbox_row(cipher, dedupe_key, phone, template, params)?;
    let inserted = Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec(conn)
        .await;
    match inserted {
        Ok(TryInsertResult::Inserted(_)) => Ok(true),
        Ok(TryInsertResult::Conflicted | TryInsertResult::Empty)
        | Err(DbErr::RecordNotInserted) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// One SMS of a batch for [`enqueue_many`]: dedupe key, phone, template, parameters.
pub type Queued = (String, Phone, SmsTemplate, Map<String, Value>);

/// Queue many SMS inside the caller's transaction, as [`enqueue`] does one, with a statement
/// per 500 messages instead of one each (a grant job's page of 2,000 people, or a policy push's
/// 1,000, was 2,000 round trips to PostgreSQL). Every message is checked before anything is
/// written; those whose dedupe key was already queued are skipped. Returns how many were new.
pub async fn enqueue_many<C: ConnectionTrait>(
    conn: &C,
    cipher: &FieldCipher,
    messages: Vec<Queued>,
) -> DomainResult<u64> {
    let rows = messages
        .into_iter()
        .map(|(key, phone, template, params)| outbox_row(cipher, &key, &phone, template, params))
        .collect::<DomainResult<Vec<_>>>()?;
    let mut queued = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        // 13 columns a row: 500 rows stay far inside PostgreSQL's 65,535 bind parameters.
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        queued += Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::column(Column::DedupeKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(queued)
}

/// A checked, encrypted outbox row.
fn outbox_row(
    cipher: &FieldCipher,
    dedupe_key: &str,
    phone: &Phone,
    template: SmsTemplate,
    params: Map<String, Value>,
) -> DomainResult<sms_outbox::ActiveModel> {
    if dedupe_key.trim().is_empty() || dedupe_key.chars().count() > MAX_DEDUPE_KEY_CHARS {
        return Err(DomainError::bad_input(
            "dedupeKey",
            format!("短信去重键应为1–{MAX_DEDUPE_KEY_CHARS}个字符"),
        ));
    }
    if dedupe_key.contains(phone.as_str()) {
        return Err(DomainError::bad_input(
            "dedupeKey",
            "短信去重键不得包含手机号码",
        ));
    }
    template.check(&params)?;
    let id = Uuid::now_v7();
    let now = now_micros(Utc::now());
    let params = Value::Object(params).to_string();
    let params = if template.has_secret_params() {
        format!(
            "{SECRET_PARAMS}{}",
            hex::encode(cipher.encrypt(params_aad(&id), &params)?)
        )
    } else {
        params
    };
    Ok(sms_outbox::ActiveModel {
        id: Set(id),
        dedupe_key: Set(dedupe_key.to_owned()),
        template: Set(template.code().to_owned()),
        params: Set(params),
        phone_enc: Set(cipher.encrypt(phone_aad(&id), phone.as_str())?),
        status: Set(SmsStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        gateway_message_id: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    })
}

/// Rows a worker may take at `now`: pending and due, or sending with an expired lease.
fn due(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(Column::Status.eq(SmsStatus::Pending.as_str()))
                .add(Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(Column::Status.eq(SmsStatus::Sending.as_str()))
                .add(Column::LockedUntil.lt(now)),
        )
}

/// Claim up to `limit` due rows for `lease`: each moves to `SENDING` with `locked_until =
/// now + lease` and one more attempt, by a conditional `UPDATE` that only one worker can win.
/// Returns the claimed rows (as updated) with their decrypted phone numbers.
///
/// A row whose lease expired after its last allowed attempt becomes `FAILED` instead. A row whose
/// phone cannot be decrypted is rescheduled as a failed attempt and not returned.
pub async fn claim_due(
    db: &Db,
    cipher: &FieldCipher,
    now: DateTime<Utc>,
    limit: u64,
    lease: Duration,
    backoff: &Backoff,
) -> DomainResult<Vec<(sms_outbox::Model, Phone)>> {
    let now = now_micros(now);
    let lease_until = now_micros(later(now, lease)?);
    let candidates = Entity::find()
        .filter(due(now))
        .order_by_asc(Column::NextAttemptAt)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for row in candidates {
        let attempts = u32::try_from(row.attempts).unwrap_or(0);
        if row.status == SmsStatus::Sending.as_str() && backoff.exhausted(attempts) {
            give_up_expired(db, &row, now).await?;
            continue;
        }
        let w = db.begin_write().await?;
        let won = Entity::update_many()
            .col_expr(Column::Status, Expr::value(SmsStatus::Sending.as_str()))
            .col_expr(Column::LockedUntil, Expr::value(Some(lease_until)))
            .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
            .filter(Column::Id.eq(row.id))
            .filter(due(now))
            .exec(&w.txn)
            .await?
            .rows_affected
            == 1;
        w.commit().await?;
        if !won {
            continue;
        }
        let row = sms_outbox::Model {
            status: SmsStatus::Sending.as_str().to_owned(),
            locked_until: Some(lease_until),
            attempts: row.attempts.saturating_add(1),
            ..row
        };
        let phone = cipher
            .decrypt(phone_aad(&row.id), &row.phone_enc)
            .and_then(|plain| Phone::parse("phone", &plain));
        match phone {
            Ok(phone) => claimed.push((row, phone)),
            Err(_) => {
                tracing::warn!(sms_id = %row.id, template = %row.template, "SMS recipient cannot be decrypted");
                mark_failed(
                    db,
                    &row,
                    &SmsSendError::Retryable("recipient cannot be decrypted".to_owned()),
                    now,
                    backoff,
                )
                .await?;
            }
        }
    }
    Ok(claimed)
}

async fn give_up_expired(db: &Db, row: &sms_outbox::Model, now: DateTime<Utc>) -> DomainResult<()> {
    let w = db.begin_write().await?;
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value(SmsStatus::Failed.as_str()))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            Column::LastError,
            Expr::value("lease expired after the last allowed attempt"),
        )
        .filter(Column::Id.eq(row.id))
        .filter(Column::Status.eq(SmsStatus::Sending.as_str()))
        .filter(Column::LockedUntil.lt(now))
        .exec(&w.txn)
        .await?;
    w.commit().await?;
    if res.rows_affected == 1 {
        tracing::warn!(sms_id = %row.id, template = %row.template, attempts = row.attempts, "SMS given up: lease expired after the last attempt");
    }
    Ok(())
}

/// Render a claimed row's text (secret parameters are decrypted for this only).
pub fn render(cipher: &FieldCipher, row: &sms_outbox::Model) -> DomainResult<String> {
    let template = SmsTemplate::from_code(&row.template)
        .ok_or_else(|| DomainError::internal(format!("unknown SMS template {}", row.template)))?;
    let json = match row.params.strip_prefix(SECRET_PARAMS) {
        Some(enc) => {
            let bytes = hex::decode(enc)
                .map_err(|_| DomainError::internal("secret SMS parameters are not hex"))?;
            cipher.decrypt(params_aad(&row.id), &bytes)?
        }
        None => row.params.clone(),
    };
    let params: Map<String, Value> = serde_json::from_str(&json).map_err(DomainError::internal)?;
    template.render(&params)
}

/// Record that the gateway accepted the SMS. Returns `false` when it was already marked sent.
pub async fn mark_sent(
    db: &Db,
    id: Uuid,
    gateway_message_id: &str,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let message_id: String = gateway_message_id
        .chars()
        .take(MAX_MESSAGE_ID_CHARS)
        .collect();
    let w = db.begin_write().await?;
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value(SmsStatus::Sent.as_str()))
        .col_expr(Column::GatewayMessageId, Expr::value(Some(message_id)))
        .col_expr(Column::SentAt, Expr::value(Some(now_micros(now))))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        // A temporary password has no business in storage once delivered.
        .col_expr(
            Column::Params,
            Expr::cust(format!(
                "CASE WHEN params LIKE '{SECRET_PARAMS}%' THEN '{SECRET_PARAMS}' ELSE params END"
            )),
        )
        .filter(Column::Id.eq(id))
        .filter(Column::Status.ne(SmsStatus::Sent.as_str()))
        .exec(&w.txn)
        .await?;
    w.commit().await?;
    Ok(res.rows_affected == 1)
}

/// Record a failed attempt of a claimed row: a retryable error reschedules it after
/// [`Backoff::delay_after`] (`PENDING`) until the attempts are exhausted; a permanent error, or
/// the last attempt, ends it (`FAILED`). Returns the new status, or `None` when the row is no
/// longer `SENDING` (another worker finished it after this worker's lease expired).
pub async fn mark_failed(
    db: &Db,
    row: &sms_outbox::Model,
    error: &SmsSendError,
    now: DateTime<Utc>,
    backoff: &Backoff,
) -> DomainResult<Option<SmsStatus>> {
    let attempts = u32::try_from(row.attempts).unwrap_or(0);
    let status = if error.is_retryable() && !backoff.exhausted(attempts) {
        SmsStatus::Pending
    } else {
        SmsStatus::Failed
    };
    let message: String = scrub_numbers(&error.to_string())
        .chars()
        .take(MAX_ERROR_CHARS)
        .collect();
    let mut update = Entity::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::LastError, Expr::value(Some(message)));
    if status == SmsStatus::Pending {
        let next = now_micros(later(now, backoff.delay_after(attempts))?);
        update = update.col_expr(Column::NextAttemptAt, Expr::value(next));
    }
    let w = db.begin_write().await?;
    let res = update
        .filter(Column::Id.eq(row.id))
        .filter(Column::Status.eq(SmsStatus::Sending.as_str()))
        .exec(&w.txn)
        .await?;
    w.commit().await?;
    Ok((res.rows_affected == 1).then_some(status))
}

/// Replace every run of digits (with spaces, `+` or `-` between them) holding 7 or more digits
/// by `***`, so that an error text echoed by a gateway cannot carry a phone number into storage.
pub fn scrub_numbers(text: &str) -> String {
    fn flush(out: &mut String, run: &mut String) {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= 7 {
            let core = run.trim_matches(|c| c == ' ' || c == '-');
            let lead = &run[..run.len() - run.trim_start_matches([' ', '-']).len()];
            let trail = &run[run.trim_end_matches([' ', '-']).len()..];
            if core.is_empty() {
                out.push_str(run);
            } else {
                out.push_str(lead);
                out.push_str("***");
                out.push_str(trail);
            }
        } else {
            out.push_str(run);
        }
        run.clear();
    }
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() || matches!(ch, ' ' | '+' | '-') {
            run.push(ch);
        } else {
            flush(&mut out, &mut run);
            out.push(ch);
        }
    }
    flush(&mut out, &mut run);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbing_hides_phone_numbers_in_any_common_form() {
        for raw in [
            "rejected 13812345678",
            "rejected +86 138-1234-5678!",
            "rejected 8613812345678",
        ] {
            let s = scrub_numbers(raw);
            assert!(!s.contains("1234"), "{raw} -> {s}");
            assert!(s.contains("***"), "{raw} -> {s}");
            assert!(s.starts_with("rejected "), "{raw} -> {s}");
        }
    }

    #[test]
    fn scrubbing_keeps_status_codes_and_short_numbers() {
        assert_eq!(scrub_numbers("HTTP 503 after 10 s"), "HTTP 503 after 10 s");
        assert_eq!(scrub_numbers(""), "");
    }

    #[test]
    fn statuses_round_trip_through_their_codes() {
        for s in [
            SmsStatus::Pending,
            SmsStatus::Sending,
            SmsStatus::Sent,
            SmsStatus::Failed,
        ] {
            assert_eq!(SmsStatus::from_code(s.as_str()), Some(s));
        }
        assert_eq!(SmsStatus::from_code("LOST"), None);
    }
}
