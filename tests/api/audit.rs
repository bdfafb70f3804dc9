//! The HMAC-SM3 audit chain: every mutation is recorded; any change, removal, reordering or
//! truncation is detected; only auditors read it.

use serde_json::json;

use crate::helpers::{TestApp, code, ids};

const VERIFY: &str = "{ verifyAuditTrail { ok checked brokenAt problem } }";

/// Six or more chained records: logins, a creation, an update, a failed update.
async fn with_history() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    app.staff().await;
    let admin = app.login("pudong").await;
    let create = "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }";
    let input = json!({"name": "审计", "idNumber": ids::PUDONG_1, "certificateNumber": format!("{}41", ids::PUDONG_1), "streetCode": "310115005"});
    let created = app.gql(Some(&admin), create, json!({"i": input})).await;
    let id = created["data"]["createPerson"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let upd = "mutation($id: ID!) { updatePerson(id: $id, input: {name: \"审计二\"}) { name } }";
    assert_eq!(
        app.gql(Some(&admin), upd, json!({"id": id})).await["data"]["updatePerson"]["name"],
        "审计二"
    );
    let bad = "mutation($id: ID!) { updatePerson(id: $id, input: {phone: \"123\"}) { name } }";
    assert_eq!(
        code(&app.gql(Some(&admin), bad, json!({"id": id})).await),
        "BAD_USER_INPUT"
    );
    let auditor = app.login("auditor").await;
    (app, auditor)
}

#[tokio::test]
async fn every_mutation_appends_a_record_and_the_chain_verifies() {
    let (app, auditor) = with_history().await;
    let trail = app.gql(Some(&auditor), "{ auditTrail(first: 10) { totalCount edges { node { seq operation result actorName actorRole clientIp requestId detail } } } }", json!({})).await;
    let nodes: Vec<&serde_json::Value> = trail["data"]["auditTrail"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    let ops: Vec<(&str, &str)> = nodes
        .iter()
        .map(|n| {
            (
                n["operation"].as_str().unwrap(),
                n["result"].as_str().unwrap(),
            )
        })
        .collect();
    // Newest first: the auditor's login, then the failed update, the update, the creation…
    assert_eq!(ops[0], ("auth.login", "SUCCESS"));
    assert_eq!(ops[1], ("person.update", "FAILURE:BAD_USER_INPUT"));
    assert_eq!(nodes[1]["detail"], "input.phone");
    assert_eq!(ops[2], ("person.update", "SUCCESS"));
    assert_eq!(nodes[2]["detail"], "name");
    assert_eq!(ops[3], ("person.create", "SUCCESS"));
    assert_eq!(nodes[3]["actorName"], "pudong");
    assert_eq!(nodes[3]["actorRole"], "DISTRICT_ADMIN");
    assert_eq!(nodes[3]["clientIp"], "127.0.0.1");
    assert_eq!(
        nodes[3]["requestId"].as_str().unwrap().len(),
        36,
        "a request id is recorded"
    );

    let v = app.gql(Some(&auditor), VERIFY, json!({})).await;
    assert_eq!(v["data"]["verifyAuditTrail"]["ok"], true, "{v}");
    assert_eq!(
        v["data"]["verifyAuditTrail"]["checked"],
        trail["data"]["auditTrail"]["totalCount"]
    );
}

async fn broken_at(app: &TestApp, auditor: &str) -> (bool, Option<i64>, String) {
    let v = app.gql(Some(auditor), VERIFY, json!({})).await;
    let r = &v["data"]["verifyAuditTrail"];
    (
        r["ok"].as_bool().unwrap(),
        r["brokenAt"].as_i64(),
        r["problem"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_changed_record_is_detected() {
    let (app, auditor) = with_history().await;
    app.drop_audit_guard().await;
    app.sql("UPDATE audit_records SET actor_name = 'someone_else' WHERE seq = 3")
        .await;
    let (ok, at, problem) = broken_at(&app, &auditor).await;
    assert!(!ok);
    assert_eq!(at, Some(3));
    assert!(problem.contains("篡改"), "{problem}");
}

#[tokio::test]
async fn a_removed_record_is_detected() {
    let (app, auditor) = with_history().await;
    app.drop_audit_guard().await;
    app.sql("DELETE FROM audit_records WHERE seq = 4").await;
    let (ok, at, problem) = broken_at(&app, &auditor).await;
    assert!(!ok);
    assert_eq!(at, Some(4));
    assert!(problem.contains("缺失"), "{problem}");
}

#[tokio::test]
async fn reordered_records_are_detected() {
    let (app, auditor) = with_history().await;
    app.drop_audit_guard().await;
    app.sql("UPDATE audit_records SET seq = -1 WHERE seq = 5")
        .await;
    app.sql("UPDATE audit_records SET seq = 5 WHERE seq = 6")
        .await;
    app.sql("UPDATE audit_records SET seq = 6 WHERE seq = -1")
        .await;
    let (ok, at, _) = broken_at(&app, &auditor).await;
    assert!(!ok);
    assert_eq!(at, Some(5));
}

#[tokio::test]
async fn a_truncated_tail_is_detected() {
    let (app, auditor) = with_history().await;
    // Remove the newest records except the auditor's own login… the head still names the last.
    app.drop_audit_guard().await;
    let last = app.rows("SELECT last_seq FROM audit_head").await[0]
        .try_get::<i64>("", "last_seq")
        .unwrap();
    app.sql(&format!(
        "DELETE FROM audit_records WHERE seq >= {}",
        last - 1
    ))
    .await;
    // The verification query itself is not a mutation, so nothing new is appended.
    let (ok, _, problem) = broken_at(&app, &auditor).await;
    assert!(!ok);
    assert!(problem.contains("截断"), "{problem}");
}

#[tokio::test]
async fn only_auditors_read_or_verify_the_trail() {
    let (app, _) = with_history().await;
    for user in ["city", "pudong", "sysadmin", "secadmin", "volunteer"] {
        let token = app.login(user).await;
        assert_eq!(
            code(
                &app.gql(Some(&token), "{ auditTrail { totalCount } }", json!({}))
                    .await
            ),
            "FORBIDDEN",
            "{user}"
        );
        assert_eq!(
            code(&app.gql(Some(&token), VERIFY, json!({})).await),
            "FORBIDDEN",
            "{user}"
        );
    }
}

#[tokio::test]
async fn sign_in_failures_are_audited_without_the_password() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let body = app
        .gql(None, "mutation { login(input: {username: \"pudong\", password: \"Wrong-pass-1\"}) { accessToken } }", json!({}))
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let unknown = app
        .gql(
            None,
            "mutation { login(input: {username: \"nobody\", password: \"x\"}) { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(
        unknown["errors"][0]["message"], body["errors"][0]["message"],
        "no hint whether the user exists"
    );
    let rows = app.rows("SELECT actor_name, result, detail FROM audit_records WHERE operation = 'auth.login' ORDER BY seq").await;
    let seen: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get("", "actor_name").unwrap(),
                r.try_get("", "result").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("pudong".into(), "FAILURE:UNAUTHENTICATED".into()),
            ("nobody".into(), "FAILURE:UNAUTHENTICATED".into())
        ]
    );
    for r in rows {
        assert!(
            !r.try_get::<String>("", "detail")
                .unwrap()
                .contains("Wrong-pass")
        );
    }
}

#[tokio::test]
async fn the_application_itself_cannot_change_or_delete_audit_records() {
    let (app, auditor) = with_history().await;
    let conn = app.platform.db.conn();
    use sea_orm::ConnectionTrait;
    for sql in [
        "UPDATE audit_records SET actor_name = 'someone_else' WHERE seq = 3",
        "DELETE FROM audit_records WHERE seq = 4",
    ] {
        let err = conn.execute_unprepared(sql).await.unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    if app.platform.db.backend() == sea_orm::DbBackend::Postgres {
        let err = conn
            .execute_unprepared("TRUNCATE audit_records")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    let v = app.gql(Some(&auditor), VERIFY, json!({})).await;
    assert_eq!(v["data"]["verifyAuditTrail"]["ok"], true, "{v}");
}

#[tokio::test]
async fn pruning_keeps_at_least_180_days_stays_verifiable_and_is_itself_recorded() {
    let (app, auditor) = with_history().await;
    let p = &app.platform;
    let actor = zhucan_domain::audit::Actor::system("test prune");
    let now = chrono::Utc::now();
    assert!(
        zhucan_domain::audit::prune(&p.db, p.audit_key(), &actor, 179, now)
            .await
            .is_err()
    );
    // Nothing is old enough yet.
    let r = zhucan_domain::audit::prune(&p.db, p.audit_key(), &actor, 180, now)
        .await
        .unwrap();
    assert_eq!(r.removed, 0);
    // A year from now, everything so far is past retention.
    let before = app.rows("SELECT seq FROM audit_records").await.len() as u64;
    let later = now + chrono::Duration::days(400);
    let r = zhucan_domain::audit::prune(&p.db, p.audit_key(), &actor, 180, later)
        .await
        .unwrap();
    assert_eq!(r.removed, before);
    let v = app.gql(Some(&auditor), VERIFY, json!({})).await;
    assert_eq!(v["data"]["verifyAuditTrail"]["ok"], true, "{v}");
    let ops = app
        .rows("SELECT operation FROM audit_records ORDER BY seq")
        .await;
    assert_eq!(
        ops[0].try_get::<String>("", "operation").unwrap(),
        "audit.prune"
    );
    // Moving the anchor to hide more records is detected.
    app.sql("UPDATE audit_head SET first_seq = first_seq + 1")
        .await;
    let v = app.gql(Some(&auditor), VERIFY, json!({})).await;
    assert_eq!(v["data"]["verifyAuditTrail"]["ok"], false, "{v}");
    assert!(
        v["data"]["verifyAuditTrail"]["problem"]
            .as_str()
            .unwrap()
            .contains("锚点"),
        "{v}"
    );
}

async fn count(app: &TestApp) -> Vec<String> {
    app.rows("SELECT detail FROM audit_records WHERE operation = 'config.loaded' ORDER BY seq")
        .await
        .iter()
        .map(|r| r.try_get::<String>("", "detail").unwrap())
        .collect()
}

#[tokio::test]
async fn configuration_changes_are_recorded_in_the_trail() {
    let app = TestApp::spawn().await;
    // Recorded when the database was first configured (the test template) and again for this
    // server's settings.
    let first = count(&app).await;
    assert!(!first.is_empty(), "{first:?}");
    assert!(first[0].contains("previous=none"), "{first:?}");
    // The same configuration again (a restart, another node): nothing new.
    zhucan::startup::platform(&app.settings).await.unwrap();
    assert_eq!(count(&app).await.len(), first.len());
    // A changed setting or key is recorded, naming the previous digest; no secret appears.
    let changed = zhucan::config::Settings {
        lockout_minutes: 20,
        ..app.settings.clone()
    };
    zhucan::startup::platform(&changed).await.unwrap();
    let after = count(&app).await;
    assert_eq!(after.len(), first.len() + 1, "{after:?}");
    let digest = first[first.len() - 1]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_start_matches("digest=");
    assert!(
        after[after.len() - 1].contains(&format!("previous={digest}")),
        "{after:?}"
    );
    assert!(!after.concat().contains(app.settings.jwt_secret.expose()));
}

#[tokio::test]
async fn concurrent_file_opens_are_each_recorded_before_they_answer_and_the_chain_holds() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let id = app.person("并发", ids::PUDONG_1, "41", "310115005").await;
    let token = app.login("pudong").await;
    let before = app
        .rows("SELECT seq FROM audit_records WHERE operation = 'person.view'")
        .await
        .len();
    let opens = (0..40).map(|_| {
        app.gql(
            Some(&token),
            "query($id: ID!) { person(id: $id) { name } }",
            json!({"id": id}),
        )
    });
    for body in futures::future::join_all(opens).await {
        assert_eq!(body["data"]["person"]["name"], "并发", "{body}");
    }
    // Each answer came after its record was committed: all 40 are there now.
    let views = app
        .rows("SELECT seq FROM audit_records WHERE operation = 'person.view'")
        .await
        .len();
    assert_eq!(views - before, 40);
    let auditor = app.login("auditor").await;
    let v = app.gql(Some(&auditor), VERIFY, json!({})).await;
    assert_eq!(v["data"]["verifyAuditTrail"]["ok"], true, "{v}");
}

#[tokio::test]
async fn file_opens_interleaved_with_audited_changes_are_all_recorded_in_one_unbroken_chain() {
    // On PostgreSQL the read recorder appends by one statement that expects the chain's end
    // where its last batch left it; audited reveals append in their own transactions and move
    // that end, so batches must notice and take the locked path, losing and doubling nothing.
    let app = TestApp::spawn().await;
    app.staff().await;
    let id = app.person("交错", ids::PUDONG_1, "41", "310115005").await;
    let token = app.login("pudong").await;
    let count = |op: &'static str| {
        let app = &app;
        async move {
            app.rows(&format!(
                "SELECT seq FROM audit_records WHERE operation = '{op}'"
            ))
            .await
            .len()
        }
    };
    let (views0, reveals0) = (count("person.view").await, count("person.reveal").await);
    for _round in 0..3 {
        let opens = (0..20).map(|_| {
            app.gql(
                Some(&token),
                "query($id: ID!) { person(id: $id) { name } }",
                json!({"id": id}),
            )
        });
        let reveals = (0..5).map(|_| {
            app.gql(
                Some(&token),
                "mutation($id: ID!) { revealPersonField(personId: $id, field: PHONE) }",
                json!({"id": id}),
            )
        });
        let (opened, revealed) = futures::future::join(
            futures::future::join_all(opens),
            futures::future::join_all(reveals),
        )
        .await;
        for body in opened {
            assert_eq!(body["data"]["person"]["name"], "交错", "{body}");
        }
        for body in revealed {
            assert!(body.get("errors").is_none(), "{body}");
        }
    }
    assert_eq!(count("person.view").await - views0, 60);
    assert_eq!(count("person.reveal").await - reveals0, 15);
    let seqs: Vec<i64> = app
        .rows("SELECT seq FROM audit_records ORDER BY seq")
        .await
        .iter()
        .map(|r| r.try_get_by_index::<i64>(0).unwrap())
        .collect();
    for (i, seq) in seqs.iter().enumerate() {
        assert_eq!(*seq, seqs[0] + i as i64, "no gap, no double: {seqs:?}");
    }
    let auditor = app.login("auditor").await;
    let v = app.gql(Some(&auditor), VERIFY, json!({})).await;
    assert_eq!(v["data"]["verifyAuditTrail"]["ok"], true, "{v}");
}

/// The head row as it is: last sequence number, last MAC, head MAC.
async fn head(app: &TestApp) -> (i64, Vec<u8>, Option<Vec<u8>>) {
    let row = &app
        .rows("SELECT last_seq, last_mac, head_mac FROM audit_head WHERE id = 1")
        .await[0];
    (
        row.try_get("", "last_seq").unwrap(),
        row.try_get("", "last_mac").unwrap(),
        row.try_get("", "head_mac").unwrap(),
    )
}

fn hex_literal(app: &TestApp, bytes: &[u8]) -> String {
    match app.platform.db.backend() {
        sea_orm::DbBackend::Postgres => format!("'\\x{}'::bytea", hex::encode(bytes)),
        _ => format!("X'{}'", hex::encode(bytes)),
    }
}

#[tokio::test]
async fn a_removed_tail_with_the_head_moved_back_is_detected() {
    let (app, auditor) = with_history().await;
    app.drop_audit_guard().await;
    let (last, _, _) = head(&app).await;
    // Remove the two newest records and point the head at the record before them, with its
    // real MAC: a consistent-looking shorter chain. Only the head's MAC (the audit key) tells.
    let keep = last - 2;
    let mac = app
        .rows(&format!("SELECT mac FROM audit_records WHERE seq = {keep}"))
        .await[0]
        .try_get::<Vec<u8>>("", "mac")
        .unwrap();
    app.sql(&format!("DELETE FROM audit_records WHERE seq > {keep}"))
        .await;
    app.sql(&format!(
        "UPDATE audit_head SET last_seq = {keep}, last_mac = {} WHERE id = 1",
        hex_literal(&app, &mac)
    ))
    .await;
    let (ok, _, problem) = broken_at(&app, &auditor).await;
    assert!(!ok);
    assert!(problem.contains("链头"), "{problem}");
}

#[tokio::test]
async fn the_old_prune_exception_no_longer_lets_anyone_delete_records() {
    let (app, auditor) = with_history().await;
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let conn = app.platform.db.conn();
    let (last, _, _) = head(&app).await;
    let txn = conn.begin().await.unwrap();
    // What the prune path used to announce: any session could.
    let _ = match app.platform.db.backend() {
        sea_orm::DbBackend::Postgres => {
            txn.execute_unprepared("SET LOCAL zhucan.audit_prune = 'on'")
                .await
        }
        _ => {
            txn.execute_unprepared("INSERT INTO audit_prune_marker (id) VALUES (1)")
                .await
        }
    };
    let err = txn
        .execute_unprepared(&format!("DELETE FROM audit_records WHERE seq = {last}"))
        .await;
    drop(txn);
    assert!(err.is_err(), "the tail cannot be deleted");
    // Moving the head back is refused too.
    let err = conn
        .execute_unprepared("UPDATE audit_head SET last_seq = last_seq - 1 WHERE id = 1")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only moves forward"), "{err}");
    let v = app.gql(Some(&auditor), VERIFY, json!({})).await;
    assert_eq!(v["data"]["verifyAuditTrail"]["ok"], true, "{v}");
}

#[tokio::test]
async fn a_database_rolled_back_to_an_earlier_state_is_caught_by_the_checkpoint_outside_it() {
    let (app, auditor) = with_history().await;
    let p = &app.platform;
    let file = p.audit_checkpoint.clone().expect("checkpoints on");
    // An earlier, consistent state of the whole database: its head, with its real head MAC.
    let (seq_then, mac_then, head_mac_then) = head(&app).await;
    // Later activity, then a checkpoint outside the database.
    let city = app.login("city").await;
    app.gql(
        Some(&city),
        "{ persons(first: 1) { totalCount } }",
        json!({}),
    )
    .await;
    let state = zhucan_domain::audit::checkpoint::write(&p.db, p.audit_key(), &file)
        .await
        .unwrap();
    assert!(state.problem().is_none(), "{state:?}");
    let (seq_now, _, _) = head(&app).await;
    assert!(seq_now > seq_then);
    let written = std::fs::read(&file).unwrap();
    // Roll the database back to the earlier state.
    app.drop_audit_guard().await;
    app.sql(&format!("DELETE FROM audit_records WHERE seq > {seq_then}"))
        .await;
    app.sql(&format!(
        "UPDATE audit_head SET last_seq = {seq_then}, last_mac = {}, head_mac = {} WHERE id = 1",
        hex_literal(&app, &mac_then),
        hex_literal(&app, &head_mac_then.unwrap())
    ))
    .await;
    // The chain in the database is intact in itself; only the checkpoint shows the rollback.
    let chain_only = zhucan_domain::audit::verify(&p.db, p.audit_key(), None)
        .await
        .unwrap();
    assert!(chain_only.ok, "{chain_only:?}");
    let (ok, _, problem) = broken_at(&app, &auditor).await;
    assert!(!ok);
    assert!(problem.contains("回滚"), "{problem}");
    let cli = crate::cli::zhucan(&app, &["audit", "verify"]);
    assert_eq!(
        cli.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&cli.stdout)
    );
    // The checkpoint is evidence: no node overwrites it with the rolled-back state.
    let again = zhucan_domain::audit::checkpoint::write(&p.db, p.audit_key(), &file)
        .await
        .unwrap();
    assert!(again.problem().is_some());
    assert_eq!(std::fs::read(&file).unwrap(), written);
    // A forged checkpoint file is reported, not trusted.
    std::fs::write(
        &file,
        written
            .iter()
            .map(|b| if *b == b'1' { b'2' } else { *b })
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let (ok, _, problem) = broken_at(&app, &auditor).await;
    assert!(!ok && problem.contains("检查点"), "{problem}");
}

#[tokio::test]
async fn audit_verify_on_the_command_line_appends_nothing_to_the_chain() {
    let (app, _) = with_history().await;
    let before = app.rows("SELECT seq FROM audit_records").await.len();
    // Its settings differ from the server's, which used to add a `config.loaded` record.
    let out = crate::cli::zhucan(&app, &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = app.rows("SELECT seq FROM audit_records").await.len();
    assert_eq!(before, after);
}
