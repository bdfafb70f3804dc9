//! Questionnaires and needs (R37–R38): `questionnaires` (a draft definition being edited, and
//! the version last published), `questionnaire_versions` (each published definition, frozen),
//! `questionnaire_pushes` and `questionnaire_targets` (who was asked, by filter or rule, with a
//! deadline), `questionnaire_responses` (drafts, submissions and the submissions they replaced;
//! an anonymous response holds no person, only a keyed token per push and person), `needs` and
//! `need_events` (what a submission found, worked by the street-town).

use sea_orm_migration::prelude::*;

use crate::cols::{at, index, int, long_text, opt_at, opt_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Questionnaires {
    Table,
    Id,
    Title,
    Description,
    Kind,
    Anonymous,
    ScopeCode,
    Status,
    Definition,
    PublishedVersion,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QuestionnaireVersions {
    Table,
    QuestionnaireId,
    Number,
    Definition,
    PublishedBy,
    PublishedAt,
}

#[derive(DeriveIden)]
enum QuestionnairePushes {
    Table,
    Id,
    QuestionnaireId,
    VersionNumber,
    Filter,
    UseRule,
    ServiceItemId,
    ScopeCode,
    Deadline,
    RemindedAt,
    Status,
    Targeted,
    Progress,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QuestionnaireTargets {
    Table,
    PushId,
    PersonId,
    DistrictCode,
    StreetCode,
    NotifiedAt,
}

#[derive(DeriveIden)]
enum QuestionnaireResponses {
    Table,
    Id,
    QuestionnaireId,
    VersionNumber,
    PushId,
    PersonId,
    Respondent,
    Status,
    Answers,
    Proxy,
    ProxyBy,
    DistrictCode,
    StreetCode,
    Category,
    Level,
    AgeBand,
    CreatedAt,
    UpdatedAt,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum Needs {
    Table,
    Id,
    PersonId,
    Category,
    Status,
    Source,
    ResponseId,
    QuestionCode,
    DistrictCode,
    StreetCode,
    ServiceItemId,
    OutreachTaskId,
    Note,
    Version,
    CreatedAt,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum NeedEvents {
    Table,
    Id,
    NeedId,
    Action,
    FromStatus,
    ToStatus,
    Note,
    Actor,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let flag = |c: DynIden| ColumnDef::new(c).boolean().not_null().to_owned();
        use Questionnaires as Q;
        manager
            .create_table(
                Table::create()
                    .table(Q::Table)
                    .col(uuid(Q::Id).primary_key().to_owned())
                    .col(text(Q::Title, 200))
                    .col(text(Q::Description, 2000))
                    .col(text(Q::Kind, 24))
                    .col(flag(Q::Anonymous.into_iden()))
                    .col(text(Q::ScopeCode, 12))
                    .col(text(Q::Status, 16))
                    .col(long_text(Q::Definition))
                    .col(int(Q::PublishedVersion))
                    .col(int(Q::Version))
                    .col(text(Q::CreatedBy, 64))
                    .col(at(Q::CreatedAt))
                    .col(at(Q::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_questionnaires_scope",
            Q::Table,
            vec![Q::ScopeCode.into_iden(), Q::Status.into_iden()],
            false,
        )
        .await?;
        use QuestionnaireVersions as V;
        manager
            .create_table(
                Table::create()
                    .table(V::Table)
                    .col(uuid(V::QuestionnaireId))
                    .col(int(V::Number))
                    .col(long_text(V::Definition))
                    .col(text(V::PublishedBy, 64))
                    .col(at(V::PublishedAt))
                    .primary_key(Index::create().col(V::QuestionnaireId).col(V::Number))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_questionnaire_versions_questionnaire")
                            .from(V::Table, V::QuestionnaireId)
                            .to(Q::Table, Q::Id),
                    )
                    .to_owned(),
            )
            .await?;
        use QuestionnairePushes as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(uuid(P::Id).primary_key().to_owned())
                    .col(uuid(P::QuestionnaireId))
                    .col(int(P::VersionNumber))
                    .col(long_text(P::Filter))
                    .col(flag(P::UseRule.into_iden()))
                    .col(ColumnDef::new(P::ServiceItemId).uuid().null())
                    .col(text(P::ScopeCode, 12))
                    .col(at(P::Deadline))
                    .col(opt_at(P::RemindedAt))
                    .col(text(P::Status, 16))
                    .col(int(P::Targeted))
                    .col(int(P::Progress))
                    .col(text(P::CreatedBy, 64))
                    .col(at(P::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_questionnaire_pushes_questionnaire")
                            .from(P::Table, P::QuestionnaireId)
                            .to(Q::Table, Q::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_questionnaire_pushes_questionnaire",
            P::Table,
            vec![P::QuestionnaireId.into_iden()],
            false,
        )
        .await?;
        use QuestionnaireTargets as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(uuid(T::PushId))
                    .col(uuid(T::PersonId))
                    .col(text(T::DistrictCode, 6))
                    .col(text(T::StreetCode, 9))
                    .col(at(T::NotifiedAt))
                    .primary_key(Index::create().col(T::PushId).col(T::PersonId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_questionnaire_targets_push")
                            .from(T::Table, T::PushId)
                            .to(P::Table, P::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_questionnaire_targets_person",
            T::Table,
            vec![T::PersonId.into_iden()],
            false,
        )
        .await?;
        use QuestionnaireResponses as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(uuid(R::Id).primary_key().to_owned())
                    .col(uuid(R::QuestionnaireId))
                    .col(int(R::VersionNumber))
                    .col(uuid(R::PushId))
                    .col(ColumnDef::new(R::PersonId).uuid().null())
                    .col(text(R::Respondent, 64))
                    .col(text(R::Status, 16))
                    .col(long_text(R::Answers))
                    .col(flag(R::Proxy.into_iden()))
                    .col(opt_text(R::ProxyBy, 64))
                    .col(text(R::DistrictCode, 6))
                    .col(text(R::StreetCode, 9))
                    .col(ColumnDef::new(R::Category).small_integer().not_null())
                    .col(ColumnDef::new(R::Level).small_integer().not_null())
                    .col(text(R::AgeBand, 8))
                    .col(at(R::CreatedAt))
                    .col(at(R::UpdatedAt))
                    .col(opt_at(R::SubmittedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_questionnaire_responses_push")
                            .from(R::Table, R::PushId)
                            .to(P::Table, P::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One draft or submission in force per push and respondent (the person's id, or for an
        // anonymous questionnaire the keyed token): replaced ones are kept as SUPERSEDED.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_questionnaire_responses_current ON \
                 questionnaire_responses (push_id, respondent) WHERE status <> 'SUPERSEDED'",
            )
            .await?;
        index(
            manager,
            "idx_questionnaire_responses_questionnaire",
            R::Table,
            vec![
                R::QuestionnaireId.into_iden(),
                R::Status.into_iden(),
                R::DistrictCode.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_questionnaire_responses_person",
            R::Table,
            vec![R::PersonId.into_iden()],
            false,
        )
        .await?;
        use Needs as N;
        manager
            .create_table(
                Table::create()
                    .table(N::Table)
                    .col(uuid(N::Id).primary_key().to_owned())
                    .col(uuid(N::PersonId))
                    .col(text(N::Category, 24))
                    .col(text(N::Status, 16))
                    .col(text(N::Source, 16))
                    .col(ColumnDef::new(N::ResponseId).uuid().null())
                    .col(opt_text(N::QuestionCode, 40))
                    .col(text(N::DistrictCode, 6))
                    .col(text(N::StreetCode, 9))
                    .col(ColumnDef::new(N::ServiceItemId).uuid().null())
                    .col(ColumnDef::new(N::OutreachTaskId).uuid().null())
                    .col(text(N::Note, 1000))
                    .col(int(N::Version))
                    .col(at(N::CreatedAt))
                    .col(at(N::UpdatedAt))
                    .col(text(N::UpdatedBy, 64))
                    .to_owned(),
            )
            .await?;
        // One open need per person and category: a resubmission or a second survey adds none.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_needs_open ON needs (person_id, category) \
                 WHERE status IN ('IDENTIFIED', 'REFERRED')",
            )
            .await?;
        index(
            manager,
            "idx_needs_street",
            N::Table,
            vec![
                N::StreetCode.into_iden(),
                N::Status.into_iden(),
                N::Id.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_needs_person",
            N::Table,
            vec![N::PersonId.into_iden()],
            false,
        )
        .await?;
        use NeedEvents as E;
        manager
            .create_table(
                Table::create()
                    .table(E::Table)
                    .col(uuid(E::Id).primary_key().to_owned())
                    .col(uuid(E::NeedId))
                    .col(text(E::Action, 16))
                    .col(text(E::FromStatus, 16))
                    .col(text(E::ToStatus, 16))
                    .col(text(E::Note, 1000))
                    .col(text(E::Actor, 64))
                    .col(at(E::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_need_events_need")
                            .from(E::Table, E::NeedId)
                            .to(N::Table, N::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_need_events_need",
            E::Table,
            vec![E::NeedId.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            NeedEvents::Table.into_iden(),
            Needs::Table.into_iden(),
            QuestionnaireResponses::Table.into_iden(),
            QuestionnaireTargets::Table.into_iden(),
            QuestionnairePushes::Table.into_iden(),
            QuestionnaireVersions::Table.into_iden(),
            Questionnaires::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
