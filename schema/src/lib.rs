//! zhucan-schema: every domain's roots merged into ONE schema, behind one gateway that applies
//! persisted queries, document limits and error codes to every request, over HTTP and WebSocket
//! alike. `schema.graphql` beside this crate is the checked-in SDL; a test fails when it drifts.
//!
//! The gateway does this around the schema rather than as async-graphql extensions: with any
//! extension installed, async-graphql runs every single field through the extension chain (a
//! boxed future per extension per field), which cost a page of twenty files a fifth of its time.

// The merged roots of every domain make async-graphql's resolvers deep enough that the
// release build needs more than the default query depth (128) to lay them out.
#![recursion_limit = "256"]

mod apq;
mod armor;
mod codes;

use std::sync::Arc;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::{Data, Executor, MergedObject, MergedSubscription, Request, Response, Schema};
use zhucan_domain::Platform;
use zhucan_domain::persisted::QueryStore;
use zhucan_resolvers::activity::{
    ActivityMutation, ActivityQuery, ActivityResourceMutation, ActivityResourceQuery,
};
use zhucan_resolvers::analysis::{AnalysisMutation, AnalysisQuery};
use zhucan_resolvers::audit::AuditQuery;
use zhucan_resolvers::care::{CareMutation, CareQuery};
use zhucan_resolvers::catalog::{CatalogMutation, CatalogQuery};
use zhucan_resolvers::citizen_accounts::{CitizenAccountMutation, CitizenAccountQuery};
use zhucan_resolvers::cockpit::{CockpitMutation, CockpitQuery};
use zhucan_resolvers::custody::{CustodyMutation, CustodyQuery};
use zhucan_resolvers::custody_alerts::{CustodyAlertMutation, CustodyAlertQuery};
use zhucan_resolvers::eligibility::{EligibilityMutation, EligibilityQuery};
use zhucan_resolvers::employment::{EmploymentMutation, EmploymentQuery};
use zhucan_resolvers::guidance::{GuidanceMutation, GuidanceQuery};
use zhucan_resolvers::home::{HomeMutation, HomeQuery};
use zhucan_resolvers::identity::{IdentityMutation, IdentityQuery};
use zhucan_resolvers::node::NodeQuery;
use zhucan_resolvers::outreach::{OutreachMutation, OutreachQuery};
use zhucan_resolvers::person::{PersonMutation, PersonQuery};
use zhucan_resolvers::region::RegionQuery;
use zhucan_resolvers::subsidy::{SubsidyMutation, SubsidyQuery};
use zhucan_resolvers::survey::{SurveyMutation, SurveyQuery};
use zhucan_subscriptions::{
    ActivitySubscription, CockpitSubscription, CustodySubscription, GuidanceSubscription,
    OutreachSubscription, PersonSubscription,
};

pub use armor::{ArmorLimits, count_tokens};

/// The query root of every domain.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    IdentityQuery,
    RegionQuery,
    PersonQuery,
    AuditQuery,
    GuidanceQuery,
    CatalogQuery,
    EligibilityQuery,
    HomeQuery,
    OutreachQuery,
    ActivityQuery,
    ActivityResourceQuery,
    CustodyQuery,
    CustodyAlertQuery,
    SurveyQuery,
    CareQuery,
    EmploymentQuery,
    SubsidyQuery,
    CitizenAccountQuery,
    CockpitQuery,
    AnalysisQuery,
    NodeQuery,
);

/// The mutation root of every domain.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    IdentityMutation,
    PersonMutation,
    GuidanceMutation,
    CatalogMutation,
    EligibilityMutation,
    HomeMutation,
    OutreachMutation,
    ActivityMutation,
    ActivityResourceMutation,
    CustodyMutation,
    CustodyAlertMutation,
    SurveyMutation,
    CareMutation,
    EmploymentMutation,
    SubsidyMutation,
    CitizenAccountMutation,
    CockpitMutation,
    AnalysisMutation,
);

/// The subscription root of every domain.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    PersonSubscription,
    GuidanceSubscription,
    OutreachSubscription,
    CustodySubscription,
    ActivitySubscription,
    CockpitSubscription,
);

/// The merged roots as async-graphql's schema.
type Roots = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The one schema, behind its gateway. Cheap to clone.
#[derive(Clone)]
pub struct ZhucanSchema {
    roots: Roots,
    queries: Arc<dyn QueryStore>,
    armor: ArmorLimits,
    parsed: Arc<armor::Parsed>,
}

impl ZhucanSchema {
    /// Resolve a persisted query, check the document against the limits and parse it: the
    /// request ready to execute, or the response refusing it.
    async fn prepare(&self, mut request: Request) -> Result<Request, Response> {
        let refused = |e| Response::from_errors(vec![e]);
        apq::resolve(self.queries.as_ref(), &mut request)
            .await
            .map_err(refused)?;
        armor::check(self.armor, &self.parsed, &mut request).map_err(refused)?;
        Ok(request)
    }

    /// Replace a request's persisted-query hash by the document it stands for (or keep a new
    /// document under its hash), without executing: the HTTP edge must know what a GET would run
    /// before running it. Idempotent: the extension is consumed.
    pub async fn resolve_persisted(&self, request: &mut Request) -> Result<(), Response> {
        apq::resolve(self.queries.as_ref(), request)
            .await
            .map_err(|e| {
                let mut resp = Response::from_errors(vec![e]);
                codes::assign(&mut resp);
                resp
            })
    }

    /// Execute a query or mutation.
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        let mut resp = match self.prepare(request.into()).await {
            // Boxed: async-graphql's execution future is large, and moving it through every
            // layer of the HTTP stack showed as memcpy in the S1 profile.
            Ok(request) => Box::pin(self.roots.execute(request)).await,
            Err(refused) => refused,
        };
        codes::assign(&mut resp);
        resp
    }
}

impl Executor for ZhucanSchema {
    async fn execute(&self, request: Request) -> Response {
        ZhucanSchema::execute(self, request).await
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        if !request.extensions.contains_key("persistedQuery") {
            // Nothing to await before executing: no wrapper stream kept for the subscription's
            // lifetime (a kilobyte per idle WebSocket subscriber).
            let mut request = request;
            return match armor::check(self.armor, &self.parsed, &mut request) {
                Ok(()) => self
                    .roots
                    .execute_stream_with_session_data(request, session_data.unwrap_or_default())
                    .map(|mut resp| {
                        codes::assign(&mut resp);
                        resp
                    })
                    .boxed(),
                Err(e) => stream::once(async move { Response::from_errors(vec![e]) }).boxed(),
            };
        }
        let this = self.clone();
        stream::once(async move {
            match this.prepare(request).await {
                Ok(request) => this
                    .roots
                    .execute_stream_with_session_data(request, session_data.unwrap_or_default()),
                Err(refused) => stream::once(async move { refused }).boxed(),
            }
        })
        .flatten()
        .map(|mut resp| {
            codes::assign(&mut resp);
            resp
        })
        .boxed()
    }
}

/// Execution limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum complexity (each field counts 1, connections by page size).
    pub complexity: usize,
    /// Whether introspection is allowed.
    pub introspection: bool,
    /// Document limits.
    pub armor: ArmorLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            complexity: 5_000,
            introspection: true,
            armor: ArmorLimits::default(),
        }
    }
}

/// Build the schema around the platform.
pub fn build(platform: Platform, limits: Limits) -> ZhucanSchema {
    let queries = platform.queries.clone();
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .data(platform)
    // Depth is the gateway's (`armor`): async-graphql's own limit counts introspection too.
    .limit_complexity(limits.complexity);
    if !limits.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    ZhucanSchema {
        roots: builder.finish(),
        queries,
        armor: limits.armor,
        parsed: Arc::default(),
    }
}

/// The SDL of the schema (no platform needed).
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .finish()
    .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

#[cfg(test)]
mod tests {
    #[test]
    fn checked_in_sdl_matches_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
        let current = super::sdl();
        if std::env::var_os("ZHUCAN_UPDATE_SDL").is_some() {
            std::fs::write(path, &current).unwrap();
        }
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in == current,
            "schema/schema.graphql is out of date: run `ZHUCAN_UPDATE_SDL=1 cargo test -p zhucan-schema` and commit it"
        );
    }
}
