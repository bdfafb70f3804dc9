//! Attendance at activities (R17, R29, R30): each activity's check-in secret (the rotating code
//! shown on the organiser's screen is an HMAC-SM3 of it), and on each registration when and how
//! the person checked in, and who excused a no-show and why.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Activities {
    Table,
    CheckinSecret,
}

#[derive(DeriveIden)]
enum ActivityRegistrations {
    Table,
    CheckedInAt,
    CheckInMethod,
    ExcusedBy,
    ExcuseReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Activities::Table)
                    .add_column(ColumnDef::new(Activities::CheckinSecret).blob().null())
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters one column at a time.
        for col in [
            ColumnDef::new(ActivityRegistrations::CheckedInAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(ActivityRegistrations::CheckInMethod)
                .string_len(16)
                .null()
                .to_owned(),
            ColumnDef::new(ActivityRegistrations::ExcusedBy)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(ActivityRegistrations::ExcuseReason)
                .string_len(500)
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ActivityRegistrations::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            ActivityRegistrations::ExcuseReason,
            ActivityRegistrations::ExcusedBy,
            ActivityRegistrations::CheckInMethod,
            ActivityRegistrations::CheckedInAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ActivityRegistrations::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Activities::Table)
                    .drop_column(Activities::CheckinSecret)
                    .to_owned(),
            )
            .await
    }
}
