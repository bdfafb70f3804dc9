//! Third-party clients (合作方接入): `api_clients` (credentials digest, scope, quota, purpose) and
//! `api_client_documents`, each client's allow-list of trusted documents by SHA-256.

use sea_orm_migration::prelude::*;

use crate::cols::{at, id, index, int, long_text, opt_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
    ClientId,
    Name,
    Purpose,
    Role,
    Region,
    QuotaPerMinute,
    SecretDigest,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiClientDocuments {
    Table,
    ClientRef,
    Sha256,
    OperationName,
    Document,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiClients::Table)
                    .col(id(ApiClients::Id))
                    .col(text(ApiClients::ClientId, 64))
                    .col(text(ApiClients::Name, 100))
                    .col(text(ApiClients::Purpose, 500))
                    .col(text(ApiClients::Role, 32))
                    .col(opt_text(ApiClients::Region, 12))
                    .col(int(ApiClients::QuotaPerMinute))
                    .col(ColumnDef::new(ApiClients::SecretDigest).blob().not_null())
                    .col(
                        ColumnDef::new(ApiClients::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(at(ApiClients::CreatedAt))
                    .col(at(ApiClients::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_api_clients_client_id",
            ApiClients::Table,
            vec![ApiClients::ClientId.into_iden()],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiClientDocuments::Table)
                    .col(uuid(ApiClientDocuments::ClientRef))
                    .col(text(ApiClientDocuments::Sha256, 64))
                    .col(opt_text(ApiClientDocuments::OperationName, 128))
                    .col(long_text(ApiClientDocuments::Document))
                    .primary_key(
                        Index::create()
                            .col(ApiClientDocuments::ClientRef)
                            .col(ApiClientDocuments::Sha256),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiClientDocuments::Table, ApiClientDocuments::ClientRef)
                            .to(ApiClients::Table, ApiClients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiClientDocuments::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ApiClients::Table).to_owned())
            .await
    }
}
