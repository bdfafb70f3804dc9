//! Background work of a node, through one runner: periodic passes (guidance dispatch, outreach
//! warnings, revocation polls, audit checkpoints) and one-off jobs (免申即享 grant jobs, policy
//! push publishing). On shutdown the runner stops the passes between two runs and waits, for a
//! grace period, for jobs in flight; every failure is logged with the job's name and counted.
//! Jobs are written to be resumable: one cut short by a shutdown is finished by re-running it.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::error::DomainResult;

/// The runner of one node. Cheap to clone.
#[derive(Clone)]
pub struct JobRunner {
    stop: Arc<watch::Sender<bool>>,
    /// Set (SeqCst) before `shutdown` counts what is running; a pass counts itself as running,
    /// then reads it, so either shutdown waits for the pass or the pass does not start.
    stopped: Arc<AtomicBool>,
    running: Arc<AtomicUsize>,
    failures: Arc<AtomicU64>,
}

impl Default for JobRunner {
    fn default() -> Self {
        Self {
            stop: Arc::new(watch::Sender::new(false)),
            stopped: Arc::default(),
            running: Arc::default(),
            failures: Arc::default(),
        }
    }
}

/// Counts a running job until dropped.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl JobRunner {
    /// A runner with nothing running.
    pub fn new() -> Self {
        Self::default()
    }

    fn enter(&self) -> Running {
        self.running.fetch_add(1, Ordering::SeqCst);
        Running(self.running.clone())
    }

    fn failed(&self, name: &str, error: &dyn std::fmt::Display) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        tracing::error!(job = name, error = %error, "background job failed");
    }

    /// Whether the node is shutting down.
    pub fn stopping(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Run `pass` every `every` (the first run at once) until shutdown; a failed pass is
    /// reported and the next one runs as planned.
    pub fn every<F, Fut>(&self, name: &'static str, every: Duration, mut pass: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = DomainResult<()>> + Send,
    {
        let this = self.clone();
        let mut stop = self.stop.subscribe();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every.max(Duration::from_millis(1)));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    biased;
                    _ = stop.wait_for(|s| *s) => return,
                    _ = interval.tick() => {}
                }
                let _running = this.enter();
                if this.stopping() {
                    return;
                }
                if let Err(e) = pass().await {
                    this.failed(name, &e);
                }
            }
        });
    }

    /// Run a one-off job in the background; its failure is reported.
    pub fn spawn<Fut>(&self, name: &'static str, job: Fut)
    where
        Fut: Future<Output = DomainResult<()>> + Send + 'static,
    {
        let this = self.clone();
        let running = self.enter();
        tokio::spawn(async move {
            let _running = running;
            if let Err(e) = job.await {
                this.failed(name, &e);
            }
        });
    }

    /// Jobs and passes running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Failures reported since start.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Stop the periodic passes and wait up to `grace` for whatever is running; returns how
    /// many were still running when the grace period ended.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        self.stopped.store(true, Ordering::SeqCst);
        self.stop.send_replace(true);
        let deadline = tokio::time::Instant::now() + grace;
        while self.running() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.running()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DomainError;

    #[tokio::test]
    async fn passes_run_until_shutdown_and_failures_are_counted() {
        let runner = JobRunner::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = runs.clone();
        runner.every("test pass", Duration::from_millis(10), move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 1 {
                    Err(DomainError::internal("second pass fails"))
                } else {
                    Ok(())
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            runs.load(Ordering::SeqCst) >= 3,
            "the pass went on after a failure"
        );
        assert_eq!(runner.failures(), 1);
        assert_eq!(runner.shutdown(Duration::from_secs(1)).await, 0);
        let after = runs.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(runs.load(Ordering::SeqCst), after, "no pass after shutdown");
    }

    #[tokio::test]
    async fn shutdown_waits_for_a_job_in_flight_within_the_grace_period() {
        let runner = JobRunner::new();
        let done = Arc::new(AtomicUsize::new(0));
        let d = done.clone();
        runner.spawn("slow job", async move {
            tokio::time::sleep(Duration::from_millis(80)).await;
            d.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        runner.spawn("failing job", async { Err(DomainError::internal("boom")) });
        assert_eq!(runner.shutdown(Duration::from_secs(2)).await, 0);
        assert_eq!(
            done.load(Ordering::SeqCst),
            1,
            "the job finished before shutdown ended"
        );
        assert_eq!(runner.failures(), 1);
        let stuck = JobRunner::new();
        stuck.spawn("stuck job", async {
            std::future::pending::<()>().await;
            Ok(())
        });
        assert_eq!(
            stuck.shutdown(Duration::from_millis(50)).await,
            1,
            "reported, not awaited forever"
        );
    }
}
