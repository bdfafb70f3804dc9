//! `session_activity`: last use of each staff session, so that the idle timeout holds on every
//! node.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SessionActivity {
    Table,
    Jti,
    AccountId,
    LastSeen,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SessionActivity::Table)
                    .col(
                        ColumnDef::new(SessionActivity::Jti)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(SessionActivity::AccountId).uuid().not_null())
                    .col(
                        ColumnDef::new(SessionActivity::LastSeen)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SessionActivity::Table).to_owned())
            .await
    }
}
