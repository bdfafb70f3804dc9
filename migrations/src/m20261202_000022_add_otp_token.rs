//! Hardware one-time-password tokens of GM/T 0021-2012 (SM3 dynamic passwords) as a second kind
//! of second factor: the token's serial number, its seed (SM4-GCM encrypted), its time step and
//! the last step accepted (each password works once).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    OtpTokenSerial,
    OtpTokenSeedEnc,
    OtpTokenStepSecs,
    OtpTokenLastStep,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        for col in [
            ColumnDef::new(Accounts::OtpTokenSerial)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(Accounts::OtpTokenSeedEnc)
                .blob()
                .null()
                .to_owned(),
            ColumnDef::new(Accounts::OtpTokenStepSecs)
                .integer()
                .null()
                .to_owned(),
            ColumnDef::new(Accounts::OtpTokenLastStep)
                .big_integer()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Accounts::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Accounts::OtpTokenLastStep,
            Accounts::OtpTokenStepSecs,
            Accounts::OtpTokenSeedEnc,
            Accounts::OtpTokenSerial,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Accounts::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
