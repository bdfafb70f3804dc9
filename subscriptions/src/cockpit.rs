//! 领导驾驶舱, live: a screen gets its region's indicators at once, then each change, coalesced
//! to at most one message per `cockpit_push_ms`. Every screen of a node reads the same figures
//! from the node's hub (a watch channel): a push runs no SQL for any subscriber.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, Subscription};
use futures::Stream;
use tokio::sync::watch;
use tokio::time::Instant;
use zhucan_domain::cockpit::Hub;
use zhucan_domain::cockpit::{CockpitService, RegionView};
use zhucan_resolvers::cockpit::Cockpit;
use zhucan_resolvers::context::ContextExt;
use zhucan_resolvers::error::GqlResultExt;

/// 驾驶舱 subscriptions.
#[derive(Default)]
pub struct CockpitSubscription;

struct Screen {
    rx: watch::Receiver<Arc<zhucan_domain::cockpit::Snapshot>>,
    region: String,
    last: Option<Arc<RegionView>>,
    next_at: Option<Instant>,
    every: Duration,
}

#[Subscription]
impl CockpitSubscription {
    /// 驾驶舱实时指标 — the indicators of a region in your scope (yours when absent): the
    /// current figures at once, then every change, at most once per push interval.
    async fn cockpit_metrics(
        &self,
        ctx: &Context<'_>,
        region_code: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = Cockpit> + use<>> {
        let service = ctx.service::<CockpitService>();
        let region = service.region(region_code.as_deref()).gql(ctx)?;
        let p = ctx.platform();
        let hub: &Hub = &p.cockpit;
        // The first screen of a node reads the counters now; later ones find them current.
        let mut rx = hub.watch();
        hub.refresh(&p.db, &p.regions).await.gql(ctx)?;
        rx.mark_changed();
        let screen = Screen {
            rx,
            region: region.as_str().to_owned(),
            last: None,
            next_at: None,
            every: hub.push_interval(),
        };
        let stream = futures::stream::unfold(screen, |mut s| async move {
            loop {
                if let Some(at) = s.next_at {
                    tokio::time::sleep_until(at).await;
                }
                if s.rx.changed().await.is_err() {
                    return None;
                }
                let view = s.rx.borrow_and_update().view(&s.region);
                if s.last.as_ref().is_some_and(|l| {
                    Arc::ptr_eq(l, &view) || (l.figures == view.figures && l.areas == view.areas)
                }) {
                    continue;
                }
                s.last = Some(view.clone());
                s.next_at = Some(Instant::now() + s.every);
                return Some((Cockpit(view), s));
            }
        });
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }
}
