//! Relay object identification: the `Node` interface over every entity with an id, and
//! `node(id)` / `nodes(ids)` to refetch any of them. Ids are UUIDs (v7), unique across every
//! table, so a global id is the entity's own id and every id the API has ever returned works
//! here. `node` asks each area's service in turn, as the caller: an entity outside the caller's
//! scope, or of a kind the caller may not read, answers `null` exactly like an unknown id.

use async_graphql::{Context, ID, Interface, Object};
use uuid::Uuid;
use zhucan_domain::activity::ActivityService;
use zhucan_domain::catalog::CatalogService;
use zhucan_domain::eligibility::EligibilityService;
use zhucan_domain::guidance::GuidanceService;
use zhucan_domain::home::HomeService;
use zhucan_domain::outreach::OutreachService;
use zhucan_domain::person::PersonService;
use zhucan_domain::records::RecordService;
use zhucan_domain::volunteer::VolunteerService;
use zhucan_domain::{DomainError, DomainResult};

use crate::activity::{Activity, ActivityRegistration};
use crate::catalog::{EligibilityRule, Institution, Policy, ServiceItem};
use crate::context::ContextExt;
use crate::eligibility::GrantJob;
use crate::error::GqlResultExt;
use crate::guidance::types::{GuidanceRequest, Volunteer};
use crate::home::InboxMessage;
use crate::identity::Viewer;
use crate::outreach::{OutreachAttachment, OutreachPush, OutreachTask, OutreachWarning};
use crate::person::types::{Household, Person};
use crate::records::ServiceRecord;

/// 对象标识 — anything with a global id, refetchable with `node(id)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "全局唯一标识（UUID）"))]
pub enum Node {
    /// 残疾人
    Person(Person),
    /// 户
    Household(Household),
    /// 政策法规
    Policy(Policy),
    /// 服务事项
    ServiceItem(ServiceItem),
    /// 助残机构
    Institution(Institution),
    /// 适用条件
    EligibilityRule(EligibilityRule),
    /// 免申即享发放任务
    GrantJob(GrantJob),
    /// 办件记录
    ServiceRecord(ServiceRecord),
    /// 站内消息
    InboxMessage(InboxMessage),
    /// 政策推送
    OutreachPush(OutreachPush),
    /// 走访任务
    OutreachTask(OutreachTask),
    /// 佐证材料
    OutreachAttachment(OutreachAttachment),
    /// 预警
    OutreachWarning(OutreachWarning),
    /// 志愿者
    Volunteer(Volunteer),
    /// 助盲出行需求
    GuidanceRequest(GuidanceRequest),
    /// 当前登录账户
    Viewer(Viewer),
    /// 活动
    Activity(Activity),
    /// 活动报名
    ActivityRegistration(ActivityRegistration),
    /// 用人单位
    Enterprise(crate::employment::Enterprise),
    /// 招聘会
    JobFair(crate::employment::JobFair),
    /// 岗位
    Job(crate::employment::Job),
    /// 求职申请
    JobApplication(crate::employment::JobApplication),
    /// 补贴发放批次
    SubsidyBatch(crate::subsidy::SubsidyBatch),
}

/// A probe's answer: found, or not this kind for this caller (not found, out of scope, not
/// allowed): keep looking. Anything else (the database is down) is an error.
fn found<T>(r: DomainResult<T>) -> DomainResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(
            DomainError::NotFound { .. }
            | DomainError::Forbidden(_)
            | DomainError::Unauthenticated(_)
            | DomainError::SecondFactorEnrollmentRequired
            | DomainError::PasswordChangeRequired,
        ) => Ok(None),
        Err(e) => Err(e),
    }
}

macro_rules! probe {
    ($e:expr, $wrap:expr) => {
        if let Some(v) = found($e.await)? {
            return Ok(Some($wrap(v)));
        }
    };
}

/// The entity with this id as the caller may see it, asking the most looked-up kinds first.
/// Opening a person's file this way is a visit, as with `person(id)`.
async fn locate(ctx: &Context<'_>, id: Uuid) -> DomainResult<Option<Node>> {
    if let Ok(v) = ctx.caller().viewer()
        && v.account_id == id
    {
        return Ok(Some(Node::Viewer(Viewer(v.clone()))));
    }
    probe!(ctx.service::<PersonService>().open(id), |p| Node::Person(
        Person(p)
    ));
    probe!(ctx.service::<OutreachService>().task(id), |t| {
        Node::OutreachTask(OutreachTask(t))
    });
    probe!(ctx.service::<GuidanceService>().request(id), |r| {
        Node::GuidanceRequest(GuidanceRequest(r))
    });
    let catalog = ctx.service::<CatalogService>();
    probe!(catalog.service_item(id), |i| Node::ServiceItem(
        ServiceItem(i)
    ));
    probe!(catalog.policy(id), |p| Node::Policy(Policy(p)));
    probe!(catalog.institution(id), |i| Node::Institution(Institution(
        i
    )));
    probe!(ctx.service::<HomeService>().message(id), |m| {
        Node::InboxMessage(InboxMessage(m))
    });
    probe!(ctx.service::<RecordService>().record(id), |r| {
        Node::ServiceRecord(ServiceRecord(r))
    });
    let outreach = ctx.service::<OutreachService>();
    probe!(outreach.push(id), |p| Node::OutreachPush(OutreachPush(p)));
    probe!(outreach.warning(id), |w| Node::OutreachWarning(
        OutreachWarning(w)
    ));
    probe!(outreach.attachment(id), |a| Node::OutreachAttachment(
        OutreachAttachment(a)
    ));
    probe!(ctx.service::<VolunteerService>().get(id), |v| {
        Node::Volunteer(Volunteer(v))
    });
    let eligibility = ctx.service::<EligibilityService>();
    probe!(eligibility.grant_job(id), |j| Node::GrantJob(GrantJob(j)));
    probe!(eligibility.rule(id), |r| Node::EligibilityRule(
        EligibilityRule(r)
    ));
    let activities = ctx.service::<ActivityService>();
    probe!(activities.activity(id), |a| Node::Activity(Activity(a)));
    probe!(activities.registration(id), |r| {
        Node::ActivityRegistration(ActivityRegistration(r))
    });
    let employment = ctx.service::<zhucan_domain::employment::EmploymentService>();
    probe!(employment.job(id), |j| Node::Job(crate::employment::Job(j)));
    probe!(employment.application(id), |a| Node::JobApplication(
        crate::employment::JobApplication(a)
    ));
    probe!(employment.enterprise(id), |e| Node::Enterprise(
        crate::employment::Enterprise(e)
    ));
    probe!(employment.job_fair(id), |f| Node::JobFair(
        crate::employment::JobFair(f)
    ));
    probe!(
        ctx.service::<zhucan_domain::subsidy::SubsidyService>()
            .batch(id),
        |b| Node::SubsidyBatch(crate::subsidy::SubsidyBatch(b))
    );
    if found(ctx.service::<PersonService>().household_visible(id).await)?.unwrap_or(false) {
        return Ok(Some(Node::Household(Household::new(id))));
    }
    Ok(None)
}

/// How many ids `nodes` takes at once.
pub const MAX_NODES: usize = 100;

/// Relay object identification.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// 按全局标识取对象 — any entity the caller may see, or `null` (unknown, or out of scope).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let Ok(id) = Uuid::parse_str(id.as_str()) else {
            return Ok(None);
        };
        locate(ctx, id).await.gql(ctx)
    }

    /// 按全局标识批量取对象 — in the order asked, `null` where unknown or out of scope (at most
    /// 100).
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(DomainError::bad_input(
                "ids",
                format!("一次最多{MAX_NODES}个"),
            ))
            .gql(ctx);
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(match Uuid::parse_str(id.as_str()) {
                Ok(id) => locate(ctx, id).await.gql(ctx)?,
                Err(_) => None,
            });
        }
        Ok(out)
    }
}
