//! Service records (办件记录, R4): what was done for a person — 免申即享 grants and their ends,
//! online applications and offline handlings — on their file, newest first. Staff in scope record
//! applications and offline handlings; grants are recorded by the eligibility jobs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::caller::Caller;
use crate::catalog::{EntryStatus, WHAT_SERVICE};
use crate::db::Db;
use crate::entities::{service_item, service_record};
use crate::error::{DomainError, DomainResult};
use crate::person::PersonRepo;
use crate::types::BoundedText;
use crate::viewer::PersonScope;

/// A service a person was granted (免申即享), in force or ended.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Id.
    pub id: Uuid,
    /// The item.
    pub service_item_id: Uuid,
    /// Its name.
    pub service_name: String,
    /// Rule version that granted it.
    pub rule_version: i32,
    /// In force.
    pub active: bool,
    /// Granted (or granted again).
    pub granted_at: DateTime<Utc>,
    /// Ended.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// How many service records a file shows.
pub const RECORDS_SHOWN: usize = 50;

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
        /// Delivered at a 阳光201 activity.
        Activity = "ACTIVITY",
    }
}

/// Service records of many persons within `scope` (at most `per_person` each, newest first), in
/// one statement: the scope applies as a subquery over the people.
pub(crate) async fn records_of_many(
    db: &Db,
    scope: &PersonScope,
    persons: &[Uuid],
    per_person: usize,
) -> DomainResult<std::collections::HashMap<Uuid, Vec<service_record::Model>>> {
    use sea_orm::QueryTrait;
    let admitted = crate::entities::person::Entity::find()
        .select_only()
        .column(crate::entities::person::Column::Id)
        .filter(crate::entities::person::Column::Id.is_in(persons.iter().copied()))
        .filter(crate::person::scope_condition(scope))
        .into_query();
    let rows = service_record::Entity::find()
        .filter(service_record::Column::PersonId.in_subquery(admitted))
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
pub(crate) async fn record_handling(
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

/// One service record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    /// Id.
    pub id: Uuid,
    /// The person it concerns.
    pub person_id: Uuid,
    /// The service item.
    pub service_item_id: Uuid,
    /// 类型
    pub kind: RecordKind,
    /// 备注
    pub note: String,
    /// 办理区
    pub district_code: String,
    /// 时间
    pub created_at: DateTime<Utc>,
}

impl From<service_record::Model> for ServiceRecord {
    fn from(m: service_record::Model) -> Self {
        Self {
            id: m.id,
            person_id: m.person_id,
            service_item_id: m.service_item_id,
            kind: RecordKind::from_stored(&m.kind),
            note: m.note,
            district_code: m.district_code,
            created_at: m.created_at,
        }
    }
}

/// Service records for one caller.
pub struct RecordService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> RecordService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    /// The latest records of persons already shown to the caller (DataLoaders), every person
    /// asked about answered.
    pub async fn records_of_many(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<ServiceRecord>>> {
        let scope = self.caller.person_scope()?;
        let mut out: HashMap<Uuid, Vec<ServiceRecord>> =
            persons.iter().map(|p| (*p, Vec::new())).collect();
        for (person, rows) in records_of_many(&self.p.db, &scope, persons, RECORDS_SHOWN).await? {
            out.insert(person, rows.into_iter().map(Into::into).collect());
        }
        Ok(out)
    }

    /// 享受中的服务 of many persons (the file): every grant, active or ended, with the item's
    /// name, newest first; two statements for any number of persons in the caller's scope.
    pub async fn grants_of_many(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<Grant>>> {
        let scope = self.caller.person_scope()?;
        let rows = crate::entities::service_grant::Entity::find()
            .filter(
                crate::entities::service_grant::Column::PersonId
                    .in_subquery(crate::person::admitted(persons, &scope)),
            )
            .all(self.p.db.conn())
            .await?;
        let mut out: HashMap<Uuid, Vec<Grant>> = HashMap::new();
        // Read even when there are no grants: the file's statement count does not depend on
        // the data.
        let names: HashMap<Uuid, String> = service_item::Entity::find()
            .select_only()
            .column(service_item::Column::Id)
            .column(service_item::Column::Name)
            .filter(service_item::Column::Id.is_in(rows.iter().map(|g| g.service_item_id)))
            .into_tuple::<(Uuid, String)>()
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .collect();
        for g in rows {
            out.entry(g.person_id).or_default().push(Grant {
                id: g.id,
                service_item_id: g.service_item_id,
                service_name: names.get(&g.service_item_id).cloned().unwrap_or_default(),
                rule_version: g.rule_version,
                active: g.status == "ACTIVE",
                granted_at: g.granted_at,
                revoked_at: g.revoked_at,
            });
        }
        for list in out.values_mut() {
            list.sort_by_key(|g| std::cmp::Reverse(g.granted_at));
        }
        Ok(out)
    }

    /// One record, if its person is in the caller's scope (`NOT_FOUND` otherwise).
    pub async fn record(&self, id: Uuid) -> DomainResult<ServiceRecord> {
        use sea_orm::QueryTrait;
        let scope = self.caller.person_scope()?;
        let admitted = crate::entities::person::Entity::find()
            .select_only()
            .column(crate::entities::person::Column::Id)
            .filter(crate::person::scope_condition(&scope))
            .into_query();
        service_record::Entity::find_by_id(id)
            .filter(service_record::Column::PersonId.in_subquery(admitted))
            .one(self.p.db.conn())
            .await?
            .map(Into::into)
            .ok_or(DomainError::NotFound {
                what: "办件记录"
            })
    }

    /// 登记办件: an application or offline handling on the file of a person in the caller's
    /// scope (region admins).
    pub async fn record_handling(
        &self,
        person: Uuid,
        item: Uuid,
        kind: RecordKind,
        note: Option<&str>,
    ) -> DomainResult<ServiceRecord> {
        let actor = self.caller.actor();
        audit::audited(
            &self.p.db,
            self.p.audit_key(),
            &actor,
            "service_record.create",
            "person",
            person.to_string(),
            async {
                self.caller.region_admin("仅市、区、街镇管理员可登记办件")?;
                let scope = self.caller.person_scope()?;
                record_handling(
                    &self.p.db,
                    self.p.audit_key(),
                    &actor,
                    &scope,
                    person,
                    item,
                    kind,
                    note,
                )
                .await
                .map(Into::into)
            },
        )
        .await
    }
}
