//! Who calls a domain service and from where. The edge builds one per request (HTTP) or per
//! socket (WebSocket) from the verified token, or from a partner's credentials; every domain
//! service is built from the platform and a `Caller`, and decides access from it. Nothing else
//! decides access: a resolver that forgot a check cannot leak, because the service it calls
//! does the checking.

use crate::audit::Actor;
use crate::error::{DomainError, DomainResult};
use crate::identity::SessionStage;
use crate::viewer::{PersonScope, RequestMeta, ScopeKind, Viewer};

/// The caller of a domain operation.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    viewer: Option<Viewer>,
    stage: SessionStage,
    meta: RequestMeta,
    /// The command run by the operator at the server's console (`zhucan clients …`), if that is
    /// who calls.
    console: Option<String>,
}

impl Caller {
    /// Nobody signed in.
    pub fn anonymous(meta: RequestMeta) -> Self {
        Self {
            viewer: None,
            stage: SessionStage::Full,
            meta,
            console: None,
        }
    }

    /// The operator at the server's console running `command` (they hold the keys already).
    pub fn console(command: &str) -> Self {
        Self {
            viewer: None,
            stage: SessionStage::Full,
            meta: RequestMeta {
                client_ip: "local".to_owned(),
                request_id: uuid::Uuid::now_v7().to_string(),
            },
            console: Some(command.to_owned()),
        }
    }

    /// The console operator, or `FORBIDDEN`: operations only the command line may run.
    pub fn console_operator(&self, refusal: &'static str) -> DomainResult<()> {
        if self.console.is_some() {
            Ok(())
        } else {
            Err(DomainError::Forbidden(refusal))
        }
    }

    /// A signed-in viewer whose session is at `stage`.
    pub fn signed_in(viewer: Viewer, stage: SessionStage, meta: RequestMeta) -> Self {
        Self {
            viewer: Some(viewer),
            stage,
            meta,
            console: None,
        }
    }

    /// The viewer of a fully signed-in session: `UNAUTHENTICATED` without one, or the step the
    /// session must take first (`SECOND_FACTOR_ENROLLMENT_REQUIRED`, `PASSWORD_CHANGE_REQUIRED`).
    pub fn viewer(&self) -> DomainResult<&Viewer> {
        let viewer = self.session_viewer()?;
        match self.stage {
            SessionStage::Full => Ok(viewer),
            SessionStage::SecondFactorEnrollment => {
                Err(DomainError::SecondFactorEnrollmentRequired)
            }
            SessionStage::PasswordChange => Err(DomainError::PasswordChangeRequired),
        }
    }

    /// The viewer whatever the session's stage (signing out, changing the password, enrolling
    /// a second factor).
    pub fn session_viewer(&self) -> DomainResult<&Viewer> {
        self.viewer
            .as_ref()
            .ok_or(DomainError::Unauthenticated("请先登录"))
    }

    /// The viewer of a full session, if there is one (public operations that show more to a
    /// signed-in viewer).
    pub fn full_viewer(&self) -> Option<&Viewer> {
        self.viewer
            .as_ref()
            .filter(|_| self.stage == SessionStage::Full)
    }

    /// Where the request came from.
    pub fn meta(&self) -> &RequestMeta {
        &self.meta
    }

    /// The actor audit records name: the viewer, or an anonymous caller.
    pub fn actor(&self) -> Actor {
        match (&self.viewer, &self.console) {
            (Some(v), _) => Actor::of(v, &self.meta),
            (None, Some(command)) => Actor::system(command),
            (None, None) => Actor::anonymous("", &self.meta),
        }
    }

    /// The row scope over people of a viewer who may read people at all (`FORBIDDEN` for the
    /// separated duties, volunteers and partners of public scope).
    pub fn person_scope(&self) -> DomainResult<PersonScope> {
        let scope = PersonScope::of(self.viewer()?);
        if *scope.kind() == ScopeKind::Nothing {
            return Err(DomainError::Forbidden("当前角色无权查看残疾人信息"));
        }
        Ok(scope)
    }

    /// The viewer, who must be a region admin (city, district, street-town).
    pub fn region_admin(&self, refusal: &'static str) -> DomainResult<&Viewer> {
        let viewer = self.viewer()?;
        if !viewer.role.is_region_admin() {
            return Err(DomainError::Forbidden(refusal));
        }
        Ok(viewer)
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::viewer::Role;

    fn viewer(role: Role) -> Viewer {
        Viewer {
            account_id: Uuid::nil(),
            username: "t".into(),
            role,
            region: None,
            person_id: None,
            client: None,
        }
    }

    #[test]
    fn a_restricted_session_gets_its_next_step_not_the_service() {
        let meta = RequestMeta::default();
        let c = Caller::signed_in(
            viewer(Role::CityAdmin),
            SessionStage::PasswordChange,
            meta.clone(),
        );
        assert!(matches!(
            c.viewer(),
            Err(DomainError::PasswordChangeRequired)
        ));
        assert!(c.session_viewer().is_ok());
        assert!(c.full_viewer().is_none());
        let anon = Caller::anonymous(meta);
        assert!(matches!(
            anon.viewer(),
            Err(DomainError::Unauthenticated(_))
        ));
        assert_eq!(anon.actor().role, "ANONYMOUS");
    }

    #[test]
    fn only_roles_that_read_people_get_a_person_scope() {
        for role in [
            Role::SystemAdmin,
            Role::SecurityAdmin,
            Role::Auditor,
            Role::Volunteer,
            Role::Enterprise,
        ] {
            let c = Caller::signed_in(viewer(role), SessionStage::Full, RequestMeta::default());
            assert!(
                matches!(c.person_scope(), Err(DomainError::Forbidden(_))),
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_the_console_operator_runs_console_operations_and_is_audited_as_the_system() {
        let console = Caller::console("clients list");
        assert!(console.console_operator("x").is_ok());
        assert_eq!(console.actor().role, "SYSTEM");
        assert_eq!(console.actor().name, "clients list");
        assert!(
            console.viewer().is_err(),
            "the console is nobody on the API"
        );

        let anonymous = Caller::anonymous(RequestMeta::default());
        assert!(matches!(
            anonymous.console_operator("x"),
            Err(DomainError::Forbidden("x"))
        ));
        let admin = Caller::signed_in(
            viewer(Role::SystemAdmin),
            SessionStage::Full,
            RequestMeta::default(),
        );
        assert!(
            admin.console_operator("x").is_err(),
            "not even a system admin"
        );
        assert_eq!(admin.actor().role, "SYSTEM_ADMIN");
    }
}
