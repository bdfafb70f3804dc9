//! What an activity hands out and who helps at it (R13–R15): `activity_goods` (stock and how
//! many were issued, kept on the row so a distribution is one conditional update) with
//! `activity_goods_distributions` (one row per hand-out to an attendee); `activity_services`
//! (linked to a catalog service item where one exists) with `activity_service_deliveries` (one per
//! service and person; the service record it wrote on the file); `activity_volunteer_roles`
//! (capacity and how many were approved, on the row) with `activity_volunteers` (one sign-up per
//! volunteer and activity, its decision, check-in, check-out and the minutes served).

use sea_orm_migration::prelude::*;

use crate::cols::{at, index, int, long_text, opt_at, opt_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ActivityGoods {
    Table,
    Id,
    ActivityId,
    Name,
    Stock,
    Issued,
    PerPersonLimit,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ActivityGoodsDistributions {
    Table,
    Id,
    GoodsId,
    ActivityId,
    RegistrationId,
    PersonId,
    Quantity,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActivityServices {
    Table,
    Id,
    ActivityId,
    Name,
    ServiceItemId,
    Delivered,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActivityServiceDeliveries {
    Table,
    Id,
    ServiceId,
    ActivityId,
    RegistrationId,
    PersonId,
    RecordId,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActivityVolunteerRoles {
    Table,
    Id,
    ActivityId,
    Name,
    Description,
    Capacity,
    Approved,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActivityVolunteers {
    Table,
    Id,
    RoleId,
    ActivityId,
    VolunteerId,
    Status,
    DecidedBy,
    DecisionReason,
    CheckedInAt,
    CheckedOutAt,
    Minutes,
    CreatedAt,
    UpdatedAt,
}

fn to_activity<T: IntoIden>(table: T, col: T, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, col)
        .to(Activities::Table, Activities::Id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ActivityGoods as G;
        manager
            .create_table(
                Table::create()
                    .table(G::Table)
                    .col(uuid(G::Id).primary_key().to_owned())
                    .col(uuid(G::ActivityId))
                    .col(text(G::Name, 100))
                    .col(int(G::Stock))
                    .col(int(G::Issued))
                    .col(int(G::PerPersonLimit))
                    .col(at(G::CreatedAt))
                    .col(at(G::UpdatedAt))
                    .foreign_key(&mut to_activity(
                        G::Table,
                        G::ActivityId,
                        "fk_activity_goods_activity",
                    ))
                    .check(Expr::col(G::Issued).lte(Expr::col(G::Stock)))
                    .check(Expr::col(G::Issued).gte(0))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_activity_goods_name",
            G::Table,
            vec![G::ActivityId.into_iden(), G::Name.into_iden()],
            true,
        )
        .await?;
        use ActivityGoodsDistributions as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(uuid(D::Id).primary_key().to_owned())
                    .col(uuid(D::GoodsId))
                    .col(uuid(D::ActivityId))
                    .col(uuid(D::RegistrationId))
                    .col(uuid(D::PersonId))
                    .col(int(D::Quantity))
                    .col(text(D::RecordedBy, 64))
                    .col(at(D::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goods_distributions_goods")
                            .from(D::Table, D::GoodsId)
                            .to(G::Table, G::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_goods_distributions_person",
            D::Table,
            vec![D::GoodsId.into_iden(), D::PersonId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_goods_distributions_activity",
            D::Table,
            vec![D::ActivityId.into_iden()],
            false,
        )
        .await?;
        use ActivityServices as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(uuid(S::Id).primary_key().to_owned())
                    .col(uuid(S::ActivityId))
                    .col(text(S::Name, 100))
                    .col(ColumnDef::new(S::ServiceItemId).uuid().null())
                    .col(int(S::Delivered))
                    .col(at(S::CreatedAt))
                    .foreign_key(&mut to_activity(
                        S::Table,
                        S::ActivityId,
                        "fk_activity_services_activity",
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_activity_services_name",
            S::Table,
            vec![S::ActivityId.into_iden(), S::Name.into_iden()],
            true,
        )
        .await?;
        use ActivityServiceDeliveries as SD;
        manager
            .create_table(
                Table::create()
                    .table(SD::Table)
                    .col(uuid(SD::Id).primary_key().to_owned())
                    .col(uuid(SD::ServiceId))
                    .col(uuid(SD::ActivityId))
                    .col(uuid(SD::RegistrationId))
                    .col(uuid(SD::PersonId))
                    .col(ColumnDef::new(SD::RecordId).uuid().null())
                    .col(text(SD::RecordedBy, 64))
                    .col(at(SD::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_service_deliveries_service")
                            .from(SD::Table, SD::ServiceId)
                            .to(S::Table, S::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A service is delivered to a person once per activity.
        index(
            manager,
            "uq_service_deliveries_person",
            SD::Table,
            vec![SD::ServiceId.into_iden(), SD::PersonId.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_service_deliveries_activity",
            SD::Table,
            vec![SD::ActivityId.into_iden()],
            false,
        )
        .await?;
        use ActivityVolunteerRoles as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(uuid(R::Id).primary_key().to_owned())
                    .col(uuid(R::ActivityId))
                    .col(text(R::Name, 100))
                    .col(long_text(R::Description))
                    .col(int(R::Capacity))
                    .col(int(R::Approved))
                    .col(at(R::CreatedAt))
                    .foreign_key(&mut to_activity(
                        R::Table,
                        R::ActivityId,
                        "fk_volunteer_roles_activity",
                    ))
                    .check(Expr::col(R::Approved).lte(Expr::col(R::Capacity)))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_volunteer_roles_name",
            R::Table,
            vec![R::ActivityId.into_iden(), R::Name.into_iden()],
            true,
        )
        .await?;
        use ActivityVolunteers as V;
        manager
            .create_table(
                Table::create()
                    .table(V::Table)
                    .col(uuid(V::Id).primary_key().to_owned())
                    .col(uuid(V::RoleId))
                    .col(uuid(V::ActivityId))
                    .col(uuid(V::VolunteerId))
                    .col(text(V::Status, 16))
                    .col(opt_text(V::DecidedBy, 64))
                    .col(opt_text(V::DecisionReason, 500))
                    .col(opt_at(V::CheckedInAt))
                    .col(opt_at(V::CheckedOutAt))
                    .col(int(V::Minutes))
                    .col(at(V::CreatedAt))
                    .col(at(V::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activity_volunteers_role")
                            .from(V::Table, V::RoleId)
                            .to(R::Table, R::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One sign-up per volunteer and activity, whatever the role.
        index(
            manager,
            "uq_activity_volunteers_once",
            V::Table,
            vec![V::ActivityId.into_iden(), V::VolunteerId.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_activity_volunteers_volunteer",
            V::Table,
            vec![V::VolunteerId.into_iden(), V::CheckedInAt.into_iden()],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ActivityVolunteers::Table.into_iden(),
            ActivityVolunteerRoles::Table.into_iden(),
            ActivityServiceDeliveries::Table.into_iden(),
            ActivityServices::Table.into_iden(),
            ActivityGoodsDistributions::Table.into_iden(),
            ActivityGoods::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
