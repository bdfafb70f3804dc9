//! 问卷与需求 (R37–R38): questionnaires with versioned definitions (question types, options,
//! skip logic in CEL, need mapping), pushed to the people a filter or an eligibility rule selects
//! (政策找人's targeting), answered by the person or by staff on their behalf, drafts kept, one
//! submission per person and push in force (a resubmission before the deadline replaces it, the
//! replaced one is kept); anonymous questionnaires store no person, only a keyed token. A
//! submission puts the needs it identifies on the person's file, where the street-town works
//! them (`IDENTIFIED → REFERRED → MET`, or `DECLINED`).

pub mod definition;
mod export;
mod needs;
mod push;
mod responses;
pub mod results;
mod service;
pub mod stored;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use definition::{Answer, Answers, Choice, Definition, Question, QuestionKind};
pub use needs::{Need, NeedChange, NeedEvent, NeedFilter};
pub use push::{PushInput, QuestionnairePush, remind, run_push_job};
pub use responses::{Assignment, Response, ResponseInput};
pub use service::SurveyService;

use crate::entities::questionnaire;

/// What a questionnaire is called in messages.
pub const WHAT: &str = "问卷";
/// What a need is called in messages.
pub const WHAT_NEED: &str = "需求";
/// Blind-index purpose of anonymous respondents' tokens (push and person).
pub const RESPONDENT_TOKEN: &str = "questionnaire_responses.respondent";

code_enum! {
    /// 问卷类别
    QuestionnaireKind {
        /// 需求调查
        #[default]
        Needs = "NEEDS",
        /// 满意度调查
        Satisfaction = "SATISFACTION",
        /// 就业意向调查
        EmploymentIntention = "EMPLOYMENT_INTENTION",
        /// 其他
        Other = "OTHER",
    }
}

code_enum! {
    /// 问卷状态
    QuestionnaireStatus {
        /// 草稿（从未发布）
        #[default]
        Draft = "DRAFT",
        /// 已发布（可推送；可继续编辑草稿，再次发布为新版本）
        Published = "PUBLISHED",
        /// 已关闭（不再推送、不再接受回答）
        Closed = "CLOSED",
    }
}

code_enum! {
    /// 需求类别
    NeedCategory {
        /// 康复
        #[default]
        Rehabilitation = "REHABILITATION",
        /// 辅具
        AssistiveDevice = "ASSISTIVE_DEVICE",
        /// 托养
        Care = "CARE",
        /// 就业
        Employment = "EMPLOYMENT",
        /// 教育
        Education = "EDUCATION",
        /// 无障碍改造
        Accessibility = "ACCESSIBILITY",
        /// 生活救助
        LivingAssistance = "LIVING_ASSISTANCE",
        /// 医疗
        Medical = "MEDICAL",
        /// 法律援助
        Legal = "LEGAL",
        /// 其他
        Other = "OTHER",
    }
}

impl NeedCategory {
    /// The category's name in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Self::Rehabilitation => "康复",
            Self::AssistiveDevice => "辅具",
            Self::Care => "托养",
            Self::Employment => "就业",
            Self::Education => "教育",
            Self::Accessibility => "无障碍改造",
            Self::LivingAssistance => "生活救助",
            Self::Medical => "医疗",
            Self::Legal => "法律援助",
            Self::Other => "其他",
        }
    }
}

code_enum! {
    /// 需求状态
    NeedStatus {
        /// 已识别
        #[default]
        Identified = "IDENTIFIED",
        /// 已转介
        Referred = "REFERRED",
        /// 已满足
        Met = "MET",
        /// 本人谢绝
        Declined = "DECLINED",
    }
}

code_enum! {
    /// 回答状态
    ResponseStatus {
        /// 草稿
        #[default]
        Draft = "DRAFT",
        /// 已提交
        Submitted = "SUBMITTED",
        /// 已被重新提交替代（保留历史）
        Superseded = "SUPERSEDED",
    }
}

/// A questionnaire as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    /// Row.
    pub row: questionnaire::Model,
    /// The draft definition.
    pub draft: Definition,
}

impl Questionnaire {
    /// Id.
    pub fn id(&self) -> Uuid {
        self.row.id
    }
    /// Kind.
    pub fn kind(&self) -> QuestionnaireKind {
        QuestionnaireKind::from_stored(&self.row.kind)
    }
    /// Status.
    pub fn status(&self) -> QuestionnaireStatus {
        QuestionnaireStatus::from_stored(&self.row.status)
    }
    /// Updated.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
}

/// A questionnaire as submitted for saving.
#[derive(Debug, Clone, Default)]
pub struct QuestionnaireInput {
    /// Existing questionnaire (with its `version`), or a new one.
    pub id: Option<Uuid>,
    /// Optimistic-lock version of an existing one.
    pub version: Option<i32>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Kind.
    pub kind: QuestionnaireKind,
    /// Anonymous (fixed once published).
    pub anonymous: bool,
    /// Questions.
    pub definition: Definition,
}

/// Age band of a person for results (`0-17`, `18-44`, `45-59`, `60+`).
pub fn age_band(age: i32) -> &'static str {
    match age {
        ..=17 => "0-17",
        18..=44 => "18-44",
        45..=59 => "45-59",
        _ => "60+",
    }
}
