//! 政策找人 (outreach): `outreach_pushes` (a policy pushed to selected people), one
//! `outreach_tasks` row per person (unique per push, so publishing twice creates nothing twice),
//! `outreach_events` (every transition, for history and the person's file),
//! `outreach_attachments` (materials in the blob store, with SM3 digests) and
//! `outreach_warnings` (overdue and failed follow-ups, escalated from street-town to district).

use sea_orm_migration::prelude::*;

use crate::cols::{at, index, int, opt_at, opt_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutreachPushes {
    Table,
    Id,
    Title,
    PolicyId,
    ServiceItemId,
    UseRule,
    Filter,
    ScopeCode,
    DueWorkingDays,
    Status,
    Targeted,
    Progress,
    CreatedBy,
    CreatedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum OutreachTasks {
    Table,
    Id,
    PushId,
    PersonId,
    DistrictCode,
    StreetCode,
    Status,
    DueOn,
    Method,
    Outcome,
    Notes,
    VisitedOn,
    SubmittedAt,
    FirstSubmittedAt,
    ReviewedAt,
    ReturnCount,
    RecheckSampleSeed,
    RecheckResult,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OutreachEvents {
    Table,
    Id,
    TaskId,
    PersonId,
    FromStatus,
    ToStatus,
    Action,
    ReasonCode,
    Note,
    ActorId,
    ActorRole,
    At,
}

#[derive(DeriveIden)]
enum OutreachAttachments {
    Table,
    Id,
    TaskId,
    FileName,
    ContentType,
    SizeBytes,
    Sm3,
    UploadedBy,
    At,
}

#[derive(DeriveIden)]
enum OutreachWarnings {
    Table,
    Id,
    TaskId,
    PushId,
    Kind,
    Level,
    DistrictCode,
    StreetCode,
    RaisedAt,
    EscalatedAt,
    ResolvedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutreachPushes::Table)
                    .col(uuid(OutreachPushes::Id).primary_key().to_owned())
                    .col(text(OutreachPushes::Title, 200))
                    .col(ColumnDef::new(OutreachPushes::PolicyId).uuid().null())
                    .col(ColumnDef::new(OutreachPushes::ServiceItemId).uuid().null())
                    .col(ColumnDef::new(OutreachPushes::UseRule).boolean().not_null())
                    .col(ColumnDef::new(OutreachPushes::Filter).text().not_null())
                    .col(text(OutreachPushes::ScopeCode, 9))
                    .col(int(OutreachPushes::DueWorkingDays))
                    .col(text(OutreachPushes::Status, 16))
                    .col(int(OutreachPushes::Targeted))
                    .col(int(OutreachPushes::Progress))
                    .col(text(OutreachPushes::CreatedBy, 64))
                    .col(at(OutreachPushes::CreatedAt))
                    .col(opt_at(OutreachPushes::PublishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutreachTasks::Table)
                    .col(uuid(OutreachTasks::Id).primary_key().to_owned())
                    .col(uuid(OutreachTasks::PushId))
                    .col(uuid(OutreachTasks::PersonId))
                    .col(text(OutreachTasks::DistrictCode, 6))
                    .col(text(OutreachTasks::StreetCode, 9))
                    .col(text(OutreachTasks::Status, 16))
                    .col(ColumnDef::new(OutreachTasks::DueOn).date().not_null())
                    .col(opt_text(OutreachTasks::Method, 16))
                    .col(opt_text(OutreachTasks::Outcome, 16))
                    .col(opt_text(OutreachTasks::Notes, 1000))
                    .col(ColumnDef::new(OutreachTasks::VisitedOn).date().null())
                    .col(opt_at(OutreachTasks::SubmittedAt))
                    .col(opt_at(OutreachTasks::FirstSubmittedAt))
                    .col(opt_at(OutreachTasks::ReviewedAt))
                    .col(int(OutreachTasks::ReturnCount).default(0).to_owned())
                    .col(
                        ColumnDef::new(OutreachTasks::RecheckSampleSeed)
                            .big_integer()
                            .null(),
                    )
                    .col(opt_text(OutreachTasks::RecheckResult, 16))
                    .col(at(OutreachTasks::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_outreach_tasks_push_person",
            OutreachTasks::Table,
            vec![
                OutreachTasks::PushId.into_iden(),
                OutreachTasks::PersonId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_outreach_tasks_street_status",
            OutreachTasks::Table,
            vec![
                OutreachTasks::StreetCode.into_iden(),
                OutreachTasks::Status.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_outreach_tasks_person",
            OutreachTasks::Table,
            vec![OutreachTasks::PersonId.into_iden()],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutreachEvents::Table)
                    .col(uuid(OutreachEvents::Id).primary_key().to_owned())
                    .col(uuid(OutreachEvents::TaskId))
                    .col(uuid(OutreachEvents::PersonId))
                    .col(opt_text(OutreachEvents::FromStatus, 16))
                    .col(text(OutreachEvents::ToStatus, 16))
                    .col(text(OutreachEvents::Action, 32))
                    .col(opt_text(OutreachEvents::ReasonCode, 32))
                    .col(opt_text(OutreachEvents::Note, 500))
                    .col(text(OutreachEvents::ActorId, 64))
                    .col(text(OutreachEvents::ActorRole, 32))
                    .col(at(OutreachEvents::At))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_outreach_events_task",
            OutreachEvents::Table,
            vec![
                OutreachEvents::TaskId.into_iden(),
                OutreachEvents::At.into_iden(),
            ],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutreachAttachments::Table)
                    .col(uuid(OutreachAttachments::Id).primary_key().to_owned())
                    .col(uuid(OutreachAttachments::TaskId))
                    .col(text(OutreachAttachments::FileName, 200))
                    .col(text(OutreachAttachments::ContentType, 64))
                    .col(
                        ColumnDef::new(OutreachAttachments::SizeBytes)
                            .big_integer()
                            .not_null(),
                    )
                    .col(text(OutreachAttachments::Sm3, 64))
                    .col(text(OutreachAttachments::UploadedBy, 64))
                    .col(at(OutreachAttachments::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutreachWarnings::Table)
                    .col(uuid(OutreachWarnings::Id).primary_key().to_owned())
                    .col(uuid(OutreachWarnings::TaskId))
                    .col(uuid(OutreachWarnings::PushId))
                    .col(text(OutreachWarnings::Kind, 16))
                    .col(text(OutreachWarnings::Level, 16))
                    .col(text(OutreachWarnings::DistrictCode, 6))
                    .col(text(OutreachWarnings::StreetCode, 9))
                    .col(at(OutreachWarnings::RaisedAt))
                    .col(opt_at(OutreachWarnings::EscalatedAt))
                    .col(opt_at(OutreachWarnings::ResolvedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_outreach_warnings_task_kind",
            OutreachWarnings::Table,
            vec![
                OutreachWarnings::TaskId.into_iden(),
                OutreachWarnings::Kind.into_iden(),
            ],
            true,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            OutreachWarnings::Table.into_iden(),
            OutreachAttachments::Table.into_iden(),
            OutreachEvents::Table.into_iden(),
            OutreachTasks::Table.into_iden(),
            OutreachPushes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
