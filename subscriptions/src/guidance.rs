//! Live 云助残: offers and withdrawals for volunteers, a request's progress for the requester
//! and scoped admins, escalations for street-town admins. Every event is re-authorised: the
//! volunteer must still be verified, the viewer must still be allowed to see the request.

use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use sea_orm::EntityTrait;
use uuid::Uuid;
use zhucan_domain::entities::guidance_request;
use zhucan_domain::events::DomainEvent;
use zhucan_domain::guidance;
use zhucan_domain::viewer::{PersonScope, Role, Viewer};
use zhucan_domain::volunteer::VolunteerRepo;
use zhucan_domain::{DomainError, Platform};
use zhucan_resolvers::context::ContextExt;
use zhucan_resolvers::error::GqlResultExt;
use zhucan_resolvers::guidance::types::{GuidanceRequest, GuidanceStatus};
use zhucan_resolvers::person::inputs::parse_id;

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

async fn load(p: &Platform, id: Uuid) -> Option<guidance_request::Model> {
    guidance_request::Entity::find_by_id(id)
        .one(p.db.conn())
        .await
        .ok()
        .flatten()
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
        let viewer = ctx.viewer().gql(ctx)?.clone();
        let p = ctx.platform().clone();
        // Boxed awaits here and below: the stream keeps this function's future (and each
        // `then` future) allocated at its largest for as long as the volunteer stays connected,
        // and a database query's state is kilobytes. Found by heap profiling the S5 fan-out.
        let v = Box::pin(VolunteerRepo::new(&p.db).by_account(viewer.account_id))
            .await
            .gql(ctx)?;
        let v = v
            .filter(|v| v.status == "VERIFIED")
            .ok_or(DomainError::Forbidden("仅已认证志愿者可接收派单"))
            .gql(ctx)?;
        let me = v.id;
        // Offers and withdrawals are built from the event alone: delivering one to a thousand
        // subscribers costs no query. The volunteer's standing is re-checked (one query) when an
        // event says it changed; a suspended volunteer's stream ends there.
        // Short-lived values moved straight into the stream: boxing would only add an allocation.
        #[allow(clippy::large_enum_variant)]
        enum Item {
            Deliver(GuidanceOfferEvent),
            Standing,
        }
        let events = p.bus.subscribe().filter_map(move |e| {
            let item = match &*e {
                DomainEvent::GuidanceOffered {
                    request_id,
                    offers,
                    request,
                } => offers.get(me).map(|offer| {
                    Item::Deliver(GuidanceOfferEvent {
                        change: OfferChange::Offered,
                        request_id: ID(request_id.to_string()),
                        request: Some(GuidanceRequest {
                            row: request.as_ref().clone(),
                            access: guidance::GuidanceAccess::OfferedVolunteer {
                                distance_m: offer.distance_m,
                            },
                        }),
                    })
                }),
                DomainEvent::GuidanceWithdrawn {
                    request_id,
                    volunteer_ids,
                } if volunteer_ids.contains(&me) => Some(Item::Deliver(GuidanceOfferEvent {
                    change: OfferChange::Withdrawn,
                    request_id: ID(request_id.to_string()),
                    request: None,
                })),
                DomainEvent::VolunteerChanged { volunteer_id } if *volunteer_id == me => {
                    Some(Item::Standing)
                }
                _ => None,
            };
            futures::future::ready(item)
        });
        let account = viewer.account_id;
        let stream = events
            .then(move |item| {
                let p = p.clone();
                Box::pin(async move {
                    match item {
                        Item::Deliver(e) => Some(Some(e)),
                        Item::Standing => match VolunteerRepo::new(&p.db).by_account(account).await
                        {
                            Ok(v) if v.as_ref().is_some_and(|v| v.status == "VERIFIED") => {
                                Some(None)
                            }
                            Ok(_) => None,
                            Err(e) => {
                                // Unknown standing is not a suspension: keep the stream.
                                tracing::warn!(error = %e, "volunteer standing re-check failed");
                                Some(None)
                            }
                        },
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
        let viewer: Viewer = ctx.viewer().gql(ctx)?.clone();
        let p = ctx.platform().clone();
        let id = parse_id("id", &id).gql(ctx)?;
        let row = load(&p, id)
            .await
            .ok_or(DomainError::NotFound {
                what: "助盲出行需求",
            })
            .gql(ctx)?;
        let access = guidance::access_of(&p, &viewer, &row).await.gql(ctx)?;
        if !matches!(
            access,
            guidance::GuidanceAccess::Requester
                | guidance::GuidanceAccess::Admin
                | guidance::GuidanceAccess::ClaimedVolunteer
        ) {
            return Err(zhucan_resolvers::error::to_graphql(
                ctx,
                DomainError::NotFound {
                    what: "助盲出行需求",
                },
            ));
        }
        let scope = PersonScope::of(&viewer);
        let stream = p.bus.subscribe().filter_map(move |e| {
            let out = match &*e {
                DomainEvent::GuidanceStatusChanged {
                    request_id,
                    person_id,
                    street_code,
                    status,
                } if *request_id == id => {
                    // Re-checked per event: the requester by person, admins by scope.
                    let allowed = match viewer.role {
                        Role::Citizen => viewer.person_id == Some(*person_id),
                        r if r.is_region_admin() => scope.admits(*person_id, street_code),
                        _ => true,
                    };
                    guidance::GuidanceStatus::from_code(status)
                        .filter(|_| allowed)
                        .map(|s| GuidanceRequestEvent {
                            request_id: ID(request_id.to_string()),
                            status: s.into(),
                        })
                }
                _ => None,
            };
            futures::future::ready(out)
        });
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }

    /// 超时升级 — for admins: requests in their scope that nobody claimed in time.
    async fn guidance_escalations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = GuidanceEscalationEvent> + use<>> {
        let viewer: Viewer = ctx.viewer().gql(ctx)?.clone();
        if !viewer.role.is_region_admin() {
            return Err(zhucan_resolvers::error::to_graphql(
                ctx,
                DomainError::Forbidden("仅管理员可接收超时升级"),
            ));
        }
        let p = ctx.platform().clone();
        let scope = PersonScope::of(&viewer);
        let stream = p
            .bus
            .subscribe()
            .filter_map(move |e| {
                let out = match &*e {
                    DomainEvent::GuidanceEscalated {
                        request_id,
                        street_code,
                    } if scope.may_write_region(
                        &zhucan_domain::types::RegionCode::from_trusted(street_code.clone()),
                    ) =>
                    {
                        Some(*request_id)
                    }
                    _ => None,
                };
                futures::future::ready(out)
            })
            .then(move |request_id| {
                let p = p.clone();
                let viewer = viewer.clone();
                async move {
                    let row = load(&p, request_id).await?;
                    let access = guidance::access_of(&p, &viewer, &row).await.ok()?;
                    Some(GuidanceEscalationEvent {
                        request: GuidanceRequest { row, access },
                    })
                }
            })
            .filter_map(futures::future::ready);
        Ok(crate::session_bound(stream, ctx.platform(), ctx.request()))
    }
}
