//! `EmploymentService`: employment services for one caller. Enterprises, fairs, jobs,
//! applications and follow-ups extend it in their own files.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::WHAT_ENTERPRISE;
use crate::Platform;
use crate::audit::{self, AuditEntry};
use crate::caller::Caller;
use crate::entities::{enterprise, person};
use crate::error::{DomainError, DomainResult};
use crate::viewer::{PersonScope, Role, ScopeKind, Viewer};

/// Employment services for one caller.
pub struct EmploymentService<'a> {
    pub(super) p: &'a Platform,
    pub(super) caller: &'a Caller,
}

/// Who is acting, as the employment rules see them.
#[derive(Debug, Clone)]
pub(super) enum Party {
    /// An enterprise's own account.
    Enterprise(Box<enterprise::Model>),
    /// A region admin with their scope.
    Staff(ScopeKind),
    /// A citizen with their person.
    Person(Uuid),
}

impl<'a> EmploymentService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    pub(super) fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_type: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(self.p, self.caller, operation, object_type, object_id, body)
    }

    pub(super) async fn append<C: ConnectionTrait>(
        &self,
        conn: &C,
        operation: &'static str,
        object_type: &'static str,
        object_id: Uuid,
        detail: String,
    ) -> DomainResult<()> {
        audit::append(
            conn,
            self.p.audit_key(),
            &self.caller.actor(),
            AuditEntry {
                operation,
                object_type,
                object_id: object_id.to_string(),
                result: "SUCCESS".to_owned(),
                detail,
            },
        )
        .await
        .map(|_| ())
    }

    /// The signed-in viewer.
    pub(super) fn viewer(&self) -> DomainResult<&Viewer> {
        self.caller.viewer()
    }

    /// The viewer's name for rows (`updated_by`, `recorded_by`).
    pub(super) fn actor_name(&self) -> String {
        self.caller
            .viewer()
            .map(|v| v.username.chars().take(64).collect())
            .unwrap_or_default()
    }

    /// The enterprise an `ENTERPRISE` account is bound to.
    pub(super) async fn own_enterprise<C: ConnectionTrait>(
        &self,
        conn: &C,
        viewer: &Viewer,
    ) -> DomainResult<enterprise::Model> {
        enterprise::Entity::find()
            .filter(enterprise::Column::AccountId.eq(viewer.account_id))
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound {
                what: WHAT_ENTERPRISE,
            })
    }

    /// The acting party, or `FORBIDDEN` for roles employment has nothing for.
    pub(super) async fn party(&self) -> DomainResult<Party> {
        let viewer = self.viewer()?;
        match viewer.role {
            Role::Enterprise => Ok(Party::Enterprise(Box::new(
                self.own_enterprise(self.p.db.conn(), viewer).await?,
            ))),
            r if r.is_region_admin() => Ok(Party::Staff(PersonScope::of(viewer).kind().clone())),
            Role::Citizen => viewer
                .person_id
                .map(Party::Person)
                .ok_or(DomainError::Forbidden("您的账户未关联残疾人档案")),
            _ => Err(DomainError::Forbidden("当前角色无权使用就业服务")),
        }
    }

    /// A region admin and their scope.
    pub(super) fn staff(&self) -> DomainResult<(&Viewer, ScopeKind)> {
        let viewer = self.caller.region_admin("仅市、区、街镇管理员可以办理")?;
        Ok((viewer, PersonScope::of(viewer).kind().clone()))
    }

    /// The person acted for: a citizen themself, or a person in a region admin's scope (then
    /// the admin's username is returned as the proxy).
    pub(super) async fn subject<C: ConnectionTrait>(
        &self,
        conn: &C,
        person_id: Option<Uuid>,
        field: &str,
    ) -> DomainResult<(person::Model, Option<String>)> {
        let viewer = self.viewer()?;
        let (id, proxy) = match viewer.role {
            Role::Citizen => {
                let own = viewer
                    .person_id
                    .ok_or(DomainError::Forbidden("您的账户未关联残疾人档案"))?;
                if person_id.is_some_and(|p| p != own) {
                    return Err(DomainError::Forbidden("只能办理本人的求职事项"));
                }
                (own, None)
            }
            r if r.is_region_admin() => (
                person_id.ok_or_else(|| DomainError::bad_input(field, "须指明残疾人"))?,
                Some(viewer.username.chars().take(64).collect::<String>()),
            ),
            _ => return Err(DomainError::Forbidden("只有本人或工作人员可以办理")),
        };
        let person = person::Entity::find_by_id(id)
            .one(conn)
            .await?
            .filter(|p| PersonScope::of(viewer).admits(p.id, &p.street_code))
            .ok_or(DomainError::NotFound { what: "残疾人" })?;
        if person.status != "ACTIVE" {
            return Err(DomainError::Conflict(
                "该残疾人档案已注销，不能办理".to_owned(),
            ));
        }
        Ok((person, proxy))
    }
}

/// Take the row at the version read, inside the writing transaction: a conditional update of its
/// version (which also holds the row's lock on PostgreSQL until commit), so that of two writers
/// who read the same version exactly one goes on and the other gets `CONFLICT`.
pub(super) async fn claim<E, C>(
    conn: &C,
    id_col: E::Column,
    id: Uuid,
    version_col: E::Column,
    version: i32,
    message: &str,
) -> DomainResult<()>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::sea_query::Expr;
    let n = E::update_many()
        .col_expr(version_col, Expr::value(version + 1))
        .filter(id_col.eq(id))
        .filter(version_col.eq(version))
        .exec(conn)
        .await?
        .rows_affected;
    if n == 1 {
        Ok(())
    } else {
        Err(DomainError::Conflict(message.to_owned()))
    }
}

/// Whether a region scope covers a district code (enterprises, jobs): the city every district,
/// a district itself, a street-town its own district (read only — see callers).
pub(super) fn covers_district(scope: &ScopeKind, district: &str) -> bool {
    match scope {
        ScopeKind::City => true,
        ScopeKind::District(d) => d.as_str() == district,
        ScopeKind::Street(s) => s.as_str().starts_with(district),
        ScopeKind::Person(_) | ScopeKind::Nothing => false,
    }
}

/// Whether a region scope manages a district's enterprises (verifies, edits): city and district.
pub(super) fn manages_district(scope: &ScopeKind, district: &str) -> bool {
    match scope {
        ScopeKind::City => true,
        ScopeKind::District(d) => d.as_str() == district,
        _ => false,
    }
}
