//! 政策找人 as one service: pushes for city and district admins (publishing runs on the node's
//! job runner), follow-up tasks, review and re-checks for region staff in scope, warnings, the
//! statistics, the monthly report and its workbook, the downloads of materials — each decided
//! here from the caller, each change audited.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::model::{Attachment, Push, Task, TaskEvent, Warning};
use super::{
    AttachmentInput, DryRunRow, FollowUpInput, MonthlyReport, OutreachScope, PushInput,
    ReviewDecision, StatRow, TaskCursor, TaskStatus, WarningLevel, addressed, attach,
    attachments_of, count_tasks, create_push, download, draw_recheck_sample, dry_run, events_of,
    monthly_report, publish, push_by_id, pushes, record_follow_up, record_recheck, report_xlsx,
    review, run_publish_job, statistics, task_in_scope, tasks, tasks_of_person, warning, warnings,
};
use crate::Platform;
use crate::audit::{self, AuditEntry};
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::page::{Page, PageRequest};
use crate::person::Person;
use crate::viewer::{PersonScope, Viewer};

/// The monthly report and where to download it.
#[derive(Debug, Clone)]
pub struct Report {
    /// 月份 YYYY-MM
    pub month: String,
    /// 统计起日
    pub from: NaiveDate,
    /// 统计止日（结账日）
    pub to: NaiveDate,
    /// 各区域
    pub rows: Vec<StatRow>,
    /// 合计
    pub total: StatRow,
    /// 生成时间
    pub generated_at: DateTime<Utc>,
}

impl From<MonthlyReport> for Report {
    fn from(r: MonthlyReport) -> Self {
        Self {
            month: r.month,
            from: r.from,
            to: r.to,
            rows: r.rows,
            total: r.total,
            generated_at: r.generated_at,
        }
    }
}

/// Decides which warnings reach one subscriber.
#[derive(Debug, Clone)]
pub struct WarningWatch {
    viewer: Viewer,
}

impl WarningWatch {
    /// The level and street-town of a warning `event` addressed to this subscriber.
    pub fn on(&self, event: &DomainEvent) -> Option<(WarningLevel, String)> {
        match event {
            DomainEvent::OutreachWarning {
                street_code, level, ..
            } => {
                let level = WarningLevel::from_stored(level);
                addressed(&self.viewer, level, street_code).then(|| (level, street_code.clone()))
            }
            _ => None,
        }
    }
}

/// 政策找人 for one caller.
pub struct OutreachService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> OutreachService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    /// City and district admins: the pushes they may start and manage.
    fn manager(&self) -> DomainResult<OutreachScope> {
        OutreachScope::of(self.caller.viewer()?)
    }

    /// Region staff: the tasks of their scope.
    fn staff(&self) -> DomainResult<(&Viewer, PersonScope)> {
        let viewer = self
            .caller
            .region_admin("仅市、区、街镇管理员可查看政策找人")?;
        Ok((viewer, PersonScope::of(viewer)))
    }

    fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_type: &'s str,
        object_id: String,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(self.p, self.caller, operation, object_type, object_id, body)
    }

    /// 政策推送 the caller's scope started: a page, in the order they were created.
    pub async fn pushes(&self, page: &PageRequest) -> DomainResult<Page<Push>> {
        let scope = self.manager()?;
        Ok(pushes(&self.p.db, &scope, page).await?.map(Into::into))
    }

    /// One push.
    pub async fn push(&self, id: Uuid) -> DomainResult<Push> {
        let scope = self.manager()?;
        push_by_id(&self.p.db, &scope, id).await.map(Into::into)
    }

    /// The push of a task already shown to the caller (staff of any level see which push it
    /// belongs to).
    pub async fn push_of(&self, task: &Task) -> DomainResult<Option<Push>> {
        self.staff()?;
        use sea_orm::EntityTrait;
        Ok(
            crate::entities::outreach_push::Entity::find_by_id(task.push_id)
                .one(self.p.db.conn())
                .await?
                .map(Into::into),
        )
    }

    /// 发布前试算: people per street-town the push would reach.
    pub async fn dry_run(&self, id: Uuid) -> DomainResult<(Vec<DryRunRow>, u64)> {
        let scope = self.manager()?;
        dry_run(&self.p.db, &scope, id).await
    }

    /// 走访任务 in scope, optionally of one push and state: a page by due date, then id.
    pub async fn tasks(
        &self,
        push: Option<Uuid>,
        status: Option<TaskStatus>,
        page: &PageRequest<TaskCursor>,
    ) -> DomainResult<Page<Task>> {
        let (_, scope) = self.staff()?;
        Ok(tasks(&self.p.db, &scope, push, status, page)
            .await?
            .map(Into::into))
    }

    /// How many tasks in scope match.
    pub async fn count_tasks(
        &self,
        push: Option<Uuid>,
        status: Option<TaskStatus>,
    ) -> DomainResult<u64> {
        let (_, scope) = self.staff()?;
        count_tasks(&self.p.db, &scope, push, status).await
    }

    /// One task in scope.
    pub async fn task(&self, id: Uuid) -> DomainResult<Task> {
        let (_, scope) = self.staff()?;
        task_in_scope(self.p.db.conn(), &scope, id)
            .await
            .map(Into::into)
    }

    /// One task in scope, or `None` when it is not (a warning's task).
    pub async fn task_if_visible(&self, id: Uuid) -> DomainResult<Option<Task>> {
        match self.task(id).await {
            Ok(t) => Ok(Some(t)),
            Err(DomainError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The follow-ups of a person already shown to the caller, newest first.
    pub async fn tasks_of(&self, person: &Person) -> DomainResult<Vec<Task>> {
        self.caller.person_scope()?;
        Ok(tasks_of_person(&self.p.db, person.id())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// 政策找人 tasks of many persons (the file), newest first: one statement for any number
    /// of persons in the caller's scope.
    pub async fn tasks_of_many(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Vec<Task>>> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let scope = self.caller.person_scope()?;
        let mut out: std::collections::HashMap<Uuid, Vec<Task>> = std::collections::HashMap::new();
        for t in crate::entities::outreach_task::Entity::find()
            .filter(
                crate::entities::outreach_task::Column::PersonId
                    .in_subquery(crate::person::admitted(persons, &scope)),
            )
            .order_by_desc(crate::entities::outreach_task::Column::Id)
            .all(self.p.db.conn())
            .await?
        {
            out.entry(t.person_id).or_default().push(t.into());
        }
        Ok(out)
    }

    /// The history of a task already shown, oldest first.
    pub async fn events(&self, task: &Task) -> DomainResult<Vec<TaskEvent>> {
        Ok(events_of(&self.p.db, &[task.id])
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The materials of a task already shown.
    pub async fn attachments(&self, task: &Task) -> DomainResult<Vec<Attachment>> {
        Ok(attachments_of(&self.p.db, task.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// 预警: street-town staff their street-town's, district and city admins those escalated in
    /// their scope; a page in the order they were raised.
    pub async fn warnings(
        &self,
        include_resolved: bool,
        page: &PageRequest,
    ) -> DomainResult<Page<Warning>> {
        let viewer = self.caller.viewer()?;
        Ok(warnings(self.p, viewer, include_resolved, page)
            .await?
            .map(Into::into))
    }

    /// One warning addressed to the caller (`NOT_FOUND` otherwise).
    pub async fn warning(&self, id: Uuid) -> DomainResult<Warning> {
        let viewer = self.caller.viewer()?;
        warning(self.p, viewer, id)
            .await?
            .map(Into::into)
            .ok_or(DomainError::NotFound { what: "预警" })
    }

    /// One material, if its task is in the caller's scope (`NOT_FOUND` otherwise).
    pub async fn attachment(&self, id: Uuid) -> DomainResult<Attachment> {
        use sea_orm::EntityTrait;
        let (_, scope) = self.staff()?;
        let found = crate::entities::outreach_attachment::Entity::find_by_id(id)
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound {
                what: "佐证材料"
            })?;
        task_in_scope(self.p.db.conn(), &scope, found.task_id).await?;
        Ok(found.into())
    }

    /// The warning stream's watcher (region staff).
    pub fn watch_warnings(&self) -> DomainResult<WarningWatch> {
        let (viewer, _) = self.staff()?;
        Ok(WarningWatch {
            viewer: viewer.clone(),
        })
    }

    /// 统计: the city by district, a district by street-town (`by_street` for the city too).
    pub async fn statistics(
        &self,
        push: Option<Uuid>,
        by_street: bool,
    ) -> DomainResult<(Vec<StatRow>, StatRow)> {
        let (_, scope) = self.staff()?;
        statistics(&self.p.db, &scope, push, None, by_street, Utc::now()).await
    }

    /// 月报 of a month (`YYYY-MM`) in scope.
    pub async fn monthly_report(&self, month: &str) -> DomainResult<Report> {
        let (_, scope) = self.staff()?;
        monthly_report(
            &self.p.db,
            &scope,
            month,
            self.p.outreach.report_closing_day,
            Utc::now(),
        )
        .await
        .map(Into::into)
    }

    /// The monthly report as an XLSX workbook; the export is audited.
    pub async fn monthly_workbook(&self, month: &str) -> DomainResult<(String, Vec<u8>)> {
        let (_, scope) = self.staff()?;
        let report = monthly_report(
            &self.p.db,
            &scope,
            month,
            self.p.outreach.report_closing_day,
            Utc::now(),
        )
        .await?;
        let bytes = report_xlsx(&report, &self.p.regions)?;
        audit::record_failure(
            &self.p.db,
            self.p.audit_key(),
            &self.caller.actor(),
            AuditEntry {
                operation: "outreach.report.export",
                object_type: "report",
                object_id: report.month.clone(),
                result: "SUCCESS".to_owned(),
                detail: format!("scope={} rows={}", scope.describe(), report.rows.len()),
            },
        )
        .await?;
        Ok((report.month, bytes))
    }

    /// A material and its content, if its task is in scope; the download is audited.
    pub async fn download(&self, attachment: Uuid) -> DomainResult<(Attachment, Vec<u8>)> {
        let (_, scope) = self.staff()?;
        let (a, bytes) = download(
            &self.p.db,
            self.p.audit_key(),
            self.p.blobs.as_ref(),
            &self.caller.actor(),
            &scope,
            attachment,
        )
        .await?;
        Ok((a.into(), bytes))
    }

    /// 发起政策推送 (draft): the city city-wide, a district in its district.
    pub async fn create_push(&self, input: PushInput) -> DomainResult<Push> {
        self.audited(
            "outreach.push.create",
            "outreach_push",
            String::new(),
            async {
                let scope = self.manager()?;
                create_push(
                    &self.p.db,
                    self.p.audit_key(),
                    &self.p.regions,
                    &self.caller.actor(),
                    &scope,
                    &self.p.outreach,
                    &input,
                )
                .await
                .map(Into::into)
            },
        )
        .await
    }

    /// 发布推送: tasks and notices are made in the background; publishing again changes
    /// nothing.
    pub async fn publish(&self, id: Uuid) -> DomainResult<Push> {
        self.audited(
            "outreach.push.publish",
            "outreach_push",
            id.to_string(),
            async {
                let scope = self.manager()?;
                let (push, start) = publish(
                    &self.p.db,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    &scope,
                    id,
                )
                .await?;
                if start {
                    let p = self.p.clone();
                    let push_id = push.id;
                    self.p.jobs.spawn("outreach publishing", async move {
                        run_publish_job(&p.db, &p.cipher, &p.outreach, push_id)
                            .await
                            .map(|_| ())
                    });
                }
                Ok(push.into())
            },
        )
        .await
    }

    /// 登记走访结果 (the person's street-town): assigned or returned → submitted.
    pub async fn record_follow_up(&self, task: Uuid, input: FollowUpInput) -> DomainResult<Task> {
        self.audited(
            "outreach.task.submit",
            "outreach_task",
            task.to_string(),
            async {
                let viewer = self.caller.viewer()?;
                record_follow_up(
                    &self.p.db,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    viewer,
                    task,
                    &input,
                )
                .await
                .map(Into::into)
            },
        )
        .await
    }

    /// 上传佐证材料 (JPEG, PNG or PDF, by content).
    pub async fn attach(&self, task: Uuid, input: AttachmentInput) -> DomainResult<Attachment> {
        self.audited(
            "outreach.attachment.upload",
            "outreach_task",
            task.to_string(),
            async {
                let viewer = self.caller.viewer()?;
                attach(
                    &self.p.db,
                    self.p.audit_key(),
                    self.p.blobs.as_ref(),
                    &self.p.outreach,
                    &self.caller.actor(),
                    viewer,
                    task,
                    &input,
                )
                .await
                .map(Into::into)
            },
        )
        .await
    }

    /// 审核走访结果: approve, or return for completion with a reason.
    pub async fn review(
        &self,
        task: Uuid,
        decision: ReviewDecision,
        note: Option<&str>,
    ) -> DomainResult<Task> {
        self.audited(
            "outreach.task.review",
            "outreach_task",
            task.to_string(),
            async {
                let viewer = self.caller.viewer()?;
                review(
                    &self.p.db,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    viewer,
                    task,
                    decision,
                    note,
                )
                .await
                .map(Into::into)
            },
        )
        .await
    }

    /// 抽取电话复核样本: a reproducible share of a push's approved tasks.
    pub async fn draw_recheck_sample(
        &self,
        push: Uuid,
        share: f64,
        seed: u64,
    ) -> DomainResult<Vec<Task>> {
        self.audited(
            "outreach.recheck.draw",
            "outreach_push",
            push.to_string(),
            async {
                let viewer = self.caller.viewer()?;
                let ids = draw_recheck_sample(
                    &self.p.db,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    viewer,
                    push,
                    share,
                    seed,
                    &self.p.outreach,
                )
                .await?;
                let scope = PersonScope::of(viewer);
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    out.push(task_in_scope(self.p.db.conn(), &scope, id).await?.into());
                }
                Ok(out)
            },
        )
        .await
    }

    /// 登记电话复核结果: a disagreement returns the task to the street-town.
    pub async fn record_recheck(
        &self,
        task: Uuid,
        agree: bool,
        note: Option<&str>,
    ) -> DomainResult<Task> {
        self.audited(
            "outreach.task.recheck",
            "outreach_task",
            task.to_string(),
            async {
                let viewer = self.caller.viewer()?;
                record_recheck(
                    &self.p.db,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    viewer,
                    task,
                    agree,
                    note,
                )
                .await
                .map(Into::into)
            },
        )
        .await
    }
}
