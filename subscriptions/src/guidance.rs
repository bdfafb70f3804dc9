//! Live 云助残: offers and withdrawals for volunteers, a request's progress for the requester
//! and scoped admins, escalations for street-town admins. Every event is re-authorised by the
//! guidance service's watchers: the volunteer must still be verified, the viewer must still be
//! allowed to see the request.

use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use zhucan_domain::guidance::{GuidanceService, OfferSeen};
use zhucan_resolvers::context::ContextExt;
use zhucan_resolvers::error::GqlResultExt;
use zhucan_resolvers::guidance::types::{GuidanceRequest, GuidanceStatus};
use zhucan_resolvers::support::parse_id;

/// 派单变化
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OfferChange {
    /// 新派单
    Offered,
    /// 撤回（已被他人认领、取消或过期）
    Withdrawn,
}

/// An offer event for a volunteer.
#[derive(SimpleObject)]
pub struct GuidanceOfferEvent {
    /// What happened.
    change: OfferChange,
    /// Request id.
    request_id: ID,
    /// The request as the volunteer may see it (`null` once withdrawn).
    request: Option<GuidanceRequest>,
}

/// A state change of one request.
#[derive(SimpleObject)]
pub struct GuidanceRequestEvent {
    /// Request id.
    request_id: ID,
    /// New state.
    status: GuidanceStatus,
}

/// An escalation for street-town admins.
#[derive(SimpleObject)]
pub struct GuidanceEscalationEvent {
    /// The request, as the admin may see it.
    request: GuidanceRequest,
}

/// 云助残 subscriptions.
#[derive(Default)]
pub struct GuidanceSubscription;

#[Subscription]
impl GuidanceSubscription {
    /// 派单 — for a verified volunteer: new offers and withdrawals. The stream ends when the
    /// volunteer is suspended (checked at every event) or their token expires.
    async fn guidance_offers(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = GuidanceOfferEvent> + use<>> {
        // Boxed awaits here and below: the stream keeps this function's future (and each
        // `then` future) allocated at its largest for as long as the volunteer stays connected,
        // and a database query's state is kilobytes. Found by heap profiling the S5 fan-out.
        let watch = Box::pin(ctx.service::<GuidanceService>().watch_offers())
            .await
            .gql(ctx)?;
        let p = ctx.platform().clone();
        // Offers and withdrawals are built from the event alone: delivering one to a thousand
        // subscribers costs no query. The volunteer's standing is re-checked (one query) when an
        // event says it changed; a suspended volunteer's stream ends there.
        let stream = p
            .bus
            .subscribe()
            .filter_map(move |e| futures::future::ready(watch.on(&e)))
            .then(move |seen| {
                let p = p.clone();
                Box::pin(async move {
                    match seen {
                        OfferSeen::Offered(view) => Some(Some(GuidanceOfferEvent {
                            change: OfferChange::Offered,
                            request_id: ID(view.id().to_string()),
                            request: Some(GuidanceRequest(*view)),
                        })),
                        OfferSeen::Withdrawn(id) => Some(Some(GuidanceOfferEvent {
                            change: OfferChange::Withdrawn,
                            request_id: ID(id.to_string()),
                            request: None,
                        })),
                        OfferSeen::Standing => watch.still_verified(&p).await.then_some(None),
                    }
                })
            })
            .take_while(|e| futures::future::ready(e.is_some()))
            .filter_map(|e| futures::future::ready(e.flatten()));
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }

    /// 需求进度 — for the requester, their family and admins whose scope holds the person.
    async fn guidance_request_updated(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<impl Stream<Item = GuidanceRequestEvent> + use<>> {
        let id = parse_id("id", &id).gql(ctx)?;
        let watch = ctx
            .service::<GuidanceService>()
            .watch_request(id)
            .await
            .gql(ctx)?;
        // Re-checked per event: the requester by person, admins by scope.
        let stream = ctx.platform().bus.subscribe().filter_map(move |e| {
            let out = watch.on(&e).map(|s| GuidanceRequestEvent {
                request_id: ID(id.to_string()),
                status: s.into(),
            });
            futures::future::ready(out)
        });
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }

    /// 超时升级 — for admins: requests in their scope that nobody claimed in time.
    async fn guidance_escalations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = GuidanceEscalationEvent> + use<>> {
        let watch = ctx
            .service::<GuidanceService>()
            .watch_escalations()
            .gql(ctx)?;
        let p = ctx.platform().clone();
        let caller = ctx.caller().clone();
        let stream = p
            .bus
            .subscribe()
            .filter_map(move |e| futures::future::ready(watch.on(&e)))
            .then(move |request_id| {
                let (p, caller) = (p.clone(), caller.clone());
                async move {
                    let view = GuidanceService::new(&p, &caller)
                        .request(request_id)
                        .await
                        .ok()?;
                    Some(GuidanceEscalationEvent {
                        request: GuidanceRequest(view),
                    })
                }
            })
            .filter_map(futures::future::ready);
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }
}
