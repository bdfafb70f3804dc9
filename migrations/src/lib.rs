//! zhucan-migrations: the schema of 助残云, append-only, one change per file. Migrations that
//! have landed are never edited; a change is a new migration.

use sea_orm_migration::prelude::*;

pub mod cockpit;
mod cols;

mod m20261130_000001_create_regions;
mod m20261130_000002_create_persons;
mod m20261130_000003_create_accounts;
mod m20261130_000004_create_audit;
mod m20261130_000005_create_sms_outbox;
mod m20261130_000006_create_volunteers;
mod m20261130_000007_create_guidance;
mod m20261130_000008_add_account_phone;
mod m20261130_000009_add_account_lockout;
mod m20261130_000010_create_session_revocation;
mod m20261130_000011_create_catalog;
mod m20261130_000012_create_eligibility;
mod m20261130_000013_add_person_facts;
mod m20261130_000014_create_outreach;
mod m20261130_000015_add_account_security;
mod m20261130_000016_audit_append_only;
mod m20261130_000017_create_session_activity;
mod m20261130_000018_add_ukey;
mod m20261130_000019_create_api_clients;
mod m20261130_000020_add_person_page_indexes;
mod m20261202_000021_add_account_origin;
mod m20261202_000022_add_otp_token;
mod m20261202_000023_seal_audit_head;
mod m20261202_000024_create_activities;
mod m20261202_000025_add_activity_attendance;
mod m20261202_000026_create_activity_resources;
mod m20261202_000027_create_custody;
mod m20261203_000028_create_custody_alerts;
mod m20261203_000029_create_questionnaires;
mod m20261203_000030_create_care_placements;
mod m20261203_000031_add_outreach_push_kind;
mod m20261203_000032_create_employment;
mod m20261203_000033_create_subsidies;
mod m20261203_000034_create_account_activations;
mod m20261203_000035_create_cockpit;
mod m20261203_000036_create_saved_analyses;

/// The abnormal-spending rules a fresh installation starts with (benches evaluate them).
pub use m20261203_000028_create_custody_alerts::DEFAULT_RULES as DEFAULT_CUSTODY_RULES;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261130_000001_create_regions::Migration),
            Box::new(m20261130_000002_create_persons::Migration),
            Box::new(m20261130_000003_create_accounts::Migration),
            Box::new(m20261130_000004_create_audit::Migration),
            Box::new(m20261130_000005_create_sms_outbox::Migration),
            Box::new(m20261130_000006_create_volunteers::Migration),
            Box::new(m20261130_000007_create_guidance::Migration),
            Box::new(m20261130_000008_add_account_phone::Migration),
            Box::new(m20261130_000009_add_account_lockout::Migration),
            Box::new(m20261130_000010_create_session_revocation::Migration),
            Box::new(m20261130_000011_create_catalog::Migration),
            Box::new(m20261130_000012_create_eligibility::Migration),
            Box::new(m20261130_000013_add_person_facts::Migration),
            Box::new(m20261130_000014_create_outreach::Migration),
            Box::new(m20261130_000015_add_account_security::Migration),
            Box::new(m20261130_000016_audit_append_only::Migration),
            Box::new(m20261130_000017_create_session_activity::Migration),
            Box::new(m20261130_000018_add_ukey::Migration),
            Box::new(m20261130_000019_create_api_clients::Migration),
            Box::new(m20261130_000020_add_person_page_indexes::Migration),
            Box::new(m20261202_000021_add_account_origin::Migration),
            Box::new(m20261202_000022_add_otp_token::Migration),
            Box::new(m20261202_000023_seal_audit_head::Migration),
            Box::new(m20261202_000024_create_activities::Migration),
            Box::new(m20261202_000025_add_activity_attendance::Migration),
            Box::new(m20261202_000026_create_activity_resources::Migration),
            Box::new(m20261202_000027_create_custody::Migration),
            Box::new(m20261203_000028_create_custody_alerts::Migration),
            Box::new(m20261203_000029_create_questionnaires::Migration),
            Box::new(m20261203_000030_create_care_placements::Migration),
            Box::new(m20261203_000031_add_outreach_push_kind::Migration),
            Box::new(m20261203_000032_create_employment::Migration),
            Box::new(m20261203_000033_create_subsidies::Migration),
            Box::new(m20261203_000034_create_account_activations::Migration),
            Box::new(m20261203_000035_create_cockpit::Migration),
            Box::new(m20261203_000036_create_saved_analyses::Migration),
        ]
    }
}
