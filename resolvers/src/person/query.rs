//! Registry queries. Row scope, roles and visit records are the person service's; this layer
//! maps arguments and answers.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};
use zhucan_domain::person::{Person as DomainPerson, PersonFilter as DomainFilter, PersonService};

use super::inputs::PersonFilter;
use super::types::Person;
use crate::context::ContextExt;
use crate::error::{GqlResultExt, loader_error};
use crate::support::{page, parse_id};

/// Load the page's relations in one batch each, before the nodes resolve, so that the number of
/// statements never depends on how the nodes' futures happen to interleave.
async fn prime_loaders(ctx: &Context<'_>, rows: &[DomainPerson]) -> async_graphql::Result<()> {
    let Some(loaders) = ctx.loaders() else {
        return Ok(());
    };
    let node = ctx.look_ahead().field("edges").field("node");
    let nodes = ctx.look_ahead().field("nodes");
    let asks = |f: &str, g: Option<&str>| {
        let (a, b) = (node.field(f), nodes.field(f));
        match g {
            Some(g) => a.field(g).exists() || b.field(g).exists(),
            None => a.exists() || b.exists(),
        }
    };
    if asks("household", Some("members")) {
        loaders
            .members()
            .load_many(rows.iter().map(DomainPerson::household_id))
            .await
            .map_err(|e| loader_error(ctx, e))?;
    }
    // Every other section, concurrently: one batch each.
    let ids: Vec<uuid::Uuid> = rows.iter().map(DomainPerson::id).collect();
    macro_rules! prime {
        ($field:literal, $loader:ident) => {
            async {
                if asks($field, None) {
                    loaders
                        .$loader()
                        .load_many(ids.iter().copied())
                        .await
                        .map(|_| ())
                } else {
                    Ok(())
                }
            }
        };
    }
    tokio::try_join!(
        prime!("visitorRecords", visits),
        prime!("serviceRecords", records),
        prime!("custodianships", custodianships),
        prime!("eligibleServices", matches),
        prime!("grants", grants),
        prime!("subsidies", subsidies),
        prime!("bankAccounts", bank_accounts),
        prime!("needs", needs),
        prime!("questionnaireResponses", questionnaire_responses),
        prime!("placements", placements),
        prime!("employmentIntentions", intentions),
        prime!("jobApplications", applications),
        prime!("guidanceHistory", guidance_histories),
        prime!("outreachTasks", outreach_tasks),
        prime!("inbox", inboxes),
    )
    .map_err(|e| loader_error(ctx, e))?;
    if asks("activities", None) {
        let registrations = loaders
            .registrations()
            .load_many(rows.iter().map(DomainPerson::id))
            .await
            .map_err(|e| loader_error(ctx, e))?;
        if asks("activities", Some("activity")) {
            loaders
                .activities()
                .load_many(registrations.values().flatten().map(|r| r.activity_id))
                .await
                .map_err(|e| loader_error(ctx, e))?;
        }
    }
    Ok(())
}

/// Extra fields of the person connection.
pub struct PersonConnectionFields {
    filter: DomainFilter,
}

#[Object]
impl PersonConnectionFields {
    /// Number of persons matching the filter in the viewer's scope (counted only when asked).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        ctx.service::<PersonService>()
            .count(&self.filter)
            .await
            .gql(ctx)
    }
}

/// Registry queries.
#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// 残疾人列表 — persons in the viewer's scope, in registration order (`last`/`before` page
    /// backwards).
    async fn persons(
        &self,
        ctx: &Context<'_>,
        filter: Option<PersonFilter>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Person, PersonConnectionFields>> {
        let persons = ctx.service::<PersonService>();
        let filter = filter
            .unwrap_or_default()
            .to_domain(&ctx.platform().regions)
            .gql(ctx)?;
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = persons.list(&filter, page).await.gql(ctx)?;
        prime_loaders(ctx, &rows.items).await?;
        let mut conn = Connection::with_additional_fields(
            rows.has_previous,
            rows.has_next,
            PersonConnectionFields { filter },
        );
        conn.edges.extend(
            rows.items
                .into_iter()
                .map(|r| Edge::new(r.id().to_string(), Person(r))),
        );
        Ok(conn)
    }

    /// 一人一档 — one person's whole file. Out-of-scope persons answer `NOT_FOUND`. Opening a
    /// file is recorded as a visit.
    async fn person(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Person> {
        let id = parse_id("id", &id).gql(ctx)?;
        let person = ctx.service::<PersonService>().open(id).await.gql(ctx)?;
        Ok(Person(person))
    }

    /// Look a person up by ID number (exact match through the blind index; admins only).
    async fn person_by_id_number(
        &self,
        ctx: &Context<'_>,
        id_number: String,
    ) -> async_graphql::Result<Person> {
        let person = ctx
            .service::<PersonService>()
            .open_by_id_number(&id_number)
            .await
            .gql(ctx)?;
        Ok(Person(person))
    }

    /// The signed-in citizen's own file.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        Ok(ctx
            .service::<PersonService>()
            .me()
            .await
            .gql(ctx)?
            .map(Person))
    }
}
