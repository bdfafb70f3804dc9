//! The person registry as one service (R18, R54): every read and write of people goes through
//! here, in the caller's row scope, with the field policy applied to sensitive values, every
//! opened file recorded as a visit and every change audited and published.

use std::collections::HashMap;

use uuid::Uuid;

use super::{NewPersonInput, Person, PersonFilter, PersonRepo, PersonWriter, UpdatePersonInput};
use crate::audit::{self, AuditEntry};
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::page::{Page, PageRequest};
use crate::policy::{self, SensitiveField, Visibility};
use crate::types::{BoundedText, IdNumber, RegionCode};
use crate::viewer::{PersonScope, Role, Viewer};
use crate::{Platform, PlatformParts};

/// How many visits a file shows.
pub const VISITS_SHOWN: usize = 20;

/// A change to a person, as subscribers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonChange {
    /// 新登记
    Created,
    /// 信息修改
    Updated,
    /// 注销
    Deactivated,
}

impl PersonChange {
    /// Stable code (events).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Updated => "UPDATED",
            Self::Deactivated => "DEACTIVATED",
        }
    }

    /// The change of a stored code.
    pub fn from_code(code: &str) -> Self {
        match code {
            "CREATED" => Self::Created,
            "DEACTIVATED" => Self::Deactivated,
            _ => Self::Updated,
        }
    }
}

/// A visit to a person's file (访客记录): when, what, and the visitor's role and office — never a
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
    /// What (`person.view`, `person.reveal`, `person.update`…).
    pub operation: String,
    /// The visitor's role.
    pub role: Option<Role>,
    /// The region the visitor acts for.
    pub office: Option<RegionCode>,
    /// The visitor's account.
    account: String,
}

/// Decides which registry changes reach one subscriber: those inside their scope, re-checked
/// event by event.
#[derive(Debug, Clone)]
pub struct ChangeWatch {
    scope: PersonScope,
}

impl ChangeWatch {
    /// The person and change `event` brings this subscriber, if any.
    pub fn on(&self, event: &DomainEvent) -> Option<(Uuid, PersonChange)> {
        match event {
            DomainEvent::PersonChanged {
                person_id,
                street_code,
                change,
            } if self.scope.admits(*person_id, street_code) => {
                Some((*person_id, PersonChange::from_code(change)))
            }
            _ => None,
        }
    }
}

/// The registry for one caller.
pub struct PersonService<'a> {
    p: &'a PlatformParts,
    caller: &'a Caller,
}

impl<'a> PersonService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    fn repo(&self) -> PersonRepo<'a> {
        PersonRepo::new(&self.p.db)
    }

    /// The caller's row scope (`FORBIDDEN` for roles that read no people).
    pub fn scope(&self) -> DomainResult<PersonScope> {
        self.caller.person_scope()
    }

    /// The watcher of registry changes in the caller's scope (`FORBIDDEN` without one).
    pub fn watch_changes(&self) -> DomainResult<ChangeWatch> {
        Ok(ChangeWatch {
            scope: self.scope()?,
        })
    }

    /// Record a visit to a file before it is shown (group commit with concurrent reads).
    async fn visited(&self, viewer: &Viewer, id: Uuid) -> DomainResult<()> {
        self.p
            .reads
            .record(
                crate::audit::Actor::of(viewer, self.caller.meta()),
                "person.view",
                "person",
                id.to_string(),
            )
            .await
            .map(|_| ())
    }

    /// 残疾人列表: a page of people in scope matching `filter`, in registration order.
    pub async fn list(
        &self,
        filter: &PersonFilter,
        page: PageRequest,
    ) -> DomainResult<Page<Person>> {
        let scope = self.scope()?;
        self.repo().page(&scope, filter, page).await
    }

    /// How many people in scope match `filter`.
    pub async fn count(&self, filter: &PersonFilter) -> DomainResult<u64> {
        self.repo().count(&self.scope()?, filter).await
    }

    /// 一人一档: one file, recorded as a visit. Out of scope is `NOT_FOUND`.
    pub async fn open(&self, id: Uuid) -> DomainResult<Person> {
        let scope = self.scope()?;
        let viewer = self.caller.viewer()?;
        let person = self.repo().get(&scope, id).await?;
        self.visited(viewer, id).await?;
        Ok(person)
    }

    /// A person by ID number (exact, through the blind index; region admins only), recorded as a
    /// visit.
    pub async fn open_by_id_number(&self, raw: &str) -> DomainResult<Person> {
        let viewer = self.caller.region_admin("仅管理员可按身份证号码查询")?;
        let scope = self.scope()?;
        let number = IdNumber::parse("idNumber", raw)?;
        let person = self
            .repo()
            .by_id_number(&scope, &self.p.cipher, &number)
            .await?;
        self.visited(viewer, person.id()).await?;
        Ok(person)
    }

    /// The signed-in citizen's own file (`None` for other roles).
    pub async fn me(&self) -> DomainResult<Option<Person>> {
        let viewer = self.caller.viewer()?;
        let (Role::Citizen, Some(id)) = (viewer.role, viewer.person_id) else {
            return Ok(None);
        };
        Ok(Some(self.repo().get(&PersonScope::of(viewer), id).await?))
    }

    /// A person in scope, without recording a visit (a relation shown on another record).
    pub async fn get(&self, id: Uuid) -> DomainResult<Person> {
        self.repo().get(&self.scope()?, id).await
    }

    /// A person in scope, or `None` when out of it (a relation that may point outside).
    pub async fn get_if_visible(&self, id: Uuid) -> DomainResult<Option<Person>> {
        match self.get(id).await {
            Ok(p) => Ok(Some(p)),
            Err(DomainError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Several people in scope by id; the others are absent.
    pub async fn get_many(&self, ids: &[Uuid]) -> DomainResult<HashMap<Uuid, Person>> {
        self.repo().get_many(&self.scope()?, ids).await
    }

    /// Whether a household has a member in the caller's scope (who may see it at all).
    pub async fn household_visible(&self, household: Uuid) -> DomainResult<bool> {
        let scope = self.scope()?;
        Ok(self
            .repo()
            .members_of(&scope, &[household])
            .await?
            .get(&household)
            .is_some_and(|m| !m.is_empty()))
    }

    /// Members in scope of each household (an empty list for every household asked about).
    pub async fn members_of(
        &self,
        households: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<Person>>> {
        let Ok(scope) = self.scope() else {
            return Ok(households.iter().map(|h| (*h, Vec::new())).collect());
        };
        let mut found = self.repo().members_of(&scope, households).await?;
        for h in households {
            found.entry(*h).or_default();
        }
        Ok(found)
    }

    /// The latest visits to the files of `persons` (already shown to the caller), without the
    /// citizen's own looks at their own file.
    pub async fn visits_of(&self, persons: &[Uuid]) -> DomainResult<HashMap<Uuid, Vec<Visit>>> {
        let viewer = self.caller.viewer()?;
        let rows = audit::visits_of(&self.p.db, persons, VISITS_SHOWN).await?;
        let own = viewer.account_id.to_string();
        let mut out: HashMap<Uuid, Vec<Visit>> = persons.iter().map(|p| (*p, Vec::new())).collect();
        for (pid, r) in rows {
            if viewer.person_id == Some(pid) && r.actor_id == own {
                continue;
            }
            let office = r
                .scope
                .split_once(':')
                .and_then(|(_, code)| RegionCode::parse("scope", code).ok());
            out.entry(pid).or_default().push(Visit {
                at: r.at,
                operation: r.operation,
                role: Role::from_code(&r.actor_role),
                office,
                account: r.actor_id,
            });
        }
        Ok(out)
    }

    /// A sensitive field as the caller may see it by default: masked, or nothing.
    pub fn present(&self, person: &Person, field: SensitiveField) -> DomainResult<Option<String>> {
        let viewer = self.caller.viewer()?;
        if policy::policy_for(viewer, field).0 == Visibility::Hidden {
            return Ok(None);
        }
        let plain = person.decrypt(&self.p.cipher, field)?;
        Ok(plain.and_then(|v| policy::present(viewer.role, field, &v)))
    }

    fn writer_scope(&self) -> DomainResult<PersonScope> {
        self.caller
            .region_admin("仅市、区、街镇管理员可维护残疾人信息")?;
        self.scope()
    }

    fn publish(&self, person: &Person, change: PersonChange) {
        self.p.bus.publish(DomainEvent::PersonChanged {
            person_id: person.id(),
            street_code: person.row().street_code.clone(),
            change: change.as_str().to_owned(),
        });
    }

    fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(self.p, self.caller, operation, "person", object_id, body)
    }

    /// 登记残疾人: register a person in the admin's scope.
    pub async fn create(&self, input: NewPersonInput) -> DomainResult<Person> {
        self.audited("person.create", String::new(), async {
            let scope = self.writer_scope()?;
            let new = input.parse(&self.p.regions)?;
            let actor = self.caller.actor();
            let person = PersonWriter {
                db: &self.p.db,
                cipher: &self.p.cipher,
                actor: &actor,
                scope: &scope,
            }
            .create(new)
            .await?;
            self.publish(&person, PersonChange::Created);
            Ok(person)
        })
        .await
    }

    /// 修改残疾人信息
    pub async fn update(&self, id: Uuid, input: UpdatePersonInput) -> DomainResult<Person> {
        self.audited("person.update", id.to_string(), async {
            let scope = self.writer_scope()?;
            let changes = input.parse(&self.p.regions)?;
            let actor = self.caller.actor();
            let person = PersonWriter {
                db: &self.p.db,
                cipher: &self.p.cipher,
                actor: &actor,
                scope: &scope,
            }
            .update(id, changes)
            .await?;
            self.publish(&person, PersonChange::Updated);
            Ok(person)
        })
        .await
    }

    /// 注销残疾人: deactivate with a reason (the record is kept).
    pub async fn deactivate(&self, id: Uuid, reason: &str) -> DomainResult<Person> {
        self.audited("person.deactivate", id.to_string(), async {
            let scope = self.writer_scope()?;
            let reason = BoundedText::parse("reason", reason, 200)?;
            let actor = self.caller.actor();
            let person = PersonWriter {
                db: &self.p.db,
                cipher: &self.p.cipher,
                actor: &actor,
                scope: &scope,
            }
            .deactivate(id, reason)
            .await?;
            self.publish(&person, PersonChange::Deactivated);
            Ok(person)
        })
        .await
    }

    /// 查看完整信息: one sensitive field in full, where the field policy allows a reveal (region
    /// admins in scope, citizens for themselves; never a partner); always audited.
    pub async fn reveal(&self, id: Uuid, field: SensitiveField) -> DomainResult<Option<String>> {
        self.audited("person.reveal", id.to_string(), async {
            let viewer = self.caller.viewer()?;
            if !policy::policy_for(viewer, field).1 {
                return Err(DomainError::Forbidden("当前角色无权查看完整信息"));
            }
            let person = self.repo().get(&self.scope()?, id).await?;
            let value = person.decrypt(&self.p.cipher, field)?;
            let w = self.p.db.begin_write().await?;
            audit::append(
                &w.txn,
                self.p.audit_key(),
                &self.caller.actor(),
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
        })
        .await
    }

    /// Whether a change to a person living in `street` concerns the caller (subscriptions).
    pub fn concerns(&self, scope: &PersonScope, person: Uuid, street: &str) -> bool {
        scope.admits(person, street)
    }
}

impl Visit {
    /// Whether the visit was the caller's own (for tests and the citizen's view).
    pub fn by(&self, account: Uuid) -> bool {
        self.account == account.to_string()
    }
}
