//! Gives every error a stable `extensions.code`: parse failures, validation failures (wrong
//! types and unknown enum values become `BAD_USER_INPUT` naming the argument), and any other
//! error that arrived without one (its text is replaced: internal details never reach clients).

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};

/// The extension factory.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

fn has_code(e: &ServerError) -> bool {
    e.extensions
        .as_ref()
        .is_some_and(|x| x.get("code").is_some())
}

fn set(e: &mut ServerError, code: &str, field: Option<String>) {
    let ext = e.extensions.get_or_insert_with(Default::default);
    ext.set("code", code);
    if let Some(f) = field {
        ext.set("field", f);
    }
}

/// The first double-quoted word of a message (the argument or variable it names).
fn quoted(message: &str) -> Option<String> {
    let start = message.find('"')? + 1;
    let len = message[start..].find('"')?;
    Some(message[start..start + len].to_owned())
}

fn is_input_error(message: &str) -> bool {
    message.contains("Invalid value")
        || message.contains("Failed to parse")
        || message.contains("variable")
        || message.contains("Variable")
}

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|mut e| {
            if !has_code(&e) {
                set(&mut e, "GRAPHQL_PARSE_FAILED", None);
            }
            e
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for e in &mut errors {
                if is_input_error(&e.message) {
                    let field = quoted(&e.message);
                    set(e, "BAD_USER_INPUT", field);
                } else {
                    set(e, "GRAPHQL_VALIDATION_FAILED", None);
                }
            }
            errors
        })
    }

    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        // Once per request rather than per field: resolver errors that arrived without a code.
        let mut resp = next.run(ctx).await;
        for e in &mut resp.errors {
            if has_code(e) {
                continue;
            }
            if is_input_error(&e.message) {
                let field = quoted(&e.message);
                set(e, "BAD_USER_INPUT", field);
            } else {
                tracing::error!(error = %e.message, "error without a code");
                e.message = "服务器内部错误，请稍后重试".to_owned();
                set(e, "INTERNAL", None);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_takes_the_first_name() {
        assert_eq!(
            super::quoted(r#"Invalid value for argument "filter.level", expected type "Int""#)
                .as_deref(),
            Some("filter.level")
        );
        assert_eq!(super::quoted("no quotes"), None);
    }
}
