//! The request's DataLoaders (async-graphql's own): each relation of a page costs one statement
//! per request however many rows the page holds. Each is built on first use (most requests use
//! one or none) from the platform and the request's caller, and loads through the domain
//! service of its area, so the caller's scope applies to relations as to everything else.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use uuid::Uuid;
use zhucan_domain::person::{Person, PersonService, Visit};
use zhucan_domain::{Caller, DomainError, Platform};

/// What a loader loads from: the platform and the request's caller.
#[derive(Clone)]
pub struct Source {
    platform: Platform,
    caller: Caller,
}

/// A per-request, caching loader.
pub type Cached<L> = DataLoader<L, HashMapCache>;

/// Household members, within the caller's scope.
pub struct Members(Source);
/// Visits to person files.
pub struct Visits(Source);
/// Service items by id.
pub struct ServiceItems(Source);
/// Service records of persons.
pub struct Records(Source);
/// Service street-towns of volunteers.
pub struct Areas(Source);
/// Activities by id.
pub struct Activities(Source);
/// Activity registrations of persons.
pub struct Registrations(Source);
/// Goods, services and volunteer roles of activities.
pub struct ActivityResources(Source);
/// Custodianships of wards (the person file), as the caller may see them.
pub struct Custodianships(Source);
/// Needs on person files, as the caller may see them.
pub struct Needs(Source);
/// Named questionnaire submissions of persons (in force and replaced).
pub struct QuestionnaireResponses(Source);

impl Loader<Uuid> for Needs {
    type Value = Vec<zhucan_domain::survey::Need>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::survey::SurveyService::new(&self.0.platform, &self.0.caller)
            .needs_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for QuestionnaireResponses {
    type Value = Vec<zhucan_domain::survey::Response>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::survey::SurveyService::new(&self.0.platform, &self.0.caller)
            .responses_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Employment intentions of persons.
pub struct EmploymentIntentions(Source);
/// Job applications of persons (as staff or the person see them).
pub struct JobApplications(Source);

impl Loader<Uuid> for EmploymentIntentions {
    type Value = Vec<zhucan_domain::entities::employment_intention::Model>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::employment::EmploymentService::new(&self.0.platform, &self.0.caller)
            .intentions_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for JobApplications {
    type Value = Vec<zhucan_domain::employment::Applicant>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::employment::EmploymentService::new(&self.0.platform, &self.0.caller)
            .applications_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Grants of persons (the file).
pub struct Grants(Source);

impl Loader<Uuid> for Grants {
    type Value = Vec<zhucan_domain::records::Grant>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::records::RecordService::new(&self.0.platform, &self.0.caller)
            .grants_of_many(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Inbox messages of persons (the file).
pub struct Inboxes(Source);

impl Loader<Uuid> for Inboxes {
    type Value = Vec<zhucan_domain::home::InboxMessage>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::home::HomeService::new(&self.0.platform, &self.0.caller)
            .inbox_of_many(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// 政策找人 tasks of persons (the file).
pub struct OutreachTasks(Source);

impl Loader<Uuid> for OutreachTasks {
    type Value = Vec<zhucan_domain::outreach::Task>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::outreach::OutreachService::new(&self.0.platform, &self.0.caller)
            .tasks_of_many(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Blind-guidance history of persons (the file).
pub struct GuidanceHistories(Source);

impl Loader<Uuid> for GuidanceHistories {
    type Value = Vec<zhucan_domain::guidance::GuidanceHistory>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::guidance::GuidanceService::new(&self.0.platform, &self.0.caller)
            .history_of_many(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Eligibility matches of persons (the file).
pub struct Matches(Source);

impl Loader<Uuid> for Matches {
    type Value = Vec<zhucan_domain::eligibility::Match>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::eligibility::EligibilityService::new(&self.0.platform, &self.0.caller)
            .matches_of_many(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Subsidy payments of persons (the file).
pub struct Subsidies(Source);

impl Loader<Uuid> for Subsidies {
    type Value = Vec<zhucan_domain::subsidy::PersonSubsidy>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::subsidy::SubsidyService::new(&self.0.platform, &self.0.caller)
            .of_persons(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Persons' own bank accounts (the file).
pub struct BankAccounts(Source);

impl Loader<Uuid> for BankAccounts {
    type Value = Vec<zhucan_domain::subsidy::BankAccount>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::subsidy::SubsidyService::new(&self.0.platform, &self.0.caller)
            .accounts_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Care placements of persons.
pub struct Placements(Source);

impl Loader<Uuid> for Placements {
    type Value = Vec<zhucan_domain::entities::care_placement::Model>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::care::CareService::new(&self.0.platform, &self.0.caller)
            .placements_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Receipts of spending records and materials of custody alerts (their owners are already
/// scoped: the loader is only reached from a record or alert the caller sees).
pub struct CustodyFiles(Source);

impl Loader<Uuid> for CustodyFiles {
    type Value = Vec<zhucan_domain::custody::CustodyFile>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::custody::CustodyService::new(&self.0.platform, &self.0.caller)
            .files_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for Custodianships {
    type Value = Vec<zhucan_domain::custody::Custodianship>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::custody::CustodyService::new(&self.0.platform, &self.0.caller)
            .of_wards(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for ActivityResources {
    type Value = zhucan_domain::activity::Resources;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::activity::ActivityService::new(&self.0.platform, &self.0.caller)
            .resources_of_many(keys)
            .await
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for Activities {
    type Value = zhucan_domain::activity::Activity;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::activity::ActivityService::new(&self.0.platform, &self.0.caller)
            .activities_by_id(keys)
            .await
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for Registrations {
    type Value = Vec<zhucan_domain::activity::Registration>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::activity::ActivityService::new(&self.0.platform, &self.0.caller)
            .registrations_of_many(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for Members {
    type Value = Vec<Person>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        PersonService::new(&self.0.platform, &self.0.caller)
            .members_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for Visits {
    type Value = Vec<Visit>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        PersonService::new(&self.0.platform, &self.0.caller)
            .visits_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for ServiceItems {
    type Value = zhucan_domain::catalog::ServiceItem;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::catalog::CatalogService::new(&self.0.platform, &self.0.caller)
            .service_items_by_id(keys)
            .await
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for Records {
    type Value = Vec<zhucan_domain::records::ServiceRecord>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::records::RecordService::new(&self.0.platform, &self.0.caller)
            .records_of_many(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

impl Loader<Uuid> for Areas {
    type Value = Vec<String>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        zhucan_domain::volunteer::VolunteerService::new(&self.0.platform, &self.0.caller)
            .areas_of(keys)
            .await
            .map(|m| complete(keys, m))
            .map_err(Arc::new)
    }
}

/// Every key asked for, with an empty list for those without rows: DataLoader caches only the
/// keys a load returns, and a person with no rows in a section would otherwise be loaded again
/// when their field resolves (one more statement per batch).
fn complete<T>(keys: &[Uuid], mut found: HashMap<Uuid, Vec<T>>) -> HashMap<Uuid, Vec<T>> {
    for k in keys {
        found.entry(*k).or_default();
    }
    found
}

/// The request's DataLoaders.
pub struct Loaders {
    source: Source,
    members: OnceLock<Cached<Members>>,
    visits: OnceLock<Cached<Visits>>,
    service_items: OnceLock<Cached<ServiceItems>>,
    records: OnceLock<Cached<Records>>,
    areas: OnceLock<Cached<Areas>>,
    activities: OnceLock<Cached<Activities>>,
    registrations: OnceLock<Cached<Registrations>>,
    activity_resources: OnceLock<Cached<ActivityResources>>,
    custodianships: OnceLock<Cached<Custodianships>>,
    custody_files: OnceLock<Cached<CustodyFiles>>,
    needs: OnceLock<Cached<Needs>>,
    questionnaire_responses: OnceLock<Cached<QuestionnaireResponses>>,
    placements: OnceLock<Cached<Placements>>,
    subsidies: OnceLock<Cached<Subsidies>>,
    grants: OnceLock<Cached<Grants>>,
    inboxes: OnceLock<Cached<Inboxes>>,
    outreach_tasks: OnceLock<Cached<OutreachTasks>>,
    guidance_histories: OnceLock<Cached<GuidanceHistories>>,
    matches: OnceLock<Cached<Matches>>,
    bank_accounts: OnceLock<Cached<BankAccounts>>,
    intentions: OnceLock<Cached<EmploymentIntentions>>,
    applications: OnceLock<Cached<JobApplications>>,
}

fn cached<L: Loader<Uuid>>(cell: &OnceLock<Cached<L>>, make: impl FnOnce() -> L) -> &Cached<L> {
    cell.get_or_init(|| DataLoader::with_cache(make(), tokio::spawn, HashMapCache::default()))
}

impl Loaders {
    /// Loaders for one request's caller.
    pub fn new(platform: Platform, caller: Caller) -> Self {
        Self {
            source: Source { platform, caller },
            members: OnceLock::new(),
            visits: OnceLock::new(),
            service_items: OnceLock::new(),
            records: OnceLock::new(),
            areas: OnceLock::new(),
            activities: OnceLock::new(),
            registrations: OnceLock::new(),
            activity_resources: OnceLock::new(),
            custodianships: OnceLock::new(),
            custody_files: OnceLock::new(),
            needs: OnceLock::new(),
            questionnaire_responses: OnceLock::new(),
            placements: OnceLock::new(),
            subsidies: OnceLock::new(),
            grants: OnceLock::new(),
            inboxes: OnceLock::new(),
            outreach_tasks: OnceLock::new(),
            guidance_histories: OnceLock::new(),
            matches: OnceLock::new(),
            bank_accounts: OnceLock::new(),
            intentions: OnceLock::new(),
            applications: OnceLock::new(),
        }
    }

    /// Household members, within the caller's scope.
    pub fn members(&self) -> &Cached<Members> {
        cached(&self.members, || Members(self.source.clone()))
    }

    /// Visitor records of person files.
    pub fn visits(&self) -> &Cached<Visits> {
        cached(&self.visits, || Visits(self.source.clone()))
    }

    /// Service items by id.
    pub fn service_items(&self) -> &Cached<ServiceItems> {
        cached(&self.service_items, || ServiceItems(self.source.clone()))
    }

    /// Service records of persons.
    pub fn records(&self) -> &Cached<Records> {
        cached(&self.records, || Records(self.source.clone()))
    }

    /// Service street-towns of volunteers.
    pub fn areas(&self) -> &Cached<Areas> {
        cached(&self.areas, || Areas(self.source.clone()))
    }

    /// Activities by id.
    pub fn activities(&self) -> &Cached<Activities> {
        cached(&self.activities, || Activities(self.source.clone()))
    }

    /// Activity registrations of persons.
    pub fn registrations(&self) -> &Cached<Registrations> {
        cached(&self.registrations, || Registrations(self.source.clone()))
    }

    /// Goods, services and volunteer roles of activities.
    pub fn activity_resources(&self) -> &Cached<ActivityResources> {
        cached(&self.activity_resources, || {
            ActivityResources(self.source.clone())
        })
    }

    /// Custodianships of wards, as the caller may see them.
    pub fn custodianships(&self) -> &Cached<Custodianships> {
        cached(&self.custodianships, || Custodianships(self.source.clone()))
    }

    /// Receipts and alert materials of custody records and alerts.
    pub fn custody_files(&self) -> &Cached<CustodyFiles> {
        cached(&self.custody_files, || CustodyFiles(self.source.clone()))
    }

    /// Needs of persons.
    pub fn needs(&self) -> &Cached<Needs> {
        cached(&self.needs, || Needs(self.source.clone()))
    }

    /// Employment intentions of persons.
    pub fn intentions(&self) -> &Cached<EmploymentIntentions> {
        cached(&self.intentions, || {
            EmploymentIntentions(self.source.clone())
        })
    }

    /// Job applications of persons.
    pub fn applications(&self) -> &Cached<JobApplications> {
        cached(&self.applications, || JobApplications(self.source.clone()))
    }

    /// Care placements of persons.
    pub fn placements(&self) -> &Cached<Placements> {
        cached(&self.placements, || Placements(self.source.clone()))
    }

    /// The file's grants.
    pub fn grants(&self) -> &Cached<Grants> {
        cached(&self.grants, || Grants(self.source.clone()))
    }

    /// The file's inboxes.
    pub fn inboxes(&self) -> &Cached<Inboxes> {
        cached(&self.inboxes, || Inboxes(self.source.clone()))
    }

    /// The file's outreach tasks.
    pub fn outreach_tasks(&self) -> &Cached<OutreachTasks> {
        cached(&self.outreach_tasks, || OutreachTasks(self.source.clone()))
    }

    /// The file's guidance histories.
    pub fn guidance_histories(&self) -> &Cached<GuidanceHistories> {
        cached(&self.guidance_histories, || {
            GuidanceHistories(self.source.clone())
        })
    }

    /// The file's matches.
    pub fn matches(&self) -> &Cached<Matches> {
        cached(&self.matches, || Matches(self.source.clone()))
    }

    /// Subsidy payments of persons.
    pub fn subsidies(&self) -> &Cached<Subsidies> {
        cached(&self.subsidies, || Subsidies(self.source.clone()))
    }

    /// Persons' own bank accounts.
    pub fn bank_accounts(&self) -> &Cached<BankAccounts> {
        cached(&self.bank_accounts, || BankAccounts(self.source.clone()))
    }

    /// Named questionnaire submissions of persons.
    pub fn questionnaire_responses(&self) -> &Cached<QuestionnaireResponses> {
        cached(&self.questionnaire_responses, || {
            QuestionnaireResponses(self.source.clone())
        })
    }
}

/// A list keyed by a parent's id (a person's section of the file, a record's receipts) through
/// the request's loader (primed for a whole page at once), each row wrapped in its GraphQL type.
/// Without loaders (a subscription's event) the list is empty.
pub async fn load_list<L, T, G>(
    ctx: &async_graphql::Context<'_>,
    key: Uuid,
    loader: impl FnOnce(&Loaders) -> &Cached<L>,
    wrap: impl FnMut(T) -> G,
) -> async_graphql::Result<Vec<G>>
where
    L: Loader<Uuid, Value = Vec<T>, Error = Arc<DomainError>>,
    T: Clone + Send + Sync + 'static,
{
    use crate::context::ContextExt as _;
    let Some(loaders) = ctx.loaders() else {
        return Ok(Vec::new());
    };
    let rows = loader(loaders)
        .load_one(key)
        .await
        .map_err(|e| crate::error::loader_error(ctx, e))?;
    Ok(rows.unwrap_or_default().into_iter().map(wrap).collect())
}
