//! The SM2 UKey second factor (GB/T 32918 signatures with RustCrypto `sm2`): a security admin
//! registers the public key of the UKey issued to a staff member; at sign-in the client asks
//! for a one-time challenge (`loginChallenge`), the UKey signs it, and `login` verifies the
//! signature with the distinguishing identifier `1234567812345678` (the standard default).

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sm2::dsa::signature::Verifier;
use sm2::dsa::{Signature, VerifyingKey};
use uuid::Uuid;

use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::db::Db;
use crate::entities::{account, login_challenge};
use crate::error::{DomainError, DomainResult};
use crate::viewer::{RequestMeta, Role, Viewer};

/// The signer's distinguishing identifier (GB/T 32918's default).
pub const DIST_ID: &str = "1234567812345678";
/// How long a challenge may be signed.
pub const CHALLENGE_SECS: i64 = 120;

/// Check and normalise a SEC1 public key given in hex.
pub fn parse_public_key(hex_key: &str) -> DomainResult<Vec<u8>> {
    let bytes = hex::decode(hex_key.trim())
        .map_err(|_| DomainError::bad_input("publicKey", "公钥应为十六进制编码"))?;
    let key = VerifyingKey::from_sec1_bytes(DIST_ID, &bytes)
        .map_err(|_| DomainError::bad_input("publicKey", "不是有效的SM2公钥"))?;
    Ok(key.to_sec1_bytes().to_vec())
}

/// A security admin registers the UKey public key of a staff account.
pub async fn register_key(
    p: &Platform,
    viewer: &Viewer,
    meta: &RequestMeta,
    username: &str,
    public_key_hex: &str,
) -> DomainResult<()> {
    if viewer.role != Role::SecurityAdmin {
        return Err(DomainError::Forbidden("仅安全管理员可登记UKey"));
    }
    let a = super::admin::target(p, viewer, username).await?;
    let key = parse_public_key(public_key_hex)?;
    let staff = Role::from_code(&a.role).is_some_and(super::staff::needs_second_factor);
    if !staff {
        return Err(DomainError::bad_input(
            "username",
            "只有工作人员账户使用UKey",
        ));
    }
    let w = p.db.begin_write().await?;
    let mut m: account::ActiveModel = a.clone().into();
    m.sm2_public_key = Set(Some(key));
    m.update(&w.txn).await?;
    audit::append(
        &w.txn,
        p.audit_key(),
        &Actor::of(viewer, meta),
        AuditEntry {
            operation: "auth.ukey.register",
            object_type: "account",
            object_id: a.id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: String::new(),
        },
    )
    .await?;
    w.commit().await
}

/// A one-time challenge for `username`: id, hex bytes, expiry. For an unknown username (or one
/// without a UKey) an unusable challenge comes back all the same, so usernames cannot be probed.
pub async fn challenge(db: &Db, username: &str) -> DomainResult<(Uuid, String, DateTime<Utc>)> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let id = Uuid::now_v7();
    let expires = Utc::now() + Duration::seconds(CHALLENGE_SECS);
    let account = crate::identity::AccountRepo::new(db)
        .by_username(username.trim())
        .await?;
    if let Some(a) = account.filter(|a| a.sm2_public_key.is_some()) {
        let w = db.begin_write().await?;
        // Spent and expired challenges go as new ones come.
        login_challenge::Entity::delete_many()
            .filter(login_challenge::Column::ExpiresAt.lt(Utc::now() - Duration::hours(1)))
            .exec(&w.txn)
            .await?;
        login_challenge::ActiveModel {
            id: Set(id),
            account_id: Set(a.id),
            challenge: Set(bytes.to_vec()),
            expires_at: Set(expires),
            used: Set(false),
        }
        .insert(&w.txn)
        .await?;
        w.commit().await?;
    }
    Ok((id, hex::encode(bytes), expires))
}

/// Check a UKey signature over challenge `id` for the account; a challenge works once.
pub async fn check_signature<C: ConnectionTrait>(
    conn: &C,
    a: &account::Model,
    id: Uuid,
    signature_hex: &str,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let Some(key) = &a.sm2_public_key else {
        return Ok(false);
    };
    let Some(c) = login_challenge::Entity::find_by_id(id).one(conn).await? else {
        return Ok(false);
    };
    if c.account_id != a.id || c.used || c.expires_at < now {
        return Ok(false);
    }
    let Ok(sig_bytes) = hex::decode(signature_hex.trim()) else {
        return Ok(false);
    };
    let (Ok(key), Ok(sig)) = (
        VerifyingKey::from_sec1_bytes(DIST_ID, key),
        Signature::try_from(sig_bytes.as_slice()),
    ) else {
        return Ok(false);
    };
    if key.verify(&c.challenge, &sig).is_err() {
        return Ok(false);
    }
    let res = login_challenge::Entity::update_many()
        .col_expr(login_challenge::Column::Used, Expr::value(true))
        .filter(login_challenge::Column::Id.eq(id))
        .filter(login_challenge::Column::Used.eq(false))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}
