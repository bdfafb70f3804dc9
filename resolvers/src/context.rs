//! What each request carries: the platform, the viewer (if signed in), where the request came
//! from, and its DataLoaders (built per request, so that they carry the viewer's scope).

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Context, Data};
use chrono::{DateTime, Utc};
use zhucan_domain::identity::{Session, SessionStage};
use zhucan_domain::viewer::{PersonScope, RequestMeta, Viewer};
use zhucan_domain::{DomainError, DomainResult, Platform};

use crate::person::loaders::{
    HouseholdMembersLoader, ServiceItemLoader, ServiceRecordLoader, VisitsLoader,
    VolunteerAreasLoader,
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

/// Build the request-scoped data: viewer, origin and DataLoaders.
pub fn attach_request_data(
    platform: &Platform,
    viewer: Option<(Viewer, Session)>,
    meta: RequestMeta,
) -> Data {
    let (viewer, session) = viewer.map_or((None, None), |(v, s)| (Some(v), Some(s)));
    let expires_at = session.map(|s| s.expires_at);
    let mut data = Data::default();
    let scope = viewer.as_ref().map(PersonScope::of);
    if let Some(scope) = scope {
        data.insert(DataLoader::with_cache(
            HouseholdMembersLoader {
                db: platform.db.clone(),
                scope,
            },
            tokio::spawn,
            HashMapCache::default(),
        ));
    }
    data.insert(DataLoader::with_cache(
        VisitsLoader {
            db: platform.db.clone(),
        },
        tokio::spawn,
        HashMapCache::default(),
    ));
    data.insert(DataLoader::with_cache(
        ServiceItemLoader {
            db: platform.db.clone(),
        },
        tokio::spawn,
        HashMapCache::default(),
    ));
    data.insert(DataLoader::with_cache(
        ServiceRecordLoader {
            db: platform.db.clone(),
        },
        tokio::spawn,
        HashMapCache::default(),
    ));
    data.insert(DataLoader::with_cache(
        VolunteerAreasLoader {
            db: platform.db.clone(),
        },
        tokio::spawn,
        HashMapCache::default(),
    ));
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

    fn viewer(&self) -> DomainResult<&Viewer> {
        let viewer = self.signed_in()?;
        match self.request().session.map(|s| s.stage) {
            Some(SessionStage::SecondFactorEnrollment) => Err(DomainError::ActionRequired {
                code: "SECOND_FACTOR_ENROLLMENT_REQUIRED",
                message: "管理员账户须先绑定动态口令（enrollSecondFactor、confirmSecondFactor）",
            }),
            Some(SessionStage::PasswordChange) => Err(DomainError::ActionRequired {
                code: "PASSWORD_CHANGE_REQUIRED",
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
