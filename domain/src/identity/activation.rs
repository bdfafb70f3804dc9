//! Citizen accounts (R51): every registered person can open an account with a one-time SMS code
//! sent to the phone on their file — rate-limited per person and per address, expiring, used
//! once, a few wrong tries, audited. Admins in scope see their people's accounts, lock and
//! unlock them and require a new activation; they never see or set a password.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    QueryTrait, Set,
};
use uuid::Uuid;

use crate::Platform;
use crate::audit::{self, AuditEntry};
use crate::caller::Caller;
use crate::entities::{account, account_activation, person};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::sms::{self, SmsTemplate};
use crate::types::{BoundedText, IdNumber, Phone};
use crate::viewer::{PersonScope, Role};

/// How long a code is valid.
pub const CODE_MINUTES: i64 = 10;
/// Wrong codes allowed per challenge.
pub const MAX_ATTEMPTS: i32 = 5;
/// Seconds between two codes for one person.
pub const RESEND_SECS: i64 = 60;
/// Codes per person per day.
pub const PER_DAY: u64 = 5;
/// Requests per client address per minute.
pub const PER_ADDRESS_MINUTE: u32 = 10;
/// The password hash of an account that must be activated again (matches no password).
pub const REACTIVATION_MARK: &str = "!reactivate";

const WRONG: &str = "验证码错误或已过期，请重新获取";

code_enum! {
    /// A citizen account's state.
    CitizenAccountStatus {
        /// 正常
        #[default]
        Active = "ACTIVE",
        /// 已锁定（管理员）
        Locked = "LOCKED",
        /// 待重新激活
        PendingActivation = "PENDING_ACTIVATION",
    }
}

code_enum! {
    /// What an admin does to a citizen account.
    CitizenAccountAction {
        /// 锁定
        #[default]
        Lock = "LOCK",
        /// 解锁
        Unlock = "UNLOCK",
        /// 要求重新激活（原密码作废）
        RequireActivation = "REQUIRE_ACTIVATION",
    }
}

/// A challenge sent (or, for an unknown ID number, one that will never match).
#[derive(Debug, Clone)]
pub struct ActivationRequest {
    /// Answer with this.
    pub challenge_id: Uuid,
    /// Until.
    pub expires_at: DateTime<Utc>,
}

/// A citizen account as admins see it.
#[derive(Debug, Clone)]
pub struct CitizenAccount {
    /// Account id.
    pub id: Uuid,
    /// Username.
    pub username: String,
    /// The person.
    pub person_id: Uuid,
    /// Their name.
    pub person_name: String,
    /// State.
    pub status: CitizenAccountStatus,
    /// Opened.
    pub created_at: DateTime<Utc>,
}

fn status_of(a: &account::Model) -> CitizenAccountStatus {
    if a.password_hash == REACTIVATION_MARK {
        CitizenAccountStatus::PendingActivation
    } else if !a.active {
        CitizenAccountStatus::Locked
    } else {
        CitizenAccountStatus::Active
    }
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Citizen accounts for one caller.
pub struct CitizenAccountService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> CitizenAccountService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    fn digest(&self, challenge: Uuid, code: &str) -> Vec<u8> {
        self.p
            .cipher
            .blind_index("account_activations.code", &format!("{challenge}:{code}"))
    }

    /// 获取激活验证码 (anyone): a six-digit code by SMS to the phone on the person's file. The
    /// answer is the same whether or not the ID number is registered.
    pub async fn request_activation(&self, id_number: &str) -> DomainResult<ActivationRequest> {
        let number = IdNumber::parse("idNumber", id_number)?;
        let ip = self.caller.meta().client_ip.clone();
        if let Err(wait) = self
            .p
            .limiter
            .check(&format!("activation:{ip}"), PER_ADDRESS_MINUTE)
            .await
        {
            return Err(DomainError::RateLimited(format!(
                "请求过于频繁，请{}秒后再试",
                Ord::max(wait.as_secs(), 1)
            )));
        }
        let now = Utc::now();
        let expires_at = now + Duration::minutes(CODE_MINUTES);
        let bidx = self
            .p
            .cipher
            .blind_index(crate::person::ID_NUMBER_INDEX, number.as_str());
        let found = person::Entity::find()
            .filter(person::Column::IdNumberBidx.eq(bidx))
            .filter(person::Column::Status.eq("ACTIVE"))
            .one(self.p.db.conn())
            .await?;
        let phone = match &found {
            Some(p) => match &p.phone_enc {
                Some(enc) => Phone::parse(
                    "phone",
                    &self
                        .p
                        .cipher
                        .decrypt(crate::person::aad("phone", &p.id), enc)?,
                )
                .ok(),
                None => None,
            },
            None => None,
        };
        let (Some(p), Some(phone)) = (found, phone) else {
            // Nothing is sent; the challenge matches no code.
            return Ok(ActivationRequest {
                challenge_id: Uuid::now_v7(),
                expires_at,
            });
        };
        let w = self.p.db.begin_write().await?;
        let last = account_activation::Entity::find()
            .filter(account_activation::Column::PersonId.eq(p.id))
            .filter(account_activation::Column::CreatedAt.gt(now - Duration::hours(24)))
            .all(&w.txn)
            .await?;
        if let Some(recent) = last
            .iter()
            .map(|a| a.created_at)
            .max()
            .filter(|t| *t > now - Duration::seconds(RESEND_SECS))
        {
            return Err(DomainError::RateLimited(format!(
                "验证码已发送，请{}秒后再获取",
                Ord::max(
                    (recent + Duration::seconds(RESEND_SECS) - now).num_seconds(),
                    1
                )
            )));
        }
        if last.len() as u64 >= PER_DAY {
            return Err(DomainError::RateLimited(
                "今日获取验证码次数已达上限，请明天再试或联系所在街镇".to_owned(),
            ));
        }
        let id = Uuid::now_v7();
        let code = format!("{:06}", rand::random::<u32>() % 1_000_000);
        account_activation::ActiveModel {
            id: Set(id),
            person_id: Set(p.id),
            code_digest: Set(self.digest(id, &code)),
            attempts: Set(0),
            expires_at: Set(expires_at),
            used_at: Set(None),
            requested_from: Set(ip.chars().take(64).collect()),
            created_at: Set(now),
        }
        .insert(&w.txn)
        .await?;
        sms::enqueue(
            &w.txn,
            &self.p.cipher,
            &format!("activation:{id}"),
            &phone,
            SmsTemplate::AccountActivation,
            sms::params([
                ("code", code.as_str()),
                ("minutes", CODE_MINUTES.to_string().as_str()),
            ]),
        )
        .await?;
        audit::append(
            &w.txn,
            self.p.audit_key(),
            &self.caller.actor(),
            AuditEntry {
                operation: "account.activation.request",
                object_type: "person",
                object_id: p.id.to_string(),
                result: "SUCCESS".to_owned(),
                detail: format!("challenge={id}"),
            },
        )
        .await?;
        w.commit().await?;
        Ok(ActivationRequest {
            challenge_id: id,
            expires_at,
        })
    }

    /// 激活账户 with the code: opens the person's citizen account with `username` and
    /// `password` (or re-opens one an admin required to be activated again). Returns the
    /// username to sign in with.
    pub async fn activate(
        &self,
        challenge: Uuid,
        code: &str,
        username: &str,
        password: &str,
    ) -> DomainResult<String> {
        let now = Utc::now();
        let conn = self.p.db.conn();
        let c = account_activation::Entity::find_by_id(challenge)
            .one(conn)
            .await?
            .filter(|c| c.used_at.is_none() && c.expires_at > now && c.attempts < MAX_ATTEMPTS)
            .ok_or_else(|| DomainError::bad_input("code", WRONG))?;
        let code = code.trim();
        if !(code.len() == 6 && same(&self.digest(c.id, code), &c.code_digest)) {
            let w = self.p.db.begin_write().await?;
            account_activation::Entity::update_many()
                .col_expr(
                    account_activation::Column::Attempts,
                    Expr::col(account_activation::Column::Attempts).add(1),
                )
                .filter(account_activation::Column::Id.eq(c.id))
                .exec(&w.txn)
                .await?;
            w.commit().await?;
            return Err(DomainError::bad_input("code", WRONG));
        }
        let username = super::admin::parse_username(username)?;
        crate::volunteer::check_password("password", password)?;
        let hasher = self.p.hasher;
        let pw = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hasher.hash(&pw))
            .await
            .map_err(DomainError::internal)??;
        let p = person::Entity::find_by_id(c.person_id)
            .filter(person::Column::Status.eq("ACTIVE"))
            .one(conn)
            .await?
            .ok_or_else(|| DomainError::bad_input("code", WRONG))?;
        let w = self.p.db.begin_write().await?;
        let used = account_activation::Entity::update_many()
            .col_expr(account_activation::Column::UsedAt, Expr::value(Some(now)))
            .filter(account_activation::Column::Id.eq(c.id))
            .filter(account_activation::Column::UsedAt.is_null())
            .exec(&w.txn)
            .await?;
        if used.rows_affected != 1 {
            return Err(DomainError::bad_input("code", WRONG));
        }
        let existing = account::Entity::find()
            .filter(account::Column::PersonId.eq(p.id))
            .filter(account::Column::Role.eq(Role::Citizen.as_str()))
            .one(&w.txn)
            .await?;
        let (account_id, name, detail) = match existing {
            Some(a) if a.password_hash == REACTIVATION_MARK => {
                let mut m: account::ActiveModel = a.clone().into();
                m.password_hash = Set(hash);
                m.active = Set(true);
                m.failed_logins = Set(0);
                m.locked_until = Set(None);
                m.password_changed_at = Set(Some(now));
                m.sessions_valid_after = Set(Some(now));
                m.update(&w.txn).await?;
                (a.id, a.username, "reactivated")
            }
            Some(a) if !a.active => {
                return Err(DomainError::Forbidden(
                    "您的账户已被锁定，请联系所在街镇残联",
                ));
            }
            Some(_) => {
                return Err(DomainError::Conflict(
                    "您已开通账户，请直接登录；忘记密码请联系所在街镇残联重新激活".to_owned(),
                ));
            }
            None => {
                if account::Entity::find()
                    .filter(account::Column::Username.eq(username.as_str()))
                    .count(&w.txn)
                    .await?
                    > 0
                {
                    return Err(DomainError::Conflict("用户名已被使用，请换一个".to_owned()));
                }
                let id = Uuid::now_v7();
                let mut row = super::self_registered(
                    id,
                    username.clone(),
                    p.name.clone(),
                    hash,
                    Role::Citizen,
                    now,
                );
                row.person_id = Some(p.id);
                if let Some(enc) = &p.phone_enc {
                    let phone = self
                        .p
                        .cipher
                        .decrypt(crate::person::aad("phone", &p.id), enc)?;
                    row.phone_enc = Some(
                        self.p
                            .cipher
                            .encrypt(super::admin::phone_aad(&id), &phone)?,
                    );
                }
                account::ActiveModel::from(row).insert(&w.txn).await?;
                (id, username, "opened")
            }
        };
        audit::append(
            &w.txn,
            self.p.audit_key(),
            &self.caller.actor(),
            AuditEntry {
                operation: "account.activation",
                object_type: "account",
                object_id: account_id.to_string(),
                result: "SUCCESS".to_owned(),
                detail: format!("person={} challenge={} {detail}", p.id, c.id),
            },
        )
        .await?;
        w.commit().await?;
        Ok(name)
    }

    fn admin(&self) -> DomainResult<(&crate::viewer::Viewer, PersonScope)> {
        let viewer = self
            .caller
            .region_admin("仅市、区、街镇管理员可以管理市民账户")?;
        if viewer.client.is_some() {
            return Err(DomainError::Forbidden("合作方不能管理市民账户"));
        }
        Ok((viewer, PersonScope::of(viewer)))
    }

    fn in_scope(scope: &PersonScope) -> sea_orm::sea_query::SelectStatement {
        person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .filter(crate::person::scope_condition(scope))
            .into_query()
    }

    async fn present(&self, rows: Vec<account::Model>) -> DomainResult<Vec<CitizenAccount>> {
        let names: std::collections::HashMap<Uuid, String> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::Name)
            .filter(person::Column::Id.is_in(rows.iter().filter_map(|a| a.person_id)))
            .into_tuple::<(Uuid, String)>()
            .all(self.p.db.conn())
            .await?
            .into_iter()
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|a| {
                let person_id = a.person_id?;
                Some(CitizenAccount {
                    id: a.id,
                    status: status_of(&a),
                    username: a.username,
                    person_name: names.get(&person_id).cloned().unwrap_or_default(),
                    person_id,
                    created_at: a.created_at,
                })
            })
            .collect())
    }

    /// 市民账户 of the people in the admin's scope, oldest first.
    pub async fn accounts(
        &self,
        status: Option<CitizenAccountStatus>,
        page: &PageRequest,
    ) -> DomainResult<Page<CitizenAccount>> {
        let (_, scope) = self.admin()?;
        let mut q = account::Entity::find()
            .filter(account::Column::Role.eq(Role::Citizen.as_str()))
            .filter(account::Column::PersonId.in_subquery(Self::in_scope(&scope)));
        q = match status {
            None => q,
            Some(CitizenAccountStatus::PendingActivation) => {
                q.filter(account::Column::PasswordHash.eq(REACTIVATION_MARK))
            }
            Some(CitizenAccountStatus::Locked) => q
                .filter(account::Column::PasswordHash.ne(REACTIVATION_MARK))
                .filter(account::Column::Active.eq(false)),
            Some(CitizenAccountStatus::Active) => q
                .filter(account::Column::PasswordHash.ne(REACTIVATION_MARK))
                .filter(account::Column::Active.eq(true)),
        };
        let rows = page
            .apply(q, account::Column::Id)
            .all(self.p.db.conn())
            .await?;
        let page = page.finish(rows);
        let items = self.present(page.items).await?;
        Ok(Page {
            items,
            has_previous: page.has_previous,
            has_next: page.has_next,
        })
    }

    /// 锁定、解锁、要求重新激活 a citizen account of a person in the admin's scope (audited;
    /// locking and requiring activation end its sessions).
    pub async fn set_status(
        &self,
        account_id: Uuid,
        action: CitizenAccountAction,
        reason: &str,
    ) -> DomainResult<CitizenAccount> {
        audit::audited_by(
            self.p,
            self.caller,
            "account.citizen.status",
            "account",
            account_id.to_string(),
            async {
                let (viewer, scope) = self.admin()?;
                let reason = BoundedText::parse("reason", reason, 200)?.into_string();
                if reason.is_empty() {
                    return Err(DomainError::bad_input("reason", "请填写原因"));
                }
                let w = self.p.db.begin_write().await?;
                let a = account::Entity::find_by_id(account_id)
                    .filter(account::Column::Role.eq(Role::Citizen.as_str()))
                    .filter(account::Column::PersonId.in_subquery(Self::in_scope(&scope)))
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound {
                        what: "市民账户"
                    })?;
                let mut m: account::ActiveModel = a.clone().into();
                match action {
                    CitizenAccountAction::Lock => m.active = Set(false),
                    CitizenAccountAction::Unlock => {
                        m.active = Set(true);
                        m.failed_logins = Set(0);
                        m.locked_until = Set(None);
                    }
                    CitizenAccountAction::RequireActivation => {
                        m.password_hash = Set(REACTIVATION_MARK.to_owned());
                        m.active = Set(true);
                    }
                }
                let a = m.update(&w.txn).await?;
                audit::append(
                    &w.txn,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    AuditEntry {
                        operation: "account.citizen.status",
                        object_type: "account",
                        object_id: a.id.to_string(),
                        result: "SUCCESS".to_owned(),
                        detail: format!("action={} reason={reason}", action.as_str()),
                    },
                )
                .await?;
                w.commit().await?;
                if action != CitizenAccountAction::Unlock {
                    super::revocation::revoke_all(self.p, viewer, self.caller.meta(), &a).await?;
                }
                self.present(vec![a])
                    .await?
                    .pop()
                    .ok_or(DomainError::NotFound {
                        what: "市民账户"
                    })
            },
        )
        .await
    }
}
