//! Who made an account (三权分立): `OPERATOR` (the operator's command line and demo seeding),
//! `SYSTEM_ADMIN` (`createAccount`) or `SELF` (a citizen's or volunteer's own registration).
//! Only accounts the system admin created may receive a staff role from the security admin, so
//! that neither can give themselves a city-wide account alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Origin,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(
                        ColumnDef::new(Accounts::Origin)
                            .string_len(16)
                            .not_null()
                            .default("OPERATOR"),
                    )
                    .to_owned(),
            )
            .await?;
        // Citizens and volunteers registered themselves.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE accounts SET origin = 'SELF' WHERE role IN ('CITIZEN', 'VOLUNTEER')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::Origin)
                    .to_owned(),
            )
            .await
    }
}
