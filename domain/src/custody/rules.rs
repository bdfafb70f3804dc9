//! Abnormal-spending rules (R36) are data: each is one CEL condition over a transaction and its
//! context — the amount, the day's total and count on the account, the hour, the category, the
//! merchant, the share of the balance it took, the ward's status — with a severity and a label.
//! Saved rules are compiled once per version; built-in rules (a deactivated or deceased ward's
//! card being spent) run whether or not anyone switched them off, and cannot be rewritten.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use cel::{Context, Program, Value};
use sea_orm::{EntityTrait, QueryOrder};
use uuid::Uuid;

use crate::db::Db;
use crate::eligibility::rule::{checked_bool, compile_expression};
use crate::entities::custody_rule;
use crate::error::DomainResult;

code_enum! {
    /// 预警级别
    Severity {
        /// 低
        Low = "LOW",
        /// 中
        #[default]
        Medium = "MEDIUM",
        /// 高
        High = "HIGH",
    }
}

/// The facts a rule may read: name and meaning (for the rule editor).
pub const FACTS: &[(&str, &str)] = &[
    ("amount", "本笔金额（分，整数）"),
    (
        "category",
        "类别 LIVING / MEDICAL / REHABILITATION / EDUCATION / CARE / OTHER",
    ),
    ("merchant", "商户或收款方"),
    ("source", "来源 ENTERED（代管人录入）/ IMPORTED（银行流水）"),
    ("hour", "交易时刻的小时 0–23（流水未给出时间时为 -1）"),
    ("dayTotal", "该账户当日累计支出（分，含本笔）"),
    ("dayCount", "该账户当日支出笔数（含本笔）"),
    ("balance", "本笔之后的余额（分；未知时为 -1）"),
    (
        "balanceShare",
        "本笔占支出前余额的比例 0–1（余额未知时为 0）",
    ),
    (
        "wardStatus",
        "被代管人状态 ACTIVE / DEACTIVATED（注销，含死亡）",
    ),
    ("wardAge", "被代管人周岁年龄"),
    ("wardCategory", "被代管人残疾类别 1–7"),
    ("wardLevel", "被代管人残疾等级 1–4"),
];

/// One transaction and its context, as rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct TxnFacts {
    /// Fen.
    pub amount: i64,
    /// Category code.
    pub category: String,
    /// Merchant or payee.
    pub merchant: String,
    /// `ENTERED` / `IMPORTED`.
    pub source: String,
    /// Hour 0–23, or -1.
    pub hour: i64,
    /// The day's total on the account, fen, this one included.
    pub day_total: i64,
    /// The day's count on the account, this one included.
    pub day_count: i64,
    /// Balance after, fen, or -1.
    pub balance: i64,
    /// Ward status code.
    pub ward_status: String,
    /// Ward's age.
    pub ward_age: i64,
    /// Ward's category 1–7.
    pub ward_category: i64,
    /// Ward's level 1–4.
    pub ward_level: i64,
}

impl TxnFacts {
    /// The share of the balance before the transaction that it took (0 when unknown).
    pub fn balance_share(&self) -> f64 {
        if self.balance < 0 {
            return 0.0;
        }
        let before = self.balance.saturating_add(self.amount);
        if before <= 0 {
            0.0
        } else {
            #[expect(clippy::cast_precision_loss, reason = "a share, not money")]
            let share = self.amount as f64 / before as f64;
            share
        }
    }

    /// A made-up transaction used to check that a new expression evaluates to a boolean.
    pub fn sample() -> Self {
        Self {
            amount: 12_800,
            category: "LIVING".to_owned(),
            merchant: "联华超市".to_owned(),
            source: "ENTERED".to_owned(),
            hour: 10,
            day_total: 12_800,
            day_count: 1,
            balance: 300_000,
            ward_status: "ACTIVE".to_owned(),
            ward_age: 40,
            ward_category: 5,
            ward_level: 2,
        }
    }

    fn bind(&self, ctx: &mut Context<'_, '_>) {
        ctx.add_variable_from_value("amount", self.amount);
        ctx.add_variable_from_value("category", self.category.as_str());
        ctx.add_variable_from_value("merchant", self.merchant.as_str());
        ctx.add_variable_from_value("source", self.source.as_str());
        ctx.add_variable_from_value("hour", self.hour);
        ctx.add_variable_from_value("dayTotal", self.day_total);
        ctx.add_variable_from_value("dayCount", self.day_count);
        ctx.add_variable_from_value("balance", self.balance);
        ctx.add_variable_from_value("balanceShare", self.balance_share());
        ctx.add_variable_from_value("wardStatus", self.ward_status.as_str());
        ctx.add_variable_from_value("wardAge", self.ward_age);
        ctx.add_variable_from_value("wardCategory", self.ward_category);
        ctx.add_variable_from_value("wardLevel", self.ward_level);
    }
}

/// One rule, compiled.
pub struct CompiledCustodyRule {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Severity.
    pub severity: Severity,
    program: Program,
}

/// Compile and check one expression: it must parse, read only [`FACTS`] and give a boolean on a
/// sample transaction. Errors name `field`.
pub fn compile(field: &str, expression: &str) -> DomainResult<(String, Program)> {
    let known: Vec<&str> = FACTS.iter().map(|(n, _)| *n).collect();
    let (src, program, _) = compile_expression(field, expression, &known)?;
    let mut ctx = Context::default();
    TxnFacts::sample().bind(&mut ctx);
    checked_bool(field, program.execute(&ctx))?;
    Ok((src, program))
}

/// A rule that a transaction met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Rule code.
    pub code: String,
    /// Rule label.
    pub label: String,
    /// Severity.
    pub severity: Severity,
}

/// The rules in force, compiled, and a context to evaluate them in.
pub struct RuleSet {
    rules: Vec<Arc<CompiledCustodyRule>>,
    ctx: Context<'static, 'static>,
}

type Cache = Mutex<HashMap<(Uuid, i32), Arc<CompiledCustodyRule>>>;
static CACHE: LazyLock<Cache> = LazyLock::new(|| Mutex::new(HashMap::new()));

impl RuleSet {
    /// The given rules (enabled or built in), compiled; a stored rule that no longer compiles is
    /// skipped with an error in the log rather than stopping every entry.
    pub fn of(rows: &[custody_rule::Model]) -> Self {
        let mut rules = Vec::new();
        for r in rows.iter().filter(|r| r.enabled || r.builtin) {
            let key = (r.id, r.version);
            let cached = CACHE.lock().ok().and_then(|c| c.get(&key).cloned());
            let rule = match cached {
                Some(rule) => rule,
                None => match compile("expression", &r.expression) {
                    Ok((_, program)) => {
                        let rule = Arc::new(CompiledCustodyRule {
                            code: r.code.clone(),
                            label: r.label.clone(),
                            severity: Severity::from_stored(&r.severity),
                            program,
                        });
                        if let Ok(mut c) = CACHE.lock() {
                            c.insert(key, rule.clone());
                        }
                        rule
                    }
                    Err(e) => {
                        tracing::error!(rule = %r.code, error = %e, "custody rule does not compile; skipped");
                        continue;
                    }
                },
            };
            rules.push(rule);
        }
        Self {
            rules,
            ctx: Context::default(),
        }
    }

    /// The rules in force, from the database.
    pub async fn load(db: &Db) -> DomainResult<Self> {
        let rows = custody_rule::Entity::find()
            .order_by_asc(custody_rule::Column::Code)
            .all(db.conn())
            .await?;
        Ok(Self::of(&rows))
    }

    /// How many rules run.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether no rule runs.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules `facts` meet (an evaluation error counts as not met).
    pub fn evaluate(&mut self, facts: &TxnFacts) -> Vec<Hit> {
        facts.bind(&mut self.ctx);
        self.rules
            .iter()
            .filter(|r| matches!(r.program.execute(&self.ctx), Ok(Value::Bool(true))))
            .map(|r| Hit {
                code: r.code.clone(),
                label: r.label.clone(),
                severity: r.severity,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(code: &str, expression: &str, enabled: bool, builtin: bool) -> custody_rule::Model {
        let now = chrono::Utc::now();
        custody_rule::Model {
            id: Uuid::now_v7(),
            code: code.to_owned(),
            label: code.to_owned(),
            expression: expression.to_owned(),
            severity: "HIGH".to_owned(),
            enabled,
            builtin,
            version: 1,
            updated_by: "t".to_owned(),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn rules_read_the_transaction_and_its_context() {
        let mut set = RuleSet::of(&[
            rule("BIG", "amount >= 500000", true, false),
            rule("OFF", "amount > 0", false, false),
            rule("DEAD", "wardStatus != \"ACTIVE\"", false, true),
            rule(
                "SHARE",
                "balanceShare >= 0.8 && amount >= 100000",
                true,
                false,
            ),
            rule(
                "NIGHT",
                "hour >= 0 && (hour < 6 || hour >= 23)",
                true,
                false,
            ),
            rule("SHOP", "merchant.contains(\"彩票\")", true, false),
            rule("DAY", "dayTotal >= 1000000 || dayCount >= 6", true, false),
        ]);
        assert_eq!(
            set.len(),
            6,
            "a disabled rule does not run; a built-in one always does"
        );
        let codes = |set: &mut RuleSet, f: &TxnFacts| -> Vec<String> {
            set.evaluate(f).into_iter().map(|h| h.code).collect()
        };
        let normal = TxnFacts::sample();
        assert!(codes(&mut set, &normal).is_empty());
        let mut f = normal.clone();
        f.amount = 600_000;
        f.balance = 100_000;
        assert_eq!(codes(&mut set, &f), ["BIG", "SHARE"]);
        let mut f = normal.clone();
        f.hour = 2;
        f.merchant = "体育彩票投注站".to_owned();
        assert_eq!(codes(&mut set, &f), ["NIGHT", "SHOP"]);
        let mut f = normal.clone();
        f.hour = -1;
        f.day_count = 6;
        f.ward_status = "DEACTIVATED".to_owned();
        assert_eq!(codes(&mut set, &f), ["DEAD", "DAY"]);
        // Unknown balance: the share is 0, never a division by zero.
        let mut f = normal;
        f.balance = -1;
        assert!((f.balance_share() - 0.0).abs() < f64::EPSILON);
        f.balance = 0;
        f.amount = 100;
        assert!((f.balance_share() - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn bad_expressions_are_refused_with_a_reason() {
        for (src, needle) in [
            ("", "不能为空"),
            ("amount >", "语法错误"),
            ("salary > 3", "未知的事实"),
            ("amount + 1", "布尔值"),
            ("merchant > 3", "无法求值"),
        ] {
            let err = compile("expression", src).unwrap_err().to_string();
            assert!(err.contains(needle), "{src}: {err}");
        }
        assert!(compile("expression", "category == \"MEDICAL\" && amount > 0").is_ok());
    }
}

/// A rule as submitted: a new one when `id` is none, else an edit of `version`.
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    /// Rule to edit.
    pub id: Option<Uuid>,
    /// Version read (to edit).
    pub version: Option<i32>,
    /// Stable code, `A–Z`, digits and `_` (a new rule only).
    pub code: String,
    /// What it means.
    pub label: String,
    /// CEL condition.
    pub expression: String,
    /// Severity.
    pub severity: Severity,
    /// Whether it runs.
    pub enabled: bool,
}

impl super::CustodyService<'_> {
    /// 异常支出规则, built-in first, then by code (region admins and supervisors may read them).
    pub async fn rules(&self) -> DomainResult<Vec<custody_rule::Model>> {
        self.caller
            .region_admin("仅市、区、街镇管理员可查看异常支出规则")?;
        let mut rows = custody_rule::Entity::find()
            .order_by_asc(custody_rule::Column::Code)
            .all(self.p.db.conn())
            .await?;
        rows.sort_by_key(|r| !r.builtin);
        Ok(rows)
    }

    /// 保存异常支出规则 (the city's admins): the expression is checked before it is saved; a
    /// built-in rule cannot be changed.
    pub async fn save_rule(&self, input: RuleInput) -> DomainResult<custody_rule::Model> {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};

        use crate::error::DomainError;
        use crate::viewer::Role;
        self.audited(
            "custody.rule.save",
            input.id.map(|i| i.to_string()).unwrap_or_default(),
            async {
                let viewer = self.caller.viewer()?;
                if viewer.role != Role::CityAdmin || viewer.client.is_some() {
                    return Err(DomainError::Forbidden("异常支出规则由市残联管理员维护"));
                }
                let label = crate::types::BoundedText::parse("input.label", &input.label, 100)?
                    .into_string();
                let (expression, _) = compile("input.expression", &input.expression)?;
                let now = chrono::Utc::now();
                let actor: String = viewer.username.chars().take(64).collect();
                let w = self.p.db.begin_write().await?;
                let row = match input.id {
                    None => {
                        let code = input.code.trim().to_owned();
                        let shape = (3..=32).contains(&code.len())
                            && code.starts_with(|c: char| c.is_ascii_uppercase())
                            && code
                                .chars()
                                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                        if !shape {
                            return Err(DomainError::bad_input(
                                "input.code",
                                "规则编码为3–32位大写字母、数字或下划线，以字母开头",
                            ));
                        }
                        let taken = custody_rule::Entity::find()
                            .filter(custody_rule::Column::Code.eq(code.as_str()))
                            .one(&w.txn)
                            .await?;
                        if taken.is_some() {
                            return Err(DomainError::Conflict(format!("规则编码 {code} 已存在")));
                        }
                        custody_rule::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            code: Set(code),
                            label: Set(label),
                            expression: Set(expression),
                            severity: Set(input.severity.as_str().to_owned()),
                            enabled: Set(input.enabled),
                            builtin: Set(false),
                            version: Set(1),
                            updated_by: Set(actor),
                            created_at: Set(now),
                            updated_at: Set(now),
                        }
                        .insert(&w.txn)
                        .await?
                    }
                    Some(id) => {
                        let version = input.version.ok_or_else(|| {
                            DomainError::bad_input("input.version", "修改须提交读取时的版本")
                        })?;
                        let current = custody_rule::Entity::find_by_id(id)
                            .one(&w.txn)
                            .await?
                            .ok_or(DomainError::NotFound {
                                what: "异常支出规则",
                            })?;
                        if current.builtin {
                            return Err(DomainError::Forbidden(
                                "内置规则（被代管人已注销仍有支出）始终生效，不能修改或停用",
                            ));
                        }
                        let done = custody_rule::Entity::update_many()
                            .col_expr(custody_rule::Column::Label, Expr::value(label))
                            .col_expr(custody_rule::Column::Expression, Expr::value(expression))
                            .col_expr(
                                custody_rule::Column::Severity,
                                Expr::value(input.severity.as_str()),
                            )
                            .col_expr(custody_rule::Column::Enabled, Expr::value(input.enabled))
                            .col_expr(custody_rule::Column::Version, Expr::value(version + 1))
                            .col_expr(custody_rule::Column::UpdatedBy, Expr::value(actor))
                            .col_expr(custody_rule::Column::UpdatedAt, Expr::value(now))
                            .filter(custody_rule::Column::Id.eq(id))
                            .filter(custody_rule::Column::Version.eq(version))
                            .exec(&w.txn)
                            .await?
                            .rows_affected;
                        if done != 1 {
                            return Err(DomainError::Conflict(format!(
                                "规则已被他人修改（当前版本{}），请刷新后重试",
                                current.version
                            )));
                        }
                        custody_rule::Entity::find_by_id(id)
                            .one(&w.txn)
                            .await?
                            .ok_or(DomainError::NotFound {
                                what: "异常支出规则",
                            })?
                    }
                };
                crate::audit::append(
                    &w.txn,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    crate::audit::AuditEntry {
                        operation: "custody.rule.save",
                        object_type: "custody_rule",
                        object_id: row.id.to_string(),
                        result: "SUCCESS".to_owned(),
                        detail: format!(
                            "code={} version={} enabled={} severity={}",
                            row.code, row.version, row.enabled, row.severity
                        ),
                    },
                )
                .await?;
                w.commit().await?;
                Ok(row)
            },
        )
        .await
    }
}
