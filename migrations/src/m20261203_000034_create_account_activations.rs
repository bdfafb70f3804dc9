//! Citizen accounts (R51): `account_activations`, one-time SMS codes that let a registered
//! person open (or re-open) their account. The code is kept only as an HMAC-SM3 digest; a
//! challenge expires, is used once and allows a few wrong tries.

use sea_orm_migration::prelude::*;

use crate::cols::{at, bytes, index, int, opt_at, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccountActivations {
    Table,
    Id,
    PersonId,
    CodeDigest,
    Attempts,
    ExpiresAt,
    UsedAt,
    RequestedFrom,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AccountActivations as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(uuid(A::Id).primary_key().to_owned())
                    .col(uuid(A::PersonId))
                    .col(bytes(A::CodeDigest))
                    .col(int(A::Attempts))
                    .col(at(A::ExpiresAt))
                    .col(opt_at(A::UsedAt))
                    .col(text(A::RequestedFrom, 64))
                    .col(at(A::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_account_activations_person",
            A::Table,
            vec![A::PersonId.into_iden(), A::CreatedAt.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountActivations::Table).to_owned())
            .await
    }
}
