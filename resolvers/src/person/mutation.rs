//! Registry mutations. Every attempt is audited: successes inside the change's own transaction
//! (domain layer), failures here in a transaction of their own.

use async_graphql::{Context, ID, Object};
use zhucan_domain::audit::{self, Actor, AuditEntry};
use zhucan_domain::person::{PersonRepo, PersonWriter};
use zhucan_domain::policy;
use zhucan_domain::types::BoundedText;
use zhucan_domain::viewer::{PersonScope, RequestMeta, Viewer};
use zhucan_domain::{DomainError, DomainResult, Platform};

use super::inputs::{CreatePersonInput, UpdatePersonInput, parse_id};
use super::query::reading_scope;
use super::types::{Person, SensitiveField};
use crate::context::ContextExt;
use crate::error::to_graphql;

/// Run a mutation body; when it fails, append a failure record and map the error.
pub(crate) async fn audited<T, F>(
    ctx: &Context<'_>,
    operation: &str,
    object_type: &str,
    object_id: String,
    body: F,
) -> async_graphql::Result<T>
where
    F: std::future::Future<Output = DomainResult<T>>,
{
    match body.await {
        Ok(v) => Ok(v),
        Err(e) => {
            let p = ctx.platform();
            let meta = &ctx.request().meta;
            let actor = match ctx.viewer() {
                Ok(v) => Actor::of(v, meta),
                Err(_) => Actor::anonymous("", meta),
            };
            let entry = AuditEntry {
                operation,
                object_type,
                object_id,
                result: format!("FAILURE:{}", crate::error::code_of(&e)),
                // Field names only: never the value that was rejected.
                detail: match &e {
                    DomainError::BadInput { field, .. } => field.clone(),
                    _ => String::new(),
                },
            };
            if let Err(audit_err) = audit::record_failure(&p.db, p.audit_key(), &actor, entry).await
            {
                tracing::error!(request_id = %meta.request_id, error = %audit_err, "could not audit a failed mutation");
            }
            Err(to_graphql(ctx, e))
        }
    }
}

fn writer_parts<'a>(
    ctx: &'a Context<'_>,
) -> DomainResult<(&'a Platform, &'a Viewer, PersonScope, &'a RequestMeta)> {
    let viewer = ctx.viewer()?;
    if !viewer.role.is_region_admin() {
        return Err(DomainError::Forbidden(
            "仅市、区、街镇管理员可维护残疾人信息",
        ));
    }
    Ok((
        ctx.platform(),
        viewer,
        PersonScope::of(viewer),
        &ctx.request().meta,
    ))
}

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
        audited(ctx, "person.create", "person", String::new(), async {
            let (p, viewer, scope, meta) = writer_parts(ctx)?;
            let new = input.to_domain()?.parse(&p.regions)?;
            let actor = Actor::of(viewer, meta);
            let person = PersonWriter {
                db: &p.db,
                cipher: &p.cipher,
                actor: &actor,
                scope: &scope,
            }
            .create(new)
            .await?;
            publish(p, &person, "CREATED");
            Ok(Person(person))
        })
        .await
    }

    /// 修改残疾人信息
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePersonInput,
    ) -> async_graphql::Result<Person> {
        audited(ctx, "person.update", "person", id.to_string(), async {
            let (p, viewer, scope, meta) = writer_parts(ctx)?;
            let id = parse_id("id", &id)?;
            let changes = input.to_domain().parse(&p.regions)?;
            let actor = Actor::of(viewer, meta);
            let person = PersonWriter {
                db: &p.db,
                cipher: &p.cipher,
                actor: &actor,
                scope: &scope,
            }
            .update(id, changes)
            .await?;
            publish(p, &person, "UPDATED");
            Ok(Person(person))
        })
        .await
    }

    /// 注销残疾人 — deactivate with a reason (the record is kept).
    async fn deactivate_person(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<Person> {
        audited(ctx, "person.deactivate", "person", id.to_string(), async {
            let (p, viewer, scope, meta) = writer_parts(ctx)?;
            let id = parse_id("id", &id)?;
            let reason = BoundedText::parse("reason", &reason, 200)?;
            let actor = Actor::of(viewer, meta);
            let person = PersonWriter {
                db: &p.db,
                cipher: &p.cipher,
                actor: &actor,
                scope: &scope,
            }
            .deactivate(id, reason)
            .await?;
            publish(p, &person, "DEACTIVATED");
            Ok(Person(person))
        })
        .await
    }

    /// 查看完整信息 — reveal one sensitive field in full. Allowed by the field policy to region
    /// admins in scope and to citizens for themselves; always audited.
    async fn reveal_person_field(
        &self,
        ctx: &Context<'_>,
        person_id: ID,
        field: SensitiveField,
    ) -> async_graphql::Result<Option<String>> {
        let field: policy::SensitiveField = field.into();
        audited(
            ctx,
            "person.reveal",
            "person",
            person_id.to_string(),
            async {
                let viewer = ctx.viewer()?;
                let p = ctx.platform();
                if !policy::policy_for(viewer, field).1 {
                    return Err(DomainError::Forbidden("当前角色无权查看完整信息"));
                }
                let scope = reading_scope(viewer)?;
                let id = parse_id("personId", &person_id)?;
                let person = PersonRepo::new(&p.db).get(&scope, id).await?;
                let value = person.decrypt(&p.cipher, field)?;
                let actor = Actor::of(viewer, &ctx.request().meta);
                let w = p.db.begin_write().await?;
                audit::append(
                    &w.txn,
                    p.audit_key(),
                    &actor,
                    AuditEntry {
                        operation: "person.reveal",
                        object_type: "person",
                        object_id: id.to_string(),
                        result: "SUCCESS".to_owned(),
                        detail: field.as_str().to_owned(),
                    },
                )
                .await?;
                w.commit().await?;
                Ok(value)
            },
        )
        .await
    }
}

fn publish(p: &Platform, person: &zhucan_domain::person::Person, change: &str) {
    p.bus
        .publish(zhucan_domain::events::DomainEvent::PersonChanged {
            person_id: person.id(),
            street_code: person.row().street_code.clone(),
            change: change.to_owned(),
        });
}
