//! The maker–checker workflow: the preparer (maker) adjusts or removes payments with a reason and
//! submits; a district admin other than the maker reviews; a city admin other than both
//! approves. Checkers confirm the total they saw: a batch whose total changed meanwhile is
//! refused. Every step is one conditional update (state and version), audited.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::generate::change_row;
use super::service::{expect_status, status_zh};
use super::{Batch, BatchStatus, ChangeKind, SubsidyService, WHAT_ITEM, now};
use crate::entities::{subsidy_batch, subsidy_change, subsidy_item};
use crate::error::{DomainError, DomainResult};
use crate::types::{BoundedText, Fen};
use crate::viewer::Role;

/// Set a batch's figures from its items and changes (so that the totals always equal the sum of
/// the items).
pub(crate) async fn recount<C: ConnectionTrait>(conn: &C, batch: Uuid) -> DomainResult<()> {
    let (people, total, paid, failed, missing): (i64, i64, i64, i64, i64) =
        subsidy_item::Entity::find()
            .select_only()
            .expr(Expr::cust("CAST(COUNT(*) AS BIGINT)"))
            .expr(Expr::cust("CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT)"))
            .expr(Expr::cust(
                "CAST(COALESCE(SUM(CASE WHEN status = 'PAID' THEN amount_fen ELSE 0 END), 0) AS BIGINT)",
            ))
            .expr(Expr::cust(
                "CAST(COALESCE(SUM(CASE WHEN status = 'FAILED' THEN 1 ELSE 0 END), 0) AS BIGINT)",
            ))
            .expr(Expr::cust(
                "CAST(COALESCE(SUM(CASE WHEN account_id IS NULL AND status = 'PENDING' THEN 1 ELSE 0 END), 0) AS BIGINT)",
            ))
            .filter(subsidy_item::Column::BatchId.eq(batch))
            .into_tuple()
            .one(conn)
            .await?
            .unwrap_or_default();
    let excluded: i64 = subsidy_change::Entity::find()
        .select_only()
        .expr(Expr::cust("CAST(COUNT(*) AS BIGINT)"))
        .filter(subsidy_change::Column::BatchId.eq(batch))
        .filter(
            subsidy_change::Column::Kind
                .is_in([ChangeKind::Excluded.as_str(), ChangeKind::Removed.as_str()]),
        )
        .into_tuple()
        .one(conn)
        .await?
        .unwrap_or_default();
    let int = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    subsidy_batch::Entity::update_many()
        .col_expr(subsidy_batch::Column::People, Expr::value(int(people)))
        .col_expr(subsidy_batch::Column::TotalFen, Expr::value(total))
        .col_expr(subsidy_batch::Column::PaidFen, Expr::value(paid))
        .col_expr(subsidy_batch::Column::Failed, Expr::value(int(failed)))
        .col_expr(
            subsidy_batch::Column::MissingAccounts,
            Expr::value(int(missing)),
        )
        .col_expr(subsidy_batch::Column::Excluded, Expr::value(int(excluded)))
        .filter(subsidy_batch::Column::Id.eq(batch))
        .exec(conn)
        .await?;
    Ok(())
}

/// How a checker decides.
#[derive(Debug, Clone)]
pub struct Decision {
    /// Approve (true) or return to the maker (false).
    pub approve: bool,
    /// Note (required when returning).
    pub note: Option<String>,
    /// The total the checker saw, in yuan: refused if the batch's differs.
    pub expected_total: String,
    /// The version read.
    pub version: i32,
}

impl SubsidyService<'_> {
    /// 调整发放明细 (the maker, while the batch is `GENERATED`): a new amount, or removal, with
    /// a reason; the batch's totals follow.
    pub async fn adjust_item(
        &self,
        item_id: Uuid,
        amount: Option<&str>,
        remove: bool,
        reason: &str,
    ) -> DomainResult<Batch> {
        self.audited(
            "subsidy.item.adjust",
            "subsidy_item",
            item_id.to_string(),
            async {
                let reason = BoundedText::parse("input.reason", reason, 200)?.into_string();
                if reason.is_empty() {
                    return Err(DomainError::bad_input("input.reason", "调整须填写原因"));
                }
                let amount = match (amount.map(str::trim).filter(|a| !a.is_empty()), remove) {
                    (Some(a), false) => Some(Fen::parse_yuan("input.amount", a)?),
                    (None, true) => None,
                    _ => {
                        return Err(DomainError::bad_input(
                            "input.amount",
                            "请填写新金额，或选择剔除（二者选一）",
                        ));
                    }
                };
                let w = self.p.db.begin_write().await?;
                let item = subsidy_item::Entity::find_by_id(item_id)
                    .filter(self.item_scope()?)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_ITEM })?;
                let b = self.batch_row(&w.txn, item.batch_id).await?;
                let viewer = self.district_staff(&b.district_code)?;
                if b.generated_by != viewer.account_id.to_string() {
                    return Err(DomainError::Forbidden("只有批次经办人可以调整明细"));
                }
                expect_status(&b, &[BatchStatus::Generated])?;
                let name = viewer.username.chars().take(64).collect::<String>();
                let detail = match amount {
                    Some(fen) => {
                        subsidy_item::Entity::update_many()
                            .col_expr(subsidy_item::Column::AmountFen, Expr::value(fen.fen()))
                            .col_expr(
                                subsidy_item::Column::AdjustmentReason,
                                Expr::value(Some(reason.clone())),
                            )
                            .col_expr(subsidy_item::Column::AdjustedBy, Expr::value(Some(name)))
                            .col_expr(subsidy_item::Column::UpdatedAt, Expr::value(now()))
                            .filter(subsidy_item::Column::Id.eq(item.id))
                            .exec(&w.txn)
                            .await?;
                        format!(
                            "batch={} from_fen={} to_fen={}",
                            b.id,
                            item.amount_fen,
                            fen.fen()
                        )
                    }
                    None => {
                        subsidy_item::Entity::delete_by_id(item.id)
                            .exec(&w.txn)
                            .await?;
                        subsidy_change::Entity::insert(change_row(
                            b.id,
                            item.person_id,
                            ChangeKind::Removed,
                            "REMOVED",
                            format!("经办人剔除：{reason}"),
                            Some(item.amount_fen),
                            None,
                        ))
                        .exec(&w.txn)
                        .await?;
                        format!("batch={} removed_fen={}", b.id, item.amount_fen)
                    }
                };
                recount(&w.txn, b.id).await?;
                bump(
                    &w.txn,
                    &b,
                    BatchStatus::Generated,
                    BatchStatus::Generated,
                    |u| u,
                )
                .await?;
                self.append(
                    &w.txn,
                    "subsidy.item.adjust",
                    "subsidy_item",
                    item.id,
                    detail,
                )
                .await?;
                w.commit().await?;
                self.batch(b.id).await
            },
        )
        .await
    }

    /// 提交审核 (the maker): every payment has an account, the batch is not empty.
    pub async fn submit(&self, batch_id: Uuid, version: i32) -> DomainResult<Batch> {
        self.audited(
            "subsidy.batch.submit",
            "subsidy_batch",
            batch_id.to_string(),
            async {
                let w = self.p.db.begin_write().await?;
                let b = self.batch_row(&w.txn, batch_id).await?;
                let viewer = self.district_staff(&b.district_code)?;
                if b.generated_by != viewer.account_id.to_string() {
                    return Err(DomainError::Forbidden("只有批次经办人可以提交"));
                }
                expect_status(&b, &[BatchStatus::Generated])?;
                check_version(&b, version)?;
                recount(&w.txn, b.id).await?;
                let b = self.batch_row(&w.txn, batch_id).await?;
                if b.people == 0 {
                    return Err(DomainError::Conflict(
                        "批次没有发放对象，无需提交".to_owned(),
                    ));
                }
                if b.missing_accounts > 0 {
                    return Err(DomainError::Conflict(format!(
                        "{} 人尚未登记收款账户：请登记账户或剔除并说明原因后再提交",
                        b.missing_accounts
                    )));
                }
                let by = viewer.account_id.to_string();
                bump(
                    &w.txn,
                    &b,
                    BatchStatus::Generated,
                    BatchStatus::Submitted,
                    |u| {
                        u.col_expr(
                            subsidy_batch::Column::SubmittedBy,
                            Expr::value(Some(by.clone())),
                        )
                        .col_expr(subsidy_batch::Column::SubmittedAt, Expr::value(Some(now())))
                    },
                )
                .await?;
                self.append(
                    &w.txn,
                    "subsidy.batch.submit",
                    "subsidy_batch",
                    b.id,
                    format!("people={} total_fen={}", b.people, b.total_fen),
                )
                .await?;
                w.commit().await?;
                self.batch(b.id).await
            },
        )
        .await
    }

    /// 区审核 (a district admin of the batch's district who is not its maker).
    pub async fn review(&self, batch_id: Uuid, d: Decision) -> DomainResult<Batch> {
        self.audited(
            "subsidy.batch.review",
            "subsidy_batch",
            batch_id.to_string(),
            async {
                let w = self.p.db.begin_write().await?;
                let b = self.batch_row(&w.txn, batch_id).await?;
                let viewer = self.district_staff(&b.district_code)?;
                if viewer.role != Role::DistrictAdmin {
                    return Err(DomainError::Forbidden("批次由所在区残联审核"));
                }
                if b.generated_by == viewer.account_id.to_string() {
                    return Err(DomainError::Forbidden("经办人不能审核自己经办的批次"));
                }
                self.decide(
                    &w.txn,
                    &b,
                    &d,
                    BatchStatus::Submitted,
                    BatchStatus::Reviewed,
                    "subsidy.batch.review",
                    |u, by| {
                        u.col_expr(subsidy_batch::Column::ReviewedBy, Expr::value(Some(by)))
                            .col_expr(subsidy_batch::Column::ReviewedAt, Expr::value(Some(now())))
                    },
                )
                .await?;
                w.commit().await?;
                self.batch(b.id).await
            },
        )
        .await
    }

    /// 市审批 (a city admin who is neither the maker nor the reviewer).
    pub async fn approve(&self, batch_id: Uuid, d: Decision) -> DomainResult<Batch> {
        self.audited(
            "subsidy.batch.approve",
            "subsidy_batch",
            batch_id.to_string(),
            async {
                let w = self.p.db.begin_write().await?;
                let b = self.batch_row(&w.txn, batch_id).await?;
                let viewer = self.district_staff(&b.district_code)?;
                if viewer.role != Role::CityAdmin {
                    return Err(DomainError::Forbidden("批次由市残联审批"));
                }
                let me = viewer.account_id.to_string();
                if b.generated_by == me || b.reviewed_by.as_deref() == Some(me.as_str()) {
                    return Err(DomainError::Forbidden("审批人不能是该批次的经办人或审核人"));
                }
                self.decide(
                    &w.txn,
                    &b,
                    &d,
                    BatchStatus::Reviewed,
                    BatchStatus::Approved,
                    "subsidy.batch.approve",
                    |u, by| {
                        u.col_expr(subsidy_batch::Column::ApprovedBy, Expr::value(Some(by)))
                            .col_expr(subsidy_batch::Column::ApprovedAt, Expr::value(Some(now())))
                    },
                )
                .await?;
                w.commit().await?;
                self.batch(b.id).await
            },
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn decide<C: ConnectionTrait>(
        &self,
        conn: &C,
        b: &subsidy_batch::Model,
        d: &Decision,
        from: BatchStatus,
        to: BatchStatus,
        operation: &'static str,
        stamp: impl FnOnce(
            sea_orm::UpdateMany<subsidy_batch::Entity>,
            String,
        ) -> sea_orm::UpdateMany<subsidy_batch::Entity>,
    ) -> DomainResult<()> {
        expect_status(b, &[from])?;
        check_version(b, d.version)?;
        let expected = Fen::parse_total_yuan("input.expectedTotal", &d.expected_total)?;
        if expected != b.total_fen {
            return Err(DomainError::Conflict(format!(
                "批次金额 {} 元与您核对的 {} 元不符，请刷新后重新核对",
                Fen::yuan_text(b.total_fen),
                Fen::yuan_text(expected)
            )));
        }
        let note = d
            .note
            .as_deref()
            .map(|n| BoundedText::parse("input.note", n, 500).map(BoundedText::into_string))
            .transpose()?
            .unwrap_or_default();
        let by = self.caller.viewer()?.account_id.to_string();
        if d.approve {
            bump(conn, b, from, to, |u| {
                stamp(u, by).col_expr(subsidy_batch::Column::Note, Expr::value(note.clone()))
            })
            .await?;
        } else {
            if note.is_empty() {
                return Err(DomainError::bad_input("input.note", "退回须说明原因"));
            }
            bump(conn, b, from, BatchStatus::Generated, |u| {
                u.col_expr(subsidy_batch::Column::Note, Expr::value(note.clone()))
                    .col_expr(
                        subsidy_batch::Column::ReviewedBy,
                        Expr::value(Option::<String>::None),
                    )
                    .col_expr(
                        subsidy_batch::Column::SubmittedBy,
                        Expr::value(Option::<String>::None),
                    )
            })
            .await?;
        }
        self.append(
            conn,
            operation,
            "subsidy_batch",
            b.id,
            format!(
                "decision={} total_fen={} from={} to={}",
                if d.approve { "APPROVE" } else { "RETURN" },
                b.total_fen,
                status_zh(from),
                status_zh(if d.approve {
                    to
                } else {
                    BatchStatus::Generated
                })
            ),
        )
        .await
    }
}

/// The version the client read must be the current one.
pub(super) fn check_version(b: &subsidy_batch::Model, version: i32) -> DomainResult<()> {
    if b.version != version {
        return Err(DomainError::Conflict(
            "批次已被他人处理，请刷新后重试".to_owned(),
        ));
    }
    Ok(())
}

/// Move a batch `from` → `to` with one conditional update (state and version), plus `more`.
pub(super) async fn bump<C: ConnectionTrait>(
    conn: &C,
    b: &subsidy_batch::Model,
    from: BatchStatus,
    to: BatchStatus,
    more: impl FnOnce(
        sea_orm::UpdateMany<subsidy_batch::Entity>,
    ) -> sea_orm::UpdateMany<subsidy_batch::Entity>,
) -> DomainResult<()> {
    let u = subsidy_batch::Entity::update_many()
        .col_expr(subsidy_batch::Column::Status, Expr::value(to.as_str()))
        .col_expr(subsidy_batch::Column::Version, Expr::value(b.version + 1))
        .col_expr(subsidy_batch::Column::UpdatedAt, Expr::value(now()))
        .filter(subsidy_batch::Column::Id.eq(b.id))
        .filter(subsidy_batch::Column::Status.eq(from.as_str()))
        .filter(subsidy_batch::Column::Version.eq(b.version));
    if more(u).exec(conn).await?.rows_affected != 1 {
        return Err(DomainError::Conflict(
            "批次已被他人处理，请刷新后重试".to_owned(),
        ));
    }
    Ok(())
}
