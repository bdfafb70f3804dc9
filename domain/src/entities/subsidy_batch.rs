//! `subsidy_batches`: A payment batch of one type, period and district.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidy_batches")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Subsidy type.
    pub type_id: Uuid,
    /// `2026-11`, `2026-Q4`, `2026`.
    pub period: String,
    /// District.
    pub district_code: String,
    /// `REGULAR`, `SUPPLEMENTARY`.
    pub kind: String,
    /// The batch a supplementary batch follows up.
    pub parent_id: Option<Uuid>,
    /// Workflow state.
    pub status: String,
    /// Last person generated (a rerun resumes after it).
    pub cursor: Option<Uuid>,
    /// Items.
    pub people: i32,
    /// Sum of the items' amounts.
    pub total_fen: i64,
    /// Sum paid.
    pub paid_fen: i64,
    /// Items failed.
    pub failed: i32,
    /// People excluded (listed in changes).
    pub excluded: i32,
    /// Items without an account.
    pub missing_accounts: i32,
    /// Eligibility rule version applied.
    pub rule_version: i32,
    /// Maker (account id).
    pub generated_by: String,
    /// Generated.
    pub generated_at: Option<DateTimeUtc>,
    /// Submitted by.
    pub submitted_by: Option<String>,
    /// Submitted.
    pub submitted_at: Option<DateTimeUtc>,
    /// Reviewer (account id).
    pub reviewed_by: Option<String>,
    /// Reviewed.
    pub reviewed_at: Option<DateTimeUtc>,
    /// Approver (account id).
    pub approved_by: Option<String>,
    /// Approved.
    pub approved_at: Option<DateTimeUtc>,
    /// Last exported by.
    pub exported_by: Option<String>,
    /// First exported.
    pub exported_at: Option<DateTimeUtc>,
    /// Times exported.
    pub exports: i32,
    /// Reconciled.
    pub reconciled_at: Option<DateTimeUtc>,
    /// Latest reviewer's note.
    pub note: String,
    /// Optimistic version.
    pub version: i32,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Changed.
    pub updated_at: DateTimeUtc,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
