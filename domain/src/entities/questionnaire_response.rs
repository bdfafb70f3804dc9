//! `questionnaire_responses`: a draft, a submission, or a submission it replaced. An anonymous
//! response has no person: `respondent` is then a keyed token of the push and person (HMAC-SM3),
//! enough to refuse a second submission, not to say whose it is.
use sea_orm::entity::prelude::*;

/// Row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaire_responses")]
pub struct Model {
    /// Id (UUID v7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Questionnaire.
    pub questionnaire_id: Uuid,
    /// Version answered.
    pub version_number: i32,
    /// Push it answers.
    pub push_id: Uuid,
    /// The person (named questionnaires only).
    pub person_id: Option<Uuid>,
    /// The person's id, or the anonymous token.
    pub respondent: String,
    /// `DRAFT`, `SUBMITTED`, `SUPERSEDED`.
    pub status: String,
    /// Answers (JSON object: question code → value).
    pub answers: String,
    /// Entered by staff on the person's behalf.
    pub proxy: bool,
    /// The staff member who entered it.
    pub proxy_by: Option<String>,
    /// District of the respondent (for results).
    pub district_code: String,
    /// Street-town of the respondent.
    pub street_code: String,
    /// Disability category 1–7 (0 unknown).
    pub category: i16,
    /// Disability level 1–4 (0 unknown).
    pub level: i16,
    /// Age band (`0-17`, `18-44`, `45-59`, `60+`).
    pub age_band: String,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last saved.
    pub updated_at: DateTimeUtc,
    /// Submitted.
    pub submitted_at: Option<DateTimeUtc>,
}

/// No navigated relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
