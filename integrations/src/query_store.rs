//! Stores of persisted query documents: bounded in process, or in Redis with a TTL so that every
//! node knows a hash registered on any of them.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use zhucan_domain::persisted::QueryStore;

/// One node's store: at most `capacity` documents, the oldest forgotten first.
pub struct InProcessQueryStore {
    capacity: usize,
    inner: Mutex<(HashMap<String, String>, VecDeque<String>)>,
}

impl InProcessQueryStore {
    /// A store of at most `capacity` documents.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }
}

#[async_trait::async_trait]
impl QueryStore for InProcessQueryStore {
    async fn get(&self, sha256: &str) -> Option<String> {
        self.inner.lock().ok()?.0.get(sha256).cloned()
    }

    async fn put(&self, sha256: &str, query: &str) {
        let Ok(mut g) = self.inner.lock() else {
            return;
        };
        let (map, order) = &mut *g;
        if map.insert(sha256.to_owned(), query.to_owned()).is_none() {
            order.push_back(sha256.to_owned());
        }
        while order.len() > self.capacity {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
    }
}

/// The store shared by every node through Redis.
pub struct RedisQueryStore {
    conn: redis::aio::ConnectionManager,
    prefix: String,
    ttl_secs: u64,
}

impl RedisQueryStore {
    /// Connect; keys are `prefix:sha256`, kept `ttl_secs` after their last registration.
    pub async fn connect(url: &str, prefix: &str, ttl_secs: u64) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        Ok(Self {
            conn: client.get_connection_manager().await?,
            prefix: prefix.to_owned(),
            ttl_secs,
        })
    }
}

#[async_trait::async_trait]
impl QueryStore for RedisQueryStore {
    async fn get(&self, sha256: &str) -> Option<String> {
        let mut conn = self.conn.clone();
        redis::cmd("GET")
            .arg(format!("{}:{sha256}", self.prefix))
            .query_async::<Option<String>>(&mut conn)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "persisted query store unavailable");
                None
            })
    }

    async fn put(&self, sha256: &str, query: &str) {
        let mut conn = self.conn.clone();
        let r: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("{}:{sha256}", self.prefix))
            .arg(query)
            .arg("EX")
            .arg(self.ttl_secs)
            .query_async(&mut conn)
            .await;
        if let Err(e) = r {
            tracing::warn!(error = %e, "persisted query store unavailable");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_in_process_store_is_bounded() {
        let s = InProcessQueryStore::new(2);
        s.put("a", "{ a }").await;
        s.put("b", "{ b }").await;
        s.put("c", "{ c }").await;
        assert_eq!(s.get("a").await, None);
        assert_eq!(s.get("c").await.as_deref(), Some("{ c }"));
    }
}
