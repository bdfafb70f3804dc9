//! Live registry changes for admins, filtered by each subscriber's scope.

use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use zhucan_domain::person::{PersonChange as DomainChange, PersonService};
use zhucan_resolvers::context::ContextExt;
use zhucan_resolvers::error::GqlResultExt;

/// 变更类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::person::PersonChange")]
pub enum PersonChangeKind {
    /// 新登记
    Created,
    /// 信息修改
    Updated,
    /// 注销
    Deactivated,
}

/// A registry change: ids only; query `person(id)` for the record itself.
#[derive(SimpleObject, Clone)]
pub struct PersonChange {
    /// The person.
    person_id: ID,
    /// What happened.
    change: PersonChangeKind,
}

/// Registry subscriptions.
#[derive(Default)]
pub struct PersonSubscription;

#[Subscription]
impl PersonSubscription {
    /// 残疾人信息变更 — registrations, changes and deactivations in the viewer's scope.
    async fn person_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = PersonChange> + use<>> {
        let watch = ctx.service::<PersonService>().watch_changes().gql(ctx)?;
        // Re-authorised per event: only changes inside the subscriber's scope pass.
        let events = ctx.platform().bus.subscribe().filter_map(move |event| {
            let out = watch
                .on(&event)
                .map(|(person, change): (_, DomainChange)| PersonChange {
                    person_id: ID(person.to_string()),
                    change: change.into(),
                });
            futures::future::ready(out)
        });
        Ok(crate::session_bound(events, ctx.platform(), ctx.request()))
    }
}
