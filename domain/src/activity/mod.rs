//! 阳光201 activities (R28) and registration for them (R16).
//!
//! An activity is organised by the city, a district or a street-town; its organiser's region
//! decides who manages it (the city every activity, a district those organised in it, a
//! street-town its own). Drafts are seen only by their managers; once published an activity is
//! public, like the catalog. States: `DRAFT → PUBLISHED → REGISTRATION_CLOSED → IN_PROGRESS →
//! FINISHED`, or `CANCELLED` (every registrant told by inbox and SMS); the time-driven steps are
//! taken by a periodic pass ([`advance`]). Edits carry the version read (`CONFLICT` when stale).
//!
//! Registering locks the activity's row (an update of its arrival counter) and decides inside
//! that one transaction: a place while `confirmed < capacity`, else the waitlist, in arrival
//! order. However many register at once, exactly `capacity` are confirmed. A cancelled place goes
//! to the first on the waitlist, who is told.

mod attendance;
mod checkin;
mod register;
mod resources;
mod service;
mod stats;
mod store;
mod volunteers;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use attendance::{
    ActivityPolicy, CHECK_IN_OPENS_BEFORE_MINUTES, CheckInCode, CheckInMethod, CheckInUpdate,
    CheckInWatch, Standing,
};
pub use checkin::STEP_SECS as CHECK_IN_STEP_SECS;
pub use resources::{
    Delivery, Distribution, Goods, GoodsInput, MAX_DELIVERIES_AT_ONCE, MAX_PER_PERSON, MAX_STOCK,
    OfferedService, OfferedServiceInput, Resources, WHAT_GOODS, WHAT_OFFERED_SERVICE,
};
pub use service::ActivityService;
pub use stats::{ActivityLine, ActivityMeasures, ActivityStatistics, RegionLine, statistics_xlsx};
pub use store::advance;

/// Activities found by search, by id: those published and not yet over.
pub(crate) async fn searchable_by_id(
    db: &crate::db::Db,
    ids: &[Uuid],
) -> DomainResult<Vec<Activity>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(activity::Entity::find()
        .filter(activity::Column::Id.is_in(ids.iter().copied()))
        .filter(activity::Column::Status.is_in([
            ActivityStatus::Published.as_str(),
            ActivityStatus::RegistrationClosed.as_str(),
            ActivityStatus::InProgress.as_str(),
        ]))
        .all(db.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Take the time-driven steps due at `now` ([`advance`]) and bring the search index up to date
/// with the activities that stepped (a finished one is no longer found).
pub async fn advance_and_reindex(
    p: &crate::PlatformParts,
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let steps = advance(&p.db, now).await?;
    if steps > 0 {
        let stepped = activity::Entity::find()
            .filter(activity::Column::UpdatedAt.eq(now))
            .all(p.db.conn())
            .await?;
        for a in stepped {
            p.search
                .upsert(a.id, crate::catalog::search::activity_doc(&a).as_ref())?;
        }
    }
    Ok(steps)
}
pub(crate) use store::manages as organiser_manages;
pub(crate) use store::new_draft as store_new_draft;
pub use volunteers::{
    HourLine, HourStatement, MAX_ROLE_CAPACITY, MonthHours, Signup, SignupStatus, VolunteerRole,
    VolunteerRoleInput, hours_xlsx, parse_month,
};

use crate::entities::{activity, activity_registration};
use crate::error::{DomainError, DomainResult};
use crate::types::{BoundedText, DisabilityCategory, RegionCode};

/// What the error messages call an activity.
pub const WHAT: &str = "活动";
/// What the error messages call a registration.
pub const WHAT_REGISTRATION: &str = "活动报名";
/// Largest capacity of one activity.
pub const MAX_CAPACITY: i32 = 100_000;
/// How many registrations a person's file shows (newest first).
pub const REGISTRATIONS_SHOWN: usize = 50;
/// Most companions one registrant may bring.
pub const MAX_COMPANIONS: i32 = 3;

code_enum! {
    /// 活动类型
    ActivityKind {
        /// 康复
        Rehabilitation = "REHABILITATION",
        /// 培训
        Training = "TRAINING",
        /// 文体
        CultureSport = "CULTURE_SPORT",
        /// 辅具适配
        AssistiveDevices = "ASSISTIVE_DEVICES",
        /// 志愿服务
        VolunteerService = "VOLUNTEER_SERVICE",
        /// 其他
        #[default]
        Other = "OTHER",
    }
}

code_enum! {
    /// 活动状态
    ActivityStatus {
        /// 草稿
        #[default]
        Draft = "DRAFT",
        /// 已发布（报名中或待报名）
        Published = "PUBLISHED",
        /// 报名截止
        RegistrationClosed = "REGISTRATION_CLOSED",
        /// 进行中
        InProgress = "IN_PROGRESS",
        /// 已结束
        Finished = "FINISHED",
        /// 已取消
        Cancelled = "CANCELLED",
    }
}

code_enum! {
    /// 面向对象
    AudienceKind {
        /// 所有持证残疾人
        #[default]
        All = "ALL",
        /// 指定残疾类别
        Categories = "CATEGORIES",
        /// 符合某条适用条件（阳光申办的规则）
        Rule = "RULE",
    }
}

code_enum! {
    /// 报名状态
    RegistrationStatus {
        /// 已确认
        #[default]
        Confirmed = "CONFIRMED",
        /// 候补
        Waitlisted = "WAITLISTED",
        /// 已取消
        Cancelled = "CANCELLED",
        /// 已到场（活动结束时已签到）
        Attended = "ATTENDED",
        /// 失约（活动结束时未签到）
        NoShow = "NO_SHOW",
        /// 失约已免除
        Excused = "EXCUSED",
    }
}

code_enum! {
    /// 无障碍需求
    AccessNeed {
        /// 轮椅
        #[default]
        Wheelchair = "WHEELCHAIR",
        /// 引导（视障）
        Guide = "GUIDE",
        /// 手语翻译
        SignLanguage = "SIGN_LANGUAGE",
        /// 助听设备
        HearingLoop = "HEARING_LOOP",
        /// 大字或盲文材料
        LargePrint = "LARGE_PRINT",
    }
}

/// The venue and its accessibility.
#[derive(Debug, Clone, PartialEq)]
pub struct Venue {
    /// 地址
    pub address: String,
    /// Latitude and longitude (WGS-84), when known.
    pub location: Option<(f64, f64)>,
    /// 无障碍通道
    pub step_free: bool,
    /// 无障碍卫生间
    pub accessible_toilet: bool,
    /// 助听环路
    pub hearing_loop: bool,
    /// 手语翻译
    pub sign_language: bool,
}

/// Who may register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every registered person.
    All,
    /// People of these categories.
    Categories(Vec<DisabilityCategory>),
    /// People the eligibility rule version admits.
    Rule(Uuid),
}

impl Audience {
    /// Its kind.
    pub fn kind(&self) -> AudienceKind {
        match self {
            Self::All => AudienceKind::All,
            Self::Categories(_) => AudienceKind::Categories,
            Self::Rule(_) => AudienceKind::Rule,
        }
    }

    fn stored_categories(&self) -> String {
        match self {
            Self::Categories(c) => c
                .iter()
                .map(|c| c.code().to_string())
                .collect::<Vec<_>>()
                .join(","),
            _ => String::new(),
        }
    }

    fn from_row(m: &activity::Model) -> Self {
        match AudienceKind::from_stored(&m.audience_kind) {
            AudienceKind::All => Self::All,
            AudienceKind::Categories => Self::Categories(
                m.audience_categories
                    .split(',')
                    .filter_map(|c| c.parse::<i32>().ok())
                    .filter_map(|c| DisabilityCategory::from_code("", c).ok())
                    .collect(),
            ),
            AudienceKind::Rule => m.audience_rule_id.map_or(Self::All, Self::Rule),
        }
    }
}

/// One activity, as its viewer may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Id.
    pub id: Uuid,
    /// Organiser's region.
    pub organiser: RegionCode,
    /// 类型
    pub kind: ActivityKind,
    /// 标题
    pub title: String,
    /// 简介
    pub description: String,
    /// 场地
    pub venue: Venue,
    /// 开始
    pub starts_at: DateTime<Utc>,
    /// 结束
    pub ends_at: DateTime<Utc>,
    /// 报名开始
    pub registration_opens_at: DateTime<Utc>,
    /// 报名截止
    pub registration_closes_at: DateTime<Utc>,
    /// 名额
    pub capacity: i32,
    /// 面向对象
    pub audience: Audience,
    /// 状态
    pub status: ActivityStatus,
    /// 版本（修改时提交）
    pub version: i32,
    /// 已确认人数
    pub confirmed: i32,
    /// 候补人数
    pub waitlisted: i32,
    /// 取消原因
    pub cancel_reason: Option<String>,
    /// 创建
    pub created_at: DateTime<Utc>,
    /// 更新
    pub updated_at: DateTime<Utc>,
}

impl From<activity::Model> for Activity {
    fn from(m: activity::Model) -> Self {
        let audience = Audience::from_row(&m);
        Self {
            id: m.id,
            organiser: RegionCode::from_trusted(m.scope_code),
            kind: ActivityKind::from_stored(&m.kind),
            title: m.title,
            description: m.description,
            venue: Venue {
                address: m.venue_address,
                location: m.venue_lat.zip(m.venue_lng),
                step_free: m.step_free,
                accessible_toilet: m.accessible_toilet,
                hearing_loop: m.hearing_loop,
                sign_language: m.sign_language,
            },
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            registration_opens_at: m.registration_opens_at,
            registration_closes_at: m.registration_closes_at,
            capacity: m.capacity,
            audience,
            status: ActivityStatus::from_stored(&m.status),
            version: m.version,
            confirmed: m.confirmed,
            waitlisted: m.waitlisted,
            cancel_reason: m.cancel_reason,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One person's registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Id.
    pub id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// 状态
    pub status: RegistrationStatus,
    /// Arrival number (the waitlist is served in this order).
    pub position: i64,
    /// 无障碍需求
    pub needs: Vec<AccessNeed>,
    /// 陪同人数
    pub companions: i32,
    /// 报名时间
    pub created_at: DateTime<Utc>,
    /// 签到时间
    pub checked_in_at: Option<DateTime<Utc>>,
    /// 签到方式
    pub check_in_method: Option<CheckInMethod>,
}

impl From<activity_registration::Model> for Registration {
    fn from(m: activity_registration::Model) -> Self {
        Self {
            id: m.id,
            activity_id: m.activity_id,
            person_id: m.person_id,
            status: RegistrationStatus::from_stored(&m.status),
            position: m.position,
            needs: m
                .needs
                .split(',')
                .filter(|n| !n.is_empty())
                .map(AccessNeed::from_stored)
                .collect(),
            companions: m.companions,
            created_at: m.created_at,
            checked_in_at: m.checked_in_at,
            check_in_method: m.check_in_method.as_deref().map(CheckInMethod::from_stored),
        }
    }
}

/// An activity as submitted (create when `id` is none, else edit `version`).
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    /// Activity to edit.
    pub id: Option<Uuid>,
    /// Version read, required to edit.
    pub version: Option<i32>,
    /// Organiser's region (default: the caller's own).
    pub organiser: Option<String>,
    /// Type.
    pub kind: ActivityKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Venue address.
    pub venue_address: String,
    /// Latitude (WGS-84).
    pub latitude: Option<f64>,
    /// Longitude (WGS-84).
    pub longitude: Option<f64>,
    /// Step-free access.
    pub step_free: bool,
    /// Accessible toilet.
    pub accessible_toilet: bool,
    /// Hearing loop.
    pub hearing_loop: bool,
    /// Sign-language interpreter.
    pub sign_language: bool,
    /// Starts.
    pub starts_at: DateTime<Utc>,
    /// Ends.
    pub ends_at: DateTime<Utc>,
    /// Registration opens.
    pub registration_opens_at: DateTime<Utc>,
    /// Registration closes.
    pub registration_closes_at: DateTime<Utc>,
    /// Places.
    pub capacity: i32,
    /// Audience kind.
    pub audience: AudienceKind,
    /// Categories (`CATEGORIES`).
    pub categories: Vec<DisabilityCategory>,
    /// Eligibility rule version (`RULE`).
    pub rule_id: Option<Uuid>,
}

/// An input checked field by field.
pub(crate) struct CheckedActivity {
    pub title: String,
    pub description: String,
    pub venue: Venue,
    pub audience: Audience,
}

impl ActivityInput {
    /// Check every field that needs no database; the first fault is named.
    pub(crate) fn check(&self) -> DomainResult<CheckedActivity> {
        let title = BoundedText::parse("input.title", &self.title, 200)?.into_string();
        let description = if self.description.trim().is_empty() {
            String::new()
        } else {
            BoundedText::parse("input.description", &self.description, 5000)?.into_string()
        };
        let address =
            BoundedText::parse("input.venueAddress", &self.venue_address, 200)?.into_string();
        let location = match (self.latitude, self.longitude) {
            (None, None) => None,
            (Some(lat), Some(lng)) => Some(in_shanghai(lat, lng)?),
            _ => {
                return Err(DomainError::bad_input(
                    "input.latitude",
                    "经纬度须同时填写或同时不填",
                ));
            }
        };
        if !(1..=MAX_CAPACITY).contains(&self.capacity) {
            return Err(DomainError::bad_input(
                "input.capacity",
                format!("名额应为1–{MAX_CAPACITY}"),
            ));
        }
        if self.ends_at <= self.starts_at {
            return Err(DomainError::bad_input(
                "input.endsAt",
                "结束时间须晚于开始时间",
            ));
        }
        if self.ends_at - self.starts_at > chrono::Duration::days(31) {
            return Err(DomainError::bad_input(
                "input.endsAt",
                "一次活动不能超过31天",
            ));
        }
        if self.registration_closes_at <= self.registration_opens_at {
            return Err(DomainError::bad_input(
                "input.registrationClosesAt",
                "报名截止时间须晚于报名开始时间",
            ));
        }
        if self.registration_closes_at > self.starts_at {
            return Err(DomainError::bad_input(
                "input.registrationClosesAt",
                "报名须在活动开始前截止",
            ));
        }
        let audience = match self.audience {
            AudienceKind::All => Audience::All,
            AudienceKind::Categories => {
                let mut c = self.categories.clone();
                c.sort();
                c.dedup();
                if c.is_empty() {
                    return Err(DomainError::bad_input(
                        "input.categories",
                        "面向指定残疾类别时须至少选择一个类别",
                    ));
                }
                Audience::Categories(c)
            }
            AudienceKind::Rule => Audience::Rule(self.rule_id.ok_or_else(|| {
                DomainError::bad_input("input.ruleId", "面向适用条件时须指定规则")
            })?),
        };
        Ok(CheckedActivity {
            title,
            description,
            venue: Venue {
                address,
                location,
                step_free: self.step_free,
                accessible_toilet: self.accessible_toilet,
                hearing_loop: self.hearing_loop,
                sign_language: self.sign_language,
            },
            audience,
        })
    }
}

/// China Standard Time (UTC+8, no daylight saving), for times shown in messages.
fn shanghai() -> chrono::FixedOffset {
    use chrono::Offset;
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

fn in_shanghai(lat: f64, lng: f64) -> DomainResult<(f64, f64)> {
    let ((south, west), (north, east)) = crate::volunteer::SHANGHAI_BOUNDS;
    if !lat.is_finite() || !(south..=north).contains(&lat) {
        return Err(DomainError::bad_input(
            "input.latitude",
            format!("场地不在上海市范围内（纬度应为{south}–{north}，WGS-84）"),
        ));
    }
    if !lng.is_finite() || !(west..=east).contains(&lng) {
        return Err(DomainError::bad_input(
            "input.longitude",
            format!("场地不在上海市范围内（经度应为{west}–{east}，WGS-84）"),
        ));
    }
    Ok((lat, lng))
}

/// A registration as submitted.
#[derive(Debug, Clone, Default)]
pub struct RegistrationInput {
    /// Activity.
    pub activity_id: Uuid,
    /// The person (staff registering on someone's behalf; a citizen registers themself).
    pub person_id: Option<Uuid>,
    /// Accessibility needs.
    pub needs: Vec<AccessNeed>,
    /// Companions coming along.
    pub companions: i32,
}

impl RegistrationInput {
    pub(crate) fn check(&self) -> DomainResult<(String, i32)> {
        if !(0..=MAX_COMPANIONS).contains(&self.companions) {
            return Err(DomainError::bad_input(
                "companions",
                format!("陪同人数应为0–{MAX_COMPANIONS}"),
            ));
        }
        let mut needs = self.needs.clone();
        needs.sort_by_key(|n| n.as_str());
        needs.dedup();
        Ok((
            needs
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(","),
            self.companions,
        ))
    }
}

/// Filter of the activity list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Organised by this region or one inside it.
    pub region: Option<String>,
    /// In this state.
    pub status: Option<ActivityStatus>,
    /// Of this type.
    pub kind: Option<ActivityKind>,
    /// Not yet ended.
    pub upcoming: bool,
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn input() -> ActivityInput {
        let starts = Utc::now() + Duration::days(10);
        ActivityInput {
            title: "康复日".into(),
            venue_address: "浦东新区世纪大道1号".into(),
            starts_at: starts,
            ends_at: starts + Duration::hours(3),
            registration_opens_at: starts - Duration::days(9),
            registration_closes_at: starts - Duration::days(1),
            capacity: 30,
            ..ActivityInput::default()
        }
    }

    fn field(i: &ActivityInput) -> String {
        match i.check() {
            Err(DomainError::BadInput { field, .. }) => field,
            other => panic!("expected a refusal, got {:?}", other.map(|c| c.title)),
        }
    }

    #[test]
    fn each_impossible_activity_names_its_field() {
        assert!(input().check().is_ok());
        let mut i = input();
        i.capacity = -1;
        assert_eq!(field(&i), "input.capacity");
        let mut i = input();
        i.ends_at = i.starts_at - Duration::minutes(1);
        assert_eq!(field(&i), "input.endsAt");
        let mut i = input();
        i.registration_closes_at = i.starts_at + Duration::hours(1);
        assert_eq!(field(&i), "input.registrationClosesAt");
        let mut i = input();
        (i.latitude, i.longitude) = (Some(39.9), Some(116.4));
        assert_eq!(field(&i), "input.latitude");
        let mut i = input();
        i.latitude = Some(31.2);
        assert_eq!(field(&i), "input.latitude");
        let mut i = input();
        i.audience = AudienceKind::Categories;
        assert_eq!(field(&i), "input.categories");
        let mut i = input();
        i.title = "\u{200b}\u{202e}".into();
        assert_eq!(field(&i), "input.title");
    }

    #[test]
    fn companions_are_bounded_and_needs_deduplicated() {
        let mut r = RegistrationInput {
            needs: vec![AccessNeed::Guide, AccessNeed::Wheelchair, AccessNeed::Guide],
            ..RegistrationInput::default()
        };
        assert_eq!(r.check().unwrap(), ("GUIDE,WHEELCHAIR".to_owned(), 0));
        r.companions = 4;
        assert!(r.check().is_err());
    }
}
