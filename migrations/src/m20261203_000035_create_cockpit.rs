//! The leader cockpit (领导驾驶舱, R56): `cockpit_counters`, kept by triggers in the same
//! transaction as every counted change (see `crate::cockpit`), filled from the tables at once;
//! and `cockpit_reconciliations`, the history of recounts and the drift each found.

use sea_orm_migration::prelude::*;

use crate::cockpit;
use crate::cols::{at, big, index, int, long_text, text, uuid};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CockpitCounters {
    Table,
    Metric,
    RegionCode,
    Bucket,
    Value,
    Amount,
    UpdatedMs,
}

#[derive(DeriveIden)]
enum CockpitReconciliations {
    Table,
    Id,
    RanAt,
    Reason,
    Actor,
    Counters,
    Drifts,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use CockpitCounters as C;
        use CockpitReconciliations as R;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(text(C::Metric, 32))
                    .col(text(C::RegionCode, 12))
                    .col(text(C::Bucket, 16))
                    .col(big(C::Value))
                    .col(big(C::Amount))
                    .col(big(C::UpdatedMs))
                    .primary_key(
                        Index::create()
                            .col(C::Metric)
                            .col(C::RegionCode)
                            .col(C::Bucket),
                    )
                    .to_owned(),
            )
            .await?;
        // The cockpit of each node reads what changed since its last read.
        index(
            manager,
            "ix_cockpit_counters_updated",
            C::Table,
            vec![C::UpdatedMs.into_iden()],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(uuid(R::Id).primary_key().to_owned())
                    .col(at(R::RanAt))
                    .col(text(R::Reason, 16))
                    .col(text(R::Actor, 64))
                    .col(int(R::Counters))
                    .col(int(R::Drifts))
                    .col(long_text(R::Detail))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_cockpit_reconciliations_ran",
            R::Table,
            vec![R::RanAt.into_iden()],
            false,
        )
        .await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for sql in cockpit::install(backend)
            .into_iter()
            .chain(cockpit::backfill(backend))
        {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in cockpit::uninstall(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared(
                "DROP FUNCTION IF EXISTS cockpit_bump(TEXT, TEXT, TEXT, BIGINT, BIGINT)",
            )
            .await?;
        }
        manager
            .drop_table(
                Table::drop()
                    .table(CockpitReconciliations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(CockpitCounters::Table).to_owned())
            .await
    }
}
