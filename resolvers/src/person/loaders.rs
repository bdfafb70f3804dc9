//! DataLoaders of the person file: each relation is one statement per request, however many
//! persons the page holds.

use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;
use zhucan_domain::audit;
use zhucan_domain::entities::audit_record;
use zhucan_domain::person::{Person, PersonRepo};
use zhucan_domain::viewer::PersonScope;
use zhucan_domain::{Db, DomainError};

/// The per-request, caching loader of household members.
pub type MembersLoader = async_graphql::dataloader::DataLoader<
    HouseholdMembersLoader,
    async_graphql::dataloader::HashMapCache,
>;
/// The per-request, caching loader of visitor records.
pub type VisitorLoader =
    async_graphql::dataloader::DataLoader<VisitsLoader, async_graphql::dataloader::HashMapCache>;

/// The per-request, caching loader of volunteers' service areas.
pub type AreasLoader = async_graphql::dataloader::DataLoader<
    VolunteerAreasLoader,
    async_graphql::dataloader::HashMapCache,
>;

/// Service street-towns of volunteers (one statement per request).
pub struct VolunteerAreasLoader {
    /// Database.
    pub db: Db,
}

impl async_graphql::dataloader::Loader<Uuid> for VolunteerAreasLoader {
    type Value = Vec<String>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        // `areas_of` answers every key, so empty results are cached too.
        zhucan_domain::volunteer::VolunteerRepo::new(&self.db)
            .areas_of(keys)
            .await
            .map_err(Arc::new)
    }
}

/// How many visits the file shows.
pub const VISITS_SHOWN: usize = 20;

/// Members of households, within the viewer's scope.
pub struct HouseholdMembersLoader {
    /// Database.
    pub db: Db,
    /// The viewer's scope.
    pub scope: PersonScope,
}

impl async_graphql::dataloader::Loader<Uuid> for HouseholdMembersLoader {
    type Value = Vec<Person>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        PersonRepo::new(&self.db)
            .members_of(&self.scope, keys)
            .await
            .map_err(Arc::new)
    }
}

/// Visits (audit records) of person files; the caller has already checked the person is in scope.
pub struct VisitsLoader {
    /// Database.
    pub db: Db,
}

impl async_graphql::dataloader::Loader<Uuid> for VisitsLoader {
    type Value = Vec<audit_record::Model>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = audit::visits_of(&self.db, keys, VISITS_SHOWN)
            .await
            .map_err(Arc::new)?;
        // Answer every key, so that "no visits" is cached too.
        let mut out: HashMap<Uuid, Vec<audit_record::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (pid, r) in rows {
            out.entry(pid).or_default().push(r);
        }
        Ok(out)
    }
}

/// The per-request, caching loader of service items by id.
pub type ServiceItemsLoader = async_graphql::dataloader::DataLoader<
    ServiceItemLoader,
    async_graphql::dataloader::HashMapCache,
>;
/// The per-request, caching loader of a person's service records.
pub type RecordsLoader = async_graphql::dataloader::DataLoader<
    ServiceRecordLoader,
    async_graphql::dataloader::HashMapCache,
>;

/// How many service records the file shows.
pub const RECORDS_SHOWN: usize = 50;

/// Service items by id (one statement per request).
pub struct ServiceItemLoader {
    /// Database.
    pub db: Db,
}

impl async_graphql::dataloader::Loader<Uuid> for ServiceItemLoader {
    type Value = zhucan_domain::entities::service_item::Model;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(zhucan_domain::catalog::CatalogRepo::new(&self.db)
            .service_items_by_id(keys)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|i| (i.id, i))
            .collect())
    }
}

/// Service records of persons already admitted by scope (one statement per request).
pub struct ServiceRecordLoader {
    /// Database.
    pub db: Db,
}

impl async_graphql::dataloader::Loader<Uuid> for ServiceRecordLoader {
    type Value = Vec<zhucan_domain::entities::service_record::Model>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::home::records_of_many(&self.db, keys, RECORDS_SHOWN)
            .await
            .map_err(Arc::new)
    }
}
