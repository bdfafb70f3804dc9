//! 政策找人 warnings, live: street-town staff hear their street-town's warnings as they are
//! raised; district and city admins hear those escalated to the district in their scope.

use async_graphql::{Context, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use zhucan_domain::outreach::OutreachService;
use zhucan_resolvers::context::ContextExt;
use zhucan_resolvers::error::GqlResultExt;
use zhucan_resolvers::outreach::WarningLevel;
use zhucan_resolvers::region::Region;

/// 预警事件 — fetch the details with `outreachWarnings`.
#[derive(SimpleObject)]
pub struct OutreachWarningEvent {
    /// 级别
    pub level: WarningLevel,
    /// 街镇
    pub street: Option<Region>,
}

/// 政策找人 subscriptions.
#[derive(Default)]
pub struct OutreachSubscription;

#[Subscription]
impl OutreachSubscription {
    /// 预警推送 — warnings addressed to you as they are raised or escalated.
    async fn outreach_warnings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = OutreachWarningEvent> + use<>> {
        let watch = ctx.service::<OutreachService>().watch_warnings().gql(ctx)?;
        let regions = ctx.platform().regions.clone();
        let stream = ctx.platform().bus.subscribe().filter_map(move |e| {
            let out = watch.on(&e).map(|(level, street)| OutreachWarningEvent {
                level: level.into(),
                street: regions.get(&street).cloned().map(Region),
            });
            futures::future::ready(out)
        });
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }
}
