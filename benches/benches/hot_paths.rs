//! In-process hot paths: catalog search over a 10,000-entry index, matching one person against
//! every service rule, the custody abnormal-spending rules over one transaction, SM4-GCM field
//! encryption, ID-number parsing.
//!
//! `cargo bench -p zhucan-benches` runs the criterion groups; before them it prints the search
//! latency distribution (p50 / p99 over 8,000 queries), which criterion's summary does not give.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group};
use zhucan_benches::{QUERIES, synthetic_catalog};
use zhucan_domain::catalog::search::SearchIndex;
use zhucan_domain::crypto::{
    DEMO_AUDIT_KEY, DEMO_DATA_KEY, DEMO_INDEX_KEY, FieldAad, FieldCipher, KeyMaterial, StaticKeys,
};
use zhucan_domain::eligibility::{Evaluator, Facts, rule};
use zhucan_domain::types::IdNumber;

fn index(n: usize) -> SearchIndex {
    let idx = SearchIndex::new().unwrap();
    idx.replace_all(&synthetic_catalog(n).unwrap()).unwrap();
    idx
}

fn percentiles() {
    let idx = index(10_000);
    let mut samples = Vec::with_capacity(8_000);
    for round in 0..1_000 {
        for q in QUERIES {
            let t = Instant::now();
            let page = idx.search(q, &[], 10, 0).unwrap();
            samples.push(t.elapsed());
            if round == 0 {
                assert!(!page.hits.is_empty(), "{q} found nothing");
            }
        }
    }
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "search over 10,000 entries, {} queries: p50 {:?}  p99 {:?}  max {:?}",
        samples.len(),
        at(0.50),
        at(0.99),
        samples[samples.len() - 1]
    );
}

fn search(c: &mut Criterion) {
    let idx = index(10_000);
    let mut g = c.benchmark_group("search_10k");
    for q in QUERIES {
        g.bench_function(q, |b| {
            b.iter(|| idx.search(black_box(q), &[], 10, 0).unwrap())
        });
    }
    g.finish();
}

fn matching(c: &mut Criterion) {
    let rules: Vec<Arc<rule::CompiledRule>> = zhucan_domain::demo::demo_services()
        .unwrap()
        .into_iter()
        .map(|(_, _, conds)| Arc::new(rule::compile(&conds).unwrap()))
        .collect();
    let facts = Facts::sample();
    let mut ev = Evaluator::default();
    c.bench_function(
        &format!("match_one_person_{}_services_explained", rules.len()),
        |b| {
            b.iter(|| {
                rules
                    .iter()
                    .map(|r| ev.explain(r, black_box(&facts)).eligible)
                    .filter(|e| *e)
                    .count()
            })
        },
    );
    c.bench_function(
        &format!("match_one_person_{}_services_verdict_only", rules.len()),
        |b| {
            b.iter(|| {
                rules
                    .iter()
                    .filter(|r| ev.holds(r, black_box(&facts)))
                    .count()
            })
        },
    );
}

/// The seeded abnormal-spending rules (as the migration stores them) over one ordinary
/// transaction (no rule met: every rule runs to its end) and one that meets several.
fn custody_rules(c: &mut Criterion) {
    use zhucan_domain::custody::rules::{RuleSet, TxnFacts};
    use zhucan_domain::entities::custody_rule;
    let now = chrono::Utc::now();
    let rows: Vec<custody_rule::Model> = zhucan_migrations::DEFAULT_CUSTODY_RULES
        .iter()
        .map(
            |(code, label, expression, severity, builtin)| custody_rule::Model {
                id: uuid::Uuid::now_v7(),
                code: (*code).to_owned(),
                label: (*label).to_owned(),
                expression: (*expression).to_owned(),
                severity: (*severity).to_owned(),
                enabled: true,
                builtin: *builtin,
                version: 1,
                updated_by: "bench".to_owned(),
                created_at: now,
                updated_at: now,
            },
        )
        .collect();
    let mut set = RuleSet::of(&rows);
    let ordinary = TxnFacts::sample();
    assert!(set.evaluate(&ordinary).is_empty());
    let suspicious = TxnFacts {
        amount: 600_000,
        merchant: "中国体育彩票投注站".to_owned(),
        hour: 2,
        day_total: 1_200_000,
        day_count: 7,
        balance: 50_000,
        ..TxnFacts::sample()
    };
    assert!(set.evaluate(&suspicious).len() >= 5);
    c.bench_function(
        &format!("custody_rules_{}_over_one_ordinary_transaction", set.len()),
        |b| b.iter(|| set.evaluate(black_box(&ordinary)).len()),
    );
    c.bench_function(
        &format!(
            "custody_rules_{}_over_one_suspicious_transaction",
            set.len()
        ),
        |b| b.iter(|| set.evaluate(black_box(&suspicious)).len()),
    );
}

fn crypto(c: &mut Criterion) {
    let keys = StaticKeys::from_material(&KeyMaterial {
        data_keys: DEMO_DATA_KEY.to_owned(),
        index_key: DEMO_INDEX_KEY.to_owned(),
        audit_key: DEMO_AUDIT_KEY.to_owned(),
    })
    .unwrap();
    let cipher = FieldCipher::new(Arc::new(keys));
    let row = uuid::Uuid::now_v7();
    let aad = || FieldAad {
        table: "persons",
        column: "id_number",
        row: &row,
    };
    let stored = cipher.encrypt(aad(), "310115198001011238").unwrap();
    c.bench_function("sm4_gcm_encrypt_id_number", |b| {
        b.iter(|| {
            cipher
                .encrypt(aad(), black_box("310115198001011238"))
                .unwrap()
        })
    });
    c.bench_function("sm4_gcm_decrypt_id_number", |b| {
        b.iter(|| cipher.decrypt(aad(), black_box(&stored)).unwrap())
    });
    c.bench_function("id_number_parse_gb11643", |b| {
        b.iter(|| IdNumber::parse("idNumber", black_box("310115198001011238")).unwrap())
    });
}

criterion_group!(benches, search, matching, custody_rules, crypto);

fn main() {
    percentiles();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
