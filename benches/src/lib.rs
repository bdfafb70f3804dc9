//! Fixtures for the criterion benches: a synthetic catalog of any size built from the demo
//! catalog's real service names, and a sample person.

use zhucan_domain::catalog::EntryKind;
use zhucan_domain::catalog::search::SearchDoc;
use zhucan_domain::error::DomainResult;

const QUALIFIERS: [&str; 10] = [
    "浦东新区",
    "黄浦区",
    "静安区",
    "徐汇区",
    "长宁区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
];
const SUFFIXES: [&str; 10] = [
    "申请",
    "办理指南",
    "常见问题",
    "政策解读",
    "服务点",
    "补充通知",
    "实施细则",
    "线上办理",
    "材料清单",
    "咨询",
];

/// `n` search documents: every demo service crossed with districts and suffixes, so that the
/// index holds realistic near-duplicates (the hard case for ranking).
pub fn synthetic_catalog(n: usize) -> DomainResult<Vec<SearchDoc>> {
    let services = zhucan_domain::demo::demo_services()?;
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n {
        let (name, description, _) = &services[i % services.len()];
        let q = QUALIFIERS[(i / services.len()) % QUALIFIERS.len()];
        let s = SUFFIXES[(i / (services.len() * QUALIFIERS.len())) % SUFFIXES.len()];
        out.push(SearchDoc {
            kind: match i % 3 {
                0 => EntryKind::ServiceItem,
                1 => EntryKind::Policy,
                _ => EntryKind::Institution,
            },
            id: uuid::Uuid::now_v7(),
            title: format!("{q}{name}{s}"),
            body: description.clone(),
            district: None,
        });
        i += 1;
    }
    Ok(out)
}

/// Queries of the kinds citizens type: Chinese words, partial words, full pinyin, initials, a
/// typo.
pub const QUERIES: [&str; 8] = [
    "护理补贴",
    "残疾人证",
    "kangfu",
    "cjrz",
    "轮椅 燃油",
    "阳光宝宝卡",
    "jiuye",
    "重度残疾人护里补贴",
];
