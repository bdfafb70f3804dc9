//! 代管卡折资金 (R32–R34): `custodianships` (a ward, the account holding their money, the
//! supervisor, the basis; ended ones are kept), `custody_accounts` (bank card or passbook, the
//! number SM4-GCM encrypted with an HMAC-SM3 blind index that no two accounts share) and
//! `spending_records` (what was spent, in fen; entered by the custodian or imported from a bank
//! statement, idempotent by the bank's transaction id).

use sea_orm_migration::prelude::*;

use crate::cols::{at, index, int, opt_at, opt_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Custodianships {
    Table,
    Id,
    WardPersonId,
    WardDistrictCode,
    WardStreetCode,
    CustodianAccountId,
    CustodianName,
    Relation,
    SupervisorAccountId,
    Basis,
    BasisDocument,
    StartsOn,
    EndsOn,
    Status,
    EndReason,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CustodyAccounts {
    Table,
    Id,
    CustodianshipId,
    WardPersonId,
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
enum SpendingRecords {
    Table,
    Id,
    AccountId,
    CustodianshipId,
    WardPersonId,
    StreetCode,
    AmountFen,
    Category,
    Merchant,
    SpentOn,
    Note,
    Source,
    BankTxnId,
    EnteredBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Custodianships as C;
        let date = |c: C| ColumnDef::new(c).date().not_null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(uuid(C::Id).primary_key().to_owned())
                    .col(uuid(C::WardPersonId))
                    .col(text(C::WardDistrictCode, 6))
                    .col(text(C::WardStreetCode, 9))
                    .col(uuid(C::CustodianAccountId))
                    .col(text(C::CustodianName, 50))
                    .col(text(C::Relation, 16))
                    .col(uuid(C::SupervisorAccountId))
                    .col(text(C::Basis, 24))
                    .col(opt_text(C::BasisDocument, 200))
                    .col(date(C::StartsOn))
                    .col(ColumnDef::new(C::EndsOn).date().null())
                    .col(text(C::Status, 16))
                    .col(opt_text(C::EndReason, 500))
                    .col(int(C::Version))
                    .col(text(C::CreatedBy, 64))
                    .col(at(C::CreatedAt))
                    .col(at(C::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_custodianships_street",
            C::Table,
            vec![C::WardStreetCode.into_iden(), C::Status.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_custodianships_ward",
            C::Table,
            vec![C::WardPersonId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_custodianships_custodian",
            C::Table,
            vec![C::CustodianAccountId.into_iden()],
            false,
        )
        .await?;
        // One custodianship in force per ward, on both backends (a partial unique index).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_custodianships_active ON custodianships (ward_person_id) \
                 WHERE status = 'ACTIVE'",
            )
            .await?;
        use CustodyAccounts as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(uuid(A::Id).primary_key().to_owned())
                    .col(uuid(A::CustodianshipId))
                    .col(uuid(A::WardPersonId))
                    .col(text(A::Kind, 16))
                    .col(text(A::BankCode, 8))
                    .col(ColumnDef::new(A::NumberEnc).blob().not_null())
                    .col(ColumnDef::new(A::NumberBidx).blob().not_null())
                    .col(text(A::Last4, 4))
                    .col(text(A::Status, 16))
                    .col(text(A::CreatedBy, 64))
                    .col(at(A::CreatedAt))
                    .col(opt_at(A::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_custody_accounts_custodianship")
                            .from(A::Table, A::CustodianshipId)
                            .to(C::Table, C::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A card or passbook is held for one ward only, ever.
        index(
            manager,
            "uq_custody_accounts_number",
            A::Table,
            vec![A::NumberBidx.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_custody_accounts_custodianship",
            A::Table,
            vec![A::CustodianshipId.into_iden()],
            false,
        )
        .await?;
        use SpendingRecords as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(uuid(S::Id).primary_key().to_owned())
                    .col(uuid(S::AccountId))
                    .col(uuid(S::CustodianshipId))
                    .col(uuid(S::WardPersonId))
                    .col(text(S::StreetCode, 9))
                    .col(ColumnDef::new(S::AmountFen).big_integer().not_null())
                    .col(text(S::Category, 16))
                    .col(text(S::Merchant, 100))
                    .col(ColumnDef::new(S::SpentOn).date().not_null())
                    .col(text(S::Note, 500))
                    .col(text(S::Source, 16))
                    .col(opt_text(S::BankTxnId, 64))
                    .col(text(S::EnteredBy, 64))
                    .col(at(S::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_spending_records_account")
                            .from(S::Table, S::AccountId)
                            .to(A::Table, A::Id),
                    )
                    .check(Expr::col(S::AmountFen).gt(0))
                    .to_owned(),
            )
            .await?;
        // Re-importing a statement adds nothing: one row per account and bank transaction.
        index(
            manager,
            "uq_spending_records_txn",
            S::Table,
            vec![S::AccountId.into_iden(), S::BankTxnId.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_spending_records_custodianship",
            S::Table,
            vec![S::CustodianshipId.into_iden(), S::SpentOn.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_spending_records_street",
            S::Table,
            vec![S::StreetCode.into_iden(), S::SpentOn.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            SpendingRecords::Table.into_iden(),
            CustodyAccounts::Table.into_iden(),
            Custodianships::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
