//! Small helpers every resolvers module uses: ids from GraphQL `ID`s, lists of them, and Relay
//! connections (arguments in, pages out).

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{ID, ObjectType, OutputType};
use uuid::Uuid;
use zhucan_domain::page::{Page, PageRequest};
use zhucan_domain::{DomainError, DomainResult};

/// Parse a GraphQL `ID` as a UUID, naming the argument in the error.
pub fn parse_id(field: &str, id: &ID) -> DomainResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| DomainError::bad_input(field, "ID格式无效"))
}

/// An optional `ID`.
pub fn optional_id(field: &str, id: Option<&ID>) -> DomainResult<Option<Uuid>> {
    id.map(|i| parse_id(field, i)).transpose()
}

/// A list of `ID`s, each error naming its position (`ids[2]`).
pub fn parse_ids(field: &str, raw: &[ID]) -> DomainResult<Vec<Uuid>> {
    raw.iter()
        .enumerate()
        .map(|(i, id)| parse_id(&format!("{field}[{i}]"), id))
        .collect()
}

/// A cursor: the id of a row (connections over time-ordered ids).
pub fn parse_cursor(field: &str, cursor: Option<&str>) -> DomainResult<Option<Uuid>> {
    cursor
        .map(|c| Uuid::parse_str(c).map_err(|_| DomainError::bad_input(field, "分页游标无效")))
        .transpose()
}

/// Relay arguments (`first`/`after`, `last`/`before`) as a page request over ids.
pub fn page(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> DomainResult<PageRequest> {
    page_by(first, after, last, before, |field, c| {
        Uuid::parse_str(c).map_err(|_| DomainError::bad_input(field, "分页游标无效"))
    })
}

/// Relay arguments as a page request over keys that `parse` reads from cursors (a list ordered
/// by something before its id).
pub fn page_by<K>(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    parse: impl Fn(&str, &str) -> DomainResult<K>,
) -> DomainResult<PageRequest<K>> {
    PageRequest::parse(
        first.map(i64::from),
        after.as_deref().map(|c| parse("after", c)).transpose()?,
        last.map(i64::from),
        before.as_deref().map(|c| parse("before", c)).transpose()?,
    )
}

/// A page as a Relay connection: each row mapped to its node, with its cursor.
pub fn connection<T, N, E>(
    page: Page<T>,
    fields: E,
    cursor: impl Fn(&T) -> String,
    node: impl Fn(T) -> N,
) -> Connection<String, N, E>
where
    N: OutputType,
    E: ObjectType,
{
    let mut conn = Connection::with_additional_fields(page.has_previous, page.has_next, fields);
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|row| Edge::new(cursor(&row), node(row))),
    );
    conn
}

/// [`connection`] without extra fields.
pub fn plain_connection<T, N>(
    page: Page<T>,
    cursor: impl Fn(&T) -> String,
    node: impl Fn(T) -> N,
) -> Connection<String, N>
where
    N: OutputType,
{
    connection(page, EmptyFields, cursor, node)
}
