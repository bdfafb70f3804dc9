//! What an activity hands out (R13) and delivers (R14).
//!
//! Goods carry their stock and how many were issued on one row; a distribution is one conditional
//! update (`issued + q <= stock`), so however many staff hand out at once the stock never goes
//! negative. That update also locks the goods row until the transaction ends, so the per-person
//! limit, checked right after it, is checked one distribution at a time.
//!
//! A service delivered to an attendee is recorded once per person; when the service is a catalog
//! service item it also writes a service record (`ACTIVITY`) on the person's file.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::store::{self, status_zh};
use super::{ActivityService, ActivityStatus, RegistrationStatus, WHAT, WHAT_REGISTRATION};
use crate::catalog::{EntryStatus, WHAT_SERVICE};
use crate::entities::{
    activity, activity_goods, activity_goods_distribution, activity_registration, activity_service,
    activity_service_delivery, person, service_item,
};
use crate::error::{DomainError, DomainResult};
use crate::records::RecordKind;
use crate::types::BoundedText;
use crate::viewer::ScopeKind;

/// What the error messages call goods.
pub const WHAT_GOODS: &str = "活动物资";
/// What the error messages call a service of an activity.
pub const WHAT_OFFERED_SERVICE: &str = "活动服务";
/// Largest stock of one kind of goods.
pub const MAX_STOCK: i32 = 1_000_000;
/// Largest per-person limit.
pub const MAX_PER_PERSON: i32 = 100;
/// Most attendees one delivery call may name.
pub const MAX_DELIVERIES_AT_ONCE: usize = 500;

/// One kind of goods handed out at an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goods {
    /// Id.
    pub id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// 名称
    pub name: String,
    /// 库存（带到现场的数量）
    pub stock: i32,
    /// 已发放
    pub issued: i32,
    /// 每人限领
    pub per_person_limit: i32,
}

impl Goods {
    /// 剩余
    pub fn remaining(&self) -> i32 {
        self.stock - self.issued
    }
}

impl From<activity_goods::Model> for Goods {
    fn from(m: activity_goods::Model) -> Self {
        Self {
            id: m.id,
            activity_id: m.activity_id,
            name: m.name,
            stock: m.stock,
            issued: m.issued,
            per_person_limit: m.per_person_limit,
        }
    }
}

/// Goods as submitted (create when `id` is none).
#[derive(Debug, Clone, Default)]
pub struct GoodsInput {
    /// Goods to edit.
    pub id: Option<Uuid>,
    /// Activity (to create).
    pub activity_id: Uuid,
    /// 名称
    pub name: String,
    /// 库存
    pub stock: i32,
    /// 每人限领
    pub per_person_limit: i32,
}

/// One hand-out of goods to an attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// Id.
    pub id: Uuid,
    /// Goods.
    pub goods_id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// The attendee's registration.
    pub registration_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// 数量
    pub quantity: i32,
    /// 时间
    pub created_at: DateTime<Utc>,
}

impl From<activity_goods_distribution::Model> for Distribution {
    fn from(m: activity_goods_distribution::Model) -> Self {
        Self {
            id: m.id,
            goods_id: m.goods_id,
            activity_id: m.activity_id,
            registration_id: m.registration_id,
            person_id: m.person_id,
            quantity: m.quantity,
            created_at: m.created_at,
        }
    }
}

/// A service delivered at an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedService {
    /// Id.
    pub id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// 名称
    pub name: String,
    /// The catalog service item, where one exists.
    pub service_item_id: Option<Uuid>,
    /// 已服务人数
    pub delivered: i32,
}

impl From<activity_service::Model> for OfferedService {
    fn from(m: activity_service::Model) -> Self {
        Self {
            id: m.id,
            activity_id: m.activity_id,
            name: m.name,
            service_item_id: m.service_item_id,
            delivered: m.delivered,
        }
    }
}

/// A service as submitted (create when `id` is none).
#[derive(Debug, Clone, Default)]
pub struct OfferedServiceInput {
    /// Service to edit.
    pub id: Option<Uuid>,
    /// Activity (to create).
    pub activity_id: Uuid,
    /// 名称
    pub name: String,
    /// 关联服务事项
    pub service_item_id: Option<Uuid>,
}

/// A service delivered to one attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Id.
    pub id: Uuid,
    /// Service.
    pub service_id: Uuid,
    /// The attendee's registration.
    pub registration_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// The service record written on the person's file.
    pub record_id: Option<Uuid>,
    /// 时间
    pub created_at: DateTime<Utc>,
}

impl From<activity_service_delivery::Model> for Delivery {
    fn from(m: activity_service_delivery::Model) -> Self {
        Self {
            id: m.id,
            service_id: m.service_id,
            registration_id: m.registration_id,
            person_id: m.person_id,
            record_id: m.record_id,
            created_at: m.created_at,
        }
    }
}

/// Goods, services and volunteer roles may change until the activity finishes or is cancelled.
pub(super) fn still_open(a: &activity::Model, what: &str) -> DomainResult<()> {
    match ActivityStatus::from_stored(&a.status) {
        ActivityStatus::Finished | ActivityStatus::Cancelled => {
            Err(DomainError::Conflict(format!(
                "活动{}，不能再修改{what}",
                status_zh(ActivityStatus::from_stored(&a.status))
            )))
        }
        _ => Ok(()),
    }
}

/// The checked-in registration `id` at activity `a` (`CONFLICT` when the person did not come).
async fn attendee<C: ConnectionTrait>(
    conn: &C,
    a: &activity::Model,
    id: Uuid,
) -> DomainResult<activity_registration::Model> {
    let reg = activity_registration::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|r| r.activity_id == a.id)
        .ok_or(DomainError::NotFound {
            what: WHAT_REGISTRATION,
        })?;
    let came = reg.checked_in_at.is_some()
        && matches!(
            RegistrationStatus::from_stored(&reg.status),
            RegistrationStatus::Confirmed | RegistrationStatus::Attended
        );
    if came {
        Ok(reg)
    } else {
        Err(DomainError::Conflict(
            "该报名人尚未签到，不能发放物资或登记服务".to_owned(),
        ))
    }
}

fn check_stock(stock: i32, limit: i32) -> DomainResult<()> {
    if !(0..=MAX_STOCK).contains(&stock) {
        return Err(DomainError::bad_input(
            "input.stock",
            format!("库存应在 0 至 {MAX_STOCK} 之间"),
        ));
    }
    if !(1..=MAX_PER_PERSON).contains(&limit) {
        return Err(DomainError::bad_input(
            "input.perPersonLimit",
            format!("每人限领应在 1 至 {MAX_PER_PERSON} 之间"),
        ));
    }
    Ok(())
}

impl ActivityService<'_> {
    /// The activity a manager acts on, by a row of its own (`NOT_FOUND` outside their scope).
    async fn managed_of(&self, activity_id: Uuid) -> DomainResult<(activity::Model, ScopeKind)> {
        let (_, scope) = self.manager()?;
        let a = store::managed(self.p.db.conn(), &scope, activity_id).await?;
        Ok((a, scope))
    }

    /// 活动物资: the goods of an activity the caller may see.
    pub async fn goods(&self, activity_id: Uuid) -> DomainResult<Vec<Goods>> {
        self.activity(activity_id).await?;
        goods_of_many(self.p.db.conn(), &[activity_id])
            .await
            .map(|mut m| m.remove(&activity_id).unwrap_or_default())
    }

    /// 保存活动物资: new goods, or a change of name, stock or limit (stock never below what
    /// was issued).
    pub async fn save_goods(&self, input: GoodsInput) -> DomainResult<Goods> {
        self.audited(
            "activity.goods.save",
            input.activity_id.to_string(),
            async {
                let name = BoundedText::parse("input.name", &input.name, 100)?.into_string();
                check_stock(input.stock, input.per_person_limit)?;
                let activity_id = match input.id {
                    None => input.activity_id,
                    Some(id) => {
                        activity_goods::Entity::find_by_id(id)
                            .one(self.p.db.conn())
                            .await?
                            .ok_or(DomainError::NotFound { what: WHAT_GOODS })?
                            .activity_id
                    }
                };
                let (a, _) = self.managed_of(activity_id).await?;
                still_open(&a, "物资")?;
                let now = Utc::now();
                let w = self.p.db.begin_write().await?;
                let id = match input.id {
                    None => {
                        let taken = activity_goods::Entity::find()
                            .filter(activity_goods::Column::ActivityId.eq(a.id))
                            .filter(activity_goods::Column::Name.eq(name.as_str()))
                            .one(&w.txn)
                            .await?;
                        if taken.is_some() {
                            return Err(DomainError::Conflict(format!("该活动已有物资“{name}”")));
                        }
                        activity_goods::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            activity_id: Set(a.id),
                            name: Set(name.clone()),
                            stock: Set(input.stock),
                            issued: Set(0),
                            per_person_limit: Set(input.per_person_limit),
                            created_at: Set(now),
                            updated_at: Set(now),
                        }
                        .insert(&w.txn)
                        .await?
                        .id
                    }
                    Some(id) => {
                        let done = activity_goods::Entity::update_many()
                            .col_expr(activity_goods::Column::Name, Expr::value(name.clone()))
                            .col_expr(activity_goods::Column::Stock, Expr::value(input.stock))
                            .col_expr(
                                activity_goods::Column::PerPersonLimit,
                                Expr::value(input.per_person_limit),
                            )
                            .col_expr(activity_goods::Column::UpdatedAt, Expr::value(now))
                            .filter(activity_goods::Column::Id.eq(id))
                            .filter(activity_goods::Column::Issued.lte(input.stock))
                            .exec(&w.txn)
                            .await?
                            .rows_affected;
                        if done != 1 {
                            let issued = activity_goods::Entity::find_by_id(id)
                                .one(&w.txn)
                                .await?
                                .map_or(0, |g| g.issued);
                            return Err(DomainError::Conflict(format!(
                                "库存不能少于已发放的 {issued} 件"
                            )));
                        }
                        id
                    }
                };
                self.append(
                    &w.txn,
                    "activity.goods.save",
                    a.id,
                    format!("goods={id} stock={}", input.stock),
                )
                .await?;
                w.commit().await?;
                activity_goods::Entity::find_by_id(id)
                    .one(self.p.db.conn())
                    .await?
                    .map(Into::into)
                    .ok_or(DomainError::NotFound { what: WHAT_GOODS })
            },
        )
        .await
    }

    /// 物资发放: hand `quantity` of `goods` to a checked-in attendee. Never beyond the stock,
    /// never beyond the per-person limit, however many are handed out at once.
    pub async fn distribute_goods(
        &self,
        goods_id: Uuid,
        registration: Uuid,
        quantity: i32,
    ) -> DomainResult<Distribution> {
        self.audited("activity.goods.distribute", goods_id.to_string(), async {
            let viewer = self.caller.region_admin("仅活动管理方可登记物资发放")?;
            if quantity < 1 {
                return Err(DomainError::bad_input("input.quantity", "发放数量至少为 1"));
            }
            let goods = activity_goods::Entity::find_by_id(goods_id)
                .one(self.p.db.conn())
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_GOODS })?;
            let (a, _) = self.managed_of(goods.activity_id).await?;
            if ActivityStatus::from_stored(&a.status) == ActivityStatus::Cancelled {
                return Err(DomainError::Conflict("活动已取消".to_owned()));
            }
            let reg = attendee(self.p.db.conn(), &a, registration).await?;
            if quantity > goods.per_person_limit {
                return Err(DomainError::Conflict(format!(
                    "每人限领 {} 件",
                    goods.per_person_limit
                )));
            }
            let w = self.p.db.begin_write().await?;
            let taken = activity_goods::Entity::update_many()
                .col_expr(
                    activity_goods::Column::Issued,
                    Expr::col(activity_goods::Column::Issued).add(quantity),
                )
                .col_expr(activity_goods::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(activity_goods::Column::Id.eq(goods.id))
                .filter(
                    Expr::col(activity_goods::Column::Issued)
                        .add(quantity)
                        .lte(Expr::col(activity_goods::Column::Stock)),
                )
                .exec(&w.txn)
                .await?
                .rows_affected;
            if taken != 1 {
                let left = activity_goods::Entity::find_by_id(goods.id)
                    .one(&w.txn)
                    .await?
                    .map_or(0, |g| g.stock - g.issued);
                return Err(DomainError::Conflict(format!(
                    "“{}”库存不足：剩余 {left} 件",
                    goods.name
                )));
            }
            // The goods row is locked now: this person's earlier hand-outs are all committed.
            let had: i64 = activity_goods_distribution::Entity::find()
                .select_only()
                .column_as(activity_goods_distribution::Column::Quantity.sum(), "q")
                .filter(activity_goods_distribution::Column::GoodsId.eq(goods.id))
                .filter(activity_goods_distribution::Column::PersonId.eq(reg.person_id))
                .into_tuple::<Option<i64>>()
                .one(&w.txn)
                .await?
                .flatten()
                .unwrap_or(0);
            if had + i64::from(quantity) > i64::from(goods.per_person_limit) {
                return Err(DomainError::Conflict(format!(
                    "“{}”每人限领 {} 件，该报名人已领 {had} 件",
                    goods.name, goods.per_person_limit
                )));
            }
            let row = activity_goods_distribution::ActiveModel {
                id: Set(Uuid::now_v7()),
                goods_id: Set(goods.id),
                activity_id: Set(a.id),
                registration_id: Set(reg.id),
                person_id: Set(reg.person_id),
                quantity: Set(quantity),
                recorded_by: Set(viewer.username.chars().take(64).collect()),
                created_at: Set(Utc::now()),
            }
            .insert(&w.txn)
            .await?;
            self.append(
                &w.txn,
                "activity.goods.distribute",
                a.id,
                format!(
                    "goods={} registration={} quantity={quantity}",
                    goods.id, reg.id
                ),
            )
            .await?;
            w.commit().await?;
            Ok(row.into())
        })
        .await
    }

    /// 活动服务: the services of an activity the caller may see.
    pub async fn offered_services(&self, activity_id: Uuid) -> DomainResult<Vec<OfferedService>> {
        self.activity(activity_id).await?;
        services_of_many(self.p.db.conn(), &[activity_id])
            .await
            .map(|mut m| m.remove(&activity_id).unwrap_or_default())
    }

    /// 保存活动服务: a service delivered at the activity, linked to a catalog service item
    /// where one exists.
    pub async fn save_offered_service(
        &self,
        input: OfferedServiceInput,
    ) -> DomainResult<OfferedService> {
        self.audited(
            "activity.service.save",
            input.activity_id.to_string(),
            async {
                let name = BoundedText::parse("input.name", &input.name, 100)?.into_string();
                if let Some(item) = input.service_item_id {
                    let row = service_item::Entity::find_by_id(item)
                        .one(self.p.db.conn())
                        .await?
                        .ok_or(DomainError::NotFound { what: WHAT_SERVICE })?;
                    if row.status != EntryStatus::Active.as_str() {
                        return Err(DomainError::Conflict("该服务事项已撤销".to_owned()));
                    }
                }
                let activity_id = match input.id {
                    None => input.activity_id,
                    Some(id) => {
                        activity_service::Entity::find_by_id(id)
                            .one(self.p.db.conn())
                            .await?
                            .ok_or(DomainError::NotFound {
                                what: WHAT_OFFERED_SERVICE,
                            })?
                            .activity_id
                    }
                };
                let (a, _) = self.managed_of(activity_id).await?;
                still_open(&a, "服务")?;
                let w = self.p.db.begin_write().await?;
                let taken = activity_service::Entity::find()
                    .filter(activity_service::Column::ActivityId.eq(a.id))
                    .filter(activity_service::Column::Name.eq(name.as_str()))
                    .one(&w.txn)
                    .await?
                    .filter(|s| Some(s.id) != input.id);
                if taken.is_some() {
                    return Err(DomainError::Conflict(format!("该活动已有服务“{name}”")));
                }
                let row = match input.id {
                    None => {
                        activity_service::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            activity_id: Set(a.id),
                            name: Set(name),
                            service_item_id: Set(input.service_item_id),
                            delivered: Set(0),
                            created_at: Set(Utc::now()),
                        }
                        .insert(&w.txn)
                        .await?
                    }
                    Some(id) => {
                        let current = activity_service::Entity::find_by_id(id)
                            .one(&w.txn)
                            .await?
                            .ok_or(DomainError::NotFound {
                                what: WHAT_OFFERED_SERVICE,
                            })?;
                        if current.delivered > 0 && current.service_item_id != input.service_item_id
                        {
                            return Err(DomainError::Conflict(
                                "已有服务记录的活动服务不能更换关联的服务事项".to_owned(),
                            ));
                        }
                        let mut m: activity_service::ActiveModel = current.into();
                        m.name = Set(name);
                        m.service_item_id = Set(input.service_item_id);
                        m.update(&w.txn).await?
                    }
                };
                self.append(
                    &w.txn,
                    "activity.service.save",
                    a.id,
                    format!("service={}", row.id),
                )
                .await?;
                w.commit().await?;
                Ok(row.into())
            },
        )
        .await
    }

    /// 服务登记: the service was delivered to these checked-in attendees (each once); a catalog
    /// service writes a service record on each person's file, in the same transaction.
    pub async fn deliver_service(
        &self,
        service_id: Uuid,
        registrations: &[Uuid],
    ) -> DomainResult<Vec<Delivery>> {
        self.audited("activity.service.deliver", service_id.to_string(), async {
            let viewer = self.caller.region_admin("仅活动管理方可登记服务")?;
            if registrations.is_empty() || registrations.len() > MAX_DELIVERIES_AT_ONCE {
                return Err(DomainError::bad_input(
                    "input.registrationIds",
                    format!("一次登记 1 至 {MAX_DELIVERIES_AT_ONCE} 人"),
                ));
            }
            let mut ids = registrations.to_vec();
            ids.sort_unstable();
            ids.dedup();
            if ids.len() != registrations.len() {
                return Err(DomainError::bad_input(
                    "input.registrationIds",
                    "同一报名人重复出现",
                ));
            }
            let service = activity_service::Entity::find_by_id(service_id)
                .one(self.p.db.conn())
                .await?
                .ok_or(DomainError::NotFound {
                    what: WHAT_OFFERED_SERVICE,
                })?;
            let (a, _) = self.managed_of(service.activity_id).await?;
            if ActivityStatus::from_stored(&a.status) == ActivityStatus::Cancelled {
                return Err(DomainError::Conflict("活动已取消".to_owned()));
            }
            let actor: String = viewer.username.chars().take(64).collect();
            let w = self.p.db.begin_write().await?;
            let mut out = Vec::with_capacity(registrations.len());
            for id in registrations {
                let reg = attendee(&w.txn, &a, *id).await?;
                let done = activity_service_delivery::Entity::find()
                    .filter(activity_service_delivery::Column::ServiceId.eq(service.id))
                    .filter(activity_service_delivery::Column::PersonId.eq(reg.person_id))
                    .one(&w.txn)
                    .await?;
                if done.is_some() {
                    return Err(DomainError::Conflict(format!(
                        "报名 {} 已登记过“{}”",
                        reg.id, service.name
                    )));
                }
                let record = match service.service_item_id {
                    Some(item) => {
                        let person = person::Entity::find_by_id(reg.person_id)
                            .one(&w.txn)
                            .await?
                            .ok_or(DomainError::NotFound { what: WHAT })?;
                        let note = format!("活动“{}”：{}", a.title, service.name);
                        Some(
                            crate::eligibility::record(
                                &w.txn,
                                &person,
                                item,
                                RecordKind::Activity.as_str(),
                                &note,
                                &self.caller.actor().id,
                            )
                            .await?
                            .id,
                        )
                    }
                    None => None,
                };
                let row = activity_service_delivery::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    service_id: Set(service.id),
                    activity_id: Set(a.id),
                    registration_id: Set(reg.id),
                    person_id: Set(reg.person_id),
                    record_id: Set(record),
                    recorded_by: Set(actor.clone()),
                    created_at: Set(Utc::now()),
                }
                .insert(&w.txn)
                .await?;
                out.push(row.into());
            }
            let n = i32::try_from(out.len()).unwrap_or(i32::MAX);
            activity_service::Entity::update_many()
                .col_expr(
                    activity_service::Column::Delivered,
                    Expr::col(activity_service::Column::Delivered).add(n),
                )
                .filter(activity_service::Column::Id.eq(service.id))
                .exec(&w.txn)
                .await?;
            self.append(
                &w.txn,
                "activity.service.deliver",
                a.id,
                format!("service={} people={n}", service.id),
            )
            .await?;
            w.commit().await?;
            Ok(out)
        })
        .await
    }
}

/// Goods of many activities, by activity, in the order they were added.
pub(crate) async fn goods_of_many<C: ConnectionTrait>(
    conn: &C,
    activities: &[Uuid],
) -> DomainResult<std::collections::HashMap<Uuid, Vec<Goods>>> {
    let mut out: std::collections::HashMap<Uuid, Vec<Goods>> = std::collections::HashMap::new();
    for g in activity_goods::Entity::find()
        .filter(activity_goods::Column::ActivityId.is_in(activities.iter().copied()))
        .order_by_asc(activity_goods::Column::Id)
        .all(conn)
        .await?
    {
        out.entry(g.activity_id).or_default().push(g.into());
    }
    Ok(out)
}

/// Services of many activities, by activity, in the order they were added.
pub(crate) async fn services_of_many<C: ConnectionTrait>(
    conn: &C,
    activities: &[Uuid],
) -> DomainResult<std::collections::HashMap<Uuid, Vec<OfferedService>>> {
    let mut out: std::collections::HashMap<Uuid, Vec<OfferedService>> =
        std::collections::HashMap::new();
    for s in activity_service::Entity::find()
        .filter(activity_service::Column::ActivityId.is_in(activities.iter().copied()))
        .order_by_asc(activity_service::Column::Id)
        .all(conn)
        .await?
    {
        out.entry(s.activity_id).or_default().push(s.into());
    }
    Ok(out)
}

/// What an activity hands out, delivers and needs volunteers for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resources {
    /// 物资
    pub goods: Vec<Goods>,
    /// 服务
    pub services: Vec<OfferedService>,
    /// 志愿岗位
    pub roles: Vec<super::VolunteerRole>,
}

impl ActivityService<'_> {
    /// The goods, services and volunteer roles of many activities (already shown to the caller),
    /// in three statements.
    pub async fn resources_of_many(
        &self,
        activities: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Resources>> {
        use crate::entities::activity_volunteer_role;
        let conn = self.p.db.conn();
        let mut goods = goods_of_many(conn, activities).await?;
        let mut services = services_of_many(conn, activities).await?;
        let mut roles: std::collections::HashMap<Uuid, Vec<super::VolunteerRole>> =
            std::collections::HashMap::new();
        for r in activity_volunteer_role::Entity::find()
            .filter(activity_volunteer_role::Column::ActivityId.is_in(activities.iter().copied()))
            .order_by_asc(activity_volunteer_role::Column::Id)
            .all(conn)
            .await?
        {
            roles.entry(r.activity_id).or_default().push(r.into());
        }
        Ok(activities
            .iter()
            .map(|id| {
                (
                    *id,
                    Resources {
                        goods: goods.remove(id).unwrap_or_default(),
                        services: services.remove(id).unwrap_or_default(),
                        roles: roles.remove(id).unwrap_or_default(),
                    },
                )
            })
            .collect())
    }
}
