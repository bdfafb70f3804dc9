//! `volunteers` (real-name registered, verified by admins) and their service areas.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
    AccountId,
    Name,
    IdNumberEnc,
    IdNumberBidx,
    PhoneEnc,
    Skills,
    Status,
    Available,
    Latitude,
    Longitude,
    LocationAt,
    ConsentAt,
    RatingSum,
    RatingCount,
    SuspensionReason,
    VerifiedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VolunteerAreas {
    Table,
    VolunteerId,
    StreetCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Volunteers::Table)
                    .col(
                        ColumnDef::new(Volunteers::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Volunteers::AccountId)
                            .uuid()
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Volunteers::Name).string_len(64).not_null())
                    .col(ColumnDef::new(Volunteers::IdNumberEnc).blob().not_null())
                    .col(
                        ColumnDef::new(Volunteers::IdNumberBidx)
                            .blob()
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Volunteers::PhoneEnc).blob().not_null())
                    .col(
                        ColumnDef::new(Volunteers::Skills)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Volunteers::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Volunteers::Available).boolean().not_null())
                    .col(ColumnDef::new(Volunteers::Latitude).double().null())
                    .col(ColumnDef::new(Volunteers::Longitude).double().null())
                    .col(
                        ColumnDef::new(Volunteers::LocationAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Volunteers::ConsentAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Volunteers::RatingSum).integer().not_null())
                    .col(ColumnDef::new(Volunteers::RatingCount).integer().not_null())
                    .col(
                        ColumnDef::new(Volunteers::SuspensionReason)
                            .string_len(800)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Volunteers::VerifiedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Volunteers::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(VolunteerAreas::Table)
                    .col(
                        ColumnDef::new(VolunteerAreas::VolunteerId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(VolunteerAreas::StreetCode)
                            .string_len(9)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(VolunteerAreas::VolunteerId)
                            .col(VolunteerAreas::StreetCode),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_volunteer_areas_volunteer")
                            .from(VolunteerAreas::Table, VolunteerAreas::VolunteerId)
                            .to(Volunteers::Table, Volunteers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_volunteer_areas_street")
                    .table(VolunteerAreas::Table)
                    .col(VolunteerAreas::StreetCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(VolunteerAreas::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Volunteers::Table).to_owned())
            .await
    }
}
