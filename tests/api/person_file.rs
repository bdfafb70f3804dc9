//! One person, one file: households, visitor records, pagination, and a constant number of SQL
//! statements however many files a page holds — with every section of the file asked for.

use serde_json::json;
use zhucan_domain::viewer::Role;

use crate::helpers::{TestApp, ids};

const WHOLE_FILE: &str = "query($n: Int!) { persons(first: $n) { edges { node {
    id name sex birthDate age idNumber phone address relationship status createdAt
    certificate { number category categoryName level validUntil }
    district { code name } street { code name } committee { code name }
    household { id members { id name relationship phone } }
    visitorRecords { at operation role office }
    serviceRecords { kind }
    activities { status checkedInAt activity { title } }
    custodianships { status accounts { number } }
    eligibleServices { eligible granted ruleVersion failedReasons }
    grants { serviceName active grantedAt }
    subsidies { typeName period amount status }
    bankAccounts { number active }
    needs { status categoryLabel }
    questionnaireResponses { status submittedAt }
    placements { status careType }
    employmentIntentions { desiredWork }
    jobApplications { status }
    guidanceHistory { status asVolunteer }
    outreachTasks { status dueOn }
    inbox { title read }
} } } }";

#[tokio::test]
async fn the_statement_count_of_the_whole_file_does_not_grow_with_the_page() {
    // The counter is the whole node's: the periodic passes are off here (a revocation poll
    // every second ran during every try of a slow 500-row page on a loaded machine).
    let app = TestApp::spawn_with(|s| zhucan::config::Settings {
        revocation_poll_secs: 0,
        outreach_tick_secs: 0,
        guidance_tick_secs: 0,
        activity_tick_secs: 0,
        audit_checkpoint_secs: 3_600,
        ..s
    })
    .await;
    app.staff().await;
    let p = &app.platform;
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 7, 600, 300, |_| {})
        .await
        .unwrap();
    let token = app.login("city").await;
    // Visits to some files, so that the visitor loader has rows to return.
    let some = app
        .gql(
            Some(&token),
            "{ persons(first: 5) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    for e in some["data"]["persons"]["edges"].as_array().unwrap() {
        app.gql(
            Some(&token),
            "query($id: ID!) { person(id: $id) { id } }",
            json!({"id": e["node"]["id"]}),
        )
        .await;
    }

    // Anything else in the background (the group-committed read audit) may add a statement
    // during a request, never take one away: the fewest over three tries is the request's own.
    let mut counts = Vec::new();
    for n in [10, 500] {
        let mut fewest = u64::MAX;
        for _ in 0..3 {
            let before = app.statements();
            let body = app.gql(Some(&token), WHOLE_FILE, json!({"n": n})).await;
            let after = app.statements();
            assert!(body["errors"].is_null(), "{body}");
            let edges = body["data"]["persons"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n as usize);
            assert!(edges.iter().all(|e| {
                !e["node"]["household"]["members"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            }));
            fewest = fewest.min(after - before);
        }
        counts.push(fewest);
    }
    println!(
        "statements per request: N=10 → {}, N=500 → {}",
        counts[0], counts[1]
    );
    assert_eq!(counts[0], counts[1], "statements must not grow with N");
    assert!(
        counts[0] <= 25,
        "every section of the file (17 of them), each one to four statements: {}",
        counts[0]
    );
}

#[tokio::test]
async fn households_join_members_and_visits_are_recorded_without_names() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("lujiazui").await;
    let create =
        "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id household { id } } }";
    let head = app
        .gql(Some(&token), create, json!({"i": {"name": "户主", "idNumber": ids::PUDONG_1, "certificateNumber": format!("{}41", ids::PUDONG_1), "streetCode": "310115005"}}))
        .await;
    let hid = head["data"]["createPerson"]["household"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{head}"))
        .to_owned();
    let member = app
        .gql(
            Some(&token),
            create,
            json!({"i": {"name": "配偶", "idNumber": ids::PUDONG_2, "certificateNumber": format!("{}12", ids::PUDONG_2), "streetCode": "310115005", "householdId": hid, "relationship": "SPOUSE"}}),
        )
        .await;
    let member_id = member["data"]["createPerson"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{member}"))
        .to_owned();
    app.account(
        "citizen",
        Role::Citizen,
        None,
        Some(member_id.parse().unwrap()),
    )
    .await;

    // The street admin opens the member's file; the citizen then sees that visit.
    let file = app
        .gql(
            Some(&token),
            "query($id: ID!) { person(id: $id) { household { members { name relationship } } } }",
            json!({"id": member_id}),
        )
        .await;
    let members: Vec<(String, String)> = file["data"]["person"]["household"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_owned(),
                m["relationship"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        members,
        vec![
            ("户主".to_owned(), "HEAD".to_owned()),
            ("配偶".to_owned(), "SPOUSE".to_owned())
        ]
    );

    let citizen = app.login("citizen").await;
    let mine = app
        .gql(
            Some(&citizen),
            "{ me { visitorRecords { operation role office } } }",
            json!({}),
        )
        .await;
    let visits = mine["data"]["me"]["visitorRecords"]
        .as_array()
        .unwrap_or_else(|| panic!("{mine}"));
    assert!(
        visits.iter().any(|v| v["operation"] == "person.view"
            && v["role"] == "STREET_ADMIN"
            && v["office"] == "陆家嘴街道"),
        "{mine}"
    );
    assert!(
        visits.iter().any(|v| v["operation"] == "person.create"),
        "{mine}"
    );
    // Visitor records carry no usernames or names at all.
    let text = mine.to_string();
    assert!(
        !text.contains("lujiazui") && !text.contains("户主"),
        "{text}"
    );
}

#[tokio::test]
async fn cursor_pagination_visits_every_person_once_and_filters_narrow() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let p = &app.platform;
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 11, 130, 100, |_| {})
        .await
        .unwrap();
    let token = app.login("city").await;
    let q = "query($after: String) { persons(first: 50, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }";
    let mut after: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let body = app.gql(Some(&token), q, json!({"after": after})).await;
        let conn = &body["data"]["persons"];
        assert_eq!(conn["totalCount"], 130);
        for e in conn["edges"].as_array().unwrap() {
            assert!(
                seen.insert(e["node"]["id"].as_str().unwrap().to_owned()),
                "seen twice"
            );
        }
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 130);

    let filtered = app
        .gql(Some(&token), "{ persons(first: 500, filter: {category: PHYSICAL, minAge: 60, status: ACTIVE}) { totalCount edges { node { age certificate { category } } } } }", json!({}))
        .await;
    let edges = filtered["data"]["persons"]["edges"].as_array().unwrap();
    assert!(!edges.is_empty() && edges.len() < 130, "{}", edges.len());
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["age"].as_i64().unwrap() >= 60
                && e["node"]["certificate"]["category"] == "PHYSICAL")
    );
}
