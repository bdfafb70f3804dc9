//! Changing the catalog. Each save is one transaction: the entry, its revision and its audit
//! record. Updates carry the version the editor saw; a stale one answers `CONFLICT`.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::input::{InstitutionInput, PolicyInput, ServiceItemInput, to_json_list};
use super::{CatalogScope, EntryKind, WHAT_INSTITUTION, WHAT_POLICY, WHAT_SERVICE};
use crate::audit::{self, Actor, AuditEntry};
use crate::db::Db;
use crate::entities::{catalog_revision, institution, policy, service_item};
use crate::error::{DomainError, DomainResult};
use crate::region::RegionDirectory;

/// Catalog writes for one actor.
pub struct CatalogWriter<'a> {
    /// Database.
    pub db: &'a Db,
    /// Audit-chain key.
    pub audit_key: &'a [u8],
    /// Region reference data.
    pub regions: &'a RegionDirectory,
    /// Who acts.
    pub actor: &'a Actor,
    /// What they may change.
    pub scope: &'a CatalogScope,
}

fn stale(kind: &str, current: i32) -> DomainError {
    DomainError::Conflict(format!(
        "该{kind}已被他人修改（当前版本 {current}），请刷新后重试"
    ))
}

impl CatalogWriter<'_> {
    fn check_owner(&self, district: Option<&str>) -> DomainResult<()> {
        if self.scope.may_manage(district) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "区管理员只能维护本区的目录条目，全市条目由市管理员维护",
            ))
        }
    }

    async fn finish<C: ConnectionTrait, T: serde::Serialize>(
        &self,
        conn: &C,
        kind: EntryKind,
        id: Uuid,
        version: i32,
        snapshot: &T,
        operation: &str,
    ) -> DomainResult<()> {
        catalog_revision::ActiveModel {
            id: Set(Uuid::now_v7()),
            entity_kind: Set(kind.as_str().to_owned()),
            entity_id: Set(id),
            version: Set(version),
            snapshot: Set(serde_json::to_string(snapshot).map_err(DomainError::internal)?),
            actor_id: Set(self.actor.id.clone()),
            at: Set(Utc::now()),
        }
        .insert(conn)
        .await?;
        audit::append(
            conn,
            self.audit_key,
            self.actor,
            AuditEntry {
                operation,
                object_type: match kind {
                    EntryKind::Policy => "policy",
                    EntryKind::ServiceItem => "service_item",
                    EntryKind::Institution => "institution",
                    EntryKind::Activity => "activity",
                    EntryKind::Job => "job",
                },
                object_id: id.to_string(),
                result: "SUCCESS".to_owned(),
                detail: format!("version={version}"),
            },
        )
        .await?;
        Ok(())
    }

    /// Save a policy: create when `id` is `None`, else replace version `expected_version`.
    pub async fn save_policy(
        &self,
        id: Option<Uuid>,
        expected_version: Option<i32>,
        input: &PolicyInput,
    ) -> DomainResult<policy::Model> {
        let v = input.parse(self.regions)?;
        self.check_owner(v.district_code.as_deref())?;
        let w = self.db.begin_write().await?;
        let now = Utc::now();
        let (mut m, version, op) = match id {
            None => (
                policy::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    created_at: Set(now),
                    ..Default::default()
                },
                1,
                "catalog.policy.create",
            ),
            Some(id) => {
                let cur = policy::Entity::find_by_id(id)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_POLICY })?;
                self.check_owner(cur.district_code.as_deref())?;
                if expected_version != Some(cur.version) {
                    return Err(stale(WHAT_POLICY, cur.version));
                }
                let next = cur.version + 1;
                (cur.into(), next, "catalog.policy.update")
            }
        };
        m.key = Set(v.key.clone());
        m.title = Set(v.title.clone());
        m.issuer = Set(v.issuer.clone());
        m.document_number = Set(v.document_number.clone());
        m.issued_on = Set(v.issued_on);
        m.effective_from = Set(v.effective_from);
        m.effective_until = Set(v.effective_until);
        m.status = Set(v.status.as_str().to_owned());
        m.tags = Set(to_json_list(&v.tags));
        m.full_text = Set(v.full_text.clone());
        m.district_code = Set(v.district_code.clone());
        m.version = Set(version);
        m.updated_at = Set(now);
        let row = if version == 1 {
            m.insert(&w.txn).await
        } else {
            m.update(&w.txn).await
        }
        .map_err(key_conflict)?;
        self.finish(&w.txn, EntryKind::Policy, row.id, version, &row, op)
            .await?;
        w.commit().await?;
        Ok(row)
    }

    /// Save a service item: create when `id` is `None`, else replace version `expected_version`.
    pub async fn save_service_item(
        &self,
        id: Option<Uuid>,
        expected_version: Option<i32>,
        input: &ServiceItemInput,
    ) -> DomainResult<service_item::Model> {
        let v = input.parse(self.regions)?;
        self.check_owner(v.district_code.as_deref())?;
        let w = self.db.begin_write().await?;
        if !v.policy_keys.is_empty() {
            let found = policy::Entity::find()
                .filter(policy::Column::Key.is_in(v.policy_keys.iter().cloned()))
                .all(&w.txn)
                .await?;
            if let Some(missing) = v
                .policy_keys
                .iter()
                .find(|k| !found.iter().any(|p| &p.key == *k))
            {
                return Err(DomainError::bad_input(
                    "input.policyKeys",
                    format!("依据政策 {missing} 不存在"),
                ));
            }
        }
        let now = Utc::now();
        let (mut m, version, op) = match id {
            None => (
                service_item::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    rule_version: Set(0),
                    created_at: Set(now),
                    ..Default::default()
                },
                1,
                "catalog.service_item.create",
            ),
            Some(id) => {
                let cur = service_item::Entity::find_by_id(id)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_SERVICE })?;
                self.check_owner(cur.district_code.as_deref())?;
                if expected_version != Some(cur.version) {
                    return Err(stale(WHAT_SERVICE, cur.version));
                }
                let next = cur.version + 1;
                (cur.into(), next, "catalog.service_item.update")
            }
        };
        m.key = Set(v.key.clone());
        m.name = Set(v.name.clone());
        m.business_line = Set(v.business_line.as_str().to_owned());
        m.description = Set(v.description.clone());
        m.materials = Set(to_json_list(&v.materials));
        m.time_limit_days = Set(v.time_limit_days);
        m.channel = Set(v.channel.as_str().to_owned());
        m.online_url = Set(v.online_url.clone());
        m.offline_points = Set(to_json_list(&v.offline_points));
        m.policy_keys = Set(to_json_list(&v.policy_keys));
        m.tags = Set(to_json_list(&v.tags));
        m.district_code = Set(v.district_code.clone());
        m.status = Set(v.status.as_str().to_owned());
        m.version = Set(version);
        m.updated_at = Set(now);
        let row = if version == 1 {
            m.insert(&w.txn).await
        } else {
            m.update(&w.txn).await
        }
        .map_err(key_conflict)?;
        self.finish(&w.txn, EntryKind::ServiceItem, row.id, version, &row, op)
            .await?;
        w.commit().await?;
        Ok(row)
    }

    /// Save an institution: create when `id` is `None`, else replace version `expected_version`.
    pub async fn save_institution(
        &self,
        id: Option<Uuid>,
        expected_version: Option<i32>,
        input: &InstitutionInput,
    ) -> DomainResult<institution::Model> {
        let v = input.parse(self.regions)?;
        self.check_owner(Some(&v.district_code))?;
        let w = self.db.begin_write().await?;
        let now = Utc::now();
        let (mut m, version, op) = match id {
            None => (
                institution::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    created_at: Set(now),
                    ..Default::default()
                },
                1,
                "catalog.institution.create",
            ),
            Some(id) => {
                let cur = institution::Entity::find_by_id(id)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound {
                        what: WHAT_INSTITUTION,
                    })?;
                self.check_owner(Some(&cur.district_code))?;
                if expected_version != Some(cur.version) {
                    return Err(stale(WHAT_INSTITUTION, cur.version));
                }
                let next = cur.version + 1;
                (cur.into(), next, "catalog.institution.update")
            }
        };
        m.name = Set(v.name.clone());
        m.kind = Set(v.kind.as_str().to_owned());
        m.district_code = Set(v.district_code.clone());
        m.street_code = Set(v.street_code.clone());
        m.address = Set(v.address.clone());
        m.latitude = Set(v.latitude);
        m.longitude = Set(v.longitude);
        m.services = Set(to_json_list(&v.services));
        m.opening_hours = Set(v.opening_hours.clone());
        m.accessibility = Set(to_json_list(&v.accessibility));
        m.phone = Set(v.phone.clone());
        m.entry_url = Set(v.entry_url.clone());
        m.status = Set(v.status.as_str().to_owned());
        m.version = Set(version);
        m.updated_at = Set(now);
        let row = if version == 1 {
            m.insert(&w.txn).await?
        } else {
            m.update(&w.txn).await?
        };
        self.finish(&w.txn, EntryKind::Institution, row.id, version, &row, op)
            .await?;
        w.commit().await?;
        Ok(row)
    }

    /// Revisions of one entry, newest first.
    pub async fn revisions(db: &Db, id: Uuid) -> DomainResult<Vec<catalog_revision::Model>> {
        use sea_orm::QueryOrder;
        Ok(catalog_revision::Entity::find()
            .filter(catalog_revision::Column::EntityId.eq(id))
            .order_by_desc(catalog_revision::Column::Version)
            .all(db.conn())
            .await?)
    }
}

fn key_conflict(e: sea_orm::DbErr) -> DomainError {
    match DomainError::from(e) {
        DomainError::Conflict(_) => DomainError::Conflict("该编码已被其他条目使用".to_owned()),
        other => other,
    }
}
