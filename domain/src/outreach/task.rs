//! Follow-up tasks: the street-town's report, the district's review, telephone re-checks and
//! attached materials. Every change is a conditional update on the task's current state (two
//! concurrent moves cannot both apply), an event row and an audit record, in one transaction.

use chrono::{NaiveDate, Utc};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::push::today_shanghai;
use super::{Action, Outcome, OutreachConfig, ReturnReason, TaskStatus, VisitMethod, transition};
use crate::audit::{self, Actor, AuditEntry};
use crate::blob::{BlobStore, sm3_hex, sniff};
use crate::db::Db;
use crate::entities::{outreach_attachment, outreach_event, outreach_task};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::BoundedText;
use crate::viewer::{PersonScope, Role, ScopeKind, Viewer};

/// What a task is called in messages.
pub const WHAT_TASK: &str = "走访任务";

/// A street-town's report.
#[derive(Debug, Clone)]
pub struct FollowUpInput {
    /// How the person was reached.
    pub method: VisitMethod,
    /// What was found.
    pub outcome: Outcome,
    /// Notes.
    pub notes: Option<String>,
    /// When.
    pub visited_on: NaiveDate,
}

/// A district's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    /// 审核通过
    Approve,
    /// 退回完善, with the reason.
    Return(ReturnReason),
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct AttachmentInput {
    /// File name as uploaded.
    pub file_name: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// The row-scope condition on tasks: the one place a viewer's scope becomes SQL for outreach.
pub(crate) fn scope_condition(scope: &PersonScope) -> Condition {
    match scope.kind() {
        ScopeKind::City => Condition::all(),
        ScopeKind::District(d) => {
            Condition::all().add(outreach_task::Column::DistrictCode.eq(d.as_str()))
        }
        ScopeKind::Street(s) => {
            Condition::all().add(outreach_task::Column::StreetCode.eq(s.as_str()))
        }
        ScopeKind::Person(p) => Condition::all().add(outreach_task::Column::PersonId.eq(*p)),
        ScopeKind::Nothing => Condition::any(),
    }
}

/// One task inside the scope, or `NOT_FOUND` (also for tasks outside it).
pub async fn task_in_scope<C: ConnectionTrait>(
    conn: &C,
    scope: &PersonScope,
    id: Uuid,
) -> DomainResult<outreach_task::Model> {
    outreach_task::Entity::find_by_id(id)
        .filter(scope_condition(scope))
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT_TASK })
}

/// Where a page of tasks starts or ends: tasks are listed by due date, then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskCursor {
    /// The task's due date.
    pub due_on: NaiveDate,
    /// The task's id.
    pub id: Uuid,
}

impl TaskCursor {
    /// The cursor of a task.
    pub fn of(task: &outreach_task::Model) -> Self {
        Self {
            due_on: task.due_on,
            id: task.id,
        }
    }

    /// The opaque text a client holds (`2026-12-10~<uuid>`).
    pub fn encode(&self) -> String {
        format!("{}~{}", self.due_on, self.id)
    }

    /// A cursor the client sent back, or `BAD_USER_INPUT` naming `field`.
    pub fn parse(field: &str, text: &str) -> DomainResult<Self> {
        let bad = || DomainError::bad_input(field, "分页游标无效");
        let (d, i) = text.split_once('~').ok_or_else(bad)?;
        Ok(Self {
            due_on: NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad())?,
            id: Uuid::parse_str(i).map_err(|_| bad())?,
        })
    }

    /// Tasks after this one in list order.
    fn after(&self) -> Condition {
        Condition::any()
            .add(outreach_task::Column::DueOn.gt(self.due_on))
            .add(
                Condition::all()
                    .add(outreach_task::Column::DueOn.eq(self.due_on))
                    .add(outreach_task::Column::Id.gt(self.id)),
            )
    }

    /// Tasks before this one in list order.
    fn before(&self) -> Condition {
        Condition::any()
            .add(outreach_task::Column::DueOn.lt(self.due_on))
            .add(
                Condition::all()
                    .add(outreach_task::Column::DueOn.eq(self.due_on))
                    .add(outreach_task::Column::Id.lt(self.id)),
            )
    }
}

fn task_filter(
    scope: &PersonScope,
    push: Option<Uuid>,
    status: Option<TaskStatus>,
) -> sea_orm::Select<outreach_task::Entity> {
    let mut q = outreach_task::Entity::find().filter(scope_condition(scope));
    if let Some(p) = push {
        q = q.filter(outreach_task::Column::PushId.eq(p));
    }
    if let Some(s) = status {
        q = q.filter(outreach_task::Column::Status.eq(s.as_str()));
    }
    q
}

/// A page of tasks in scope, optionally of one push and state, by due date then id.
pub async fn tasks(
    db: &Db,
    scope: &PersonScope,
    push: Option<Uuid>,
    status: Option<TaskStatus>,
    page: &PageRequest<TaskCursor>,
) -> DomainResult<Page<outreach_task::Model>> {
    let mut q = task_filter(scope, push, status);
    if let Some(a) = &page.after {
        q = q.filter(a.after());
    }
    if let Some(b) = &page.before {
        q = q.filter(b.before());
    }
    let q = if page.backward {
        q.order_by_desc(outreach_task::Column::DueOn)
            .order_by_desc(outreach_task::Column::Id)
    } else {
        q.order_by_asc(outreach_task::Column::DueOn)
            .order_by_asc(outreach_task::Column::Id)
    };
    let rows = q.limit(page.size + 1).all(db.conn()).await?;
    Ok(page.finish(rows))
}

/// How many tasks in scope match (of one push and state).
pub async fn count_tasks(
    db: &Db,
    scope: &PersonScope,
    push: Option<Uuid>,
    status: Option<TaskStatus>,
) -> DomainResult<u64> {
    Ok(task_filter(scope, push, status).count(db.conn()).await?)
}

/// Tasks of one person (already admitted by scope), newest first.
pub async fn tasks_of_person(db: &Db, person: Uuid) -> DomainResult<Vec<outreach_task::Model>> {
    Ok(outreach_task::Entity::find()
        .filter(outreach_task::Column::PersonId.eq(person))
        .order_by_desc(outreach_task::Column::Id)
        .all(db.conn())
        .await?)
}

/// History of tasks, oldest first.
pub async fn events_of(db: &Db, tasks: &[Uuid]) -> DomainResult<Vec<outreach_event::Model>> {
    Ok(outreach_event::Entity::find()
        .filter(outreach_event::Column::TaskId.is_in(tasks.iter().copied()))
        .order_by_asc(outreach_event::Column::At)
        .order_by_asc(outreach_event::Column::Id)
        .all(db.conn())
        .await?)
}

/// Materials of a task.
pub async fn attachments_of(db: &Db, task: Uuid) -> DomainResult<Vec<outreach_attachment::Model>> {
    Ok(outreach_attachment::Entity::find()
        .filter(outreach_attachment::Column::TaskId.eq(task))
        .order_by_asc(outreach_attachment::Column::At)
        .all(db.conn())
        .await?)
}

/// One attachment and its content, if its task is in the viewer's scope (`NOT_FOUND` otherwise);
/// the download is audited.
pub async fn download(
    db: &Db,
    audit_key: &[u8],
    blobs: &dyn BlobStore,
    actor: &Actor,
    scope: &PersonScope,
    attachment: Uuid,
) -> DomainResult<(outreach_attachment::Model, Vec<u8>)> {
    let not_found = DomainError::NotFound {
        what: "佐证材料"
    };
    let a = outreach_attachment::Entity::find_by_id(attachment)
        .one(db.conn())
        .await?
        .ok_or(not_found)?;
    let task = task_in_scope(db.conn(), scope, a.task_id)
        .await
        .map_err(|_| DomainError::NotFound {
            what: "佐证材料"
        })?;
    let bytes = blobs
        .get(&a.sm3)
        .await?
        .ok_or_else(|| DomainError::internal("attachment object missing"))?;
    if sm3_hex(&bytes) != a.sm3 {
        return Err(DomainError::internal(
            "attachment object does not match its digest",
        ));
    }
    let w = db.begin_write().await?;
    audit::append(
        &w.txn,
        audit_key,
        actor,
        AuditEntry {
            operation: "outreach.attachment.download",
            object_type: "person",
            object_id: task.person_id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!("task={} attachment={}", task.id, a.id),
        },
    )
    .await?;
    w.commit().await?;
    Ok((a, bytes))
}

/// Move `task` from its current state by `action`, with `changes` applied, as a conditional
/// update; then the event and the audit record. All in `conn`'s transaction.
#[expect(clippy::too_many_arguments, reason = "the event row's fields")]
async fn apply<C: ConnectionTrait>(
    conn: &C,
    audit_key: &[u8],
    actor: &Actor,
    task: &outreach_task::Model,
    action: Action,
    reason: Option<ReturnReason>,
    note: Option<String>,
    changes: impl FnOnce(&mut outreach_task::ActiveModel),
) -> DomainResult<outreach_task::Model> {
    let from = TaskStatus::from_stored(&task.status);
    let to = transition(from, action)?;
    let mut m: outreach_task::ActiveModel = task.clone().into();
    m.status = Set(to.as_str().to_owned());
    m.updated_at = Set(Utc::now());
    changes(&mut m);
    // Conditional on the state we read: a concurrent move makes this one a conflict.
    let res = outreach_task::Entity::update_many()
        .set(m)
        .filter(outreach_task::Column::Id.eq(task.id))
        .filter(outreach_task::Column::Status.eq(from.as_str()))
        .exec(conn)
        .await?;
    if res.rows_affected != 1 {
        return Err(DomainError::Conflict(
            "任务已被他人处理，请刷新后重试".to_owned(),
        ));
    }
    outreach_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        task_id: Set(task.id),
        person_id: Set(task.person_id),
        from_status: Set(Some(from.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        action: Set(action.as_str().to_owned()),
        reason_code: Set(reason.map(|r| r.as_str().to_owned())),
        note: Set(note),
        actor_id: Set(actor.id.chars().take(64).collect()),
        actor_role: Set(actor.role.chars().take(32).collect()),
        at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        audit_key,
        actor,
        AuditEntry {
            operation: match action {
                Action::Submit => "outreach.task.submit",
                Action::Approve => "outreach.task.approve",
                Action::Return => "outreach.task.return",
                Action::RecheckAgree | Action::RecheckDisagree => "outreach.task.recheck",
            },
            object_type: "person",
            object_id: task.person_id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!("task={} {}->{}", task.id, from.as_str(), to.as_str()),
        },
    )
    .await?;
    outreach_task::Entity::find_by_id(task.id)
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT_TASK })
}

fn note(field: &str, raw: Option<&str>, max: usize) -> DomainResult<Option<String>> {
    raw.filter(|n| !n.trim().is_empty())
        .map(|n| BoundedText::parse(field, n, max).map(BoundedText::into_string))
        .transpose()
}

/// The street-town reports a visit (first time, or after a return).
pub async fn record_follow_up(
    db: &Db,
    audit_key: &[u8],
    actor: &Actor,
    viewer: &Viewer,
    task_id: Uuid,
    input: &FollowUpInput,
) -> DomainResult<outreach_task::Model> {
    if viewer.role != Role::StreetAdmin {
        return Err(DomainError::Forbidden(
            "走访结果由对象所在街镇的工作人员登记",
        ));
    }
    let notes = note("input.notes", input.notes.as_deref(), 1000)?;
    if input.visited_on > today_shanghai() {
        return Err(DomainError::bad_input(
            "input.visitedOn",
            "走访日期不能晚于今天",
        ));
    }
    let scope = PersonScope::of(viewer);
    let w = db.begin_write().await?;
    let task = task_in_scope(&w.txn, &scope, task_id).await?;
    if input.visited_on < task.updated_at.date_naive() - chrono::Duration::days(366) {
        return Err(DomainError::bad_input(
            "input.visitedOn",
            "走访日期早于任务下达日期",
        ));
    }
    let now = Utc::now();
    let first = task.first_submitted_at.is_none();
    let (method, outcome, visited) = (input.method, input.outcome, input.visited_on);
    let row = apply(
        &w.txn,
        audit_key,
        actor,
        &task,
        Action::Submit,
        None,
        notes.clone(),
        |m| {
            m.method = Set(Some(method.as_str().to_owned()));
            m.outcome = Set(Some(outcome.as_str().to_owned()));
            m.notes = Set(notes);
            m.visited_on = Set(Some(visited));
            m.submitted_at = Set(Some(now));
            if first {
                m.first_submitted_at = Set(Some(now));
            }
        },
    )
    .await?;
    w.commit().await?;
    Ok(row)
}

/// The district approves or returns a submitted follow-up.
pub async fn review(
    db: &Db,
    audit_key: &[u8],
    actor: &Actor,
    viewer: &Viewer,
    task_id: Uuid,
    decision: ReviewDecision,
    note_text: Option<&str>,
) -> DomainResult<outreach_task::Model> {
    if !matches!(viewer.role, Role::DistrictAdmin | Role::CityAdmin) {
        return Err(DomainError::Forbidden("走访结果由区、市管理员审核"));
    }
    let n = note("note", note_text, 500)?;
    let w = db.begin_write().await?;
    let task = task_in_scope(&w.txn, &PersonScope::of(viewer), task_id).await?;
    let now = Utc::now();
    let row = match decision {
        ReviewDecision::Approve => {
            apply(
                &w.txn,
                audit_key,
                actor,
                &task,
                Action::Approve,
                None,
                n,
                |m| {
                    m.reviewed_at = Set(Some(now));
                },
            )
            .await?
        }
        ReviewDecision::Return(reason) => {
            let count = task.return_count + 1;
            apply(
                &w.txn,
                audit_key,
                actor,
                &task,
                Action::Return,
                Some(reason),
                n,
                |m| {
                    m.reviewed_at = Set(Some(now));
                    m.return_count = Set(count);
                },
            )
            .await?
        }
    };
    w.commit().await?;
    Ok(row)
}

/// Pick `share` of `candidates` (at least one when there are any), reproducibly from `seed`.
pub fn sample(candidates: &[Uuid], share: f64, seed: u64) -> Vec<Uuid> {
    let mut ids = candidates.to_vec();
    ids.sort();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    ids.shuffle(&mut rng);
    let n = ((ids.len() as f64) * share).ceil() as usize;
    ids.truncate(n.min(ids.len()));
    ids.sort();
    ids
}

/// Draw a telephone re-check sample: `share` of the push's approved, not yet drawn tasks in the
/// viewer's scope, reproducibly from `seed`. Returns the drawn task ids.
#[expect(
    clippy::too_many_arguments,
    reason = "actor, scope and the draw's parameters"
)]
pub async fn draw_recheck_sample(
    db: &Db,
    audit_key: &[u8],
    actor: &Actor,
    viewer: &Viewer,
    push_id: Uuid,
    share: f64,
    seed: u64,
    _config: &OutreachConfig,
) -> DomainResult<Vec<Uuid>> {
    if !matches!(viewer.role, Role::DistrictAdmin | Role::CityAdmin) {
        return Err(DomainError::Forbidden("电话复核由区、市管理员组织"));
    }
    if !(share > 0.0 && share <= 1.0) {
        return Err(DomainError::bad_input("share", "抽样比例应在0–1之间"));
    }
    let w = db.begin_write().await?;
    let candidates: Vec<Uuid> = outreach_task::Entity::find()
        .select_only()
        .column(outreach_task::Column::Id)
        .filter(scope_condition(&PersonScope::of(viewer)))
        .filter(outreach_task::Column::PushId.eq(push_id))
        .filter(outreach_task::Column::Status.eq(TaskStatus::Approved.as_str()))
        .filter(outreach_task::Column::RecheckSampleSeed.is_null())
        .into_tuple()
        .all(&w.txn)
        .await?;
    let drawn = sample(&candidates, share, seed);
    if !drawn.is_empty() {
        outreach_task::Entity::update_many()
            .col_expr(
                outreach_task::Column::RecheckSampleSeed,
                Expr::value(i64::from_ne_bytes(seed.to_ne_bytes())),
            )
            .filter(outreach_task::Column::Id.is_in(drawn.iter().copied()))
            .exec(&w.txn)
            .await?;
    }
    audit::append(
        &w.txn,
        audit_key,
        actor,
        AuditEntry {
            operation: "outreach.recheck.draw",
            object_type: "outreach_push",
            object_id: push_id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!(
                "seed={seed} share={share} candidates={} drawn={}",
                candidates.len(),
                drawn.len()
            ),
        },
    )
    .await?;
    w.commit().await?;
    Ok(drawn)
}

/// Record a telephone re-check of a drawn task; a disagreement reopens it (returned to the
/// street-town).
pub async fn record_recheck(
    db: &Db,
    audit_key: &[u8],
    actor: &Actor,
    viewer: &Viewer,
    task_id: Uuid,
    agree: bool,
    note_text: Option<&str>,
) -> DomainResult<outreach_task::Model> {
    if !matches!(viewer.role, Role::DistrictAdmin | Role::CityAdmin) {
        return Err(DomainError::Forbidden("电话复核由区、市管理员登记"));
    }
    let n = note("note", note_text, 500)?;
    let w = db.begin_write().await?;
    let task = task_in_scope(&w.txn, &PersonScope::of(viewer), task_id).await?;
    if task.recheck_sample_seed.is_none() {
        return Err(DomainError::Conflict("该任务未被抽中电话复核".to_owned()));
    }
    let row = if agree {
        apply(
            &w.txn,
            audit_key,
            actor,
            &task,
            Action::RecheckAgree,
            None,
            n,
            |m| {
                m.recheck_result = Set(Some("AGREE".to_owned()));
            },
        )
        .await?
    } else {
        let count = task.return_count + 1;
        apply(
            &w.txn,
            audit_key,
            actor,
            &task,
            Action::RecheckDisagree,
            Some(ReturnReason::RecheckDisagreement),
            n,
            |m| {
                m.recheck_result = Set(Some("DISAGREE".to_owned()));
                m.return_count = Set(count);
            },
        )
        .await?
    };
    w.commit().await?;
    Ok(row)
}

/// Attach a material (JPEG, PNG or PDF, sniffed from its bytes) to a task of the street-town's.
#[expect(clippy::too_many_arguments, reason = "actor, scope, store and limits")]
pub async fn attach(
    db: &Db,
    audit_key: &[u8],
    blobs: &dyn BlobStore,
    config: &OutreachConfig,
    actor: &Actor,
    viewer: &Viewer,
    task_id: Uuid,
    input: &AttachmentInput,
) -> DomainResult<outreach_attachment::Model> {
    if viewer.role != Role::StreetAdmin {
        return Err(DomainError::Forbidden(
            "佐证材料由对象所在街镇的工作人员上传",
        ));
    }
    let name = BoundedText::parse("file.name", &input.file_name, 200)?.into_string();
    if name.contains(['/', '\\']) {
        return Err(DomainError::bad_input("file.name", "文件名不能包含路径"));
    }
    if input.bytes.is_empty() {
        return Err(DomainError::bad_input("file", "文件为空"));
    }
    if input.bytes.len() > config.attachment_max_bytes {
        return Err(DomainError::bad_input(
            "file",
            format!(
                "文件不能超过{} MB",
                config.attachment_max_bytes / (1024 * 1024)
            ),
        ));
    }
    let Some(content_type) = sniff(&input.bytes) else {
        return Err(DomainError::bad_input(
            "file",
            "只接受 JPEG、PNG 图片或 PDF 文件",
        ));
    };
    let task = task_in_scope(db.conn(), &PersonScope::of(viewer), task_id).await?;
    let status = TaskStatus::from_stored(&task.status);
    if !matches!(
        status,
        TaskStatus::Assigned | TaskStatus::Returned | TaskStatus::Submitted
    ) {
        return Err(DomainError::Conflict(format!(
            "任务当前状态为 {}，不能再上传材料",
            status.as_str()
        )));
    }
    let count = outreach_attachment::Entity::find()
        .filter(outreach_attachment::Column::TaskId.eq(task.id))
        .count(db.conn())
        .await?;
    if count >= config.attachments_per_task as u64 {
        return Err(DomainError::bad_input(
            "file",
            format!("每个任务最多{}个材料", config.attachments_per_task),
        ));
    }
    let digest = sm3_hex(&input.bytes);
    // The object first: a row never points at a missing object (an orphan object is harmless).
    blobs.put(&digest, &input.bytes).await?;
    let w = db.begin_write().await?;
    let row = outreach_attachment::ActiveModel {
        id: Set(Uuid::now_v7()),
        task_id: Set(task.id),
        file_name: Set(name),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(i64::try_from(input.bytes.len()).unwrap_or(i64::MAX)),
        sm3: Set(digest),
        uploaded_by: Set(actor.id.chars().take(64).collect()),
        at: Set(Utc::now()),
    }
    .insert(&w.txn)
    .await?;
    audit::append(
        &w.txn,
        audit_key,
        actor,
        AuditEntry {
            operation: "outreach.attachment.upload",
            object_type: "person",
            object_id: task.person_id.to_string(),
            result: "SUCCESS".to_owned(),
            detail: format!(
                "task={} type={content_type} bytes={}",
                task.id,
                input.bytes.len()
            ),
        },
    )
    .await?;
    w.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_reproducible_and_sized_by_share() {
        let ids: Vec<Uuid> = (0..50).map(|_| Uuid::now_v7()).collect();
        let a = sample(&ids, 0.1, 42);
        let mut shuffled = ids.clone();
        shuffled.reverse();
        assert_eq!(
            a,
            sample(&shuffled, 0.1, 42),
            "order of candidates does not matter"
        );
        assert_eq!(a.len(), 5);
        assert_ne!(a, sample(&ids, 0.1, 43));
        assert_eq!(sample(&ids[..3], 0.1, 1).len(), 1, "at least one");
        assert!(sample(&[], 0.5, 1).is_empty());
    }
}
