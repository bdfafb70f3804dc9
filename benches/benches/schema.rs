//! In-process schema execution of the load scenarios' documents, without HTTP: S1
//! `{ __typename }`, S2 a 20-row masked person page as a district admin (document parsed every
//! time), S3 `persons(first: N)` with the whole file as the city. SQLite, 2,000 demo people.
//!
//! `cargo bench -p zhucan-benches --bench schema`

#![allow(clippy::unwrap_used, clippy::expect_used)]
// Release builds of the merged schema need more than the default query depth (see zhucan-schema).
#![recursion_limit = "256"]

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use serde_json::json;
use zhucan::config::Settings;
use zhucan_domain::Platform;
use zhucan_domain::identity::{Session, SessionStage};
use zhucan_domain::types::RegionCode;
use zhucan_domain::viewer::{RequestMeta, Role, Viewer};

const PAGE: &str = "query PersonPage { persons(first: 20) { totalCount nodes { id name sex age \
    idNumber phone address status street { name } } } }";
const FILE: &str = "query($n: Int!) { persons(first: $n) { edges { node { \
    id name sex birthDate age idNumber phone address relationship status createdAt \
    certificate { number category level validUntil } \
    district { code name } street { code name } committee { code name } \
    household { id members { id name relationship phone } } } } } }";

fn viewer(role: Role, region: &str) -> (Viewer, Session) {
    let now = chrono::Utc::now();
    (
        Viewer {
            account_id: uuid::Uuid::now_v7(),
            username: "bench".into(),
            role,
            region: Some(RegionCode::parse("region", region).unwrap()),
            person_id: None,
            client: None,
        },
        Session {
            jti: uuid::Uuid::now_v7(),
            issued_at: now,
            expires_at: now + chrono::Duration::hours(8),
            stage: SessionStage::Full,
        },
    )
}

fn execution(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("zhucan-bench-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let settings = Settings {
        data_dir: dir.clone(),
        demo_data: false,
        ..Settings::default()
    };
    let platform: Platform = rt.block_on(zhucan::startup::platform(&settings)).unwrap();
    rt.block_on(zhucan_domain::demo::seed_people(
        &platform.db,
        &platform.cipher,
        &platform.regions,
        5,
        2_000,
        500,
        |_| {},
    ))
    .unwrap();
    let schema = zhucan::startup::schema(&settings, platform.clone());
    let run = |who: Option<(Viewer, Session)>, query: &str, vars: serde_json::Value| {
        let data = zhucan_resolvers::attach_request_data(&platform, who, RequestMeta::default());
        let mut req =
            async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(vars));
        req.data = data;
        let resp = rt.block_on(schema.execute(req));
        assert!(resp.errors.is_empty(), "{:?}", resp.errors);
        resp
    };
    let mut g = c.benchmark_group("schema");
    g.bench_function("s1_typename", |b| {
        b.iter(|| black_box(run(None, "{ __typename }", json!({}))))
    });
    g.bench_function("s2_person_page_20_district", |b| {
        b.iter(|| {
            black_box(run(
                Some(viewer(Role::DistrictAdmin, "310115")),
                PAGE,
                json!({}),
            ))
        })
    });
    for n in [10, 100] {
        g.bench_function(format!("s3_whole_file_{n}_city"), |b| {
            b.iter(|| {
                black_box(run(
                    Some(viewer(Role::CityAdmin, "310000")),
                    FILE,
                    json!({ "n": n }),
                ))
            })
        });
    }
    g.finish();
    std::fs::remove_dir_all(dir).ok();
}

criterion_group!(benches, execution);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
