//! Document limits before and after parsing (OWASP GraphQL cheat sheet, graphql-armor defaults):
//! document size and token count before the parser runs, then aliases, directives, and no more
//! than one sign-in field per document (so a password cannot be guessed many times per request).
//! Depth and complexity are async-graphql's own limits, installed in `build`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Pos, Request, ServerError, ServerResult};

/// Documents that parsed and passed the limits, by text: clients send the same few documents
/// over and over, and parsing (async-graphql's pest grammar) was a tenth of a small query's time.
/// A hit is a copy of the stored tree (execution consumes it). Bounded: when full, it starts
/// again empty, so distinct documents sent to flood it only cost the cache its benefit.
#[derive(Default)]
pub(crate) struct Parsed {
    documents: Mutex<HashMap<String, Arc<ExecutableDocument>>>,
}

/// Documents kept at most (each at most `max_document_bytes` long).
const PARSED_CAPACITY: usize = 512;

impl Parsed {
    fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        self.documents.lock().ok()?.get(query).cloned()
    }

    fn put(&self, query: &str, doc: &ExecutableDocument) {
        if let Ok(mut m) = self.documents.lock() {
            if m.len() >= PARSED_CAPACITY {
                m.clear();
            }
            m.insert(query.to_owned(), Arc::new(doc.clone()));
        }
    }
}

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
pub(crate) fn check(l: ArmorLimits, parsed: &Parsed, request: &mut Request) -> ServerResult<()> {
    if let Some(doc) = parsed.get(&request.query) {
        // Parsed and checked before, against the same limits.
        request.set_parsed_query(ExecutableDocument::clone(&doc));
        return Ok(());
    }
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
    let doc = async_graphql::parser::parse_query(query).map_err(|e| {
        let mut e = ServerError::from(e);
        crate::codes::set(&mut e, "GRAPHQL_PARSE_FAILED", None);
        e
    })?;
    let mut counts = Counts::default();
    for (_, op) in doc.operations.iter() {
        counts.directives += op.node.directives.len();
        walk(&op.node.selection_set.node, &doc, &mut counts, 0);
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
    parsed.put(query, &doc);
    request.set_parsed_query(doc);
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::Request;

    use super::{ArmorLimits, Parsed, check, count_tokens};

    #[test]
    fn documents_that_pass_are_parsed_once_and_refused_ones_are_refused_every_time() {
        let parsed = Parsed::default();
        let limits = ArmorLimits {
            max_aliases: 1,
            ..ArmorLimits::default()
        };
        let good = "{ a: __typename }";
        let mut first = Request::new(good);
        check(limits, &parsed, &mut first).unwrap();
        let kept = parsed.get(good).expect("kept after passing");
        let mut again = Request::new(good);
        check(limits, &parsed, &mut again).unwrap();
        assert_eq!(
            format!("{:?}", again.parsed_query().unwrap()),
            format!("{:?}", *kept),
            "the second request runs the kept tree"
        );
        let flood = "{ a: __typename b: __typename }";
        for _ in 0..2 {
            let err = check(limits, &parsed, &mut Request::new(flood)).unwrap_err();
            assert!(err.message.contains("别名过多"), "{}", err.message);
        }
        assert!(
            parsed.get(flood).is_none(),
            "a refused document is never kept"
        );
        let err = check(limits, &parsed, &mut Request::new("{ a")).unwrap_err();
        assert_eq!(
            err.extensions.unwrap().get("code"),
            Some(&async_graphql::Value::from("GRAPHQL_PARSE_FAILED"))
        );
    }

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
