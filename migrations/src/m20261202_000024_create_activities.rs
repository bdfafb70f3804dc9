//! 阳光201 activities (R28, R16): `activities` (organised by the city, a district or a
//! street-town; versioned edits; the counts of confirmed and waitlisted places and the arrival
//! sequence kept on the row, so registering locks one row and decides exactly) and
//! `activity_registrations` (one per person and activity; a cancelled one may be renewed).

use sea_orm_migration::prelude::*;

use crate::cols::{at, index, int, long_text, opt_at, opt_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
    ScopeCode,
    Kind,
    Title,
    Description,
    VenueAddress,
    VenueLat,
    VenueLng,
    StepFree,
    AccessibleToilet,
    HearingLoop,
    SignLanguage,
    StartsAt,
    EndsAt,
    RegistrationOpensAt,
    RegistrationClosesAt,
    Capacity,
    AudienceKind,
    AudienceCategories,
    AudienceRuleId,
    Status,
    Version,
    Confirmed,
    Waitlisted,
    ArrivalSeq,
    CancelReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ActivityRegistrations {
    Table,
    Id,
    ActivityId,
    PersonId,
    DistrictCode,
    StreetCode,
    Status,
    Position,
    Needs,
    Companions,
    RegisteredBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let flag = |c: Activities| ColumnDef::new(c).boolean().not_null().to_owned();
        let coordinate = |c: Activities| ColumnDef::new(c).double().null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(Activities::Table)
                    .col(uuid(Activities::Id).primary_key().to_owned())
                    .col(text(Activities::ScopeCode, 9))
                    .col(text(Activities::Kind, 24))
                    .col(text(Activities::Title, 200))
                    .col(long_text(Activities::Description))
                    .col(text(Activities::VenueAddress, 200))
                    .col(coordinate(Activities::VenueLat))
                    .col(coordinate(Activities::VenueLng))
                    .col(flag(Activities::StepFree))
                    .col(flag(Activities::AccessibleToilet))
                    .col(flag(Activities::HearingLoop))
                    .col(flag(Activities::SignLanguage))
                    .col(at(Activities::StartsAt))
                    .col(at(Activities::EndsAt))
                    .col(at(Activities::RegistrationOpensAt))
                    .col(at(Activities::RegistrationClosesAt))
                    .col(int(Activities::Capacity))
                    .col(text(Activities::AudienceKind, 16))
                    .col(text(Activities::AudienceCategories, 64))
                    .col(ColumnDef::new(Activities::AudienceRuleId).uuid().null())
                    .col(text(Activities::Status, 24))
                    .col(int(Activities::Version))
                    .col(int(Activities::Confirmed))
                    .col(int(Activities::Waitlisted))
                    .col(
                        ColumnDef::new(Activities::ArrivalSeq)
                            .big_integer()
                            .not_null(),
                    )
                    .col(opt_text(Activities::CancelReason, 500))
                    .col(text(Activities::CreatedBy, 64))
                    .col(at(Activities::CreatedAt))
                    .col(at(Activities::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_activities_scope_starts",
            Activities::Table,
            vec![
                Activities::ScopeCode.into_iden(),
                Activities::StartsAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_activities_status_starts",
            Activities::Table,
            vec![
                Activities::Status.into_iden(),
                Activities::StartsAt.into_iden(),
            ],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityRegistrations::Table)
                    .col(uuid(ActivityRegistrations::Id).primary_key().to_owned())
                    .col(uuid(ActivityRegistrations::ActivityId))
                    .col(uuid(ActivityRegistrations::PersonId))
                    .col(text(ActivityRegistrations::DistrictCode, 6))
                    .col(text(ActivityRegistrations::StreetCode, 9))
                    .col(text(ActivityRegistrations::Status, 16))
                    .col(
                        ColumnDef::new(ActivityRegistrations::Position)
                            .big_integer()
                            .not_null(),
                    )
                    .col(text(ActivityRegistrations::Needs, 128))
                    .col(int(ActivityRegistrations::Companions))
                    .col(text(ActivityRegistrations::RegisteredBy, 64))
                    .col(at(ActivityRegistrations::CreatedAt))
                    .col(opt_at(ActivityRegistrations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activity_registrations_activity")
                            .from(
                                ActivityRegistrations::Table,
                                ActivityRegistrations::ActivityId,
                            )
                            .to(Activities::Table, Activities::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One registration per person and activity: registering twice at once cannot make two.
        index(
            manager,
            "uq_activity_registrations_person",
            ActivityRegistrations::Table,
            vec![
                ActivityRegistrations::ActivityId.into_iden(),
                ActivityRegistrations::PersonId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_activity_registrations_queue",
            ActivityRegistrations::Table,
            vec![
                ActivityRegistrations::ActivityId.into_iden(),
                ActivityRegistrations::Status.into_iden(),
                ActivityRegistrations::Position.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_activity_registrations_person",
            ActivityRegistrations::Table,
            vec![ActivityRegistrations::PersonId.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ActivityRegistrations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Activities::Table).to_owned())
            .await
    }
}
