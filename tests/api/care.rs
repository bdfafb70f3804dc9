//! 托养: an institution's places are set by its district; people are placed or wait; nobody is
//! placed twice at once, an institution never takes more than its places, ends keep history;
//! the analysis counts places against the waiting list per district, in scope.

use serde_json::{Value, json};

use crate::helpers::{TestApp, code, ids};

const PLACE: &str = "mutation($i: PlacementInput!) { savePlacement(input: $i) { id status version fee subsidy startsOn } }";
const END: &str = "mutation($id: ID!, $v: Int!, $d: NaiveDate!, $r: String!) { endPlacement(id: $id, version: $v, endsOn: $d, reason: $r) { status version endsOn } }";
const CAPACITY: &str = "mutation($i: ID!, $t: CareType!, $n: Int!) { saveCareCapacity(institutionId: $i, careType: $t, places: $n) { places } }";
const ANALYSIS: &str = "query($d: String) { institutionalCareAnalysis(districtCode: $d, months: 3) { districts { districtCode places occupied waiting unmetNeeds shortfall averageStayDays } months { month started ended inCare } } }";

fn ok<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "{field}: {body}");
    &body["data"][field]
}

fn day(back: i64) -> String {
    ((chrono::Utc::now() + chrono::Duration::hours(8)).date_naive() - chrono::Duration::days(back))
        .to_string()
}

#[tokio::test]
async fn placements_respect_places_and_time_and_the_analysis_counts_them_in_scope() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let a = app.person("托养甲", ids::PUDONG_1, "51", "310115005").await;
    let b = app.person("托养乙", ids::PUDONG_2, "61", "310115005").await;
    let pudong = app.login("pudong").await;
    let huangpu = app.login("huangpu").await;
    let street = app.login("lujiazui").await;
    let inst = app
        .gql(
            Some(&pudong),
            "mutation($in: InstitutionInput!) { saveInstitution(input: $in) { id } }",
            json!({"in": {"name": "浦东新区阳光之家", "kind": "DAY_CARE", "districtCode": "310115",
                "streetCode": "310115005", "address": "浦东新区陆家嘴测试路1号", "latitude": 31.23,
                "longitude": 121.5, "openingHours": "周一至周五", "phone": "021-12345678",
                "accessibility": ["无障碍坡道"]}}),
        )
        .await;
    let inst = ok(&inst, "saveInstitution")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Places: the institution's district sets them; another district and a street may not.
    let other = app
        .gql(
            Some(&huangpu),
            CAPACITY,
            json!({"i": inst, "t": "DAY_CARE", "n": 5}),
        )
        .await;
    assert_eq!(code(&other), "FORBIDDEN");
    let by_street = app
        .gql(
            Some(&street),
            CAPACITY,
            json!({"i": inst, "t": "DAY_CARE", "n": 5}),
        )
        .await;
    assert_eq!(code(&by_street), "FORBIDDEN");
    let set = app
        .gql(
            Some(&pudong),
            CAPACITY,
            json!({"i": inst, "t": "DAY_CARE", "n": 1}),
        )
        .await;
    assert_eq!(ok(&set, "saveCareCapacity")["places"], 1);

    let place = |person: uuid::Uuid, status: &str, extra: Value| {
        let mut i = json!({"personId": person.to_string(), "institutionId": inst, "careType": "DAY_CARE",
            "status": status, "requestedOn": day(30), "startsOn": day(10), "fee": "1200", "subsidy": "800"});
        if let (Some(obj), Value::Object(more)) = (i.as_object_mut(), extra) {
            obj.extend(more);
        }
        json!({"i": i})
    };
    let first = app
        .gql(Some(&street), PLACE, place(a, "ACTIVE", json!({})))
        .await;
    let first = ok(&first, "savePlacement").clone();
    assert_eq!(first["status"], "ACTIVE");
    assert_eq!(first["fee"], "1200.00");
    // Full: the second waits; waiting twice at one institution is refused.
    let full = app
        .gql(Some(&street), PLACE, place(b, "ACTIVE", json!({})))
        .await;
    assert_eq!(code(&full), "CONFLICT", "{full}");
    let waiting = app
        .gql(Some(&street), PLACE, place(b, "WAITING", json!({})))
        .await;
    let waiting = ok(&waiting, "savePlacement").clone();
    assert_eq!(waiting["status"], "WAITING");
    let twice = app
        .gql(Some(&street), PLACE, place(b, "WAITING", json!({})))
        .await;
    assert_eq!(code(&twice), "CONFLICT", "{twice}");
    // Bad input: a care type without places, a subsidy above the fee, a fraction of a fen.
    for (extra, field) in [
        (json!({"careType": "RESPITE"}), "input.careType"),
        (json!({"subsidy": "1300"}), "input.subsidy"),
        (json!({"fee": "12.345"}), "input.fee"),
    ] {
        let bad = app
            .gql(Some(&street), PLACE, place(b, "WAITING", extra))
            .await;
        assert_eq!(code(&bad), "BAD_USER_INPUT", "{bad}");
        assert_eq!(bad["errors"][0]["extensions"]["field"], field, "{bad}");
    }
    // Huangpu neither sees nor places Pudong's people.
    let theirs = app
        .gql(
            Some(&huangpu),
            "{ placements(first: 10) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(
        ok(&theirs, "placements")["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let foreign = app
        .gql(Some(&huangpu), PLACE, place(b, "WAITING", json!({})))
        .await;
    assert_eq!(code(&foreign), "NOT_FOUND");

    // The first ends (not before it began); the waiting one then starts on its entry.
    let early = app
        .gql(
            Some(&street),
            END,
            json!({"id": first["id"], "v": 1, "d": day(20), "r": "迁出"}),
        )
        .await;
    assert_eq!(code(&early), "BAD_USER_INPUT");
    let ended = app
        .gql(
            Some(&street),
            END,
            json!({"id": first["id"], "v": 1, "d": day(0), "r": "迁出本区"}),
        )
        .await;
    assert_eq!(ok(&ended, "endPlacement")["status"], "ENDED");
    let starts = app
        .gql(
            Some(&street),
            PLACE,
            place(
                b,
                "ACTIVE",
                json!({"id": waiting["id"], "version": waiting["version"], "startsOn": day(0)}),
            ),
        )
        .await;
    assert_eq!(ok(&starts, "savePlacement")["status"], "ACTIVE", "{starts}");
    // A placement of the first person overlapping their ended one is refused.
    app.gql(
        Some(&pudong),
        CAPACITY,
        json!({"i": inst, "t": "DAY_CARE", "n": 3}),
    )
    .await;
    let overlap = app
        .gql(
            Some(&street),
            PLACE,
            place(a, "ACTIVE", json!({"startsOn": day(5)})),
        )
        .await;
    assert_eq!(code(&overlap), "CONFLICT");
    assert!(overlap.to_string().contains("重叠"), "{overlap}");

    // The analysis: Pudong's places, who is in care and for how long.
    let analysis = app.gql(Some(&pudong), ANALYSIS, json!({})).await;
    let r = ok(&analysis, "institutionalCareAnalysis");
    let districts = r["districts"].as_array().unwrap();
    assert_eq!(districts.len(), 1, "a district admin sees their own");
    let d = &districts[0];
    assert_eq!(d["districtCode"], "310115");
    assert_eq!(d["places"], 3);
    assert_eq!(d["occupied"], 1);
    assert_eq!(d["waiting"], 0);
    assert_eq!(d["averageStayDays"], 11.0);
    assert_eq!(r["months"].as_array().unwrap().len(), 3);
    let city = app.login("city").await;
    let all = app.gql(Some(&city), ANALYSIS, json!({})).await;
    assert_eq!(
        ok(&all, "institutionalCareAnalysis")["districts"]
            .as_array()
            .unwrap()
            .len(),
        16,
        "every district of Shanghai"
    );
    let denied = app
        .gql(Some(&huangpu), ANALYSIS, json!({"d": "310115"}))
        .await;
    assert_eq!(code(&denied), "FORBIDDEN");

    // The person file shows the placements.
    let file = app
        .gql(
            Some(&street),
            "query($id: ID!) { person(id: $id) { placements { status endsOn } } }",
            json!({"id": a.to_string()}),
        )
        .await;
    assert_eq!(ok(&file, "person")["placements"][0]["status"], "ENDED");
}

#[tokio::test]
async fn the_demo_day_care_has_places_placements_and_waiting_lists() {
    let app = TestApp::spawn().await;
    let p = &app.platform;
    zhucan_domain::demo::seed_demo_accounts(
        &p.db,
        &p.cipher,
        &p.regions,
        &p.hasher,
        crate::helpers::PASSWORD,
    )
    .await
    .unwrap();
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 7, 3_000, 500, |_| {})
        .await
        .unwrap();
    zhucan::startup::seed_catalog(p).await.unwrap();
    let made = zhucan_domain::demo::seed_demo_care(p).await.unwrap();
    assert!(made >= 50, "{made}");
    assert_eq!(zhucan_domain::demo::seed_demo_care(p).await.unwrap(), 0);
    app.account(
        "analyst",
        zhucan_domain::viewer::Role::CityAdmin,
        Some("310000"),
        None,
    )
    .await;
    let city = app.login("analyst").await;
    let analysis = app.gql(Some(&city), ANALYSIS, json!({})).await;
    let r = ok(&analysis, "institutionalCareAnalysis");
    let districts = r["districts"].as_array().unwrap();
    let sum = |k: &str| {
        districts
            .iter()
            .map(|d| d[k].as_i64().unwrap())
            .sum::<i64>()
    };
    assert!(
        sum("places") > 0 && sum("occupied") > 0 && sum("waiting") > 0,
        "{r}"
    );
    assert!(sum("occupied") <= sum("places"));
    assert!(
        districts.iter().any(|d| !d["averageStayDays"].is_null()),
        "ended stays give an average"
    );
}
