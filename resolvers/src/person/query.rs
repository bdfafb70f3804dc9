//! Registry queries. Row scope is applied by the repository; this layer only refuses roles that
//! have no business with personal data at all.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};
use uuid::Uuid;
use zhucan_domain::audit::Actor;
use zhucan_domain::person::{PersonFilter as DomainFilter, PersonRepo};
use zhucan_domain::types::IdNumber;
use zhucan_domain::viewer::{PersonScope, Role, ScopeKind, Viewer};
use zhucan_domain::{DomainError, DomainResult, Platform};

use super::inputs::{PersonFilter, parse_id};
use super::types::Person;
use crate::context::ContextExt;
use crate::error::{GqlResultExt, platform_viewer};
use crate::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// The scope of a viewer allowed to read people, or `FORBIDDEN`.
pub fn reading_scope(viewer: &Viewer) -> DomainResult<PersonScope> {
    let scope = PersonScope::of(viewer);
    if *scope.kind() == ScopeKind::Nothing {
        return Err(DomainError::Forbidden("当前角色无权查看残疾人信息"));
    }
    Ok(scope)
}

/// Record that a viewer opened a person's file (访客记录), before the file is returned: the
/// record is committed (group commit with concurrent reads) when this returns.
async fn record_view(
    p: &Platform,
    ctx: &Context<'_>,
    viewer: &Viewer,
    person: Uuid,
    operation: &'static str,
) -> DomainResult<()> {
    let actor = Actor::of(viewer, &ctx.request().meta);
    p.reads
        .record(actor, operation, "person", person.to_string())
        .await
        .map(|_| ())
}

/// Load the page's relations in one batch each, before the nodes resolve, so that the number of
/// statements never depends on how the nodes' futures happen to interleave.
async fn prime_loaders(
    ctx: &Context<'_>,
    rows: &[zhucan_domain::person::Person],
) -> async_graphql::Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    if node.field("household").field("members").exists()
        && let Some(loader) = ctx.loaders().and_then(|l| l.members())
    {
        let households: Vec<Uuid> = rows.iter().map(|r| r.row().household_id).collect();
        loader
            .load_many(households)
            .await
            .map_err(|e| crate::error::to_graphql(ctx, DomainError::internal(e)))?;
    }
    if node.field("visitorRecords").exists()
        && let Some(loader) = ctx.loaders().map(|l| l.visits())
    {
        loader
            .load_many(rows.iter().map(|r| r.id()))
            .await
            .map_err(|e| crate::error::to_graphql(ctx, DomainError::internal(e)))?;
    }
    Ok(())
}

/// Extra fields of the person connection.
pub struct PersonConnectionFields {
    scope: PersonScope,
    filter: DomainFilter,
}

#[Object]
impl PersonConnectionFields {
    /// Number of persons matching the filter in the viewer's scope (counted only when asked).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        PersonRepo::new(&ctx.platform().db)
            .count(&self.scope, &self.filter)
            .await
            .gql(ctx)
    }
}

/// Registry queries.
#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// 残疾人列表 — persons in the viewer's scope, in registration order.
    async fn persons(
        &self,
        ctx: &Context<'_>,
        filter: Option<PersonFilter>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Person, PersonConnectionFields>> {
        let (p, viewer) = platform_viewer(ctx)?;
        let scope = reading_scope(viewer).gql(ctx)?;
        let filter = filter.unwrap_or_default().to_domain(&p.regions).gql(ctx)?;
        let first = first.map_or(DEFAULT_PAGE_SIZE, |f| usize::try_from(f).unwrap_or(0));
        if first > MAX_PAGE_SIZE {
            return Err(crate::error::to_graphql(
                ctx,
                DomainError::bad_input("first", format!("每页最多{MAX_PAGE_SIZE}条")),
            ));
        }
        let after = after
            .map(|a| {
                Uuid::parse_str(&a).map_err(|_| DomainError::bad_input("after", "分页游标无效"))
            })
            .transpose()
            .gql(ctx)?;
        let (rows, more) = PersonRepo::new(&p.db)
            .list(&scope, &filter, after, first as u64)
            .await
            .gql(ctx)?;
        prime_loaders(ctx, &rows).await?;
        let mut conn = Connection::with_additional_fields(
            after.is_some(),
            more,
            PersonConnectionFields { scope, filter },
        );
        conn.edges.extend(
            rows.into_iter()
                .map(|r| Edge::new(r.id().to_string(), Person(r))),
        );
        Ok(conn)
    }

    /// 一人一档 — one person's whole file. Out-of-scope persons answer `NOT_FOUND`. Opening a
    /// file is recorded as a visit.
    async fn person(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Person> {
        let (p, viewer) = platform_viewer(ctx)?;
        let scope = reading_scope(viewer).gql(ctx)?;
        let id = parse_id("id", &id).gql(ctx)?;
        let person = PersonRepo::new(&p.db).get(&scope, id).await.gql(ctx)?;
        record_view(p, ctx, viewer, id, "person.view")
            .await
            .gql(ctx)?;
        Ok(Person(person))
    }

    /// Look a person up by ID number (exact match through the blind index; admins only).
    async fn person_by_id_number(
        &self,
        ctx: &Context<'_>,
        id_number: String,
    ) -> async_graphql::Result<Person> {
        let (p, viewer) = platform_viewer(ctx)?;
        if !viewer.role.is_region_admin() {
            return Err(crate::error::to_graphql(
                ctx,
                DomainError::Forbidden("仅管理员可按身份证号码查询"),
            ));
        }
        let scope = reading_scope(viewer).gql(ctx)?;
        let number = IdNumber::parse("idNumber", &id_number).gql(ctx)?;
        let person = PersonRepo::new(&p.db)
            .by_id_number(&scope, &p.cipher, &number)
            .await
            .gql(ctx)?;
        record_view(p, ctx, viewer, person.id(), "person.view")
            .await
            .gql(ctx)?;
        Ok(Person(person))
    }

    /// The signed-in citizen's own file.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let (p, viewer) = platform_viewer(ctx)?;
        let (Role::Citizen, Some(id)) = (viewer.role, viewer.person_id) else {
            return Ok(None);
        };
        let person = PersonRepo::new(&p.db)
            .get(&PersonScope::of(viewer), id)
            .await
            .gql(ctx)?;
        Ok(Some(Person(person)))
    }
}
