//! Layered settings: built-in defaults → `zhucan.toml` (optional) → `ZHUCAN_*` environment
//! variables. Unknown keys are an error. Secrets live in `Secret`, whose `Debug` never prints
//! the value.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use zhucan_domain::crypto::{DEMO_AUDIT_KEY, DEMO_DATA_KEY, DEMO_INDEX_KEY};

/// A secret value: usable, never printed.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value.
    pub fn new(v: impl Into<String>) -> Self {
        Self(v.into())
    }
    /// Use the value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// Deployment profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// One process, SQLite, in-process bus, demo data.
    Embedded,
    /// PostgreSQL (+ Redis), real keys, no demo data, no GraphiQL.
    Production,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Demo JWT signing secret of the embedded default.
pub const DEMO_JWT_SECRET: &str = "zhucan-demo-jwt-secret-not-for-production-use";
/// Demo password of the embedded default's accounts.
pub const DEMO_PASSWORD: &str = "Zhucan@2026";

/// Every setting. Environment variable = `ZHUCAN_` + the key in upper case.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// `embedded` (default) or `production`.
    pub profile: Profile,
    /// Listen address.
    pub http_addr: SocketAddr,
    /// Directory of the SQLite file and other local state.
    pub data_dir: PathBuf,
    /// Database URL; default: SQLite file `zhucan.db` in `data_dir`.
    pub database_url: Option<Secret>,
    /// Connection pool size.
    pub database_max_connections: u32,
    /// Redis URL; unset: in-process bus.
    pub redis_url: Option<Secret>,
    /// Redis pub/sub channel of domain events (one per deployment).
    pub redis_channel: String,
    /// Seed demo accounts and people on first start.
    pub demo_data: bool,
    /// Number of demo people seeded on first start.
    pub demo_persons: u64,
    /// Seed of the demo-data generator.
    pub demo_seed: u64,
    /// Password of every demo account.
    pub demo_password: Secret,
    /// HS256 signing secret of access tokens (≥ 32 bytes).
    pub jwt_secret: Secret,
    /// Access-token lifetime in minutes.
    pub token_ttl_minutes: u64,
    /// SM4 data keys: `version:hex32,…`; the highest version encrypts.
    pub data_keys: Secret,
    /// HMAC-SM3 blind-index key, hex (≥ 32 bytes).
    pub index_key: Secret,
    /// HMAC-SM3 audit-chain key, hex (≥ 32 bytes).
    pub audit_key: Secret,
    /// PBKDF2-HMAC-SM3 iterations for new password hashes.
    pub password_iterations: u32,
    /// Consecutive failed sign-ins that lock an account.
    pub lockout_max_failures: u32,
    /// Minutes an account stays locked.
    pub lockout_minutes: u64,
    /// Days audit records are kept before `zhucan audit prune` may remove them (at least 180).
    pub audit_retention_days: i64,
    /// File of the signed audit checkpoint, outside the database (default
    /// `data_dir/audit-checkpoint.json`).
    pub audit_checkpoint_file: Option<PathBuf>,
    /// Seconds between audit checkpoints on each node (0: none).
    pub audit_checkpoint_secs: u64,
    /// Seconds between reloads of revocations from the database, the backstop for a bus that
    /// lost messages (0: only at start and when the bus reconnects).
    pub revocation_poll_secs: u64,
    /// Also accept second-factor codes of the pre-standard TOTP-SM3 construction (one release of
    /// migration; each use is flagged in the audit trail).
    pub otp_accept_legacy: bool,
    /// Requests per minute from one client IP (0: no limit).
    pub rate_limit_ip_per_minute: u32,
    /// Requests per minute from one signed-in account (0: no limit).
    pub rate_limit_account_per_minute: u32,
    /// A staff session unused this many seconds ends (0: never).
    pub idle_timeout_secs: u64,
    /// Staff roles must pass a TOTP-SM3 second factor (production refuses `false`).
    pub require_second_factor: bool,
    /// Shortest staff password.
    pub password_min_length: usize,
    /// Earlier passwords that may not be reused.
    pub password_history: usize,
    /// Days before a password must be changed (0: never).
    pub password_max_age_days: i64,
    /// Serve GraphiQL at `/graphiql`.
    pub graphiql: bool,
    /// Allow schema introspection.
    pub introspection: bool,
    /// Maximum query depth.
    pub max_depth: usize,
    /// Maximum query complexity.
    pub max_complexity: usize,
    /// Maximum GraphQL document size in bytes.
    pub max_document_bytes: usize,
    /// Maximum lexical tokens in a document.
    pub max_tokens: usize,
    /// Maximum aliases in a document.
    pub max_aliases: usize,
    /// Maximum directives in a document.
    pub max_directives: usize,
    /// Maximum request body in bytes.
    pub body_limit_bytes: usize,
    /// Origins of browser apps allowed to call the API (CORS) and open WebSockets, e.g.
    /// `["https://h5.example.gov.cn"]`; empty: same origin only.
    pub cors_allowed_origins: Vec<String>,
    /// Seconds a browser may cache a CORS preflight answer.
    pub cors_max_age_secs: u64,
    /// Per-request timeout in seconds.
    pub request_timeout_secs: u64,
    /// Blind-guidance offer radii in metres, widened in this order.
    pub guidance_radii_m: Vec<i32>,
    /// Seconds between radius widenings.
    pub guidance_widen_secs: u64,
    /// Seconds unclaimed before escalating to the street-town (admins' subscription + SMS).
    pub guidance_escalate_secs: u64,
    /// Seconds after the pickup time before an unclaimed request expires.
    pub guidance_expire_secs: u64,
    /// Most volunteers offered per round.
    pub guidance_max_offers: usize,
    /// Seconds between dispatcher passes on each node (0: no dispatcher on this node).
    pub guidance_tick_secs: u64,
    /// 政策找人: default follow-up period in working days.
    pub outreach_due_working_days: u32,
    /// 政策找人: public holidays (no working day), e.g. `["2027-01-01"]`.
    pub outreach_holidays: Vec<chrono::NaiveDate>,
    /// 政策找人: make-up working days on weekends (调休).
    pub outreach_workdays: Vec<chrono::NaiveDate>,
    /// 政策找人: days a street-town warning waits before escalating to the district.
    pub outreach_escalate_days: i64,
    /// 政策找人: day of the month the monthly report closes (1–28).
    pub outreach_report_closing_day: u32,
    /// Seconds between warning passes on each node (0: none on this node).
    pub outreach_tick_secs: u64,
    /// 代管资金: days an alert not yet explained or confirmed waits before escalating to the
    /// district.
    pub custody_escalate_days: i64,
    /// Seconds between custody-alert escalation passes on each node (0: none on this node).
    pub custody_tick_secs: u64,
    /// Seconds between questionnaire-reminder passes on each node (0: none on this node).
    pub survey_tick_secs: u64,
    /// 按比例安置: the share of employees who should be disabled people, in basis points
    /// (150 = 1.5 %).
    pub employment_ratio_bp: u32,
    /// 补贴发放: write CSV bank files in GBK (most banks' systems) instead of UTF-8 with a BOM.
    pub subsidy_bank_file_gbk: bool,
    /// 领导驾驶舱: screens are pushed at most this often, in milliseconds.
    pub cockpit_push_ms: u64,
    /// Seconds between checks whether the nightly cockpit reconciliation (02:30 Shanghai) is
    /// due on this node (0: never on this node).
    pub cockpit_reconcile_check_secs: u64,
    /// Seconds between passes that close registration, start and finish activities (0: none on
    /// this node).
    pub activity_tick_secs: u64,
    /// Activities: this many no-shows within `activity_no_show_window_days` stop new
    /// registrations for `activity_no_show_restrict_days` after the latest one (0: never).
    pub activity_no_show_max: u64,
    /// Activities: days no-shows are counted over.
    pub activity_no_show_window_days: i64,
    /// Activities: days new registrations are refused after the latest no-show.
    pub activity_no_show_restrict_days: i64,
    /// Largest follow-up attachment, bytes.
    pub attachment_max_bytes: usize,
    /// Largest multipart (upload) request body, bytes; other requests keep `body_limit_bytes`.
    pub upload_limit_bytes: usize,
    /// SMS gateway base URL; unset: SMS stay queued (`PENDING`) in the outbox.
    pub sms_gateway_url: Option<String>,
    /// SMS gateway API key.
    pub sms_api_key: Secret,
    /// Seconds between SMS outbox passes.
    pub sms_poll_secs: u64,
    /// A WebSocket send that takes longer than this (the client stopped reading) disconnects it.
    pub ws_send_timeout_ms: u64,
    /// Seconds a new WebSocket may wait before `connection_init` (then 4408).
    pub ws_init_timeout_secs: u64,
    /// Live subscriptions allowed on one WebSocket.
    pub ws_max_subscriptions: usize,
    /// Bench-only baseline routes (`/bench/raw`, `/bench/persons`, `/bench/stats`) for the load
    /// scenarios; never in production.
    pub bench_routes: bool,
    /// Seconds between keep-alive pings on graphql-transport-ws connections (0: none).
    pub ws_keepalive_secs: u64,
    /// `pretty` or `json`.
    pub log_format: LogFormat,
    /// Log filter (`info`, `zhucan=debug,info`…).
    pub log_level: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            profile: Profile::Embedded,
            http_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            database_max_connections: 16,
            redis_url: None,
            redis_channel: "zhucan:events".to_owned(),
            demo_data: true,
            demo_persons: 20_000,
            demo_seed: 20_261_130,
            demo_password: Secret::new(DEMO_PASSWORD),
            jwt_secret: Secret::new(DEMO_JWT_SECRET),
            token_ttl_minutes: 120,
            data_keys: Secret::new(DEMO_DATA_KEY),
            index_key: Secret::new(DEMO_INDEX_KEY),
            audit_key: Secret::new(DEMO_AUDIT_KEY),
            password_iterations: 100_000,
            lockout_max_failures: 5,
            lockout_minutes: 15,
            audit_retention_days: 180,
            audit_checkpoint_file: None,
            audit_checkpoint_secs: 60,
            revocation_poll_secs: 5,
            otp_accept_legacy: true,
            rate_limit_ip_per_minute: 1_200,
            rate_limit_account_per_minute: 600,
            idle_timeout_secs: 1_800,
            require_second_factor: true,
            password_min_length: 8,
            password_history: 5,
            password_max_age_days: 90,
            graphiql: true,
            introspection: true,
            max_depth: 12,
            max_complexity: 5_000,
            max_document_bytes: 16 * 1024,
            max_tokens: 2_000,
            max_aliases: 15,
            max_directives: 50,
            body_limit_bytes: 1 << 20,
            cors_allowed_origins: Vec::new(),
            cors_max_age_secs: 600,
            request_timeout_secs: 30,
            guidance_radii_m: vec![1_000, 3_000, 8_000],
            guidance_widen_secs: 60,
            guidance_escalate_secs: 300,
            guidance_expire_secs: 1_800,
            guidance_max_offers: 10,
            guidance_tick_secs: 5,
            outreach_due_working_days: 10,
            outreach_holidays: Vec::new(),
            outreach_workdays: Vec::new(),
            outreach_escalate_days: 3,
            outreach_report_closing_day: 25,
            outreach_tick_secs: 300,
            custody_escalate_days: 3,
            custody_tick_secs: 600,
            survey_tick_secs: 900,
            employment_ratio_bp: 150,
            subsidy_bank_file_gbk: true,
            cockpit_push_ms: 1_000,
            cockpit_reconcile_check_secs: 600,
            activity_tick_secs: 60,
            activity_no_show_max: 3,
            activity_no_show_window_days: 90,
            activity_no_show_restrict_days: 30,
            attachment_max_bytes: 5 << 20,
            upload_limit_bytes: 6 << 20,
            sms_gateway_url: None,
            sms_api_key: Secret::default(),
            sms_poll_secs: 5,
            ws_send_timeout_ms: 10_000,
            ws_keepalive_secs: 30,
            ws_init_timeout_secs: 10,
            ws_max_subscriptions: 100,
            bench_routes: false,
            log_format: LogFormat::Pretty,
            log_level: "info".to_owned(),
        }
    }
}

/// Environment variables with the `ZHUCAN_` prefix that are not settings.
const NOT_SETTINGS: [&str; 2] = ["config", "update_sdl"];

impl Settings {
    /// Load defaults, then `config_file` (or `./zhucan.toml` when present), then the environment.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        let default_file = Path::new("zhucan.toml");
        match config_file {
            Some(f) if !f.exists() => anyhow::bail!("配置文件不存在: {}", f.display()),
            Some(f) => fig = fig.merge(Toml::file_exact(f)),
            None if default_file.exists() => fig = fig.merge(Toml::file_exact(default_file)),
            None => {}
        }
        fig = fig.merge(
            Env::prefixed("ZHUCAN_")
                // Test-suite variables (ZHUCAN_TEST_*) and the config path are not settings.
                .filter(|k| {
                    let k = k.as_str().to_ascii_lowercase();
                    !k.starts_with("test_") && !NOT_SETTINGS.contains(&k.as_str())
                }),
        );
        let settings: Settings = fig
            .extract()
            .map_err(|e| anyhow::anyhow!("配置错误: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    /// The dispatch timings in effect.
    pub fn dispatch(&self) -> anyhow::Result<zhucan_domain::guidance::DispatchConfig> {
        let secs = |s: u64| chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 1_000));
        let cfg = zhucan_domain::guidance::DispatchConfig {
            radii_m: self.guidance_radii_m.clone(),
            widen_every: secs(self.guidance_widen_secs),
            escalate_after: secs(self.guidance_escalate_secs),
            expire_after_pickup: secs(self.guidance_expire_secs),
            max_offers_per_round: self.guidance_max_offers.max(1),
            tick_every: std::time::Duration::from_secs(self.guidance_tick_secs),
        };
        cfg.validate()
            .map_err(|e| anyhow::anyhow!("配置错误: {e}"))?;
        Ok(cfg)
    }

    /// 政策找人 settings.
    pub fn outreach(&self) -> anyhow::Result<zhucan_domain::outreach::OutreachConfig> {
        if !(1..=28).contains(&self.outreach_report_closing_day) {
            anyhow::bail!("配置错误: outreach_report_closing_day 应为1–28");
        }
        if !(1..=60).contains(&self.outreach_due_working_days) {
            anyhow::bail!("配置错误: outreach_due_working_days 应为1–60");
        }
        Ok(zhucan_domain::outreach::OutreachConfig {
            calendar: zhucan_domain::outreach::WorkCalendar::new(
                self.outreach_holidays.iter().copied(),
                self.outreach_workdays.iter().copied(),
            ),
            due_working_days: self.outreach_due_working_days,
            escalate_after_days: self.outreach_escalate_days.max(0),
            report_closing_day: self.outreach_report_closing_day,
            attachment_max_bytes: self.attachment_max_bytes.min(self.upload_limit_bytes),
            attachments_per_task: 10,
        })
    }

    /// The audit checkpoint file in effect.
    pub fn audit_checkpoint_path(&self) -> PathBuf {
        self.audit_checkpoint_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-checkpoint.json"))
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.expose().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("zhucan.db").display()
            ),
        }
    }

    /// Refuse unsafe combinations; the production profile refuses every demo default.
    pub fn validate(&self) -> anyhow::Result<()> {
        for origin in &self.cors_allowed_origins {
            let o = origin.trim_end_matches('/');
            let scheme_ok = o.starts_with("https://") || o.starts_with("http://");
            let host = o.split_once("://").map_or("", |(_, h)| h);
            if !scheme_ok || host.is_empty() || host.contains('/') || o == "*" {
                anyhow::bail!(
                    "配置错误: cors_allowed_origins 的每一项须为完整来源（如 https://h5.example.gov.cn），不能用 * 或带路径: {origin}"
                );
            }
        }
        if self.jwt_secret.expose().len() < 32 {
            anyhow::bail!("jwt_secret 至少32字节");
        }
        if self.audit_retention_days < zhucan_domain::audit::MIN_RETENTION_DAYS {
            anyhow::bail!(
                "audit_retention_days 至少为 {}",
                zhucan_domain::audit::MIN_RETENTION_DAYS
            );
        }
        if self.profile == Profile::Production {
            let mut problems = Vec::new();
            if self.demo_data {
                problems.push("demo_data 必须为 false");
            }
            if !self.require_second_factor {
                problems.push("require_second_factor 必须为 true");
            }
            if self.password_min_length < 8 {
                problems.push("password_min_length 不能小于8");
            }
            if self.graphiql {
                problems.push("graphiql 必须为 false");
            }
            if self.bench_routes {
                problems.push("bench_routes 必须为 false");
            }
            if self.introspection {
                problems.push("introspection 必须为 false");
            }
            if self.jwt_secret.expose() == DEMO_JWT_SECRET {
                problems.push("jwt_secret 不能使用演示密钥");
            }
            if self.data_keys.expose() == DEMO_DATA_KEY
                || self
                    .data_keys
                    .expose()
                    .contains(DEMO_DATA_KEY.trim_start_matches("1:"))
            {
                problems.push("data_keys 不能使用演示密钥");
            }
            if self.index_key.expose() == DEMO_INDEX_KEY {
                problems.push("index_key 不能使用演示密钥");
            }
            if self.audit_key.expose() == DEMO_AUDIT_KEY {
                problems.push("audit_key 不能使用演示密钥");
            }
            if self.demo_password.expose() == DEMO_PASSWORD && self.demo_data {
                problems.push("demo_password 不能使用默认值");
            }
            if !problems.is_empty() {
                anyhow::bail!("production 配置不安全: {}", problems.join("；"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Settings::default();
        let dbg = format!("{s:?}");
        assert!(!dbg.contains(DEMO_JWT_SECRET));
        assert!(!dbg.contains(DEMO_PASSWORD));
        assert!(!dbg.contains(DEMO_AUDIT_KEY));
    }

    #[test]
    fn production_refuses_demo_defaults() {
        let s = Settings {
            profile: Profile::Production,
            ..Settings::default()
        };
        let err = s.validate().unwrap_err().to_string();
        for key in [
            "demo_data",
            "graphiql",
            "introspection",
            "jwt_secret",
            "data_keys",
            "index_key",
            "audit_key",
        ] {
            assert!(err.contains(key), "{key} not named in: {err}");
        }
        let bench = Settings {
            profile: Profile::Production,
            bench_routes: true,
            ..Settings::default()
        };
        assert!(
            bench
                .validate()
                .unwrap_err()
                .to_string()
                .contains("bench_routes")
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_an_error() {
        let dir = std::env::temp_dir().join(format!("zhucan-cfg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("zhucan.toml");
        std::fs::write(&f, "http_adr = \"127.0.0.1:1\"\n").unwrap();
        let err = Settings::load(Some(&f)).unwrap_err().to_string();
        assert!(err.contains("http_adr"), "{err}");
        std::fs::write(&f, "http_addr = \"127.0.0.1:1\"\ndemo_persons = 5\n").unwrap();
        let s = Settings::load(Some(&f)).unwrap();
        assert_eq!(s.http_addr.port(), 1);
        assert_eq!(s.demo_persons, 5);
    }
}
