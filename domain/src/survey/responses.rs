//! Answering: the person (in the H5 app) or staff on their behalf (a proxy answer, during a
//! visit); drafts kept; one submission in force per push and person — a resubmission before the
//! deadline replaces it and the replaced one is kept — and for an anonymous questionnaire one
//! submission only, refused by a keyed token rather than by storing who answered. A named
//! submission puts the needs it identifies on the person's file in the same transaction.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::needs::identify;
use super::push::respondent_token;
use super::{
    Answers, Definition, QuestionnaireStatus, ResponseStatus, SurveyService, WHAT, age_band,
};
use crate::entities::{
    person, questionnaire, questionnaire_push, questionnaire_response, questionnaire_target,
};
use crate::error::{DomainError, DomainResult};
use crate::viewer::{PersonScope, Role};

/// Answers as submitted (question code → JSON value), for a person asked by a push.
#[derive(Debug, Clone, Default)]
pub struct ResponseInput {
    /// The push answered.
    pub push_id: Uuid,
    /// The person (staff answering on their behalf); a citizen answers for themself.
    pub person_id: Option<Uuid>,
    /// Answers.
    pub answers: BTreeMap<String, serde_json::Value>,
}

/// A response as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Row.
    pub row: questionnaire_response::Model,
    /// Answers.
    pub answers: Answers,
}

impl Response {
    fn of(row: questionnaire_response::Model) -> DomainResult<Self> {
        let answers = serde_json::from_str(&row.answers).map_err(DomainError::internal)?;
        Ok(Self { row, answers })
    }
    /// Status.
    pub fn status(&self) -> ResponseStatus {
        ResponseStatus::from_stored(&self.row.status)
    }
}

/// A questionnaire someone was asked to answer, with their response in force if any.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// The push.
    pub push: questionnaire_push::Model,
    /// The questionnaire.
    pub questionnaire: questionnaire::Model,
    /// The version to answer.
    pub definition: Definition,
    /// The person's draft or submission in force.
    pub response: Option<Response>,
}

/// Who is answering, for which person, on which push.
struct Respondent {
    person: person::Model,
    push: questionnaire_push::Model,
    questionnaire: questionnaire::Model,
    definition: Definition,
    key: String,
    proxy_by: Option<String>,
}

impl SurveyService<'_> {
    /// The person answered for: a citizen themself; staff for a person in their scope.
    async fn respondent(&self, push_id: Uuid, person_id: Option<Uuid>) -> DomainResult<Respondent> {
        let viewer = self.caller.viewer()?;
        let conn = self.p.db.conn();
        let (person_id, proxy_by) = match viewer.role {
            Role::Citizen => {
                let own = viewer
                    .person_id
                    .ok_or(DomainError::Forbidden("您的账户未关联残疾人档案"))?;
                if person_id.is_some_and(|p| p != own) {
                    return Err(DomainError::Forbidden("只能填写本人的问卷"));
                }
                (own, None)
            }
            r if r.is_region_admin() => {
                let p = person_id.ok_or_else(|| {
                    DomainError::bad_input("input.personId", "代填问卷须指明残疾人")
                })?;
                (
                    p,
                    Some(viewer.username.chars().take(64).collect::<String>()),
                )
            }
            _ => return Err(DomainError::Forbidden("只有本人或工作人员可以填写问卷")),
        };
        let person = person::Entity::find_by_id(person_id)
            .one(conn)
            .await?
            .filter(|p| PersonScope::of(viewer).admits(p.id, &p.street_code))
            .ok_or(DomainError::NotFound { what: WHAT })?;
        questionnaire_target::Entity::find_by_id((push_id, person.id))
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound { what: WHAT })?;
        let push = questionnaire_push::Entity::find_by_id(push_id)
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound { what: WHAT })?;
        let questionnaire = questionnaire::Entity::find_by_id(push.questionnaire_id)
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound { what: WHAT })?;
        let definition = self.version(questionnaire.id, push.version_number).await?;
        let key = if questionnaire.anonymous {
            respondent_token(self.p, push.id, person.id)
        } else {
            person.id.to_string()
        };
        Ok(Respondent {
            person,
            push,
            questionnaire,
            definition,
            key,
            proxy_by,
        })
    }

    fn open(r: &Respondent) -> DomainResult<()> {
        if r.questionnaire.status == QuestionnaireStatus::Closed.as_str() {
            return Err(DomainError::Conflict("问卷已关闭，不再接受回答".to_owned()));
        }
        if Utc::now() >= r.push.deadline {
            return Err(DomainError::Conflict("已过填写截止时间".to_owned()));
        }
        Ok(())
    }

    async fn current<C: sea_orm::ConnectionTrait>(
        conn: &C,
        r: &Respondent,
    ) -> DomainResult<Option<questionnaire_response::Model>> {
        Ok(questionnaire_response::Entity::find()
            .filter(questionnaire_response::Column::PushId.eq(r.push.id))
            .filter(questionnaire_response::Column::Respondent.eq(r.key.as_str()))
            .filter(questionnaire_response::Column::Status.ne(ResponseStatus::Superseded.as_str()))
            .one(conn)
            .await?)
    }

    fn new_row(
        r: &Respondent,
        status: ResponseStatus,
        answers: String,
    ) -> questionnaire_response::ActiveModel {
        let now = Utc::now();
        let today = (now + chrono::Duration::hours(8)).date_naive();
        let age = crate::person::Person::from_row(r.person.clone()).age_on(today);
        questionnaire_response::ActiveModel {
            id: Set(Uuid::now_v7()),
            questionnaire_id: Set(r.questionnaire.id),
            version_number: Set(r.push.version_number),
            push_id: Set(r.push.id),
            person_id: Set((!r.questionnaire.anonymous).then_some(r.person.id)),
            respondent: Set(r.key.clone()),
            status: Set(status.as_str().to_owned()),
            answers: Set(answers),
            proxy: Set(r.proxy_by.is_some()),
            proxy_by: Set(r.proxy_by.clone()),
            district_code: Set(r.person.district_code.clone()),
            street_code: Set(r.person.street_code.clone()),
            category: Set(r.person.category),
            level: Set(r.person.level),
            age_band: Set(age_band(age).to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            submitted_at: Set((status == ResponseStatus::Submitted).then_some(now)),
        }
    }

    /// 保存草稿: partial answers are checked for type and option, kept until submitted.
    pub async fn save_draft(&self, input: ResponseInput) -> DomainResult<Response> {
        self.audited("survey.response.draft", input.push_id.to_string(), async {
            let r = self.respondent(input.push_id, input.person_id).await?;
            Self::open(&r)?;
            let answers =
                r.definition
                    .check("input.answers", &input.answers, false, &self.p.regions)?;
            let json = serde_json::to_string(&answers).map_err(DomainError::internal)?;
            let w = self.p.db.begin_write().await?;
            let row = match Self::current(&w.txn, &r).await? {
                Some(cur) if cur.status == ResponseStatus::Submitted.as_str() => {
                    return Err(DomainError::Conflict(
                        "问卷已提交；如需修改，请在截止前重新提交".to_owned(),
                    ));
                }
                Some(cur) => {
                    let mut m: questionnaire_response::ActiveModel = cur.into();
                    m.answers = Set(json);
                    m.updated_at = Set(Utc::now());
                    m.proxy = Set(r.proxy_by.is_some());
                    m.proxy_by = Set(r.proxy_by.clone());
                    m.update(&w.txn).await?
                }
                None => {
                    Self::new_row(&r, ResponseStatus::Draft, json)
                        .insert(&w.txn)
                        .await?
                }
            };
            w.commit().await?;
            Response::of(row)
        })
        .await
    }

    /// 提交问卷: every required question shown must be answered; the draft becomes the
    /// submission, or a submission in force is kept as replaced (named questionnaires only: an
    /// anonymous one is submitted once). Needs found go on the person's file in the same
    /// transaction.
    pub async fn submit(&self, input: ResponseInput) -> DomainResult<Response> {
        self.audited("survey.response.submit", input.push_id.to_string(), async {
            let r = self.respondent(input.push_id, input.person_id).await?;
            Self::open(&r)?;
            let answers =
                r.definition
                    .check("input.answers", &input.answers, true, &self.p.regions)?;
            let json = serde_json::to_string(&answers).map_err(DomainError::internal)?;
            let w = self.p.db.begin_write().await?;
            let now = Utc::now();
            let row = match Self::current(&w.txn, &r).await? {
                Some(cur) if cur.status == ResponseStatus::Submitted.as_str() => {
                    if r.questionnaire.anonymous {
                        return Err(DomainError::Conflict("匿名问卷每人只能提交一次".to_owned()));
                    }
                    let mut old: questionnaire_response::ActiveModel = cur.into();
                    old.status = Set(ResponseStatus::Superseded.as_str().to_owned());
                    old.updated_at = Set(now);
                    old.update(&w.txn).await?;
                    Self::new_row(&r, ResponseStatus::Submitted, json)
                        .insert(&w.txn)
                        .await?
                }
                Some(cur) => {
                    let mut m: questionnaire_response::ActiveModel = cur.into();
                    m.status = Set(ResponseStatus::Submitted.as_str().to_owned());
                    m.answers = Set(json);
                    m.updated_at = Set(now);
                    m.submitted_at = Set(Some(now));
                    m.proxy = Set(r.proxy_by.is_some());
                    m.proxy_by = Set(r.proxy_by.clone());
                    m.update(&w.txn).await?
                }
                None => {
                    Self::new_row(&r, ResponseStatus::Submitted, json)
                        .insert(&w.txn)
                        .await?
                }
            };
            let needs = if r.questionnaire.anonymous {
                0
            } else {
                let actor = r.proxy_by.clone().unwrap_or_else(|| "本人".to_owned());
                identify(
                    &w.txn,
                    &r.person,
                    row.id,
                    &r.definition.needs(&answers),
                    &actor,
                )
                .await?
            };
            // The audit record says that a response was submitted, never what it says, and
            // for an anonymous questionnaire not for whom.
            let subject = if r.questionnaire.anonymous {
                r.push.id
            } else {
                r.person.id
            };
            self.append(
                &w.txn,
                "survey.response.submit",
                "questionnaire_response",
                subject,
                format!(
                    "push={} proxy={} needs={needs}",
                    r.push.id,
                    r.proxy_by.is_some()
                ),
            )
            .await?;
            w.commit().await?;
            Response::of(row)
        })
        .await
    }

    /// 我的问卷: the questionnaires the viewer (a citizen) was asked to answer, newest push
    /// first, with their draft or submission in force.
    pub async fn my_questionnaires(&self) -> DomainResult<Vec<Assignment>> {
        let viewer = self.caller.viewer()?;
        let Some(own) = viewer.person_id.filter(|_| viewer.role == Role::Citizen) else {
            return Ok(Vec::new());
        };
        self.assignments(own).await
    }

    /// The questionnaires a person was asked to answer (themself, or staff in scope).
    pub async fn assignments(&self, person_id: Uuid) -> DomainResult<Vec<Assignment>> {
        let viewer = self.caller.viewer()?;
        let conn = self.p.db.conn();
        let person = person::Entity::find_by_id(person_id)
            .one(conn)
            .await?
            .filter(|p| PersonScope::of(viewer).admits(p.id, &p.street_code))
            .ok_or(DomainError::NotFound { what: WHAT })?;
        let targets = questionnaire_target::Entity::find()
            .filter(questionnaire_target::Column::PersonId.eq(person.id))
            .order_by_desc(questionnaire_target::Column::PushId)
            .all(conn)
            .await?;
        let mut out = Vec::with_capacity(targets.len());
        for t in targets {
            let Some(push) = questionnaire_push::Entity::find_by_id(t.push_id)
                .one(conn)
                .await?
            else {
                continue;
            };
            let Some(q) = questionnaire::Entity::find_by_id(push.questionnaire_id)
                .one(conn)
                .await?
            else {
                continue;
            };
            let definition = self.version(q.id, push.version_number).await?;
            let key = if q.anonymous {
                respondent_token(self.p, push.id, person.id)
            } else {
                person.id.to_string()
            };
            let response = questionnaire_response::Entity::find()
                .filter(questionnaire_response::Column::PushId.eq(push.id))
                .filter(questionnaire_response::Column::Respondent.eq(key))
                .filter(
                    questionnaire_response::Column::Status.ne(ResponseStatus::Superseded.as_str()),
                )
                .one(conn)
                .await?
                .map(Response::of)
                .transpose()?;
            out.push(Assignment {
                push,
                questionnaire: q,
                definition,
                response,
            });
        }
        Ok(out)
    }

    /// The named submissions of many persons (the person file), newest first, replaced ones
    /// included (their history).
    pub async fn responses_of(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Vec<Response>>> {
        let viewer = self.caller.viewer()?;
        let scope = PersonScope::of(viewer);
        let mut out: std::collections::HashMap<Uuid, Vec<Response>> =
            std::collections::HashMap::new();
        if persons.is_empty() {
            return Ok(out);
        }
        for row in questionnaire_response::Entity::find()
            .filter(questionnaire_response::Column::PersonId.is_in(persons.iter().copied()))
            .filter(questionnaire_response::Column::Status.ne(ResponseStatus::Draft.as_str()))
            .order_by_desc(questionnaire_response::Column::Id)
            .all(self.p.db.conn())
            .await?
        {
            let Some(person) = row.person_id else {
                continue;
            };
            if !scope.admits(person, &row.street_code) {
                continue;
            }
            out.entry(person).or_default().push(Response::of(row)?);
        }
        Ok(out)
    }
}
