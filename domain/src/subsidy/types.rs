//! Subsidy types: who (a catalog item's eligibility rule in force), how much (a fixed sum, or a
//! CEL expression giving fen from the person's facts, e.g. `level == 1 ? 36000 : 24000`), how
//! often, and into which account.

use std::sync::Arc;

use cel::Program;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{Payee, PeriodKind, SubsidyService, WHAT_TYPE, now};
use crate::eligibility::rule::{FACTS, compile_expression};
use crate::eligibility::{Evaluator, Facts};
use crate::entities::{service_item, subsidy_type};
use crate::error::{DomainError, DomainResult};
use crate::types::{BoundedText, Fen};
use crate::viewer::Role;

/// A subsidy type as shown.
#[derive(Debug, Clone)]
pub struct SubsidyType {
    /// Stored row.
    pub row: subsidy_type::Model,
    /// The catalog item's name.
    pub service_name: String,
}

impl SubsidyType {
    /// Period kind.
    pub fn period_kind(&self) -> PeriodKind {
        PeriodKind::parse("periodKind", &self.row.period_kind).unwrap_or_default()
    }
    /// Payee.
    pub fn payee(&self) -> Payee {
        Payee::parse("payee", &self.row.payee).unwrap_or_default()
    }
}

/// 新增或修改补贴类型.
#[derive(Debug, Clone)]
pub struct SubsidyTypeInput {
    /// The type to change (absent: a new one).
    pub id: Option<Uuid>,
    /// The version read (required when changing).
    pub version: Option<i32>,
    /// Stable code (`SEVERE_CARE`).
    pub key: String,
    /// Name.
    pub name: String,
    /// Catalog item with the eligibility rule.
    pub service_item_id: Uuid,
    /// Fixed amount per period in yuan (`300`, `300.50`).
    pub amount: Option<String>,
    /// Or a CEL expression in fen.
    pub amount_expression: Option<String>,
    /// How often.
    pub period_kind: PeriodKind,
    /// Which account.
    pub payee: Payee,
    /// In use (false: retired, no new batches).
    pub active: bool,
}

/// How a type's amount is worked out.
#[derive(Clone)]
pub enum Amount {
    /// The same for everyone.
    Fixed(i64),
    /// By the person's facts.
    Expression(Arc<Program>),
}

impl Amount {
    /// The amount of a type's row.
    pub fn of(row: &subsidy_type::Model) -> DomainResult<Self> {
        match (&row.amount_expression, row.amount_fen) {
            (Some(e), _) => Ok(Self::Expression(Arc::new(compile_amount(
                "amountExpression",
                e,
            )?))),
            (None, Some(f)) => Ok(Self::Fixed(f)),
            (None, None) => Err(DomainError::internal("subsidy type without an amount")),
        }
    }

    /// The amount for a person in fen (0: nothing to pay), or why it cannot be worked out.
    pub fn for_facts(&self, ev: &mut Evaluator, facts: &Facts) -> Result<i64, String> {
        match self {
            Self::Fixed(f) => Ok(*f),
            Self::Expression(p) => {
                let fen = ev.int(p, facts)?;
                if !(0..=crate::types::MAX_FEN).contains(&fen) {
                    return Err(format!("金额 {fen} 分超出范围（0 至一千万元）"));
                }
                Ok(fen)
            }
        }
    }
}

/// Compile an amount expression: only known facts, and an integer (fen) for a sample person.
pub fn compile_amount(field: &str, expression: &str) -> DomainResult<Program> {
    let known: Vec<&str> = FACTS.iter().map(|(n, _, _)| *n).collect();
    let (_, program, _) = compile_expression(field, expression, &known)?;
    let mut ev = Evaluator::default();
    match ev.int(&program, &Facts::sample()) {
        Ok(fen) if (0..=crate::types::MAX_FEN).contains(&fen) => Ok(program),
        Ok(_) => Err(DomainError::bad_input(
            field,
            "金额须在 0 至 1,000,000,000 分之间",
        )),
        Err(m) => Err(DomainError::bad_input(field, m)),
    }
}

impl SubsidyService<'_> {
    /// 补贴类型, by code.
    pub async fn types(&self) -> DomainResult<Vec<SubsidyType>> {
        self.staff()?;
        let rows = subsidy_type::Entity::find()
            .order_by_asc(subsidy_type::Column::Key)
            .all(self.p.db.conn())
            .await?;
        self.present_types(rows).await
    }

    async fn present_types(
        &self,
        rows: Vec<subsidy_type::Model>,
    ) -> DomainResult<Vec<SubsidyType>> {
        let items = service_item::Entity::find()
            .filter(service_item::Column::Id.is_in(rows.iter().map(|r| r.service_item_id)))
            .all(self.p.db.conn())
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| SubsidyType {
                service_name: items
                    .iter()
                    .find(|i| i.id == row.service_item_id)
                    .map(|i| i.name.clone())
                    .unwrap_or_default(),
                row,
            })
            .collect())
    }

    /// 保存补贴类型 (city admins): the item must have an eligibility rule in force; exactly one
    /// of a fixed amount and an expression; the expression is checked on a sample person.
    pub async fn save_type(&self, input: SubsidyTypeInput) -> DomainResult<SubsidyType> {
        let object = input.id.map(|i| i.to_string()).unwrap_or_default();
        self.audited("subsidy.type.save", "subsidy_type", object, async {
            let (viewer, _) = self.staff()?;
            if viewer.role != Role::CityAdmin || viewer.client.is_some() {
                return Err(DomainError::Forbidden("补贴类型由市残联管理员维护"));
            }
            let key = input.key.trim().to_owned();
            if !(2..=64).contains(&key.len())
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(DomainError::bad_input(
                    "input.key",
                    "编码为 2–64 位大写字母、数字或下划线",
                ));
            }
            let name = BoundedText::parse("input.name", &input.name, 60)?.into_string();
            let (fen, expression) = match (
                input
                    .amount
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty()),
                input
                    .amount_expression
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty()),
            ) {
                (Some(a), None) => (Some(Fen::parse_yuan("input.amount", a)?.fen()), None),
                (None, Some(e)) => {
                    compile_amount("input.amountExpression", e)?;
                    (None, Some(e.to_owned()))
                }
                _ => {
                    return Err(DomainError::bad_input(
                        "input.amount",
                        "固定金额与金额表达式须填写且只填写一项",
                    ));
                }
            };
            let w = self.p.db.begin_write().await?;
            let item = service_item::Entity::find_by_id(input.service_item_id)
                .one(&w.txn)
                .await?
                .ok_or_else(|| DomainError::bad_input("input.serviceItemId", "服务事项不存在"))?;
            if item.rule_version <= 0 {
                return Err(DomainError::bad_input(
                    "input.serviceItemId",
                    "该服务事项尚无生效的适用条件，补贴发放须依据适用条件",
                ));
            }
            let status = if input.active { "ACTIVE" } else { "RETIRED" };
            let t = now();
            let row = match input.id {
                None => subsidy_type::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    key: Set(key),
                    name: Set(name),
                    service_item_id: Set(item.id),
                    amount_fen: Set(fen),
                    amount_expression: Set(expression),
                    period_kind: Set(input.period_kind.as_str().to_owned()),
                    payee: Set(input.payee.as_str().to_owned()),
                    status: Set(status.to_owned()),
                    version: Set(1),
                    updated_by: Set(viewer.username.chars().take(64).collect()),
                    created_at: Set(t),
                    updated_at: Set(t),
                }
                .insert(&w.txn)
                .await
                .map_err(|e| match DomainError::from(e) {
                    DomainError::Conflict(_) => {
                        DomainError::Conflict("补贴类型编码已存在".to_owned())
                    }
                    other => other,
                })?,
                Some(id) => {
                    let cur = subsidy_type::Entity::find_by_id(id)
                        .one(&w.txn)
                        .await?
                        .ok_or(DomainError::NotFound { what: WHAT_TYPE })?;
                    if Some(cur.version) != input.version {
                        return Err(DomainError::Conflict(
                            "补贴类型已被他人修改，请刷新后重试".to_owned(),
                        ));
                    }
                    if cur.key != key {
                        return Err(DomainError::bad_input("input.key", "编码不能修改"));
                    }
                    if cur.period_kind != input.period_kind.as_str() {
                        return Err(DomainError::bad_input(
                            "input.periodKind",
                            "发放周期不能修改（已有批次按原周期生成）",
                        ));
                    }
                    let updated = subsidy_type::Entity::update_many()
                        .col_expr(subsidy_type::Column::Name, name.into())
                        .col_expr(subsidy_type::Column::ServiceItemId, item.id.into())
                        .col_expr(subsidy_type::Column::AmountFen, fen.into())
                        .col_expr(subsidy_type::Column::AmountExpression, expression.into())
                        .col_expr(
                            subsidy_type::Column::Payee,
                            input.payee.as_str().to_owned().into(),
                        )
                        .col_expr(subsidy_type::Column::Status, status.to_owned().into())
                        .col_expr(subsidy_type::Column::Version, (cur.version + 1).into())
                        .col_expr(
                            subsidy_type::Column::UpdatedBy,
                            viewer.username.chars().take(64).collect::<String>().into(),
                        )
                        .col_expr(subsidy_type::Column::UpdatedAt, t.into())
                        .filter(subsidy_type::Column::Id.eq(id))
                        .filter(subsidy_type::Column::Version.eq(cur.version))
                        .exec(&w.txn)
                        .await?;
                    if updated.rows_affected != 1 {
                        return Err(DomainError::Conflict(
                            "补贴类型已被他人修改，请刷新后重试".to_owned(),
                        ));
                    }
                    subsidy_type::Entity::find_by_id(id)
                        .one(&w.txn)
                        .await?
                        .ok_or(DomainError::NotFound { what: WHAT_TYPE })?
                }
            };
            self.append(
                &w.txn,
                "subsidy.type.save",
                "subsidy_type",
                row.id,
                format!(
                    "key={} version={} amount_fen={:?} expression={}",
                    row.key,
                    row.version,
                    row.amount_fen,
                    row.amount_expression.is_some()
                ),
            )
            .await?;
            w.commit().await?;
            self.present_types(vec![row])
                .await?
                .pop()
                .ok_or(DomainError::NotFound { what: WHAT_TYPE })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_by_level_are_integers_in_fen_and_anything_else_is_refused() {
        let p = compile_amount("e", "level == 1 ? 36000 : (level == 2 ? 24000 : 0)").unwrap();
        let amount = Amount::Expression(Arc::new(p));
        let mut ev = Evaluator::default();
        let mut f = Facts::sample();
        f.level = 1;
        assert_eq!(amount.for_facts(&mut ev, &f), Ok(36_000));
        f.level = 3;
        assert_eq!(amount.for_facts(&mut ev, &f), Ok(0));
        assert!(
            compile_amount("e", "level <= 2")
                .unwrap_err()
                .to_string()
                .contains("整数")
        );
        assert!(
            compile_amount("e", "income * 2")
                .unwrap_err()
                .to_string()
                .contains("未知")
        );
        assert!(
            compile_amount("e", "0 - 5")
                .unwrap_err()
                .to_string()
                .contains("0 至")
        );
        assert!(compile_amount("e", "level +").is_err());
    }
}
