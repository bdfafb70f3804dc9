//! The service catalog (阳光申办): `policies`, `service_items`, `institutions`, and
//! `catalog_revisions`, which keeps every version of every entry. List-valued fields (tags,
//! materials, services, accessibility) are JSON arrays in text columns.

use sea_orm_migration::prelude::*;

use crate::cols::{at, id, int, long_text, opt_text, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Policies {
    Table,
    Id,
    Key,
    Title,
    Issuer,
    DocumentNumber,
    IssuedOn,
    EffectiveFrom,
    EffectiveUntil,
    Status,
    Tags,
    FullText,
    DistrictCode,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceItems {
    Table,
    Id,
    Key,
    Name,
    BusinessLine,
    Description,
    Materials,
    TimeLimitDays,
    Channel,
    OnlineUrl,
    OfflinePoints,
    PolicyKeys,
    Tags,
    DistrictCode,
    RuleVersion,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
    Name,
    Kind,
    DistrictCode,
    StreetCode,
    Address,
    Latitude,
    Longitude,
    Services,
    OpeningHours,
    Accessibility,
    Phone,
    EntryUrl,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CatalogRevisions {
    Table,
    Id,
    EntityKind,
    EntityId,
    Version,
    Snapshot,
    ActorId,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Policies::Table)
                    .col(id(Policies::Id))
                    .col(text(Policies::Key, 64).unique_key().to_owned())
                    .col(text(Policies::Title, 200))
                    .col(text(Policies::Issuer, 200))
                    .col(opt_text(Policies::DocumentNumber, 64))
                    .col(ColumnDef::new(Policies::IssuedOn).date().not_null())
                    .col(ColumnDef::new(Policies::EffectiveFrom).date().not_null())
                    .col(ColumnDef::new(Policies::EffectiveUntil).date().null())
                    .col(text(Policies::Status, 16))
                    .col(long_text(Policies::Tags))
                    .col(long_text(Policies::FullText))
                    .col(opt_text(Policies::DistrictCode, 6))
                    .col(int(Policies::Version))
                    .col(at(Policies::CreatedAt))
                    .col(at(Policies::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceItems::Table)
                    .col(id(ServiceItems::Id))
                    .col(text(ServiceItems::Key, 64).unique_key().to_owned())
                    .col(text(ServiceItems::Name, 100))
                    .col(text(ServiceItems::BusinessLine, 32))
                    .col(long_text(ServiceItems::Description))
                    .col(long_text(ServiceItems::Materials))
                    .col(int(ServiceItems::TimeLimitDays))
                    .col(text(ServiceItems::Channel, 16))
                    .col(opt_text(ServiceItems::OnlineUrl, 500))
                    .col(long_text(ServiceItems::OfflinePoints))
                    .col(long_text(ServiceItems::PolicyKeys))
                    .col(long_text(ServiceItems::Tags))
                    .col(opt_text(ServiceItems::DistrictCode, 6))
                    .col(int(ServiceItems::RuleVersion).default(0).to_owned())
                    .col(text(ServiceItems::Status, 16))
                    .col(int(ServiceItems::Version))
                    .col(at(ServiceItems::CreatedAt))
                    .col(at(ServiceItems::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Institutions::Table)
                    .col(id(Institutions::Id))
                    .col(text(Institutions::Name, 100))
                    .col(text(Institutions::Kind, 32))
                    .col(text(Institutions::DistrictCode, 6))
                    .col(opt_text(Institutions::StreetCode, 9))
                    .col(text(Institutions::Address, 200))
                    .col(ColumnDef::new(Institutions::Latitude).double().not_null())
                    .col(ColumnDef::new(Institutions::Longitude).double().not_null())
                    .col(long_text(Institutions::Services))
                    .col(text(Institutions::OpeningHours, 100))
                    .col(long_text(Institutions::Accessibility))
                    .col(text(Institutions::Phone, 32))
                    .col(opt_text(Institutions::EntryUrl, 500))
                    .col(text(Institutions::Status, 16))
                    .col(int(Institutions::Version))
                    .col(at(Institutions::CreatedAt))
                    .col(at(Institutions::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_institutions_district")
                    .table(Institutions::Table)
                    .col(Institutions::DistrictCode)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CatalogRevisions::Table)
                    .col(id(CatalogRevisions::Id))
                    .col(text(CatalogRevisions::EntityKind, 32))
                    .col(ColumnDef::new(CatalogRevisions::EntityId).uuid().not_null())
                    .col(int(CatalogRevisions::Version))
                    .col(long_text(CatalogRevisions::Snapshot))
                    .col(text(CatalogRevisions::ActorId, 64))
                    .col(at(CatalogRevisions::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_catalog_revisions_entity_version")
                    .table(CatalogRevisions::Table)
                    .col(CatalogRevisions::EntityId)
                    .col(CatalogRevisions::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CatalogRevisions::Table.into_iden(),
            Institutions::Table.into_iden(),
            ServiceItems::Table.into_iden(),
            Policies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
