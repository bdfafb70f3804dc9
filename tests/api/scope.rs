//! Row scope: every admin level sees its region and nothing else; out-of-scope records are
//! `NOT_FOUND`, never `FORBIDDEN` (their existence is not revealed).

use serde_json::json;
use zhucan_domain::viewer::Role;

use crate::helpers::{TestApp, code, ids};

const LIST: &str = "{ persons(first: 50) { totalCount edges { node { id street { code } } } } }";
const ONE: &str = "query($id: ID!) { person(id: $id) { id name } }";

async fn arranged() -> (TestApp, uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let app = TestApp::spawn().await;
    app.staff().await;
    let ljz = app
        .person("陆家嘴甲", ids::PUDONG_1, "41", "310115005")
        .await;
    let zjd = app
        .person("周家渡乙", ids::PUDONG_2, "12", "310115007")
        .await;
    let hp = app
        .person("南京东路丙", ids::HUANGPU_1, "23", "310101002")
        .await;
    (app, ljz, zjd, hp)
}

fn listed(body: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = body["data"]["persons"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges: {body}"))
        .iter()
        .map(|e| {
            e["node"]["street"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_pudong_district_admin_lists_only_pudong_people_and_gets_not_found_for_huangpu() {
    let (app, ljz, _, hp) = arranged().await;
    let token = app.login("pudong").await;

    let list = app.gql(Some(&token), LIST, json!({})).await;
    assert_eq!(listed(&list), vec!["310115005", "310115007"]);
    assert_eq!(list["data"]["persons"]["totalCount"], 2);

    let own = app.gql(Some(&token), ONE, json!({"id": ljz})).await;
    assert_eq!(own["data"]["person"]["name"], "陆家嘴甲");
    let other = app.gql(Some(&token), ONE, json!({"id": hp})).await;
    assert_eq!(code(&other), "NOT_FOUND", "{other}");
    // The same answer as for an id that does not exist at all.
    let missing = app
        .gql(Some(&token), ONE, json!({"id": uuid::Uuid::now_v7()}))
        .await;
    assert_eq!(
        other["errors"][0]["message"],
        missing["errors"][0]["message"]
    );
}

#[tokio::test]
async fn a_street_admin_sees_only_their_street_town() {
    let (app, ljz, zjd, hp) = arranged().await;
    let token = app.login("lujiazui").await;
    assert_eq!(
        listed(&app.gql(Some(&token), LIST, json!({})).await),
        vec!["310115005"]
    );
    assert!(app.gql(Some(&token), ONE, json!({"id": ljz})).await["errors"].is_null());
    for other in [zjd, hp] {
        assert_eq!(
            code(&app.gql(Some(&token), ONE, json!({"id": other})).await),
            "NOT_FOUND"
        );
    }
    // Filters cannot widen the scope.
    let widened = app
        .gql(
            Some(&token),
            "{ persons(filter:{districtCode:\"310101\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(widened["data"]["persons"]["totalCount"], 0);
}

#[tokio::test]
async fn a_huangpu_district_admin_and_street_admin_see_only_huangpu() {
    let (app, _, _, _) = arranged().await;
    for user in ["huangpu", "nanjingdonglu"] {
        let token = app.login(user).await;
        assert_eq!(
            listed(&app.gql(Some(&token), LIST, json!({})).await),
            vec!["310101002"],
            "{user}"
        );
    }
}

#[tokio::test]
async fn a_city_admin_sees_every_district() {
    let (app, _, _, hp) = arranged().await;
    let token = app.login("city").await;
    assert_eq!(
        listed(&app.gql(Some(&token), LIST, json!({})).await),
        vec!["310101002", "310115005", "310115007"]
    );
    assert!(app.gql(Some(&token), ONE, json!({"id": hp})).await["errors"].is_null());
}

#[tokio::test]
async fn a_citizen_sees_only_themself() {
    let (app, ljz, zjd, _) = arranged().await;
    app.account("citizen", Role::Citizen, None, Some(ljz)).await;
    let token = app.login("citizen").await;
    let me = app
        .gql(
            Some(&token),
            "{ me { id name } persons { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(me["data"]["me"]["id"], ljz.to_string());
    assert_eq!(me["data"]["persons"]["totalCount"], 1);
    assert_eq!(
        code(&app.gql(Some(&token), ONE, json!({"id": zjd})).await),
        "NOT_FOUND"
    );
    let by_id = app
        .gql(
            Some(&token),
            "{ personByIdNumber(idNumber: \"310115199005200022\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&by_id), "FORBIDDEN");
}

#[tokio::test]
async fn separated_duties_and_volunteers_cannot_read_people() {
    let (app, ljz, _, _) = arranged().await;
    for user in ["sysadmin", "secadmin", "auditor", "volunteer"] {
        let token = app.login(user).await;
        assert_eq!(
            code(&app.gql(Some(&token), LIST, json!({})).await),
            "FORBIDDEN",
            "{user}"
        );
        assert_eq!(
            code(&app.gql(Some(&token), ONE, json!({"id": ljz})).await),
            "FORBIDDEN",
            "{user}"
        );
    }
    assert_eq!(
        code(&app.gql(None, LIST, json!({})).await),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn lookup_by_id_number_uses_the_blind_index_within_scope() {
    let (app, ljz, _, _) = arranged().await;
    let q = "query($n: String!) { personByIdNumber(idNumber: $n) { id } }";
    let pudong = app.login("pudong").await;
    let found = app.gql(Some(&pudong), q, json!({"n": ids::PUDONG_1})).await;
    assert_eq!(found["data"]["personByIdNumber"]["id"], ljz.to_string());
    let huangpu = app.login("huangpu").await;
    assert_eq!(
        code(
            &app.gql(Some(&huangpu), q, json!({"n": ids::PUDONG_1}))
                .await
        ),
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn admins_cannot_register_or_move_people_outside_their_scope() {
    let (app, ljz, _, _) = arranged().await;
    let token = app.login("lujiazui").await;
    let create = "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }";
    let input = json!({"name": "越权", "idNumber": ids::PUDONG_3, "certificateNumber": format!("{}41", ids::PUDONG_3), "streetCode": "310115007"});
    assert_eq!(
        code(&app.gql(Some(&token), create, json!({"i": input})).await),
        "FORBIDDEN"
    );
    let mv =
        "mutation($id: ID!) { updatePerson(id: $id, input: {streetCode: \"310101002\"}) { id } }";
    assert_eq!(
        code(&app.gql(Some(&token), mv, json!({"id": ljz})).await),
        "FORBIDDEN"
    );
    let count = app.rows("SELECT id FROM persons").await.len();
    assert_eq!(count, 3, "nothing was written");
}
