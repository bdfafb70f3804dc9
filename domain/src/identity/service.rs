//! Accounts and sessions as one service: sign-in (password, second factor, UKey challenge),
//! sign-out, the staff's password and second-factor steps, and account administration under
//! separation of duties. Who may do what is decided here (and in `admin`), from the caller.

use uuid::Uuid;

use super::admin;
use super::otp_token;
use super::staff::Enrollment;
use super::tokens::{IssuedToken, Session};
use crate::Platform;
use crate::audit::{self, Actor};
use crate::caller::Caller;
use crate::entities::account;
use crate::error::{DomainError, DomainResult};
use crate::types::RegionCode;
use crate::viewer::{Role, Viewer};

/// An account as administrators see it: no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role (`None`: not granted yet).
    pub role: Option<Role>,
    /// Bound region of an admin.
    pub region: Option<RegionCode>,
    /// Whether it may sign in.
    pub active: bool,
}

impl From<account::Model> for AccountSummary {
    fn from(a: account::Model) -> Self {
        Self {
            role: Role::from_code(&a.role),
            region: a.region_code.map(RegionCode::from_trusted),
            username: a.username,
            display_name: a.display_name,
            active: a.active,
        }
    }
}

/// A UKey sign-in challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Its id.
    pub id: Uuid,
    /// The 32 bytes to sign, hex.
    pub bytes_hex: String,
    /// Until when it may be signed.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// What `login` is given.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// 用户名
    pub username: String,
    /// 密码
    pub password: String,
    /// 动态口令 (authenticator or hardware token).
    pub otp: Option<String>,
    /// UKey: the challenge signed, and the SM2 signature (hex).
    pub ukey: Option<(Uuid, String)>,
}

/// Accounts and sessions for one caller.
pub struct AccountService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> AccountService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(self.p, self.caller, operation, "account", object_id, body)
    }

    fn actor(&self) -> DomainResult<Actor> {
        Ok(Actor::of(self.caller.session_viewer()?, self.caller.meta()))
    }

    /// The signed-in principal whatever the session's stage.
    pub fn viewer(&self) -> Option<&Viewer> {
        self.caller.session_viewer().ok()
    }

    /// 登录. Failures say `UNAUTHENTICATED` without saying which part was wrong.
    pub async fn login(&self, credentials: &Credentials) -> DomainResult<IssuedToken> {
        let p = self.p;
        super::login(
            &p.db,
            &p.cipher,
            &p.tokens,
            p.lockout,
            &p.sign_in,
            credentials.username.trim(),
            &credentials.password,
            credentials.otp.as_deref(),
            credentials
                .ukey
                .as_ref()
                .map(|(id, sig)| (*id, sig.as_str())),
            self.caller.meta(),
        )
        .await
    }

    /// 退出登录: revoke the caller's own token at once, on every node.
    pub async fn logout(&self, session: &Session) -> DomainResult<()> {
        let viewer = self.caller.session_viewer()?;
        super::logout(self.p, viewer, session, self.caller.meta()).await
    }

    /// 强制下线 (system or security admin).
    pub async fn revoke_sessions(&self, username: &str) -> DomainResult<()> {
        let viewer = self.caller.viewer()?;
        super::revoke_account_sessions(self.p, viewer, self.caller.meta(), username.trim()).await
    }

    /// 创建工作账户 (system admin): no role; the temporary password goes by SMS.
    pub async fn create_account(
        &self,
        username: &str,
        display_name: &str,
        phone: &str,
    ) -> DomainResult<AccountSummary> {
        self.audited("account.create", String::new(), async {
            let viewer = self.caller.viewer()?;
            admin::create_account(
                self.p,
                viewer,
                self.caller.meta(),
                username,
                display_name,
                phone,
            )
            .await
            .map(Into::into)
        })
        .await
    }

    /// 授予角色与管辖范围 (security admin).
    pub async fn grant_role(
        &self,
        username: &str,
        role: Role,
        region: Option<&str>,
    ) -> DomainResult<AccountSummary> {
        self.audited("account.role.grant", username.to_owned(), async {
            let viewer = self.caller.viewer()?;
            admin::grant_role(self.p, viewer, self.caller.meta(), username, role, region)
                .await
                .map(Into::into)
        })
        .await
    }

    /// 停用或启用账户 (system admin).
    pub async fn set_active(&self, username: &str, active: bool) -> DomainResult<AccountSummary> {
        self.audited("account.set_active", username.to_owned(), async {
            let viewer = self.caller.viewer()?;
            admin::set_active(self.p, viewer, self.caller.meta(), username, active)
                .await
                .map(Into::into)
        })
        .await
    }

    /// 重置密码 (system admin): the temporary password goes by SMS.
    pub async fn reset_password(&self, username: &str) -> DomainResult<()> {
        self.audited("account.password.reset", username.to_owned(), async {
            let viewer = self.caller.viewer()?;
            admin::reset_password(self.p, viewer, self.caller.meta(), username).await
        })
        .await
    }

    /// UKey 登录挑战: 32 random bytes, two minutes, once.
    pub async fn challenge(&self, username: &str) -> DomainResult<Challenge> {
        if username.len() > 64 {
            return Err(DomainError::bad_input("username", "用户名过长"));
        }
        let (id, bytes_hex, expires_at) = super::ukey::challenge(&self.p.db, username).await?;
        Ok(Challenge {
            id,
            bytes_hex,
            expires_at,
        })
    }

    /// 登记 UKey (security admin).
    pub async fn register_ukey(&self, username: &str, public_key: &str) -> DomainResult<()> {
        self.audited("auth.ukey.register", username.to_owned(), async {
            let viewer = self.caller.viewer()?;
            super::ukey::register_key(self.p, viewer, self.caller.meta(), username, public_key)
                .await
        })
        .await
    }

    /// 登记动态令牌 (security admin): a GM/T 0021 hardware token.
    pub async fn register_otp_token(
        &self,
        username: &str,
        serial: &str,
        seed: &str,
        step_secs: Option<i32>,
    ) -> DomainResult<()> {
        self.audited("auth.otp_token.register", username.to_owned(), async {
            let viewer = self.caller.viewer()?;
            let token = otp_token::parse(serial, seed, step_secs)?;
            otp_token::register(self.p, viewer, self.caller.meta(), username, token).await
        })
        .await
    }

    /// 绑定动态口令 (first step): a TOTP-SM3 secret for the authenticator app.
    pub async fn enroll_second_factor(&self) -> DomainResult<Enrollment> {
        let viewer = self.caller.session_viewer()?;
        super::staff::enroll(
            &self.p.db,
            &self.p.cipher,
            &self.actor()?,
            viewer.account_id,
        )
        .await
    }

    /// 绑定动态口令 (second step): confirm with a first code; a token for the next stage.
    pub async fn confirm_second_factor(&self, code: &str) -> DomainResult<IssuedToken> {
        let viewer = self.caller.session_viewer()?;
        let p = self.p;
        super::staff::confirm(
            &p.db,
            &p.cipher,
            &p.tokens,
            &p.sign_in,
            &self.actor()?,
            viewer.account_id,
            code,
        )
        .await
    }

    /// 修改密码: a token for the next stage.
    pub async fn change_password(&self, current: &str, new: &str) -> DomainResult<IssuedToken> {
        let viewer = self.caller.session_viewer()?;
        let p = self.p;
        super::staff::change_password(
            &p.db,
            &p.cipher,
            &p.hasher,
            &p.tokens,
            &p.sign_in,
            &self.actor()?,
            viewer.account_id,
            current,
            new,
        )
        .await
    }
}
