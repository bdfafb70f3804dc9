//! Subsidies (R53–R55): `person_bank_accounts` (a person's own account for payments: SM4-GCM
//! number, blind index, one in use per person), `subsidy_types` (linked to a catalog item and its
//! eligibility rule; a fixed amount or a CEL expression in fen), `subsidy_batches` (one regular
//! batch per type, period and district; supplementary batches for failed payments),
//! `subsidy_items` (**at most one payment per type, period and person that has not failed: a
//! partial unique index**), and `subsidy_changes` (the diff against the previous period and the
//! people excluded, with why).

use sea_orm_migration::prelude::*;

use crate::cols::{
    at, big, bytes, index, int, long_text, opt_at, opt_big, opt_text, opt_uuid, text, uuid,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PersonBankAccounts {
    Table,
    Id,
    PersonId,
    Kind,
    BankCode,
    NumberEnc,
    NumberBidx,
    Last4,
    Status,
    CreatedBy,
    CreatedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum SubsidyTypes {
    Table,
    Id,
    Key,
    Name,
    ServiceItemId,
    AmountFen,
    AmountExpression,
    PeriodKind,
    Payee,
    Status,
    Version,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SubsidyBatches {
    Table,
    Id,
    TypeId,
    Period,
    DistrictCode,
    Kind,
    ParentId,
    Status,
    Cursor,
    People,
    TotalFen,
    PaidFen,
    Failed,
    Excluded,
    MissingAccounts,
    RuleVersion,
    GeneratedBy,
    GeneratedAt,
    SubmittedBy,
    SubmittedAt,
    ReviewedBy,
    ReviewedAt,
    ApprovedBy,
    ApprovedAt,
    ExportedBy,
    ExportedAt,
    Exports,
    ReconciledAt,
    Note,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SubsidyItems {
    Table,
    Id,
    BatchId,
    TypeId,
    Period,
    PersonId,
    DistrictCode,
    StreetCode,
    BaseFen,
    AmountFen,
    AdjustmentReason,
    AdjustedBy,
    AccountKind,
    AccountId,
    Status,
    FailureReason,
    BankRef,
    Resolution,
    SupplementItemId,
    PaidOn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SubsidyChanges {
    Table,
    Id,
    BatchId,
    PersonId,
    Kind,
    ReasonCode,
    Reason,
    PreviousFen,
    AmountFen,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use PersonBankAccounts as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(uuid(A::Id).primary_key().to_owned())
                    .col(uuid(A::PersonId))
                    .col(text(A::Kind, 16))
                    .col(text(A::BankCode, 12))
                    .col(bytes(A::NumberEnc))
                    .col(bytes(A::NumberBidx))
                    .col(text(A::Last4, 4))
                    .col(text(A::Status, 16))
                    .col(text(A::CreatedBy, 64))
                    .col(at(A::CreatedAt))
                    .col(opt_at(A::ClosedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_person_bank_accounts_person",
            A::Table,
            vec![A::PersonId.into_iden(), A::Id.into_iden()],
            false,
        )
        .await?;
        let conn = manager.get_connection();
        // One account in use per person, and no number in use for two people.
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX uq_person_bank_accounts_active ON person_bank_accounts \
             (person_id) WHERE status = 'ACTIVE'",
        )
        .await?;
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX uq_person_bank_accounts_number ON person_bank_accounts \
             (number_bidx) WHERE status = 'ACTIVE'",
        )
        .await?;

        use SubsidyTypes as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(uuid(T::Id).primary_key().to_owned())
                    .col(text(T::Key, 64).unique_key().to_owned())
                    .col(text(T::Name, 60))
                    .col(uuid(T::ServiceItemId))
                    .col(opt_big(T::AmountFen))
                    .col(ColumnDef::new(T::AmountExpression).text().null().to_owned())
                    .col(text(T::PeriodKind, 8))
                    .col(text(T::Payee, 16))
                    .col(text(T::Status, 16))
                    .col(int(T::Version))
                    .col(text(T::UpdatedBy, 64))
                    .col(at(T::CreatedAt))
                    .col(at(T::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        use SubsidyBatches as B;
        manager
            .create_table(
                Table::create()
                    .table(B::Table)
                    .col(uuid(B::Id).primary_key().to_owned())
                    .col(uuid(B::TypeId))
                    .col(text(B::Period, 8))
                    .col(text(B::DistrictCode, 6))
                    .col(text(B::Kind, 16))
                    .col(opt_uuid(B::ParentId))
                    .col(text(B::Status, 16))
                    .col(opt_uuid(B::Cursor))
                    .col(int(B::People))
                    .col(big(B::TotalFen))
                    .col(big(B::PaidFen))
                    .col(int(B::Failed))
                    .col(int(B::Excluded))
                    .col(int(B::MissingAccounts))
                    .col(int(B::RuleVersion))
                    .col(text(B::GeneratedBy, 64))
                    .col(opt_at(B::GeneratedAt))
                    .col(opt_text(B::SubmittedBy, 64))
                    .col(opt_at(B::SubmittedAt))
                    .col(opt_text(B::ReviewedBy, 64))
                    .col(opt_at(B::ReviewedAt))
                    .col(opt_text(B::ApprovedBy, 64))
                    .col(opt_at(B::ApprovedAt))
                    .col(opt_text(B::ExportedBy, 64))
                    .col(opt_at(B::ExportedAt))
                    .col(int(B::Exports))
                    .col(opt_at(B::ReconciledAt))
                    .col(long_text(B::Note))
                    .col(int(B::Version))
                    .col(at(B::CreatedAt))
                    .col(at(B::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // One regular batch per type, period and district: generating a period twice is refused
        // by the database, not only by a check.
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX uq_subsidy_batches_regular ON subsidy_batches \
             (type_id, period, district_code) WHERE kind = 'REGULAR'",
        )
        .await?;
        index(
            manager,
            "ix_subsidy_batches_period",
            B::Table,
            vec![B::Period.into_iden(), B::Id.into_iden()],
            false,
        )
        .await?;

        use SubsidyItems as I;
        manager
            .create_table(
                Table::create()
                    .table(I::Table)
                    .col(uuid(I::Id).primary_key().to_owned())
                    .col(uuid(I::BatchId))
                    .col(uuid(I::TypeId))
                    .col(text(I::Period, 8))
                    .col(uuid(I::PersonId))
                    .col(text(I::DistrictCode, 6))
                    .col(text(I::StreetCode, 9))
                    .col(big(I::BaseFen))
                    .col(big(I::AmountFen))
                    .col(opt_text(I::AdjustmentReason, 200))
                    .col(opt_text(I::AdjustedBy, 64))
                    .col(opt_text(I::AccountKind, 16))
                    .col(opt_uuid(I::AccountId))
                    .col(text(I::Status, 16))
                    .col(opt_text(I::FailureReason, 200))
                    .col(opt_text(I::BankRef, 64))
                    .col(opt_text(I::Resolution, 16))
                    .col(opt_uuid(I::SupplementItemId))
                    .col(ColumnDef::new(I::PaidOn).date().null().to_owned())
                    .col(at(I::CreatedAt))
                    .col(at(I::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // A person is paid at most once per type and period: only a failed payment may be
        // followed by another (in a supplementary batch).
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX uq_subsidy_items_payment ON subsidy_items \
             (type_id, period, person_id) WHERE status <> 'FAILED'",
        )
        .await?;
        index(
            manager,
            "ix_subsidy_items_batch",
            I::Table,
            vec![I::BatchId.into_iden(), I::Id.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "ix_subsidy_items_person",
            I::Table,
            vec![I::PersonId.into_iden(), I::Id.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "ix_subsidy_items_period",
            I::Table,
            vec![
                I::Period.into_iden(),
                I::DistrictCode.into_iden(),
                I::StreetCode.into_iden(),
            ],
            false,
        )
        .await?;

        use SubsidyChanges as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(uuid(C::Id).primary_key().to_owned())
                    .col(uuid(C::BatchId))
                    .col(uuid(C::PersonId))
                    .col(text(C::Kind, 16))
                    .col(text(C::ReasonCode, 24))
                    .col(text(C::Reason, 500))
                    .col(opt_big(C::PreviousFen))
                    .col(opt_big(C::AmountFen))
                    .col(at(C::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_subsidy_changes_batch",
            C::Table,
            vec![
                C::BatchId.into_iden(),
                C::Kind.into_iden(),
                C::Id.into_iden(),
            ],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            SubsidyChanges::Table.into_iden(),
            SubsidyItems::Table.into_iden(),
            SubsidyBatches::Table.into_iden(),
            SubsidyTypes::Table.into_iden(),
            PersonBankAccounts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
