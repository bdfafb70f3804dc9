//! Binary objects (follow-up materials) behind a trait: local disk by default, an object store
//! later. Objects are content-addressed by their SM3 digest, so the same file stored twice is one
//! object and a stored object can be checked against its name.

use std::path::PathBuf;

use sm3::{Digest, Sm3};

use crate::error::{DomainError, DomainResult};

/// Where objects live.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// Store `bytes` under `key` (idempotent).
    async fn put(&self, key: &str, bytes: &[u8]) -> DomainResult<()>;
    /// The object under `key`, if any.
    async fn get(&self, key: &str) -> DomainResult<Option<Vec<u8>>>;
}

/// SM3 digest of `bytes`, lower-case hex (64 characters).
pub fn sm3_hex(bytes: &[u8]) -> String {
    hex::encode(Sm3::digest(bytes))
}

/// Objects as files under a directory, two levels of fan-out by digest prefix.
pub struct LocalBlobStore {
    dir: PathBuf,
}

impl LocalBlobStore {
    /// A store rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path(&self, key: &str) -> DomainResult<PathBuf> {
        if key.len() != 64 || !key.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(DomainError::internal("blob key is not an SM3 digest"));
        }
        Ok(self.dir.join(&key[..2]).join(key))
    }
}

#[async_trait::async_trait]
impl BlobStore for LocalBlobStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> DomainResult<()> {
        let path = self.path(key)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(DomainError::internal)?;
        }
        // Write then rename, so a reader never sees half a file.
        let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::now_v7().simple()));
        tokio::fs::write(&tmp, bytes)
            .await
            .map_err(DomainError::internal)?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(DomainError::internal)
    }

    async fn get(&self, key: &str) -> DomainResult<Option<Vec<u8>>> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(DomainError::internal(e)),
        }
    }
}

/// The content type of a file from its first bytes: JPEG, PNG or PDF; anything else is refused.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_of_abc_is_the_gbt_32905_vector() {
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(b"MZ\x90\x00"), None);
    }

    #[tokio::test]
    async fn stores_by_digest_and_refuses_other_keys() {
        let dir = std::env::temp_dir().join(format!("zhucan-blob-{}", uuid::Uuid::now_v7()));
        let store = LocalBlobStore::new(&dir);
        let key = sm3_hex(b"hello");
        store.put(&key, b"hello").await.unwrap();
        store.put(&key, b"hello").await.unwrap();
        assert_eq!(
            store.get(&key).await.unwrap().as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(store.get(&sm3_hex(b"other")).await.unwrap(), None);
        assert!(store.get("../../etc/passwd").await.is_err());
        std::fs::remove_dir_all(dir).ok();
    }
}
