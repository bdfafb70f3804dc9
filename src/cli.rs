//! The command line: `serve` (default), `migrate`, `seed --persons N`, `otp ACCOUNT`,
//! `audit verify|prune`, `clients register|list|disable|enable`,
//! `accounts create|reset-password|revoke-sessions|disable|enable` (the operator's: the three
//! separated duties are managed here, never through the API), `custody import --account ID FILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::startup::{self, Application};

/// 助残云 — the GraphQL platform of the Shanghai Disabled Persons' Federation.
#[derive(Debug, Parser)]
#[command(name = "zhucan", version)]
struct Cli {
    /// Configuration file (default: ./zhucan.toml when present).
    #[arg(long, global = true, env = "ZHUCAN_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Insert synthetic people (batched, with a progress bar).
    Seed {
        /// How many people (580000 is Shanghai's real scale).
        #[arg(long, default_value_t = 20_000)]
        persons: u64,
        /// Generator seed (same seed, same people).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Print the current second-factor code of a demo staff account (embedded default only).
    Otp {
        /// Username, e.g. `district_admin_310115`.
        account: String,
    },
    /// Audit-trail commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Third-party clients (合作方): registry and trusted-document allow-lists.
    Clients {
        #[command(subcommand)]
        command: ClientsCommand,
    },
    /// Accounts managed by the operator: the separated duties (system admin, security admin,
    /// auditor) and any account whose holder has no phone for an SMS.
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// 代管资金 (custody funds) commands.
    Custody {
        #[command(subcommand)]
        command: CustodyCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CustodyCommand {
    /// Import a bank statement (CSV in UTF-8 or GBK, or XLSX) of any size: the file is streamed
    /// in batches, progress goes to stderr, the report (and each faulty row) to stdout. Exit
    /// status 2 when some rows were refused; a file-level error imports nothing.
    Import {
        /// The custody account's id (as in the API).
        #[arg(long)]
        account: uuid::Uuid,
        /// The statement file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AccountsCommand {
    /// Create an account with a role; its temporary password is printed once, to be changed at
    /// first sign-in.
    Create {
        /// Username (3–32 lower-case letters, digits, `_`).
        username: String,
        /// Role: SYSTEM_ADMIN, SECURITY_ADMIN, AUDITOR, CITY_ADMIN, DISTRICT_ADMIN, STREET_ADMIN.
        #[arg(long)]
        role: String,
        /// Region code of a region admin.
        #[arg(long)]
        region: Option<String>,
        /// Display name.
        #[arg(long)]
        display_name: String,
    },
    /// Reset a password to a temporary one, printed once; the account's sessions end.
    ResetPassword {
        /// Username.
        username: String,
    },
    /// End every session of an account, on every node.
    RevokeSessions {
        /// Username.
        username: String,
    },
    /// Refuse every further sign-in of an account (its sessions end).
    Disable {
        /// Username.
        username: String,
    },
    /// Accept a disabled account again.
    Enable {
        /// Username.
        username: String,
    },
}

#[derive(Debug, Subcommand)]
enum ClientsCommand {
    /// Register a client from its manifest (create it, or replace its scope, quota and
    /// allow-list). A new client's secret is printed once.
    Register {
        /// Manifest file, e.g. `clients/third-party/pudong-flagship.json`.
        #[arg(long)]
        manifest: PathBuf,
        /// Issue a new secret for an existing client (the old one stops working).
        #[arg(long)]
        rotate_secret: bool,
    },
    /// List registered clients.
    List,
    /// Refuse every further request of a client.
    Disable {
        /// Client id.
        client: String,
    },
    /// Accept a disabled client again.
    Enable {
        /// Client id.
        client: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute every HMAC-SM3 link of the audit trail.
    Verify,
    /// Remove records older than `audit_retention_days` (≥ 180); the pruning is itself recorded.
    Prune,
}

/// Run the command line; errors are printed in zh-CN and give exit code 1.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    crate::telemetry::init(&settings.log_level, settings.log_format);
    match run(cli.command.unwrap_or(Command::Serve), settings).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            let app = Application::build(settings.clone()).await?;
            let addr = app.local_addr()?;
            let graphql = format!("http://{addr}/graphql");
            let websocket = format!("ws://{addr}/graphql/ws");
            let graphiql = settings.graphiql.then(|| format!("http://{addr}/graphiql"));
            match settings.log_format {
                // JSON logs are JSON only: the banner is a log event like any other.
                crate::config::LogFormat::Json => tracing::info!(
                    %graphql,
                    %websocket,
                    graphiql = graphiql.as_deref().unwrap_or(""),
                    profile = ?settings.profile,
                    "助残云 已启动: GraphQL {graphql}  WebSocket {websocket}"
                ),
                crate::config::LogFormat::Pretty => {
                    tracing::info!(%addr, profile = ?settings.profile, "助残云 listening");
                    eprintln!("助残云 已启动: GraphQL {graphql}  WebSocket {websocket}");
                    if let Some(g) = &graphiql {
                        eprintln!("GraphiQL: {g}");
                    }
                    eprintln!(
                        "停止: Ctrl-C（或 SIGTERM）；重新开始: 停止后删除数据目录 {}",
                        settings.data_dir.display()
                    );
                }
            }
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            startup::platform(&settings).await?;
            eprintln!("数据库迁移完成");
        }
        Command::Seed { persons, seed } => {
            let platform = startup::platform(&settings).await?;
            let started = std::time::Instant::now();
            let n = startup::seed_people(&platform, seed.unwrap_or(settings.demo_seed), persons)
                .await?;
            eprintln!(
                "已生成 {n} 名残疾人，用时 {:.1} 秒",
                started.elapsed().as_secs_f64()
            );
        }
        Command::Clients { command } => return clients(command, &settings).await,
        Command::Accounts { command } => return accounts(command, &settings).await,
        Command::Custody {
            command: CustodyCommand::Import { account, file },
        } => return custody_import(account, &file, &settings).await,
        Command::Audit {
            command: AuditCommand::Prune,
        } => {
            let platform = startup::platform(&settings).await?;
            let report = zhucan_domain::audit::prune(
                &platform.db,
                platform.audit_key(),
                &zhucan_domain::audit::Actor::system("audit prune"),
                settings.audit_retention_days,
                chrono::Utc::now(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "已清理 {} 条超过 {} 天的审计记录；审计链现从第 {} 条开始",
                report.removed, settings.audit_retention_days, report.first_seq
            );
        }
        Command::Otp { account } => {
            if settings.profile != crate::config::Profile::Embedded {
                anyhow::bail!("zhucan otp 仅用于嵌入式演示环境");
            }
            // Never create an empty database where there is none: say where we looked.
            if settings.database_url.is_none() {
                let file = settings.data_dir.join("zhucan.db");
                if !file.exists() {
                    anyhow::bail!(
                        "在 {} 没有找到数据库：请在启动过服务的目录运行，或用 ZHUCAN_DATA_DIR 指定数据目录",
                        file.display()
                    );
                }
            }
            let platform = startup::platform(&settings).await?;
            let a = zhucan_domain::identity::AccountRepo::new(&platform.db)
                .by_username(account.trim())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .ok_or_else(|| anyhow::anyhow!("账户不存在: {account}"))?;
            let enc = a
                .totp_secret_enc
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("该账户未绑定动态口令"))?;
            let b32 = platform
                .cipher
                .decrypt(zhucan_domain::identity::staff::totp_aad(&a.id), enc)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let secret = zhucan_domain::identity::totp::secret_from_base32(&b32)
                .ok_or_else(|| anyhow::anyhow!("密钥无效"))?;
            let now = chrono::Utc::now();
            let left = zhucan_domain::identity::totp::STEP_SECS
                - now
                    .timestamp()
                    .rem_euclid(zhucan_domain::identity::totp::STEP_SECS);
            println!("{}", zhucan_domain::identity::totp::code_at(&secret, now));
            eprintln!("（{left} 秒内有效，每个口令只能使用一次）");
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            // Reads only: no configuration record, no head seal, nothing appended to the chain
            // being checked.
            let db = startup::database(&settings).await?;
            let keys = startup::keys(&settings)?;
            let checkpoint = settings.audit_checkpoint_path();
            let report = zhucan_domain::audit::verify(
                &db,
                zhucan_domain::crypto::KeyProvider::audit_key(&keys),
                Some(&checkpoint),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            if report.ok {
                println!("审计链完整：已校验 {} 条记录", report.checked);
            } else {
                println!(
                    "审计链被破坏：第 {} 条，{}（此前 {} 条完好）",
                    report.broken_at.unwrap_or_default(),
                    report.problem.unwrap_or_default(),
                    report.checked
                );
                return Ok(ExitCode::from(2));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `zhucan custody import --account ID FILE`.
async fn custody_import(
    account: uuid::Uuid,
    file: &std::path::Path,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let platform = startup::platform(settings).await?;
    let caller = zhucan_domain::Caller::console("custody import");
    let started = std::time::Instant::now();
    let progress = |rows: usize| {
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        #[expect(clippy::cast_precision_loss, reason = "a rate for people to read")]
        let rate = rows as f64 / secs;
        eprintln!("已读取 {rows} 行（{rate:.0} 行/秒）");
    };
    let report = zhucan_domain::custody::CustodyService::new(&platform, &caller)
        .import_statement_file(account, file, &progress)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for e in &report.errors {
        println!("第 {} 行 {}：{}", e.row, e.column, e.message);
    }
    println!(
        "共 {} 行：新导入 {}，此前已导入 {}，有误 {}，产生预警 {}；用时 {:.1} 秒",
        report.rows,
        report.imported,
        report.already,
        report.faulty,
        report.alerts,
        started.elapsed().as_secs_f64()
    );
    Ok(if report.faulty > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

async fn accounts(command: AccountsCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    use zhucan_domain::identity::admin::operator;
    let platform = startup::platform(settings).await?;
    let err = |e: zhucan_domain::DomainError| anyhow::anyhow!("{e}");
    match command {
        AccountsCommand::Create {
            username,
            role,
            region,
            display_name,
        } => {
            let role = zhucan_domain::viewer::Role::from_code(role.trim())
                .ok_or_else(|| anyhow::anyhow!("未知角色: {role}"))?;
            let (a, password) =
                operator::create(&platform, &username, &display_name, role, region.as_deref())
                    .await
                    .map_err(err)?;
            println!("账户 {} 已创建（{}）", a.username, a.role);
            println!("临时密码（只显示这一次，请当面交付持有人）: {password}");
        }
        AccountsCommand::ResetPassword { username } => {
            let password = operator::reset_password(&platform, &username)
                .await
                .map_err(err)?;
            println!("账户 {username} 的密码已重置，原有会话已失效");
            println!("临时密码（只显示这一次，请当面交付持有人）: {password}");
        }
        AccountsCommand::RevokeSessions { username } => {
            operator::revoke_sessions(&platform, &username)
                .await
                .map_err(err)?;
            println!("账户 {username} 的全部会话已失效");
        }
        AccountsCommand::Disable { username } => {
            operator::set_active(&platform, &username, false)
                .await
                .map_err(err)?;
            println!("账户 {username} 已停用，会话已失效");
        }
        AccountsCommand::Enable { username } => {
            operator::set_active(&platform, &username, true)
                .await
                .map_err(err)?;
            println!("账户 {username} 已启用");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn clients(command: ClientsCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    use zhucan_domain::Caller;
    use zhucan_domain::partners::{self, PartnerService};
    let platform = startup::platform(settings).await?;
    let err = |e: zhucan_domain::DomainError| anyhow::anyhow!("{e}");
    match command {
        ClientsCommand::Register {
            manifest,
            rotate_secret,
        } => {
            let text = std::fs::read_to_string(&manifest)
                .map_err(|e| anyhow::anyhow!("无法读取清单 {}: {e}", manifest.display()))?;
            let m = partners::Manifest::parse(&platform, &text).map_err(err)?;
            let caller = Caller::console("clients register");
            let r = PartnerService::new(&platform, &caller)
                .register(&m, rotate_secret, None)
                .await
                .map_err(err)?;
            println!(
                "客户端 {} 已{}：范围 {}，每分钟 {} 次，允许 {} 个操作（新增 {}，移除 {}）",
                r.client_id,
                if r.created { "登记" } else { "更新" },
                m.scope_text(),
                m.quota_per_minute,
                r.operations,
                r.added,
                r.removed
            );
            if let Some(secret) = r.secret {
                println!("客户端密钥（只显示这一次，请安全交付）: {secret}");
            }
        }
        ClientsCommand::List => {
            let caller = Caller::console("clients list");
            for (c, n) in PartnerService::new(&platform, &caller)
                .list()
                .await
                .map_err(err)?
            {
                println!(
                    "{}\t{}\t{}{}\t{}/min\t{} 个操作\t{}\t{}",
                    c.client_id,
                    if c.active { "启用" } else { "停用" },
                    c.role,
                    c.region.map(|r| format!(":{r}")).unwrap_or_default(),
                    c.quota_per_minute,
                    n,
                    c.name,
                    c.purpose
                );
            }
        }
        ClientsCommand::Disable { client } => {
            let caller = Caller::console("clients disable");
            PartnerService::new(&platform, &caller)
                .set_active(&client, false)
                .await
                .map_err(err)?;
            println!("客户端 {client} 已停用");
        }
        ClientsCommand::Enable { client } => {
            let caller = Caller::console("clients enable");
            PartnerService::new(&platform, &caller)
                .set_active(&client, true)
                .await
                .map_err(err)?;
            println!("客户端 {client} 已启用");
        }
    }
    Ok(ExitCode::SUCCESS)
}
