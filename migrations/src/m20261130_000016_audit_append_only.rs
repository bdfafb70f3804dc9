//! The audit trail is append-only for the application's own database role (等保 8.1.4.3):
//! triggers refuse UPDATE, DELETE and TRUNCATE of `audit_records`, on PostgreSQL and SQLite.
//! Triggers hold even for the table's owner, which grants alone would not (the application
//! migrates its own schema). The only deletion allowed is retention pruning, inside a
//! transaction that announces it (`SET LOCAL zhucan.audit_prune = 'on'` on PostgreSQL, a row in
//! `audit_prune_marker` on SQLite), and pruning appends its own record to the chain.
//! `audit_head` gains the anchor that verification starts from after pruning.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    FirstSeq,
    FirstPrevMac,
    AnchorMac,
}

const PG_UP: &[&str] = &[
    r"CREATE OR REPLACE FUNCTION zhucan_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('zhucan.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_records is append-only (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$",
    "CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records FOR EACH ROW EXECUTE FUNCTION zhucan_audit_append_only()",
    "CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records FOR EACH STATEMENT EXECUTE FUNCTION zhucan_audit_append_only()",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_records FROM PUBLIC",
];

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE audit_prune_marker (id INTEGER PRIMARY KEY)",
    "CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records BEGIN SELECT RAISE(ABORT, 'audit_records is append-only (UPDATE)'); END",
    "CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records WHEN NOT EXISTS (SELECT 1 FROM audit_prune_marker) BEGIN SELECT RAISE(ABORT, 'audit_records is append-only (DELETE)'); END",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            ColumnDef::new(AuditHead::FirstSeq)
                .big_integer()
                .not_null()
                .default(1)
                .to_owned(),
            ColumnDef::new(AuditHead::FirstPrevMac)
                .blob()
                .null()
                .to_owned(),
            ColumnDef::new(AuditHead::AnchorMac)
                .blob()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditHead::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => PG_UP,
            _ => SQLITE_UP,
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records",
                "DROP TRIGGER IF EXISTS audit_records_append_only ON audit_records",
                "DROP FUNCTION IF EXISTS zhucan_audit_append_only()",
            ],
            _ => &[
                "DROP TRIGGER IF EXISTS audit_records_no_delete",
                "DROP TRIGGER IF EXISTS audit_records_no_update",
                "DROP TABLE IF EXISTS audit_prune_marker",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        for col in [
            AuditHead::AnchorMac,
            AuditHead::FirstPrevMac,
            AuditHead::FirstSeq,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditHead::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
