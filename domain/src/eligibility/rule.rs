//! Eligibility rules in CEL (Common Expression Language, the `cel` crate). A rule is a list of
//! labelled conditions, all of which must hold; each condition is one boolean CEL expression over
//! a person's facts. Splitting the rule into conditions is what makes a verdict explainable: a
//! failed condition names itself and the facts it read ("一级或二级残疾：level = 3").

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use cel::{Context, Program, Value};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::person;
use crate::error::{DomainError, DomainResult};

/// Most conditions in one rule.
pub const MAX_CONDITIONS: usize = 12;
/// Longest expression, in characters.
pub const MAX_EXPRESSION_CHARS: usize = 500;

/// One condition as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// What it means, for people (一级或二级残疾).
    pub label: String,
    /// The CEL expression (`level <= 2`).
    pub expression: String,
}

/// The type of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactType {
    /// Integer.
    Int,
    /// String code.
    Str,
    /// Boolean.
    Bool,
    /// List of strings.
    StrList,
}

/// The facts a rule may read: name, type, meaning.
pub const FACTS: &[(&str, FactType, &str)] = &[
    (
        "category",
        FactType::Int,
        "残疾类别 1–7（1视力 2听力 3言语 4肢体 5智力 6精神 7多重）",
    ),
    ("level", FactType::Int, "残疾等级 1–4（1级最重）"),
    ("age", FactType::Int, "周岁年龄"),
    ("sex", FactType::Str, "性别 MALE / FEMALE"),
    ("district", FactType::Str, "居住区划代码（6位）"),
    ("street", FactType::Str, "居住街镇代码（9位）"),
    ("localHukou", FactType::Bool, "是否本市户籍"),
    (
        "household",
        FactType::Str,
        "家庭经济状况 NONE / DIBAO / LOW_INCOME / SPECIAL_HARDSHIP",
    ),
    (
        "employment",
        FactType::Str,
        "就业状况 EMPLOYED / UNEMPLOYED / STUDENT / RETIRED / UNABLE",
    ),
    ("certificateValid", FactType::Bool, "残疾人证是否在有效期内"),
    ("granted", FactType::StrList, "已享受的服务事项编码列表"),
];

/// A person's facts, as rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// 残疾类别 1–7.
    pub category: i64,
    /// 残疾等级 1–4.
    pub level: i64,
    /// Age in whole years.
    pub age: i64,
    /// `MALE` / `FEMALE`.
    pub sex: String,
    /// District code.
    pub district: String,
    /// Street-town code.
    pub street: String,
    /// 本市户籍.
    pub local_hukou: bool,
    /// Household status code.
    pub household: String,
    /// Employment code.
    pub employment: String,
    /// Certificate within its validity.
    pub certificate_valid: bool,
    /// Keys of services already granted.
    pub granted: Vec<String>,
}

/// Whole years between `birth` and `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i64 {
    let mut age = i64::from(today.year() - birth.year());
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0)
}

impl Facts {
    /// The facts of a registry row on `today`, with the keys of their granted services.
    pub fn of(row: &person::Model, today: NaiveDate, granted: Vec<String>) -> Self {
        Self {
            category: i64::from(row.category),
            level: i64::from(row.level),
            age: age_on(row.birth_date, today),
            sex: row.sex.clone(),
            district: row.district_code.clone(),
            street: row.street_code.clone(),
            local_hukou: row.local_hukou,
            household: row.household_status.clone(),
            employment: row.employment.clone(),
            certificate_valid: row.certificate_valid_until.is_none_or(|d| d >= today),
            granted,
        }
    }

    /// The facts of a registry row as an item's rule sees them: the person's grants from
    /// `granted` (by person id), without the item itself (holding it does not count against
    /// them).
    pub fn for_item(
        row: &person::Model,
        today: NaiveDate,
        granted: &HashMap<Uuid, Vec<String>>,
        item_key: &str,
    ) -> Self {
        let keys = granted
            .get(&row.id)
            .map(|ks| ks.iter().filter(|k| *k != item_key).cloned().collect())
            .unwrap_or_default();
        Self::of(row, today, keys)
    }

    /// A made-up person used to check that a new expression evaluates to a boolean.
    pub fn sample() -> Self {
        Self {
            category: 4,
            level: 2,
            age: 40,
            sex: "FEMALE".to_owned(),
            district: "310115".to_owned(),
            street: "310115005".to_owned(),
            local_hukou: true,
            household: "DIBAO".to_owned(),
            employment: "UNEMPLOYED".to_owned(),
            certificate_valid: true,
            granted: vec!["SAMPLE_SERVICE".to_owned()],
        }
    }

    /// Bind the facts into a CEL context (replacing earlier bindings of the same names).
    pub fn bind(&self, ctx: &mut Context<'_, '_>) {
        ctx.add_variable_from_value("category", self.category);
        ctx.add_variable_from_value("level", self.level);
        ctx.add_variable_from_value("age", self.age);
        ctx.add_variable_from_value("sex", self.sex.as_str());
        ctx.add_variable_from_value("district", self.district.as_str());
        ctx.add_variable_from_value("street", self.street.as_str());
        ctx.add_variable_from_value("localHukou", self.local_hukou);
        ctx.add_variable_from_value("household", self.household.as_str());
        ctx.add_variable_from_value("employment", self.employment.as_str());
        ctx.add_variable_from_value("certificateValid", self.certificate_valid);
        ctx.add_variable_from_value(
            "granted",
            Value::from(
                self.granted
                    .iter()
                    .map(|g| Value::from(g.as_str()))
                    .collect::<Vec<_>>(),
            ),
        );
    }

    /// `name = value` of one fact, for explanations.
    pub fn describe(&self, name: &str) -> String {
        let v = match name {
            "category" => self.category.to_string(),
            "level" => self.level.to_string(),
            "age" => self.age.to_string(),
            "sex" => self.sex.clone(),
            "district" => self.district.clone(),
            "street" => self.street.clone(),
            "localHukou" => self.local_hukou.to_string(),
            "household" => self.household.clone(),
            "employment" => self.employment.clone(),
            "certificateValid" => self.certificate_valid.to_string(),
            "granted" => format!("[{}]", self.granted.join(", ")),
            _ => "?".to_owned(),
        };
        format!("{name} = {v}")
    }
}

/// One compiled condition.
pub struct CompiledCondition {
    /// Label.
    pub label: String,
    /// Source.
    pub expression: String,
    /// Facts it reads, in order of first mention.
    pub facts: Vec<String>,
    program: Program,
}

/// A compiled rule (all conditions must hold).
pub struct CompiledRule {
    /// Conditions.
    pub conditions: Vec<CompiledCondition>,
}

impl std::fmt::Debug for CompiledRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.conditions.iter().map(|c| &c.expression))
            .finish()
    }
}

/// How one condition fared for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionOutcome {
    /// Label.
    pub label: String,
    /// Source.
    pub expression: String,
    /// Whether it held.
    pub held: bool,
    /// The facts it read (`level = 3`).
    pub facts: Vec<String>,
}

/// A verdict with its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Whether every condition held.
    pub eligible: bool,
    /// Each condition, in rule order.
    pub conditions: Vec<ConditionOutcome>,
}

fn new_context() -> Context<'static, 'static> {
    Context::default()
}

/// A CEL context for evaluating many people in a row: bind each person's facts, then evaluate.
pub struct Evaluator {
    ctx: Context<'static, 'static>,
}

impl Default for Evaluator {
    fn default() -> Self {
        Self { ctx: new_context() }
    }
}

impl Evaluator {
    /// Whether every condition of `rule` holds for `facts` (stops at the first that fails; an
    /// evaluation error counts as not holding).
    pub fn holds(&mut self, rule: &CompiledRule, facts: &Facts) -> bool {
        facts.bind(&mut self.ctx);
        rule.conditions
            .iter()
            .all(|c| matches!(c.program.execute(&self.ctx), Ok(Value::Bool(true))))
    }

    /// The integer `program` gives for `facts` (an amount in fen), or why it gives none.
    pub fn int(&mut self, program: &Program, facts: &Facts) -> Result<i64, String> {
        facts.bind(&mut self.ctx);
        match program.execute(&self.ctx) {
            Ok(Value::Int(i)) => Ok(i),
            Ok(Value::UInt(u)) => i64::try_from(u).map_err(|_| "结果过大".to_owned()),
            Ok(_) => Err("表达式的结果须为整数（单位：分）".to_owned()),
            Err(e) => Err(format!("表达式无法求值：{e}")),
        }
    }

    /// Every condition's outcome, for an explanation.
    pub fn explain(&mut self, rule: &CompiledRule, facts: &Facts) -> Verdict {
        facts.bind(&mut self.ctx);
        let conditions: Vec<ConditionOutcome> = rule
            .conditions
            .iter()
            .map(|c| ConditionOutcome {
                label: c.label.clone(),
                expression: c.expression.clone(),
                held: matches!(c.program.execute(&self.ctx), Ok(Value::Bool(true))),
                facts: c.facts.iter().map(|f| facts.describe(f)).collect(),
            })
            .collect();
        Verdict {
            eligible: conditions.iter().all(|c| c.held),
            conditions,
        }
    }
}

/// Compile and check a rule: every expression must parse, read only known facts, and evaluate to
/// a boolean. Errors name `conditions[i].expression` and the line and column.
pub fn compile(conditions: &[Condition]) -> DomainResult<CompiledRule> {
    if conditions.len() > MAX_CONDITIONS {
        return Err(DomainError::bad_input(
            "conditions",
            format!("条件不能超过{MAX_CONDITIONS}条"),
        ));
    }
    let mut out = Vec::with_capacity(conditions.len());
    let mut eval = Evaluator::default();
    let sample = Facts::sample();
    for (i, c) in conditions.iter().enumerate() {
        let label =
            crate::types::BoundedText::parse(&format!("conditions[{i}].label"), &c.label, 60)?
                .into_string();
        let field = format!("conditions[{i}].expression");
        let known: Vec<&str> = FACTS.iter().map(|(n, _, _)| *n).collect();
        let (src, program, facts) = compile_expression(&field, &c.expression, &known)?;
        let compiled = CompiledCondition {
            label,
            expression: src,
            facts,
            program,
        };
        sample.bind(&mut eval.ctx);
        checked_bool(&field, compiled.program.execute(&eval.ctx))?;
        out.push(compiled);
    }
    Ok(CompiledRule { conditions: out })
}

/// A trial evaluation's result as a boolean, or why it is not one (errors name `field`).
pub(crate) fn checked_bool(
    field: &str,
    result: Result<Value, cel::ExecutionError>,
) -> DomainResult<bool> {
    match result {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(_) => Err(DomainError::bad_input(
            field,
            "表达式的结果须为真或假（布尔值）",
        )),
        Err(e) => Err(DomainError::bad_input(
            field,
            format!("表达式无法求值：{e}"),
        )),
    }
}

/// Parse one CEL expression that may read only the variables `known`: refuses an empty or
/// over-long expression, deep nesting (the parser recurses per level), a syntax error (with its
/// line and column) and an unknown variable (naming the known ones). Returns the trimmed source,
/// the program and the variables it reads, in order of first mention. Errors name `field`.
pub(crate) fn compile_expression(
    field: &str,
    expression: &str,
    known: &[&str],
) -> DomainResult<(String, Program, Vec<String>)> {
    let src = expression.trim();
    if src.is_empty() {
        return Err(DomainError::bad_input(field, "表达式不能为空"));
    }
    if src.chars().count() > MAX_EXPRESSION_CHARS {
        return Err(DomainError::bad_input(
            field,
            format!("表达式不能超过{MAX_EXPRESSION_CHARS}个字符"),
        ));
    }
    if nesting(src) > MAX_NESTING {
        return Err(DomainError::bad_input(
            field,
            format!("括号嵌套不能超过{MAX_NESTING}层"),
        ));
    }
    let program = Program::compile(src).map_err(|errs| {
        let first = errs.errors.first();
        let (line, col) = first.map_or((1, 1), |e| e.pos);
        let msg = first.map_or_else(String::new, |e| e.msg.clone());
        DomainError::bad_input(field, format!("第{line}行第{col}列附近有语法错误：{msg}"))
    })?;
    let mut vars: Vec<String> = Vec::new();
    for v in free_variables(&program) {
        if !known.contains(&v.as_str()) {
            return Err(DomainError::bad_input(
                field,
                format!("未知的事实“{v}”，可用的事实：{}", known.join("、")),
            ));
        }
        if !vars.contains(&v) {
            vars.push(v);
        }
    }
    Ok((src.to_owned(), program, vars))
}

/// Deepest bracket nesting accepted in an expression.
pub const MAX_NESTING: usize = 8;

fn nesting(src: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in src.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The free variables of a program, in order of first mention: identifiers not bound by a
/// macro (the `t` of `granted.exists(t, …)` is not a fact).
fn free_variables(p: &Program) -> Vec<String> {
    use cel::IdedExpr;
    use cel::common::ast::{EntryExpr, Expr};
    fn walk(e: &IdedExpr, bound: &mut Vec<String>, out: &mut Vec<String>) {
        match &e.expr {
            Expr::Ident(n) => {
                if !bound.iter().any(|b| b == n) && !out.contains(n) {
                    out.push(n.clone());
                }
            }
            Expr::Select(s) => walk(&s.operand, bound, out),
            Expr::Call(c) => {
                if let Some(t) = &c.target {
                    walk(t, bound, out);
                }
                for a in &c.args {
                    walk(a, bound, out);
                }
            }
            Expr::List(l) => l.elements.iter().for_each(|x| walk(x, bound, out)),
            Expr::Map(m) => m.entries.iter().for_each(|en| match &en.expr {
                EntryExpr::MapEntry(me) => {
                    walk(&me.key, bound, out);
                    walk(&me.value, bound, out);
                }
                EntryExpr::StructField(sf) => walk(&sf.value, bound, out),
            }),
            Expr::Struct(st) => st.entries.iter().for_each(|en| match &en.expr {
                EntryExpr::MapEntry(me) => {
                    walk(&me.key, bound, out);
                    walk(&me.value, bound, out);
                }
                EntryExpr::StructField(sf) => walk(&sf.value, bound, out),
            }),
            Expr::Comprehension(c) => {
                walk(&c.iter_range, bound, out);
                walk(&c.accu_init, bound, out);
                let n = bound.len();
                bound.push(c.iter_var.clone());
                if let Some(v2) = &c.iter_var2 {
                    bound.push(v2.clone());
                }
                bound.push(c.accu_var.clone());
                walk(&c.loop_cond, bound, out);
                walk(&c.loop_step, bound, out);
                walk(&c.result, bound, out);
                bound.truncate(n);
            }
            Expr::Literal(_) | Expr::Unspecified => {}
        }
    }
    let mut out = Vec::new();
    walk(p.expression(), &mut Vec::new(), &mut out);
    out
}

/// Parse the stored JSON of a rule's conditions.
pub fn parse_stored(json: &str) -> DomainResult<Vec<Condition>> {
    serde_json::from_str(json).map_err(DomainError::internal)
}

type Cache = Mutex<HashMap<Uuid, Arc<CompiledRule>>>;
static CACHE: LazyLock<Cache> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// The compiled form of a saved rule version. Saved versions never change, so they are compiled
/// once per process.
pub fn compiled(rule_id: Uuid, conditions_json: &str) -> DomainResult<Arc<CompiledRule>> {
    if let Ok(cache) = CACHE.lock()
        && let Some(r) = cache.get(&rule_id)
    {
        return Ok(r.clone());
    }
    let rule = Arc::new(compile(&parse_stored(conditions_json)?)?);
    if let Ok(mut cache) = CACHE.lock() {
        cache.insert(rule_id, rule.clone());
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(label: &str, e: &str) -> Condition {
        Condition {
            label: label.to_owned(),
            expression: e.to_owned(),
        }
    }

    #[test]
    fn explains_which_condition_failed_with_the_facts_it_read() {
        let rule = compile(&[
            cond("一级或二级残疾", "level <= 2"),
            cond(
                "低保或低收入家庭",
                "household in [\"DIBAO\", \"LOW_INCOME\"]",
            ),
            cond("未享受", "!(\"SEVERE_CARE_SUBSIDY\" in granted)"),
        ])
        .unwrap();
        let mut facts = Facts::sample();
        facts.level = 3;
        let mut ev = Evaluator::default();
        let v = ev.explain(&rule, &facts);
        assert!(!v.eligible);
        assert!(!v.conditions[0].held);
        assert_eq!(v.conditions[0].facts, vec!["level = 3".to_owned()]);
        assert!(v.conditions[1].held && v.conditions[2].held);
        assert!(!ev.holds(&rule, &facts));
        facts.level = 1;
        assert!(ev.holds(&rule, &facts));
        facts.granted.push("SEVERE_CARE_SUBSIDY".to_owned());
        assert!(!ev.holds(&rule, &facts));
    }

    #[test]
    fn refuses_syntax_errors_unknown_facts_and_non_boolean_results() {
        let err = compile(&[cond("a", "level <= 2"), cond("b", "level <=")]).unwrap_err();
        let s = err.to_string();
        assert!(
            s.contains("conditions[1].expression") && s.contains("第1行"),
            "{s}"
        );
        let err = compile(&[cond("a", "income > 3000")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("income") && err.contains("未知"), "{err}");
        let err = compile(&[cond("a", "level + 1")]).unwrap_err().to_string();
        assert!(err.contains("布尔"), "{err}");
        let err = compile(&[cond("a", "   ")]).unwrap_err().to_string();
        assert!(err.contains("不能为空"), "{err}");
        let deep = format!("{}true{}", "(".repeat(40), ")".repeat(40));
        assert!(
            compile(&[cond("a", &deep)])
                .unwrap_err()
                .to_string()
                .contains("嵌套")
        );
        // Macro variables are not facts.
        assert!(compile(&[cond("a", "granted.exists(g, g == \"X\")")]).is_ok());
        let long = vec![cond("a", "true"); MAX_CONDITIONS + 1];
        assert!(compile(&long).is_err());
        // An empty rule admits everyone.
        let all = compile(&[]).unwrap();
        assert!(Evaluator::default().holds(&all, &Facts::sample()));
    }

    #[test]
    fn ages_count_whole_years() {
        let b = NaiveDate::from_ymd_opt(2000, 6, 15).unwrap();
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 6, 14).unwrap()), 25);
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()), 26);
    }
}
