//! The cockpit of one node: the counters in memory, kept current by reading only the rows that
//! changed, and the figures of every region, published on a watch channel that every screen of
//! this node reads. However many screens watch, a push costs one statement.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement, Value};
use tokio::sync::{Mutex, watch};
use zhucan_migrations::cockpit::METRICS;

use super::{Figures, Today, rollup};
use crate::db::Db;
use crate::error::DomainResult;
use crate::region::RegionDirectory;
use crate::types::CITY_CODE;

/// A row changed this long before the newest one seen is read again: a transaction that stamps
/// a counter and commits later than this is picked up by the next full read.
const OVERLAP_MS: i64 = 10_000;
/// How often the counters are read whole (the backstop for very long transactions).
const FULL_READ_EVERY: Duration = Duration::from_secs(60);

/// The figures of a region and of each region under it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionView {
    /// The region.
    pub code: String,
    /// Its figures.
    pub figures: Figures,
    /// Its districts (the city) or street-towns (a district), with their figures.
    pub areas: Vec<(String, Figures)>,
    /// When the counters were read.
    pub as_of: DateTime<Utc>,
}

/// The figures of every region at one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    views: HashMap<String, Arc<RegionView>>,
    as_of: Option<DateTime<Utc>>,
}

impl Snapshot {
    /// The view of `code` (empty figures for a region with nothing counted yet).
    pub fn view(&self, code: &str) -> Arc<RegionView> {
        self.views.get(code).cloned().unwrap_or_else(|| {
            Arc::new(RegionView {
                code: code.to_owned(),
                figures: Figures::default(),
                areas: Vec::new(),
                as_of: self.as_of.unwrap_or_else(Utc::now),
            })
        })
    }
}

type Key = (String, String, String);

#[derive(Default)]
struct State {
    counters: HashMap<Key, (i64, i64)>,
    /// The newest `updated_ms` read.
    watermark: Option<i64>,
    /// When and for which year the counters were last read whole.
    full: Option<(Instant, String)>,
    today: Option<Today>,
    /// Set by a reconciliation: read everything next time.
    stale: bool,
}

/// The cockpit of this node.
pub struct Hub {
    config: super::CockpitConfig,
    state: Mutex<State>,
    tx: watch::Sender<Arc<Snapshot>>,
    reads: std::sync::atomic::AtomicU64,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(super::CockpitConfig::default())
    }
}

impl Hub {
    /// A hub that has read nothing yet.
    pub fn new(config: super::CockpitConfig) -> Self {
        Self {
            config,
            state: Mutex::default(),
            tx: watch::Sender::new(Arc::new(Snapshot::default())),
            reads: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Screens are pushed at most this often.
    pub fn push_interval(&self) -> Duration {
        Duration::from_millis(self.config.push_ms.max(1))
    }

    /// Screens watching on this node (the push pass runs only when there are some).
    pub fn watchers(&self) -> usize {
        self.tx.receiver_count()
    }

    /// Statements this hub ran to read counters (a push costs one, whatever the screens).
    pub fn reads(&self) -> u64 {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The latest figures, as they change (each screen of this node holds one receiver).
    pub fn watch(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.tx.subscribe()
    }

    /// Read everything at the next refresh (after a reconciliation rewrote counters).
    pub async fn invalidate(&self) {
        self.state.lock().await.stale = true;
    }

    /// Read what changed since the last read, recompute the figures if anything did (or the
    /// day turned), publish them, and return the current snapshot.
    pub async fn refresh(&self, db: &Db, regions: &RegionDirectory) -> DomainResult<Arc<Snapshot>> {
        let mut st = self.state.lock().await;
        let today = Today::now();
        let full = st.stale
            || st.watermark.is_none()
            || st
                .full
                .as_ref()
                .is_none_or(|(at, year)| at.elapsed() >= FULL_READ_EVERY || *year != today.year);
        let since = if full {
            None
        } else {
            st.watermark.map(|w| w - OVERLAP_MS)
        };
        let rows = self.read(db, &today.year, since).await?;
        let mut changed = full || st.today.as_ref() != Some(&today);
        if full {
            let before = std::mem::take(&mut st.counters);
            for (key, value, _) in &rows {
                if before.get(key) != Some(value) {
                    changed = true;
                }
            }
            changed |= before.len() != rows.len();
            st.full = Some((Instant::now(), today.year.clone()));
            st.stale = false;
        }
        for (key, value, updated) in rows {
            st.watermark = Some(st.watermark.map_or(updated, |w| w.max(updated)));
            if st.counters.insert(key, value) != Some(value) {
                changed = true;
            }
        }
        if st.watermark.is_none() {
            // Nothing counted yet: read from the start next time too, but not whole.
            st.watermark = Some(0);
        }
        if changed {
            let snapshot = Arc::new(compute(&st.counters, &today, regions));
            st.today = Some(today);
            self.tx.send_replace(snapshot.clone());
            Ok(snapshot)
        } else {
            Ok(self.tx.borrow().clone())
        }
    }

    async fn read(
        &self,
        db: &Db,
        year: &str,
        since: Option<i64>,
    ) -> DomainResult<Vec<(Key, (i64, i64), i64)>> {
        // State metrics whole; period metrics from this year on (older days and months are kept
        // for the record but no indicator shows them).
        let states: Vec<String> = METRICS
            .iter()
            .filter(|m| !m.bucket.is_period())
            .map(|m| format!("'{}'", m.code))
            .collect();
        let backend = db.backend();
        let p = |n: usize| match backend {
            sea_orm::DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        };
        let mut sql = format!(
            "SELECT metric, region_code, bucket, value, amount, updated_ms FROM cockpit_counters \
             WHERE (metric IN ({}) OR bucket >= {})",
            states.join(", "),
            p(1)
        );
        let mut values: Vec<Value> = vec![year.to_owned().into()];
        if let Some(since) = since {
            sql.push_str(&format!(" AND updated_ms >= {}", p(2)));
            values.push(since.into());
        }
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let rows = db
            .conn()
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok((
                    (
                        r.try_get::<String>("", "metric")?,
                        r.try_get::<String>("", "region_code")?,
                        r.try_get::<String>("", "bucket")?,
                    ),
                    (
                        r.try_get::<i64>("", "value")?,
                        r.try_get::<i64>("", "amount")?,
                    ),
                    r.try_get::<i64>("", "updated_ms")?,
                ))
            })
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(Into::into)
    }
}

/// Sum the counters into the figures of every region, and each region's view of its children.
fn compute(
    counters: &HashMap<Key, (i64, i64)>,
    today: &Today,
    regions: &RegionDirectory,
) -> Snapshot {
    let mut figures: HashMap<&str, Figures> = HashMap::new();
    for ((metric, region, bucket), (value, amount)) in counters {
        if *value == 0 && *amount == 0 {
            continue;
        }
        for code in rollup(region) {
            figures
                .entry(code)
                .or_default()
                .add(metric, bucket, *value, *amount, today);
        }
    }
    let as_of = Utc::now();
    let of = |code: &str| figures.get(code).cloned().unwrap_or_default();
    let mut views = HashMap::new();
    let mut add = |code: &str, children: Vec<&crate::region::Region>| {
        let areas = children
            .iter()
            .map(|c| (c.code.as_str().to_owned(), of(c.code.as_str())))
            .collect();
        views.insert(
            code.to_owned(),
            Arc::new(RegionView {
                code: code.to_owned(),
                figures: of(code),
                areas,
                as_of,
            }),
        );
    };
    let districts = regions.children(None);
    for d in &districts {
        let streets = regions.children(Some(d.code.as_str()));
        for s in &streets {
            add(s.code.as_str(), Vec::new());
        }
        add(d.code.as_str(), streets);
    }
    add(CITY_CODE, districts);
    Snapshot {
        views,
        as_of: Some(as_of),
    }
}
