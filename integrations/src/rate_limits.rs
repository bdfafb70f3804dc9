//! Rate limiters: in process with `governor` (GCRA, the embedded default), or a fixed one-minute
//! window in Redis (`INCR` + `EXPIRE`), shared by every node.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Governor};
use zhucan_domain::limits::RateLimiter;

type Keyed = Governor<String, DefaultKeyedStateStore<String>, DefaultClock>;

/// One node's limiter.
pub struct InProcessLimiter {
    // One governor per quota (the quota is part of the limiter in governor).
    limiters: Mutex<Vec<(u32, std::sync::Arc<Keyed>)>>,
    clock: DefaultClock,
}

impl Default for InProcessLimiter {
    fn default() -> Self {
        Self {
            limiters: Mutex::new(Vec::new()),
            clock: DefaultClock::default(),
        }
    }
}

impl InProcessLimiter {
    fn limiter(&self, per_minute: u32) -> Option<std::sync::Arc<Keyed>> {
        let n = NonZeroU32::new(per_minute)?;
        let mut all = self.limiters.lock().ok()?;
        if let Some((_, l)) = all.iter().find(|(q, _)| *q == per_minute) {
            return Some(l.clone());
        }
        let l = std::sync::Arc::new(Governor::keyed(Quota::per_minute(n)));
        all.push((per_minute, l.clone()));
        Some(l)
    }
}

#[async_trait::async_trait]
impl RateLimiter for InProcessLimiter {
    async fn check(&self, key: &str, per_minute: u32) -> Result<(), Duration> {
        let Some(l) = self.limiter(per_minute) else {
            return Ok(());
        };
        // Forget idle keys now and then, so the map does not grow with every IP ever seen.
        if l.len() > 100_000 {
            l.retain_recent();
        }
        l.check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// The limiter shared by every node through Redis.
pub struct RedisLimiter {
    conn: redis::aio::ConnectionManager,
    prefix: String,
}

impl RedisLimiter {
    /// Connect; keys are `prefix:key:minute`.
    pub async fn connect(url: &str, prefix: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        Ok(Self {
            conn: client.get_connection_manager().await?,
            prefix: prefix.to_owned(),
        })
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisLimiter {
    async fn check(&self, key: &str, per_minute: u32) -> Result<(), Duration> {
        if per_minute == 0 {
            return Ok(());
        }
        let now = chrono::Utc::now().timestamp();
        let window = now.div_euclid(60);
        let k = format!("{}:{key}:{window}", self.prefix);
        let mut conn = self.conn.clone();
        let counted: redis::RedisResult<(u64,)> = redis::pipe()
            .atomic()
            .incr(&k, 1u64)
            .expire(&k, 120)
            .ignore()
            .query_async(&mut conn)
            .await;
        match counted {
            Ok((n,)) if n > u64::from(per_minute) => {
                let left = 60 - now.rem_euclid(60);
                Err(Duration::from_secs(
                    u64::try_from(left).unwrap_or(60).max(1),
                ))
            }
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "rate limiter unavailable: request let through");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_in_process_limiter_refuses_past_the_quota_with_a_wait() {
        let l = InProcessLimiter::default();
        for _ in 0..5 {
            assert!(l.check("ip:1", 5).await.is_ok());
        }
        let wait = l.check("ip:1", 5).await.unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(12),
            "{wait:?}"
        );
        assert!(l.check("ip:2", 5).await.is_ok(), "keys are separate");
        assert!(l.check("ip:1", 0).await.is_ok(), "0 means no limit");
    }
}
