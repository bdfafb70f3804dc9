//! The citizen's side of 阳光申办 (R4, R6, R7): service records on a person's file, the
//! district's high-frequency services, the in-app inbox, and the services a citizen pinned to
//! their home page.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEntry};
use crate::catalog::{EntryStatus, WHAT_SERVICE};
use crate::db::Db;
use crate::entities::{home_pin, inbox_message, person, service_item, service_record};
use crate::error::{DomainError, DomainResult};
use crate::person::PersonRepo;
use crate::types::BoundedText;
use crate::viewer::PersonScope;

/// Most services a citizen may pin.
pub const MAX_PINS: usize = 12;
/// Window of the high-frequency list.
pub const FREQUENT_DAYS: i64 = 30;

code_enum! {
    /// Kinds of service records.
    RecordKind {
        /// 免申即享 grant.
        #[default]
        Grant = "GRANT",
        /// Automatic grant ended.
        Revoke = "REVOKE",
        /// Online application handled.
        Application = "APPLICATION",
        /// Handled at an offline service point.
        Offline = "OFFLINE",
    }
}

/// Service records of one person (already checked in scope), newest first.
pub async fn records_of(
    db: &Db,
    person: Uuid,
    limit: u64,
) -> DomainResult<Vec<service_record::Model>> {
    Ok(service_record::Entity::find()
        .filter(service_record::Column::PersonId.eq(person))
        .order_by_desc(service_record::Column::CreatedAt)
        .order_by_desc(service_record::Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?)
}

/// Service records of many persons (at most `per_person` each, newest first), in one statement.
pub async fn records_of_many(
    db: &Db,
    persons: &[Uuid],
    per_person: usize,
) -> DomainResult<std::collections::HashMap<Uuid, Vec<service_record::Model>>> {
    let rows = service_record::Entity::find()
        .filter(service_record::Column::PersonId.is_in(persons.iter().copied()))
        .order_by_desc(service_record::Column::CreatedAt)
        .order_by_desc(service_record::Column::Id)
        .all(db.conn())
        .await?;
    let mut out: std::collections::HashMap<Uuid, Vec<service_record::Model>> =
        persons.iter().map(|p| (*p, Vec::new())).collect();
    for r in rows {
        if let Some(list) = out.get_mut(&r.person_id)
            && list.len() < per_person
        {
            list.push(r);
        }
    }
    Ok(out)
}

/// Record an application or offline handling on the file of a person in the admin's scope.
#[expect(
    clippy::too_many_arguments,
    reason = "actor, scope and the record's own fields"
)]
pub async fn record_handling(
    db: &Db,
    audit_key: &[u8],
    actor: &Actor,
    scope: &PersonScope,
    person_id: Uuid,
    item_id: Uuid,
    kind: RecordKind,
    note: Option<&str>,
) -> DomainResult<service_record::Model> {
    if !matches!(kind, RecordKind::Application | RecordKind::Offline) {
        return Err(DomainError::bad_input(
            "kind",
            "只能登记申请办理（APPLICATION）或线下办理（OFFLINE）",
        ));
    }
    let note = note
        .filter(|n| !n.trim().is_empty())
        .map(|n| BoundedText::parse("note", n, 500))
        .transpose()?
        .map(BoundedText::into_string)
        .unwrap_or_default();
    let p = PersonRepo::new(db).get(scope, person_id).await?;
    let item = service_item::Entity::find_by_id(item_id)
        .one(db.conn())
        .await?
        .ok_or(DomainError::NotFound { what: WHAT_SERVICE })?;
    if item.status != EntryStatus::Active.as_str() {
        return Err(DomainError::Conflict("该服务事项已撤销".to_owned()));
    }
    let w = db.begin_write().await?;
    let row = crate::eligibility::record(&w.txn, p.row(), item.id, kind.as_str(), &note, &actor.id)
        .await?;
    audit::append(
        &w.txn,
        audit_key,
        actor,
        AuditEntry {
            operation: "service_record.create",
            object_type: "person",
            object_id: person_id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!("item={} kind={}", item.key, kind.as_str()),
        },
    )
    .await?;
    w.commit().await?;
    Ok(row)
}

/// The most used services in a district over the last 30 days, with counts, most used first.
/// Only active items are listed.
pub async fn frequent_services(
    db: &Db,
    district: &str,
    limit: usize,
) -> DomainResult<Vec<(service_item::Model, u64)>> {
    let since = Utc::now() - Duration::days(FREQUENT_DAYS);
    let counts: Vec<(Uuid, i64)> = service_record::Entity::find()
        .select_only()
        .column(service_record::Column::ServiceItemId)
        .column_as(service_record::Column::Id.count(), "n")
        .filter(service_record::Column::DistrictCode.eq(district))
        .filter(service_record::Column::CreatedAt.gte(since))
        .filter(service_record::Column::Kind.ne(RecordKind::Revoke.as_str()))
        .group_by(service_record::Column::ServiceItemId)
        .into_tuple()
        .all(db.conn())
        .await?;
    let ids: Vec<Uuid> = counts.iter().map(|(id, _)| *id).collect();
    let items = service_item::Entity::find()
        .filter(service_item::Column::Id.is_in(ids))
        .filter(service_item::Column::Status.eq(EntryStatus::Active.as_str()))
        .all(db.conn())
        .await?;
    let mut out: Vec<(service_item::Model, u64)> = items
        .into_iter()
        .filter_map(|i| {
            counts
                .iter()
                .find(|(id, _)| *id == i.id)
                .map(|(_, n)| (i, u64::try_from(*n).unwrap_or(0)))
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.key.cmp(&b.0.key)));
    out.truncate(limit);
    Ok(out)
}

/// A citizen's inbox, newest first.
pub async fn inbox(
    db: &Db,
    person: Uuid,
    unread_only: bool,
    limit: u64,
) -> DomainResult<Vec<inbox_message::Model>> {
    let mut q = inbox_message::Entity::find()
        .filter(inbox_message::Column::PersonId.eq(person))
        .order_by_desc(inbox_message::Column::CreatedAt)
        .order_by_desc(inbox_message::Column::Id)
        .limit(limit);
    if unread_only {
        q = q.filter(inbox_message::Column::ReadAt.is_null());
    }
    Ok(q.all(db.conn()).await?)
}

/// Unread messages of a citizen.
pub async fn unread_count(db: &Db, person: Uuid) -> DomainResult<u64> {
    Ok(inbox_message::Entity::find()
        .filter(inbox_message::Column::PersonId.eq(person))
        .filter(inbox_message::Column::ReadAt.is_null())
        .count(db.conn())
        .await?)
}

/// Mark messages read (only the citizen's own; others are ignored). Returns how many changed.
pub async fn mark_read(db: &Db, person: Uuid, ids: &[Uuid]) -> DomainResult<u64> {
    let w = db.begin_write().await?;
    let res = inbox_message::Entity::update_many()
        .col_expr(inbox_message::Column::ReadAt, Expr::value(Utc::now()))
        .filter(inbox_message::Column::PersonId.eq(person))
        .filter(inbox_message::Column::Id.is_in(ids.iter().copied()))
        .filter(inbox_message::Column::ReadAt.is_null())
        .exec(&w.txn)
        .await?;
    w.commit().await?;
    Ok(res.rows_affected)
}

/// The services an account pinned, in order.
pub async fn pinned(db: &Db, account: Uuid) -> DomainResult<Vec<service_item::Model>> {
    let pins = home_pin::Entity::find()
        .filter(home_pin::Column::AccountId.eq(account))
        .order_by_asc(home_pin::Column::Position)
        .all(db.conn())
        .await?;
    let items = service_item::Entity::find()
        .filter(service_item::Column::Id.is_in(pins.iter().map(|p| p.service_item_id)))
        .filter(service_item::Column::Status.eq(EntryStatus::Active.as_str()))
        .all(db.conn())
        .await?;
    Ok(pins
        .iter()
        .filter_map(|p| items.iter().find(|i| i.id == p.service_item_id).cloned())
        .collect())
}

/// Replace an account's pinned services with `ids`, in this order.
pub async fn set_pins(
    db: &Db,
    account: Uuid,
    ids: &[Uuid],
) -> DomainResult<Vec<service_item::Model>> {
    if ids.len() > MAX_PINS {
        return Err(DomainError::bad_input(
            "serviceItemIds",
            format!("最多置顶{MAX_PINS}项服务"),
        ));
    }
    let mut unique = Vec::with_capacity(ids.len());
    for id in ids {
        if unique.contains(id) {
            return Err(DomainError::bad_input(
                "serviceItemIds",
                "同一服务不能重复置顶",
            ));
        }
        unique.push(*id);
    }
    let found = service_item::Entity::find()
        .filter(service_item::Column::Id.is_in(unique.iter().copied()))
        .filter(service_item::Column::Status.eq(EntryStatus::Active.as_str()))
        .count(db.conn())
        .await?;
    if found != unique.len() as u64 {
        return Err(DomainError::bad_input(
            "serviceItemIds",
            "包含不存在或已撤销的服务事项",
        ));
    }
    let w = db.begin_write().await?;
    home_pin::Entity::delete_many()
        .filter(home_pin::Column::AccountId.eq(account))
        .exec(&w.txn)
        .await?;
    for (pos, id) in unique.iter().enumerate() {
        home_pin::ActiveModel {
            account_id: Set(account),
            service_item_id: Set(*id),
            position: Set(i32::try_from(pos).unwrap_or(i32::MAX)),
        }
        .insert(&w.txn)
        .await?;
    }
    w.commit().await?;
    pinned(db, account).await
}

/// The person row behind a citizen account (for the home page).
pub async fn person_row(db: &Db, scope: &PersonScope, id: Uuid) -> DomainResult<person::Model> {
    Ok(PersonRepo::new(db).get(scope, id).await?.row().clone())
}
