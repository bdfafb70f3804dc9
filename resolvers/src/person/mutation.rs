//! Registry mutations. The person service audits every attempt and publishes every change.

use async_graphql::{Context, ID, Object};
use zhucan_domain::person::PersonService;

use super::inputs::{CreatePersonInput, UpdatePersonInput};
use super::types::{Person, SensitiveField};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::support::parse_id;

/// Registry mutations.
#[derive(Default)]
pub struct PersonMutation;

#[Object]
impl PersonMutation {
    /// 登记残疾人 — register a person in the admin's scope.
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        input: CreatePersonInput,
    ) -> async_graphql::Result<Person> {
        let person = ctx
            .service::<PersonService>()
            .create(input.to_domain())
            .await
            .gql(ctx)?;
        Ok(Person(person))
    }

    /// 修改残疾人信息
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePersonInput,
    ) -> async_graphql::Result<Person> {
        let persons = ctx.service::<PersonService>();
        let id = parse_id("id", &id).gql(ctx)?;
        let person = persons.update(id, input.to_domain()).await.gql(ctx)?;
        Ok(Person(person))
    }

    /// 注销残疾人 — deactivate with a reason (the record is kept).
    async fn deactivate_person(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<Person> {
        let id = parse_id("id", &id).gql(ctx)?;
        let person = ctx
            .service::<PersonService>()
            .deactivate(id, &reason)
            .await
            .gql(ctx)?;
        Ok(Person(person))
    }

    /// 查看完整信息 — reveal one sensitive field in full. Allowed by the field policy to region
    /// admins in scope and to citizens for themselves; always audited.
    async fn reveal_person_field(
        &self,
        ctx: &Context<'_>,
        person_id: ID,
        field: SensitiveField,
    ) -> async_graphql::Result<Option<String>> {
        let id = parse_id("personId", &person_id).gql(ctx)?;
        ctx.service::<PersonService>()
            .reveal(id, field.into())
            .await
            .gql(ctx)
    }
}
