//! The one mapping from domain errors to GraphQL errors with a stable `extensions.code` and a
//! zh-CN message. Internal causes are logged with the request id and never returned.

use async_graphql::{Context, ErrorExtensions};
use zhucan_domain::DomainError;

use crate::context::ContextExt;

/// Stable error codes (README lists them): the one place they are spelled, for resolvers, the
/// gateway and the HTTP edge alike.
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

/// The code a domain error maps to (exhaustive: a new variant fails to compile here).
pub fn code_of(e: &DomainError) -> &'static str {
    match e {
        DomainError::Unauthenticated(_) => codes::UNAUTHENTICATED,
        DomainError::Forbidden(_) => codes::FORBIDDEN,
        DomainError::NotFound { .. } => codes::NOT_FOUND,
        DomainError::BadInput { .. } => codes::BAD_USER_INPUT,
        DomainError::Conflict(_) => codes::CONFLICT,
        DomainError::Internal(_) => codes::INTERNAL,
        DomainError::SecondFactorRequired(_) => codes::SECOND_FACTOR_REQUIRED,
        DomainError::ActionRequired { code, .. } => code,
    }
}

/// Convert a domain error for the client.
pub fn to_graphql(ctx: &Context<'_>, e: DomainError) -> async_graphql::Error {
    let code = code_of(&e);
    match e {
        DomainError::Internal(cause) => {
            let request_id = ctx
                .data_opt::<crate::RequestData>()
                .map(|r| r.meta.request_id.clone())
                .unwrap_or_default();
            tracing::error!(request_id = %request_id, error = %cause, "internal error");
            async_graphql::Error::new(format!(
                "服务器内部错误，请稍后重试（请求编号 {request_id}）"
            ))
            .extend_with(|_, ext| ext.set("code", code))
        }
        DomainError::BadInput { field, message } => {
            async_graphql::Error::new(format!("{field}：{message}")).extend_with(|_, ext| {
                ext.set("code", code);
                ext.set("field", field.clone());
            })
        }
        other => {
            async_graphql::Error::new(other.to_string()).extend_with(|_, ext| ext.set("code", code))
        }
    }
}

/// `?`-friendly conversion: `result.gql(ctx)?`.
pub trait GqlResultExt<T> {
    /// Map the error for the client.
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T> GqlResultExt<T> for Result<T, DomainError> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|e| to_graphql(ctx, e))
    }
}

/// Make sure the viewer is signed in before anything else (used by every guarded resolver).
pub fn platform_viewer<'a>(
    ctx: &'a Context<'_>,
) -> async_graphql::Result<(
    &'a zhucan_domain::Platform,
    &'a zhucan_domain::viewer::Viewer,
)> {
    let viewer = ctx.viewer().gql(ctx)?;
    Ok((ctx.platform(), viewer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_documented_code() {
        let cases = [
            (DomainError::Unauthenticated("x"), "UNAUTHENTICATED"),
            (DomainError::Forbidden("x"), "FORBIDDEN"),
            (DomainError::NotFound { what: "x" }, "NOT_FOUND"),
            (DomainError::bad_input("f", "m"), "BAD_USER_INPUT"),
            (DomainError::Conflict("x".into()), "CONFLICT"),
            (DomainError::internal("x"), "INTERNAL"),
        ];
        for (e, code) in cases {
            assert_eq!(code_of(&e), code);
        }
    }
}
