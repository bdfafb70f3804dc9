//! Facts that eligibility rules read: `persons.household_status` (低保 / 低收入 / 特困),
//! `persons.employment` and `persons.local_hukou` (本市户籍).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Persons {
    Table,
    HouseholdStatus,
    Employment,
    LocalHukou,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            ColumnDef::new(Persons::HouseholdStatus)
                .string_len(24)
                .not_null()
                .default("NONE")
                .to_owned(),
            ColumnDef::new(Persons::Employment)
                .string_len(16)
                .not_null()
                .default("UNEMPLOYED")
                .to_owned(),
            ColumnDef::new(Persons::LocalHukou)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Persons::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Persons::LocalHukou,
            Persons::Employment,
            Persons::HouseholdStatus,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Persons::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
