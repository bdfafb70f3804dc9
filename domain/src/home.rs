//! The citizen's side of 阳光申办 (R6, R7): the home page (the district's flagship store and
//! high-frequency services, the services the citizen pinned, their own file), and the in-app
//! inbox. Only a citizen account bound to a registered person has a home.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::Platform;
use crate::caller::Caller;
use crate::catalog::{CatalogService, EntryStatus, Institution, ServiceItem};
use crate::db::Db;
use crate::entities::{home_pin, inbox_message, service_item, service_record};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::person::{Person, PersonRepo};
use crate::records::RecordKind;
use crate::viewer::{PersonScope, Role, Viewer};

/// Most services a citizen may pin.
pub const MAX_PINS: usize = 12;
/// Window of the high-frequency list.
pub const FREQUENT_DAYS: i64 = 30;

/// The most used services in a district over the last 30 days, with counts, most used first.
/// Only active items are listed.
async fn frequent_services(
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

/// A page of a citizen's inbox, in id (sending) order.
async fn inbox(
    db: &Db,
    person: Uuid,
    unread_only: bool,
    page: PageRequest,
) -> DomainResult<Page<inbox_message::Model>> {
    let mut q = inbox_message::Entity::find().filter(inbox_message::Column::PersonId.eq(person));
    if unread_only {
        q = q.filter(inbox_message::Column::ReadAt.is_null());
    }
    let rows = page
        .apply(q, inbox_message::Column::Id)
        .all(db.conn())
        .await?;
    Ok(page.finish(rows))
}

/// Unread messages of a citizen.
async fn unread_count(db: &Db, person: Uuid) -> DomainResult<u64> {
    Ok(inbox_message::Entity::find()
        .filter(inbox_message::Column::PersonId.eq(person))
        .filter(inbox_message::Column::ReadAt.is_null())
        .count(db.conn())
        .await?)
}

/// Mark messages read (only the citizen's own; others are ignored). Returns how many changed.
async fn mark_read(db: &Db, person: Uuid, ids: &[Uuid]) -> DomainResult<u64> {
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
async fn pinned(db: &Db, account: Uuid) -> DomainResult<Vec<service_item::Model>> {
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
async fn set_pins(db: &Db, account: Uuid, ids: &[Uuid]) -> DomainResult<Vec<service_item::Model>> {
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

/// An in-app message to a citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxMessage {
    /// Id.
    pub id: Uuid,
    /// 类型 (`SERVICE_GRANTED`, `SERVICE_REVOKED`, `OUTREACH_NOTICE`…)
    pub kind: String,
    /// 标题
    pub title: String,
    /// 内容
    pub body: String,
    /// 发送时间
    pub created_at: chrono::DateTime<Utc>,
    /// 已读
    pub read: bool,
}

impl From<inbox_message::Model> for InboxMessage {
    fn from(m: inbox_message::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            title: m.title,
            body: m.body,
            created_at: m.created_at,
            read: m.read_at.is_some(),
        }
    }
}

/// A citizen's home page.
#[derive(Debug, Clone)]
pub struct HomePage {
    /// Their own file.
    pub person: Person,
    /// Their account.
    pub account: Uuid,
}

/// A high-frequency service of the district.
#[derive(Debug, Clone)]
pub struct Frequent {
    /// The item.
    pub item: ServiceItem,
    /// Records in the district over the last 30 days.
    pub count: u64,
}

/// How many frequent services the home page shows.
pub const FREQUENT_SHOWN: usize = 8;
/// Messages a file shows per person.
pub const INBOX_SHOWN: usize = 50;

/// The home page and inbox of one caller, who must be a citizen bound to a person.
pub struct HomeService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> HomeService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    fn citizen(&self) -> DomainResult<(&Viewer, Uuid)> {
        let viewer = self.caller.viewer()?;
        match (viewer.role, viewer.person_id) {
            (Role::Citizen, Some(id)) => Ok((viewer, id)),
            _ => Err(DomainError::Forbidden("仅残疾人本人账号可使用")),
        }
    }

    /// 首页
    pub async fn home(&self) -> DomainResult<HomePage> {
        let (viewer, id) = self.citizen()?;
        let person = PersonRepo::new(&self.p.db)
            .get(&PersonScope::of(viewer), id)
            .await?;
        Ok(HomePage {
            person,
            account: viewer.account_id,
        })
    }

    /// 本区助残服务旗舰店 of the page's person.
    pub async fn flagship_store(&self, page: &HomePage) -> DomainResult<Option<Institution>> {
        CatalogService::new(self.p, self.caller)
            .flagship_store(page.person.district_code())
            .await
    }

    /// 高频服务: the most used services in the page's district over the last 30 days.
    pub async fn frequent_services(&self, page: &HomePage) -> DomainResult<Vec<Frequent>> {
        Ok(
            frequent_services(&self.p.db, page.person.district_code(), FREQUENT_SHOWN)
                .await?
                .into_iter()
                .map(|(item, count)| Frequent {
                    item: item.into(),
                    count,
                })
                .collect(),
        )
    }

    /// 我置顶的服务, in the citizen's order.
    pub async fn pinned(&self) -> DomainResult<Vec<ServiceItem>> {
        let (viewer, _) = self.citizen()?;
        Ok(pinned(&self.p.db, viewer.account_id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// 设置置顶服务 (this order, at most 12; empty clears).
    pub async fn set_pins(&self, ids: &[Uuid]) -> DomainResult<Vec<ServiceItem>> {
        let (viewer, _) = self.citizen()?;
        Ok(set_pins(&self.p.db, viewer.account_id, ids)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// 置顶一项服务 (at the end).
    pub async fn pin(&self, id: Uuid) -> DomainResult<Vec<ServiceItem>> {
        let (viewer, _) = self.citizen()?;
        let mut current: Vec<Uuid> = pinned(&self.p.db, viewer.account_id)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        if !current.contains(&id) {
            current.push(id);
        }
        self.set_pins(&current).await
    }

    /// 取消置顶
    pub async fn unpin(&self, id: Uuid) -> DomainResult<Vec<ServiceItem>> {
        let (viewer, _) = self.citizen()?;
        let current: Vec<Uuid> = pinned(&self.p.db, viewer.account_id)
            .await?
            .into_iter()
            .map(|i| i.id)
            .filter(|i| *i != id)
            .collect();
        self.set_pins(&current).await
    }

    /// 我的消息: a page, in sending order (`last: N` gives the newest).
    pub async fn inbox(
        &self,
        unread_only: bool,
        page: PageRequest,
    ) -> DomainResult<Page<InboxMessage>> {
        let (_, person) = self.citizen()?;
        Ok(inbox(&self.p.db, person, unread_only, page)
            .await?
            .map(Into::into))
    }

    /// 消息 of many persons (the file: staff in scope, and the citizen their own), newest first,
    /// at most [`INBOX_SHOWN`] each; one statement for any number of persons.
    pub async fn inbox_of_many(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<InboxMessage>>> {
        let scope = self.caller.person_scope()?;
        let rows = inbox_message::Entity::find()
            .filter(
                inbox_message::Column::PersonId
                    .in_subquery(crate::person::admitted(persons, &scope)),
            )
            .order_by_desc(inbox_message::Column::Id)
            .all(self.p.db.conn())
            .await?;
        let mut out: HashMap<Uuid, Vec<InboxMessage>> = HashMap::new();
        for m in rows {
            let list = out.entry(m.person_id).or_default();
            if list.len() < INBOX_SHOWN {
                list.push(m.into());
            }
        }
        Ok(out)
    }

    /// One of the citizen's own messages (`NOT_FOUND` otherwise).
    pub async fn message(&self, id: Uuid) -> DomainResult<InboxMessage> {
        let (_, person) = self.citizen()?;
        inbox_message::Entity::find_by_id(id)
            .filter(inbox_message::Column::PersonId.eq(person))
            .one(self.p.db.conn())
            .await?
            .map(Into::into)
            .ok_or(DomainError::NotFound { what: "消息" })
    }

    /// 未读消息数
    pub async fn unread(&self) -> DomainResult<u64> {
        let (_, person) = self.citizen()?;
        unread_count(&self.p.db, person).await
    }

    /// 标记消息已读 (the citizen's own; at most 100): how many changed.
    pub async fn mark_read(&self, ids: &[Uuid]) -> DomainResult<u64> {
        let (_, person) = self.citizen()?;
        if ids.len() > 100 {
            return Err(DomainError::bad_input("ids", "一次最多100条"));
        }
        mark_read(&self.p.db, person, ids).await
    }
}
