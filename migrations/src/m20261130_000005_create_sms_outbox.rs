//! `sms_outbox` (R52 SMS push): one row per SMS, written in the same transaction as the domain
//! change that causes it, sent later by the worker. `dedupe_key` is unique, so one event yields at
//! most one SMS; the recipient's phone is SM4-GCM ciphertext.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SmsOutbox {
    Table,
    Id,
    DedupeKey,
    Template,
    Params,
    PhoneEnc,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    GatewayMessageId,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SmsOutbox::Table)
                    .col(
                        ColumnDef::new(SmsOutbox::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SmsOutbox::DedupeKey)
                            .string_len(128)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(SmsOutbox::Template)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SmsOutbox::Params).text().not_null())
                    .col(ColumnDef::new(SmsOutbox::PhoneEnc).blob().not_null())
                    .col(ColumnDef::new(SmsOutbox::Status).string_len(16).not_null())
                    .col(ColumnDef::new(SmsOutbox::Attempts).integer().not_null())
                    .col(
                        ColumnDef::new(SmsOutbox::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SmsOutbox::LockedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(SmsOutbox::LastError).string_len(500).null())
                    .col(
                        ColumnDef::new(SmsOutbox::GatewayMessageId)
                            .string_len(128)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SmsOutbox::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SmsOutbox::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sms_outbox_due")
                    .table(SmsOutbox::Table)
                    .col(SmsOutbox::Status)
                    .col(SmsOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SmsOutbox::Table).to_owned())
            .await
    }
}
