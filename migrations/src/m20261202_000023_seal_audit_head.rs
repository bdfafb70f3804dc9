//! Truncating the audit trail becomes visible without trusting the database:
//! - `audit_head.head_mac`: HMAC-SM3 with the audit key over (last sequence number, last MAC),
//!   so that moving the head back to hide the newest records needs the key;
//! - records may be deleted only below the chain's anchor (`audit_head.first_seq`), which only
//!   the retention path moves, with a MAC that needs the key. The former exception (a session
//!   variable on PostgreSQL, a marker row on SQLite) could be set by anyone holding a session;
//! - `audit_head` itself only moves forward and cannot be deleted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    HeadMac,
}

const PG_UP: &[&str] = &[
    r"CREATE OR REPLACE FUNCTION zhucan_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.seq < (SELECT first_seq FROM audit_head WHERE id = 1) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_records is append-only (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$",
    r"CREATE OR REPLACE FUNCTION zhucan_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.last_seq >= OLD.last_seq AND NEW.first_seq >= OLD.first_seq THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_head only moves forward (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$",
    "CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION zhucan_audit_head_forward()",
    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION zhucan_audit_head_forward()",
];

const SQLITE_UP: &[&str] = &[
    "DROP TRIGGER IF EXISTS audit_records_no_delete",
    "DROP TABLE IF EXISTS audit_prune_marker",
    "CREATE TRIGGER audit_records_delete_below_anchor BEFORE DELETE ON audit_records WHEN OLD.seq >= (SELECT first_seq FROM audit_head WHERE id = 1) BEGIN SELECT RAISE(ABORT, 'audit_records is append-only (DELETE)'); END",
    "CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head WHEN NEW.id <> OLD.id OR NEW.last_seq < OLD.last_seq OR NEW.first_seq < OLD.first_seq BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward (UPDATE)'); END",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward (DELETE)'); END",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditHead::Table)
                    .add_column(ColumnDef::new(AuditHead::HeadMac).blob().null())
                    .to_owned(),
            )
            .await?;
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
                "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head",
                "DROP TRIGGER IF EXISTS audit_head_forward ON audit_head",
                "DROP FUNCTION IF EXISTS zhucan_audit_head_forward()",
            ],
            _ => &[
                "DROP TRIGGER IF EXISTS audit_head_no_delete",
                "DROP TRIGGER IF EXISTS audit_head_forward",
                "DROP TRIGGER IF EXISTS audit_records_delete_below_anchor",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AuditHead::Table)
                    .drop_column(AuditHead::HeadMac)
                    .to_owned(),
            )
            .await
    }
}
