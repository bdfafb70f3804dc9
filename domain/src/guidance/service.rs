//! 云助残 as one service: publishing and following requests, offers, claims and the service
//! itself, ratings and blocks, the admin views — and the watchers that decide, event by event,
//! what a live subscriber may receive. What each viewer sees of a request is the request view's
//! business ([`RequestView`]), never the caller's.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::views::{GuidanceUserStats, guidance_user_stats, live_offers_of, requests_of_person};
use super::{
    GuidanceAccess, GuidanceDraft, GuidanceSecret, GuidanceStatus, WHAT, access_of,
    block_volunteer, cancel, claim, complete, publish, rate, request_no, secret, start,
};
use crate::Platform;
use crate::audit;
use crate::caller::Caller;
use crate::entities::guidance_request;
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::page::{Page, PageRequest};
use crate::policy::{mask_address, mask_phone};
use crate::types::RegionCode;
use crate::viewer::{PersonScope, Role, Viewer};
use crate::volunteer::{Volunteer, VolunteerRepo, VolunteerStatus};

/// A request as one viewer may see it.
#[derive(Debug, Clone)]
pub struct RequestView {
    row: guidance_request::Model,
    access: GuidanceAccess,
}

impl RequestView {
    /// A request offered to a volunteer at `distance_m` (built from the offer event alone).
    pub fn offered(row: guidance_request::Model, distance_m: i32) -> Self {
        Self {
            row,
            access: GuidanceAccess::OfferedVolunteer { distance_m },
        }
    }

    /// Id.
    pub fn id(&self) -> Uuid {
        self.row.id
    }
    /// 需求编号
    pub fn request_no(&self) -> String {
        request_no(self.row.id)
    }
    /// 状态
    pub fn status(&self) -> DomainResult<GuidanceStatus> {
        super::status::parse(&self.row.status)
    }
    /// 出发时间
    pub fn pickup_time(&self) -> DateTime<Utc> {
        self.row.pickup_time
    }
    /// 需求描述
    pub fn needs(&self) -> &str {
        &self.row.needs
    }
    /// 所在街镇 code.
    pub fn street_code(&self) -> &str {
        &self.row.street_code
    }
    /// Distance when offered to the viewing volunteer, metres.
    pub fn distance_m(&self) -> Option<i32> {
        match self.access {
            GuidanceAccess::OfferedVolunteer { distance_m } => Some(distance_m),
            _ => None,
        }
    }
    /// Current offer radius, metres.
    pub fn radius_m(&self) -> i32 {
        self.row.radius_m
    }
    /// 取消原因
    pub fn cancel_reason(&self) -> Option<&str> {
        self.row.cancel_reason.as_deref()
    }
    /// 发布时间
    pub fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    /// 派单、认领、开始、完成、取消、过期、升级 times, in that order.
    pub fn times(&self) -> [Option<DateTime<Utc>>; 7] {
        let r = &self.row;
        [
            r.offered_at,
            r.claimed_at,
            r.started_at,
            r.completed_at,
            r.cancelled_at,
            r.expired_at,
            r.escalated_at,
        ]
    }

    fn full(&self) -> bool {
        matches!(
            self.access,
            GuidanceAccess::Requester | GuidanceAccess::ClaimedVolunteer
        )
    }

    /// 出发地 / 目的地: in full for the requester and the claiming volunteer, masked for
    /// admins, nothing for volunteers who have not claimed it.
    pub fn place(&self, p: &Platform, which: Place) -> DomainResult<Option<String>> {
        if let GuidanceAccess::OfferedVolunteer { .. } = self.access {
            return Ok(None);
        }
        let field = match which {
            Place::Pickup => GuidanceSecret::PickupAddress,
            Place::Destination => GuidanceSecret::Destination,
        };
        let value = secret(p, &self.row, field)?;
        Ok(Some(if self.full() {
            value
        } else {
            mask_address(&value)
        }))
    }

    /// 联系电话: masked until claimed.
    pub fn contact_phone(&self, p: &Platform) -> DomainResult<String> {
        let phone = secret(p, &self.row, GuidanceSecret::ContactPhone)?;
        Ok(if self.full() {
            phone
        } else {
            mask_phone(&phone)
        })
    }

    /// 确认码: the requester's only (they show it at pickup).
    pub fn pin(&self, p: &Platform) -> DomainResult<Option<String>> {
        if self.access != GuidanceAccess::Requester {
            return Ok(None);
        }
        secret(p, &self.row, GuidanceSecret::Pin).map(Some)
    }

    /// The volunteer who claimed it, for the requester and admins.
    pub async fn volunteer(&self, p: &Platform) -> DomainResult<Option<Volunteer>> {
        let (Some(vid), GuidanceAccess::Requester | GuidanceAccess::Admin) =
            (self.row.volunteer_id, self.access)
        else {
            return Ok(None);
        };
        VolunteerRepo::new(&p.db)
            .get_many(&[vid])
            .await?
            .into_values()
            .next()
            .map(|v| crate::volunteer::view(p, v))
            .transpose()
    }
}

/// Which address of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// 出发地
    Pickup,
    /// 目的地
    Destination,
}

/// What a volunteer's offer stream receives.
#[derive(Debug, Clone)]
pub enum OfferSeen {
    /// A new offer.
    Offered(Box<RequestView>),
    /// An offer withdrawn (claimed by another, cancelled, expired).
    Withdrawn(Uuid),
    /// The volunteer's standing changed: re-check it.
    Standing,
}

/// Decides which events reach one verified volunteer's offer stream.
#[derive(Debug, Clone, Copy)]
pub struct OfferWatch {
    volunteer: Uuid,
    account: Uuid,
}

impl OfferWatch {
    /// What `event` means to this volunteer, if anything. Built from the event alone: delivering
    /// an offer to a thousand subscribers costs no query.
    pub fn on(&self, event: &DomainEvent) -> Option<OfferSeen> {
        match event {
            DomainEvent::GuidanceOffered {
                offers, request, ..
            } => offers.get(self.volunteer).map(|o| {
                OfferSeen::Offered(Box::new(RequestView::offered(
                    request.as_ref().clone(),
                    o.distance_m,
                )))
            }),
            DomainEvent::GuidanceWithdrawn {
                request_id,
                volunteer_ids,
            } if volunteer_ids.contains(&self.volunteer) => Some(OfferSeen::Withdrawn(*request_id)),
            DomainEvent::VolunteerChanged { volunteer_id } if *volunteer_id == self.volunteer => {
                Some(OfferSeen::Standing)
            }
            _ => None,
        }
    }

    /// Whether the volunteer is still verified (an unknown standing, a failed read, is not a
    /// suspension).
    pub async fn still_verified(&self, p: &Platform) -> bool {
        match VolunteerRepo::new(&p.db).by_account(self.account).await {
            Ok(v) => v.is_some_and(|v| v.status == VolunteerStatus::Verified.as_str()),
            Err(e) => {
                tracing::warn!(error = %e, "volunteer standing re-check failed");
                true
            }
        }
    }
}

/// Decides which status changes of one request reach a subscriber, re-checked per event.
#[derive(Debug, Clone)]
pub struct RequestWatch {
    id: Uuid,
    viewer: Viewer,
    scope: PersonScope,
}

impl RequestWatch {
    /// The new status `event` brings this subscriber, if any.
    pub fn on(&self, event: &DomainEvent) -> Option<GuidanceStatus> {
        let DomainEvent::GuidanceStatusChanged {
            request_id,
            person_id,
            street_code,
            status,
        } = event
        else {
            return None;
        };
        if *request_id != self.id {
            return None;
        }
        let allowed = match self.viewer.role {
            Role::Citizen => self.viewer.person_id == Some(*person_id),
            r if r.is_region_admin() => self.scope.admits(*person_id, street_code),
            _ => true,
        };
        GuidanceStatus::from_code(status).filter(|_| allowed)
    }
}

/// Decides which escalations reach a region admin: those in their scope.
#[derive(Debug, Clone)]
pub struct EscalationWatch {
    scope: PersonScope,
}

impl EscalationWatch {
    /// The request `event` escalates for this admin, if any.
    pub fn on(&self, event: &DomainEvent) -> Option<Uuid> {
        match event {
            DomainEvent::GuidanceEscalated {
                request_id,
                street_code,
            } if self
                .scope
                .may_write_region(&RegionCode::from_trusted(street_code.clone())) =>
            {
                Some(*request_id)
            }
            _ => None,
        }
    }
}

/// 云助残 for one caller.
pub struct GuidanceService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> GuidanceService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    async fn load(&self, id: Uuid) -> DomainResult<guidance_request::Model> {
        use sea_orm::EntityTrait;
        guidance_request::Entity::find_by_id(id)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT })
    }

    async fn view_of(&self, row: guidance_request::Model) -> DomainResult<RequestView> {
        let access = access_of(self.p, self.caller.viewer()?, &row).await?;
        Ok(RequestView { row, access })
    }

    fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_type: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(self.p, self.caller, operation, object_type, object_id, body)
    }

    /// 助盲出行需求: one request as the caller may see it (`NOT_FOUND` otherwise).
    pub async fn request(&self, id: Uuid) -> DomainResult<RequestView> {
        let row = self.load(id).await?;
        self.view_of(row).await
    }

    /// 我的助盲出行需求: a page of the citizen's requests in the order they were published
    /// (an empty page for other roles).
    pub async fn my_requests(&self, page: &PageRequest) -> DomainResult<Page<RequestView>> {
        let viewer = self.caller.viewer()?;
        let (Role::Citizen, Some(pid)) = (viewer.role, viewer.person_id) else {
            return Ok(Page {
                items: Vec::new(),
                has_previous: false,
                has_next: false,
            });
        };
        Ok(requests_of_person(self.p, pid, page)
            .await?
            .map(|row| RequestView {
                row,
                access: GuidanceAccess::Requester,
            }))
    }

    /// 我的派单: the volunteer's live offers, nearest first (a reconnecting app catches up).
    pub async fn my_offers(&self) -> DomainResult<Vec<RequestView>> {
        let viewer = self.caller.viewer()?;
        let v = VolunteerRepo::new(&self.p.db)
            .by_account(viewer.account_id)
            .await?
            .ok_or(DomainError::Forbidden("仅志愿者可查看派单"))?;
        Ok(live_offers_of(self.p, v.id)
            .await?
            .into_iter()
            .map(|(row, o)| RequestView::offered(row, o.distance_m))
            .collect())
    }

    /// 残疾人用户管理: guidance users in the admin's scope, most active first.
    pub async fn users(&self, limit: usize) -> DomainResult<Vec<GuidanceUserStats>> {
        let viewer = self.caller.region_admin("仅市、区、街镇管理员可查看")?;
        guidance_user_stats(self.p, &PersonScope::of(viewer), limit).await
    }

    /// 发布助盲出行需求: offered at once to the nearest verified volunteers.
    pub async fn publish(&self, draft: GuidanceDraft) -> DomainResult<RequestView> {
        self.audited(
            "guidance.publish",
            "guidance_request",
            String::new(),
            async {
                let viewer = self.caller.viewer()?;
                let row = publish(self.p, viewer, self.caller.meta(), draft).await?;
                Ok(RequestView {
                    row,
                    access: GuidanceAccess::Requester,
                })
            },
        )
        .await
    }

    /// 认领: first claim wins; every other claimer gets `CONFLICT`.
    pub async fn claim(&self, id: Uuid) -> DomainResult<RequestView> {
        self.audited(
            "guidance.claim",
            "guidance_request",
            id.to_string(),
            async {
                let row = claim(self.p, self.caller.viewer()?, self.caller.meta(), id).await?;
                Ok(RequestView {
                    row,
                    access: GuidanceAccess::ClaimedVolunteer,
                })
            },
        )
        .await
    }

    /// 开始服务 with the requester's PIN.
    pub async fn start(&self, id: Uuid, pin: &str) -> DomainResult<RequestView> {
        self.audited(
            "guidance.start",
            "guidance_request",
            id.to_string(),
            async {
                if pin.len() > 16 {
                    return Err(DomainError::bad_input("pin", "确认码错误"));
                }
                let row = start(self.p, self.caller.viewer()?, self.caller.meta(), id, pin).await?;
                Ok(RequestView {
                    row,
                    access: GuidanceAccess::ClaimedVolunteer,
                })
            },
        )
        .await
    }

    /// 完成服务
    pub async fn complete(&self, id: Uuid) -> DomainResult<RequestView> {
        self.audited(
            "guidance.complete",
            "guidance_request",
            id.to_string(),
            async {
                let row = complete(self.p, self.caller.viewer()?, self.caller.meta(), id).await?;
                self.view_of(row).await
            },
        )
        .await
    }

    /// 取消需求
    pub async fn cancel(&self, id: Uuid, reason: &str) -> DomainResult<RequestView> {
        self.audited(
            "guidance.cancel",
            "guidance_request",
            id.to_string(),
            async {
                let viewer = self.caller.viewer()?;
                let row = cancel(self.p, viewer, self.caller.meta(), id, reason).await?;
                let access = access_of(self.p, viewer, &row)
                    .await
                    .unwrap_or(GuidanceAccess::Admin);
                Ok(RequestView { row, access })
            },
        )
        .await
    }

    /// 评价: each side once, after completion.
    pub async fn rate(&self, id: Uuid, stars: i32, comment: Option<&str>) -> DomainResult<()> {
        self.audited("guidance.rate", "guidance_request", id.to_string(), async {
            rate(
                self.p,
                self.caller.viewer()?,
                self.caller.meta(),
                id,
                stars,
                comment,
            )
            .await
        })
        .await
    }

    /// 屏蔽志愿者: never offer the person's requests to them again.
    pub async fn block(&self, volunteer: Uuid, reason: Option<&str>) -> DomainResult<()> {
        self.audited(
            "guidance.block",
            "volunteer",
            volunteer.to_string(),
            async {
                block_volunteer(
                    self.p,
                    self.caller.viewer()?,
                    self.caller.meta(),
                    volunteer,
                    reason,
                )
                .await
            },
        )
        .await
    }

    /// The offer stream's watcher, for a verified volunteer only.
    pub async fn watch_offers(&self) -> DomainResult<OfferWatch> {
        let viewer = self.caller.viewer()?;
        let v = VolunteerRepo::new(&self.p.db)
            .by_account(viewer.account_id)
            .await?
            .filter(|v| v.status == VolunteerStatus::Verified.as_str())
            .ok_or(DomainError::Forbidden("仅已认证志愿者可接收派单"))?;
        Ok(OfferWatch {
            volunteer: v.id,
            account: viewer.account_id,
        })
    }

    /// The progress watcher of one request: for its requester, the volunteer who claimed it,
    /// and admins whose scope holds the person.
    pub async fn watch_request(&self, id: Uuid) -> DomainResult<RequestWatch> {
        let view = self.request(id).await?;
        if view.distance_m().is_some() {
            return Err(DomainError::NotFound { what: WHAT });
        }
        let viewer = self.caller.viewer()?.clone();
        Ok(RequestWatch {
            id,
            scope: PersonScope::of(&viewer),
            viewer,
        })
    }

    /// The escalation watcher of a region admin.
    pub fn watch_escalations(&self) -> DomainResult<EscalationWatch> {
        let viewer = self.caller.region_admin("仅管理员可接收超时升级")?;
        Ok(EscalationWatch {
            scope: PersonScope::of(viewer),
        })
    }
}

/// A blind-guidance request on a person's file: as the one guided or as the volunteer.
#[derive(Debug, Clone)]
pub struct GuidanceHistory {
    /// The request.
    pub request_id: Uuid,
    /// The person was the volunteer (else the one guided).
    pub as_volunteer: bool,
    /// State code (`COMPLETED`, `CANCELLED`…).
    pub status: String,
    /// What help was asked for.
    pub needs: String,
    /// Street-town of the pickup.
    pub street_code: String,
    /// Published.
    pub created_at: DateTime<Utc>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Requests a file lists per person.
pub const HISTORY_SHOWN: usize = 50;

impl GuidanceService<'_> {
    /// 导盲记录 of many persons (the file), newest first: requests they made and, when they are
    /// also a registered volunteer (matched through the volunteer registry's blind index of
    /// their ID number), requests they served. Four statements for any number of persons.
    pub async fn history_of_many(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Vec<GuidanceHistory>>> {
        use crate::entities::{person, volunteer};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
        let scope = self.caller.person_scope()?;
        let conn = self.p.db.conn();
        let mut out: std::collections::HashMap<Uuid, Vec<GuidanceHistory>> =
            std::collections::HashMap::new();
        let entry = |r: &guidance_request::Model, as_volunteer: bool| GuidanceHistory {
            request_id: r.id,
            as_volunteer,
            status: r.status.clone(),
            needs: r.needs.clone(),
            street_code: r.street_code.clone(),
            created_at: r.created_at,
            completed_at: r.completed_at,
        };
        for r in guidance_request::Entity::find()
            .filter(
                guidance_request::Column::PersonId
                    .in_subquery(crate::person::admitted(persons, &scope)),
            )
            .order_by_desc(guidance_request::Column::Id)
            .all(conn)
            .await?
        {
            out.entry(r.person_id).or_default().push(entry(&r, false));
        }
        let ids: Vec<(Uuid, Vec<u8>)> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::IdNumberEnc)
            .filter(person::Column::Id.in_subquery(crate::person::admitted(persons, &scope)))
            .into_tuple()
            .all(conn)
            .await?;
        let mut by_bidx: std::collections::HashMap<Vec<u8>, Uuid> =
            std::collections::HashMap::new();
        for (id, enc) in ids {
            let number = self
                .p
                .cipher
                .decrypt(crate::person::aad("id_number", &id), &enc)?;
            by_bidx.insert(
                self.p.cipher.blind_index("volunteers.id_number", &number),
                id,
            );
        }
        // Both statements run whatever the data, so that the file's statement count does not
        // depend on who happens to volunteer.
        let volunteers: Vec<(Uuid, Vec<u8>)> = volunteer::Entity::find()
            .select_only()
            .column(volunteer::Column::Id)
            .column(volunteer::Column::IdNumberBidx)
            .filter(volunteer::Column::IdNumberBidx.is_in(by_bidx.keys().cloned()))
            .into_tuple()
            .all(conn)
            .await?;
        {
            let person_of: std::collections::HashMap<Uuid, Uuid> = volunteers
                .iter()
                .filter_map(|(v, b)| by_bidx.get(b).map(|p| (*v, *p)))
                .collect();
            for r in guidance_request::Entity::find()
                .filter(guidance_request::Column::VolunteerId.is_in(person_of.keys().copied()))
                .order_by_desc(guidance_request::Column::Id)
                .all(conn)
                .await?
            {
                if let Some(p) = r.volunteer_id.and_then(|v| person_of.get(&v)) {
                    out.entry(*p).or_default().push(entry(&r, true));
                }
            }
        }
        for list in out.values_mut() {
            list.sort_by_key(|h| std::cmp::Reverse(h.request_id));
            list.truncate(HISTORY_SHOWN);
        }
        Ok(out)
    }
}
