//! Pushing a published questionnaire to the people a filter or an eligibility rule selects
//! (政策找人's targeting), with a deadline: a background job records who was asked and tells
//! each of them (inbox message and SMS), a page per transaction, resumable; a reminder goes out
//! before the deadline to those who have not submitted.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{QuestionnaireStatus, RESPONDENT_TOKEN, ResponseStatus, SurveyService, WHAT};
use crate::Platform;
use crate::entities::{
    inbox_message, person, questionnaire, questionnaire_push, questionnaire_response,
    questionnaire_target,
};
use crate::error::{DomainError, DomainResult};
use crate::outreach::TargetFilter;
use crate::outreach::targets::{TargetPages, Targeting, check_filter};
use crate::sms::{self, SmsTemplate};
use crate::types::Phone;

/// Longest time a push stays open.
pub const MAX_OPEN_DAYS: i64 = 366;
/// How long before the deadline the reminder goes out.
pub const REMIND_BEFORE_HOURS: i64 = 48;

/// A push as submitted.
#[derive(Debug, Clone)]
pub struct PushInput {
    /// Questionnaire (its published version is pushed).
    pub questionnaire_id: Uuid,
    /// Registry filters.
    pub filter: TargetFilter,
    /// Select by the service item's rule in force too.
    pub use_rule: bool,
    /// The service item whose rule selects.
    pub service_item_id: Option<Uuid>,
    /// Answers accepted until then.
    pub deadline: DateTime<Utc>,
}

/// A push as read.
pub type QuestionnairePush = questionnaire_push::Model;

/// The anonymous token of a person for a push: HMAC-SM3 under the index key, so a second
/// submission is refused without storing who submitted.
pub(super) fn respondent_token(p: &Platform, push: Uuid, person: Uuid) -> String {
    hex::encode(p.cipher.blind_index(
        RESPONDENT_TOKEN,
        &format!("{}:{}", push.simple(), person.simple()),
    ))
}

fn targeting(push: &questionnaire_push::Model) -> DomainResult<Targeting> {
    Ok(Targeting {
        filter: serde_json::from_str(&push.filter).map_err(DomainError::internal)?,
        scope_code: push.scope_code.clone(),
        use_rule: push.use_rule,
        service_item_id: push.service_item_id,
    })
}

impl SurveyService<'_> {
    /// 推送问卷 (city or district admin, within their scope): the published version, to the
    /// people the filter (and rule) select now; refused when nobody is selected. People are
    /// recorded and told in the background; the push is returned at once.
    pub async fn push(&self, input: PushInput) -> DomainResult<QuestionnairePush> {
        self.audited(
            "survey.questionnaire.push",
            input.questionnaire_id.to_string(),
            async {
                let row = self.create_push(input).await?;
                let p = self.p.clone();
                let push_id = row.id;
                self.p.jobs.spawn("questionnaire push", async move {
                    run_push_job(&p, push_id).await.map(|_| ())
                });
                Ok(row)
            },
        )
        .await
    }

    /// The checked push, stored as `PUBLISHING` (its job not yet started).
    pub(crate) async fn create_push(&self, input: PushInput) -> DomainResult<QuestionnairePush> {
        let scope = self.manager()?;
        let viewer = self.caller.viewer()?;
        let q = questionnaire::Entity::find_by_id(input.questionnaire_id)
            .one(self.p.db.conn())
            .await?
            .filter(|q| {
                scope.manages(&q.scope_code) || q.scope_code == crate::types::region_code_city()
            })
            .ok_or(DomainError::NotFound { what: WHAT })?;
        if q.status != QuestionnaireStatus::Published.as_str() || q.published_version == 0 {
            return Err(DomainError::Conflict(
                "问卷尚未发布或已关闭，不能推送".to_owned(),
            ));
        }
        let now = Utc::now();
        if input.deadline <= now + Duration::hours(1) {
            return Err(DomainError::bad_input(
                "input.deadline",
                "截止时间须晚于当前时间至少1小时",
            ));
        }
        if input.deadline > now + Duration::days(MAX_OPEN_DAYS) {
            return Err(DomainError::bad_input(
                "input.deadline",
                "截止时间不能超过一年",
            ));
        }
        let filter = check_filter(&self.p.regions, &scope, &input.filter)?;
        let t = Targeting {
            filter,
            scope_code: scope.code().to_owned(),
            use_rule: input.use_rule,
            service_item_id: input.service_item_id,
        };
        t.check(self.p.db.conn()).await?;
        let mut pages = TargetPages::new(self.p.db.conn(), &t).await?;
        if pages.next(self.p.db.conn()).await?.is_none() {
            return Err(DomainError::bad_input(
                "input.filter",
                "没有符合条件的推送对象，请调整条件",
            ));
        }
        let w = self.p.db.begin_write().await?;
        let row = questionnaire_push::ActiveModel {
            id: Set(Uuid::now_v7()),
            questionnaire_id: Set(q.id),
            version_number: Set(q.published_version),
            filter: Set(serde_json::to_string(&t.filter).map_err(DomainError::internal)?),
            use_rule: Set(t.use_rule),
            service_item_id: Set(t.service_item_id),
            scope_code: Set(t.scope_code.clone()),
            deadline: Set(input.deadline),
            reminded_at: Set(None),
            status: Set("PUBLISHING".to_owned()),
            targeted: Set(0),
            progress: Set(0),
            created_by: Set(viewer.username.chars().take(64).collect()),
            created_at: Set(now),
        }
        .insert(&w.txn)
        .await?;
        self.append(
            &w.txn,
            "survey.questionnaire.push",
            "questionnaire_push",
            row.id,
            format!("questionnaire={} version={}", q.id, q.published_version),
        )
        .await?;
        w.commit().await?;
        Ok(row)
    }

    /// The pushes of a questionnaire the viewer sees, newest first.
    pub async fn pushes_of(&self, questionnaire: Uuid) -> DomainResult<Vec<QuestionnairePush>> {
        self.questionnaire(questionnaire).await?;
        Ok(questionnaire_push::Entity::find()
            .filter(questionnaire_push::Column::QuestionnaireId.eq(questionnaire))
            .order_by_desc(questionnaire_push::Column::Id)
            .all(self.p.db.conn())
            .await?)
    }
}

/// The push job: each selected person is recorded as asked and told (inbox, SMS); a page per
/// transaction; people already recorded are skipped, so a resumed job asks nobody twice.
pub async fn run_push_job(p: &Platform, push_id: Uuid) -> DomainResult<QuestionnairePush> {
    let push = questionnaire_push::Entity::find_by_id(push_id)
        .one(p.db.conn())
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })?;
    let q = questionnaire::Entity::find_by_id(push.questionnaire_id)
        .one(p.db.conn())
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })?;
    let result = push_pages(p, &push, &q).await;
    let status = match &result {
        Ok(()) => "PUBLISHED",
        Err(e) => {
            tracing::error!(push = %push_id, error = %e, "questionnaire push failed");
            "FAILED"
        }
    };
    let w = p.db.begin_write().await?;
    let cur = questionnaire_push::Entity::find_by_id(push_id)
        .one(&w.txn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })?;
    let mut m: questionnaire_push::ActiveModel = cur.into();
    m.status = Set(status.to_owned());
    let done = m.update(&w.txn).await?;
    w.commit().await?;
    result.map(|()| done)
}

async fn push_pages(
    p: &Platform,
    push: &questionnaire_push::Model,
    q: &questionnaire::Model,
) -> DomainResult<()> {
    let t = targeting(push)?;
    let title: String = q.title.chars().take(sms::MAX_PARAM_CHARS).collect();
    let deadline = (push.deadline + Duration::hours(8))
        .format("%-m月%-d日%H:%M")
        .to_string();
    let mut pages = TargetPages::new(p.db.conn(), &t).await?;
    while let Some(rows) = pages.next(p.db.conn()).await? {
        let w = p.db.begin_write().await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let existing: HashSet<Uuid> = questionnaire_target::Entity::find()
            .filter(questionnaire_target::Column::PushId.eq(push.id))
            .filter(questionnaire_target::Column::PersonId.is_in(ids))
            .all(&w.txn)
            .await?
            .into_iter()
            .map(|t| t.person_id)
            .collect();
        let now = Utc::now();
        let fresh: Vec<&person::Model> =
            rows.iter().filter(|r| !existing.contains(&r.id)).collect();
        let mut targets = Vec::with_capacity(fresh.len());
        let mut inbox = Vec::with_capacity(fresh.len());
        let mut texts = Vec::new();
        for r in &fresh {
            targets.push(questionnaire_target::ActiveModel {
                push_id: Set(push.id),
                person_id: Set(r.id),
                district_code: Set(r.district_code.clone()),
                street_code: Set(r.street_code.clone()),
                notified_at: Set(now),
            });
            inbox.push(inbox_message::ActiveModel {
                id: Set(Uuid::now_v7()),
                person_id: Set(r.id),
                kind: Set(SmsTemplate::QuestionnaireNotice.code().to_owned()),
                title: Set(format!("问卷：{}", q.title).chars().take(200).collect()),
                body: Set(format!(
                    "请在{deadline}前填写“{}”{}。可由街镇工作人员上门时代为填写。",
                    q.title,
                    if q.anonymous { "（匿名）" } else { "" }
                )
                .chars()
                .take(1000)
                .collect()),
                ref_id: Set(Some(push.id)),
                created_at: Set(now),
                read_at: Set(None),
            });
            if let Some(phone) = phone_of(p, r) {
                texts.push((
                    format!("questionnaire:{}:{}", push.id.simple(), r.id.simple()),
                    phone,
                    SmsTemplate::QuestionnaireNotice,
                    sms::params([("title", title.as_str()), ("deadline", deadline.as_str())]),
                ));
            }
        }
        if !targets.is_empty() {
            questionnaire_target::Entity::insert_many(targets)
                .on_conflict(
                    OnConflict::columns([
                        questionnaire_target::Column::PushId,
                        questionnaire_target::Column::PersonId,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&w.txn)
                .await?;
            inbox_message::Entity::insert_many(inbox)
                .exec_without_returning(&w.txn)
                .await?;
        }
        sms::enqueue_many(&w.txn, &p.cipher, texts).await?;
        let n = i32::try_from(rows.len()).unwrap_or(i32::MAX);
        let created = i32::try_from(fresh.len()).unwrap_or(i32::MAX);
        questionnaire_push::Entity::update_many()
            .col_expr(
                questionnaire_push::Column::Progress,
                Expr::col(questionnaire_push::Column::Progress).add(Expr::value(n)),
            )
            .col_expr(
                questionnaire_push::Column::Targeted,
                Expr::col(questionnaire_push::Column::Targeted).add(Expr::value(created)),
            )
            .filter(questionnaire_push::Column::Id.eq(push.id))
            .exec(&w.txn)
            .await?;
        w.commit().await?;
    }
    Ok(())
}

fn phone_of(p: &Platform, r: &person::Model) -> Option<Phone> {
    let enc = r.phone_enc.as_ref()?;
    let plain = p
        .cipher
        .decrypt(crate::person::aad("phone", &r.id), enc)
        .ok()?;
    Phone::parse("phone", &plain).ok()
}

/// Reminders: for each published push whose deadline is within [`REMIND_BEFORE_HOURS`] and
/// that has not been reminded, an SMS to each person asked who has no submission in force
/// (for an anonymous questionnaire their token is computed, never stored against them).
/// Returns how many were reminded.
pub async fn remind(p: &Platform, now: DateTime<Utc>) -> DomainResult<usize> {
    let due = questionnaire_push::Entity::find()
        .filter(questionnaire_push::Column::Status.eq("PUBLISHED"))
        .filter(questionnaire_push::Column::RemindedAt.is_null())
        .filter(questionnaire_push::Column::Deadline.gt(now))
        .filter(
            questionnaire_push::Column::Deadline.lte(now + Duration::hours(REMIND_BEFORE_HOURS)),
        )
        .all(p.db.conn())
        .await?;
    let mut reminded = 0;
    for push in due {
        let Some(q) = questionnaire::Entity::find_by_id(push.questionnaire_id)
            .one(p.db.conn())
            .await?
        else {
            continue;
        };
        let w = p.db.begin_write().await?;
        // Claim the push first: a second node's pass finds it reminded.
        let claimed = questionnaire_push::Entity::update_many()
            .col_expr(questionnaire_push::Column::RemindedAt, Expr::value(now))
            .filter(questionnaire_push::Column::Id.eq(push.id))
            .filter(questionnaire_push::Column::RemindedAt.is_null())
            .exec(&w.txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let answered: HashSet<String> = questionnaire_response::Entity::find()
            .filter(questionnaire_response::Column::PushId.eq(push.id))
            .filter(questionnaire_response::Column::Status.eq(ResponseStatus::Submitted.as_str()))
            .all(&w.txn)
            .await?
            .into_iter()
            .map(|r| r.respondent)
            .collect();
        let targets = questionnaire_target::Entity::find()
            .filter(questionnaire_target::Column::PushId.eq(push.id))
            .all(&w.txn)
            .await?;
        let waiting: Vec<Uuid> = targets
            .into_iter()
            .map(|t| t.person_id)
            .filter(|person| {
                let key = if q.anonymous {
                    respondent_token(p, push.id, *person)
                } else {
                    person.to_string()
                };
                !answered.contains(&key)
            })
            .collect();
        let title: String = q.title.chars().take(sms::MAX_PARAM_CHARS).collect();
        let deadline = (push.deadline + Duration::hours(8))
            .format("%-m月%-d日%H:%M")
            .to_string();
        let mut texts = Vec::new();
        for chunk in waiting.chunks(500) {
            for r in
                crate::db::find_each::<person::Entity, _>(&w.txn, person::Column::Id, chunk).await?
            {
                if let Some(phone) = phone_of(p, &r) {
                    texts.push((
                        format!(
                            "questionnaire:{}:{}:reminder",
                            push.id.simple(),
                            r.id.simple()
                        ),
                        phone,
                        SmsTemplate::QuestionnaireReminder,
                        sms::params([("title", title.as_str()), ("deadline", deadline.as_str())]),
                    ));
                }
            }
        }
        reminded += waiting.len();
        sms::enqueue_many(&w.txn, &p.cipher, texts).await?;
        w.commit().await?;
    }
    Ok(reminded)
}
