//! Live registry changes for admins, filtered by each subscriber's scope.

use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use zhucan_domain::events::DomainEvent;
use zhucan_domain::viewer::PersonScope;
use zhucan_resolvers::context::ContextExt;
use zhucan_resolvers::error::GqlResultExt;
use zhucan_resolvers::person::reading_scope;

/// 变更类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
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
        let viewer = ctx.viewer().gql(ctx)?;
        let scope: PersonScope = reading_scope(viewer).gql(ctx)?;
        let events = ctx.platform().bus.subscribe().filter_map(move |event| {
            // Re-authorised per event: only changes inside the subscriber's scope pass.
            let out = match &*event {
                DomainEvent::PersonChanged {
                    person_id,
                    street_code,
                    change,
                } if scope.admits(*person_id, street_code) => {
                    let change = match change.as_str() {
                        "CREATED" => PersonChangeKind::Created,
                        "DEACTIVATED" => PersonChangeKind::Deactivated,
                        _ => PersonChangeKind::Updated,
                    };
                    Some(PersonChange {
                        person_id: ID(person_id.to_string()),
                        change,
                    })
                }
                _ => None,
            };
            futures::future::ready(out)
        });
        Ok(crate::session_bound(events, ctx.platform(), ctx.request()))
    }
}
