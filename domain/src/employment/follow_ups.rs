//! 就业跟踪回访: every hire is followed up by the person's district at 1, 3 and 6 months (still
//! employed, problems, support given). A follow-up that finds the person no longer employed
//! closes the later ones (retention is then known). Due and overdue follow-ups are listed for
//! the staff in scope; retention at 3 and 6 months feeds the statistics.

use chrono::{Months, NaiveDate, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::{EmploymentService, WHAT_FOLLOW_UP, today};
use crate::entities::{employment_follow_up, job_application};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::BoundedText;
use crate::viewer::ScopeKind;

/// Months after the first day of work when a hire is followed up.
pub const FOLLOW_UP_MONTHS: [u32; 3] = [1, 3, 6];

/// A follow-up as recorded.
#[derive(Debug, Clone, Default)]
pub struct FollowUpInput {
    /// Still employed.
    pub still_employed: bool,
    /// Problems met.
    pub problems: String,
    /// Support given.
    pub support: String,
}

code_enum! {
    /// 回访状态
    FollowUpStatus {
        /// 待回访
        #[default]
        Due = "DUE",
        /// 已回访
        Done = "DONE",
        /// 已离职，不再回访
        Closed = "CLOSED",
    }
}

/// The follow-ups of a hire, scheduled in the hire's transaction.
pub(super) async fn schedule<C: ConnectionTrait>(
    conn: &C,
    app: &job_application::Model,
    hired_on: NaiveDate,
) -> DomainResult<()> {
    let rows = FOLLOW_UP_MONTHS
        .iter()
        .map(|&m| employment_follow_up::ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(app.id),
            person_id: Set(app.person_id),
            enterprise_id: Set(app.enterprise_id),
            district_code: Set(app.district_code.clone()),
            month: Set(i16::try_from(m).unwrap_or(1)),
            due_on: Set(hired_on
                .checked_add_months(Months::new(m))
                .unwrap_or(hired_on)),
            status: Set(FollowUpStatus::Due.as_str().to_owned()),
            still_employed: Set(None),
            problems: Set(String::new()),
            support: Set(String::new()),
            recorded_by: Set(None),
            recorded_at: Set(None),
        });
    employment_follow_up::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

impl EmploymentService<'_> {
    /// Which follow-ups a region admin sees: their district's (a street-town, its people's).
    fn follow_up_scope(&self) -> DomainResult<Condition> {
        let (_, scope) = self.staff()?;
        use employment_follow_up::Column as C;
        Ok(match scope {
            ScopeKind::City => Condition::all(),
            ScopeKind::District(d) => Condition::all().add(C::DistrictCode.eq(d.as_str())),
            ScopeKind::Street(s) => {
                // Streets see their own people's follow-ups (through the applications).
                Condition::all().add(
                    C::ApplicationId.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(job_application::Column::Id)
                            .from(job_application::Entity)
                            .and_where(job_application::Column::StreetCode.eq(s.as_str()))
                            .to_owned(),
                    ),
                )
            }
            _ => Condition::all().add(C::Id.is_null()),
        })
    }

    /// 就业回访: due (or overdue only) follow-ups in scope, soonest first.
    pub async fn follow_ups(
        &self,
        status: Option<FollowUpStatus>,
        overdue_only: bool,
        page: &PageRequest,
    ) -> DomainResult<Page<employment_follow_up::Model>> {
        let mut q = employment_follow_up::Entity::find().filter(self.follow_up_scope()?);
        if let Some(s) = status {
            q = q.filter(employment_follow_up::Column::Status.eq(s.as_str()));
        }
        if overdue_only {
            q = q
                .filter(employment_follow_up::Column::Status.eq(FollowUpStatus::Due.as_str()))
                .filter(employment_follow_up::Column::DueOn.lt(today()));
        }
        let rows = page
            .apply(q, employment_follow_up::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(page.finish(rows))
    }

    /// One follow-up in the caller's scope, or `None` (a warning's follow-up).
    pub async fn follow_up_if_visible(
        &self,
        id: Uuid,
    ) -> DomainResult<Option<employment_follow_up::Model>> {
        Ok(employment_follow_up::Entity::find_by_id(id)
            .filter(self.follow_up_scope()?)
            .one(self.p.db.conn())
            .await?)
    }

    /// The follow-ups of many hires already shown, by month.
    pub async fn follow_ups_of(
        &self,
        applications: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Vec<employment_follow_up::Model>>> {
        let mut out: std::collections::HashMap<Uuid, Vec<_>> = std::collections::HashMap::new();
        if applications.is_empty() {
            return Ok(out);
        }
        for r in employment_follow_up::Entity::find()
            .filter(employment_follow_up::Column::ApplicationId.is_in(applications.iter().copied()))
            .order_by_asc(employment_follow_up::Column::Month)
            .all(self.p.db.conn())
            .await?
        {
            out.entry(r.application_id).or_default().push(r);
        }
        Ok(out)
    }

    /// 记录回访 (district or street staff of the person): a due follow-up is done; one that
    /// finds the person no longer employed closes the later ones. Not before its due day.
    pub async fn record_follow_up(
        &self,
        id: Uuid,
        input: FollowUpInput,
    ) -> DomainResult<employment_follow_up::Model> {
        self.audited(
            "employment.follow_up.record",
            "employment_follow_up",
            id.to_string(),
            async {
                let cond = self.follow_up_scope()?;
                let problems = if input.problems.trim().is_empty() {
                    String::new()
                } else {
                    BoundedText::parse("input.problems", &input.problems, 500)?.into_string()
                };
                let support = if input.support.trim().is_empty() {
                    String::new()
                } else {
                    BoundedText::parse("input.support", &input.support, 500)?.into_string()
                };
                let w = self.p.db.begin_write().await?;
                let cur = employment_follow_up::Entity::find_by_id(id)
                    .filter(cond)
                    .one(&w.txn)
                    .await?
                    .ok_or(DomainError::NotFound {
                        what: WHAT_FOLLOW_UP,
                    })?;
                if cur.status != FollowUpStatus::Due.as_str() {
                    return Err(DomainError::Conflict("该回访已记录".to_owned()));
                }
                // A week early is allowed (a visit planned ahead); more is a mistake.
                if cur.due_on > today() + chrono::Duration::days(7) {
                    return Err(DomainError::Conflict(format!(
                        "回访应在{}前后进行",
                        cur.due_on
                    )));
                }
                // Claimed while still due: of two recording at once, one goes on.
                let claimed = employment_follow_up::Entity::update_many()
                    .col_expr(
                        employment_follow_up::Column::Status,
                        sea_orm::sea_query::Expr::value(FollowUpStatus::Done.as_str()),
                    )
                    .filter(employment_follow_up::Column::Id.eq(cur.id))
                    .filter(employment_follow_up::Column::Status.eq(FollowUpStatus::Due.as_str()))
                    .exec(&w.txn)
                    .await?
                    .rows_affected;
                if claimed != 1 {
                    return Err(DomainError::Conflict("该回访已记录".to_owned()));
                }
                let now = Utc::now();
                let actor = self.actor_name();
                let mut m: employment_follow_up::ActiveModel = cur.clone().into();
                m.status = Set(FollowUpStatus::Done.as_str().to_owned());
                m.still_employed = Set(Some(input.still_employed));
                m.problems = Set(problems);
                m.support = Set(support);
                m.recorded_by = Set(Some(actor.clone()));
                m.recorded_at = Set(Some(now));
                let saved = m.update(&w.txn).await?;
                if !input.still_employed {
                    employment_follow_up::Entity::update_many()
                        .col_expr(
                            employment_follow_up::Column::Status,
                            sea_orm::sea_query::Expr::value(FollowUpStatus::Closed.as_str()),
                        )
                        .col_expr(
                            employment_follow_up::Column::StillEmployed,
                            sea_orm::sea_query::Expr::value(false),
                        )
                        .col_expr(
                            employment_follow_up::Column::Problems,
                            sea_orm::sea_query::Expr::value(format!(
                                "第{}个月回访时已离职",
                                cur.month
                            )),
                        )
                        .filter(employment_follow_up::Column::ApplicationId.eq(cur.application_id))
                        .filter(employment_follow_up::Column::Month.gt(cur.month))
                        .filter(
                            employment_follow_up::Column::Status.eq(FollowUpStatus::Due.as_str()),
                        )
                        .exec(&w.txn)
                        .await?;
                }
                self.append(
                    &w.txn,
                    "employment.follow_up.record",
                    "employment_follow_up",
                    id,
                    format!("month={} employed={}", cur.month, input.still_employed),
                )
                .await?;
                w.commit().await?;
                Ok(saved)
            },
        )
        .await
    }
}
