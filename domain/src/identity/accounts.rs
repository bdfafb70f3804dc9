//! Account storage and sign-in.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::tokens::{IssuedToken, TokenService};
use crate::audit::{self, Actor, AuditEntry};
use crate::crypto::{FieldCipher, PasswordHasher, verify_password};
use crate::db::Db;
use crate::entities::account;
use crate::error::{DomainError, DomainResult};
use crate::types::RegionCode;
use crate::viewer::{RequestMeta, Role};

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Initial password.
    pub password: String,
    /// Role.
    pub role: Role,
    /// Region of an admin.
    pub region: Option<RegionCode>,
    /// Person of a citizen.
    pub person_id: Option<Uuid>,
}

/// Account storage.
pub struct AccountRepo<'a> {
    db: &'a Db,
}

impl<'a> AccountRepo<'a> {
    /// A repository over `db`.
    pub fn new(db: &'a Db) -> Self {
        Self { db }
    }

    /// Create an account; an admin role must come with a region of its level.
    pub async fn create(
        &self,
        hasher: &PasswordHasher,
        new: NewAccount,
    ) -> DomainResult<account::Model> {
        match (new.role.region_level(), &new.region) {
            (Some(level), Some(r)) if r.level() == level => {}
            (Some(_), _) => {
                return Err(DomainError::bad_input(
                    "region",
                    "管理员须绑定与其级别相符的区划",
                ));
            }
            (None, _) => {}
        }
        let row = account::Model {
            id: Uuid::now_v7(),
            username: new.username,
            display_name: new.display_name,
            password_hash: hasher.hash(&new.password)?,
            role: new.role.as_str().to_owned(),
            region_code: new.region.map(|r| r.as_str().to_owned()),
            person_id: new.person_id,
            active: true,
            created_at: Utc::now(),
            phone_enc: None,
        };
        let w = self.db.begin_write().await?;
        let saved = account::ActiveModel::from(row).insert(&w.txn).await?;
        w.commit().await?;
        Ok(saved)
    }

    /// An account by username.
    pub async fn by_username(&self, username: &str) -> DomainResult<Option<account::Model>> {
        Ok(account::Entity::find()
            .filter(account::Column::Username.eq(username))
            .one(self.db.conn())
            .await?)
    }
}

/// A hash that never verifies, checked against when the username is unknown so that timing
/// does not reveal which usernames exist.
const DUMMY_HASH: &str = "pbkdf2-sm3$100000$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000";

/// Sign in with username and password; success and failure are both audited.
pub async fn login(
    db: &Db,
    cipher: &FieldCipher,
    tokens: &TokenService,
    username: &str,
    password: &str,
    meta: &RequestMeta,
) -> DomainResult<IssuedToken> {
    let fail = DomainError::Unauthenticated("用户名或密码错误");
    if username.len() > 64 || password.len() > 128 {
        return Err(fail);
    }
    let account = AccountRepo::new(db).by_username(username).await?;
    let ok = match &account {
        Some(a) => {
            let hash = a.password_hash.clone();
            let pw = password.to_owned();
            tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
                .await
                .map_err(DomainError::internal)?
                && a.active
        }
        None => {
            let pw = password.to_owned();
            let _ = tokio::task::spawn_blocking(move || verify_password(&pw, DUMMY_HASH)).await;
            false
        }
    };
    let key = cipher.keys().audit_key();
    let (actor, object_id) = match &account {
        Some(a) => (
            Actor {
                id: a.id.to_string(),
                name: a.username.clone(),
                role: a.role.clone(),
                scope: a.region_code.clone().unwrap_or_else(|| "NONE".to_owned()),
                meta: meta.clone(),
            },
            a.id.to_string(),
        ),
        None => (Actor::anonymous(username, meta), String::new()),
    };
    let result = if ok {
        "SUCCESS"
    } else {
        "FAILURE:UNAUTHENTICATED"
    };
    let entry = AuditEntry {
        operation: "auth.login",
        object_type: "account",
        object_id,
        result: result.to_owned(),
        detail: String::new(),
    };
    let w = db.begin_write().await?;
    audit::append(&w.txn, key, &actor, entry).await?;
    w.commit().await?;
    match (ok, account) {
        (true, Some(a)) => tokens.issue(&a),
        _ => Err(fail),
    }
}
