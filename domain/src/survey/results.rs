//! Results of a questionnaire: per question distributions and cross-tabs by district,
//! street-town, disability category, level or age band, over the submissions in force in the
//! viewer's scope, read a page at a time. Small cells (1–4 people) are suppressed — shown as
//! "<5" — in every breakdown and in every view below the city, so a result never points at a
//! person.

use std::borrow::Cow;
use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::stored::{AnswerRef, Entries};
use super::{QuestionKind, ResponseStatus, SurveyService, WHAT};
use crate::entities::{questionnaire, questionnaire_response};
use crate::error::{DomainError, DomainResult};
use crate::types::{RegionCode, RegionLevel};
use crate::viewer::{PersonScope, ScopeKind};

/// Smallest count shown as it is in a suppressed view.
pub const MIN_CELL: u64 = 5;
/// Submissions read per page.
const PAGE: u64 = 5_000;

code_enum! {
    /// 交叉分析维度
    Dimension {
        /// 区
        #[default]
        District = "DISTRICT",
        /// 街镇
        Street = "STREET",
        /// 残疾类别
        Category = "CATEGORY",
        /// 残疾等级
        Level = "LEVEL",
        /// 年龄段
        AgeBand = "AGE_BAND",
    }
}

/// A count as shown: exact, or suppressed (1–4 people).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The count (`None` when suppressed).
    pub count: Option<u64>,
}

impl Cell {
    fn of(n: u64, suppress: bool) -> Self {
        Self {
            count: (!suppress || n == 0 || n >= MIN_CELL).then_some(n),
        }
    }
    /// How it reads: the number, or `<5`.
    pub fn display(&self) -> String {
        self.count
            .map_or_else(|| format!("<{MIN_CELL}"), |n| n.to_string())
    }
}

/// One answer value's count.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCount {
    /// Option code, `true`/`false`, or a scale value.
    pub value: String,
    /// Its text (an option's), or the value.
    pub label: String,
    /// How many.
    pub cell: Cell,
}

/// One group of a cross-tab.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Group key (region code, category 1–7, level 1–4, age band).
    pub key: String,
    /// Submissions in the group.
    pub respondents: Cell,
    /// Counts per value.
    pub values: Vec<ValueCount>,
}

/// The result of one question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionResult {
    /// Question code.
    pub code: String,
    /// Question text.
    pub text: String,
    /// Type.
    pub kind: QuestionKind,
    /// Submissions that answered it.
    pub answered: Cell,
    /// Counts per value (choice, yes/no, scale).
    pub values: Vec<ValueCount>,
    /// Mean (number and scale; `None` when suppressed or nothing answered).
    pub mean: Option<f64>,
    /// The cross-tab, when asked for.
    pub groups: Vec<Group>,
}

/// Results of a questionnaire version in a scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// Version.
    pub version: i32,
    /// Submissions counted.
    pub respondents: Cell,
    /// Whether small cells are suppressed in this view.
    pub suppressed: bool,
    /// Per question.
    pub questions: Vec<QuestionResult>,
}

/// Counts of one question. Values are counted by borrowed key (a copy only for a value met
/// for the first time); groups are indexes into the row's group list.
#[derive(Default)]
struct Tally {
    answered: u64,
    values: HashMap<String, u64>,
    sum: f64,
    /// Per group index: submissions that answered, and counts per value.
    groups: Vec<(u64, HashMap<String, u64>)>,
}

fn bump(m: &mut HashMap<String, u64>, v: &str) {
    if let Some(n) = m.get_mut(v) {
        *n += 1;
    } else {
        m.insert(v.to_owned(), 1);
    }
}

/// Call `f` with each counted value of an answer.
fn each_value(a: &AnswerRef<'_>, mut f: impl FnMut(&str)) {
    match a {
        AnswerRef::Bool(b) => f(if *b { "true" } else { "false" }),
        AnswerRef::Number(n) => f(&format!("{n}")),
        AnswerRef::Codes(c) => c.iter().for_each(|v| f(v)),
        AnswerRef::Text(t) => f(t),
    }
}

fn counted(kind: QuestionKind) -> bool {
    matches!(
        kind,
        QuestionKind::SingleChoice
            | QuestionKind::MultipleChoice
            | QuestionKind::YesNo
            | QuestionKind::Scale
            | QuestionKind::Region
    )
}

/// The submissions a results view counts, and whether it is city-wide.
pub(super) struct Scoped {
    /// The version's definition.
    pub def: super::Definition,
    /// The version.
    pub version: i32,
    /// The questionnaire.
    pub questionnaire: questionnaire::Model,
    /// Submissions in force of that version, in scope and narrowed.
    pub cond: sea_orm::Condition,
    /// Whether the view is the whole city (no scope, no narrowing).
    pub city_wide: bool,
}

impl SurveyService<'_> {
    /// The submissions in force of a version (the latest published by default) in the viewer's
    /// scope, narrowed to a district or street-town.
    pub(super) async fn scoped(
        &self,
        questionnaire_id: Uuid,
        version: Option<i32>,
        region: Option<&str>,
    ) -> DomainResult<Scoped> {
        let viewer = self.caller.viewer()?;
        if !viewer.role.is_region_admin() {
            return Err(DomainError::Forbidden("问卷结果仅供各级残联查看"));
        }
        let q = questionnaire::Entity::find_by_id(questionnaire_id)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT })?;
        // The questionnaire must be one the viewer sees (the city's or their district's).
        self.questionnaire(q.id).await?;
        let version = version.unwrap_or(q.published_version);
        if version < 1 {
            return Err(DomainError::Conflict("问卷尚未发布".to_owned()));
        }
        let def = self.version(q.id, version).await?;
        let mut cond = sea_orm::Condition::all()
            .add(questionnaire_response::Column::QuestionnaireId.eq(q.id))
            .add(questionnaire_response::Column::VersionNumber.eq(version))
            .add(questionnaire_response::Column::Status.eq(ResponseStatus::Submitted.as_str()));
        let scope = PersonScope::of(viewer);
        let city_view = matches!(scope.kind(), ScopeKind::City);
        match scope.kind() {
            ScopeKind::District(d) => {
                cond = cond.add(questionnaire_response::Column::DistrictCode.eq(d.as_str()));
            }
            ScopeKind::Street(s) => {
                cond = cond.add(questionnaire_response::Column::StreetCode.eq(s.as_str()));
            }
            ScopeKind::City => {}
            _ => return Err(DomainError::Forbidden("问卷结果仅供各级残联查看")),
        }
        let mut narrowed = false;
        if let Some(r) = region {
            let code = RegionCode::parse("regionCode", r)?;
            let (col, ok) = match code.level() {
                RegionLevel::District => (
                    questionnaire_response::Column::DistrictCode,
                    city_view || scope.admits(Uuid::nil(), &format!("{}000", code.as_str())),
                ),
                RegionLevel::Street => (
                    questionnaire_response::Column::StreetCode,
                    scope.admits(Uuid::nil(), code.as_str()),
                ),
                _ => {
                    return Err(DomainError::bad_input("regionCode", "请选择区或街镇"));
                }
            };
            if !ok {
                return Err(DomainError::Forbidden("超出您的管辖范围"));
            }
            cond = cond.add(col.eq(code.as_str()));
            narrowed = true;
        }
        Ok(Scoped {
            def,
            version,
            questionnaire: q,
            cond,
            city_wide: city_view && !narrowed,
        })
    }

    /// 问卷结果 of a version (the latest published by default) in the viewer's scope, narrowed
    /// to a district or street-town, with a cross-tab by `by`.
    pub async fn results(
        &self,
        questionnaire_id: Uuid,
        version: Option<i32>,
        region: Option<&str>,
        by: Option<Dimension>,
    ) -> DomainResult<Results> {
        let scoped = self.scoped(questionnaire_id, version, region).await?;
        let suppress = !scoped.city_wide || by.is_some();
        self.tally(&scoped, by, suppress).await
    }

    /// Count the submissions of `scoped`, a page at a time.
    pub(super) async fn tally(
        &self,
        scoped: &Scoped,
        by: Option<Dimension>,
        suppress: bool,
    ) -> DomainResult<Results> {
        let Scoped {
            def, version, cond, ..
        } = scoped;
        let version = *version;
        let mut tallies: Vec<Tally> = def.questions.iter().map(|_| Tally::default()).collect();
        let index: HashMap<&str, usize> = def
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.code.as_str(), i))
            .collect();
        let countable: Vec<bool> = def.questions.iter().map(|q| counted(q.kind)).collect();
        // Group keys in order of first sight; each tally's `groups` is indexed the same way.
        let mut group_keys: Vec<String> = Vec::new();
        let mut group_index: HashMap<String, usize> = HashMap::new();
        let mut respondents = 0u64;
        let mut after: Option<Uuid> = None;
        type Row = (Uuid, String, String, String, i16, i16, String);
        loop {
            use questionnaire_response::Column as C;
            let mut find = questionnaire_response::Entity::find()
                .select_only()
                .columns([
                    C::Id,
                    C::Answers,
                    C::DistrictCode,
                    C::StreetCode,
                    C::Category,
                    C::Level,
                    C::AgeBand,
                ])
                .filter(cond.clone())
                .order_by_asc(C::Id)
                .limit(PAGE);
            if let Some(a) = after {
                find = find.filter(C::Id.gt(a));
            }
            let rows: Vec<Row> = find.into_tuple().all(self.p.db.conn()).await?;
            let last = rows.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
            after = rows.last().map(|r| r.0);
            for (_, answers, district, street, category, level, age_band) in &rows {
                respondents += 1;
                let entries: Entries<'_> =
                    serde_json::from_str(answers).map_err(DomainError::internal)?;
                let group = match by {
                    None => None,
                    Some(d) => {
                        let key: Cow<'_, str> = match d {
                            Dimension::District => Cow::Borrowed(district),
                            Dimension::Street => Cow::Borrowed(street),
                            Dimension::Category => Cow::Owned(category.to_string()),
                            Dimension::Level => Cow::Owned(level.to_string()),
                            Dimension::AgeBand => Cow::Borrowed(age_band),
                        };
                        Some(if let Some(&g) = group_index.get(key.as_ref()) {
                            g
                        } else {
                            let g = group_keys.len();
                            group_keys.push(key.clone().into_owned());
                            group_index.insert(key.into_owned(), g);
                            g
                        })
                    }
                };
                for (code, a) in &entries.0 {
                    let Some(&qi) = index.get(code.0.as_ref()) else {
                        continue;
                    };
                    let t = &mut tallies[qi];
                    t.answered += 1;
                    if let AnswerRef::Number(n) = a {
                        t.sum += n;
                    }
                    if !countable[qi] {
                        continue;
                    }
                    each_value(a, |v| bump(&mut t.values, v));
                    if let Some(g) = group {
                        if t.groups.len() <= g {
                            t.groups.resize_with(g + 1, Default::default);
                        }
                        let e = &mut t.groups[g];
                        e.0 += 1;
                        each_value(a, |v| bump(&mut e.1, v));
                    }
                }
            }
            if last {
                break;
            }
        }
        // Groups are listed by key, as a reader looks them up.
        let mut group_order: Vec<usize> = (0..group_keys.len()).collect();
        group_order.sort_by(|&a, &b| group_keys[a].cmp(&group_keys[b]));
        let questions = def
            .questions
            .iter()
            .zip(tallies)
            .map(|(q, t)| {
                let label = |v: &str| {
                    q.options.iter().find(|o| o.code == v).map_or_else(
                        || match (q.kind, v) {
                            (QuestionKind::YesNo, "true") => "是".to_owned(),
                            (QuestionKind::YesNo, "false") => "否".to_owned(),
                            _ => v.to_owned(),
                        },
                        |o| o.text.clone(),
                    )
                };
                // Every option is listed (zero included), in the question's order.
                let keys: Vec<String> = match q.kind {
                    QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
                        q.options.iter().map(|o| o.code.clone()).collect()
                    }
                    QuestionKind::YesNo => vec!["true".to_owned(), "false".to_owned()],
                    _ => {
                        let mut k: Vec<String> = t.values.keys().cloned().collect();
                        k.sort();
                        k
                    }
                };
                let count_list = |m: &HashMap<String, u64>| -> Vec<ValueCount> {
                    keys.iter()
                        .map(|k| ValueCount {
                            value: k.clone(),
                            label: label(k),
                            cell: Cell::of(m.get(k).copied().unwrap_or(0), suppress),
                        })
                        .collect()
                };
                let answered = Cell::of(t.answered, suppress);
                let numeric = matches!(q.kind, QuestionKind::Number | QuestionKind::Scale);
                #[expect(clippy::cast_precision_loss, reason = "a mean for people to read")]
                let mean = (numeric && t.answered > 0 && answered.count.is_some())
                    .then(|| t.sum / t.answered as f64);
                QuestionResult {
                    code: q.code.clone(),
                    text: q.text.clone(),
                    kind: q.kind,
                    answered,
                    values: count_list(&t.values),
                    mean,
                    groups: group_order
                        .iter()
                        .filter_map(|&g| {
                            let (n, m) = t.groups.get(g)?;
                            (*n > 0).then(|| Group {
                                key: group_keys[g].clone(),
                                respondents: Cell::of(*n, suppress),
                                values: count_list(m),
                            })
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(Results {
            version,
            respondents: Cell::of(respondents, suppress),
            suppressed: suppress,
            questions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_read_as_less_than_five_only_where_suppressed() {
        assert_eq!(Cell::of(3, true).display(), "<5");
        assert_eq!(Cell::of(3, false).display(), "3");
        assert_eq!(Cell::of(0, true).display(), "0");
        assert_eq!(Cell::of(5, true).display(), "5");
        assert_eq!(Cell::of(1, true).count, None);
    }
}
