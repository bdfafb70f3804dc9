//! The command line against a test's database: `migrate`, `seed`, `audit verify`.

use std::process::Command;

use crate::helpers::TestApp;

pub(crate) fn zhucan(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhucan"));
    cmd.args(args)
        .env("ZHUCAN_DATA_DIR", &app.settings.data_dir)
        .env("ZHUCAN_LOG_LEVEL", "warn")
        .env("ZHUCAN_DEMO_DATA", "false");
    if let Some(url) = &app.settings.database_url {
        cmd.env("ZHUCAN_DATABASE_URL", url.expose());
    }
    cmd.output().expect("run zhucan")
}

#[tokio::test]
async fn migrate_seed_and_audit_verify_work_from_the_command_line() {
    let app = TestApp::spawn().await;
    app.staff().await;
    app.login("city").await;

    let migrate = zhucan(&app, &["migrate"]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let seed = zhucan(&app, &["seed", "--persons", "120", "--seed", "3"]);
    assert!(
        seed.status.success(),
        "{}",
        String::from_utf8_lossy(&seed.stderr)
    );
    assert_eq!(app.rows("SELECT id FROM persons").await.len(), 120);

    let ok = zhucan(&app, &["audit", "verify"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("审计链完整"));

    app.drop_audit_guard().await;
    app.sql("UPDATE audit_records SET client_ip = '10.0.0.1' WHERE seq = 1")
        .await;
    let broken = zhucan(&app, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(2), "a broken chain exits with 2");
    assert!(
        String::from_utf8_lossy(&broken.stdout).contains("第 1 条"),
        "{}",
        String::from_utf8_lossy(&broken.stdout)
    );
}

#[tokio::test]
async fn unknown_configuration_keys_stop_the_command_with_a_clear_error() {
    let app = TestApp::spawn().await;
    let out = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args(["migrate"])
        .env("ZHUCAN_DATA_DIR", &app.settings.data_dir)
        .env("ZHUCAN_HTTP_ADRESS", "127.0.0.1:1")
        .output()
        .expect("run zhucan");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("http_adress"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn the_otp_command_outside_a_data_directory_says_where_it_looked_and_creates_nothing() {
    let dir = std::env::temp_dir().join(format!("zhucan-nowhere-{}", uuid::Uuid::now_v7()));
    let out = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args(["otp", "district_admin_310115"])
        .env("ZHUCAN_DATA_DIR", &dir)
        .env_remove("ZHUCAN_DATABASE_URL")
        .output()
        .expect("run zhucan");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&dir.join("zhucan.db").display().to_string()),
        "{stderr}"
    );
    assert!(!dir.exists(), "no empty data directory was created");
}
