//! Needs on a person's file: identified by a submission (or recorded by staff), worked by the
//! person's street-town (`IDENTIFIED → REFERRED → MET`, or `DECLINED`), each step kept with who,
//! when and a note; seen in scope by region admins and by the person.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::{NeedCategory, NeedStatus, SurveyService, WHAT_NEED};
use crate::entities::{need, need_event, person, service_item};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::BoundedText;
use crate::viewer::{PersonScope, ScopeKind, Viewer};

/// A need as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// Row.
    pub row: need::Model,
}

impl Need {
    /// Category.
    pub fn category(&self) -> NeedCategory {
        NeedCategory::from_stored(&self.row.category)
    }
    /// Status.
    pub fn status(&self) -> NeedStatus {
        NeedStatus::from_stored(&self.row.status)
    }
}

/// One step of a need.
pub type NeedEvent = need_event::Model;

/// Filters of the needs list.
#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    /// Status.
    pub status: Option<NeedStatus>,
    /// Category.
    pub category: Option<NeedCategory>,
    /// A district or street-town within the viewer's scope.
    pub region: Option<String>,
    /// One person.
    pub person_id: Option<Uuid>,
}

/// What to do with a need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedChange {
    /// 转介 to a catalog service item (or elsewhere, with a note).
    Refer(Option<Uuid>),
    /// 转为跟进任务: a visit of the person's street-town, due in so many working days (the
    /// configured 政策找人 period when `None`), worked like any outreach task.
    FollowUp(Option<u32>),
    /// 已满足.
    Meet,
    /// 本人谢绝.
    Decline,
    /// 补充记录 (status unchanged).
    Note,
}

impl NeedChange {
    fn action(self) -> &'static str {
        match self {
            Self::Refer(_) => "REFER",
            Self::FollowUp(_) => "FOLLOW_UP",
            Self::Meet => "MEET",
            Self::Decline => "DECLINE",
            Self::Note => "NOTE",
        }
    }
}

/// The status a change leads to, or why it cannot happen.
pub fn transition(from: NeedStatus, change: NeedChange) -> DomainResult<NeedStatus> {
    use NeedStatus as S;
    match (from, change) {
        (_, NeedChange::Note) => Ok(from),
        (S::Identified, NeedChange::Refer(_) | NeedChange::FollowUp(_)) => Ok(S::Referred),
        (S::Identified | S::Referred, NeedChange::Meet) => Ok(S::Met),
        (S::Identified | S::Referred, NeedChange::Decline) => Ok(S::Declined),
        _ => Err(DomainError::Conflict(format!(
            "需求当前为“{}”，不能{}",
            status_label(from),
            match change {
                NeedChange::Refer(_) => "转介",
                NeedChange::FollowUp(_) => "转为跟进任务",
                NeedChange::Meet => "标记为已满足",
                NeedChange::Decline => "标记为谢绝",
                NeedChange::Note => "补充记录",
            }
        ))),
    }
}

fn status_label(s: NeedStatus) -> &'static str {
    match s {
        NeedStatus::Identified => "已识别",
        NeedStatus::Referred => "已转介",
        NeedStatus::Met => "已满足",
        NeedStatus::Declined => "已谢绝",
    }
}

/// The needs rows a viewer sees: region admins by the person's street-town in scope, a citizen
/// their own.
pub(super) fn visible(viewer: &Viewer) -> Condition {
    use need::Column as C;
    match PersonScope::of(viewer).kind() {
        ScopeKind::City if viewer.role.is_region_admin() => Condition::all(),
        ScopeKind::District(d) if viewer.role.is_region_admin() => {
            Condition::all().add(C::DistrictCode.eq(d.as_str()))
        }
        ScopeKind::Street(s) if viewer.role.is_region_admin() => {
            Condition::all().add(C::StreetCode.eq(s.as_str()))
        }
        ScopeKind::Person(p) => Condition::all().add(C::PersonId.eq(*p)),
        _ => Condition::all().add(C::Id.is_null()),
    }
}

/// Insert the needs a submission identified, skipping categories the person already has open
/// (the partial unique index is the backstop). Returns how many were added.
pub(super) async fn identify<C: ConnectionTrait>(
    conn: &C,
    person: &person::Model,
    response_id: Uuid,
    found: &[(String, String)],
    actor: &str,
) -> DomainResult<usize> {
    if found.is_empty() {
        return Ok(0);
    }
    let open: Vec<String> = need::Entity::find()
        .filter(need::Column::PersonId.eq(person.id))
        .filter(need::Column::Status.is_in([
            NeedStatus::Identified.as_str(),
            NeedStatus::Referred.as_str(),
        ]))
        .all(conn)
        .await?
        .into_iter()
        .map(|n| n.category)
        .collect();
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut events = Vec::new();
    for (category, question) in found.iter().filter(|(c, _)| !open.contains(c)) {
        let id = Uuid::now_v7();
        rows.push(need::ActiveModel {
            id: Set(id),
            person_id: Set(person.id),
            category: Set(category.clone()),
            status: Set(NeedStatus::Identified.as_str().to_owned()),
            source: Set("QUESTIONNAIRE".to_owned()),
            response_id: Set(Some(response_id)),
            question_code: Set(Some(question.clone())),
            district_code: Set(person.district_code.clone()),
            street_code: Set(person.street_code.clone()),
            service_item_id: Set(None),
            outreach_task_id: Set(None),
            note: Set(String::new()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            updated_by: Set(actor.chars().take(64).collect()),
        });
        events.push(need_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            need_id: Set(id),
            action: Set("IDENTIFY".to_owned()),
            from_status: Set(String::new()),
            to_status: Set(NeedStatus::Identified.as_str().to_owned()),
            note: Set(format!("问卷题目 {question}")),
            actor: Set(actor.chars().take(64).collect()),
            at: Set(now),
        });
    }
    let n = rows.len();
    if n > 0 {
        need::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
        need_event::Entity::insert_many(events)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(n)
}

impl SurveyService<'_> {
    /// 需求清单 in the viewer's scope, newest first by default (keyset on ids).
    pub async fn needs(&self, filter: &NeedFilter, page: &PageRequest) -> DomainResult<Page<Need>> {
        let viewer = self.caller.viewer()?;
        let mut q = need::Entity::find().filter(visible(viewer));
        if let Some(s) = filter.status {
            q = q.filter(need::Column::Status.eq(s.as_str()));
        }
        if let Some(c) = filter.category {
            q = q.filter(need::Column::Category.eq(c.as_str()));
        }
        if let Some(p) = filter.person_id {
            q = q.filter(need::Column::PersonId.eq(p));
        }
        if let Some(r) = &filter.region {
            let code = crate::types::RegionCode::parse("filter.regionCode", r)?;
            q = match code.level() {
                crate::types::RegionLevel::District => {
                    q.filter(need::Column::DistrictCode.eq(code.as_str()))
                }
                crate::types::RegionLevel::Street => {
                    q.filter(need::Column::StreetCode.eq(code.as_str()))
                }
                crate::types::RegionLevel::City => q,
                crate::types::RegionLevel::Committee => {
                    return Err(DomainError::bad_input(
                        "filter.regionCode",
                        "请选择区或街镇",
                    ));
                }
            };
        }
        let rows = page
            .apply(q, need::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(page.finish(rows).map(|row| Need { row }))
    }

    /// One need the viewer sees.
    pub async fn need(&self, id: Uuid) -> DomainResult<Need> {
        let viewer = self.caller.viewer()?;
        need::Entity::find_by_id(id)
            .filter(visible(viewer))
            .one(self.p.db.conn())
            .await?
            .map(|row| Need { row })
            .ok_or(DomainError::NotFound { what: WHAT_NEED })
    }

    /// The needs of many persons (the person file), as the viewer may see them, newest first.
    pub async fn needs_of(&self, persons: &[Uuid]) -> DomainResult<HashMap<Uuid, Vec<Need>>> {
        let viewer = self.caller.viewer()?;
        let mut out: HashMap<Uuid, Vec<Need>> = HashMap::new();
        if persons.is_empty() {
            return Ok(out);
        }
        for row in need::Entity::find()
            .filter(visible(viewer))
            .filter(need::Column::PersonId.is_in(persons.iter().copied()))
            .order_by_desc(need::Column::Id)
            .all(self.p.db.conn())
            .await?
        {
            out.entry(row.person_id).or_default().push(Need { row });
        }
        Ok(out)
    }

    /// The steps of many needs, oldest first.
    pub async fn need_events(&self, needs: &[Uuid]) -> DomainResult<HashMap<Uuid, Vec<NeedEvent>>> {
        let mut out: HashMap<Uuid, Vec<NeedEvent>> = HashMap::new();
        if needs.is_empty() {
            return Ok(out);
        }
        for e in need_event::Entity::find()
            .filter(need_event::Column::NeedId.is_in(needs.iter().copied()))
            .order_by_asc(need_event::Column::Id)
            .all(self.p.db.conn())
            .await?
        {
            out.entry(e.need_id).or_default().push(e);
        }
        Ok(out)
    }

    /// 处理需求 (region admins whose scope holds the person; the street-town first of all):
    /// refer, meet, decline or add a note, with optimistic versioning; every step kept.
    pub async fn update_need(
        &self,
        id: Uuid,
        version: i32,
        change: NeedChange,
        note: &str,
    ) -> DomainResult<Need> {
        self.audited("survey.need.update", id.to_string(), async {
            let viewer = self.caller.viewer()?;
            if !viewer.role.is_region_admin() {
                return Err(DomainError::Forbidden(
                    "需求由残疾人所在街镇及区、市残联处理",
                ));
            }
            let note = if note.trim().is_empty() {
                String::new()
            } else {
                BoundedText::parse("note", note, 1000)?.into_string()
            };
            if matches!(change, NeedChange::Note | NeedChange::Decline) && note.is_empty() {
                return Err(DomainError::bad_input("note", "请填写说明"));
            }
            if let NeedChange::Refer(Some(item)) = change
                && service_item::Entity::find_by_id(item)
                    .one(self.p.db.conn())
                    .await?
                    .is_none()
            {
                return Err(DomainError::bad_input("serviceItemId", "服务事项不存在"));
            }
            let w = self.p.db.begin_write().await?;
            let current = need::Entity::find_by_id(id)
                .filter(visible(viewer))
                .one(&w.txn)
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_NEED })?;
            if current.version != version {
                return Err(DomainError::Conflict(
                    "需求已被他人更新，请刷新后重试".to_owned(),
                ));
            }
            let from = NeedStatus::from_stored(&current.status);
            let to = transition(from, change)?;
            let now = Utc::now();
            let actor: String = viewer.username.chars().take(64).collect();
            let mut m: need::ActiveModel = current.clone().into();
            m.status = Set(to.as_str().to_owned());
            if let NeedChange::Refer(item) = change {
                m.service_item_id = Set(item);
            }
            if let NeedChange::FollowUp(days) = change {
                let person = person::Entity::find_by_id(current.person_id)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound { what: WHAT_NEED })?;
                if person.status != "ACTIVE" {
                    return Err(DomainError::Conflict(
                        "该残疾人档案已注销，不能安排跟进".to_owned(),
                    ));
                }
                let category = NeedCategory::from_stored(&current.category);
                let task = crate::outreach::create_follow_up(
                    &w.txn,
                    &self.p.outreach,
                    &person,
                    &format!("需求跟进：{}", category.label()),
                    current.service_item_id,
                    days,
                    &actor,
                )
                .await?;
                m.outreach_task_id = Set(Some(task));
            }
            if !note.is_empty() {
                m.note = Set(note.clone());
            }
            m.version = Set(current.version + 1);
            m.updated_at = Set(now);
            m.updated_by = Set(actor.clone());
            let row = m.update(&w.txn).await?;
            need_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                need_id: Set(id),
                action: Set(change.action().to_owned()),
                from_status: Set(from.as_str().to_owned()),
                to_status: Set(to.as_str().to_owned()),
                note: Set(note),
                actor: Set(actor),
                at: Set(now),
            }
            .insert(&w.txn)
            .await?;
            self.append(
                &w.txn,
                "survey.need.update",
                "need",
                id,
                format!("{}:{}->{}", change.action(), from.as_str(), to.as_str()),
            )
            .await?;
            w.commit().await?;
            Ok(Need { row })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_move_forward_only() {
        use NeedStatus as S;
        assert_eq!(
            transition(S::Identified, NeedChange::Refer(None)).unwrap(),
            S::Referred
        );
        assert_eq!(transition(S::Referred, NeedChange::Meet).unwrap(), S::Met);
        assert_eq!(
            transition(S::Identified, NeedChange::Decline).unwrap(),
            S::Declined
        );
        assert_eq!(transition(S::Met, NeedChange::Note).unwrap(), S::Met);
        assert!(transition(S::Referred, NeedChange::Refer(None)).is_err());
        assert_eq!(
            transition(S::Identified, NeedChange::FollowUp(None)).unwrap(),
            S::Referred
        );
        assert!(transition(S::Referred, NeedChange::FollowUp(Some(5))).is_err());
        assert!(transition(S::Met, NeedChange::FollowUp(None)).is_err());
        assert!(transition(S::Met, NeedChange::Decline).is_err());
        assert!(transition(S::Declined, NeedChange::Meet).is_err());
    }
}
