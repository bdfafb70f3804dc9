//! Document limits before and after parsing (OWASP GraphQL cheat sheet, graphql-armor defaults):
//! document size and token count before the parser runs, then aliases, directives (only `@skip`
//! and `@include`, each with its `if`), depth, and no more than one sign-in field per document
//! (so a password cannot be guessed many times per request). Complexity is async-graphql's own
//! limit, installed in `build`.
//!
//! Depth is measured here rather than by async-graphql, whose limit counts introspection fields
//! too: graphql-js's standard introspection query (GraphiQL's, Apollo's, `gql`'s, codegen's) is
//! nested 13 deep through `ofType`, and was refused under `max_depth = 12`. Introspection
//! (`__schema`, `__type`) has a bound of its own instead, and is refused anyway when off.
//! Fragments are analysed once each, so a document that spreads fragments into each other costs
//! linear work, never exponential.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Request, ServerError, ServerResult};
use zhucan_resolvers::error::codes;

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
    /// Deepest selection outside introspection.
    pub max_depth: usize,
    /// Deepest introspection selection (`__schema`, `__type` and everything below).
    pub max_introspection_depth: usize,
}

impl Default for ArmorLimits {
    fn default() -> Self {
        Self {
            max_document_bytes: 16 * 1024,
            max_tokens: 2_000,
            max_aliases: 15,
            max_directives: 50,
            max_depth: 12,
            max_introspection_depth: 20,
        }
    }
}

/// Fields that may appear once per document at most, and never under an alias flood.
const SENSITIVE_FIELDS: [&str; 1] = ["login"];

fn refuse(message: String) -> ServerError {
    // About the document as a whole: no position, so no `locations`.
    let mut e = ServerError::new(message, None);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", codes::GRAPHQL_VALIDATION_FAILED);
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

/// What a selection set holds, fragments expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Shape {
    /// Depth outside introspection.
    depth: usize,
    /// Depth of introspection selections.
    introspection: usize,
    /// Sign-in fields.
    sensitive: usize,
}

impl Shape {
    fn max(self, other: Self) -> Self {
        Self {
            depth: self.depth.max(other.depth),
            introspection: self.introspection.max(other.introspection),
            sensitive: self.sensitive.saturating_add(other.sensitive),
        }
    }
}

/// Nesting deeper than this is refused before anything else (and bounds recursion).
const NESTING_GUARD: usize = 128;

/// One pass over a document: each fragment's shape is computed once (by name and whether it
/// is used inside introspection) and reused at every spread.
struct Analysis<'a> {
    doc: &'a ExecutableDocument,
    memo: HashMap<(&'a str, bool), Shape>,
    visiting: std::collections::HashSet<(&'a str, bool)>,
    /// A fragment spreads itself (directly or not), or nesting passed the guard.
    broken: Option<String>,
}

impl<'a> Analysis<'a> {
    fn set(&mut self, set: &'a SelectionSet, in_introspection: bool, nesting: usize) -> Shape {
        let mut shape = Shape::default();
        if nesting > NESTING_GUARD {
            self.broken
                .get_or_insert_with(|| format!("嵌套超过{NESTING_GUARD}层"));
            return shape;
        }
        for sel in &set.items {
            let s = match &sel.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let name = f.name.node.as_str();
                    let introspection = in_introspection || matches!(name, "__schema" | "__type");
                    let below = self.set(&f.selection_set.node, introspection, nesting + 1);
                    let sensitive = usize::from(SENSITIVE_FIELDS.contains(&name));
                    if introspection {
                        Shape {
                            depth: 0,
                            introspection: 1 + below.introspection.max(below.depth),
                            sensitive: sensitive + below.sensitive,
                        }
                    } else {
                        Shape {
                            depth: 1 + below.depth,
                            introspection: below.introspection,
                            sensitive: sensitive + below.sensitive,
                        }
                    }
                }
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    self.fragment(name, in_introspection, nesting)
                }
                Selection::InlineFragment(f) => {
                    self.set(&f.node.selection_set.node, in_introspection, nesting + 1)
                }
            };
            shape = shape.max(s);
        }
        shape
    }

    fn fragment(&mut self, name: &'a str, in_introspection: bool, nesting: usize) -> Shape {
        let key = (name, in_introspection);
        if let Some(s) = self.memo.get(&key) {
            return *s;
        }
        let Some((frag_name, frag)) = self.doc.fragments.get_key_value(name) else {
            return Shape::default(); // validation reports the unknown fragment
        };
        let key = (frag_name.as_str(), in_introspection);
        if !self.visiting.insert(key) {
            self.broken
                .get_or_insert_with(|| format!("片段 {name} 循环引用自身"));
            return Shape::default();
        }
        let shape = self.set(&frag.node.selection_set.node, in_introspection, nesting + 1);
        self.visiting.remove(&key);
        self.memo.insert(key, shape);
        shape
    }
}

/// Directives and aliases as written in the document (each counted once, where it is written).
#[derive(Default)]
struct Written {
    aliases: usize,
    directives: usize,
    /// The first directive that is not `@skip`/`@include` with exactly its `if`, or that stands
    /// where they cannot.
    invalid_directive: Option<String>,
}

fn field_directives(
    directives: &[async_graphql::Positioned<async_graphql::parser::types::Directive>],
    w: &mut Written,
) {
    w.directives += directives.len();
    for d in directives {
        let d = &d.node;
        let name = d.name.node.as_str();
        let problem = if !matches!(name, "skip" | "include") {
            Some(format!("未知指令 @{name}"))
        } else if d.arguments.len() != 1 || d.arguments[0].0.node.as_str() != "if" {
            Some(format!("指令 @{name} 须有且只有参数 if"))
        } else {
            None
        };
        if let Some(p) = problem {
            w.invalid_directive.get_or_insert(p);
        }
    }
}

fn misplaced(
    directives: &[async_graphql::Positioned<async_graphql::parser::types::Directive>],
    w: &mut Written,
) {
    w.directives += directives.len();
    if let Some(d) = directives.first() {
        w.invalid_directive
            .get_or_insert_with(|| format!("指令 @{} 不能用在这里", d.node.name.node));
    }
}

fn written(set: &SelectionSet, w: &mut Written, nesting: usize) {
    if nesting > NESTING_GUARD {
        return;
    }
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => {
                let f = &f.node;
                w.aliases += usize::from(f.alias.is_some());
                field_directives(&f.directives, w);
                written(&f.selection_set.node, w, nesting + 1);
            }
            Selection::FragmentSpread(s) => field_directives(&s.node.directives, w),
            Selection::InlineFragment(f) => {
                field_directives(&f.node.directives, w);
                written(&f.node.selection_set.node, w, nesting + 1);
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
        crate::codes::set(&mut e, codes::GRAPHQL_PARSE_FAILED, None);
        e
    })?;
    let mut w = Written::default();
    for (_, op) in doc.operations.iter() {
        misplaced(&op.node.directives, &mut w);
        for v in &op.node.variable_definitions {
            misplaced(&v.node.directives, &mut w);
        }
        written(&op.node.selection_set.node, &mut w, 0);
    }
    for frag in doc.fragments.values() {
        misplaced(&frag.node.directives, &mut w);
        written(&frag.node.selection_set.node, &mut w, 0);
    }
    if w.aliases > l.max_aliases {
        return Err(refuse(format!(
            "别名过多（{}，上限 {}）",
            w.aliases, l.max_aliases
        )));
    }
    if w.directives > l.max_directives {
        return Err(refuse(format!(
            "指令过多（{}，上限 {}）",
            w.directives, l.max_directives
        )));
    }
    if let Some(problem) = w.invalid_directive {
        return Err(refuse(problem));
    }
    let mut analysis = Analysis {
        doc: &doc,
        memo: HashMap::new(),
        visiting: std::collections::HashSet::new(),
        broken: None,
    };
    let mut shape = Shape::default();
    for (_, op) in doc.operations.iter() {
        let s = analysis.set(&op.node.selection_set.node, false, 0);
        shape = Shape {
            depth: shape.depth.max(s.depth),
            introspection: shape.introspection.max(s.introspection),
            sensitive: shape.sensitive.max(s.sensitive),
        };
    }
    if let Some(problem) = analysis.broken {
        return Err(refuse(problem));
    }
    if shape.depth > l.max_depth {
        return Err(refuse(format!(
            "查询嵌套过深（{} 层，上限 {}）",
            shape.depth, l.max_depth
        )));
    }
    if shape.introspection > l.max_introspection_depth {
        return Err(refuse(format!(
            "内省查询嵌套过深（{} 层，上限 {}）",
            shape.introspection, l.max_introspection_depth
        )));
    }
    if shape.sensitive > 1 {
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
