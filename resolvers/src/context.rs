//! What each request carries: the platform, the viewer (if signed in), where the request came
//! from, and its DataLoaders (built per request, so that they carry the viewer's scope).

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Context, Data};
use chrono::{DateTime, Utc};
use zhucan_domain::identity::{Session, SessionStage};
use zhucan_domain::viewer::{PersonScope, RequestMeta, Viewer};
use zhucan_domain::{DomainError, DomainResult, Platform};

use std::sync::OnceLock;

use crate::person::loaders::{
    AreasLoader, HouseholdMembersLoader, MembersLoader, RecordsLoader, ServiceItemLoader,
    ServiceItemsLoader, ServiceRecordLoader, VisitorLoader, VisitsLoader, VolunteerAreasLoader,
};

/// Per-request data, attached at the edge by HTTP and WebSocket alike.
pub struct RequestData {
    /// The signed-in principal.
    pub viewer: Option<Viewer>,
    /// When the viewer's token expires (streams end then).
    pub expires_at: Option<DateTime<Utc>>,
    /// The token behind the viewer (logout, revocation).
    pub session: Option<Session>,
    /// Origin of the request.
    pub meta: RequestMeta,
}

/// The request's DataLoaders, each built on first use: most requests use one or none, and
/// building all five for every request showed in the S1 load scenario's profile.
pub struct Loaders {
    platform: Platform,
    scope: Option<PersonScope>,
    members: OnceLock<MembersLoader>,
    visits: OnceLock<VisitorLoader>,
    service_items: OnceLock<ServiceItemsLoader>,
    records: OnceLock<RecordsLoader>,
    areas: OnceLock<AreasLoader>,
}

fn loader<L>(
    cell: &OnceLock<DataLoader<L, HashMapCache>>,
    make: impl FnOnce() -> L,
) -> &DataLoader<L, HashMapCache>
where
    L: async_graphql::dataloader::Loader<uuid::Uuid>,
{
    cell.get_or_init(|| DataLoader::with_cache(make(), tokio::spawn, HashMapCache::default()))
}

impl Loaders {
    /// Household members, within the viewer's scope (none without a viewer).
    pub fn members(&self) -> Option<&MembersLoader> {
        let scope = self.scope.as_ref()?;
        Some(loader(&self.members, || HouseholdMembersLoader {
            db: self.platform.db.clone(),
            scope: scope.clone(),
        }))
    }

    /// Visitor records of persons.
    pub fn visits(&self) -> &VisitorLoader {
        loader(&self.visits, || VisitsLoader {
            db: self.platform.db.clone(),
        })
    }

    /// Service items by id.
    pub fn service_items(&self) -> &ServiceItemsLoader {
        loader(&self.service_items, || ServiceItemLoader {
            db: self.platform.db.clone(),
        })
    }

    /// Service records of persons.
    pub fn records(&self) -> &RecordsLoader {
        loader(&self.records, || ServiceRecordLoader {
            db: self.platform.db.clone(),
        })
    }

    /// Service street-towns of volunteers.
    pub fn areas(&self) -> &AreasLoader {
        loader(&self.areas, || VolunteerAreasLoader {
            db: self.platform.db.clone(),
        })
    }
}

/// Build the request-scoped data: viewer, origin and DataLoaders.
pub fn attach_request_data(
    platform: &Platform,
    viewer: Option<(Viewer, Session)>,
    meta: RequestMeta,
) -> Data {
    let (viewer, session) = viewer.map_or((None, None), |(v, s)| (Some(v), Some(s)));
    let expires_at = session.map(|s| s.expires_at);
    let mut data = Data::default();
    data.insert(Loaders {
        platform: platform.clone(),
        scope: viewer.as_ref().map(PersonScope::of),
        members: OnceLock::new(),
        visits: OnceLock::new(),
        service_items: OnceLock::new(),
        records: OnceLock::new(),
        areas: OnceLock::new(),
    });
    data.insert(RequestData {
        viewer,
        expires_at,
        session,
        meta,
    });
    data
}

/// Convenience accessors on the GraphQL context.
pub trait ContextExt {
    /// The platform.
    fn platform(&self) -> &Platform;
    /// The request's data.
    fn request(&self) -> &RequestData;
    /// The request's DataLoaders (`None` outside a request, e.g. in schema tests).
    fn loaders(&self) -> Option<&Loaders>;
    /// The viewer of a fully signed-in session, or `UNAUTHENTICATED` / the step still required
    /// (`SECOND_FACTOR_ENROLLMENT_REQUIRED`, `PASSWORD_CHANGE_REQUIRED`).
    fn viewer(&self) -> DomainResult<&Viewer>;
    /// The viewer whatever the session's stage (sign-out, password change, enrolment).
    fn signed_in(&self) -> DomainResult<&Viewer>;
}

impl ContextExt for Context<'_> {
    fn platform(&self) -> &Platform {
        // The schema crate always builds the schema with the platform as data.
        self.data_unchecked::<Platform>()
    }

    fn request(&self) -> &RequestData {
        self.data_unchecked::<RequestData>()
    }

    fn loaders(&self) -> Option<&Loaders> {
        self.data_opt::<Loaders>()
    }

    fn viewer(&self) -> DomainResult<&Viewer> {
        let viewer = self.signed_in()?;
        match self.request().session.map(|s| s.stage) {
            Some(SessionStage::SecondFactorEnrollment) => Err(DomainError::ActionRequired {
                code: crate::error::codes::SECOND_FACTOR_ENROLLMENT_REQUIRED,
                message: "管理员账户须先绑定动态口令（enrollSecondFactor、confirmSecondFactor）",
            }),
            Some(SessionStage::PasswordChange) => Err(DomainError::ActionRequired {
                code: crate::error::codes::PASSWORD_CHANGE_REQUIRED,
                message: "须先修改密码（首次登录或密码已过期）",
            }),
            _ => Ok(viewer),
        }
    }

    fn signed_in(&self) -> DomainResult<&Viewer> {
        self.data_opt::<RequestData>()
            .and_then(|r| r.viewer.as_ref())
            .ok_or(DomainError::Unauthenticated("请先登录"))
    }
}
