//! The one mapping from domain errors to GraphQL errors with a stable `extensions.code` and a
//! zh-CN message. Internal causes are logged with the request id and never returned.

use async_graphql::{Context, ErrorExtensions};
use zhucan_domain::DomainError;

use crate::context::ContextExt;

/// Every stable error code, spelled once in the domain.
pub use zhucan_domain::error::codes;

/// The code a domain error maps to.
pub fn code_of(e: &DomainError) -> &'static str {
    e.code()
}

/// Convert a domain error for the client.
pub fn to_graphql(ctx: &Context<'_>, e: DomainError) -> async_graphql::Error {
    let code = code_of(&e);
    match e {
        DomainError::Internal(cause) => {
            let request_id = &ctx.caller().meta().request_id;
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

/// A DataLoader's error (shared between the keys of one batch) for the client, with its own
/// code (a refusal stays a refusal).
pub fn loader_error(ctx: &Context<'_>, e: std::sync::Arc<DomainError>) -> async_graphql::Error {
    let e = std::sync::Arc::try_unwrap(e).unwrap_or_else(|shared| (*shared).clone());
    to_graphql(ctx, e)
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
            (
                DomainError::PasswordChangeRequired,
                "PASSWORD_CHANGE_REQUIRED",
            ),
            (
                DomainError::SecondFactorEnrollmentRequired,
                "SECOND_FACTOR_ENROLLMENT_REQUIRED",
            ),
        ];
        for (e, code) in cases {
            assert_eq!(code_of(&e), code);
        }
    }
}
