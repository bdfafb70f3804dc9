//! 市民账户 (R51): a registered person opens their account with a one-time SMS code to the phone
//! on their file; admins in scope see accounts, lock, unlock and require a new activation.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::identity::activation::{self as domain, CitizenAccountService};

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::support::{page, parse_id, plain_connection};

/// 市民账户状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::identity::activation::CitizenAccountStatus")]
pub enum CitizenAccountStatus {
    /// 正常
    Active,
    /// 已锁定
    Locked,
    /// 待重新激活（原密码已作废）
    PendingActivation,
}

/// 管理操作
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::identity::activation::CitizenAccountAction")]
pub enum CitizenAccountAction {
    /// 锁定（结束其登录会话）
    Lock,
    /// 解锁
    Unlock,
    /// 要求重新激活（原密码作废，结束其登录会话）
    RequireActivation,
}

/// 激活验证码已发出（身份证号未登记或无手机号时不发送，答复相同）
#[derive(SimpleObject)]
pub struct AccountActivationChallenge {
    /// 凭此提交验证码
    challenge_id: ID,
    /// 有效期至
    expires_at: DateTime<Utc>,
    /// 提示
    message: String,
}

/// 市民账户
#[derive(SimpleObject)]
pub struct CitizenAccount {
    /// 账户标识
    id: ID,
    /// 用户名
    username: String,
    /// 残疾人
    person_id: ID,
    /// 姓名
    person_name: String,
    /// 状态
    status: CitizenAccountStatus,
    /// 开通时间
    created_at: DateTime<Utc>,
}

impl From<domain::CitizenAccount> for CitizenAccount {
    fn from(a: domain::CitizenAccount) -> Self {
        Self {
            id: ID(a.id.to_string()),
            username: a.username,
            person_id: ID(a.person_id.to_string()),
            person_name: a.person_name,
            status: a.status.into(),
            created_at: a.created_at,
        }
    }
}

/// Queries.
#[derive(Default)]
pub struct CitizenAccountQuery;

#[Object]
impl CitizenAccountQuery {
    /// 市民账户（辖区内残疾人的账户）
    #[allow(clippy::too_many_arguments)]
    async fn citizen_accounts(
        &self,
        ctx: &Context<'_>,
        status: Option<CitizenAccountStatus>,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, CitizenAccount>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let rows = ctx
            .service::<CitizenAccountService>()
            .accounts(status.map(Into::into), &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |a| a.id.to_string(), Into::into))
    }
}

/// Mutations.
#[derive(Default)]
pub struct CitizenAccountMutation;

#[Object]
impl CitizenAccountMutation {
    /// 获取账户激活验证码（发送至档案登记的手机；每人每分钟一次、每天五次）
    async fn request_account_activation(
        &self,
        ctx: &Context<'_>,
        id_number: String,
    ) -> async_graphql::Result<AccountActivationChallenge> {
        let r = ctx
            .service::<CitizenAccountService>()
            .request_activation(&id_number)
            .await
            .gql(ctx)?;
        Ok(AccountActivationChallenge {
            challenge_id: ID(r.challenge_id.to_string()),
            expires_at: r.expires_at,
            message: format!(
                "如该身份证号已登记并留有手机号，验证码已发送至登记的手机，{}分钟内有效",
                domain::CODE_MINUTES
            ),
        })
    }

    /// 激活账户：验证码正确后开通（或重新开通）市民账户，返回登录用户名
    async fn activate_account(
        &self,
        ctx: &Context<'_>,
        challenge_id: ID,
        code: String,
        username: String,
        password: String,
    ) -> async_graphql::Result<String> {
        let id = parse_id("challengeId", &challenge_id).gql(ctx)?;
        ctx.service::<CitizenAccountService>()
            .activate(id, &code, &username, &password)
            .await
            .gql(ctx)
    }

    /// 锁定、解锁或要求重新激活市民账户（辖区内；须说明原因；留痕）
    async fn set_citizen_account_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        action: CitizenAccountAction,
        reason: String,
    ) -> async_graphql::Result<CitizenAccount> {
        let id = parse_id("id", &id).gql(ctx)?;
        let a = ctx
            .service::<CitizenAccountService>()
            .set_status(id, action.into(), &reason)
            .await
            .gql(ctx)?;
        Ok(a.into())
    }
}
