//! Eligibility as one service: rule versions, dry runs and publication for catalog managers (the
//! publication of an automatic item's rule starts its grant job on the node's job runner),
//! explained matching of one person for those who may see their file.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::rule::{self, FactType};
use super::{
    Condition, DryRun, GrantContext, JobStatus, RuleStatus, Verdict, dry_run, job, match_person,
    publish_rule, rerun_job, rule_versions, run_grant_job, save_rule,
};
use crate::Platform;
use crate::audit;
use crate::caller::Caller;
use crate::catalog::{CatalogScope, ServiceItem};
use crate::entities::{eligibility_rule, grant_job};
use crate::error::{DomainError, DomainResult};
use crate::person::Person;

/// A fact rules may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    /// Name in CEL.
    pub name: &'static str,
    /// Its type.
    pub kind: FactType,
    /// What it is (zh-CN).
    pub description: &'static str,
}

/// One version of an item's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityRule {
    /// Id.
    pub id: Uuid,
    /// The service item.
    pub service_item_id: Uuid,
    /// 版本
    pub version: i32,
    /// 状态
    pub status: RuleStatus,
    /// Conditions, all of which must hold.
    pub conditions: Vec<Condition>,
    /// Saved.
    pub created_at: DateTime<Utc>,
    /// Put in force.
    pub published_at: Option<DateTime<Utc>>,
}

impl From<eligibility_rule::Model> for EligibilityRule {
    fn from(m: eligibility_rule::Model) -> Self {
        Self {
            id: m.id,
            service_item_id: m.service_item_id,
            version: m.version,
            status: RuleStatus::from_stored(&m.status),
            conditions: rule::parse_stored(&m.conditions).unwrap_or_default(),
            created_at: m.created_at,
            published_at: m.published_at,
        }
    }
}

/// A 免申即享 grant job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantJob {
    /// Id.
    pub id: Uuid,
    /// The automatic service item.
    pub service_item_id: Uuid,
    /// Rule version it applies.
    pub rule_version: i32,
    /// 状态
    pub status: JobStatus,
    /// People evaluated so far.
    pub evaluated: i32,
    /// Grants made.
    pub granted: i32,
    /// Grants ended.
    pub revoked: i32,
    /// Why it stopped, when it failed.
    pub error: Option<String>,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<grant_job::Model> for GrantJob {
    fn from(m: grant_job::Model) -> Self {
        Self {
            id: m.id,
            service_item_id: m.service_item_id,
            rule_version: m.rule_version,
            status: JobStatus::from_stored(&m.status),
            evaluated: m.evaluated,
            granted: m.granted,
            revoked: m.revoked,
            error: m.error,
            started_at: m.started_at,
            finished_at: m.finished_at,
        }
    }
}

/// One service's verdict for one person.
#[derive(Debug, Clone)]
pub struct Match {
    /// The item.
    pub item: ServiceItem,
    /// Rule version applied.
    pub rule_version: i32,
    /// Whether the person already holds an automatic grant of it.
    pub granted: bool,
    /// Verdict and reasons.
    pub verdict: Verdict,
}

/// Eligibility for one caller.
pub struct EligibilityService<'a> {
    p: &'a Platform,
    caller: &'a Caller,
}

impl<'a> EligibilityService<'a> {
    /// The service for `caller`.
    pub fn new(p: &'a Platform, caller: &'a Caller) -> Self {
        Self { p, caller }
    }

    /// The facts a rule may read.
    pub fn facts(&self) -> Vec<Fact> {
        rule::FACTS
            .iter()
            .map(|(name, kind, description)| Fact {
                name,
                kind: *kind,
                description,
            })
            .collect()
    }

    fn manager(&self) -> DomainResult<CatalogScope> {
        CatalogScope::of(self.caller.viewer()?)
    }

    fn audited<'s, T: Send + 's>(
        &'s self,
        operation: &'s str,
        object_type: &'s str,
        object_id: Uuid,
        body: impl std::future::Future<Output = DomainResult<T>> + Send + 's,
    ) -> audit::Audited<'s, T> {
        audit::audited_by(
            self.p,
            self.caller,
            operation,
            object_type,
            object_id.to_string(),
            body,
        )
    }

    /// Run a grant job on the node's job runner.
    fn start(&self, job_id: Uuid) {
        let p = self.p.clone();
        self.p.jobs.spawn("grant job", async move {
            let g = GrantContext {
                db: &p.db,
                cipher: &p.cipher,
            };
            run_grant_job(&g, job_id).await.map(|_| ())
        });
    }

    /// Rule versions of an item, newest first (catalog managers).
    pub async fn rules(&self, service_item: Uuid) -> DomainResult<Vec<EligibilityRule>> {
        self.manager()?;
        Ok(rule_versions(&self.p.db, service_item)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The rule version in force of an item (public, as the catalog is), if it has one.
    pub async fn rule_in_force(&self, item: &ServiceItem) -> DomainResult<Option<EligibilityRule>> {
        if item.rule_version == 0 {
            return Ok(None);
        }
        Ok(rule_versions(&self.p.db, item.id)
            .await?
            .into_iter()
            .find(|r| r.version == item.rule_version)
            .map(Into::into))
    }

    /// One rule version (catalog managers).
    pub async fn rule(&self, id: Uuid) -> DomainResult<EligibilityRule> {
        self.manager()?;
        super::rule_by_id(&self.p.db, id).await.map(Into::into)
    }

    /// 发布前试算: who would newly qualify or lose the service, by district.
    pub async fn dry_run(&self, rule_id: Uuid) -> DomainResult<DryRun> {
        let scope = self.manager()?;
        dry_run(&self.p.db, &scope, rule_id).await
    }

    /// One grant job's progress (catalog managers).
    pub async fn grant_job(&self, id: Uuid) -> DomainResult<GrantJob> {
        self.manager()?;
        job(&self.p.db, id).await.map(Into::into)
    }

    /// 保存适用条件: a new draft version; each expression must parse, read known facts only and
    /// yield true or false.
    pub async fn save_rule(
        &self,
        service_item: Uuid,
        conditions: Vec<Condition>,
    ) -> DomainResult<EligibilityRule> {
        self.audited(
            "eligibility.rule.save",
            "service_item",
            service_item,
            async {
                let scope = self.manager()?;
                let actor = self.caller.actor();
                save_rule(
                    &self.p.db,
                    self.p.audit_key(),
                    &actor,
                    &scope,
                    service_item,
                    &conditions,
                )
                .await
                .map(Into::into)
            },
        )
        .await
    }

    /// 发布适用条件, provided the version in force is still `expected_current` (0 = none); an
    /// automatic item's publication starts its grant job.
    pub async fn publish_rule(
        &self,
        rule_id: Uuid,
        expected_current: i32,
    ) -> DomainResult<(EligibilityRule, Option<GrantJob>)> {
        self.audited(
            "eligibility.rule.publish",
            "eligibility_rule",
            rule_id,
            async {
                let scope = self.manager()?;
                let actor = self.caller.actor();
                let (rule, job) = publish_rule(
                    &self.p.db,
                    self.p.audit_key(),
                    &actor,
                    &scope,
                    rule_id,
                    expected_current,
                )
                .await?;
                if let Some(j) = &job {
                    self.start(j.id);
                }
                Ok((rule.into(), job.map(Into::into)))
            },
        )
        .await
    }

    /// 重新运行自动发放: idempotent, it grants only what is missing.
    pub async fn rerun_grant_job(&self, service_item: Uuid) -> DomainResult<GrantJob> {
        self.audited(
            "eligibility.grant_job.rerun",
            "service_item",
            service_item,
            async {
                let scope = self.manager()?;
                let actor = self.caller.actor();
                let job = rerun_job(&self.p.db, &actor, &scope, service_item).await?;
                self.start(job.id);
                Ok(job.into())
            },
        )
        .await
    }

    /// 可享受服务匹配 of many persons (the file): region admins for persons in their scope, a
    /// citizen for themself. Three statements for any number of persons.
    pub async fn matches_of_many(
        &self,
        persons: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Vec<Match>>> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let viewer = self.caller.viewer()?;
        let scope = self.caller.person_scope()?;
        let mut rows = crate::entities::person::Entity::find()
            .filter(crate::entities::person::Column::Id.is_in(persons.iter().copied()))
            .filter(crate::person::scope_condition(&scope))
            .all(self.p.db.conn())
            .await?;
        if !viewer.role.is_region_admin() {
            rows.retain(|r| viewer.person_id == Some(r.id));
        }
        Ok(super::match_persons(&self.p.db, &rows)
            .await?
            .into_iter()
            .map(|(id, ms)| {
                (
                    id,
                    ms.into_iter()
                        .map(|m| Match {
                            item: m.item.into(),
                            rule_version: m.rule_version,
                            granted: m.granted,
                            verdict: m.verdict,
                        })
                        .collect(),
                )
            })
            .collect())
    }

    /// 可享受服务匹配 of a person already shown to the caller: region admins and the citizen
    /// themself see it.
    pub async fn matches(&self, person: &Person) -> DomainResult<Vec<Match>> {
        let viewer = self.caller.viewer()?;
        let own = viewer.person_id == Some(person.id());
        if !(viewer.role.is_region_admin() || own) {
            return Err(DomainError::Forbidden("当前角色无权查看服务匹配"));
        }
        Ok(match_person(&self.p.db, person.row())
            .await?
            .into_iter()
            .map(|m| Match {
                item: m.item.into(),
                rule_version: m.rule_version,
                granted: m.granted,
                verdict: m.verdict,
            })
            .collect())
    }
}
