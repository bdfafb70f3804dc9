//! Reconciliation (R34): what the custodian entered against what the bank's statement says, for
//! one account over a period. An entered record matches an imported one of the same amount within
//! [`MATCH_DAYS`] days (the closest date first, each record used once); what is left is "only
//! entered" (spent without a bank record — cash, or a mistake) or "only on the statement" (the bank
//! paid out and the custodian did not say what for: the case supervisors look at first).

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{CustodyService, Spending, SpendingSource, WHAT_ACCOUNT};
use crate::entities::{custody_account, spending_record};
use crate::error::{DomainError, DomainResult};

/// Days an entered record's date may differ from the bank's.
pub const MATCH_DAYS: i64 = 3;

/// 对账结果.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reconciliation {
    /// Entered and imported records that match.
    pub matched: Vec<(Spending, Spending)>,
    /// Entered with no bank record.
    pub only_entered: Vec<Spending>,
    /// On the statement with no entered record.
    pub only_on_statement: Vec<Spending>,
}

/// Match `entered` against `imported` (both as read).
pub fn reconcile(entered: Vec<Spending>, imported: Vec<Spending>) -> Reconciliation {
    let mut left: Vec<Option<Spending>> = imported.into_iter().map(Some).collect();
    let mut out = Reconciliation::default();
    for e in entered {
        let best = left
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
            .filter(|(_, s)| {
                s.amount_fen == e.amount_fen
                    && (s.spent_on - e.spent_on).num_days().abs() <= MATCH_DAYS
            })
            .min_by_key(|(_, s)| ((s.spent_on - e.spent_on).num_days().abs(), s.id))
            .map(|(i, _)| i);
        match best.and_then(|i| left[i].take()) {
            Some(s) => out.matched.push((e, s)),
            None => out.only_entered.push(e),
        }
    }
    out.only_on_statement = left.into_iter().flatten().collect();
    out
}

impl CustodyService<'_> {
    /// 对账 of one account the caller may see, from `from` to `to` (inclusive).
    pub async fn reconciliation(
        &self,
        account_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> DomainResult<Reconciliation> {
        if to < from || (to - from).num_days() > 400 {
            return Err(DomainError::bad_input(
                "to",
                "对账期间应在 400 天以内，且结束不早于开始",
            ));
        }
        let a = custody_account::Entity::find_by_id(account_id)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_ACCOUNT })?;
        self.custodianship(a.custodianship_id)
            .await
            .map_err(|_| DomainError::NotFound { what: WHAT_ACCOUNT })?;
        // Bank records a few days either side may match entries inside the period.
        let rows = spending_record::Entity::find()
            .filter(spending_record::Column::AccountId.eq(a.id))
            .filter(spending_record::Column::SpentOn.gte(from - chrono::Duration::days(MATCH_DAYS)))
            .filter(spending_record::Column::SpentOn.lte(to + chrono::Duration::days(MATCH_DAYS)))
            .order_by_asc(spending_record::Column::SpentOn)
            .order_by_asc(spending_record::Column::Id)
            .all(self.p.db.conn())
            .await?;
        let (mut entered, mut imported) = (Vec::new(), Vec::new());
        for r in rows {
            let s: Spending = r.into();
            match s.source {
                SpendingSource::Entered if s.spent_on >= from && s.spent_on <= to => {
                    entered.push(s);
                }
                SpendingSource::Imported => imported.push(s),
                SpendingSource::Entered => {}
            }
        }
        let mut r = reconcile(entered, imported);
        r.only_on_statement
            .retain(|s| s.spent_on >= from && s.spent_on <= to);
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::custody::SpendingCategory;

    fn s(fen: i64, day: u32, source: SpendingSource) -> Spending {
        Spending {
            id: Uuid::now_v7(),
            account_id: Uuid::nil(),
            custodianship_id: Uuid::nil(),
            amount_fen: fen,
            category: SpendingCategory::Living,
            merchant: String::new(),
            spent_on: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            note: String::new(),
            source,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn entries_match_the_closest_bank_record_of_the_same_amount_once() {
        use SpendingSource::{Entered, Imported};
        let entered = vec![s(100, 10, Entered), s(100, 11, Entered), s(500, 1, Entered)];
        let imported = vec![
            s(100, 12, Imported),
            s(100, 9, Imported),
            s(100, 20, Imported),
            s(700, 5, Imported),
        ];
        let r = reconcile(entered, imported);
        assert_eq!(r.matched.len(), 2);
        // The 10th takes the 9th (1 day), the 11th the 12th (1 day); the 20th is too far.
        assert_eq!(r.matched[0].1.spent_on.format("%d").to_string(), "09");
        assert_eq!(r.matched[1].1.spent_on.format("%d").to_string(), "12");
        assert_eq!(r.only_entered.len(), 1);
        assert_eq!(r.only_entered[0].amount_fen, 500);
        let left: Vec<i64> = r.only_on_statement.iter().map(|s| s.amount_fen).collect();
        assert_eq!(left, [100, 700]);
    }
}
