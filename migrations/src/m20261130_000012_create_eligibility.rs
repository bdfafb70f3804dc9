//! Eligibility and service delivery: versioned `eligibility_rules` per service item,
//! `service_grants` (免申即享, one row per person and item, so a re-run grants nothing twice),
//! `grant_jobs`, `service_records` on each person's file, the citizens' `inbox_messages`, and
//! `home_pins` (services a citizen pinned to their home page, in order).

use sea_orm_migration::prelude::*;

use crate::cols::{at, index, int, opt_at, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EligibilityRules {
    Table,
    Id,
    ServiceItemId,
    Version,
    Conditions,
    Status,
    CreatedBy,
    CreatedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum ServiceGrants {
    Table,
    Id,
    PersonId,
    ServiceItemId,
    RuleVersion,
    Status,
    GrantedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum GrantJobs {
    Table,
    Id,
    ServiceItemId,
    RuleVersion,
    Status,
    Evaluated,
    Granted,
    Revoked,
    Error,
    StartedBy,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum ServiceRecords {
    Table,
    Id,
    PersonId,
    ServiceItemId,
    Kind,
    DistrictCode,
    StreetCode,
    Note,
    ActorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum InboxMessages {
    Table,
    Id,
    PersonId,
    Kind,
    Title,
    Body,
    RefId,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum HomePins {
    Table,
    AccountId,
    ServiceItemId,
    Position,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EligibilityRules::Table)
                    .col(uuid(EligibilityRules::Id).primary_key().to_owned())
                    .col(uuid(EligibilityRules::ServiceItemId))
                    .col(int(EligibilityRules::Version))
                    .col(
                        ColumnDef::new(EligibilityRules::Conditions)
                            .text()
                            .not_null(),
                    )
                    .col(text(EligibilityRules::Status, 16))
                    .col(text(EligibilityRules::CreatedBy, 64))
                    .col(at(EligibilityRules::CreatedAt))
                    .col(opt_at(EligibilityRules::PublishedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_eligibility_rules_item_version",
            EligibilityRules::Table,
            vec![
                EligibilityRules::ServiceItemId.into_iden(),
                EligibilityRules::Version.into_iden(),
            ],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceGrants::Table)
                    .col(uuid(ServiceGrants::Id).primary_key().to_owned())
                    .col(uuid(ServiceGrants::PersonId))
                    .col(uuid(ServiceGrants::ServiceItemId))
                    .col(int(ServiceGrants::RuleVersion))
                    .col(text(ServiceGrants::Status, 16))
                    .col(at(ServiceGrants::GrantedAt))
                    .col(opt_at(ServiceGrants::RevokedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_service_grants_person_item",
            ServiceGrants::Table,
            vec![
                ServiceGrants::PersonId.into_iden(),
                ServiceGrants::ServiceItemId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_service_grants_item",
            ServiceGrants::Table,
            vec![
                ServiceGrants::ServiceItemId.into_iden(),
                ServiceGrants::Status.into_iden(),
            ],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(GrantJobs::Table)
                    .col(uuid(GrantJobs::Id).primary_key().to_owned())
                    .col(uuid(GrantJobs::ServiceItemId))
                    .col(int(GrantJobs::RuleVersion))
                    .col(text(GrantJobs::Status, 16))
                    .col(int(GrantJobs::Evaluated))
                    .col(int(GrantJobs::Granted))
                    .col(int(GrantJobs::Revoked))
                    .col(ColumnDef::new(GrantJobs::Error).string_len(500).null())
                    .col(text(GrantJobs::StartedBy, 64))
                    .col(at(GrantJobs::StartedAt))
                    .col(opt_at(GrantJobs::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceRecords::Table)
                    .col(uuid(ServiceRecords::Id).primary_key().to_owned())
                    .col(uuid(ServiceRecords::PersonId))
                    .col(uuid(ServiceRecords::ServiceItemId))
                    .col(text(ServiceRecords::Kind, 16))
                    .col(text(ServiceRecords::DistrictCode, 6))
                    .col(text(ServiceRecords::StreetCode, 9))
                    .col(text(ServiceRecords::Note, 500))
                    .col(text(ServiceRecords::ActorId, 64))
                    .col(at(ServiceRecords::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_service_records_person",
            ServiceRecords::Table,
            vec![
                ServiceRecords::PersonId.into_iden(),
                ServiceRecords::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_service_records_district_time",
            ServiceRecords::Table,
            vec![
                ServiceRecords::DistrictCode.into_iden(),
                ServiceRecords::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(InboxMessages::Table)
                    .col(uuid(InboxMessages::Id).primary_key().to_owned())
                    .col(uuid(InboxMessages::PersonId))
                    .col(text(InboxMessages::Kind, 32))
                    .col(text(InboxMessages::Title, 200))
                    .col(text(InboxMessages::Body, 1000))
                    .col(ColumnDef::new(InboxMessages::RefId).uuid().null())
                    .col(at(InboxMessages::CreatedAt))
                    .col(opt_at(InboxMessages::ReadAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_inbox_person",
            InboxMessages::Table,
            vec![
                InboxMessages::PersonId.into_iden(),
                InboxMessages::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(HomePins::Table)
                    .col(uuid(HomePins::AccountId))
                    .col(uuid(HomePins::ServiceItemId))
                    .col(int(HomePins::Position))
                    .primary_key(
                        Index::create()
                            .col(HomePins::AccountId)
                            .col(HomePins::ServiceItemId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            HomePins::Table.into_iden(),
            InboxMessages::Table.into_iden(),
            ServiceRecords::Table.into_iden(),
            GrantJobs::Table.into_iden(),
            ServiceGrants::Table.into_iden(),
            EligibilityRules::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
