//! Receipts of spending (JPEG, PNG or PDF, entered by the custodian) and materials of alerts
//! (added by whoever handles them): stored by SM3 digest in the blob store, listed on their
//! record or alert, downloaded by those who may see it, each download audited.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::CustodyService;
use crate::blob::{sm3_hex, sniff};
use crate::entities::{custodianship, custody_file, spending_record};
use crate::error::{DomainError, DomainResult};
use crate::types::BoundedText;
use crate::viewer::Role;

/// Most files per record or alert.
pub const MAX_FILES: u64 = 10;

code_enum! {
    /// 附件所属
    FileOwner {
        /// 支出凭证
        #[default]
        Spending = "SPENDING",
        /// 预警处理材料
        Alert = "ALERT",
    }
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyFile {
    /// Id.
    pub id: Uuid,
    /// Owner kind.
    pub owner: FileOwner,
    /// Record or alert.
    pub owner_id: Uuid,
    /// File name.
    pub file_name: String,
    /// Content type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// SM3 digest.
    pub sm3: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<custody_file::Model> for CustodyFile {
    fn from(m: custody_file::Model) -> Self {
        Self {
            id: m.id,
            owner: FileOwner::from_stored(&m.owner_kind),
            owner_id: m.owner_id,
            file_name: m.file_name,
            content_type: m.content_type,
            size_bytes: m.size_bytes,
            sm3: m.sm3,
            at: m.at,
        }
    }
}

impl CustodyService<'_> {
    /// A file's name and sniffed content type, or why it is refused (before anything is written).
    pub(super) fn checked_file(
        &self,
        file_name: &str,
        bytes: &[u8],
    ) -> DomainResult<(String, &'static str)> {
        let name = BoundedText::parse("file.name", file_name, 200)?.into_string();
        if name.contains(['/', '\\']) {
            return Err(DomainError::bad_input("file.name", "文件名不能包含路径"));
        }
        if bytes.is_empty() {
            return Err(DomainError::bad_input("file", "文件为空"));
        }
        let max = self.p.outreach.attachment_max_bytes;
        if bytes.len() > max {
            return Err(DomainError::bad_input(
                "file",
                format!("文件不能超过{} MB", max / (1024 * 1024)),
            ));
        }
        let Some(content_type) = sniff(bytes) else {
            return Err(DomainError::bad_input(
                "file",
                "只接受 JPEG、PNG 图片或 PDF 文件",
            ));
        };
        Ok((name, content_type))
    }

    /// Store a checked file's object, then its row in the caller's transaction (a row never
    /// points at a missing object; an orphan object is harmless).
    #[expect(clippy::too_many_arguments, reason = "one row's parts")]
    pub(super) async fn store_file<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        owner: FileOwner,
        owner_id: Uuid,
        custodianship_id: Uuid,
        name: String,
        content_type: &str,
        bytes: &[u8],
    ) -> DomainResult<custody_file::Model> {
        let viewer = self.caller.viewer()?;
        let digest = sm3_hex(bytes);
        self.p.blobs.put(&digest, bytes).await?;
        Ok(custody_file::ActiveModel {
            id: Set(Uuid::now_v7()),
            owner_kind: Set(owner.as_str().to_owned()),
            owner_id: Set(owner_id),
            custodianship_id: Set(custodianship_id),
            file_name: Set(name),
            content_type: Set(content_type.to_owned()),
            size_bytes: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
            sm3: Set(digest),
            uploaded_by: Set(viewer.username.chars().take(64).collect()),
            at: Set(Utc::now()),
        }
        .insert(conn)
        .await?)
    }

    /// The custodianship a file's owner belongs to, if the caller may add to it: a receipt by
    /// the custodian (or the street-town's admins); alert material by those who handle it.
    async fn owner_for_upload(
        &self,
        owner: FileOwner,
        owner_id: Uuid,
    ) -> DomainResult<custodianship::Model> {
        let viewer = self.caller.viewer()?;
        let conn = self.p.db.conn();
        match owner {
            FileOwner::Spending => {
                let r = spending_record::Entity::find_by_id(owner_id)
                    .one(conn)
                    .await?
                    .ok_or(DomainError::NotFound {
                        what: "支出记录"
                    })?;
                let c = self.row(conn, r.custodianship_id).await.map_err(|_| {
                    DomainError::NotFound {
                        what: "支出记录"
                    }
                })?;
                let street_admin = viewer.role == Role::StreetAdmin
                    && viewer.region.as_ref().map(|r| r.as_str())
                        == Some(c.ward_street_code.as_str());
                if c.custodian_account_id != viewer.account_id && !street_admin {
                    return Err(DomainError::Forbidden("支出凭证由代管人上传"));
                }
                Ok(c)
            }
            FileOwner::Alert => {
                let a = self.alert(owner_id).await?;
                let c = self.row(conn, a.row.custodianship_id).await?;
                Ok(c)
            }
        }
    }

    /// 上传附件 to a spending record (a receipt) or an alert (material).
    pub async fn attach_file(
        &self,
        owner: FileOwner,
        owner_id: Uuid,
        file_name: &str,
        bytes: &[u8],
    ) -> DomainResult<CustodyFile> {
        self.audited("custody.file.upload", owner_id.to_string(), async {
            let (name, content_type) = self.checked_file(file_name, bytes)?;
            let c = self.owner_for_upload(owner, owner_id).await?;
            let count = custody_file::Entity::find()
                .filter(custody_file::Column::OwnerId.eq(owner_id))
                .count(self.p.db.conn())
                .await?;
            if count >= MAX_FILES {
                return Err(DomainError::bad_input(
                    "file",
                    format!("每条记录最多{MAX_FILES}个附件"),
                ));
            }
            let w = self.p.db.begin_write().await?;
            let row = self
                .store_file(&w.txn, owner, owner_id, c.id, name, content_type, bytes)
                .await?;
            self.append(
                &w.txn,
                "custody.file.upload",
                c.id,
                format!(
                    "file={} owner={}:{} type={content_type} bytes={}",
                    row.id,
                    owner.as_str(),
                    owner_id,
                    bytes.len()
                ),
            )
            .await?;
            w.commit().await?;
            Ok(row.into())
        })
        .await
    }

    /// The files of many records or alerts (one query), oldest first.
    pub async fn files_of(
        &self,
        owners: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Vec<CustodyFile>>> {
        let mut out: std::collections::HashMap<Uuid, Vec<CustodyFile>> =
            std::collections::HashMap::new();
        if owners.is_empty() {
            return Ok(out);
        }
        for f in custody_file::Entity::find()
            .filter(custody_file::Column::OwnerId.is_in(owners.iter().copied()))
            .order_by_asc(custody_file::Column::Id)
            .all(self.p.db.conn())
            .await?
        {
            out.entry(f.owner_id).or_default().push(f.into());
        }
        Ok(out)
    }

    /// 下载附件: for those who see its custodianship (a receipt) or its alert (material); the
    /// digest is re-checked and the download audited.
    pub async fn download_file(&self, id: Uuid) -> DomainResult<(CustodyFile, Vec<u8>)> {
        self.audited("custody.file.download", id.to_string(), async {
            let conn = self.p.db.conn();
            let f = custody_file::Entity::find_by_id(id)
                .one(conn)
                .await?
                .ok_or(DomainError::NotFound { what: "附件" })?;
            match FileOwner::from_stored(&f.owner_kind) {
                FileOwner::Spending => {
                    self.row(conn, f.custodianship_id)
                        .await
                        .map_err(|_| DomainError::NotFound { what: "附件" })?;
                }
                FileOwner::Alert => {
                    self.alert(f.owner_id)
                        .await
                        .map_err(|_| DomainError::NotFound { what: "附件" })?;
                }
            }
            let bytes =
                self.p.blobs.get(&f.sm3).await?.ok_or_else(|| {
                    DomainError::internal("custody file missing from the blob store")
                })?;
            if sm3_hex(&bytes) != f.sm3 {
                return Err(DomainError::internal(
                    "custody file does not match its digest",
                ));
            }
            let w = self.p.db.begin_write().await?;
            self.append(
                &w.txn,
                "custody.file.download",
                f.custodianship_id,
                format!("file={}", f.id),
            )
            .await?;
            w.commit().await?;
            Ok((f.into(), bytes))
        })
        .await
    }
}
