//! Read models of 政策找人: pushes, tasks, their history and materials, warnings — typed codes,
//! as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Outcome, ReturnReason, TargetFilter, TaskStatus, VisitMethod, WarningLevel};
use crate::entities::{
    outreach_attachment, outreach_event, outreach_push, outreach_task, outreach_warning,
};
use crate::viewer::Role;

code_enum! {
    /// Lifecycle of a push.
    PushStatus {
        /// 草稿
        #[default]
        Draft = "DRAFT",
        /// 发布中（后台批量生成任务）
        Publishing = "PUBLISHING",
        /// 已发布
        Published = "PUBLISHED",
        /// 发布中断（可再次发布续做）
        Failed = "FAILED",
    }
}

code_enum! {
    /// Why a warning was raised.
    WarningKind {
        /// The follow-up is overdue.
        #[default]
        Overdue = "OVERDUE",
        /// The follow-up did not reach the person (unreachable, moved).
        FailedOutcome = "FAILED_OUTCOME",
        /// A hire's employment follow-up (1, 3 or 6 months) is overdue: `task_id` is the
        /// follow-up, `push_id` the application.
        EmploymentFollowUp = "JOB_FOLLOW_UP",
    }
}

/// 政策推送
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// Id.
    pub id: Uuid,
    /// 标题
    pub title: String,
    /// 推送的政策
    pub policy_id: Option<Uuid>,
    /// 推送的服务事项
    pub service_item_id: Option<Uuid>,
    /// 按服务事项的现行适用条件选择对象
    pub use_rule: bool,
    /// 登记信息条件
    pub filter: TargetFilter,
    /// 发起范围（310000 全市或区代码）
    pub scope_code: String,
    /// 走访时限（工作日）
    pub due_working_days: i32,
    /// 状态
    pub status: PushStatus,
    /// 已生成任务数
    pub targeted: i32,
    /// 发布进度（已处理人数）
    pub progress: i32,
    /// 创建时间
    pub created_at: DateTime<Utc>,
    /// 发布时间
    pub published_at: Option<DateTime<Utc>>,
}

impl From<outreach_push::Model> for Push {
    fn from(m: outreach_push::Model) -> Self {
        Self {
            id: m.id,
            filter: serde_json::from_str(&m.filter).unwrap_or_default(),
            status: PushStatus::from_stored(&m.status),
            title: m.title,
            policy_id: m.policy_id,
            service_item_id: m.service_item_id,
            use_rule: m.use_rule,
            scope_code: m.scope_code,
            due_working_days: m.due_working_days,
            targeted: m.targeted,
            progress: m.progress,
            created_at: m.created_at,
            published_at: m.published_at,
        }
    }
}

/// 走访任务
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// Id.
    pub id: Uuid,
    /// 所属推送
    pub push_id: Uuid,
    /// 走访对象
    pub person_id: Uuid,
    /// 区
    pub district_code: String,
    /// 街镇
    pub street_code: String,
    /// 状态
    pub status: TaskStatus,
    /// 走访期限
    pub due_on: NaiveDate,
    /// 走访方式
    pub method: Option<VisitMethod>,
    /// 走访结果
    pub outcome: Option<Outcome>,
    /// 走访记录
    pub notes: Option<String>,
    /// 走访日期
    pub visited_on: Option<NaiveDate>,
    /// 最近提交时间
    pub submitted_at: Option<DateTime<Utc>>,
    /// 退回次数
    pub return_count: i32,
    /// 被抽中电话复核
    pub recheck_drawn: bool,
    /// 电话复核结果（AGREE / DISAGREE）
    pub recheck_result: Option<String>,
}

impl From<outreach_task::Model> for Task {
    fn from(m: outreach_task::Model) -> Self {
        Self {
            id: m.id,
            status: TaskStatus::from_stored(&m.status),
            method: m.method.as_deref().map(VisitMethod::from_stored),
            outcome: m.outcome.as_deref().map(Outcome::from_stored),
            recheck_drawn: m.recheck_sample_seed.is_some(),
            push_id: m.push_id,
            person_id: m.person_id,
            district_code: m.district_code,
            street_code: m.street_code,
            due_on: m.due_on,
            notes: m.notes,
            visited_on: m.visited_on,
            submitted_at: m.submitted_at,
            return_count: m.return_count,
            recheck_result: m.recheck_result,
        }
    }
}

/// One transition of a task (the history on the person's file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskEvent {
    /// The task.
    pub task_id: Uuid,
    /// 时间
    pub at: DateTime<Utc>,
    /// 原状态
    pub from_status: Option<TaskStatus>,
    /// 新状态
    pub to_status: TaskStatus,
    /// 操作 (`SUBMIT`, `APPROVE`, `RETURN`, `RECHECK_AGREE`, `RECHECK_DISAGREE`)
    pub action: String,
    /// 退回原因
    pub reason: Option<ReturnReason>,
    /// 说明
    pub note: Option<String>,
    /// 操作人角色 (role only, never a name)
    pub actor_role: Option<Role>,
}

impl From<outreach_event::Model> for TaskEvent {
    fn from(m: outreach_event::Model) -> Self {
        Self {
            task_id: m.task_id,
            at: m.at,
            from_status: m.from_status.as_deref().map(TaskStatus::from_stored),
            to_status: TaskStatus::from_stored(&m.to_status),
            reason: m.reason_code.as_deref().map(ReturnReason::from_stored),
            actor_role: Role::from_code(&m.actor_role),
            action: m.action,
            note: m.note,
        }
    }
}

/// 佐证材料
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Id.
    pub id: Uuid,
    /// The task.
    pub task_id: Uuid,
    /// 文件名
    pub file_name: String,
    /// 内容类型（按内容识别）
    pub content_type: String,
    /// 大小（字节）
    pub size_bytes: i64,
    /// SM3 摘要
    pub sm3: String,
    /// 上传时间
    pub uploaded_at: DateTime<Utc>,
}

impl From<outreach_attachment::Model> for Attachment {
    fn from(m: outreach_attachment::Model) -> Self {
        Self {
            id: m.id,
            task_id: m.task_id,
            file_name: m.file_name,
            content_type: m.content_type,
            size_bytes: m.size_bytes,
            sm3: m.sm3,
            uploaded_at: m.at,
        }
    }
}

/// 走访预警
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Id.
    pub id: Uuid,
    /// The task.
    pub task_id: Uuid,
    /// 类型
    pub kind: WarningKind,
    /// 级别
    pub level: WarningLevel,
    /// 街镇
    pub street_code: String,
    /// 预警时间
    pub raised_at: DateTime<Utc>,
    /// 升级时间
    pub escalated_at: Option<DateTime<Utc>>,
    /// 消除时间
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<outreach_warning::Model> for Warning {
    fn from(m: outreach_warning::Model) -> Self {
        Self {
            id: m.id,
            task_id: m.task_id,
            kind: WarningKind::from_stored(&m.kind),
            level: WarningLevel::from_stored(&m.level),
            street_code: m.street_code,
            raised_at: m.raised_at,
            escalated_at: m.escalated_at,
            resolved_at: m.resolved_at,
        }
    }
}
