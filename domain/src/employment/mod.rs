//! 就业服务 (R40–R46): enterprises and their proportional-employment figures (按比例安置),
//! job fairs offline and online, jobs with the accommodations they offer, employment intentions,
//! resumes and applications, and the follow-up of every hire at 1, 3 and 6 months.
//!
//! Who sees what:
//! - an **enterprise** account (role `ENTERPRISE`, bound to one enterprise by
//!   `enterprises.account_id`) sees its own enterprise, jobs, fair participations and the
//!   applications to its jobs — **de-identified** (surname initial, age band, category, level,
//!   skills) until it invites the applicant to an interview and the applicant agrees to show who
//!   they are; then the name and phone, never the ID number, and every such read is audited;
//! - **region admins** see enterprises, applications, intentions and follow-ups of their
//!   district (a street-town its own people's); the district verifies its enterprises;
//! - **citizens** see open jobs of verified enterprises, their own resume, intentions and
//!   applications; anyone sees published fairs and open jobs (like the catalog).
//!
//! Every state moves only along its transitions (`CONFLICT` naming the current state otherwise),
//! every edit carries the version read, and every write is one transaction with its audit record.

mod applications;
mod enterprises;
mod fairs;
mod follow_ups;
mod jobs;
mod matching;
mod service;
mod stats;

use chrono::NaiveDate;
use uuid::Uuid;

pub use applications::{
    Applicant, ApplicationMove, Experience, Identity, IntentionInput, Resume, ResumeInput,
    ResumeSnapshot, application_transition,
};
pub use enterprises::{
    Enterprise, EnterpriseInput, EnterpriseRegistration, VerifyAction, register, required_places,
};
pub use fairs::{FairInput, Participation};
pub use follow_ups::{FOLLOW_UP_MONTHS, FollowUpInput, FollowUpStatus};
pub use jobs::{Job, JobFilter, JobInput};
pub use matching::{CandidateMatch, JobMatch, MAX_RECOMMENDATIONS};
pub use service::EmploymentService;
pub use stats::{
    RecruitmentDimension, RecruitmentLine, RecruitmentMeasures, RecruitmentStatistics,
    statistics_xlsx,
};

use crate::error::{DomainError, DomainResult};

/// What messages call an enterprise.
pub const WHAT_ENTERPRISE: &str = "用人单位";
/// What messages call a fair.
pub const WHAT_FAIR: &str = "招聘会";
/// What messages call a job.
pub const WHAT_JOB: &str = "岗位";
/// What messages call an application.
pub const WHAT_APPLICATION: &str = "求职申请";
/// What messages call a follow-up.
pub const WHAT_FOLLOW_UP: &str = "就业回访";
/// Highest monthly salary a job may name (yuan).
pub const MAX_SALARY: i32 = 1_000_000;
/// Most places of one job.
pub const MAX_VACANCIES: i32 = 10_000;

/// Employment settings.
#[derive(Debug, Clone, Copy)]
pub struct EmploymentConfig {
    /// The proportion of employees who should be disabled people, in basis points (150 = 1.5 %,
    /// Shanghai's rate).
    pub ratio_bp: u32,
}

impl Default for EmploymentConfig {
    fn default() -> Self {
        Self { ratio_bp: 150 }
    }
}

code_enum! {
    /// 单位审核状态
    EnterpriseStatus {
        /// 待审核
        #[default]
        Pending = "PENDING",
        /// 已审核
        Verified = "VERIFIED",
        /// 已暂停
        Suspended = "SUSPENDED",
    }
}

code_enum! {
    /// 单位规模
    EnterpriseSize {
        /// 微型
        Micro = "MICRO",
        /// 小型
        #[default]
        Small = "SMALL",
        /// 中型
        Medium = "MEDIUM",
        /// 大型
        Large = "LARGE",
    }
}

code_enum! {
    /// 招聘会形式
    FairKind {
        /// 线下
        #[default]
        Offline = "OFFLINE",
        /// 线上
        Online = "ONLINE",
    }
}

code_enum! {
    /// 招聘会状态
    FairStatus {
        /// 草稿
        #[default]
        Draft = "DRAFT",
        /// 已发布
        Published = "PUBLISHED",
        /// 已取消
        Cancelled = "CANCELLED",
    }
}

code_enum! {
    /// 参会状态
    ParticipationStatus {
        /// 已申请
        #[default]
        Applied = "APPLIED",
        /// 已批准
        Approved = "APPROVED",
        /// 未批准
        Rejected = "REJECTED",
    }
}

code_enum! {
    /// 岗位状态
    JobStatus {
        /// 草稿
        #[default]
        Draft = "DRAFT",
        /// 招聘中
        Open = "OPEN",
        /// 已招满
        Filled = "FILLED",
        /// 已关闭
        Closed = "CLOSED",
    }
}

code_enum! {
    /// 工作时间
    WorkHours {
        /// 全职
        #[default]
        FullTime = "FULL_TIME",
        /// 兼职
        PartTime = "PART_TIME",
        /// 弹性
        Flexible = "FLEXIBLE",
    }
}

code_enum! {
    /// 无障碍与合理便利
    Accommodation {
        /// 无障碍工作场所
        #[default]
        StepFree = "STEP_FREE",
        /// 读屏软件兼容的工具
        ScreenReader = "SCREEN_READER",
        /// 手语沟通
        SignLanguage = "SIGN_LANGUAGE",
        /// 弹性工作时间
        FlexibleHours = "FLEXIBLE_HOURS",
        /// 可居家办公
        Remote = "REMOTE",
        /// 无障碍卫生间
        AccessibleToilet = "ACCESSIBLE_TOILET",
    }
}

impl Accommodation {
    /// How it reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::StepFree => "无障碍工作场所",
            Self::ScreenReader => "读屏软件兼容的工具",
            Self::SignLanguage => "手语沟通",
            Self::FlexibleHours => "弹性工作时间",
            Self::Remote => "可居家办公",
            Self::AccessibleToilet => "无障碍卫生间",
        }
    }
}

code_enum! {
    /// 求职申请状态
    ApplicationStatus {
        /// 已投递
        #[default]
        Applied = "APPLIED",
        /// 已查看
        Viewed = "VIEWED",
        /// 邀请面试
        Interview = "INTERVIEW",
        /// 已录用通知
        Offered = "OFFERED",
        /// 已入职
        Hired = "HIRED",
        /// 未通过
        Rejected = "REJECTED",
        /// 已撤回
        Withdrawn = "WITHDRAWN",
    }
}

impl ApplicationStatus {
    /// How it reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Applied => "已投递",
            Self::Viewed => "已查看",
            Self::Interview => "邀请面试",
            Self::Offered => "已发录用通知",
            Self::Hired => "已入职",
            Self::Rejected => "未通过",
            Self::Withdrawn => "已撤回",
        }
    }

    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Hired | Self::Rejected | Self::Withdrawn)
    }
}

code_enum! {
    /// 学历
    Education {
        /// 未上学
        None = "NONE",
        /// 小学
        Primary = "PRIMARY",
        /// 初中
        #[default]
        JuniorSecondary = "JUNIOR_SECONDARY",
        /// 高中、中专
        SeniorSecondary = "SENIOR_SECONDARY",
        /// 大专
        Associate = "ASSOCIATE",
        /// 本科
        Bachelor = "BACHELOR",
        /// 研究生
        Postgraduate = "POSTGRADUATE",
    }
}

/// Jobs of enterprises verified (not pending, not suspended), as a condition on `jobs`.
pub(crate) fn verified_enterprise() -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::ColumnTrait;
    crate::entities::job::Column::EnterpriseId.in_subquery(
        sea_orm::sea_query::Query::select()
            .column(crate::entities::enterprise::Column::Id)
            .from(crate::entities::enterprise::Entity)
            .and_where(
                crate::entities::enterprise::Column::Status.eq(EnterpriseStatus::Verified.as_str()),
            )
            .to_owned(),
    )
}

/// Jobs of an enterprise registered in `district`, as a condition on `jobs`.
pub(crate) fn enterprise_in(district: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::ColumnTrait;
    crate::entities::job::Column::EnterpriseId.in_subquery(
        sea_orm::sea_query::Query::select()
            .column(crate::entities::enterprise::Column::Id)
            .from(crate::entities::enterprise::Entity)
            .and_where(crate::entities::enterprise::Column::DistrictCode.eq(district))
            .to_owned(),
    )
}

/// Jobs found by search, by id: those open, of verified enterprises.
pub(crate) async fn searchable_by_id(db: &crate::db::Db, ids: &[Uuid]) -> DomainResult<Vec<Job>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(crate::entities::job::Entity::find()
        .filter(crate::entities::job::Column::Id.is_in(ids.iter().copied()))
        .filter(crate::entities::job::Column::Status.eq(JobStatus::Open.as_str()))
        .filter(verified_enterprise())
        .all(db.conn())
        .await?
        .into_iter()
        .map(|row| Job { row })
        .collect())
}

/// Comma list of codes as stored.
pub(crate) fn join_codes<T: Copy>(items: &[T], code: impl Fn(T) -> String) -> String {
    items.iter().map(|i| code(*i)).collect::<Vec<_>>().join(",")
}

/// A stored comma list of small numbers (categories, levels).
pub(crate) fn stored_numbers(raw: &str) -> Vec<i16> {
    raw.split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// A stored comma list of accommodations.
pub(crate) fn stored_accommodations(raw: &str) -> Vec<Accommodation> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(Accommodation::from_stored)
        .collect()
}

/// Shanghai's date today (UTC+8, no daylight saving).
pub(crate) fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// A monthly salary range, from ≤ to, both within 0–[`MAX_SALARY`] yuan.
pub(crate) fn salary_range(field: &str, min: i32, max: i32) -> DomainResult<(i32, i32)> {
    if !(0..=MAX_SALARY).contains(&min) || !(0..=MAX_SALARY).contains(&max) {
        return Err(DomainError::bad_input(
            field,
            format!("月薪应在 0–{MAX_SALARY} 元之间"),
        ));
    }
    if min > max {
        return Err(DomainError::bad_input(
            field,
            format!("月薪下限（{min} 元）不能高于上限（{max} 元）"),
        ));
    }
    Ok((min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salary_ranges_must_run_upwards_and_stay_in_bounds() {
        assert_eq!(salary_range("s", 5000, 8000).unwrap(), (5000, 8000));
        assert_eq!(salary_range("s", 6000, 6000).unwrap(), (6000, 6000));
        for (min, max) in [(8000, 5000), (-1, 100), (0, MAX_SALARY + 1)] {
            let e = salary_range("input.salary", min, max).unwrap_err();
            assert!(matches!(e, DomainError::BadInput { .. }), "{min}-{max}");
        }
    }

    #[test]
    fn stored_lists_read_back() {
        assert_eq!(stored_numbers("1,4,7"), vec![1, 4, 7]);
        assert!(stored_numbers("").is_empty());
        assert_eq!(
            stored_accommodations("STEP_FREE,SIGN_LANGUAGE"),
            vec![Accommodation::StepFree, Accommodation::SignLanguage]
        );
        assert_eq!(
            join_codes(&[Accommodation::Remote], |a| a.as_str().to_owned()),
            "REMOTE"
        );
    }
}
