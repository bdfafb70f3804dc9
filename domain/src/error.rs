//! The domain's one error type. Every variant documents what a client sees; [`DomainError::code`]
//! gives its stable `extensions.code` in one exhaustive match, and [`codes`] spells every code the
//! platform answers with, in one place.

use std::fmt;

/// Every stable error code (README lists them): the one place they are spelled, for the
/// domain's audit records, the resolvers, the gateway and the HTTP edge alike.
pub mod codes {
    /// Not signed in, or the token is invalid or expired.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// Signed in, but the role may not do this.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// Absent, or outside the viewer's scope.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// An input failed to parse; `extensions.field` names it.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// Collides with existing data or state.
    pub const CONFLICT: &str = "CONFLICT";
    /// Unexpected failure; see the logs under the request id.
    pub const INTERNAL: &str = "INTERNAL";
    /// Too many requests from this IP, account or client.
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// The HTTP request itself is unusable (method, content type, body).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// The document does not parse.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not validate, or exceeds a limit.
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// An automatic persisted query's hash is unknown.
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    /// A third-party client sent a document instead of a trusted document's hash.
    pub const PERSISTED_QUERY_REQUIRED: &str = "PERSISTED_QUERY_REQUIRED";
    /// The hash is not on the third-party client's allow-list.
    pub const PERSISTED_QUERY_NOT_ALLOWED: &str = "PERSISTED_QUERY_NOT_ALLOWED";
    /// The password was right; the second factor is missing.
    pub const SECOND_FACTOR_REQUIRED: &str = "SECOND_FACTOR_REQUIRED";
    /// The session may only enrol a second factor, change the password or sign out.
    pub const SECOND_FACTOR_ENROLLMENT_REQUIRED: &str = "SECOND_FACTOR_ENROLLMENT_REQUIRED";
    /// The session may only change the password or sign out.
    pub const PASSWORD_CHANGE_REQUIRED: &str = "PASSWORD_CHANGE_REQUIRED";
}

/// Errors raised by domain services and repositories.
#[derive(Debug, Clone, thiserror::Error)]
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
    /// Client sees `SECOND_FACTOR_ENROLLMENT_REQUIRED`: a staff session that must enrol its
    /// second factor first (it may only enrol, change the password or sign out).
    #[error("管理员账户须先绑定动态口令（enrollSecondFactor、confirmSecondFactor）")]
    SecondFactorEnrollmentRequired,
    /// Client sees `PASSWORD_CHANGE_REQUIRED`: the password must be changed first (first
    /// sign-in or expired); the session may only do that or sign out.
    #[error("须先修改密码（首次登录或密码已过期）")]
    PasswordChangeRequired,
    /// Client sees `RATE_LIMITED`: too many attempts of this kind (an SMS code for one person);
    /// the message says when to try again.
    #[error("{0}")]
    RateLimited(String),
    /// Client sees `INTERNAL` with a generic message; the cause is logged with the request id.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias for domain operations.
pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    /// The stable code a client sees (exhaustive: a new variant fails to compile here).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => codes::UNAUTHENTICATED,
            Self::Forbidden(_) => codes::FORBIDDEN,
            Self::NotFound { .. } => codes::NOT_FOUND,
            Self::BadInput { .. } => codes::BAD_USER_INPUT,
            Self::Conflict(_) => codes::CONFLICT,
            Self::Internal(_) => codes::INTERNAL,
            Self::RateLimited(_) => codes::RATE_LIMITED,
            Self::SecondFactorRequired(_) => codes::SECOND_FACTOR_REQUIRED,
            Self::SecondFactorEnrollmentRequired => codes::SECOND_FACTOR_ENROLLMENT_REQUIRED,
            Self::PasswordChangeRequired => codes::PASSWORD_CHANGE_REQUIRED,
        }
    }

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
