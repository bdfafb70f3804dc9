//! Automatic Persisted Queries (Apollo protocol): a request may carry
//! `extensions.persistedQuery { version: 1, sha256Hash }` instead of the document. An unknown hash
//! answers `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`), and the client retries with
//! the document and the hash, which is checked and kept (shared across nodes via Redis). The
//! document text replaces the hash before parsing, so every document limit applies to it as to
//! any other request.

use async_graphql::{Request, ServerError, ServerResult};
use sha2::{Digest, Sha256};
use zhucan_domain::persisted::QueryStore;
use zhucan_resolvers::error::codes;

/// A server-made error: it concerns no position in the document, so it has no `locations`.
fn error(message: &str, code: &'static str) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code);
    e.extensions = Some(ext);
    e
}

/// Replace a request's `persistedQuery` hash by its document, or keep a new document under its
/// hash. A request without the extension is left as it is.
pub(crate) async fn resolve(store: &dyn QueryStore, request: &mut Request) -> ServerResult<()> {
    let Some(value) = request.extensions.remove("persistedQuery") else {
        return Ok(());
    };
    let json = value
        .into_json()
        .map_err(|_| error("persistedQuery 格式无效", codes::BAD_USER_INPUT))?;
    let version = json.get("version").and_then(serde_json::Value::as_i64);
    let hash = json
        .get("sha256Hash")
        .and_then(serde_json::Value::as_str)
        .map(str::to_ascii_lowercase)
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    let (Some(1), Some(hash)) = (version, hash) else {
        return Err(error(
            "persistedQuery 须为 version 1 与64位十六进制 sha256Hash",
            codes::BAD_USER_INPUT,
        ));
    };
    if request.query.trim().is_empty() {
        match store.get(&hash).await {
            Some(query) => request.query = query,
            None => {
                return Err(error(
                    "PersistedQueryNotFound",
                    codes::PERSISTED_QUERY_NOT_FOUND,
                ));
            }
        }
    } else {
        let actual = hex::encode(Sha256::digest(request.query.as_bytes()));
        if actual != hash {
            return Err(error(
                "provided sha does not match query",
                codes::BAD_USER_INPUT,
            ));
        }
        // Only documents that parse are kept.
        if async_graphql::parser::parse_query(&request.query).is_ok() {
            store.put(&hash, &request.query).await;
        }
    }
    Ok(())
}
