//! Partners (合作方接入; "third-party clients" on the wire and in their manifests): district
//! flagship stores, the rehabilitation hospital, Suishenban. Each is registered from a manifest
//! file (`clients/third-party/*.json`) with its purpose, granted scope and quota, and may run only
//! the trusted documents the manifest lists (hash → document). Credentials are a client id and a
//! random secret, kept only as an HMAC-SM3 digest; a partner never reveals a sensitive value
//! (field policy).

use std::collections::BTreeMap;

use chrono::Utc;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Platform;
use crate::audit::{self, Actor, AuditEntry};
use crate::caller::Caller;
use crate::crypto::ct_eq;
use crate::entities::{api_client, api_client_document};
use crate::error::{DomainError, DomainResult};
use crate::identity::{Session, SessionStage};
use crate::types::RegionCode;
use crate::viewer::{Role, Viewer};

/// The scope code of a client that reads only public data (catalog, search).
pub const PUBLIC_SCOPE: &str = "PUBLIC";
/// Blind-index purpose of client secrets.
const SECRET_PURPOSE: &str = "api-client-secret";
/// Largest manifest accepted (documents included).
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;

/// A manifest as written in `clients/third-party/*.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Who the client is and what it was granted.
    pub client: ClientSection,
    /// Trusted documents: lower-case SHA-256 hex of the document → the document.
    pub operations: BTreeMap<String, String>,
}

/// The `client` section of a manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientSection {
    /// Client id: 3–64 of `a-z`, `0-9`, `-`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Why access was granted (the agreement it rests on).
    pub purpose: String,
    /// Granted scope.
    pub scope: ScopeSection,
    /// Requests per minute.
    pub quota_per_minute: u32,
}

/// The granted scope: a region admin role with its region, or `PUBLIC`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSection {
    /// `CITY_ADMIN`, `DISTRICT_ADMIN`, `STREET_ADMIN` or `PUBLIC`.
    pub role: String,
    /// Region code for a region admin role.
    pub region: Option<String>,
}

/// A trusted document of a manifest, checked.
#[derive(Debug, Clone)]
pub struct TrustedDocument {
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// First operation's name.
    pub operation_name: Option<String>,
    /// The document.
    pub document: String,
}

/// A checked manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Client id.
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// Purpose.
    pub purpose: String,
    /// Granted role; `None` for a public client.
    pub role: Option<Role>,
    /// Region of a region-scoped client.
    pub region: Option<RegionCode>,
    /// Requests per minute.
    pub quota_per_minute: u32,
    /// The allow-list.
    pub documents: Vec<TrustedDocument>,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> DomainError {
    DomainError::bad_input(field, message)
}

/// A client id: 3–64 of `a-z`, `0-9`, `-`, not starting or ending with `-`.
pub fn parse_client_id(raw: &str) -> DomainResult<String> {
    let id = raw.trim();
    let ok = (3..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if ok {
        Ok(id.to_owned())
    } else {
        Err(bad(
            "client.id",
            "客户端标识应为3–64位小写字母、数字或连字符，且不以连字符开头或结尾",
        ))
    }
}

/// The SHA-256 of a document, lower-case hex (the Apollo persisted-query hash).
pub fn document_hash(document: &str) -> String {
    hex::encode(Sha256::digest(document.as_bytes()))
}

impl Manifest {
    /// Parse and check a manifest's JSON text: every field, every region against the directory,
    /// every hash against its document, every document against the GraphQL grammar. The first
    /// fault is reported with the path to it.
    pub fn parse(p: &Platform, json: &str) -> DomainResult<Self> {
        if json.len() > MAX_MANIFEST_BYTES {
            return Err(bad("manifest", "清单文件不能超过1 MB"));
        }
        let file: ManifestFile = serde_json::from_str(json)
            .map_err(|e| bad("manifest", format!("清单不是有效的JSON或字段有误: {e}")))?;
        let c = file.client;
        let client_id = parse_client_id(&c.id)?;
        let name = crate::types::BoundedText::parse("client.name", &c.name, 100)?;
        let purpose = crate::types::BoundedText::parse("client.purpose", &c.purpose, 500)?;
        if !(1..=100_000).contains(&c.quota_per_minute) {
            return Err(bad("client.quotaPerMinute", "每分钟配额应在1–100000之间"));
        }
        let (role, region) = if c.scope.role == PUBLIC_SCOPE {
            if c.scope.region.is_some() {
                return Err(bad("client.scope.region", "PUBLIC 范围不绑定区划"));
            }
            (None, None)
        } else {
            let role = Role::from_code(&c.scope.role)
                .filter(|r| r.is_region_admin())
                .ok_or_else(|| {
                    bad(
                        "client.scope.role",
                        "应为 CITY_ADMIN、DISTRICT_ADMIN、STREET_ADMIN 或 PUBLIC",
                    )
                })?;
            let level = role
                .region_level()
                .unwrap_or(crate::types::RegionLevel::City);
            let code = c
                .scope
                .region
                .as_deref()
                .ok_or_else(|| bad("client.scope.region", "该范围须绑定区划"))?;
            let region = p
                .regions
                .parse_existing("client.scope.region", code, level)?;
            (Some(role), Some(region))
        };
        if file.operations.is_empty() {
            return Err(bad("operations", "至少需要一个已登记的操作"));
        }
        let mut documents = Vec::with_capacity(file.operations.len());
        for (hash, document) in file.operations {
            let field = format!("operations.{hash}");
            let actual = document_hash(&document);
            if hash != actual {
                return Err(bad(
                    field,
                    format!("哈希与文档不符（文档的 SHA-256 为 {actual}）"),
                ));
            }
            let parsed = async_graphql_parser::parse_query(&document)
                .map_err(|e| bad(field.clone(), format!("文档无法解析: {e}")))?;
            let operation_name = parsed
                .operations
                .iter()
                .find_map(|(name, _)| name.map(|n| n.to_string()));
            if parsed.operations.iter().count() == 0 {
                return Err(bad(field, "文档中没有操作"));
            }
            documents.push(TrustedDocument {
                sha256: hash,
                operation_name,
                document,
            });
        }
        Ok(Self {
            client_id,
            name: name.as_str().to_owned(),
            purpose: purpose.as_str().to_owned(),
            role,
            region,
            quota_per_minute: c.quota_per_minute,
            documents,
        })
    }

    /// The scope as stored and audited: `DISTRICT_ADMIN:310115` or `PUBLIC`.
    pub fn scope_text(&self) -> String {
        match (self.role, &self.region) {
            (Some(r), Some(region)) => format!("{}:{region}", r.as_str()),
            _ => PUBLIC_SCOPE.to_owned(),
        }
    }
}

/// What a registration did.
#[derive(Debug, Clone)]
pub struct Registered {
    /// Client id.
    pub client_id: String,
    /// Whether the client is new.
    pub created: bool,
    /// The secret, when one was issued (a new client, or `rotate`); shown once, never stored.
    pub secret: Option<String>,
    /// Trusted documents now allowed.
    pub operations: usize,
    /// Documents added and removed compared with the previous registration.
    pub added: usize,
    /// Documents no longer allowed.
    pub removed: usize,
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Register a manifest (create the client, or replace its details and allow-list) in one
/// transaction with its audit record. A new client gets a fresh secret, as does an existing one
/// with `rotate`; `secret` fixes it instead (demo data only).
async fn register(
    p: &Platform,
    actor: &Actor,
    manifest: &Manifest,
    rotate: bool,
    secret: Option<&str>,
) -> DomainResult<Registered> {
    let w = p.db.begin_write().await?;
    let existing = api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(&manifest.client_id))
        .one(&w.txn)
        .await?;
    let now = Utc::now();
    let issued = match (&existing, rotate, secret) {
        (_, _, Some(s)) => Some(s.to_owned()),
        (None, _, None) | (Some(_), true, None) => Some(new_secret()),
        (Some(_), false, None) => None,
    };
    let digest = issued
        .as_deref()
        .map(|s| p.cipher.blind_index(SECRET_PURPOSE, s));
    let (id, created) = match existing {
        Some(c) => {
            let id = c.id;
            let mut m: api_client::ActiveModel = c.into();
            m.name = Set(manifest.name.clone());
            m.purpose = Set(manifest.purpose.clone());
            m.role = Set(role_code(manifest));
            m.region = Set(manifest.region.as_ref().map(|r| r.as_str().to_owned()));
            m.quota_per_minute = Set(i32::try_from(manifest.quota_per_minute).unwrap_or(i32::MAX));
            if let Some(d) = digest {
                m.secret_digest = Set(d);
            }
            m.updated_at = Set(now);
            m.update(&w.txn).await?;
            (id, false)
        }
        None => {
            let id = Uuid::now_v7();
            api_client::ActiveModel {
                id: Set(id),
                client_id: Set(manifest.client_id.clone()),
                name: Set(manifest.name.clone()),
                purpose: Set(manifest.purpose.clone()),
                role: Set(role_code(manifest)),
                region: Set(manifest.region.as_ref().map(|r| r.as_str().to_owned())),
                quota_per_minute: Set(i32::try_from(manifest.quota_per_minute).unwrap_or(i32::MAX)),
                secret_digest: Set(digest.unwrap_or_default()),
                active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&w.txn)
            .await?;
            (id, true)
        }
    };
    let before: Vec<String> = api_client_document::Entity::find()
        .filter(api_client_document::Column::ClientRef.eq(id))
        .all(&w.txn)
        .await?
        .into_iter()
        .map(|d| d.sha256)
        .collect();
    api_client_document::Entity::delete_many()
        .filter(api_client_document::Column::ClientRef.eq(id))
        .exec(&w.txn)
        .await?;
    for d in &manifest.documents {
        api_client_document::ActiveModel {
            client_ref: Set(id),
            sha256: Set(d.sha256.clone()),
            operation_name: Set(d.operation_name.clone()),
            document: Set(d.document.clone()),
        }
        .insert(&w.txn)
        .await?;
    }
    let added = manifest
        .documents
        .iter()
        .filter(|d| !before.contains(&d.sha256))
        .count();
    let removed = before
        .iter()
        .filter(|h| !manifest.documents.iter().any(|d| &d.sha256 == *h))
        .count();
    audit::append(
        &w.txn,
        p.audit_key(),
        actor,
        AuditEntry {
            operation: "client.register",
            object_type: "api_client",
            object_id: manifest.client_id.clone(),
            result: "SUCCESS".to_owned(),
            detail: format!(
                "scope={} quota={}/min operations={} added={added} removed={removed} created={created} secret_issued={}",
                manifest.scope_text(),
                manifest.quota_per_minute,
                manifest.documents.len(),
                issued.is_some()
            ),
        },
    )
    .await?;
    w.commit().await?;
    tracing::info!(
        client = %manifest.client_id,
        operations = manifest.documents.len(),
        added,
        removed,
        "third-party client registered"
    );
    Ok(Registered {
        client_id: manifest.client_id.clone(),
        created,
        secret: issued,
        operations: manifest.documents.len(),
        added,
        removed,
    })
}

fn role_code(m: &Manifest) -> String {
    m.role.map_or(PUBLIC_SCOPE, Role::as_str).to_owned()
}

/// Enable or disable a client (audited). Disabling takes effect on the next request on every
/// node: credentials are checked against the database on each call.
async fn set_active(
    p: &Platform,
    actor: &Actor,
    client_id: &str,
    active: bool,
) -> DomainResult<()> {
    let w = p.db.begin_write().await?;
    let c = api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(client_id.trim()))
        .one(&w.txn)
        .await?
        .ok_or(DomainError::NotFound { what: "客户端" })?;
    let object_id = c.client_id.clone();
    let mut m: api_client::ActiveModel = c.into();
    m.active = Set(active);
    m.updated_at = Set(Utc::now());
    m.update(&w.txn).await?;
    audit::append(
        &w.txn,
        p.audit_key(),
        actor,
        AuditEntry {
            operation: if active {
                "client.enable"
            } else {
                "client.disable"
            },
            object_type: "api_client",
            object_id,
            result: "SUCCESS".to_owned(),
            detail: String::new(),
        },
    )
    .await?;
    w.commit().await
}

/// Every registered client, by client id.
async fn list(p: &Platform) -> DomainResult<Vec<(api_client::Model, u64)>> {
    let clients = api_client::Entity::find()
        .order_by_asc(api_client::Column::ClientId)
        .all(p.db.conn())
        .await?;
    let mut out = Vec::with_capacity(clients.len());
    for c in clients {
        let n = api_client_document::Entity::find()
            .filter(api_client_document::Column::ClientRef.eq(c.id))
            .all(p.db.conn())
            .await?
            .len() as u64;
        out.push((c, n));
    }
    Ok(out)
}

/// An authenticated client.
#[derive(Debug, Clone)]
pub struct Client {
    /// Internal id.
    pub id: Uuid,
    /// Public client id.
    pub client_id: String,
    /// Granted role (`None`: public data only).
    pub role: Option<Role>,
    /// Region of a region-scoped client.
    pub region: Option<RegionCode>,
    /// Requests per minute.
    pub quota_per_minute: u32,
}

impl Client {
    /// The principal the client's requests run as, with a session that expires with the request.
    /// A public client runs without one (as an anonymous caller would).
    pub fn principal(&self) -> Option<(Viewer, Session)> {
        let role = self.role?;
        let now = Utc::now();
        Some((
            Viewer {
                account_id: self.id,
                username: format!("client:{}", self.client_id),
                role,
                region: self.region.clone(),
                person_id: None,
                client: Some(self.client_id.clone()),
            },
            Session {
                jti: Uuid::now_v7(),
                issued_at: now,
                expires_at: now + chrono::Duration::minutes(5),
                stage: SessionStage::Full,
            },
        ))
    }
}

/// Check a client's credentials: unknown id, wrong secret and a disabled client all answer the
/// same `UNAUTHENTICATED`, so that the answer does not tell which.
async fn authenticate(p: &Platform, client_id: &str, secret: &str) -> DomainResult<Client> {
    const REFUSED: DomainError =
        DomainError::Unauthenticated("客户端标识或密钥无效，或客户端已停用");
    let c = api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(client_id))
        .one(p.db.conn())
        .await?
        .ok_or(REFUSED)?;
    let digest = p.cipher.blind_index(SECRET_PURPOSE, secret);
    if !c.active || c.secret_digest.is_empty() || !ct_eq(&digest, &c.secret_digest) {
        return Err(REFUSED);
    }
    let role = Role::from_code(&c.role).filter(|r| r.is_region_admin());
    let region = match (role, c.region.as_deref()) {
        (Some(_), Some(code)) => Some(RegionCode::parse("region", code)?),
        _ => None,
    };
    Ok(Client {
        id: c.id,
        client_id: c.client_id,
        role,
        region,
        quota_per_minute: u32::try_from(c.quota_per_minute.max(1)).unwrap_or(1),
    })
}

/// The trusted document `sha256` of `client`, if its allow-list holds it.
async fn trusted_document(
    p: &Platform,
    client: &Client,
    sha256: &str,
) -> DomainResult<Option<String>> {
    Ok(
        api_client_document::Entity::find_by_id((client.id, sha256.to_ascii_lowercase()))
            .one(p.db.conn())
            .await?
            .map(|d| d.document),
    )
}

/// Partners (third-party API clients) for one caller: the console operator registers, lists,
/// enables and disables them; anyone may present credentials, which the edge checks here.
pub struct PartnerService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> PartnerService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    fn operator(&self) -> DomainResult<()> {
        self.caller
            .console_operator("客户端只能在服务器命令行中管理（zhucan clients）")
    }

    /// Register a manifest (see [`register`]); console only.
    pub async fn register(
        &self,
        manifest: &Manifest,
        rotate: bool,
        secret: Option<&str>,
    ) -> DomainResult<Registered> {
        self.operator()?;
        register(self.p, &self.caller.actor(), manifest, rotate, secret).await
    }

    /// Enable or disable a client; console only.
    pub async fn set_active(&self, client_id: &str, active: bool) -> DomainResult<()> {
        self.operator()?;
        set_active(self.p, &self.caller.actor(), client_id, active).await
    }

    /// Every registered client with the size of its allow-list; console only.
    pub async fn list(&self) -> DomainResult<Vec<(api_client::Model, u64)>> {
        self.operator()?;
        list(self.p).await
    }

    /// Check a client's credentials (the edge, for any caller); a refusal is audited under the
    /// client id presented.
    pub async fn authenticate(&self, client_id: &str, secret: &str) -> DomainResult<Client> {
        let client_id = client_id.trim();
        let refused = match authenticate(self.p, client_id, secret).await {
            Ok(c) => return Ok(c),
            Err(e) => e,
        };
        let actor = Actor::anonymous(&format!("client:{client_id}"), self.caller.meta());
        audit::record_failure(
            &self.p.db,
            self.p.audit_key(),
            &actor,
            AuditEntry {
                operation: "client.authenticate",
                object_type: "api_client",
                object_id: client_id.chars().take(64).collect(),
                result: format!("FAILURE:{}", refused.code()),
                detail: String::new(),
            },
        )
        .await?;
        Err(refused)
    }

    /// The trusted document `sha256` of an authenticated client, if its allow-list holds it.
    pub async fn trusted_document(
        &self,
        client: &Client,
        sha256: &str,
    ) -> DomainResult<Option<String>> {
        trusted_document(self.p, client, sha256).await
    }
}
