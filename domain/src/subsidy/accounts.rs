//! A person's own bank account for subsidy payments: the number checked (Luhn for cards), held
//! as SM4-GCM ciphertext with an HMAC-SM3 blind index, shown masked, revealed only with an audit
//! record. One account in use per person and no number in use for two people (partial unique
//! indexes). Registering an account fills it into the person's payments of batches still being
//! prepared.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::service::masked_last4;
use super::{AccountKind, BatchStatus, NUMBER_INDEX, SubsidyService, WHAT_ACCOUNT, now};
use crate::crypto::FieldAad;
use crate::custody::bank_name;
use crate::entities::{person_bank_account, subsidy_batch, subsidy_item};
use crate::error::{DomainError, DomainResult};
use crate::person::PersonRepo;
use crate::types::bank_account::{AccountNumber, AccountNumberKind};
use crate::viewer::PersonScope;

/// A person's account as shown (never the number).
#[derive(Debug, Clone)]
pub struct BankAccount {
    /// Id.
    pub id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// Card or passbook.
    pub kind: AccountKind,
    /// Bank code.
    pub bank_code: String,
    /// Masked number (`**** 1234`).
    pub number_masked: String,
    /// In use.
    pub active: bool,
    /// Registered.
    pub created_at: DateTime<Utc>,
}

impl BankAccount {
    fn of(row: &person_bank_account::Model) -> Self {
        Self {
            id: row.id,
            person_id: row.person_id,
            kind: AccountKind::parse("kind", &row.kind).unwrap_or_default(),
            bank_code: row.bank_code.clone(),
            number_masked: masked_last4(&row.last4),
            active: row.status == "ACTIVE",
            created_at: row.created_at,
        }
    }
}

fn aad(id: &Uuid) -> FieldAad<'_> {
    FieldAad {
        table: "person_bank_accounts",
        column: "number",
        row: id,
    }
}

/// Decrypt one personal account's number (bank files only).
pub(super) fn number_of(
    cipher: &crate::crypto::FieldCipher,
    row: &person_bank_account::Model,
) -> DomainResult<String> {
    cipher.decrypt(aad(&row.id), &row.number_enc)
}

impl SubsidyService<'_> {
    /// 登记收款账户 (a region admin whose scope holds the person): replaces the account in
    /// use; fills it into the person's payments in batches not yet submitted.
    pub async fn save_account(
        &self,
        person_id: Uuid,
        kind: AccountKind,
        bank_code: &str,
        number: &str,
    ) -> DomainResult<BankAccount> {
        self.audited(
            "subsidy.account.save",
            "person",
            person_id.to_string(),
            async {
                let (viewer, _) = self.staff()?;
                if viewer.client.is_some() {
                    return Err(DomainError::Forbidden("合作方不能登记收款账户"));
                }
                if bank_name(bank_code).is_none() {
                    return Err(DomainError::bad_input(
                        "input.bankCode",
                        "不支持的开户行代码",
                    ));
                }
                let number = AccountNumber::parse(
                    "input.number",
                    match kind {
                        AccountKind::Card => AccountNumberKind::Card,
                        AccountKind::Passbook => AccountNumberKind::Passbook,
                    },
                    number,
                )?;
                let scope = PersonScope::of(viewer);
                let person = PersonRepo::new(&self.p.db).get(&scope, person_id).await?;
                let bidx = self.p.cipher.blind_index(NUMBER_INDEX, number.as_str());
                let w = self.p.db.begin_write().await?;
                let held = person_bank_account::Entity::find()
                    .filter(person_bank_account::Column::NumberBidx.eq(bidx.clone()))
                    .filter(person_bank_account::Column::Status.eq("ACTIVE"))
                    .one(&w.txn)
                    .await?;
                if let Some(h) = held {
                    if h.person_id == person.id() {
                        return Ok(BankAccount::of(&h));
                    }
                    return Err(DomainError::Conflict(
                        "该账号已登记为他人的收款账户，同一账号不能用于两人".to_owned(),
                    ));
                }
                let t = now();
                person_bank_account::Entity::update_many()
                    .col_expr(person_bank_account::Column::Status, Expr::value("CLOSED"))
                    .col_expr(person_bank_account::Column::ClosedAt, Expr::value(Some(t)))
                    .filter(person_bank_account::Column::PersonId.eq(person.id()))
                    .filter(person_bank_account::Column::Status.eq("ACTIVE"))
                    .exec(&w.txn)
                    .await?;
                let id = Uuid::now_v7();
                let row = person_bank_account::ActiveModel {
                    id: Set(id),
                    person_id: Set(person.id()),
                    kind: Set(kind.as_str().to_owned()),
                    bank_code: Set(bank_code.to_owned()),
                    number_enc: Set(self.p.cipher.encrypt(aad(&id), number.as_str())?),
                    number_bidx: Set(bidx),
                    last4: Set(number.last4().to_owned()),
                    status: Set("ACTIVE".to_owned()),
                    created_by: Set(viewer.username.chars().take(64).collect()),
                    created_at: Set(t),
                    closed_at: Set(None),
                }
                .insert(&w.txn)
                .await?;
                let filled = fill_pending(&w.txn, person.id(), row.id).await?;
                self.append(
                    &w.txn,
                    "subsidy.account.save",
                    "person",
                    person.id(),
                    format!(
                        "account={} kind={} bank={bank_code} filled={filled}",
                        row.id, row.kind
                    ),
                )
                .await?;
                w.commit().await?;
                Ok(BankAccount::of(&row))
            },
        )
        .await
    }

    /// 收款账户 of several persons already admitted by the caller's scope (the file's loader):
    /// the one in use and those replaced, newest first; one statement for any number.
    pub async fn accounts_of(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<BankAccount>>> {
        let rows = crate::db::find_each::<person_bank_account::Entity, _>(
            self.p.db.conn(),
            person_bank_account::Column::PersonId,
            persons,
        )
        .await?;
        let mut out: HashMap<Uuid, Vec<BankAccount>> = HashMap::new();
        for r in &rows {
            out.entry(r.person_id).or_default().push(BankAccount::of(r));
        }
        for v in out.values_mut() {
            v.sort_by_key(|a| std::cmp::Reverse(a.id));
        }
        Ok(out)
    }

    /// 查看完整账号 (a region admin whose scope holds the person; never a partner client): the
    /// audit record commits before the number is returned.
    pub async fn reveal_account(&self, account_id: Uuid) -> DomainResult<String> {
        self.audited(
            "subsidy.account.reveal",
            "person_bank_account",
            account_id.to_string(),
            async {
                let (viewer, _) = self.staff()?;
                if viewer.client.is_some() {
                    return Err(DomainError::Forbidden("合作方不能查看完整账号"));
                }
                let row = person_bank_account::Entity::find_by_id(account_id)
                    .one(self.p.db.conn())
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_ACCOUNT })?;
                PersonRepo::new(&self.p.db)
                    .get(&PersonScope::of(viewer), row.person_id)
                    .await
                    .map_err(|_| DomainError::NotFound { what: WHAT_ACCOUNT })?;
                let number = number_of(&self.p.cipher, &row)?;
                let w = self.p.db.begin_write().await?;
                self.append(
                    &w.txn,
                    "subsidy.account.reveal",
                    "person",
                    row.person_id,
                    format!("account={}", row.id),
                )
                .await?;
                w.commit().await?;
                Ok(number)
            },
        )
        .await
    }
}

/// Put `account` into the person's payments without an account (or with a personal account
/// replaced) in batches still being prepared; keep those batches' missing-account counts true.
/// Returns how many payments were filled.
pub(super) async fn fill_pending<C: ConnectionTrait>(
    conn: &C,
    person: Uuid,
    account: Uuid,
) -> DomainResult<u64> {
    let open: Vec<Uuid> = subsidy_batch::Entity::find()
        .select_only()
        .column(subsidy_batch::Column::Id)
        .filter(
            subsidy_batch::Column::Status
                .is_in([BatchStatus::Draft.as_str(), BatchStatus::Generated.as_str()]),
        )
        .into_tuple()
        .all(conn)
        .await?;
    if open.is_empty() {
        return Ok(0);
    }
    let items: Vec<subsidy_item::Model> = subsidy_item::Entity::find()
        .filter(subsidy_item::Column::PersonId.eq(person))
        .filter(subsidy_item::Column::BatchId.is_in(open))
        .filter(subsidy_item::Column::Status.eq("PENDING"))
        .all(conn)
        .await?;
    let mut n = 0;
    for it in items {
        if it.account_kind.as_deref() == Some("CUSTODY") {
            continue;
        }
        subsidy_item::Entity::update_many()
            .col_expr(subsidy_item::Column::AccountId, Expr::value(Some(account)))
            .col_expr(
                subsidy_item::Column::AccountKind,
                Expr::value(Some("PERSONAL")),
            )
            .col_expr(subsidy_item::Column::UpdatedAt, Expr::value(now()))
            .filter(subsidy_item::Column::Id.eq(it.id))
            .exec(conn)
            .await?;
        super::workflow::recount(conn, it.batch_id).await?;
        n += 1;
    }
    Ok(n)
}
