//! Every kind of bad input answers `BAD_USER_INPUT` naming the field, and writes nothing.

use serde_json::{Value, json};

use crate::helpers::{TestApp, code, ids};

const CREATE: &str = "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }";

fn valid() -> Value {
    json!({
        "name": "张三",
        "idNumber": ids::PUDONG_1,
        "certificateNumber": format!("{}41", ids::PUDONG_1),
        "phone": "13900001111",
        "address": "上海市浦东新区陆家嘴环路1号",
        "streetCode": "310115005",
        "committeeCode": "310115005001"
    })
}

fn with(field: &str, value: Value) -> Value {
    let mut v = valid();
    v[field] = value;
    v
}

#[tokio::test]
async fn each_kind_of_bad_person_input_is_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("pudong").await;
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "malformed id number",
            with("idNumber", json!("31011519800101")),
            "input.idNumber",
        ),
        (
            "letters in the id number",
            with("idNumber", json!("3101151980010112AB")),
            "input.idNumber",
        ),
        (
            "wrong check digit",
            with("idNumber", json!("310115198001011239")),
            "input.idNumber",
        ),
        (
            "certificate of another person",
            with("certificateNumber", json!(format!("{}41", ids::PUDONG_2))),
            "input.certificateNumber",
        ),
        (
            "category out of range",
            with("certificateNumber", json!(format!("{}81", ids::PUDONG_1))),
            "input.certificateNumber",
        ),
        (
            "level out of range",
            with("certificateNumber", json!(format!("{}45", ids::PUDONG_1))),
            "input.certificateNumber",
        ),
        (
            "unknown street-town",
            with("streetCode", json!("310115999")),
            "input.streetCode",
        ),
        (
            "district code where a street is needed",
            with("streetCode", json!("310115")),
            "input.streetCode",
        ),
        (
            "region outside Shanghai",
            with("streetCode", json!("110105001")),
            "input.streetCode",
        ),
        (
            "committee of another street",
            with("committeeCode", json!("310101002001")),
            "input.committeeCode",
        ),
        (
            "landline phone",
            with("phone", json!("021-12345678")),
            "input.phone",
        ),
        (
            "oversize name",
            with("name", json!("张".repeat(51))),
            "input.name",
        ),
        (
            "markup in the name",
            with("name", json!("<script>")),
            "input.name",
        ),
        (
            "oversize address",
            with("address", json!("路".repeat(201))),
            "input.address",
        ),
        ("wrong type for a string", with("name", json!(12345)), "i"),
        (
            "missing required field",
            {
                let mut v = valid();
                v.as_object_mut().unwrap().remove("idNumber");
                v
            },
            "i",
        ),
    ];
    for (what, input, field) in cases {
        let body = app.gql(Some(&token), CREATE, json!({"i": input})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{what}: {body}");
        let named = body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or_default();
        assert!(
            named.starts_with(field),
            "{what}: field {named:?} should name {field}: {body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                || field == "i",
            "{what}: zh-CN message"
        );
    }
    assert!(
        app.rows("SELECT id FROM persons").await.is_empty(),
        "nothing was written"
    );
    assert!(
        app.rows("SELECT id FROM households").await.is_empty(),
        "no household was left behind"
    );
}

#[tokio::test]
async fn bad_filters_and_arguments_are_refused() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("city").await;
    let cases = [
        (
            "{ persons(filter: {level: 5}) { totalCount } }",
            "filter.level",
        ),
        (
            "{ persons(filter: {level: \"x\"}) { totalCount } }",
            "filter.level",
        ),
        (
            "{ persons(filter: {category: ALIEN}) { totalCount } }",
            "filter.category",
        ),
        (
            "{ persons(filter: {minAge: -1}) { totalCount } }",
            "filter.minAge",
        ),
        (
            "{ persons(filter: {minAge: 60, maxAge: 10}) { totalCount } }",
            "filter.minAge",
        ),
        (
            "{ persons(filter: {districtCode: \"310199\"}) { totalCount } }",
            "filter.districtCode",
        ),
        ("{ persons(first: 501) { totalCount } }", "first"),
        (
            "{ persons(after: \"not-a-cursor\") { totalCount } }",
            "after",
        ),
        ("{ person(id: \"42\") { id } }", "id"),
        ("{ personByIdNumber(idNumber: \"123\") { id } }", "idNumber"),
        ("{ regions(parent: \"999999\") { code } }", "parent"),
    ];
    for (q, field) in cases {
        let body = app.gql(Some(&token), q, json!({})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{q}: {body}");
        let named = body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or_default();
        assert!(named.contains(field), "{q}: {named:?} should name {field}");
    }
}

#[tokio::test]
async fn duplicate_registration_is_a_conflict_and_deactivation_needs_a_reason() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("pudong").await;
    let first = app.gql(Some(&token), CREATE, json!({"i": valid()})).await;
    let id = first["data"]["createPerson"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let again = app.gql(Some(&token), CREATE, json!({"i": valid()})).await;
    assert_eq!(code(&again), "CONFLICT", "{again}");
    assert_eq!(
        app.rows("SELECT id FROM households").await.len(),
        1,
        "the failed attempt left no household"
    );

    let deactivate = "mutation($id: ID!, $r: String!) { deactivatePerson(id: $id, reason: $r) { status deactivationReason } }";
    assert_eq!(
        code(
            &app.gql(Some(&token), deactivate, json!({"id": id, "r": "  "}))
                .await
        ),
        "BAD_USER_INPUT"
    );
    let ok = app
        .gql(Some(&token), deactivate, json!({"id": id, "r": "迁出本市"}))
        .await;
    assert_eq!(
        ok["data"]["deactivatePerson"]["status"], "DEACTIVATED",
        "{ok}"
    );
    assert_eq!(
        code(
            &app.gql(Some(&token), deactivate, json!({"id": id, "r": "再次"}))
                .await
        ),
        "CONFLICT"
    );
    let upd = "mutation($id: ID!) { updatePerson(id: $id, input: {name: \"李四\"}) { id } }";
    assert_eq!(
        code(&app.gql(Some(&token), upd, json!({"id": id})).await),
        "CONFLICT"
    );
}

#[tokio::test]
async fn invisible_names_implausible_dates_and_unknown_directives_are_refused() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let token = app.login("pudong").await;
    for name in [
        "\u{200B}",
        "\u{202E}",
        "\u{2060}",
        "\u{FEFF}",
        "\u{200B}\u{FEFF}",
        "张\u{202E}三",
    ] {
        let body = app
            .gql(
                Some(&token),
                CREATE,
                json!({"i": with("name", json!(name))}),
            )
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{name:?}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "input.name",
            "{body}"
        );
    }
    for date in ["1900-01-01", "2099-12-31", "0001-01-01"] {
        let body = app
            .gql(
                Some(&token),
                CREATE,
                json!({"i": with("certificateValidUntil", json!(date))}),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "input.certificateValidUntil",
            "{date}: {body}"
        );
    }
    assert!(
        app.rows("SELECT id FROM persons").await.is_empty(),
        "nothing was written"
    );
    let body = app
        .gql(
            Some(&token),
            CREATE,
            json!({"i": with("certificateValidUntil", json!("2030-06-30"))}),
        )
        .await;
    assert!(body["errors"].is_null(), "a plausible date passes: {body}");
    for (query, what) in [
        ("{ regions @foo { code } }", "未知指令"),
        ("{ regions @skip { code } }", "if"),
        (
            "{ regions @include(if: true, unless: false) { code } }",
            "if",
        ),
        (
            "query Q @skip(if: true) { regions { code } }",
            "不能用在这里",
        ),
    ] {
        let body = app.gql(None, query, json!({})).await;
        assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{query}: {body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(what),
            "{query}: {body}"
        );
    }
    let body = app
        .gql(None, "{ regions @skip(if: false) { code } }", json!({}))
        .await;
    assert!(body["data"]["regions"].is_array(), "{body}");
}
