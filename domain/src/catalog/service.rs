//! The catalog as one service: public reads and search for anyone, edits for catalog managers
//! (city admins everything, district admins their district's), each audited, versioned and
//! re-indexed on every node.

use std::collections::HashMap;

use uuid::Uuid;

use super::model::{Entry, Institution, Policy, Revision, ServiceItem};
use super::search::{self, SearchHit};
use super::{
    CatalogRepo, CatalogScope, CatalogWriter, EntryKind, InstitutionInput, InstitutionKind,
    PolicyInput, ServiceItemFilter, ServiceItemInput,
};
use crate::audit::{self, Actor};
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::types::RegionLevel;
use crate::{Platform, PlatformParts};

/// A page of search results, each with its entry (absent when it was removed since indexing).
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Hits with their entries, best first.
    pub hits: Vec<(SearchHit, Option<Entry>)>,
    /// How many entries matched in all.
    pub total: usize,
}

/// The catalog for one caller.
pub struct CatalogService<'a> {
    p: &'a PlatformParts,
    caller: &'a Caller,
}

impl<'a> CatalogService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    fn repo(&self) -> CatalogRepo<'a> {
        CatalogRepo::new(&self.p.db)
    }

    fn district(&self, code: Option<&str>) -> DomainResult<Option<String>> {
        code.map(|c| {
            self.p
                .regions
                .parse_existing("districtCode", c, RegionLevel::District)
                .map(|r| r.as_str().to_owned())
        })
        .transpose()
    }

    /// 模糊搜索: Chinese text, partial words, homophones, pinyin or initials; best first.
    pub async fn search(
        &self,
        query: &str,
        kinds: &[EntryKind],
        first: usize,
        offset: usize,
    ) -> DomainResult<SearchResults> {
        if first > search::MAX_HITS {
            return Err(DomainError::bad_input(
                "first",
                format!("每页最多{}条", search::MAX_HITS),
            ));
        }
        let page = self.p.search.search(query, kinds, first, offset)?;
        let ids = |k: EntryKind| -> Vec<Uuid> {
            page.hits
                .iter()
                .filter(|h| h.kind == k)
                .map(|h| h.id)
                .collect()
        };
        let repo = self.repo();
        let mut entries: HashMap<Uuid, Entry> = HashMap::new();
        for p in repo.policies_by_id(&ids(EntryKind::Policy)).await? {
            entries.insert(p.id, Entry::Policy(p.into()));
        }
        for s in repo
            .service_items_by_id(&ids(EntryKind::ServiceItem))
            .await?
        {
            entries.insert(s.id, Entry::ServiceItem(s.into()));
        }
        for i in repo
            .institutions_by_id(&ids(EntryKind::Institution))
            .await?
        {
            entries.insert(i.id, Entry::Institution(i.into()));
        }
        for a in crate::activity::searchable_by_id(&self.p.db, &ids(EntryKind::Activity)).await? {
            entries.insert(a.id, Entry::Activity(a));
        }
        for j in crate::employment::searchable_by_id(&self.p.db, &ids(EntryKind::Job)).await? {
            entries.insert(j.row.id, Entry::Job(j));
        }
        Ok(SearchResults {
            total: page.total,
            hits: page
                .hits
                .into_iter()
                .map(|h| {
                    let e = entries.get(&h.id).cloned();
                    (h, e)
                })
                .collect(),
        })
    }

    /// 政策法规: city-wide ones, plus one district's when given; newest first.
    pub async fn policies(&self, district: Option<&str>) -> DomainResult<Vec<Policy>> {
        let d = self.district(district)?;
        Ok(self
            .repo()
            .policies(d.as_deref())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One policy.
    pub async fn policy(&self, id: Uuid) -> DomainResult<Policy> {
        self.repo().policy(id).await.map(Into::into)
    }

    /// Policies by key (the ones a service item names).
    pub async fn policies_by_key(&self, keys: &[String]) -> DomainResult<Vec<Policy>> {
        Ok(self
            .repo()
            .policies_by_key(keys)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// 服务事项 matching a filter (its district given as a code to check).
    pub async fn service_items(
        &self,
        filter: ServiceItemFilter,
        district: Option<&str>,
    ) -> DomainResult<Vec<ServiceItem>> {
        let filter = ServiceItemFilter {
            district: self.district(district)?,
            include_withdrawn: false,
            ..filter
        };
        Ok(self
            .repo()
            .service_items(&filter)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One service item.
    pub async fn service_item(&self, id: Uuid) -> DomainResult<ServiceItem> {
        self.repo().service_item(id).await.map(Into::into)
    }

    /// Service items by id (DataLoaders).
    pub async fn service_items_by_id(
        &self,
        ids: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, ServiceItem>> {
        Ok(self
            .repo()
            .service_items_by_id(ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i.into()))
            .collect())
    }

    /// 助残机构: optionally one district's, one kind.
    pub async fn institutions(
        &self,
        district: Option<&str>,
        kind: Option<InstitutionKind>,
    ) -> DomainResult<Vec<Institution>> {
        let d = self.district(district)?;
        Ok(self
            .repo()
            .institutions(d.as_deref(), kind)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One institution.
    pub async fn institution(&self, id: Uuid) -> DomainResult<Institution> {
        self.repo().institution(id).await.map(Into::into)
    }

    /// The flagship store (区助残服务旗舰店) of a district, if it has one.
    pub async fn flagship_store(&self, district: &str) -> DomainResult<Option<Institution>> {
        Ok(self
            .repo()
            .institutions(Some(district), Some(InstitutionKind::FlagshipStore))
            .await?
            .into_iter()
            .next()
            .map(Into::into))
    }

    fn scope(&self) -> DomainResult<CatalogScope> {
        CatalogScope::of(self.caller.viewer()?)
    }

    /// 目录修订记录: every saved version of an entry (catalog managers only).
    pub async fn revisions(&self, id: Uuid) -> DomainResult<Vec<Revision>> {
        self.scope()?;
        Ok(CatalogWriter::revisions(&self.p.db, id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Re-index an entry on this node at once (read-your-writes) and on every other node
    /// through the bus.
    async fn reindex(&self, kind: EntryKind, id: Uuid) {
        if let Err(e) = self.p.search.refresh(&self.p.db, kind, id).await {
            tracing::error!(error = %e, entry = %id, "could not re-index a catalog entry");
        }
        self.p.bus.publish(DomainEvent::CatalogChanged {
            kind: kind.as_str().to_owned(),
            id,
        });
    }

    fn writer<'w>(&'w self, actor: &'w Actor, scope: &'w CatalogScope) -> CatalogWriter<'w> {
        CatalogWriter {
            db: &self.p.db,
            audit_key: self.p.audit_key(),
            regions: &self.p.regions,
            actor,
            scope,
        }
    }

    /// 保存政策法规: create (no `id`) or replace the version read (`expected_version`).
    pub async fn save_policy(
        &self,
        id: Option<Uuid>,
        expected_version: Option<i32>,
        input: &PolicyInput,
    ) -> DomainResult<Policy> {
        let actor = self.caller.actor();
        let row = audit::audited(
            &self.p.db,
            self.p.audit_key(),
            &actor,
            "catalog.policy.save",
            "policy",
            id.map(|i| i.to_string()).unwrap_or_default(),
            async {
                let scope = self.scope()?;
                self.writer(&actor, &scope)
                    .save_policy(id, expected_version, input)
                    .await
            },
        )
        .await?;
        self.reindex(EntryKind::Policy, row.id).await;
        Ok(row.into())
    }

    /// 保存服务事项: create or replace the version read.
    pub async fn save_service_item(
        &self,
        id: Option<Uuid>,
        expected_version: Option<i32>,
        input: &ServiceItemInput,
    ) -> DomainResult<ServiceItem> {
        let actor = self.caller.actor();
        let row = audit::audited(
            &self.p.db,
            self.p.audit_key(),
            &actor,
            "catalog.service_item.save",
            "service_item",
            id.map(|i| i.to_string()).unwrap_or_default(),
            async {
                let scope = self.scope()?;
                self.writer(&actor, &scope)
                    .save_service_item(id, expected_version, input)
                    .await
            },
        )
        .await?;
        self.reindex(EntryKind::ServiceItem, row.id).await;
        Ok(row.into())
    }

    /// 保存助残机构: create or replace the version read.
    pub async fn save_institution(
        &self,
        id: Option<Uuid>,
        expected_version: Option<i32>,
        input: &InstitutionInput,
    ) -> DomainResult<Institution> {
        let actor = self.caller.actor();
        let row = audit::audited(
            &self.p.db,
            self.p.audit_key(),
            &actor,
            "catalog.institution.save",
            "institution",
            id.map(|i| i.to_string()).unwrap_or_default(),
            async {
                let scope = self.scope()?;
                self.writer(&actor, &scope)
                    .save_institution(id, expected_version, input)
                    .await
            },
        )
        .await?;
        self.reindex(EntryKind::Institution, row.id).await;
        Ok(row.into())
    }
}
