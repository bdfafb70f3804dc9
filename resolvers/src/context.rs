//! What each request carries: the platform, the caller (viewer and origin), the session behind
//! it (for sign-out and stream ends), and the request's DataLoaders.

use async_graphql::{Context, Data};
use chrono::{DateTime, Utc};
use zhucan_domain::identity::{Session, SessionStage};
use zhucan_domain::viewer::{RequestMeta, Viewer};
use zhucan_domain::{Caller, DomainResult, Platform};

use crate::loaders::Loaders;

/// Per-request data, attached at the edge by HTTP and WebSocket alike.
pub struct RequestData {
    /// Who calls, from where: what every domain service is built from.
    pub caller: Caller,
    /// When the viewer's token expires (streams end then).
    pub expires_at: Option<DateTime<Utc>>,
    /// The token behind the viewer (logout, revocation).
    pub session: Option<Session>,
}

/// Build the request-scoped data: caller, session and DataLoaders.
pub fn attach_request_data(
    platform: &Platform,
    viewer: Option<(Viewer, Session)>,
    meta: RequestMeta,
) -> Data {
    let (caller, session) = match viewer {
        Some((v, s)) => (Caller::signed_in(v, s.stage, meta), Some(s)),
        None => (Caller::anonymous(meta), None),
    };
    let mut data = Data::default();
    data.insert(Loaders::new(platform.clone(), caller.clone()));
    data.insert(RequestData {
        caller,
        expires_at: session.map(|s| s.expires_at),
        session,
    });
    data
}

/// A domain service built from the platform and the caller.
pub trait Service<'a>: Sized {
    /// The service for this caller.
    fn build(platform: &'a Platform, caller: &'a Caller) -> Self;
}

macro_rules! services {
    ($($t:ty),* $(,)?) => {
        $(impl<'a> Service<'a> for $t {
            fn build(platform: &'a Platform, caller: &'a Caller) -> Self {
                <$t>::new(platform, caller)
            }
        })*
    };
}

services!(
    zhucan_domain::person::PersonService<'a>,
    zhucan_domain::audit::AuditService<'a>,
    zhucan_domain::identity::AccountService<'a>,
    zhucan_domain::catalog::CatalogService<'a>,
    zhucan_domain::eligibility::EligibilityService<'a>,
    zhucan_domain::records::RecordService<'a>,
    zhucan_domain::home::HomeService<'a>,
    zhucan_domain::volunteer::VolunteerService<'a>,
    zhucan_domain::guidance::GuidanceService<'a>,
    zhucan_domain::outreach::OutreachService<'a>,
    zhucan_domain::activity::ActivityService<'a>,
    zhucan_domain::custody::CustodyService<'a>,
    zhucan_domain::survey::SurveyService<'a>,
    zhucan_domain::care::CareService<'a>,
    zhucan_domain::employment::EmploymentService<'a>,
    zhucan_domain::subsidy::SubsidyService<'a>,
    zhucan_domain::identity::activation::CitizenAccountService<'a>,
    zhucan_domain::cockpit::CockpitService<'a>,
    zhucan_domain::analysis::AnalysisService<'a>,
);

/// Convenience accessors on the GraphQL context.
pub trait ContextExt {
    /// The platform.
    fn platform(&self) -> &Platform;
    /// The request's data.
    fn request(&self) -> &RequestData;
    /// Who calls.
    fn caller(&self) -> &Caller;
    /// A domain service for this request's caller.
    fn service<'a, S: Service<'a>>(&'a self) -> S;
    /// The request's DataLoaders (`None` outside a request, e.g. in schema tests).
    fn loaders(&self) -> Option<&Loaders>;
    /// The viewer of a fully signed-in session, or `UNAUTHENTICATED` / the step still required.
    fn viewer(&self) -> DomainResult<&Viewer>;
}

/// A caller for contexts without request data (schema tests): nobody.
static NOBODY: std::sync::LazyLock<RequestData> = std::sync::LazyLock::new(|| RequestData {
    caller: Caller::anonymous(RequestMeta::default()),
    expires_at: None,
    session: None,
});

impl ContextExt for Context<'_> {
    fn platform(&self) -> &Platform {
        // The schema crate always builds the schema with the platform as data.
        self.data_unchecked::<Platform>()
    }

    fn request(&self) -> &RequestData {
        self.data_opt::<RequestData>().unwrap_or(&NOBODY)
    }

    fn caller(&self) -> &Caller {
        &self.request().caller
    }

    fn service<'a, S: Service<'a>>(&'a self) -> S {
        S::build(self.platform(), self.caller())
    }

    fn loaders(&self) -> Option<&Loaders> {
        self.data_opt::<Loaders>()
    }

    fn viewer(&self) -> DomainResult<&Viewer> {
        self.caller().viewer()
    }
}

/// The stage of the request's session (`Full` without one).
pub fn stage(ctx: &Context<'_>) -> SessionStage {
    ctx.request()
        .session
        .map_or(SessionStage::Full, |s| s.stage)
}
