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

/// An uploaded file's name and bytes. With a `limit`, at most `limit + 1` bytes are read, so an
/// oversized file is refused by the domain's size check without being read whole.
pub fn read_upload(
    ctx: &async_graphql::Context<'_>,
    file: &async_graphql::Upload,
    limit: Option<usize>,
) -> DomainResult<(String, Vec<u8>)> {
    use std::io::Read as _;
    let upload = file
        .value(ctx)
        .map_err(|_| DomainError::bad_input("file", "未收到文件"))?;
    let name = upload.filename.clone();
    let mut bytes = Vec::new();
    let read = match limit {
        Some(limit) => upload
            .into_read()
            .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
            .read_to_end(&mut bytes),
        None => upload.into_read().read_to_end(&mut bytes),
    };
    read.map_err(|_| DomainError::bad_input("file", "文件读取失败"))?;
    Ok((name, bytes))
}
