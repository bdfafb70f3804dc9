//! `audit_records` (append-only, HMAC-SM3 chained) and `audit_head` (the chain's last link).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditRecords {
    Table,
    Seq,
    At,
    ActorId,
    ActorName,
    ActorRole,
    Scope,
    ClientIp,
    RequestId,
    Operation,
    ObjectType,
    ObjectId,
    Result,
    Detail,
    PrevMac,
    Mac,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    LastSeq,
    LastMac,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let text =
            |c: AuditRecords, len: u32| ColumnDef::new(c).string_len(len).not_null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(AuditRecords::Table)
                    .col(
                        ColumnDef::new(AuditRecords::Seq)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AuditRecords::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(text(AuditRecords::ActorId, 64))
                    .col(text(AuditRecords::ActorName, 64))
                    .col(text(AuditRecords::ActorRole, 32))
                    .col(text(AuditRecords::Scope, 32))
                    .col(text(AuditRecords::ClientIp, 64))
                    .col(text(AuditRecords::RequestId, 64))
                    .col(text(AuditRecords::Operation, 64))
                    .col(text(AuditRecords::ObjectType, 32))
                    .col(text(AuditRecords::ObjectId, 64))
                    .col(text(AuditRecords::Result, 64))
                    .col(ColumnDef::new(AuditRecords::Detail).text().not_null())
                    .col(ColumnDef::new(AuditRecords::PrevMac).blob().not_null())
                    .col(ColumnDef::new(AuditRecords::Mac).blob().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_object")
                    .table(AuditRecords::Table)
                    .col(AuditRecords::ObjectType)
                    .col(AuditRecords::ObjectId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(
                        ColumnDef::new(AuditHead::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AuditHead::LastSeq).big_integer().not_null())
                    .col(ColumnDef::new(AuditHead::LastMac).blob().not_null())
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(AuditHead::Table)
            .columns([AuditHead::Id, AuditHead::LastSeq, AuditHead::LastMac])
            .values([1i32.into(), 0i64.into(), vec![0u8; 32].into()])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditHead::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditRecords::Table).to_owned())
            .await
    }
}
