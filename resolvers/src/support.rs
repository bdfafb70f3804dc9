//! Small helpers every resolvers module uses: ids from GraphQL `ID`s, lists of them, and Relay
//! connection arguments.

use async_graphql::ID;
use uuid::Uuid;
use zhucan_domain::page::PageRequest;
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

/// Relay arguments (`first`/`after`, `last`/`before`) as a page request.
pub fn page(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> DomainResult<PageRequest> {
    PageRequest::parse(
        first.map(i64::from),
        parse_cursor("after", after.as_deref())?,
        last.map(i64::from),
        parse_cursor("before", before.as_deref())?,
    )
}
