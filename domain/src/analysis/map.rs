//! 业务地图 (R57–R60): for each business line — 组联, 教就, 康复, 权益 — indicators per district
//! or per street-town, as a GeoJSON FeatureCollection (RFC 7946) any map library can draw.
//!
//! District boundaries are geoBoundaries' (OpenStreetMap, ODbL 1.0; `data/geo/SOURCE.md`),
//! simplified as a coverage so neighbours still share their edges; WGS84. No open geometry of
//! Shanghai's street-towns exists in any package we can use, so street-town features carry
//! `geometry: null` — never an invented shape. Indicators come from the analyses in the viewer's
//! scope, with the same small-cell suppression.

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::{AnalysisFilter, AnalysisInput, AnalysisService};
use crate::catalog::BusinessLine;
use crate::error::DomainResult;

/// The district boundaries (16 features, `{code, name}`).
static DISTRICTS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../data/geo/shanghai-districts.geojson"))
        .unwrap_or(Value::Null)
});

/// What every map built on the boundaries must credit (ODbL 1.0).
pub const ATTRIBUTION: &str = "© OpenStreetMap contributors; boundaries via geoBoundaries (gbOpen CHN ADM3, William & Mary geoLab), ODbL 1.0";

fn geometry(code: &str) -> Value {
    DISTRICTS["features"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["properties"]["code"] == code))
        .map_or(Value::Null, |f| f["geometry"].clone())
}

code_enum! {
    /// 地图层级
    MapLevel {
        /// 按区
        #[default]
        District = "DISTRICT",
        /// 按街镇
        Street = "STREET",
    }
}

struct Indicator {
    key: &'static str,
    label: &'static str,
    subject: &'static str,
    measure: &'static str,
    filter: AnalysisFilter,
}

fn indicators(line: BusinessLine) -> Vec<Indicator> {
    let none = AnalysisFilter::default();
    let granted = |l: &str| AnalysisFilter {
        business_lines: vec![l.to_owned()],
        ..AnalysisFilter::default()
    };
    let i = |key, label, subject, measure, filter| Indicator {
        key,
        label,
        subject,
        measure,
        filter,
    };
    match line {
        BusinessLine::Organization => vec![
            i("people", "持证残疾人", "PEOPLE", "COUNT", none.clone()),
            i(
                "granted",
                "享受组联服务人数",
                "GRANTS",
                "PEOPLE",
                granted("ORGANIZATION"),
            ),
            i(
                "activityParticipants",
                "活动参与人数",
                "ACTIVITY_REGISTRATIONS",
                "PEOPLE",
                none.clone(),
            ),
            i(
                "guidanceRequests",
                "助残服务需求",
                "GUIDANCE_REQUESTS",
                "COUNT",
                none,
            ),
        ],
        BusinessLine::EducationEmployment => vec![
            i(
                "granted",
                "享受教就服务人数",
                "GRANTS",
                "PEOPLE",
                granted("EDUCATION_EMPLOYMENT"),
            ),
            i(
                "employed",
                "就业人数",
                "PEOPLE",
                "COUNT",
                AnalysisFilter {
                    employments: vec!["EMPLOYED".to_owned()],
                    ..AnalysisFilter::default()
                },
            ),
            i(
                "students",
                "在校人数",
                "PEOPLE",
                "COUNT",
                AnalysisFilter {
                    employments: vec!["STUDENT".to_owned()],
                    ..AnalysisFilter::default()
                },
            ),
        ],
        BusinessLine::Rehabilitation => vec![
            i(
                "granted",
                "享受康复服务人数",
                "GRANTS",
                "PEOPLE",
                granted("REHABILITATION"),
            ),
            i(
                "children",
                "残疾儿童（0-17岁）",
                "PEOPLE",
                "COUNT",
                AnalysisFilter {
                    age_to: Some(17),
                    ..AnalysisFilter::default()
                },
            ),
        ],
        BusinessLine::Rights => vec![
            i(
                "granted",
                "享受权益服务人数",
                "GRANTS",
                "PEOPLE",
                granted("RIGHTS"),
            ),
            i(
                "subsidised",
                "补贴发放人数",
                "SUBSIDIES",
                "PEOPLE",
                none.clone(),
            ),
            i(
                "subsidyAmount",
                "补贴发放金额（元）",
                "SUBSIDIES",
                "SUM",
                none.clone(),
            ),
            i(
                "outreachTasks",
                "政策找人任务",
                "OUTREACH_TASKS",
                "COUNT",
                none,
            ),
        ],
    }
}

impl AnalysisService<'_> {
    /// The business map of `line` at `level`, for a region in the viewer's scope.
    pub async fn business_map(
        &self,
        line: BusinessLine,
        level: MapLevel,
        region: Option<&str>,
    ) -> DomainResult<Value> {
        // A street-town admin's map is their street-town: a district shape would carry a
        // street-town's numbers.
        let own_street = region.map(str::trim).is_some_and(|r| r.len() == 9)
            || self.viewer().is_ok_and(|v| {
                matches!(
                    crate::viewer::PersonScope::of(v).kind(),
                    crate::viewer::ScopeKind::Street(_)
                )
            });
        let level = if own_street { MapLevel::Street } else { level };
        let dimension = match level {
            MapLevel::District => "DISTRICT",
            MapLevel::Street => "STREET",
        };
        // code → (name, indicators)
        let mut features: std::collections::BTreeMap<
            String,
            (String, serde_json::Map<String, Value>),
        > = std::collections::BTreeMap::new();
        let mut region_code = String::new();
        let mut suppression = false;
        for ind in indicators(line) {
            let input = AnalysisInput {
                subject: ind.subject.to_owned(),
                measures: vec![ind.measure.to_owned()],
                dimensions: vec![dimension.to_owned()],
                filter: AnalysisFilter {
                    region_code: region.map(str::to_owned),
                    ..ind.filter
                },
            };
            let a = self.analyse(&input).await?;
            region_code.clone_from(&a.region_code);
            suppression |= a.suppression;
            // Every area of the scope is a feature, with zero where nothing was counted.
            let areas = self.areas(&a.region_code, level);
            for (code, name) in &areas {
                let entry = features
                    .entry(code.clone())
                    .or_insert_with(|| (name.clone(), serde_json::Map::new()));
                entry.1.insert(
                    ind.key.to_owned(),
                    json!({"label": ind.label, "value": 0, "text": "0"}),
                );
            }
            for c in &a.cells {
                let Some((code, _)) = c.keys.first() else {
                    continue;
                };
                let Some(entry) = features.get_mut(code) else {
                    continue;
                };
                #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                let (value, text) = match (c.suppressed, ind.measure) {
                    (true, _) => (Value::Null, "<5".to_owned()),
                    (false, "PEOPLE") => (json!(c.people), c.people.to_string()),
                    (false, "SUM") => (
                        json!(c.sum_fen as f64 / 100.0),
                        crate::types::Fen::yuan_text(c.sum_fen),
                    ),
                    (false, _) => (json!(c.count), c.count.to_string()),
                };
                entry.1.insert(
                    ind.key.to_owned(),
                    json!({"label": ind.label, "value": value, "text": text}),
                );
            }
        }
        let features: Vec<Value> = features
            .into_iter()
            .map(|(code, (name, indicators))| {
                let geometry = if level == MapLevel::District {
                    geometry(&code)
                } else {
                    Value::Null
                };
                let source = if geometry.is_null() {
                    Value::Null
                } else {
                    json!("geoBoundaries CHN-ADM3-62558664 (OpenStreetMap), ODbL 1.0")
                };
                json!({
                    "type": "Feature",
                    "id": code,
                    "geometry": geometry,
                    "properties": {
                        "code": code,
                        "name": name,
                        "level": level.as_str(),
                        "line": line.as_str(),
                        "indicators": indicators,
                        "geometrySource": source,
                    },
                })
            })
            .collect();
        Ok(json!({
            "type": "FeatureCollection",
            "features": features,
            "regionCode": region_code,
            "line": line.as_str(),
            "level": level.as_str(),
            "suppression": suppression,
            "attribution": ATTRIBUTION,
            "crs": "WGS84 (EPSG:4326)",
            "note": match level {
                MapLevel::District => "区界来自 geoBoundaries（OpenStreetMap，ODbL 1.0），已简化",
                MapLevel::Street => "街镇暂无可用的开放边界数据，要素不含几何（geometry 为 null）",
            },
        }))
    }

    /// The districts or street-towns of a region, with their names.
    fn areas(&self, region: &str, level: MapLevel) -> Vec<(String, String)> {
        let regions = &self.p.regions;
        let districts: Vec<String> = match region.len() {
            6 if region == crate::types::CITY_CODE => regions
                .children(None)
                .iter()
                .map(|r| r.code.as_str().to_owned())
                .collect(),
            _ => vec![region[..6.min(region.len())].to_owned()],
        };
        match level {
            MapLevel::District => districts
                .into_iter()
                .map(|d| {
                    let name = regions.name_of(&d);
                    (d, name)
                })
                .collect(),
            MapLevel::Street => districts
                .iter()
                .flat_map(|d| regions.children(Some(d)))
                .filter(|s| region.len() < 9 || s.code.as_str() == region)
                .map(|s| (s.code.as_str().to_owned(), s.name.clone()))
                .collect(),
        }
    }
}
