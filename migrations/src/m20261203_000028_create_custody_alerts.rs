//! 代管资金异常预警 (R36): `custody_rules` (each a CEL condition over a transaction and its
//! context, a severity and a label; the built-in ones cannot be switched off), `custody_alerts`
//! (one per rule and spending record — the unique index is what makes re-running the rules
//! raise nothing twice), `custody_alert_events` (every step of handling, with its note) and
//! `custody_files` (receipts of spending and materials of alerts, stored by SM3 digest).
//! Spending records gain the import that brought them, the hour of the bank's transaction and
//! the balance after it, where the statement gives them.

use sea_orm_migration::prelude::*;
use uuid::Uuid;

use crate::cols::{at, index, int, opt_at, opt_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CustodyRules {
    Table,
    Id,
    Code,
    Label,
    Expression,
    Severity,
    Enabled,
    Builtin,
    Version,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CustodyAlerts {
    Table,
    Id,
    RuleCode,
    Label,
    Severity,
    CustodianshipId,
    WardPersonId,
    DistrictCode,
    StreetCode,
    SupervisorAccountId,
    SpendingRecordId,
    AmountFen,
    SpentOn,
    Status,
    Level,
    RaisedAt,
    EscalatedAt,
    HandledBy,
    HandledAt,
    Version,
}

#[derive(DeriveIden)]
enum CustodyAlertEvents {
    Table,
    Id,
    AlertId,
    Action,
    FromStatus,
    ToStatus,
    Note,
    Actor,
    At,
}

#[derive(DeriveIden)]
enum CustodyFiles {
    Table,
    Id,
    OwnerKind,
    OwnerId,
    CustodianshipId,
    FileName,
    ContentType,
    SizeBytes,
    Sm3,
    UploadedBy,
    At,
}

#[derive(DeriveIden)]
enum SpendingRecords {
    Table,
    ImportId,
    SpentHour,
    BalanceFen,
}

/// The rules a fresh installation starts with: (code, label, expression, severity, built in).
pub const DEFAULT_RULES: [(&str, &str, &str, &str, bool); 7] = [
    (
        "WARD_INACTIVE",
        "被代管人已注销（含死亡），其账户仍有支出",
        "wardStatus != \"ACTIVE\"",
        "HIGH",
        true,
    ),
    (
        "LARGE_SINGLE",
        "单笔支出达到5000元",
        "amount >= 500000",
        "HIGH",
        false,
    ),
    (
        "DAY_TOTAL",
        "当日累计支出达到10000元",
        "dayTotal >= 1000000",
        "HIGH",
        false,
    ),
    (
        "DAY_COUNT",
        "当日支出达到6笔",
        "dayCount >= 6",
        "MEDIUM",
        false,
    ),
    (
        "NIGHT",
        "深夜或凌晨（23点至次日6点）交易",
        "hour >= 0 && (hour < 6 || hour >= 23)",
        "MEDIUM",
        false,
    ),
    (
        "BALANCE_SHARE",
        "一笔花去余额的八成以上（1000元以上）",
        "balanceShare >= 0.8 && amount >= 100000",
        "HIGH",
        false,
    ),
    (
        "RISKY_MERCHANT",
        "疑似彩票、游戏充值或典当消费",
        "merchant.contains(\"彩票\") || merchant.contains(\"游戏\") || merchant.contains(\"典当\")",
        "HIGH",
        false,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use CustodyRules as R;
        let flag = |c: R| ColumnDef::new(c).boolean().not_null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(uuid(R::Id).primary_key().to_owned())
                    .col(text(R::Code, 32))
                    .col(text(R::Label, 100))
                    .col(text(R::Expression, 500))
                    .col(text(R::Severity, 16))
                    .col(flag(R::Enabled))
                    .col(flag(R::Builtin))
                    .col(int(R::Version))
                    .col(text(R::UpdatedBy, 64))
                    .col(at(R::CreatedAt))
                    .col(at(R::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_custody_rules_code",
            R::Table,
            vec![R::Code.into_iden()],
            true,
        )
        .await?;
        let now = chrono::Utc::now();
        let mut insert = Query::insert();
        insert.into_table(R::Table).columns([
            R::Id,
            R::Code,
            R::Label,
            R::Expression,
            R::Severity,
            R::Enabled,
            R::Builtin,
            R::Version,
            R::UpdatedBy,
            R::CreatedAt,
            R::UpdatedAt,
        ]);
        for (i, (code, label, expression, severity, builtin)) in
            DEFAULT_RULES.into_iter().enumerate()
        {
            insert
                .values([
                    Uuid::from_u128(0x0c05_7000_0000_0000_0000_0000_0000_0000 + i as u128).into(),
                    code.into(),
                    label.into(),
                    expression.into(),
                    severity.into(),
                    true.into(),
                    builtin.into(),
                    1.into(),
                    "system".into(),
                    now.into(),
                    now.into(),
                ])
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        manager.exec_stmt(insert).await?;

        use CustodyAlerts as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(uuid(A::Id).primary_key().to_owned())
                    .col(text(A::RuleCode, 32))
                    .col(text(A::Label, 100))
                    .col(text(A::Severity, 16))
                    .col(uuid(A::CustodianshipId))
                    .col(uuid(A::WardPersonId))
                    .col(text(A::DistrictCode, 6))
                    .col(text(A::StreetCode, 9))
                    .col(uuid(A::SupervisorAccountId))
                    .col(uuid(A::SpendingRecordId))
                    .col(ColumnDef::new(A::AmountFen).big_integer().not_null())
                    .col(ColumnDef::new(A::SpentOn).date().not_null())
                    .col(text(A::Status, 24))
                    .col(text(A::Level, 16))
                    .col(at(A::RaisedAt))
                    .col(opt_at(A::EscalatedAt))
                    .col(opt_text(A::HandledBy, 64))
                    .col(opt_at(A::HandledAt))
                    .col(int(A::Version))
                    .to_owned(),
            )
            .await?;
        // One alert per rule and record, however often the rules run over it.
        index(
            manager,
            "uq_custody_alerts_record_rule",
            A::Table,
            vec![A::SpendingRecordId.into_iden(), A::RuleCode.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_custody_alerts_street",
            A::Table,
            vec![A::StreetCode.into_iden(), A::Status.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_custody_alerts_open",
            A::Table,
            vec![A::Status.into_iden(), A::RaisedAt.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_custody_alerts_custodianship",
            A::Table,
            vec![A::CustodianshipId.into_iden()],
            false,
        )
        .await?;

        use CustodyAlertEvents as E;
        manager
            .create_table(
                Table::create()
                    .table(E::Table)
                    .col(uuid(E::Id).primary_key().to_owned())
                    .col(uuid(E::AlertId))
                    .col(text(E::Action, 24))
                    .col(text(E::FromStatus, 24))
                    .col(text(E::ToStatus, 24))
                    .col(text(E::Note, 1000))
                    .col(text(E::Actor, 64))
                    .col(at(E::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_custody_alert_events_alert")
                            .from(E::Table, E::AlertId)
                            .to(A::Table, A::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_custody_alert_events_alert",
            E::Table,
            vec![E::AlertId.into_iden()],
            false,
        )
        .await?;

        use CustodyFiles as F;
        manager
            .create_table(
                Table::create()
                    .table(F::Table)
                    .col(uuid(F::Id).primary_key().to_owned())
                    .col(text(F::OwnerKind, 16))
                    .col(uuid(F::OwnerId))
                    .col(uuid(F::CustodianshipId))
                    .col(text(F::FileName, 200))
                    .col(text(F::ContentType, 64))
                    .col(ColumnDef::new(F::SizeBytes).big_integer().not_null())
                    .col(text(F::Sm3, 64))
                    .col(text(F::UploadedBy, 64))
                    .col(at(F::At))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_custody_files_owner",
            F::Table,
            vec![F::OwnerId.into_iden()],
            false,
        )
        .await?;

        use SpendingRecords as S;
        for col in [
            ColumnDef::new(S::ImportId).uuid().null().to_owned(),
            ColumnDef::new(S::SpentHour)
                .small_integer()
                .null()
                .to_owned(),
            ColumnDef::new(S::BalanceFen)
                .big_integer()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(S::Table)
                        .add_column(col.clone())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CustodyFiles::Table.into_iden(),
            CustodyAlertEvents::Table.into_iden(),
            CustodyAlerts::Table.into_iden(),
            CustodyRules::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        for c in [
            SpendingRecords::ImportId.into_iden(),
            SpendingRecords::SpentHour.into_iden(),
            SpendingRecords::BalanceFen.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SpendingRecords::Table)
                        .drop_column(c)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
