//! PII-aware logging: a real server process at `debug` level handles sign-in, registration,
//! reveals, search and failures that carry personal values; its whole log must contain none of
//! them, nor a password or a token. (Six-digit second-factor codes are not scanned for: log
//! timestamps carry six-digit fractions, and a code works once.)

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use zhucan_domain::identity::totp;

#[tokio::test]
async fn the_server_log_never_carries_personal_values_passwords_or_tokens() {
    let dir = std::env::temp_dir().join(format!("zhucan-pii-{}", uuid::Uuid::now_v7()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .env("ZHUCAN_DATA_DIR", &dir)
        .env("ZHUCAN_HTTP_ADDR", "127.0.0.1:0")
        .env("ZHUCAN_DEMO_PERSONS", "20")
        .env("ZHUCAN_PASSWORD_ITERATIONS", "1000")
        .env("ZHUCAN_LOG_LEVEL", "debug")
        .env("ZHUCAN_LOG_FORMAT", "json")
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    let address = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "server exited: {log}"
        );
        log.push_str(&line);
        if let Some(rest) = line.split("GraphQL http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    let drain = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest);
        rest
    });
    let client = reqwest::Client::new();
    let url = format!("http://{address}/graphql");
    let gql = |token: Option<String>, query: &'static str, variables: serde_json::Value| {
        let mut req = client
            .post(&url)
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move {
            req.send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let password = "Zhucan@2026";
    let secret = totp::secret_from_base32(zhucan_domain::demo::DEMO_TOTP_SECRET).unwrap();
    let otp = totp::code_at(&secret, chrono::Utc::now());
    let login = "mutation($u:String!,$p:String!,$o:String){ login(input:{username:$u,password:$p,otp:$o}){ accessToken } }";
    let body = gql(
        None,
        login,
        json!({"u": "city_admin", "p": password, "o": otp}),
    )
    .await;
    let token = body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    // A wrong password, a forged token.
    gql(
        None,
        login,
        json!({"u": "city_admin", "p": "Wrong#Pass2026", "o": otp}),
    )
    .await;
    gql(
        Some("eyJhbGciOiJIUzI1NiJ9.forged.token".to_owned()),
        "{ viewer { username } }",
        json!({}),
    )
    .await;
    // Register, look up, reveal, update with values that must never be logged.
    let id_number = "310115198001011238";
    let phone = "13987654321";
    let address_text = "上海市浦东新区隐私测试路99弄8号";
    let body = gql(
        Some(token.clone()),
        "mutation($in:CreatePersonInput!){ createPerson(input:$in){ id } }",
        json!({"in": {
        "name": "隐私测试", "idNumber": id_number, "certificateNumber": format!("{id_number}41"),
        "phone": phone, "address": address_text, "streetCode": "310115005"}}),
    )
    .await;
    let pid = body["data"]["createPerson"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    gql(
        Some(token.clone()),
        "query($n:String!){ personByIdNumber(idNumber:$n){ id } }",
        json!({"n": id_number}),
    )
    .await;
    gql(
        Some(token.clone()),
        "mutation($id:ID!){ revealPersonField(personId:$id, field:PHONE) }",
        json!({"id": pid}),
    )
    .await;
    gql(
        Some(token.clone()),
        "mutation($id:ID!,$p:String!){ updatePerson(id:$id, input:{phone:$p}){ id } }",
        json!({"id": pid, "p": "1398765432x"}),
    )
    .await;
    gql(
        None,
        "query($q:String!){ search(query:$q){ totalCount } }",
        json!({"q": id_number}),
    )
    .await;
    // Stop it as an operator would (SIGTERM): it finishes the requests, flushes its log and
    // exits; the log is complete once it has.
    let stopped = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .is_ok_and(|s| s.success());
    assert!(stopped, "SIGTERM sent");
    crate::helpers::eventually("the server exits", Duration::from_secs(30), || {
        let done = child.try_wait().ok().flatten().is_some();
        async move { done.then_some(()) }
    })
    .await;
    log.push_str(&drain.join().unwrap());
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .ok();
    log.push_str(&stdout);
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        log.contains("request"),
        "the log was captured: {}",
        &log[..log.len().min(500)]
    );
    // JSON mode writes nothing but JSON: the banner and the seeding progress included.
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not a JSON line: {line}"
        );
    }
    for (what, value) in [
        ("ID number", id_number),
        ("phone", phone),
        ("invalid phone", "1398765432x"),
        ("address", address_text),
        ("password", password),
        ("wrong password", "Wrong#Pass2026"),
        ("token", token.as_str()),
        ("forged token", "eyJhbGciOiJIUzI1NiJ9.forged.token"),
    ] {
        assert!(!log.contains(value), "the log contains the {what}");
    }
}
