//! Sign-in and the current viewer.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::identity;
use zhucan_domain::viewer::{Role as DomainRole, Viewer as DomainViewer};

use zhucan_domain::DomainError;
use zhucan_domain::identity::{AccountService, Credentials};

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::region::RegionLevel;
use crate::support::parse_id;

/// 角色 — roles of the platform.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Role {
    /// 残疾人或家属
    Citizen,
    /// 志愿者
    Volunteer,
    /// 街镇管理员
    StreetAdmin,
    /// 区管理员
    DistrictAdmin,
    /// 市管理员
    CityAdmin,
    /// 系统管理员
    SystemAdmin,
    /// 安全管理员
    SecurityAdmin,
    /// 安全审计员
    Auditor,
    /// 用人单位
    Enterprise,
}

impl From<Role> for DomainRole {
    fn from(r: Role) -> Self {
        match r {
            Role::Citizen => Self::Citizen,
            Role::Volunteer => Self::Volunteer,
            Role::StreetAdmin => Self::StreetAdmin,
            Role::DistrictAdmin => Self::DistrictAdmin,
            Role::CityAdmin => Self::CityAdmin,
            Role::SystemAdmin => Self::SystemAdmin,
            Role::SecurityAdmin => Self::SecurityAdmin,
            Role::Auditor => Self::Auditor,
            Role::Enterprise => Self::Enterprise,
        }
    }
}

impl From<DomainRole> for Role {
    fn from(r: DomainRole) -> Self {
        match r {
            DomainRole::Citizen => Self::Citizen,
            DomainRole::Volunteer => Self::Volunteer,
            DomainRole::StreetAdmin => Self::StreetAdmin,
            DomainRole::DistrictAdmin => Self::DistrictAdmin,
            DomainRole::CityAdmin => Self::CityAdmin,
            DomainRole::SystemAdmin => Self::SystemAdmin,
            DomainRole::SecurityAdmin => Self::SecurityAdmin,
            DomainRole::Auditor => Self::Auditor,
            DomainRole::Enterprise => Self::Enterprise,
        }
    }
}

/// 管辖范围 — the region a viewer acts in.
#[derive(SimpleObject)]
pub struct ViewerScope {
    /// Level (`null` for roles without a region).
    level: Option<RegionLevel>,
    /// Region code.
    code: Option<String>,
    /// Region name.
    name: Option<String>,
}

/// The signed-in principal.
pub struct Viewer(pub DomainViewer);

#[Object]
impl Viewer {
    /// Account id.
    pub async fn id(&self) -> ID {
        ID(self.0.account_id.to_string())
    }
    /// Username.
    async fn username(&self) -> &str {
        &self.0.username
    }
    /// Role.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// Scope: the bound region of an admin; a citizen's scope is themself (level and code null).
    async fn scope(&self, ctx: &Context<'_>) -> ViewerScope {
        match &self.0.region {
            Some(r) => ViewerScope {
                level: Some(r.level().into()),
                code: Some(r.as_str().to_owned()),
                name: Some(ctx.platform().regions.name_of(r.as_str())),
            },
            None => ViewerScope {
                level: None,
                code: None,
                name: None,
            },
        }
    }
    /// Registry person of a citizen account.
    async fn person_id(&self) -> Option<ID> {
        self.0.person_id.map(|p| ID(p.to_string()))
    }
}

/// Username and password.
#[derive(InputObject)]
pub struct LoginInput {
    /// 用户名
    username: String,
    /// 密码
    password: String,
    /// 动态口令（管理员绑定后必填）
    otp: Option<String>,
    /// UKey：`loginChallenge` 返回的挑战编号
    challenge_id: Option<ID>,
    /// UKey：对挑战的 SM2 签名（十六进制，r‖s 共64字节）
    sm2_signature: Option<String>,
}

/// UKey 登录挑战
#[derive(SimpleObject)]
pub struct LoginChallenge {
    /// 挑战编号
    challenge_id: ID,
    /// 待签名的32字节（十六进制）
    challenge: String,
    /// 过期时间
    expires_at: DateTime<Utc>,
}

/// 会话阶段
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::identity::SessionStage")]
pub enum SessionStage {
    /// 正常使用
    Full,
    /// 须先绑定动态口令
    SecondFactorEnrollment,
    /// 须先修改密码
    PasswordChange,
}

/// 账户概要（不含个人信息）
#[derive(SimpleObject)]
pub struct AccountSummary {
    /// 用户名
    username: String,
    /// 显示名
    display_name: String,
    /// 角色（`null`：尚未由安全管理员授权）
    role: Option<Role>,
    /// 绑定区划
    region_code: Option<String>,
    /// 是否启用
    active: bool,
}

impl From<identity::AccountSummary> for AccountSummary {
    fn from(a: identity::AccountSummary) -> Self {
        Self {
            role: a.role.map(Into::into),
            username: a.username,
            display_name: a.display_name,
            region_code: a.region.map(|r| r.as_str().to_owned()),
            active: a.active,
        }
    }
}

/// 动态口令绑定
#[derive(SimpleObject)]
pub struct SecondFactorEnrollment {
    /// Base32 密钥（手工输入用）
    secret: String,
    /// otpauth:// URI（二维码内容，algorithm=SM3）
    otpauth_uri: String,
}

/// A signed access token.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send as `Authorization: Bearer <token>`, or as `accessToken` in the WebSocket
    /// `connection_init` payload.
    access_token: String,
    /// When the token expires.
    expires_at: DateTime<Utc>,
    /// What the token may do: FULL, or a step still required.
    stage: SessionStage,
}

impl From<identity::IssuedToken> for LoginPayload {
    fn from(t: identity::IssuedToken) -> Self {
        Self {
            access_token: t.token,
            expires_at: t.expires_at,
            stage: t.stage.into(),
        }
    }
}

/// Viewer queries.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The signed-in principal, or `null`.
    async fn viewer(&self, ctx: &Context<'_>) -> Option<Viewer> {
        ctx.service::<AccountService>()
            .viewer()
            .cloned()
            .map(Viewer)
    }
}

/// Sign-in.
#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// 退出登录 — revoke this token at once, on every node (streams opened with it end).
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let Some(session) = ctx.request().session else {
            return Err(DomainError::Unauthenticated("请先登录")).gql(ctx);
        };
        ctx.service::<AccountService>()
            .logout(&session)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// 强制下线 — a system or security admin revokes every token of an account, at once, on
    /// every node.
    async fn revoke_sessions(
        &self,
        ctx: &Context<'_>,
        username: String,
    ) -> async_graphql::Result<bool> {
        ctx.service::<AccountService>()
            .revoke_sessions(&username)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// 登录 — sign in; failures answer `UNAUTHENTICATED` without saying which part was wrong.
    async fn login(
        &self,
        ctx: &Context<'_>,
        input: LoginInput,
    ) -> async_graphql::Result<LoginPayload> {
        let ukey = match (&input.challenge_id, &input.sm2_signature) {
            (Some(id), Some(sig)) => {
                Some((parse_id("input.challengeId", id).gql(ctx)?, sig.clone()))
            }
            _ => None,
        };
        let credentials = Credentials {
            username: input.username,
            password: input.password,
            otp: input.otp,
            ukey,
        };
        let token = ctx
            .service::<AccountService>()
            .login(&credentials)
            .await
            .gql(ctx)?;
        Ok(token.into())
    }

    /// 创建工作账户（系统管理员）— 新账户没有角色和管辖范围，须由安全管理员授权
    /// (`grantRole`)；临时密码以短信发送到持有人的手机，不在应答中返回，首次登录须修改。
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        username: String,
        display_name: String,
        phone: String,
    ) -> async_graphql::Result<AccountSummary> {
        let a = ctx
            .service::<AccountService>()
            .create_account(&username, &display_name, &phone)
            .await
            .gql(ctx)?;
        Ok(a.into())
    }

    /// 授予角色与管辖范围（安全管理员）— 仅限系统管理员创建的工作账户；账户的会话随即失效，
    /// 须重新修改密码并重新绑定动态口令。
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        username: String,
        role: Role,
        region_code: Option<String>,
    ) -> async_graphql::Result<AccountSummary> {
        let a = ctx
            .service::<AccountService>()
            .grant_role(&username, role.into(), region_code.as_deref())
            .await
            .gql(ctx)?;
        Ok(a.into())
    }

    /// 停用或启用账户（系统管理员）— 停用的账户会话随即失效。
    async fn set_account_active(
        &self,
        ctx: &Context<'_>,
        username: String,
        active: bool,
    ) -> async_graphql::Result<AccountSummary> {
        let a = ctx
            .service::<AccountService>()
            .set_active(&username, active)
            .await
            .gql(ctx)?;
        Ok(a.into())
    }

    /// 重置密码（系统管理员）— 临时密码以短信发送到账户登记的手机（不在应答中返回），下次登录
    /// 须修改；账户的会话随即失效。
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        username: String,
    ) -> async_graphql::Result<bool> {
        ctx.service::<AccountService>()
            .reset_password(&username)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// 登记动态令牌（安全管理员）— a GM/T 0021-2012 hardware token (SM3 dynamic passwords):
    /// its serial number, its seed (hex, from the vendor's seed file) and its step in seconds
    /// (default 60). The holder then signs in with the token's password in `otp`.
    async fn register_otp_token(
        &self,
        ctx: &Context<'_>,
        username: String,
        serial: String,
        seed: String,
        step_seconds: Option<i32>,
    ) -> async_graphql::Result<bool> {
        ctx.service::<AccountService>()
            .register_otp_token(&username, &serial, &seed, step_seconds)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// UKey 登录挑战 — 32 random bytes for the UKey to sign, valid 2 minutes, once.
    async fn login_challenge(
        &self,
        ctx: &Context<'_>,
        username: String,
    ) -> async_graphql::Result<LoginChallenge> {
        let c = ctx
            .service::<AccountService>()
            .challenge(&username)
            .await
            .gql(ctx)?;
        Ok(LoginChallenge {
            challenge_id: ID(c.id.to_string()),
            challenge: c.bytes_hex,
            expires_at: c.expires_at,
        })
    }

    /// 登记 UKey（安全管理员）— the SEC1 public key (hex) of the staff member's SM2 UKey.
    async fn register_ukey(
        &self,
        ctx: &Context<'_>,
        username: String,
        public_key: String,
    ) -> async_graphql::Result<bool> {
        ctx.service::<AccountService>()
            .register_ukey(&username, &public_key)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// 绑定动态口令（第一步）— a TOTP-SM3 secret for the authenticator app.
    async fn enroll_second_factor(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<SecondFactorEnrollment> {
        let e = ctx
            .service::<AccountService>()
            .enroll_second_factor()
            .await
            .gql(ctx)?;
        Ok(SecondFactorEnrollment {
            secret: e.secret,
            otpauth_uri: e.uri,
        })
    }

    /// 绑定动态口令（第二步）— confirm with a first code; returns a token for the next stage.
    async fn confirm_second_factor(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> async_graphql::Result<LoginPayload> {
        let t = ctx
            .service::<AccountService>()
            .confirm_second_factor(&code)
            .await
            .gql(ctx)?;
        Ok(t.into())
    }

    /// 修改密码 — at least 8 characters of 3 kinds, not one of the last 5; returns a new token.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> async_graphql::Result<LoginPayload> {
        let t = ctx
            .service::<AccountService>()
            .change_password(&current_password, &new_password)
            .await
            .gql(ctx)?;
        Ok(t.into())
    }
}
