//! Persisted query documents (Automatic Persisted Queries): query text by SHA-256 hash. The
//! trait lives here; the in-process (bounded) and Redis (shared by every node) stores live in the
//! `subscriptions` crate.

/// Where persisted documents are kept.
#[async_trait::async_trait]
pub trait QueryStore: Send + Sync {
    /// The document of `sha256` (lower-case hex), if known.
    async fn get(&self, sha256: &str) -> Option<String>;
    /// Keep `query` under `sha256`.
    async fn put(&self, sha256: &str, query: &str);
}
