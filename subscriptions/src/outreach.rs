//! 政策找人 warnings, live: street-town staff hear their street-town's warnings as they are
//! raised; district and city admins hear those escalated to the district in their scope.

use async_graphql::{Context, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use zhucan_domain::DomainError;
use zhucan_domain::events::DomainEvent;
use zhucan_domain::outreach::{WarningLevel as DomainLevel, addressed};
use zhucan_domain::viewer::Viewer;
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
        let viewer: Viewer = ctx.viewer().gql(ctx)?.clone();
        if !viewer.role.is_region_admin() {
            return Err(zhucan_resolvers::error::to_graphql(
                ctx,
                DomainError::Forbidden("仅管理员可接收政策找人预警"),
            ));
        }
        let regions = ctx.platform().regions.clone();
        let stream = ctx.platform().bus.subscribe().filter_map(move |e| {
            let out = match &*e {
                DomainEvent::OutreachWarning {
                    street_code, level, ..
                } => {
                    let level = DomainLevel::from_stored(level);
                    addressed(&viewer, level, street_code).then(|| OutreachWarningEvent {
                        level: level.into(),
                        street: regions.get(street_code).cloned().map(Region),
                    })
                }
                _ => None,
            };
            futures::future::ready(out)
        });
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }
}
