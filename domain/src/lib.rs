//! zhucan-domain: business rules and persistence of 助残云 — domain types, the Viewer and its
//! scope, field policy, national cryptography, the audit chain, and one module per domain.
//! No HTTP, GraphQL or Redis here.

#[macro_use]
mod macros;

pub mod activity;
pub mod analysis;
pub mod audit;
pub mod blob;
pub mod caller;
pub mod care;
pub mod catalog;
pub mod cockpit;
pub mod crypto;
pub mod custody;
pub mod db;
pub mod demo;
pub mod eligibility;
pub mod employment;
pub mod entities;
pub mod error;
pub mod events;
pub mod guidance;
pub mod home;
pub mod identity;
pub mod jobs;
pub mod limits;
pub mod outreach;
pub mod page;
pub mod partners;
pub mod persisted;
pub mod person;
pub mod policy;
pub mod records;
pub mod region;
pub mod sms;
pub mod subsidy;
pub mod survey;
pub mod types;
pub mod viewer;
pub mod volunteer;

use std::sync::Arc;

pub use caller::Caller;
pub use db::Db;
pub use error::{DomainError, DomainResult};

/// Everything a request handler needs from the domain, built once at start. A cheap handle:
/// every request and subscription holds one, so cloning it is one reference count (cloning the
/// parts field by field cost 9 % of the server's time in the S1 load scenario).
#[derive(Clone)]
pub struct Platform(Arc<PlatformParts>);

impl Platform {
    /// The platform made of these parts.
    pub fn new(parts: PlatformParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for Platform {
    type Target = PlatformParts;

    fn deref(&self) -> &PlatformParts {
        &self.0
    }
}

/// What the platform is made of.
pub struct PlatformParts {
    /// Database.
    pub db: Db,
    /// Field cipher and keys.
    pub cipher: crypto::FieldCipher,
    /// Region reference data.
    pub regions: Arc<region::RegionDirectory>,
    /// Access tokens.
    pub tokens: identity::TokenService,
    /// Password hashing for new passwords.
    pub hasher: crypto::PasswordHasher,
    /// Event bus.
    pub bus: Arc<dyn events::EventBus>,
    /// Blind-guidance dispatch timings.
    pub dispatch: guidance::DispatchConfig,
    /// Sign-in lockout.
    pub lockout: identity::LockoutPolicy,
    /// Password rules and the second factor for staff.
    pub sign_in: identity::SignInPolicy,
    /// Revoked sessions, kept current from the event bus.
    pub revocations: Arc<identity::Revocations>,
    /// Last use of staff sessions (idle timeout).
    pub activity: Arc<identity::Activity>,
    /// The catalog search index of this node, kept current from the event bus.
    pub search: Arc<catalog::search::SearchIndex>,
    /// 政策找人 settings (calendar, deadlines, limits).
    pub outreach: outreach::OutreachConfig,
    /// Activities: the no-show rule.
    pub activities: activity::ActivityPolicy,
    /// 就业服务: the proportional-employment ratio.
    pub employment: employment::EmploymentConfig,
    /// 代管资金: when unhandled alerts escalate.
    pub custody: custody::CustodyConfig,
    /// 领导驾驶舱: this node's counters in memory and the screens watching them.
    pub cockpit: Arc<cockpit::Hub>,
    /// 补贴发放: the bank file's encoding.
    pub subsidies: subsidy::SubsidyConfig,
    /// Where attachments are stored.
    pub blobs: Arc<dyn blob::BlobStore>,
    /// Request rate limits (shared through Redis across nodes when configured).
    pub limiter: Arc<dyn limits::RateLimiter>,
    /// Persisted query documents (shared through Redis across nodes when configured).
    pub queries: Arc<dyn persisted::QueryStore>,
    /// Audit records of reads (file opens), appended by group commit.
    pub reads: audit::ReadRecorder,
    /// Where signed checkpoints of the audit chain are kept, outside the database.
    pub audit_checkpoint: Option<std::path::PathBuf>,
    /// Background work of this node (periodic passes, grant and publishing jobs).
    pub jobs: jobs::JobRunner,
}

impl PlatformParts {
    /// The audit-chain key.
    pub fn audit_key(&self) -> &[u8] {
        self.cipher.keys().audit_key()
    }
}
