//! Session revocation: `revoked_sessions` (logout of one token) and
//! `accounts.sessions_valid_after` (an admin revokes every token of an account issued before).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RevokedSessions {
    Table,
    Jti,
    AccountId,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    SessionsValidAfter,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RevokedSessions::Table)
                    .col(
                        ColumnDef::new(RevokedSessions::Jti)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(RevokedSessions::AccountId).uuid().not_null())
                    .col(
                        ColumnDef::new(RevokedSessions::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RevokedSessions::RevokedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(
                        ColumnDef::new(Accounts::SessionsValidAfter)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::SessionsValidAfter)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(RevokedSessions::Table).to_owned())
            .await
    }
}
