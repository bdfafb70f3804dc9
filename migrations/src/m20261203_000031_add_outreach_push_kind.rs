//! What a push is: `POLICY` (政策找人: a policy or service item pushed to people chosen by filter
//! or rule) or `NEED` (需求跟进: one person's need, identified by a questionnaire, turned into a
//! follow-up visit by their street-town). Need pushes carry exactly one task and are not listed
//! among the policy pushes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutreachPushes {
    Table,
    Kind,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OutreachPushes::Table)
                    .add_column(
                        ColumnDef::new(OutreachPushes::Kind)
                            .string_len(16)
                            .not_null()
                            .default("POLICY"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OutreachPushes::Table)
                    .drop_column(OutreachPushes::Kind)
                    .to_owned(),
            )
            .await
    }
}
