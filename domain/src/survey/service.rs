//! `SurveyService`: questionnaires (save, publish, close, read), for one caller. Pushes,
//! responses and needs extend it in their own files.

use chrono::Utc;
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::{Definition, Questionnaire, QuestionnaireInput, QuestionnaireStatus, WHAT};
use crate::Platform;
use crate::audit::{self, AuditEntry};
use crate::caller::Caller;
use crate::entities::{questionnaire, questionnaire_version};
use crate::error::{DomainError, DomainResult};
use crate::outreach::OutreachScope;
use crate::page::{Page, PageRequest};
use crate::types::BoundedText;
use crate::viewer::Viewer;

/// Questionnaires, their pushes, responses and needs, for one caller.
pub struct SurveyService<'a> {
    pub(super) p: &'a Platform,
    pub(super) caller: &'a Caller,
}

/// The questionnaires a region admin sees: the city's and their own district's.
fn visible(viewer: &Viewer) -> DomainResult<Condition> {
    use questionnaire::Column as C;
    if !viewer.role.is_region_admin() {
        return Err(DomainError::Forbidden("问卷由市、区残联管理"));
    }
    let Some(region) = &viewer.region else {
        return Ok(Condition::all());
    };
    let district = region
        .district()
        .map(|d| d.as_str().to_owned())
        .unwrap_or_default();
    if district.is_empty() {
        return Ok(Condition::all());
    }
    Ok(Condition::any()
        .add(C::ScopeCode.eq(crate::types::region_code_city()))
        .add(C::ScopeCode.eq(district)))
}

impl<'a> SurveyService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    pub(super) fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(
            self.p,
            self.caller,
            operation,
            "questionnaire",
            object_id,
            body,
        )
    }

    pub(super) async fn append<C: ConnectionTrait>(
        &self,
        conn: &C,
        operation: &'static str,
        object_type: &'static str,
        object_id: Uuid,
        detail: String,
    ) -> DomainResult<()> {
        audit::append(
            conn,
            self.p.audit_key(),
            &self.caller.actor(),
            AuditEntry {
                operation,
                object_type,
                object_id: object_id.to_string(),
                result: "SUCCESS".to_owned(),
                detail,
            },
        )
        .await
        .map(|_| ())
    }

    /// A city or district admin, who manages questionnaires and pushes them.
    pub(super) fn manager(&self) -> DomainResult<OutreachScope> {
        let viewer = self.caller.viewer()?;
        OutreachScope::of(viewer)
            .map_err(|_| DomainError::Forbidden("仅市、区残联管理员可以编辑、发布和推送问卷"))
    }

    fn read(row: questionnaire::Model) -> DomainResult<Questionnaire> {
        let draft = Definition::from_stored(&row.definition)?;
        Ok(Questionnaire { row, draft })
    }

    /// 问卷列表: the city's and the viewer's district's, newest first by default.
    pub async fn questionnaires(
        &self,
        status: Option<QuestionnaireStatus>,
        page: &PageRequest,
    ) -> DomainResult<Page<Questionnaire>> {
        let viewer = self.caller.viewer()?;
        let mut q = questionnaire::Entity::find().filter(visible(viewer)?);
        if let Some(s) = status {
            q = q.filter(questionnaire::Column::Status.eq(s.as_str()));
        }
        let rows = page
            .apply(q, questionnaire::Column::Id)
            .all(self.p.db.conn())
            .await?;
        let page = page.finish(rows);
        let items = page
            .items
            .into_iter()
            .map(Self::read)
            .collect::<DomainResult<Vec<_>>>()?;
        Ok(Page {
            items,
            has_previous: page.has_previous,
            has_next: page.has_next,
        })
    }

    /// One questionnaire a region admin sees.
    pub async fn questionnaire(&self, id: Uuid) -> DomainResult<Questionnaire> {
        let viewer = self.caller.viewer()?;
        let row = questionnaire::Entity::find_by_id(id)
            .filter(visible(viewer)?)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT })?;
        Self::read(row)
    }

    /// A published version's definition (any version a push or response refers to).
    pub async fn version(&self, questionnaire: Uuid, number: i32) -> DomainResult<Definition> {
        let v = questionnaire_version::Entity::find_by_id((questionnaire, number))
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT })?;
        Definition::from_stored(&v.definition)
    }

    /// The published versions of a questionnaire, oldest first.
    pub async fn versions(
        &self,
        questionnaire: Uuid,
    ) -> DomainResult<Vec<questionnaire_version::Model>> {
        Ok(questionnaire_version::Entity::find()
            .filter(questionnaire_version::Column::QuestionnaireId.eq(questionnaire))
            .order_by_asc(questionnaire_version::Column::Number)
            .all(self.p.db.conn())
            .await?)
    }

    /// 保存问卷 (city or district admin): a new questionnaire in the caller's region, or the
    /// draft of one they manage (optimistic versioning). The definition is checked whole first:
    /// nothing is written when any question is wrong.
    pub async fn save_questionnaire(
        &self,
        input: QuestionnaireInput,
    ) -> DomainResult<Questionnaire> {
        let object = input.id.map(|i| i.to_string()).unwrap_or_default();
        self.audited("survey.questionnaire.save", object, async {
            let scope = self.manager()?;
            let viewer = self.caller.viewer()?;
            let title = BoundedText::parse("input.title", &input.title, 200)?.into_string();
            let description = if input.description.trim().is_empty() {
                String::new()
            } else {
                BoundedText::parse("input.description", &input.description, 2000)?.into_string()
            };
            let definition = Definition::parse("input", &input.definition)?.to_stored()?;
            let now = Utc::now();
            let w = self.p.db.begin_write().await?;
            let row = match input.id {
                None => {
                    questionnaire::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        title: Set(title),
                        description: Set(description),
                        kind: Set(input.kind.as_str().to_owned()),
                        anonymous: Set(input.anonymous),
                        scope_code: Set(scope.code().to_owned()),
                        status: Set(QuestionnaireStatus::Draft.as_str().to_owned()),
                        definition: Set(definition),
                        published_version: Set(0),
                        version: Set(1),
                        created_by: Set(viewer.username.chars().take(64).collect()),
                        created_at: Set(now),
                        updated_at: Set(now),
                    }
                    .insert(&w.txn)
                    .await?
                }
                Some(id) => {
                    let current = questionnaire::Entity::find_by_id(id)
                        .one(&w.txn)
                        .await?
                        .filter(|q| scope.manages(&q.scope_code))
                        .ok_or(DomainError::NotFound { what: WHAT })?;
                    if Some(current.version) != input.version {
                        return Err(DomainError::Conflict(
                            "问卷已被他人修改，请刷新后重试".to_owned(),
                        ));
                    }
                    if current.status == QuestionnaireStatus::Closed.as_str() {
                        return Err(DomainError::Conflict("问卷已关闭，不能修改".to_owned()));
                    }
                    if current.published_version > 0 && current.anonymous != input.anonymous {
                        return Err(DomainError::bad_input(
                            "input.anonymous",
                            "问卷发布后不能更改是否匿名",
                        ));
                    }
                    let mut m: questionnaire::ActiveModel = current.clone().into();
                    m.title = Set(title);
                    m.description = Set(description);
                    m.kind = Set(input.kind.as_str().to_owned());
                    m.anonymous = Set(input.anonymous);
                    m.definition = Set(definition);
                    m.version = Set(current.version + 1);
                    m.updated_at = Set(now);
                    m.update(&w.txn).await?
                }
            };
            self.append(
                &w.txn,
                "survey.questionnaire.save",
                "questionnaire",
                row.id,
                format!("version={}", row.version),
            )
            .await?;
            w.commit().await?;
            Self::read(row)
        })
        .await
    }

    /// 发布问卷: the draft becomes a new frozen version that pushes and answers refer to.
    /// Publishing a draft identical to the last version changes nothing.
    pub async fn publish_questionnaire(
        &self,
        id: Uuid,
        version: i32,
    ) -> DomainResult<Questionnaire> {
        self.audited("survey.questionnaire.publish", id.to_string(), async {
            let scope = self.manager()?;
            let viewer = self.caller.viewer()?;
            let w = self.p.db.begin_write().await?;
            let current = questionnaire::Entity::find_by_id(id)
                .one(&w.txn)
                .await?
                .filter(|q| scope.manages(&q.scope_code))
                .ok_or(DomainError::NotFound { what: WHAT })?;
            if current.version != version {
                return Err(DomainError::Conflict(
                    "问卷已被他人修改，请刷新后重试".to_owned(),
                ));
            }
            if current.status == QuestionnaireStatus::Closed.as_str() {
                return Err(DomainError::Conflict("问卷已关闭，不能发布".to_owned()));
            }
            if current.published_version > 0 {
                let last =
                    questionnaire_version::Entity::find_by_id((id, current.published_version))
                        .one(&w.txn)
                        .await?;
                if last.is_some_and(|l| l.definition == current.definition) {
                    drop(w);
                    return Self::read(current);
                }
            }
            let number = current.published_version + 1;
            let now = Utc::now();
            questionnaire_version::ActiveModel {
                questionnaire_id: Set(id),
                number: Set(number),
                definition: Set(current.definition.clone()),
                published_by: Set(viewer.username.chars().take(64).collect()),
                published_at: Set(now),
            }
            .insert(&w.txn)
            .await?;
            let mut m: questionnaire::ActiveModel = current.clone().into();
            m.status = Set(QuestionnaireStatus::Published.as_str().to_owned());
            m.published_version = Set(number);
            m.version = Set(current.version + 1);
            m.updated_at = Set(now);
            let row = m.update(&w.txn).await?;
            self.append(
                &w.txn,
                "survey.questionnaire.publish",
                "questionnaire",
                id,
                format!("published_version={number}"),
            )
            .await?;
            w.commit().await?;
            Self::read(row)
        })
        .await
    }
}
