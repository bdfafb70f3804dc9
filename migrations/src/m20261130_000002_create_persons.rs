//! `households` and `persons` (the registry). Sensitive columns are SM4-GCM ciphertext.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Households {
    Table,
    Id,
    StreetCode,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
    Name,
    Sex,
    BirthDate,
    IdNumberEnc,
    IdNumberBidx,
    CertificateEnc,
    Category,
    Level,
    CertificateValidUntil,
    PhoneEnc,
    AddressEnc,
    DistrictCode,
    StreetCode,
    CommitteeCode,
    HouseholdId,
    Relationship,
    Status,
    DeactivationReason,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Households::Table)
                    .col(
                        ColumnDef::new(Households::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Households::StreetCode)
                            .string_len(12)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Households::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Persons::Table)
                    .col(ColumnDef::new(Persons::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Persons::Name).string_len(64).not_null())
                    .col(ColumnDef::new(Persons::Sex).string_len(8).not_null())
                    .col(ColumnDef::new(Persons::BirthDate).date().not_null())
                    .col(ColumnDef::new(Persons::IdNumberEnc).blob().not_null())
                    .col(
                        ColumnDef::new(Persons::IdNumberBidx)
                            .blob()
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Persons::CertificateEnc).blob().not_null())
                    .col(ColumnDef::new(Persons::Category).small_integer().not_null())
                    .col(ColumnDef::new(Persons::Level).small_integer().not_null())
                    .col(ColumnDef::new(Persons::CertificateValidUntil).date().null())
                    .col(ColumnDef::new(Persons::PhoneEnc).blob().null())
                    .col(ColumnDef::new(Persons::AddressEnc).blob().null())
                    .col(
                        ColumnDef::new(Persons::DistrictCode)
                            .string_len(6)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Persons::StreetCode).string_len(9).not_null())
                    .col(ColumnDef::new(Persons::CommitteeCode).string_len(12).null())
                    .col(ColumnDef::new(Persons::HouseholdId).uuid().not_null())
                    .col(
                        ColumnDef::new(Persons::Relationship)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Persons::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Persons::DeactivationReason)
                            .string_len(800)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Persons::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Persons::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_persons_household")
                            .from(Persons::Table, Persons::HouseholdId)
                            .to(Households::Table, Households::Id),
                    )
                    .to_owned(),
            )
            .await?;
        let indexes = [
            (
                "idx_persons_district_category",
                vec![Persons::DistrictCode, Persons::Category, Persons::Level],
            ),
            ("idx_persons_street", vec![Persons::StreetCode]),
            ("idx_persons_household", vec![Persons::HouseholdId]),
            ("idx_persons_name", vec![Persons::Name]),
        ];
        for (name, cols) in indexes {
            let mut idx = Index::create();
            idx.name(name).table(Persons::Table);
            for c in cols {
                idx.col(c);
            }
            manager.create_index(idx.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Persons::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Households::Table).to_owned())
            .await
    }
}
