//! zhucan-schema: every domain's roots merged into ONE schema, with limits and the error-code
//! extension installed. `schema.graphql` beside this crate is the checked-in SDL; a test fails
//! when it drifts.

mod apq;
mod armor;
mod codes;

use async_graphql::{MergedObject, MergedSubscription, Schema};
use zhucan_domain::Platform;
use zhucan_resolvers::audit::AuditQuery;
use zhucan_resolvers::catalog::{CatalogMutation, CatalogQuery};
use zhucan_resolvers::eligibility::{EligibilityMutation, EligibilityQuery};
use zhucan_resolvers::guidance::{GuidanceMutation, GuidanceQuery};
use zhucan_resolvers::home::{HomeMutation, HomeQuery};
use zhucan_resolvers::identity::{IdentityMutation, IdentityQuery};
use zhucan_resolvers::outreach::{OutreachMutation, OutreachQuery};
use zhucan_resolvers::person::{PersonMutation, PersonQuery};
use zhucan_resolvers::region::RegionQuery;
use zhucan_subscriptions::{GuidanceSubscription, OutreachSubscription, PersonSubscription};

pub use apq::PersistedQueries;
pub use armor::{Armor, ArmorLimits, count_tokens};
pub use codes::ErrorCodes;

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
);

/// The subscription root of every domain.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    PersonSubscription,
    GuidanceSubscription,
    OutreachSubscription,
);

/// The one schema.
pub type ZhucanSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Execution limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum selection depth.
    pub depth: usize,
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
            depth: 12,
            complexity: 5_000,
            introspection: true,
            armor: ArmorLimits::default(),
        }
    }
}

/// Build the schema around the platform.
pub fn build(platform: Platform, limits: Limits) -> ZhucanSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .data(platform.clone())
    .extension(ErrorCodes)
    .extension(PersistedQueries(platform.queries.clone()))
    .extension(Armor(limits.armor))
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity);
    if !limits.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The SDL of the schema (no platform needed).
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .finish()
    .sdl()
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
