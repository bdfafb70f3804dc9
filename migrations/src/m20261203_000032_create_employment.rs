//! Employment services (R40–R46): `enterprises` (按比例安置 figures, verified by the district),
//! `job_fairs` and `fair_participations`, `jobs`, `employment_intentions`, `resumes`,
//! `job_applications` (unique per job and person) with their `job_application_events`, and
//! `employment_follow_ups` (1, 3 and 6 months after a hire, unique per hire and month).

use sea_orm_migration::prelude::*;

use crate::cols::{at, index, int, long_text, opt_at, opt_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enterprises {
    Table,
    Id,
    CreditCode,
    Name,
    DistrictCode,
    Industry,
    Size,
    Address,
    ContactName,
    ContactPhoneEnc,
    Headcount,
    DisabledEmployees,
    SevereEmployees,
    Status,
    StatusNote,
    AccountId,
    RegisteredBy,
    VerifiedBy,
    VerifiedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JobFairs {
    Table,
    Id,
    Title,
    Kind,
    OrganiserCode,
    Venue,
    Description,
    StartsAt,
    EndsAt,
    Booths,
    Status,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FairParticipations {
    Table,
    FairId,
    EnterpriseId,
    Status,
    Booth,
    Note,
    DecidedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    EnterpriseId,
    FairId,
    Title,
    Description,
    SalaryMin,
    SalaryMax,
    DistrictCode,
    Address,
    Latitude,
    Longitude,
    Hours,
    Vacancies,
    Hired,
    Categories,
    Levels,
    Accommodations,
    Status,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmploymentIntentions {
    Table,
    Id,
    PersonId,
    FairId,
    DesiredWork,
    DesiredDistrict,
    Hours,
    SalaryMin,
    DistrictCode,
    StreetCode,
    Proxy,
    RecordedBy,
    ConsentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Resumes {
    Table,
    PersonId,
    Education,
    Experience,
    Skills,
    Certificates,
    DesiredWork,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JobApplications {
    Table,
    Id,
    JobId,
    EnterpriseId,
    PersonId,
    Status,
    Resume,
    DistrictCode,
    StreetCode,
    Category,
    Level,
    AgeBand,
    Surname,
    InterviewAt,
    InterviewPlace,
    ConsentAt,
    HiredOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JobApplicationEvents {
    Table,
    Id,
    ApplicationId,
    FromStatus,
    ToStatus,
    Actor,
    ActorRole,
    Note,
    At,
}

#[derive(DeriveIden)]
enum EmploymentFollowUps {
    Table,
    Id,
    ApplicationId,
    PersonId,
    EnterpriseId,
    DistrictCode,
    Month,
    DueOn,
    Status,
    StillEmployed,
    Problems,
    Support,
    RecordedBy,
    RecordedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Enterprises::Table)
                    .col(uuid(Enterprises::Id).primary_key().to_owned())
                    .col(text(Enterprises::CreditCode, 18))
                    .col(text(Enterprises::Name, 200))
                    .col(text(Enterprises::DistrictCode, 6))
                    .col(text(Enterprises::Industry, 1))
                    .col(text(Enterprises::Size, 16))
                    .col(text(Enterprises::Address, 200))
                    .col(text(Enterprises::ContactName, 50))
                    .col(
                        ColumnDef::new(Enterprises::ContactPhoneEnc)
                            .blob()
                            .not_null()
                            .to_owned(),
                    )
                    .col(int(Enterprises::Headcount))
                    .col(int(Enterprises::DisabledEmployees))
                    .col(int(Enterprises::SevereEmployees))
                    .col(text(Enterprises::Status, 16))
                    .col(text(Enterprises::StatusNote, 500))
                    .col(
                        ColumnDef::new(Enterprises::AccountId)
                            .uuid()
                            .null()
                            .to_owned(),
                    )
                    .col(text(Enterprises::RegisteredBy, 64))
                    .col(opt_text(Enterprises::VerifiedBy, 64))
                    .col(opt_at(Enterprises::VerifiedAt))
                    .col(int(Enterprises::Version))
                    .col(at(Enterprises::CreatedAt))
                    .col(at(Enterprises::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobFairs::Table)
                    .col(uuid(JobFairs::Id).primary_key().to_owned())
                    .col(text(JobFairs::Title, 200))
                    .col(text(JobFairs::Kind, 16))
                    .col(text(JobFairs::OrganiserCode, 9))
                    .col(text(JobFairs::Venue, 200))
                    .col(long_text(JobFairs::Description))
                    .col(at(JobFairs::StartsAt))
                    .col(at(JobFairs::EndsAt))
                    .col(int(JobFairs::Booths))
                    .col(text(JobFairs::Status, 16))
                    .col(int(JobFairs::Version))
                    .col(text(JobFairs::CreatedBy, 64))
                    .col(at(JobFairs::CreatedAt))
                    .col(at(JobFairs::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FairParticipations::Table)
                    .col(uuid(FairParticipations::FairId))
                    .col(uuid(FairParticipations::EnterpriseId))
                    .col(text(FairParticipations::Status, 16))
                    .col(opt_text(FairParticipations::Booth, 16))
                    .col(text(FairParticipations::Note, 500))
                    .col(opt_text(FairParticipations::DecidedBy, 64))
                    .col(at(FairParticipations::CreatedAt))
                    .col(at(FairParticipations::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(FairParticipations::FairId)
                            .col(FairParticipations::EnterpriseId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(uuid(Jobs::Id).primary_key().to_owned())
                    .col(uuid(Jobs::EnterpriseId))
                    .col(ColumnDef::new(Jobs::FairId).uuid().null().to_owned())
                    .col(text(Jobs::Title, 200))
                    .col(long_text(Jobs::Description))
                    .col(int(Jobs::SalaryMin))
                    .col(int(Jobs::SalaryMax))
                    .col(text(Jobs::DistrictCode, 6))
                    .col(text(Jobs::Address, 200))
                    .col(ColumnDef::new(Jobs::Latitude).double().null().to_owned())
                    .col(ColumnDef::new(Jobs::Longitude).double().null().to_owned())
                    .col(text(Jobs::Hours, 16))
                    .col(int(Jobs::Vacancies))
                    .col(int(Jobs::Hired))
                    .col(text(Jobs::Categories, 32))
                    .col(text(Jobs::Levels, 16))
                    .col(text(Jobs::Accommodations, 200))
                    .col(text(Jobs::Status, 16))
                    .col(int(Jobs::Version))
                    .col(text(Jobs::CreatedBy, 64))
                    .col(at(Jobs::CreatedAt))
                    .col(at(Jobs::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmploymentIntentions::Table)
                    .col(uuid(EmploymentIntentions::Id).primary_key().to_owned())
                    .col(uuid(EmploymentIntentions::PersonId))
                    .col(
                        ColumnDef::new(EmploymentIntentions::FairId)
                            .uuid()
                            .null()
                            .to_owned(),
                    )
                    .col(text(EmploymentIntentions::DesiredWork, 200))
                    .col(opt_text(EmploymentIntentions::DesiredDistrict, 6))
                    .col(text(EmploymentIntentions::Hours, 16))
                    .col(
                        ColumnDef::new(EmploymentIntentions::SalaryMin)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(text(EmploymentIntentions::DistrictCode, 6))
                    .col(text(EmploymentIntentions::StreetCode, 9))
                    .col(
                        ColumnDef::new(EmploymentIntentions::Proxy)
                            .boolean()
                            .not_null()
                            .to_owned(),
                    )
                    .col(text(EmploymentIntentions::RecordedBy, 64))
                    .col(at(EmploymentIntentions::ConsentAt))
                    .col(at(EmploymentIntentions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Resumes::Table)
                    .col(uuid(Resumes::PersonId).primary_key().to_owned())
                    .col(text(Resumes::Education, 16))
                    .col(long_text(Resumes::Experience))
                    .col(text(Resumes::Skills, 500))
                    .col(text(Resumes::Certificates, 500))
                    .col(text(Resumes::DesiredWork, 200))
                    .col(int(Resumes::Version))
                    .col(at(Resumes::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobApplications::Table)
                    .col(uuid(JobApplications::Id).primary_key().to_owned())
                    .col(uuid(JobApplications::JobId))
                    .col(uuid(JobApplications::EnterpriseId))
                    .col(uuid(JobApplications::PersonId))
                    .col(text(JobApplications::Status, 16))
                    .col(long_text(JobApplications::Resume))
                    .col(text(JobApplications::DistrictCode, 6))
                    .col(text(JobApplications::StreetCode, 9))
                    .col(
                        ColumnDef::new(JobApplications::Category)
                            .small_integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(JobApplications::Level)
                            .small_integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(text(JobApplications::AgeBand, 8))
                    .col(text(JobApplications::Surname, 8))
                    .col(opt_at(JobApplications::InterviewAt))
                    .col(text(JobApplications::InterviewPlace, 200))
                    .col(opt_at(JobApplications::ConsentAt))
                    .col(
                        ColumnDef::new(JobApplications::HiredOn)
                            .date()
                            .null()
                            .to_owned(),
                    )
                    .col(int(JobApplications::Version))
                    .col(at(JobApplications::CreatedAt))
                    .col(at(JobApplications::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobApplicationEvents::Table)
                    .col(uuid(JobApplicationEvents::Id).primary_key().to_owned())
                    .col(uuid(JobApplicationEvents::ApplicationId))
                    .col(text(JobApplicationEvents::FromStatus, 16))
                    .col(text(JobApplicationEvents::ToStatus, 16))
                    .col(text(JobApplicationEvents::Actor, 64))
                    .col(text(JobApplicationEvents::ActorRole, 16))
                    .col(text(JobApplicationEvents::Note, 500))
                    .col(at(JobApplicationEvents::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmploymentFollowUps::Table)
                    .col(uuid(EmploymentFollowUps::Id).primary_key().to_owned())
                    .col(uuid(EmploymentFollowUps::ApplicationId))
                    .col(uuid(EmploymentFollowUps::PersonId))
                    .col(uuid(EmploymentFollowUps::EnterpriseId))
                    .col(text(EmploymentFollowUps::DistrictCode, 6))
                    .col(
                        ColumnDef::new(EmploymentFollowUps::Month)
                            .small_integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(EmploymentFollowUps::DueOn)
                            .date()
                            .not_null()
                            .to_owned(),
                    )
                    .col(text(EmploymentFollowUps::Status, 16))
                    .col(
                        ColumnDef::new(EmploymentFollowUps::StillEmployed)
                            .boolean()
                            .null()
                            .to_owned(),
                    )
                    .col(text(EmploymentFollowUps::Problems, 500))
                    .col(text(EmploymentFollowUps::Support, 500))
                    .col(opt_text(EmploymentFollowUps::RecordedBy, 64))
                    .col(opt_at(EmploymentFollowUps::RecordedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_enterprises_credit_code",
            Enterprises::Table,
            vec![Enterprises::CreditCode.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "uq_enterprises_account",
            Enterprises::Table,
            vec![Enterprises::AccountId.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_enterprises_district",
            Enterprises::Table,
            vec![
                Enterprises::DistrictCode.into_iden(),
                Enterprises::Status.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_job_fairs_organiser",
            JobFairs::Table,
            vec![
                JobFairs::OrganiserCode.into_iden(),
                JobFairs::Status.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "uq_fair_participations_booth",
            FairParticipations::Table,
            vec![
                FairParticipations::FairId.into_iden(),
                FairParticipations::Booth.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_jobs_enterprise",
            Jobs::Table,
            vec![Jobs::EnterpriseId.into_iden(), Jobs::Status.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_jobs_status",
            Jobs::Table,
            vec![Jobs::Status.into_iden(), Jobs::DistrictCode.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_jobs_fair",
            Jobs::Table,
            vec![Jobs::FairId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_employment_intentions_person",
            EmploymentIntentions::Table,
            vec![EmploymentIntentions::PersonId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "uq_job_applications_job_person",
            JobApplications::Table,
            vec![
                JobApplications::JobId.into_iden(),
                JobApplications::PersonId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_job_applications_person",
            JobApplications::Table,
            vec![JobApplications::PersonId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_job_applications_enterprise",
            JobApplications::Table,
            vec![
                JobApplications::EnterpriseId.into_iden(),
                JobApplications::Status.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_job_applications_district",
            JobApplications::Table,
            vec![
                JobApplications::DistrictCode.into_iden(),
                JobApplications::Status.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_job_application_events_application",
            JobApplicationEvents::Table,
            vec![JobApplicationEvents::ApplicationId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "uq_employment_follow_ups_month",
            EmploymentFollowUps::Table,
            vec![
                EmploymentFollowUps::ApplicationId.into_iden(),
                EmploymentFollowUps::Month.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_employment_follow_ups_due",
            EmploymentFollowUps::Table,
            vec![
                EmploymentFollowUps::DistrictCode.into_iden(),
                EmploymentFollowUps::Status.into_iden(),
                EmploymentFollowUps::DueOn.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_employment_follow_ups_person",
            EmploymentFollowUps::Table,
            vec![EmploymentFollowUps::PersonId.into_iden()],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            EmploymentFollowUps::Table.into_iden(),
            JobApplicationEvents::Table.into_iden(),
            JobApplications::Table.into_iden(),
            Resumes::Table.into_iden(),
            EmploymentIntentions::Table.into_iden(),
            Jobs::Table.into_iden(),
            FairParticipations::Table.into_iden(),
            JobFairs::Table.into_iden(),
            Enterprises::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
