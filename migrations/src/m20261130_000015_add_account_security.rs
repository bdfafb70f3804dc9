//! Staff sign-in (等保 8.1.4.1): the second factor (`totp_secret_enc` SM4-GCM, `totp_confirmed`,
//! `totp_last_step` against replay) and the password policy (`password_changed_at`,
//! `must_change_password`, `password_history` of earlier hashes).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    TotpSecretEnc,
    TotpConfirmed,
    TotpLastStep,
    PasswordChangedAt,
    MustChangePassword,
    PasswordHistory,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            ColumnDef::new(Accounts::TotpSecretEnc)
                .blob()
                .null()
                .to_owned(),
            ColumnDef::new(Accounts::TotpConfirmed)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Accounts::TotpLastStep)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Accounts::PasswordChangedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Accounts::MustChangePassword)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Accounts::PasswordHistory)
                .text()
                .not_null()
                .default("[]")
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
            Accounts::PasswordHistory,
            Accounts::MustChangePassword,
            Accounts::PasswordChangedAt,
            Accounts::TotpLastStep,
            Accounts::TotpConfirmed,
            Accounts::TotpSecretEnc,
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
