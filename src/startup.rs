//! Building the application: database, migrations, keys, demo data, schema, router, listener.
//! Tests start the server through the same `Application::build` as production, on port 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{EntityTrait, PaginatorTrait};
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;
use zhucan_domain::catalog::search::SearchIndex;
use zhucan_domain::crypto::{FieldCipher, KeyMaterial, PasswordHasher, StaticKeys};
use zhucan_domain::identity::TokenService;
use zhucan_domain::region::RegionDirectory;
use zhucan_domain::{Db, Platform, demo};
use zhucan_schema::{Limits, ZhucanSchema};

use crate::config::{Profile, Settings};

/// A built, not yet running, server.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    platform: Platform,
    schema: ZhucanSchema,
    sockets: crate::http::Sockets,
}

/// Connect to the configured database and apply the migrations (nothing else is written).
pub async fn database(settings: &Settings) -> anyhow::Result<Db> {
    let url = settings.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("无法创建数据目录 {}", settings.data_dir.display()))?;
    }
    let db = Db::connect(&url, settings.database_max_connections)
        .await
        .context("无法连接数据库")?;
    zhucan_migrations::Migrator::up(db.conn(), None)
        .await
        .context("数据库迁移失败")?;
    Ok(db)
}

/// The configured keys.
pub fn keys(settings: &Settings) -> anyhow::Result<StaticKeys> {
    StaticKeys::from_material(&KeyMaterial {
        data_keys: settings.data_keys.expose().to_owned(),
        index_key: settings.index_key.expose().to_owned(),
        audit_key: settings.audit_key.expose().to_owned(),
    })
    .map_err(|e| anyhow::anyhow!("密钥配置错误: {e}"))
}

/// Connect, migrate and assemble the platform (no HTTP).
pub async fn platform(settings: &Settings) -> anyhow::Result<Platform> {
    let db = database(settings).await?;
    let keys = keys(settings)?;
    record_configuration(&db, &keys, settings)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let regions = RegionDirectory::load(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let tokens = TokenService::new(
        settings.jwt_secret.expose().as_bytes(),
        Duration::from_secs(settings.token_ttl_minutes * 60),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let bus: Arc<dyn zhucan_domain::events::EventBus> = match &settings.redis_url {
        Some(url) => Arc::new(
            zhucan_subscriptions::RedisBus::connect(url.expose(), &settings.redis_channel)
                .await
                .context("无法连接 Redis")?,
        ),
        None => Arc::new(zhucan_subscriptions::InProcessBus::new(1024)),
    };
    let limiter: Arc<dyn zhucan_domain::limits::RateLimiter> = match &settings.redis_url {
        Some(url) => Arc::new(
            zhucan_integrations::RedisLimiter::connect(
                url.expose(),
                &format!("{}:rate", settings.redis_channel),
            )
            .await
            .context("无法连接 Redis")?,
        ),
        None => Arc::new(zhucan_integrations::InProcessLimiter::default()),
    };
    let queries: Arc<dyn zhucan_domain::persisted::QueryStore> = match &settings.redis_url {
        Some(url) => Arc::new(
            zhucan_integrations::RedisQueryStore::connect(
                url.expose(),
                &format!("{}:apq", settings.redis_channel),
                24 * 3600,
            )
            .await
            .context("无法连接 Redis")?,
        ),
        None => Arc::new(zhucan_integrations::InProcessQueryStore::new(10_000)),
    };
    // Revocations in force, kept current from the bus (this node's and every other node's).
    let revocations = Arc::new(
        zhucan_domain::identity::Revocations::load(&db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    // The catalog search index: rebuilt from the database now, then kept current from the bus.
    let search = Arc::new(SearchIndex::new().map_err(|e| anyhow::anyhow!("{e}"))?);
    let indexed = search
        .rebuild(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(entries = indexed, "catalog search index built");
    let mut events = bus.subscribe();
    let noted = revocations.clone();
    let (index, index_db) = (search.clone(), db.clone());
    tokio::spawn(async move {
        use futures::StreamExt;
        while let Some(e) = events.next().await {
            noted.note(&e);
            if let zhucan_domain::events::DomainEvent::BusReconnected = &*e {
                // Revocations published while the bus was away were missed: read them all.
                if let Err(err) = noted.refresh(&index_db, None).await {
                    tracing::error!(error = %err, "could not reload revocations");
                }
            }
            if let zhucan_domain::events::DomainEvent::CatalogChanged { kind, id } = &*e {
                let kind = zhucan_domain::catalog::EntryKind::from_stored(kind);
                if let Err(err) = index.refresh(&index_db, kind, *id).await {
                    tracing::error!(error = %err, entry = %id, "could not re-index a catalog entry");
                }
            }
        }
    });
    // A trail written before heads were sealed gets its head MAC now (recorded in the trail).
    if zhucan_domain::audit::seal_head(&db, zhucan_domain::crypto::KeyProvider::audit_key(&keys))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        tracing::info!("audit chain head sealed");
    }
    let reads = zhucan_domain::audit::ReadRecorder::start(
        db.clone(),
        zhucan_domain::crypto::KeyProvider::audit_key(&keys).to_vec(),
    );
    Ok(Platform::new(zhucan_domain::PlatformParts {
        jobs: zhucan_domain::jobs::JobRunner::new(),
        reads,
        audit_checkpoint: (settings.audit_checkpoint_secs > 0)
            .then(|| settings.audit_checkpoint_path()),
        db,
        cipher: FieldCipher::new(Arc::new(keys)),
        regions: Arc::new(regions),
        tokens,
        hasher: PasswordHasher::new(settings.password_iterations),
        bus,
        revocations,
        search,
        outreach: settings.outreach()?,
        employment: zhucan_domain::employment::EmploymentConfig {
            ratio_bp: settings.employment_ratio_bp.clamp(1, 10_000),
        },
        cockpit: Arc::new(zhucan_domain::cockpit::Hub::new(
            zhucan_domain::cockpit::CockpitConfig {
                push_ms: settings.cockpit_push_ms,
            },
        )),
        subsidies: zhucan_domain::subsidy::SubsidyConfig {
            bank_file_gbk: settings.subsidy_bank_file_gbk,
        },
        custody: zhucan_domain::custody::CustodyConfig {
            escalate_after_days: settings.custody_escalate_days.max(0),
        },
        activities: zhucan_domain::activity::ActivityPolicy {
            max_no_shows: match settings.activity_no_show_max {
                0 => u64::MAX,
                n => n,
            },
            window_days: settings.activity_no_show_window_days.max(1),
            restrict_days: settings.activity_no_show_restrict_days.max(0),
        },
        limiter,
        queries,
        activity: Arc::new(zhucan_domain::identity::Activity::new(
            (settings.idle_timeout_secs > 0).then(|| {
                chrono::Duration::seconds(
                    i64::try_from(settings.idle_timeout_secs).unwrap_or(1_800),
                )
            }),
        )),
        blobs: Arc::new(zhucan_domain::blob::LocalBlobStore::new(
            settings.data_dir.join("blobs"),
        )),
        dispatch: settings.dispatch()?,
        sign_in: zhucan_domain::identity::SignInPolicy {
            require_second_factor: settings.require_second_factor,
            password_min_length: settings.password_min_length.max(1),
            password_classes: 3,
            password_history: settings.password_history,
            password_max_age_days: settings.password_max_age_days,
            accept_legacy_otp: settings.otp_accept_legacy,
        },
        lockout: zhucan_domain::identity::LockoutPolicy {
            max_failures: i32::try_from(settings.lockout_max_failures.max(1)).unwrap_or(5),
            lock_for: chrono::Duration::minutes(
                i64::try_from(settings.lockout_minutes).unwrap_or(15),
            ),
        },
    }))
}

/// Configuration changes are audited (等保 8.1.4.3): at start, a digest of the settings (secrets
/// only as HMAC-SM3 fingerprints under the audit key, never their values) is compared with the
/// last one recorded; a new or changed configuration appends a `config.loaded` record.
async fn record_configuration(
    db: &Db,
    keys: &StaticKeys,
    settings: &Settings,
) -> zhucan_domain::DomainResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use zhucan_domain::crypto::{KeyProvider, hmac_sm3};
    use zhucan_domain::entities::audit_record;
    let audit_key = keys.audit_key();
    let fingerprint = |secret: &str| {
        hex::encode(&hmac_sm3(audit_key, &[b"config-secret", secret.as_bytes()])[..8])
    };
    // `Debug` of the settings prints secrets as `***`; their fingerprints stand in for them.
    let described = format!(
        "{settings:?}|data_keys={}|index_key={}|jwt={}",
        fingerprint(settings.data_keys.expose()),
        fingerprint(settings.index_key.expose()),
        fingerprint(settings.jwt_secret.expose()),
    );
    let digest = hex::encode(&hmac_sm3(audit_key, &[b"config", described.as_bytes()])[..16]);
    let last = audit_record::Entity::find()
        .filter(audit_record::Column::Operation.eq("config.loaded"))
        .order_by_desc(audit_record::Column::Seq)
        .one(db.conn())
        .await?;
    let previous = last
        .as_ref()
        .and_then(|r| {
            r.detail
                .split_whitespace()
                .find_map(|p| p.strip_prefix("digest="))
        })
        .map(str::to_owned);
    if previous.as_deref() == Some(digest.as_str()) {
        return Ok(());
    }
    let w = db.begin_write().await?;
    zhucan_domain::audit::append(
        &w.txn,
        audit_key,
        &zhucan_domain::audit::Actor::system("startup"),
        zhucan_domain::audit::AuditEntry {
            operation: "config.loaded",
            object_type: "configuration",
            object_id: format!("{:?}", settings.profile),
            result: "SUCCESS".to_owned(),
            detail: format!(
                "digest={digest} previous={}",
                previous.unwrap_or_else(|| "none".to_owned())
            ),
        },
    )
    .await?;
    w.commit().await
}

/// A progress bar on stderr for long seeding; with JSON logs, a hidden bar whose progress the
/// caller reports as log events instead (JSON logs carry nothing but JSON).
pub fn progress_bar(total: u64, what: &str) -> ProgressBar {
    if crate::telemetry::is_json() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style =
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_owned());
    bar
}

/// Seed `count` demo people with a progress bar; returns how many were inserted.
pub async fn seed_people(platform: &Platform, seed: u64, count: u64) -> anyhow::Result<u64> {
    let bar = progress_bar(count, "生成演示残疾人数据");
    let started = std::time::Instant::now();
    let n = demo::seed_people(
        &platform.db,
        &platform.cipher,
        &platform.regions,
        seed,
        count,
        1_000,
        |done| {
            bar.set_position(done);
            if crate::telemetry::is_json() && (done % 20_000 == 0 || done == count) {
                tracing::info!(done, total = count, "seeding demo people");
            }
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish();
    tracing::info!(
        persons = n,
        seconds = started.elapsed().as_secs_f64(),
        "demo people seeded"
    );
    Ok(n)
}

/// Seed the demo catalog (policies, service items with rules, institutions), run its
/// 免申即享 grants and a month of service records; then rebuild the search index.
pub async fn seed_catalog(platform: &Platform) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let report = demo::seed_catalog(platform, |what| tracing::info!("{what}"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let indexed = platform
        .search
        .rebuild(&platform.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        policies = report.policies,
        services = report.services,
        institutions = report.institutions,
        granted = report.granted,
        records = report.records,
        indexed,
        seconds = started.elapsed().as_secs_f64(),
        "demo catalog seeded"
    );
    Ok(())
}

/// On the first start of the embedded default: demo accounts and people.
async fn seed_demo_if_empty(platform: &Platform, settings: &Settings) -> anyhow::Result<()> {
    if settings.profile != Profile::Embedded || !settings.demo_data {
        return Ok(());
    }
    let accounts = zhucan_domain::entities::account::Entity::find()
        .count(platform.db.conn())
        .await?;
    if accounts > 0 {
        return Ok(());
    }
    tracing::info!(
        "first start: seeding demo accounts and {} demo people",
        settings.demo_persons
    );
    demo::seed_demo_accounts(
        &platform.db,
        &platform.cipher,
        &platform.regions,
        &platform.hasher,
        settings.demo_password.expose(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    demo::seed_admin_phones(platform)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    demo::seed_demo_volunteers(platform, settings.demo_password.expose())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    seed_people(platform, settings.demo_seed, settings.demo_persons).await?;
    seed_catalog(platform).await?;
    let citizen = zhucan_domain::identity::AccountRepo::new(&platform.db)
        .by_username("citizen_demo")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .and_then(|a| a.person_id);
    let n = demo::seed_demo_activities(platform, citizen)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let indexed = platform
        .search
        .rebuild(&platform.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(activities = n, indexed, "demo activities seeded");
    let custody = demo::seed_demo_custody(platform, settings.demo_password.expose())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(custodianships = custody, "demo custodianships seeded");
    let answered = demo::seed_demo_surveys(platform)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(submissions = answered, "demo questionnaires seeded");
    let placed = demo::seed_demo_care(platform)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        placements = placed,
        "demo care places and placements seeded"
    );
    let applications = demo::seed_demo_employment(platform, settings.demo_password.expose())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        applications,
        "demo enterprises, fairs, jobs and applications seeded"
    );
    let started = std::time::Instant::now();
    let batches = demo::seed_demo_subsidies(platform)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        batches,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo subsidy types, bank accounts and twelve months of batches seeded"
    );
    seed_demo_clients(platform).await?;
    Ok(())
}

/// The manifests of `clients/third-party/`, built into the binary for the demo.
pub const DEMO_CLIENT_MANIFESTS: [&str; 2] = [
    include_str!("../clients/third-party/pudong-flagship.json"),
    include_str!("../clients/third-party/suishenban.json"),
];
/// The demo clients' published secret (embedded default only; README).
pub const DEMO_CLIENT_SECRET: &str = "zhucan-demo-client-secret";

/// Register the demo third-party clients with the published demo secret.
pub async fn seed_demo_clients(platform: &Platform) -> anyhow::Result<()> {
    let caller = zhucan_domain::Caller::console("seed demo clients");
    let partners = zhucan_domain::partners::PartnerService::new(platform, &caller);
    for text in DEMO_CLIENT_MANIFESTS {
        let m = zhucan_domain::partners::Manifest::parse(platform, text)
            .map_err(|e| anyhow::anyhow!("demo manifest: {e}"))?;
        partners
            .register(&m, false, Some(DEMO_CLIENT_SECRET))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

/// The schema with the configured limits (the server's; in-process benches use it too).
pub fn schema(settings: &Settings, platform: Platform) -> ZhucanSchema {
    let limits = Limits {
        complexity: settings.max_complexity,
        introspection: settings.introspection,
        armor: zhucan_schema::ArmorLimits {
            max_document_bytes: settings.max_document_bytes,
            max_tokens: settings.max_tokens,
            max_aliases: settings.max_aliases,
            max_directives: settings.max_directives,
            max_depth: settings.max_depth,
            ..zhucan_schema::ArmorLimits::default()
        },
    };
    zhucan_schema::build(platform, limits)
}

impl Application {
    /// Build everything and bind the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let platform = platform(&settings).await?;
        seed_demo_if_empty(&platform, &settings).await?;
        Self::build_with(settings, platform).await
    }

    /// Build around an existing platform (tests that prepare data first).
    pub async fn build_with(settings: Settings, platform: Platform) -> anyhow::Result<Self> {
        let schema = schema(&settings, platform.clone());
        let sockets = crate::http::Sockets::default();
        let router =
            crate::http::router(&settings, schema.clone(), platform.clone(), sockets.clone());
        let listener = TcpListener::bind(settings.http_addr)
            .await
            .with_context(|| format!("无法监听 {}", settings.http_addr))?;
        spawn_background(&settings, &platform)?;
        Ok(Self {
            listener,
            router,
            platform,
            schema,
            sockets,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// The platform (tests use it to arrange data).
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The schema.
    pub fn schema(&self) -> &ZhucanSchema {
        &self.schema
    }

    /// Serve until the process is stopped (Ctrl-C or SIGTERM).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serve until `stop` resolves: then refuse new connections, let requests in flight finish,
    /// close every WebSocket with 1001 (going away) and wait up to five seconds for them, then stop
    /// the background passes and give jobs in flight ten seconds.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let sockets = self.sockets.clone();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(async move {
                stop.await;
                sockets.shut_down();
            })
            .await?;
        self.sockets.closed(Duration::from_secs(5)).await;
        // Background passes stop; jobs in flight (grant jobs, publishing) get a grace period
        // and are resumable if cut short.
        let left = self.platform.jobs.shutdown(Duration::from_secs(10)).await;
        if left > 0 {
            tracing::warn!(
                jobs = left,
                "background jobs still running at shutdown; they resume when re-run"
            );
        }
        Ok(())
    }
}

/// Background work of every node, on the platform's job runner: the revocation poll, audit
/// checkpoints, outreach warnings, the guidance dispatcher and the SMS outbox. Each is safe to
/// run on any number of nodes (conditional updates decide who does each step); on shutdown the
/// runner stops them between two passes.
fn spawn_background(settings: &Settings, platform: &Platform) -> anyhow::Result<()> {
    let jobs = &platform.jobs;
    if settings.revocation_poll_secs > 0 {
        // The backstop for a bus that lost messages: revocations made since the last pass (with
        // a margin for clocks and commit order) are read from the database.
        let p = platform.clone();
        let every = Duration::from_secs(settings.revocation_poll_secs);
        let margin = chrono::Duration::from_std(every * 3)
            .unwrap_or_else(|_| chrono::Duration::minutes(1))
            + chrono::Duration::seconds(30);
        jobs.every("revocation poll", every, move || {
            let p = p.clone();
            async move {
                let since = chrono::Utc::now() - margin;
                p.revocations.refresh(&p.db, Some(since)).await.map(|_| ())
            }
        });
    }
    if let Some(path) = platform.audit_checkpoint.clone() {
        // Signed checkpoints of the audit chain, outside the database (rollback detection).
        let p = platform.clone();
        let every = Duration::from_secs(settings.audit_checkpoint_secs.max(1));
        jobs.every("audit checkpoint", every, move || {
            let (p, path) = (p.clone(), path.clone());
            async move {
                let state =
                    zhucan_domain::audit::checkpoint::write(&p.db, p.audit_key(), &path).await?;
                if let Some(problem) = state.problem() {
                    tracing::error!(problem = %problem, file = %path.display(), "audit checkpoint kept: the database disagrees with it");
                }
                Ok(())
            }
        });
    }
    if settings.outreach_tick_secs > 0 {
        let p = platform.clone();
        let every = Duration::from_secs(settings.outreach_tick_secs);
        jobs.every("outreach warnings", every, move || {
            let p = p.clone();
            async move {
                let r = zhucan_domain::outreach::tick(&p, chrono::Utc::now()).await?;
                if r != zhucan_domain::outreach::TickReport::default() {
                    tracing::info!(
                        raised = r.raised,
                        escalated = r.escalated,
                        resolved = r.resolved,
                        "outreach warnings"
                    );
                }
                Ok(())
            }
        });
    }
    {
        // 领导驾驶舱: read the counters that changed and push the screens of this node, one
        // statement per interval whatever their number; nothing while no screen watches.
        let p = platform.clone();
        jobs.every("cockpit push", p.cockpit.push_interval(), move || {
            let p = p.clone();
            async move {
                if p.cockpit.watchers() > 0 {
                    p.cockpit.refresh(&p.db, &p.regions).await?;
                }
                Ok(())
            }
        });
    }
    if settings.cockpit_reconcile_check_secs > 0 {
        // The nightly recount (02:30 Shanghai) on whichever node sees it due first; the first
        // check waits one interval (the migration filled the counters from the tables).
        let p = platform.clone();
        let every = Duration::from_secs(settings.cockpit_reconcile_check_secs);
        let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        jobs.every("cockpit reconciliation", every, move || {
            let (p, started) = (p.clone(), started.clone());
            async move {
                if !started.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    return Ok(());
                }
                if zhucan_domain::cockpit::nightly_due(&p.db, chrono::Utc::now()).await? {
                    let actor =
                        zhucan_domain::audit::Actor::system("cockpit nightly reconciliation");
                    zhucan_domain::cockpit::reconcile(
                        &p,
                        &actor,
                        zhucan_domain::cockpit::ReconcileReason::Nightly,
                    )
                    .await?;
                }
                Ok(())
            }
        });
    }
    if settings.custody_tick_secs > 0 {
        let p = platform.clone();
        let every = Duration::from_secs(settings.custody_tick_secs);
        jobs.every("custody alert escalation", every, move || {
            let p = p.clone();
            async move {
                let r = zhucan_domain::custody::escalate(&p, chrono::Utc::now()).await?;
                if r.escalated > 0 {
                    tracing::info!(escalated = r.escalated, "custody alerts escalated");
                }
                Ok(())
            }
        });
    }
    if settings.survey_tick_secs > 0 {
        let p = platform.clone();
        let every = Duration::from_secs(settings.survey_tick_secs);
        jobs.every("questionnaire reminders", every, move || {
            let p = p.clone();
            async move {
                let n = zhucan_domain::survey::remind(&p, chrono::Utc::now()).await?;
                if n > 0 {
                    tracing::info!(reminded = n, "questionnaire reminders queued");
                }
                Ok(())
            }
        });
    }
    if settings.activity_tick_secs > 0 {
        let p = platform.clone();
        let every = Duration::from_secs(settings.activity_tick_secs);
        jobs.every("activity states", every, move || {
            let p = p.clone();
            async move {
                let steps =
                    zhucan_domain::activity::advance_and_reindex(&p, chrono::Utc::now()).await?;
                if steps > 0 {
                    tracing::info!(steps, "activity states advanced");
                }
                Ok(())
            }
        });
    }
    if settings.guidance_tick_secs > 0 {
        let p = platform.clone();
        let every = Duration::from_secs(settings.guidance_tick_secs);
        jobs.every("guidance dispatch", every, move || {
            let p = p.clone();
            async move {
                let r = zhucan_domain::guidance::tick(&p, chrono::Utc::now()).await?;
                if r != zhucan_domain::guidance::TickReport::default() {
                    tracing::info!(
                        widened = r.widened,
                        escalated = r.escalated,
                        expired = r.expired,
                        "guidance dispatch"
                    );
                }
                Ok(())
            }
        });
    }
    if let Some(url) = &settings.sms_gateway_url {
        let gateway = zhucan_integrations::HttpSmsGateway::new(url, settings.sms_api_key.expose())
            .map_err(|e| anyhow::anyhow!("短信网关配置错误: {e}"))?;
        let worker = Arc::new(zhucan_integrations::SmsWorker::new(
            platform.db.clone(),
            platform.cipher.clone(),
            Arc::new(gateway),
        ));
        let every = Duration::from_secs(settings.sms_poll_secs.max(1));
        tracing::info!(poll_secs = every.as_secs(), "SMS worker started");
        jobs.every("sms outbox", every, move || {
            let worker = worker.clone();
            async move {
                // Passes follow at once while they find full batches.
                worker.drain().await;
                Ok(())
            }
        });
    } else {
        tracing::info!("sms_gateway_url not set: SMS stay queued in the outbox");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
