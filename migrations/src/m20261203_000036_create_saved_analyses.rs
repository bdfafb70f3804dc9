//! Saved analyses (R61–R63): a name and the analysis as asked (JSON), owned by an account and
//! optionally shared with the staff of the same scope (region code).

use sea_orm_migration::prelude::*;

use crate::cols::{at, index, long_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SavedAnalyses {
    Table,
    Id,
    OwnerAccountId,
    ScopeCode,
    Name,
    Definition,
    Shared,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use SavedAnalyses as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(uuid(S::Id).primary_key().to_owned())
                    .col(uuid(S::OwnerAccountId))
                    .col(text(S::ScopeCode, 12))
                    .col(text(S::Name, 100))
                    .col(long_text(S::Definition))
                    .col(ColumnDef::new(S::Shared).boolean().not_null())
                    .col(at(S::CreatedAt))
                    .col(at(S::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_saved_analyses_owner",
            S::Table,
            vec![S::OwnerAccountId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "ix_saved_analyses_scope",
            S::Table,
            vec![S::ScopeCode.into_iden(), S::Shared.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SavedAnalyses::Table).to_owned())
            .await
    }
}
