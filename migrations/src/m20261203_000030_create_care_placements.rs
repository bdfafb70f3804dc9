//! Institutional care (R39): `care_capacities` (an institution's places per care type) and
//! `care_placements` (a person placed in, or waiting for, an institution: from, to, monthly fee
//! and subsidy in fen). One placement in force per person at a time is checked in the writing
//! transaction; one waiting entry per person and institution by a partial unique index.

use sea_orm_migration::prelude::*;

use crate::cols::{at, index, int, opt_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CareCapacities {
    Table,
    InstitutionId,
    CareType,
    DistrictCode,
    Places,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CarePlacements {
    Table,
    Id,
    PersonId,
    InstitutionId,
    CareType,
    DistrictCode,
    StreetCode,
    InstitutionDistrictCode,
    Status,
    RequestedOn,
    StartsOn,
    EndsOn,
    FeeFen,
    SubsidyFen,
    EndReason,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use CareCapacities as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(uuid(C::InstitutionId))
                    .col(text(C::CareType, 16))
                    .col(text(C::DistrictCode, 6))
                    .col(int(C::Places))
                    .col(text(C::UpdatedBy, 64))
                    .col(at(C::UpdatedAt))
                    .primary_key(Index::create().col(C::InstitutionId).col(C::CareType))
                    .to_owned(),
            )
            .await?;
        use CarePlacements as P;
        let fen = |c: P| ColumnDef::new(c).big_integer().not_null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(uuid(P::Id).primary_key().to_owned())
                    .col(uuid(P::PersonId))
                    .col(uuid(P::InstitutionId))
                    .col(text(P::CareType, 16))
                    .col(text(P::DistrictCode, 6))
                    .col(text(P::StreetCode, 9))
                    .col(text(P::InstitutionDistrictCode, 6))
                    .col(text(P::Status, 16))
                    .col(ColumnDef::new(P::RequestedOn).date().not_null())
                    .col(ColumnDef::new(P::StartsOn).date().null())
                    .col(ColumnDef::new(P::EndsOn).date().null())
                    .col(fen(P::FeeFen))
                    .col(fen(P::SubsidyFen))
                    .col(opt_text(P::EndReason, 500))
                    .col(int(P::Version))
                    .col(text(P::CreatedBy, 64))
                    .col(at(P::CreatedAt))
                    .col(at(P::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_care_placements_person",
            P::Table,
            vec![P::PersonId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_care_placements_institution",
            P::Table,
            vec![P::InstitutionId.into_iden(), P::Status.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_care_placements_district",
            P::Table,
            vec![P::DistrictCode.into_iden(), P::Status.into_iden()],
            false,
        )
        .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_care_placements_waiting ON care_placements \
                 (person_id, institution_id) WHERE status = 'WAITING'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CarePlacements::Table.into_iden(),
            CareCapacities::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
