//! Document limits before and after parsing (OWASP GraphQL cheat sheet, graphql-armor defaults):
//! document size and token count before the parser runs, then aliases, directives, and no more
//! than one sign-in field per document (so a password cannot be guessed many times per request).
//! Depth and complexity are async-graphql's own limits, installed in `build`.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Pos, Request, ServerError, ServerResult};

/// Configured limits.
#[derive(Debug, Clone, Copy)]
pub struct ArmorLimits {
    /// Longest document, in bytes.
    pub max_document_bytes: usize,
    /// Most lexical tokens in a document.
    pub max_tokens: usize,
    /// Most aliases in a document.
    pub max_aliases: usize,
    /// Most directives in a document.
    pub max_directives: usize,
}

impl Default for ArmorLimits {
    fn default() -> Self {
        Self {
            max_document_bytes: 16 * 1024,
            max_tokens: 2_000,
            max_aliases: 15,
            max_directives: 50,
        }
    }
}

/// Fields that may appear once per document at most, and never under an alias flood.
const SENSITIVE_FIELDS: [&str; 1] = ["login"];

fn refuse(message: String) -> ServerError {
    let mut e = ServerError::new(message, Some(Pos::default()));
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", "GRAPHQL_VALIDATION_FAILED");
    e.extensions = Some(ext);
    e
}

/// Count lexical tokens (punctuators, names, numbers, strings), skipping whitespace, commas and
/// comments. Cheap and linear; run before the real parser so that a hostile document is refused
/// without building its tree.
pub fn count_tokens(doc: &str) -> usize {
    let b = doc.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                n += 1;
                let block = b[i..].starts_with(b"\"\"\"");
                i += if block { 3 } else { 1 };
                while i < b.len() {
                    if block && b[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        break;
                    }
                    if !block && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if !block && (b[i] == b'"' || b[i] == b'\n') {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            b'.' if b[i..].starts_with(b"...") => {
                n += 1;
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                n += 1;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'.'
                        || b[i] == b'-'
                        || b[i] == b'+')
                {
                    i += 1;
                }
            }
            _ => {
                n += 1;
                i += 1;
            }
        }
    }
    n
}

#[derive(Default)]
struct Counts {
    aliases: usize,
    directives: usize,
    sensitive: usize,
}

fn walk(set: &SelectionSet, doc: &ExecutableDocument, counts: &mut Counts, depth: usize) {
    if depth > 64 {
        return;
    }
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => {
                let f = &f.node;
                counts.aliases += usize::from(f.alias.is_some());
                counts.directives += f.directives.len();
                if SENSITIVE_FIELDS.contains(&f.name.node.as_str()) {
                    counts.sensitive += 1;
                }
                walk(&f.selection_set.node, doc, counts, depth + 1);
            }
            Selection::FragmentSpread(s) => {
                counts.directives += s.node.directives.len();
                if let Some(frag) = doc.fragments.get(&s.node.fragment_name.node) {
                    walk(&frag.node.selection_set.node, doc, counts, depth + 1);
                }
            }
            Selection::InlineFragment(f) => {
                counts.directives += f.node.directives.len();
                walk(&f.node.selection_set.node, doc, counts, depth + 1);
            }
        }
    }
}

/// Check a request's document against the limits and parse it (once: execution uses the parsed
/// document). Errors carry `GRAPHQL_VALIDATION_FAILED`, or `GRAPHQL_PARSE_FAILED` when the
/// document does not parse.
pub(crate) fn check(l: ArmorLimits, request: &mut Request) -> ServerResult<()> {
    let query = &request.query;
    if query.len() > l.max_document_bytes {
        return Err(refuse(format!(
            "查询文档过大（{} 字节，上限 {}）",
            query.len(),
            l.max_document_bytes
        )));
    }
    let tokens = count_tokens(query);
    if tokens > l.max_tokens {
        return Err(refuse(format!(
            "查询文档过长（{tokens} 个词法单元，上限 {}）",
            l.max_tokens
        )));
    }
    let doc = request.parsed_query().map_err(|mut e| {
        crate::codes::set(&mut e, "GRAPHQL_PARSE_FAILED", None);
        e
    })?;
    let mut counts = Counts::default();
    for (_, op) in doc.operations.iter() {
        counts.directives += op.node.directives.len();
        walk(&op.node.selection_set.node, doc, &mut counts, 0);
    }
    if counts.aliases > l.max_aliases {
        return Err(refuse(format!(
            "别名过多（{}，上限 {}）",
            counts.aliases, l.max_aliases
        )));
    }
    if counts.directives > l.max_directives {
        return Err(refuse(format!(
            "指令过多（{}，上限 {}）",
            counts.directives, l.max_directives
        )));
    }
    if counts.sensitive > 1 {
        return Err(refuse("每个请求只能登录一次".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::count_tokens;

    #[test]
    fn tokens_are_counted_without_comments_commas_or_string_contents() {
        assert_eq!(count_tokens("{ a b }"), 4);
        assert_eq!(
            count_tokens("query Q($x: Int = 1) { f(a: $x, b: \"s t r\") @skip(if: false) }"),
            29
        );
        assert_eq!(count_tokens("# comment { } \n{ a }"), 3);
        assert_eq!(count_tokens("{ ...F } fragment F on Q { a }"), 11);
        assert_eq!(count_tokens("{ a(s: \"\"\"block \" quote\"\"\") }"), 8);
    }
}
