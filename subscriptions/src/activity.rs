//! 活动签到, live: the organiser's screen hears each check-in at its activity with the running
//! count; the person is shown as the screen's viewer may see them (field policy, scope).

use async_graphql::{Context, ID, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use zhucan_domain::activity::ActivityService;
use zhucan_domain::person::PersonService;
use zhucan_resolvers::context::ContextExt;
use zhucan_resolvers::error::GqlResultExt;
use zhucan_resolvers::person::types::Person;
use zhucan_resolvers::support::parse_id;

/// 签到动态
#[derive(SimpleObject)]
pub struct ActivityCheckinEvent {
    /// 已签到人数
    pub checked_in: i32,
    /// 已确认报名人数
    pub confirmed: i32,
    /// 刚签到的人（按当前用户的权限脱敏；不在管辖范围内为空）
    pub person: Option<Person>,
}

/// Activity subscriptions.
#[derive(Default)]
pub struct ActivitySubscription;

#[Subscription]
impl ActivitySubscription {
    /// 签到大屏 — each check-in at an activity you manage, with the running count.
    async fn activity_checkins(
        &self,
        ctx: &Context<'_>,
        activity_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = ActivityCheckinEvent> + use<>> {
        let id = parse_id("activityId", &activity_id).gql(ctx)?;
        let watch = ctx
            .service::<ActivityService>()
            .watch_check_ins(id)
            .await
            .gql(ctx)?;
        let platform = ctx.platform().clone();
        let caller = ctx.caller().clone();
        let stream = ctx
            .platform()
            .bus
            .subscribe()
            .filter_map(move |e| futures::future::ready(watch.on(&e)))
            .then(move |update| {
                let (platform, caller) = (platform.clone(), caller.clone());
                async move {
                    let person = PersonService::new(&platform, &caller)
                        .get_many(&[update.person_id])
                        .await
                        .ok()
                        .and_then(|mut found| found.remove(&update.person_id))
                        .map(Person);
                    ActivityCheckinEvent {
                        checked_in: update.checked_in,
                        confirmed: update.confirmed,
                        person,
                    }
                }
            });
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }
}
