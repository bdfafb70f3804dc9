//! The domain's one error type. Every variant documents what a client sees; the GraphQL layer
//! maps them to `extensions.code` in one exhaustive match.

use std::fmt;

/// Errors raised by domain services and repositories.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Client sees `UNAUTHENTICATED`: no valid credentials, or a wrong username/password.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Client sees `FORBIDDEN`: signed in, but the role may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Client sees `NOT_FOUND`. Also used for records outside the viewer's scope, so that their
    /// existence is never revealed.
    #[error("{what}不存在或无权访问")]
    NotFound {
        /// The kind of record, in Chinese (e.g. "残疾人").
        what: &'static str,
    },
    /// Client sees `BAD_USER_INPUT` with the field name in `extensions.field`.
    #[error("{field}: {message}")]
    BadInput {
        /// Input field path as the client sent it (e.g. `input.idNumber`).
        field: String,
        /// zh-CN message saying what is wrong.
        message: String,
    },
    /// Client sees `CONFLICT`: the change collides with existing data or state.
    #[error("{0}")]
    Conflict(String),
    /// Client sees `SECOND_FACTOR_REQUIRED`: the password was right; send the dynamic code too.
    #[error("{0}")]
    SecondFactorRequired(&'static str),
    /// Client sees the given code (`SECOND_FACTOR_ENROLLMENT_REQUIRED`,
    /// `PASSWORD_CHANGE_REQUIRED`): the session may only do that first.
    #[error("{message}")]
    ActionRequired {
        /// Stable code.
        code: &'static str,
        /// zh-CN message.
        message: &'static str,
    },
    /// Client sees `INTERNAL` with a generic message; the cause is logged with the request id.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias for domain operations.
pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    /// A bad-input error for `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Wrap an unexpected failure; the text is for logs only.
    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// Prefix the field of a bad-input error with the input object's name (`input.` + field).
    #[must_use]
    pub fn in_field(self, prefix: &str) -> Self {
        match self {
            Self::BadInput { field, message } => Self::BadInput {
                field: format!("{prefix}.{field}"),
                message,
            },
            other => other,
        }
    }
}

impl From<sea_orm::DbErr> for DomainError {
    fn from(err: sea_orm::DbErr) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict("记录已存在（唯一性冲突）".to_owned())
            }
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                Self::Conflict("关联记录不存在或仍被引用".to_owned())
            }
            _ => Self::Internal(err.to_string()),
        }
    }
}

impl From<sea_orm::TransactionError<DomainError>> for DomainError {
    fn from(err: sea_orm::TransactionError<DomainError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(domain) => domain,
        }
    }
}
