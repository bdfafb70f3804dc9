//! Relay conventions as a Relay client relies on them: every entity refetches through
//! `node(id)` (and `nodes(ids)`) as the caller may see it — null out of scope, exactly like an
//! unknown id — and connections page both ways with `first`/`after` and `last`/`before`.

use serde_json::{Value, json};
use zhucan_domain::viewer::Role;

use crate::helpers::{TestApp, code, ids};

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id
    ... on Person { name } ... on ServiceItem { key } ... on Viewer { username } } }";

fn ids_of(body: &Value, field: &str) -> Vec<String> {
    body["data"][field]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_entity_refetches_through_node_and_out_of_scope_ids_answer_null() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let person = app.person("节点甲", ids::PUDONG_1, "41", "310115005").await;
    let pudong = app.login("pudong").await;
    let huangpu = app.login("huangpu").await;

    let body = app
        .gql(Some(&pudong), NODE, json!({"id": person.to_string()}))
        .await;
    assert_eq!(body["data"]["node"]["__typename"], "Person", "{body}");
    assert_eq!(body["data"]["node"]["name"], "节点甲");
    assert_eq!(body["data"]["node"]["id"], person.to_string());

    // Another district: the same answer as an id that does not exist.
    let body = app
        .gql(Some(&huangpu), NODE, json!({"id": person.to_string()}))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["node"].is_null(), "{body}");
    let unknown = uuid::Uuid::now_v7().to_string();
    for id in [unknown.as_str(), "not-a-uuid"] {
        let body = app.gql(Some(&pudong), NODE, json!({"id": id})).await;
        assert!(
            body["errors"].is_null() && body["data"]["node"].is_null(),
            "{body}"
        );
    }

    // The household, the viewer themself, and public catalog entries for anyone.
    let household = app
        .gql(
            Some(&pudong),
            "query($id: ID!) { person(id: $id) { household { id } } }",
            json!({"id": person.to_string()}),
        )
        .await["data"]["person"]["household"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app.gql(Some(&pudong), NODE, json!({"id": household})).await;
    assert_eq!(body["data"]["node"]["__typename"], "Household", "{body}");
    let me = app.gql(Some(&pudong), "{ viewer { id } }", json!({})).await["data"]["viewer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app.gql(Some(&pudong), NODE, json!({"id": me})).await;
    assert_eq!(body["data"]["node"]["username"], "pudong", "{body}");
    let body = app.gql(Some(&huangpu), NODE, json!({"id": me})).await;
    assert!(
        body["data"]["node"].is_null(),
        "another account is no one's node: {body}"
    );

    let city = app.login("city").await;
    let item = app
        .gql(Some(&city), "mutation { saveServiceItem(input: {key: \"NODE_ITEM\", name: \"节点事项\", businessLine: RIGHTS, description: \"测试\", timeLimitDays: 5, channel: OFFLINE}) { id } }", json!({}))
        .await["data"]["saveServiceItem"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app.gql(None, NODE, json!({"id": item})).await;
    assert_eq!(body["data"]["node"]["key"], "NODE_ITEM", "{body}");

    // `nodes` answers in the order asked, null where unseen.
    let body = app
        .gql(
            Some(&pudong),
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
            json!({"ids": [item, unknown, person.to_string()]}),
        )
        .await;
    let kinds: Vec<Value> = body["data"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|n| n["__typename"].clone())
        .collect();
    assert_eq!(
        kinds,
        vec![json!("ServiceItem"), Value::Null, json!("Person")]
    );
    let too_many: Vec<String> = (0..101).map(|_| unknown.clone()).collect();
    let body = app
        .gql(
            Some(&pudong),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": too_many}),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn opening_a_file_through_node_is_a_recorded_visit() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let person = app.person("节点乙", ids::PUDONG_2, "41", "310115005").await;
    let pudong = app.login("pudong").await;
    let before = app
        .rows("SELECT COUNT(*) AS n FROM audit_records WHERE operation = 'person.view'")
        .await[0]
        .try_get::<i64>("", "n")
        .unwrap();
    app.gql(Some(&pudong), NODE, json!({"id": person.to_string()}))
        .await;
    let after = app
        .rows("SELECT COUNT(*) AS n FROM audit_records WHERE operation = 'person.view'")
        .await[0]
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(after, before + 1);
}

#[tokio::test]
async fn connections_page_forwards_and_backwards_with_cursors() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let p = &app.platform;
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 3, 7, 7, |_| {})
        .await
        .unwrap();
    let city = app.login("city").await;
    let page = |args: &str| {
        format!(
            "{{ persons({args}) {{ edges {{ cursor node {{ id }} }} pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }} }} }}"
        )
    };
    let all = ids_of(
        &app.gql(Some(&city), &page("first: 100"), json!({})).await,
        "persons",
    );
    assert_eq!(all.len(), 7);

    // Forwards two at a time.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let args = match &after {
            Some(c) => format!("first: 2, after: \"{c}\""),
            None => "first: 2".to_owned(),
        };
        let body = app.gql(Some(&city), &page(&args), json!({})).await;
        seen.extend(ids_of(&body, "persons"));
        let info = &body["data"]["persons"]["pageInfo"];
        assert_eq!(info["hasPreviousPage"], after.is_some(), "{body}");
        if info["hasNextPage"] != true {
            break;
        }
        after = Some(info["endCursor"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen, all, "forward pages cover the list once, in order");

    // Backwards from the end, two at a time.
    let body = app.gql(Some(&city), &page("last: 2"), json!({})).await;
    assert_eq!(ids_of(&body, "persons"), all[5..].to_vec());
    let info = &body["data"]["persons"]["pageInfo"];
    assert_eq!(
        (
            info["hasPreviousPage"].as_bool(),
            info["hasNextPage"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let start = info["startCursor"].as_str().unwrap().to_owned();
    let body = app
        .gql(
            Some(&city),
            &page(&format!("last: 2, before: \"{start}\"")),
            json!({}),
        )
        .await;
    assert_eq!(ids_of(&body, "persons"), all[3..5].to_vec());

    // Both directions at once, and unreadable cursors, are refused.
    let body = app
        .gql(Some(&city), &page("first: 1, last: 1"), json!({}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let body = app
        .gql(Some(&city), &page("last: 1, before: \"x\""), json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "before", "{body}");
}

#[tokio::test]
async fn search_pages_back_towards_the_best_hits() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let city = app.login("city").await;
    for i in 0..6 {
        let body = app
            .gql(Some(&city), "mutation($k: String!, $n: String!) { saveServiceItem(input: {key: $k, name: $n, businessLine: REHABILITATION, description: \"康复训练服务\", timeLimitDays: 5, channel: OFFLINE}) { id } }", json!({"k": format!("REHAB_{i}"), "n": format!("康复训练{i}号")}))
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let q = |args: &str| {
        format!(
            "{{ search(query: \"康复训练\", {args}) {{ totalCount edges {{ cursor node {{ entry {{ ... on ServiceItem {{ key }} }} }} }} pageInfo {{ hasPreviousPage hasNextPage }} }} }}"
        )
    };
    let keys = |body: &Value| -> Vec<String> {
        body["data"]["search"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|e| e["node"]["entry"]["key"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.gql(None, &q("first: 20"), json!({})).await;
    let ranked = keys(&all);
    assert_eq!(ranked.len(), 6, "{all}");
    let body = app.gql(None, &q("last: 2, before: \"5\""), json!({})).await;
    assert_eq!(keys(&body), ranked[2..4].to_vec(), "{body}");
    let info = &body["data"]["search"]["pageInfo"];
    assert_eq!(
        (
            info["hasPreviousPage"].as_bool(),
            info["hasNextPage"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let body = app.gql(None, &q("last: 2"), json!({})).await;
    assert_eq!(keys(&body), ranked[4..].to_vec(), "the last two: {body}");
    assert_eq!(body["data"]["search"]["totalCount"], 6);
}

#[tokio::test]
async fn a_citizens_inbox_is_a_connection_newest_last() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let person = app.person("收件人", ids::PUDONG_1, "41", "310115005").await;
    app.account("inbox_owner", Role::Citizen, None, Some(person))
        .await;
    // Three messages, as grants and notices write them.
    for i in 0..3 {
        use sea_orm::{ActiveModelTrait, Set};
        zhucan_domain::entities::inbox_message::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            person_id: Set(person),
            kind: Set("NOTICE".to_owned()),
            title: Set(format!("消息{i}")),
            body: Set("内容".to_owned()),
            ref_id: Set(None),
            created_at: Set(chrono::Utc::now()),
            read_at: Set(None),
        }
        .insert(app.platform.db.conn())
        .await
        .unwrap();
    }
    let token = app.login("inbox_owner").await;
    let body = app
        .gql(
            Some(&token),
            "{ inbox(last: 2) { nodes { title } pageInfo { hasPreviousPage startCursor } } }",
            json!({}),
        )
        .await;
    let titles: Vec<&str> = body["data"]["inbox"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|m| m["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["消息1", "消息2"]);
    let info = &body["data"]["inbox"]["pageInfo"];
    assert_eq!(info["hasPreviousPage"], true);
    let body = app
        .gql(
            Some(&token),
            "query($c: String!) { inbox(last: 2, before: $c) { nodes { title } } }",
            json!({"c": info["startCursor"]}),
        )
        .await;
    assert_eq!(
        body["data"]["inbox"]["nodes"][0]["title"], "消息0",
        "{body}"
    );
}
