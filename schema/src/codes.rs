//! Gives every error a stable `extensions.code`: validation failures (wrong types and unknown
//! enum values become `BAD_USER_INPUT` naming the argument, the rest
//! `GRAPHQL_VALIDATION_FAILED`), and any resolver error that arrived without one (its text is
//! replaced: internal details never reach clients). Parse failures are coded where the document
//! is parsed (`armor::check`).

use async_graphql::{Response, ServerError};
use zhucan_resolvers::error::codes;

fn has_code(e: &ServerError) -> bool {
    e.extensions
        .as_ref()
        .is_some_and(|x| x.get("code").is_some())
}

pub(crate) fn set(e: &mut ServerError, code: &str, field: Option<String>) {
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

/// Code every error of a response that arrived without one. Validation errors have no path
/// (they concern the document, not a field); an error with a path came from a resolver.
pub(crate) fn assign(resp: &mut Response) {
    for e in &mut resp.errors {
        if has_code(e) {
            continue;
        }
        if is_input_error(&e.message) {
            let field = quoted(&e.message);
            set(e, codes::BAD_USER_INPUT, field);
        } else if e.path.is_empty() {
            set(e, codes::GRAPHQL_VALIDATION_FAILED, None);
        } else {
            tracing::error!(error = %e.message, "error without a code");
            e.message = "服务器内部错误，请稍后重试".to_owned();
            set(e, codes::INTERNAL, None);
        }
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
