//! SM2 UKey second factor: `accounts.sm2_public_key` (SEC1) and `login_challenges`, one-time
//! server challenges a UKey signs at sign-in.

use sea_orm_migration::prelude::*;

use crate::cols::{at, id, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Sm2PublicKey,
}

#[derive(DeriveIden)]
enum LoginChallenges {
    Table,
    Id,
    AccountId,
    Challenge,
    ExpiresAt,
    Used,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(ColumnDef::new(Accounts::Sm2PublicKey).blob().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginChallenges::Table)
                    .col(id(LoginChallenges::Id))
                    .col(uuid(LoginChallenges::AccountId))
                    .col(ColumnDef::new(LoginChallenges::Challenge).blob().not_null())
                    .col(at(LoginChallenges::ExpiresAt))
                    .col(
                        ColumnDef::new(LoginChallenges::Used)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginChallenges::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::Sm2PublicKey)
                    .to_owned(),
            )
            .await
    }
}
