//! The request state machine: only legal transitions, each with its timestamp.

use crate::error::{DomainError, DomainResult};

/// State of a guidance request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GuidanceStatus {
    /// 待派单: published, not yet shown to anyone.
    Open,
    /// 派单中: offered to volunteers.
    Offered,
    /// 已认领
    Claimed,
    /// 服务中: pickup confirmed with the PIN.
    InProgress,
    /// 已完成
    Completed,
    /// 已取消
    Cancelled,
    /// 已过期: nobody claimed it in time.
    Expired,
}

impl GuidanceStatus {
    /// All states.
    pub const ALL: [Self; 7] = [
        Self::Open,
        Self::Offered,
        Self::Claimed,
        Self::InProgress,
        Self::Completed,
        Self::Cancelled,
        Self::Expired,
    ];

    /// Storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Offered => "OFFERED",
            Self::Claimed => "CLAIMED",
            Self::InProgress => "IN_PROGRESS",
            Self::Completed => "COMPLETED",
            Self::Cancelled => "CANCELLED",
            Self::Expired => "EXPIRED",
        }
    }

    /// Parse a storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// Chinese name, for messages.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Open => "待派单",
            Self::Offered => "派单中",
            Self::Claimed => "已认领",
            Self::InProgress => "服务中",
            Self::Completed => "已完成",
            Self::Cancelled => "已取消",
            Self::Expired => "已过期",
        }
    }

    /// Whether `self → to` is a legal transition.
    pub fn can_move_to(self, to: Self) -> bool {
        use GuidanceStatus::*;
        matches!(
            (self, to),
            (Open, Offered | Claimed | Cancelled | Expired)
                | (Offered, Claimed | Cancelled | Expired)
                | (Claimed, InProgress | Cancelled)
                | (InProgress, Completed)
        )
    }

    /// The states from which `to` may be reached.
    pub fn sources_of(to: Self) -> Vec<&'static str> {
        Self::ALL
            .into_iter()
            .filter(|s| s.can_move_to(to))
            .map(Self::as_str)
            .collect()
    }
}

/// `CONFLICT` naming the current state.
pub(crate) fn illegal(current: &str, action: &str) -> DomainError {
    let name = GuidanceStatus::from_code(current)
        .map_or_else(|| current.to_owned(), |s| s.name_zh().to_owned());
    DomainError::Conflict(format!(
        "该需求当前状态为「{name}」（{current}），不能{action}"
    ))
}

/// Parse a stored state (unknown codes are an internal error).
pub(crate) fn parse(code: &str) -> DomainResult<GuidanceStatus> {
    GuidanceStatus::from_code(code)
        .ok_or_else(|| DomainError::internal(format!("unknown guidance status {code}")))
}

#[cfg(test)]
mod tests {
    use super::GuidanceStatus::*;

    #[test]
    fn only_the_documented_transitions_are_legal() {
        assert!(Open.can_move_to(Offered));
        assert!(Offered.can_move_to(Claimed));
        assert!(Claimed.can_move_to(InProgress));
        assert!(InProgress.can_move_to(Completed));
        assert!(!Completed.can_move_to(Completed));
        assert!(!Claimed.can_move_to(Claimed));
        assert!(!Expired.can_move_to(Claimed));
        assert!(!Cancelled.can_move_to(Offered));
        assert!(!InProgress.can_move_to(Cancelled));
        assert_eq!(
            super::GuidanceStatus::sources_of(Claimed),
            vec!["OPEN", "OFFERED"]
        );
    }
}
