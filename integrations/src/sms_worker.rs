//! The SMS worker: polls `sms_outbox`, claims due rows (safe with any number of workers on any
//! number of nodes), renders them, sends them with the row id as idempotency key, and records
//! the outcome with exponential backoff. Logs carry row ids and template codes only.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use tokio::task::JoinHandle;
use zhucan_domain::crypto::FieldCipher;
use zhucan_domain::entities::sms_outbox;
use zhucan_domain::sms::{self, Backoff, SmsGateway, SmsSendError, SmsStatus};
use zhucan_domain::types::Phone;
use zhucan_domain::{Db, DomainResult};

/// The clock the worker reads (injectable for tests).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Tuning of a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsWorkerOptions {
    /// Rows claimed per pass.
    pub batch_size: u64,
    /// Sends in flight at once.
    pub concurrency: usize,
    /// How long a claim holds a row before another worker may take it over. Must exceed
    /// `batch_size / concurrency` × the gateway timeout.
    pub lease: Duration,
    /// Retry schedule.
    pub backoff: Backoff,
}

impl Default for SmsWorkerOptions {
    fn default() -> Self {
        Self {
            batch_size: 16,
            concurrency: 4,
            lease: Duration::from_secs(120),
            backoff: Backoff::default(),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Rows claimed.
    pub claimed: usize,
    /// Accepted by the gateway.
    pub sent: usize,
    /// Failed, to be retried.
    pub retrying: usize,
    /// Given up.
    pub failed: usize,
}

enum Outcome {
    Sent,
    Retrying,
    Failed,
    /// The outcome could not be recorded; the lease will expire and the row be retried (with the
    /// same idempotency key).
    Unrecorded,
}

/// Sends queued SMS.
#[derive(Clone)]
pub struct SmsWorker {
    db: Db,
    cipher: FieldCipher,
    gateway: Arc<dyn SmsGateway>,
    options: SmsWorkerOptions,
    clock: Clock,
}

impl SmsWorker {
    /// A worker with default options and the system clock.
    pub fn new(db: Db, cipher: FieldCipher, gateway: Arc<dyn SmsGateway>) -> Self {
        Self {
            db,
            cipher,
            gateway,
            options: SmsWorkerOptions::default(),
            clock: Arc::new(Utc::now),
        }
    }

    /// Replace the options.
    #[must_use]
    pub fn with_options(mut self, options: SmsWorkerOptions) -> Self {
        self.options = options;
        self
    }

    /// Replace the clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Start a worker with default options in the background, polling every `poll_interval`
    /// (and again at once while passes find full batches). Abort the handle to stop it; an SMS
    /// in flight is then retried after its lease, with the same idempotency key.
    pub fn spawn(
        db: Db,
        cipher: FieldCipher,
        gateway: Arc<dyn SmsGateway>,
        poll_interval: Duration,
    ) -> JoinHandle<()> {
        Self::new(db, cipher, gateway).start(poll_interval)
    }

    /// Start this worker in the background (see [`SmsWorker::spawn`]).
    pub fn start(self, poll_interval: Duration) -> JoinHandle<()> {
        tokio::spawn(async move {
            tracing::info!(
                poll_ms = u64::try_from(poll_interval.as_millis()).unwrap_or(u64::MAX),
                batch = self.options.batch_size,
                "SMS worker started"
            );
            loop {
                let report = self.run_pass().await;
                let full =
                    u64::try_from(report.claimed).unwrap_or(u64::MAX) >= self.options.batch_size;
                if !full {
                    tokio::time::sleep(poll_interval).await;
                }
            }
        })
    }

    /// One pass: claim due rows, send them, record the outcomes. Returns how many SMS the gateway
    /// accepted. Never fails: errors are logged and the rows retried later.
    pub async fn run_once(&self) -> usize {
        self.run_pass().await.sent
    }

    /// Passes until one finds less than a full batch; returns how many SMS the gateway accepted.
    pub async fn drain(&self) -> usize {
        let mut sent = 0;
        loop {
            let report = self.run_pass().await;
            sent += report.sent;
            if u64::try_from(report.claimed).unwrap_or(u64::MAX) < self.options.batch_size {
                return sent;
            }
        }
    }

    /// One pass, with its full report.
    pub async fn run_pass(&self) -> PassReport {
        let now = (self.clock)();
        let claimed = match sms::claim_due(
            &self.db,
            &self.cipher,
            now,
            self.options.batch_size,
            self.options.lease,
            &self.options.backoff,
        )
        .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "SMS worker: claiming due messages failed");
                return PassReport::default();
            }
        };
        let mut report = PassReport {
            claimed: claimed.len(),
            ..PassReport::default()
        };
        let outcomes: Vec<Outcome> = futures::stream::iter(claimed)
            .map(|(row, phone)| self.deliver(row, phone))
            .buffer_unordered(self.options.concurrency.max(1))
            .collect()
            .await;
        for o in outcomes {
            match o {
                Outcome::Sent => report.sent += 1,
                Outcome::Retrying => report.retrying += 1,
                Outcome::Failed => report.failed += 1,
                Outcome::Unrecorded => {}
            }
        }
        report
    }

    async fn deliver(&self, row: sms_outbox::Model, phone: Phone) -> Outcome {
        let text = match sms::render(&self.cipher, &row) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(sms_id = %row.id, template = %row.template, error = %e, "SMS cannot be rendered");
                let err = SmsSendError::Permanent("template cannot be rendered".to_owned());
                return self.record_failure(&row, &err).await;
            }
        };
        match self.gateway.send(&phone, &text, &row.id.to_string()).await {
            Ok(message_id) => {
                match sms::mark_sent(&self.db, row.id, &message_id, (self.clock)()).await {
                    Ok(_) => {
                        tracing::info!(sms_id = %row.id, template = %row.template, attempts = row.attempts, "SMS sent");
                        Outcome::Sent
                    }
                    Err(e) => {
                        tracing::error!(sms_id = %row.id, template = %row.template, error = %e, "SMS sent but not recorded; it will be retried with the same idempotency key");
                        Outcome::Unrecorded
                    }
                }
            }
            Err(err) => self.record_failure(&row, &err).await,
        }
    }

    async fn record_failure(&self, row: &sms_outbox::Model, err: &SmsSendError) -> Outcome {
        let recorded: DomainResult<Option<SmsStatus>> =
            sms::mark_failed(&self.db, row, err, (self.clock)(), &self.options.backoff).await;
        let error = sms::scrub_numbers(&err.to_string());
        match recorded {
            Ok(Some(SmsStatus::Pending)) => {
                tracing::warn!(sms_id = %row.id, template = %row.template, attempts = row.attempts, error = %error, "SMS attempt failed; will retry");
                Outcome::Retrying
            }
            Ok(Some(_)) => {
                tracing::error!(sms_id = %row.id, template = %row.template, attempts = row.attempts, error = %error, "SMS given up");
                Outcome::Failed
            }
            Ok(None) => {
                tracing::info!(sms_id = %row.id, template = %row.template, "SMS finished by another worker meanwhile");
                Outcome::Unrecorded
            }
            Err(e) => {
                tracing::error!(sms_id = %row.id, template = %row.template, error = %e, "SMS failure not recorded; it will be retried after its lease");
                Outcome::Unrecorded
            }
        }
    }
}
