//! 代管资金预警, live: a custodianship's supervisor and its street-town's admins hear its alerts
//! as they are raised; district and city admins in scope hear those escalated to the district.

use async_graphql::{Context, Subscription};
use futures::{Stream, StreamExt};
use zhucan_domain::custody::{CustodyService, addressed};
use zhucan_resolvers::context::ContextExt;
use zhucan_resolvers::custody_alerts::CustodyAlert;
use zhucan_resolvers::error::GqlResultExt;

/// 代管资金 subscriptions.
#[derive(Default)]
pub struct CustodySubscription;

#[Subscription]
impl CustodySubscription {
    /// 代管资金预警推送 — alerts addressed to you as they are raised or escalated.
    async fn custody_alert_raised(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = CustodyAlert> + use<>> {
        let viewer = ctx.service::<CustodyService>().watch_alerts().gql(ctx)?;
        let platform = ctx.platform().clone();
        let caller = ctx.caller().clone();
        let stream = ctx.platform().bus.subscribe().filter_map(move |e| {
            let id = addressed(&viewer, &e);
            let (platform, caller) = (platform.clone(), caller.clone());
            async move {
                let id = id?;
                // Re-read in the viewer's scope: the event carries no personal data.
                CustodyService::new(&platform, &caller)
                    .alert(id)
                    .await
                    .ok()
                    .map(|a| CustodyAlert(a.row))
            }
        });
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }
}
