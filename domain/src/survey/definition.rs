//! A questionnaire's definition (its questions, options, skip logic and need mapping) and the
//! checking of answers against it. A definition is checked whole when saved: codes are
//! identifiers used once, options belong to choice questions, skip logic is CEL over *earlier*
//! questions only and evaluates to a boolean. Answers are checked against the version they
//! answer: types, option codes, ranges, and the required questions that their skip logic shows.

use std::collections::BTreeMap;

use cel::{Context, Program, Value};
use serde::{Deserialize, Serialize};

use super::NeedCategory;
use crate::eligibility::rule::{checked_bool, compile_expression};
use crate::error::{DomainError, DomainResult};

/// Most questions in one questionnaire.
pub const MAX_QUESTIONS: usize = 200;
/// Most options of one question.
pub const MAX_OPTIONS: usize = 50;
/// Longest text answer, in characters.
pub const MAX_TEXT_ANSWER: usize = 2_000;

code_enum! {
    /// 题型
    QuestionKind {
        /// 单选
        #[default]
        SingleChoice = "SINGLE_CHOICE",
        /// 多选
        MultipleChoice = "MULTIPLE_CHOICE",
        /// 文本
        Text = "TEXT",
        /// 数字
        Number = "NUMBER",
        /// 量表（整数分值）
        Scale = "SCALE",
        /// 日期
        Date = "DATE",
        /// 是/否
        YesNo = "YES_NO",
        /// 行政区划（区或街镇代码）
        Region = "REGION",
    }
}

impl Serialize for QuestionKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for QuestionKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse("kind", &s).map_err(|_| serde::de::Error::custom(format!("unknown kind {s}")))
    }
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    /// Code (stored in answers).
    pub code: String,
    /// Plain text read to the person (a screen reader reads exactly this).
    pub text: String,
    /// The need this option identifies, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need: Option<String>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    /// Code: an identifier (`q1`, `needs_rehab`), used in answers and skip logic.
    pub code: String,
    /// Plain text of the question.
    pub text: String,
    /// Extra help read after the question.
    #[serde(default)]
    pub help: String,
    /// Type.
    pub kind: QuestionKind,
    /// Whether an answer is required (when the question is shown).
    #[serde(default)]
    pub required: bool,
    /// Options (choice questions only).
    #[serde(default)]
    pub options: Vec<Choice>,
    /// Lowest value (number, scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Highest value (number, scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Shown only when this CEL condition over earlier answers holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<String>,
    /// The need a yes answer identifies (yes/no questions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_if_yes: Option<String>,
}

/// A questionnaire's questions, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    /// Questions.
    pub questions: Vec<Question>,
}

/// One answer, typed. Stored untagged (JSON's own types); read back by the visitor of
/// [`super::stored`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// Yes/no.
    Bool(bool),
    /// Number or scale.
    Number(f64),
    /// Multiple choice.
    Codes(Vec<String>),
    /// Single choice, text, date (`YYYY-MM-DD`), region code.
    Text(String),
}

impl Answer {
    fn cel(&self) -> Value {
        match self {
            Self::Bool(b) => Value::Bool(*b),
            Self::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    #[expect(clippy::cast_possible_truncation, reason = "checked integral")]
                    let i = *n as i64;
                    Value::Int(i)
                } else {
                    Value::Float(*n)
                }
            }
            Self::Codes(c) => Value::List(std::sync::Arc::new(
                c.iter().map(|s| Value::String(s.clone().into())).collect(),
            )),
            Self::Text(s) => Value::String(s.clone().into()),
        }
    }
}

/// Answers by question code.
pub type Answers = BTreeMap<String, Answer>;

fn is_identifier(code: &str) -> bool {
    let mut chars = code.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && code.len() <= 40
        && !matches!(code, "true" | "false" | "null" | "in" | "has")
}

fn plain_text(field: &str, raw: &str, max: usize) -> DomainResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DomainError::bad_input(field, "文字不能为空"));
    }
    if t.chars().count() > max {
        return Err(DomainError::bad_input(
            field,
            format!("不能超过{max}个字符"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::bad_input(field, "不能包含控制字符"));
    }
    Ok(t.to_owned())
}

fn need_code(field: &str, raw: &Option<String>) -> DomainResult<Option<String>> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) => NeedCategory::parse(field, code).map(|c| Some(c.as_str().to_owned())),
    }
}

impl Definition {
    /// Check a definition as submitted (`field` prefixes error paths) and return it cleaned
    /// (trimmed texts, need codes normalised).
    pub fn parse(field: &str, raw: &Self) -> DomainResult<Self> {
        if raw.questions.is_empty() {
            return Err(DomainError::bad_input(field, "问卷至少要有一道题"));
        }
        if raw.questions.len() > MAX_QUESTIONS {
            return Err(DomainError::bad_input(
                field,
                format!("一份问卷最多{MAX_QUESTIONS}道题"),
            ));
        }
        let mut out = Vec::with_capacity(raw.questions.len());
        let mut seen: Vec<String> = Vec::new();
        for (i, q) in raw.questions.iter().enumerate() {
            let f = format!("{field}.questions[{i}]");
            let code = q.code.trim().to_owned();
            if !is_identifier(&code) {
                return Err(DomainError::bad_input(
                    format!("{f}.code"),
                    "题目编码须以字母开头，只含字母、数字和下划线（最多40个字符）",
                ));
            }
            if seen.contains(&code) {
                return Err(DomainError::bad_input(
                    format!("{f}.code"),
                    format!("题目编码“{code}”重复"),
                ));
            }
            let text = plain_text(&format!("{f}.text"), &q.text, 500)?;
            let help = if q.help.trim().is_empty() {
                String::new()
            } else {
                plain_text(&format!("{f}.help"), &q.help, 1000)?
            };
            let choice = matches!(
                q.kind,
                QuestionKind::SingleChoice | QuestionKind::MultipleChoice
            );
            let mut options = Vec::new();
            if choice {
                if q.options.len() < 2 {
                    return Err(DomainError::bad_input(
                        format!("{f}.options"),
                        "选择题至少要有两个选项",
                    ));
                }
                if q.options.len() > MAX_OPTIONS {
                    return Err(DomainError::bad_input(
                        format!("{f}.options"),
                        format!("每题最多{MAX_OPTIONS}个选项"),
                    ));
                }
                let mut codes: Vec<String> = Vec::new();
                for (j, o) in q.options.iter().enumerate() {
                    let of = format!("{f}.options[{j}]");
                    let oc = o.code.trim().to_owned();
                    if oc.is_empty()
                        || oc.len() > 40
                        || !oc
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    {
                        return Err(DomainError::bad_input(
                            format!("{of}.code"),
                            "选项编码只能含字母、数字、下划线和连字符（最多40个字符）",
                        ));
                    }
                    if codes.contains(&oc) {
                        return Err(DomainError::bad_input(
                            format!("{of}.code"),
                            format!("选项编码“{oc}”重复"),
                        ));
                    }
                    codes.push(oc.clone());
                    options.push(Choice {
                        code: oc,
                        text: plain_text(&format!("{of}.text"), &o.text, 200)?,
                        need: need_code(&format!("{of}.need"), &o.need)?,
                    });
                }
            } else if !q.options.is_empty() {
                return Err(DomainError::bad_input(
                    format!("{f}.options"),
                    "只有选择题可以设置选项",
                ));
            }
            let (min, max) = match q.kind {
                QuestionKind::Scale => {
                    let lo = q.min.unwrap_or(1.0);
                    let hi = q.max.unwrap_or(5.0);
                    if lo.fract() != 0.0 || hi.fract() != 0.0 || lo >= hi || hi - lo > 100.0 {
                        return Err(DomainError::bad_input(
                            format!("{f}.max"),
                            "量表的最低分和最高分须为整数，且最低分小于最高分（相差不超过100）",
                        ));
                    }
                    (Some(lo), Some(hi))
                }
                QuestionKind::Number => {
                    if let (Some(lo), Some(hi)) = (q.min, q.max)
                        && lo > hi
                    {
                        return Err(DomainError::bad_input(
                            format!("{f}.min"),
                            "最小值不能大于最大值",
                        ));
                    }
                    (q.min, q.max)
                }
                _ => (None, None),
            };
            if q.kind != QuestionKind::YesNo && q.need_if_yes.is_some() {
                return Err(DomainError::bad_input(
                    format!("{f}.needIfYes"),
                    "只有是否题可以设置“回答是时的需求”",
                ));
            }
            let show_if = match q.show_if.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(expr) => {
                    let sf = format!("{f}.showIf");
                    let all: Vec<&str> = raw.questions.iter().map(|q| q.code.trim()).collect();
                    let (src, _, vars) = compile_expression(&sf, expr, &all).map_err(|_| {
                        DomainError::bad_input(
                            &sf,
                            "显示条件只能引用本题之前的题目编码，且须为有效的表达式",
                        )
                    })?;
                    if let Some(later) = vars.iter().find(|v| !seen.contains(v)) {
                        return Err(DomainError::bad_input(
                            sf,
                            format!("显示条件只能引用本题之前的题目，“{later}”不在本题之前"),
                        ));
                    }
                    Some(src)
                }
            };
            seen.push(code.clone());
            out.push(Question {
                code,
                text,
                help,
                kind: q.kind,
                required: q.required,
                options,
                min,
                max,
                show_if,
                need_if_yes: need_code(&format!("{f}.needIfYes"), &q.need_if_yes)?,
            });
        }
        let def = Self { questions: out };
        // Every condition must give a boolean over empty answers (nothing answered yet).
        for (i, q) in def.questions.iter().enumerate() {
            if let Some(expr) = &q.show_if {
                let f = format!("{field}.questions[{i}].showIf");
                let program = Program::compile(expr)
                    .map_err(|_| DomainError::bad_input(&f, "显示条件不是有效的表达式"))?;
                let ctx = def.context(&Answers::new(), i);
                checked_bool(&f, program.execute(&ctx)).map(|_| ())?;
            }
        }
        Ok(def)
    }

    /// The definition from its stored JSON.
    pub fn from_stored(json: &str) -> DomainResult<Self> {
        serde_json::from_str(json).map_err(DomainError::internal)
    }

    /// The stored JSON.
    pub fn to_stored(&self) -> DomainResult<String> {
        serde_json::to_string(self).map_err(DomainError::internal)
    }

    /// A CEL context with the answers of the questions before `index` (unanswered or hidden
    /// ones are `null`).
    fn context(&self, answers: &Answers, index: usize) -> Context<'static, 'static> {
        let mut ctx = Context::default();
        for q in &self.questions[..index] {
            let v = answers.get(&q.code).map_or(Value::Null, Answer::cel);
            ctx.add_variable_from_value(q.code.clone(), v);
        }
        ctx
    }

    /// Whether question `index` is shown, given the answers before it (an evaluation error
    /// hides nothing: the question is shown).
    pub fn shown(&self, answers: &Answers, index: usize) -> bool {
        let Some(expr) = &self.questions[index].show_if else {
            return true;
        };
        let Ok(program) = Program::compile(expr) else {
            return true;
        };
        match program.execute(&self.context(answers, index)) {
            Ok(Value::Bool(b)) => b,
            _ => true,
        }
    }

    /// Check answers (`field` prefixes error paths): each answer belongs to a question, has its
    /// type and range, and chooses its options; answers to hidden questions are dropped. With
    /// `complete`, every required question that is shown must be answered (a submission); a
    /// draft may be partial.
    pub fn check(
        &self,
        field: &str,
        raw: &BTreeMap<String, serde_json::Value>,
        complete: bool,
        regions: &crate::region::RegionDirectory,
    ) -> DomainResult<Answers> {
        if let Some(unknown) = raw
            .keys()
            .find(|k| !self.questions.iter().any(|q| &q.code == *k))
        {
            return Err(DomainError::bad_input(
                format!("{field}.{unknown}"),
                "问卷中没有这道题",
            ));
        }
        let mut out = Answers::new();
        for (i, q) in self.questions.iter().enumerate() {
            if !self.shown(&out, i) {
                continue;
            }
            let f = format!("{field}.{}", q.code);
            let value = raw.get(&q.code).filter(|v| !is_blank(v));
            let Some(value) = value else {
                if complete && q.required {
                    return Err(DomainError::bad_input(
                        f,
                        format!("第{}题“{}”为必答题", i + 1, short(&q.text)),
                    ));
                }
                continue;
            };
            out.insert(q.code.clone(), answer_of(&f, q, value, regions)?);
        }
        Ok(out)
    }

    /// The needs answers identify: (need category code, question code), once per category.
    pub fn needs(&self, answers: &Answers) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut add = |need: &Option<String>, q: &Question| {
            if let Some(n) = need
                && !out.iter().any(|(c, _)| c == n)
            {
                out.push((n.clone(), q.code.clone()));
            }
        };
        for q in &self.questions {
            match (answers.get(&q.code), q.kind) {
                (Some(Answer::Text(code)), QuestionKind::SingleChoice) => {
                    if let Some(o) = q.options.iter().find(|o| &o.code == code) {
                        add(&o.need, q);
                    }
                }
                (Some(Answer::Codes(codes)), QuestionKind::MultipleChoice) => {
                    for o in q.options.iter().filter(|o| codes.contains(&o.code)) {
                        add(&o.need, q);
                    }
                }
                (Some(Answer::Bool(true)), QuestionKind::YesNo) => add(&q.need_if_yes, q),
                _ => {}
            }
        }
        out
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(20).collect();
    if text.chars().count() > 20 {
        s.push('…');
    }
    s
}

fn is_blank(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.trim().is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn answer_of(
    f: &str,
    q: &Question,
    v: &serde_json::Value,
    regions: &crate::region::RegionDirectory,
) -> DomainResult<Answer> {
    use serde_json::Value as J;
    let option = |code: &str| -> DomainResult<String> {
        let code = code.trim();
        if q.options.iter().any(|o| o.code == code) {
            Ok(code.to_owned())
        } else {
            Err(DomainError::bad_input(
                f,
                format!("选项“{code}”不属于这道题"),
            ))
        }
    };
    match (q.kind, v) {
        (QuestionKind::SingleChoice, J::String(s)) => Ok(Answer::Text(option(s)?)),
        (QuestionKind::MultipleChoice, J::Array(items)) => {
            let mut codes = Vec::with_capacity(items.len());
            for item in items {
                let J::String(s) = item else {
                    return Err(DomainError::bad_input(f, "多选题的答案须为选项编码列表"));
                };
                let c = option(s)?;
                if !codes.contains(&c) {
                    codes.push(c);
                }
            }
            Ok(Answer::Codes(codes))
        }
        (QuestionKind::Text, J::String(s)) => {
            let t = s.trim();
            if t.chars().count() > MAX_TEXT_ANSWER {
                return Err(DomainError::bad_input(
                    f,
                    format!("回答不能超过{MAX_TEXT_ANSWER}个字符"),
                ));
            }
            Ok(Answer::Text(t.to_owned()))
        }
        (QuestionKind::Number | QuestionKind::Scale, J::Number(n)) => {
            let x = n
                .as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| DomainError::bad_input(f, "不是有效的数字"))?;
            if q.kind == QuestionKind::Scale && x.fract() != 0.0 {
                return Err(DomainError::bad_input(f, "量表分值须为整数"));
            }
            if q.min.is_some_and(|lo| x < lo) || q.max.is_some_and(|hi| x > hi) {
                let lo = q.min.map_or_else(|| "不限".to_owned(), |v| v.to_string());
                let hi = q.max.map_or_else(|| "不限".to_owned(), |v| v.to_string());
                return Err(DomainError::bad_input(f, format!("应在{lo}到{hi}之间")));
            }
            Ok(Answer::Number(x))
        }
        (QuestionKind::Date, J::String(s)) => {
            let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| DomainError::bad_input(f, "日期格式应为YYYY-MM-DD"))?;
            Ok(Answer::Text(d.format("%Y-%m-%d").to_string()))
        }
        (QuestionKind::YesNo, J::Bool(b)) => Ok(Answer::Bool(*b)),
        (QuestionKind::Region, J::String(s)) => {
            let code = s.trim();
            let level = if code.len() == 6 {
                crate::types::RegionLevel::District
            } else {
                crate::types::RegionLevel::Street
            };
            let r = regions.parse_existing(f, code, level)?;
            Ok(Answer::Text(r.as_str().to_owned()))
        }
        _ => Err(DomainError::bad_input(
            f,
            format!("答案类型与题型（{}）不符", q.kind.label()),
        )),
    }
}

impl QuestionKind {
    /// The type's name in Chinese (for messages).
    pub fn label(self) -> &'static str {
        match self {
            Self::SingleChoice => "单选",
            Self::MultipleChoice => "多选",
            Self::Text => "文本",
            Self::Number => "数字",
            Self::Scale => "量表",
            Self::Date => "日期",
            Self::YesNo => "是否",
            Self::Region => "行政区划",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(code: &str, kind: QuestionKind) -> Question {
        Question {
            code: code.to_owned(),
            text: format!("题目{code}"),
            help: String::new(),
            kind,
            required: true,
            options: Vec::new(),
            min: None,
            max: None,
            show_if: None,
            need_if_yes: None,
        }
    }

    fn choice(code: &str, need: Option<&str>) -> Choice {
        Choice {
            code: code.to_owned(),
            text: format!("选项{code}"),
            need: need.map(str::to_owned),
        }
    }

    fn survey() -> Definition {
        let mut has_job = q("has_job", QuestionKind::YesNo);
        has_job.required = true;
        let mut want = q("want", QuestionKind::MultipleChoice);
        want.options = vec![
            choice("REHAB", Some("REHABILITATION")),
            choice("DEVICE", Some("ASSISTIVE_DEVICE")),
            choice("NONE", None),
        ];
        let mut why = q("why_no_job", QuestionKind::Text);
        why.show_if = Some("has_job == false".to_owned());
        let mut score = q("score", QuestionKind::Scale);
        score.min = Some(1.0);
        score.max = Some(5.0);
        score.required = false;
        let mut need_work = q("need_work", QuestionKind::YesNo);
        need_work.show_if = Some("has_job == false && \"REHAB\" in want".to_owned());
        need_work.need_if_yes = Some("EMPLOYMENT".to_owned());
        need_work.required = false;
        Definition {
            questions: vec![has_job, want, why, score, need_work],
        }
    }

    #[test]
    fn a_definition_is_checked_whole() {
        let def = Definition::parse("d", &survey()).unwrap();
        assert_eq!(def.questions.len(), 5);
        // Skip logic on a later question is refused, naming it.
        let mut bad = survey();
        bad.questions[1].show_if = Some("why_no_job == \"x\"".to_owned());
        let e = Definition::parse("d", &bad).unwrap_err().to_string();
        assert!(e.contains("why_no_job"), "{e}");
        // …and on a question that does not exist.
        let mut bad = survey();
        bad.questions[2].show_if = Some("salary > 3".to_owned());
        assert!(Definition::parse("d", &bad).is_err());
        // Duplicate codes, options on a text question, an unknown need, a one-option choice.
        let mut bad = survey();
        bad.questions[3].code = "want".to_owned();
        assert!(Definition::parse("d", &bad).is_err());
        let mut bad = survey();
        bad.questions[2].options = vec![choice("A", None), choice("B", None)];
        assert!(Definition::parse("d", &bad).is_err());
        let mut bad = survey();
        bad.questions[1].options[0].need = Some("FLYING".to_owned());
        assert!(Definition::parse("d", &bad).is_err());
        let mut bad = survey();
        bad.questions[1].options.truncate(1);
        assert!(Definition::parse("d", &bad).is_err());
        // A condition must be a boolean even before anything is answered: a bare `has_job` is
        // null then, so `has_job == true` is what an author writes.
        let mut bad = survey();
        bad.questions[2].show_if = Some("has_job".to_owned());
        assert!(Definition::parse("d", &bad).is_err());
        bad.questions[2].show_if = Some("1 + 1".to_owned());
        assert!(Definition::parse("d", &bad).is_err());
        bad.questions[2].show_if = Some("has_job == true".to_owned());
        assert!(Definition::parse("d", &bad).is_ok());
    }

    fn raw(pairs: &[(&str, serde_json::Value)]) -> BTreeMap<String, serde_json::Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn answers_follow_types_options_skip_logic_and_required_flags() {
        use serde_json::json;
        let regions = crate::region::RegionDirectory::default();
        let def = Definition::parse("d", &survey()).unwrap();
        let full = raw(&[
            ("has_job", json!(false)),
            ("want", json!(["REHAB", "DEVICE"])),
            ("why_no_job", json!("身体原因")),
            ("score", json!(4)),
            ("need_work", json!(true)),
        ]);
        let a = def.check("a", &full, true, &regions).unwrap();
        assert_eq!(a.len(), 5);
        let mut needs: Vec<String> = def.needs(&a).into_iter().map(|(c, _)| c).collect();
        needs.sort();
        assert_eq!(needs, ["ASSISTIVE_DEVICE", "EMPLOYMENT", "REHABILITATION"]);
        // With a job, the follow-ups are hidden and their answers dropped.
        let mut with_job = full.clone();
        with_job.insert("has_job".to_owned(), json!(true));
        let a = def.check("a", &with_job, true, &regions).unwrap();
        assert!(!a.contains_key("why_no_job") && !a.contains_key("need_work"));
        // A required answer missing (submission) vs a draft.
        let partial = raw(&[("has_job", json!(false))]);
        let e = def.check("a", &partial, true, &regions).unwrap_err();
        assert!(e.to_string().contains("必答"), "{e}");
        assert!(def.check("a", &partial, false, &regions).is_ok());
        // Wrong option, wrong type, out of range, unknown question.
        for bad in [
            raw(&[("has_job", json!(false)), ("want", json!(["FLY"]))]),
            raw(&[("has_job", json!("否"))]),
            raw(&[("has_job", json!(true)), ("score", json!(9))]),
            raw(&[("has_job", json!(true)), ("score", json!(2.5))]),
            raw(&[("has_job", json!(true)), ("salary", json!(1))]),
        ] {
            assert!(def.check("a", &bad, false, &regions).is_err(), "{bad:?}");
        }
    }
}
