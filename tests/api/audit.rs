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
