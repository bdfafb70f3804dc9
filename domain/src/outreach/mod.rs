//! 政策找人 (R19–R27): the federation selects the people a policy applies to and pushes it to
//! them; every person becomes a follow-up task of their street-town, due in working days; the
//! street-town visits and reports, the district reviews (approves or returns with a coded reason),
//! city or district staff re-check a reproducible random sample by telephone; overdue and failed
//! follow-ups raise warnings that escalate from street-town to district; statistics and a
//! monthly report (also as XLSX) close the loop.
//!
//! Every task moves only along the transitions of [`transition`]; an illegal move answers
//! `CONFLICT` naming the current state. Every transition is an `outreach_events` row (the history
//! shown on the person's file) and an audit record, written in the same transaction.

pub mod calendar;
mod model;
mod push;
mod service;
mod stats;
pub mod targets;
mod task;
mod warnings;

pub use calendar::WorkCalendar;
pub use model::{Attachment, Push, PushStatus, Task, TaskEvent, Warning, WarningKind};
pub use push::{
    DryRunRow, KIND_NEED, KIND_POLICY, OutreachScope, PushInput, TargetFilter, create_follow_up,
    create_push, dry_run, publish, push_by_id, pushes, run_publish_job, task_count,
};
pub use service::{OutreachService, Report, WarningWatch};
pub use stats::{MonthlyReport, StatRow, monthly_report, report_xlsx, statistics};
pub use task::{
    AttachmentInput, FollowUpInput, ReviewDecision, TaskCursor, attach, attachments_of,
    count_tasks, download, draw_recheck_sample, events_of, record_follow_up, record_recheck,
    review, task_in_scope, tasks, tasks_of_person,
};
pub use warnings::{TickReport, WarningLevel, addressed, tick, warning, warnings};

/// Outreach settings.
#[derive(Debug, Clone)]
pub struct OutreachConfig {
    /// Working-day calendar for due dates.
    pub calendar: WorkCalendar,
    /// Default follow-up period, working days.
    pub due_working_days: u32,
    /// Days a street-level warning waits before it escalates to the district.
    pub escalate_after_days: i64,
    /// Day of the month on which the monthly report closes (1–28).
    pub report_closing_day: u32,
    /// Largest attachment, bytes.
    pub attachment_max_bytes: usize,
    /// Most attachments per task.
    pub attachments_per_task: usize,
}

impl Default for OutreachConfig {
    fn default() -> Self {
        Self {
            calendar: WorkCalendar::default(),
            due_working_days: 10,
            escalate_after_days: 3,
            report_closing_day: 25,
            attachment_max_bytes: 5 * 1024 * 1024,
            attachments_per_task: 10,
        }
    }
}

code_enum! {
    /// State of a follow-up task.
    TaskStatus {
        /// Assigned to the street-town, not yet reported.
        #[default]
        Assigned = "ASSIGNED",
        /// Reported by the street-town, awaiting district review.
        Submitted = "SUBMITTED",
        /// Returned by the district for completion (退回信息完善).
        Returned = "RETURNED",
        /// Approved by the district.
        Approved = "APPROVED",
        /// Approved and confirmed by a telephone re-check.
        Rechecked = "RECHECKED",
    }
}

code_enum! {
    /// How the street-town reached the person.
    VisitMethod {
        /// 入户走访
        #[default]
        HomeVisit = "HOME_VISIT",
        /// 电话联系
        Phone = "PHONE",
        /// 服务中心接待
        AtCentre = "AT_CENTRE",
    }
}

code_enum! {
    /// What the follow-up found.
    Outcome {
        /// 已告知政策
        #[default]
        Informed = "INFORMED",
        /// 已申请
        Applied = "APPLIED",
        /// 本人放弃
        Declined = "DECLINED",
        /// 联系不上
        Unreachable = "UNREACHABLE",
        /// 不符合条件
        NotEligible = "NOT_ELIGIBLE",
        /// 已迁出
        Moved = "MOVED",
        /// 已去世
        Deceased = "DECEASED",
    }
}

impl Outcome {
    /// Outcomes that raise a warning: the policy did not reach the person.
    pub fn failed(self) -> bool {
        matches!(self, Self::Unreachable | Self::Moved)
    }
}

code_enum! {
    /// Why a district returned a follow-up.
    ReturnReason {
        /// 走访记录不完整
        #[default]
        IncompleteRecord = "INCOMPLETE_RECORD",
        /// 缺少佐证材料
        MissingMaterials = "MISSING_MATERIALS",
        /// 结果存疑
        OutcomeDoubtful = "OUTCOME_DOUBTFUL",
        /// 走访方式不符合要求
        WrongMethod = "WRONG_METHOD",
        /// 电话复核不一致
        RecheckDisagreement = "RECHECK_DISAGREEMENT",
        /// 其他
        Other = "OTHER",
    }
}

/// Actions on a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The street-town reports (first time or after a return).
    Submit,
    /// The district approves.
    Approve,
    /// The district returns it for completion.
    Return,
    /// A telephone re-check agreed.
    RecheckAgree,
    /// A telephone re-check disagreed: the task reopens.
    RecheckDisagree,
}

impl Action {
    /// Stable code (event rows, audit).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "SUBMIT",
            Self::Approve => "APPROVE",
            Self::Return => "RETURN",
            Self::RecheckAgree => "RECHECK_AGREE",
            Self::RecheckDisagree => "RECHECK_DISAGREE",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Submit => "提交走访结果",
            Self::Approve => "审核通过",
            Self::Return => "退回完善",
            Self::RecheckAgree | Self::RecheckDisagree => "电话复核",
        }
    }
}

fn status_name(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Assigned => "待走访",
        TaskStatus::Submitted => "待审核",
        TaskStatus::Returned => "已退回",
        TaskStatus::Approved => "已通过",
        TaskStatus::Rechecked => "已复核",
    }
}

/// The state machine: where `action` takes a task in state `from`, or `CONFLICT` naming the
/// current state.
pub fn transition(from: TaskStatus, action: Action) -> crate::DomainResult<TaskStatus> {
    use TaskStatus::*;
    let to = match (from, action) {
        (Assigned | Returned, Action::Submit) => Submitted,
        (Submitted, Action::Approve) => Approved,
        (Submitted, Action::Return) => Returned,
        (Approved, Action::RecheckAgree) => Rechecked,
        (Approved, Action::RecheckDisagree) => Returned,
        _ => {
            return Err(crate::DomainError::Conflict(format!(
                "任务当前状态为“{}”（{}），不能{}",
                status_name(from),
                from.as_str(),
                action.name()
            )));
        }
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_transitions_and_conflicts_name_the_state() {
        use TaskStatus::*;
        assert_eq!(transition(Assigned, Action::Submit).unwrap(), Submitted);
        assert_eq!(transition(Returned, Action::Submit).unwrap(), Submitted);
        assert_eq!(transition(Submitted, Action::Return).unwrap(), Returned);
        assert_eq!(transition(Submitted, Action::Approve).unwrap(), Approved);
        assert_eq!(
            transition(Approved, Action::RecheckAgree).unwrap(),
            Rechecked
        );
        assert_eq!(
            transition(Approved, Action::RecheckDisagree).unwrap(),
            Returned
        );
        let all = [Assigned, Submitted, Returned, Approved, Rechecked];
        let actions = [
            Action::Submit,
            Action::Approve,
            Action::Return,
            Action::RecheckAgree,
            Action::RecheckDisagree,
        ];
        let mut allowed = 0;
        for s in all {
            for a in actions {
                match transition(s, a) {
                    Ok(_) => allowed += 1,
                    Err(e) => assert!(e.to_string().contains(s.as_str()), "{e}"),
                }
            }
        }
        assert_eq!(allowed, 6);
    }
}
