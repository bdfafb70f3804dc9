//! Saved analyses: a name and the analysis as asked, owned by the account that saved it and
//! shareable with the other staff of the same scope. Running a saved analysis applies the
//! runner's own scope: sharing never widens what anyone sees.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use super::{AnalysisInput, AnalysisService, Plan, today};
use crate::audit::AuditEntry;
use crate::error::{DomainError, DomainResult};
use crate::types::CITY_CODE;
use crate::viewer::{PersonScope, ScopeKind};

/// A saved analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAnalysis {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// The analysis as asked.
    pub input: AnalysisInput,
    /// Shared with the scope.
    pub shared: bool,
    /// The scope it belongs to (region code).
    pub scope_code: String,
    /// Whether the viewer saved it.
    pub mine: bool,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

fn ph(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

impl AnalysisService<'_> {
    fn scope_code(&self) -> DomainResult<String> {
        let viewer = self.viewer()?;
        Ok(match PersonScope::of(viewer).kind() {
            ScopeKind::City => CITY_CODE.to_owned(),
            ScopeKind::District(d) | ScopeKind::Street(d) => d.as_str().to_owned(),
            _ => return Err(DomainError::Forbidden("自定义分析仅限市、区、街镇管理员")),
        })
    }

    /// Save (or, with `id`, change one's own) analysis; it is checked as if run now.
    pub async fn save(
        &self,
        id: Option<Uuid>,
        name: &str,
        input: AnalysisInput,
        shared: bool,
    ) -> DomainResult<SavedAnalysis> {
        let viewer = self.viewer()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(DomainError::bad_input("name", "名称为1至50个字"));
        }
        Plan::check(self.p, viewer, &input, today())?;
        let scope_code = self.scope_code()?;
        let definition = serde_json::to_string(&input).map_err(DomainError::internal)?;
        let owner = viewer.account_id;
        let name = name.to_owned();
        crate::audit::audited_by(
            self.p,
            self.caller,
            "analysis.save",
            "saved_analysis",
            id.map(|i| i.to_string()).unwrap_or_default(),
            async move {
                let w = self.p.db.begin_write().await?;
                let b = w.txn.get_database_backend();
                let now = Utc::now();
                let id = match id {
                    Some(id) => {
                        let done = w
                            .txn
                            .execute_raw(Statement::from_sql_and_values(
                                b,
                                format!(
                                    "UPDATE saved_analyses SET name = {}, definition = {}, shared = {}, updated_at = {} \
                                     WHERE id = {} AND owner_account_id = {}",
                                    ph(b, 1), ph(b, 2), ph(b, 3), ph(b, 4), ph(b, 5), ph(b, 6)
                                ),
                                vec![
                                    name.clone().into(),
                                    definition.clone().into(),
                                    shared.into(),
                                    now.into(),
                                    id.into(),
                                    owner.into(),
                                ],
                            ))
                            .await?;
                        if done.rows_affected() == 0 {
                            return Err(DomainError::NotFound { what: "已保存的分析" });
                        }
                        id
                    }
                    None => {
                        let id = Uuid::now_v7();
                        let values: Vec<Value> = vec![
                            id.into(),
                            owner.into(),
                            scope_code.clone().into(),
                            name.clone().into(),
                            definition.clone().into(),
                            shared.into(),
                            now.into(),
                            now.into(),
                        ];
                        w.txn
                            .execute_raw(Statement::from_sql_and_values(
                                b,
                                format!(
                                    "INSERT INTO saved_analyses (id, owner_account_id, scope_code, name, definition, shared, created_at, updated_at) \
                                     VALUES ({})",
                                    (1..=8).map(|n| ph(b, n)).collect::<Vec<_>>().join(", ")
                                ),
                                values,
                            ))
                            .await?;
                        id
                    }
                };
                crate::audit::append(
                    &w.txn,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    AuditEntry {
                        operation: "analysis.save",
                        object_type: "saved_analysis",
                        object_id: id.to_string(),
                        result: "SUCCESS".to_owned(),
                        detail: format!("shared={shared}"),
                    },
                )
                .await?;
                w.commit().await?;
                Ok(SavedAnalysis {
                    id,
                    name,
                    input,
                    shared,
                    scope_code,
                    mine: true,
                    updated_at: now,
                })
            },
        )
        .await
    }

    /// The viewer's own analyses and those shared in their scope, newest first.
    pub async fn saved(&self) -> DomainResult<Vec<SavedAnalysis>> {
        let viewer = self.viewer()?;
        let scope_code = self.scope_code()?;
        let b = self.p.db.backend();
        let rows = self
            .p
            .db
            .conn()
            .query_all_raw(Statement::from_sql_and_values(
                b,
                format!(
                    "SELECT id, owner_account_id, scope_code, name, definition, shared, updated_at \
                     FROM saved_analyses WHERE owner_account_id = {} OR (shared = {} AND scope_code = {}) \
                     ORDER BY updated_at DESC LIMIT 200",
                    ph(b, 1),
                    ph(b, 2),
                    ph(b, 3)
                ),
                vec![viewer.account_id.into(), true.into(), scope_code.into()],
            ))
            .await?;
        rows.into_iter()
            .map(|r| {
                let definition: String = r.try_get("", "definition")?;
                let owner: Uuid = r.try_get("", "owner_account_id")?;
                Ok(SavedAnalysis {
                    id: r.try_get("", "id")?,
                    name: r.try_get("", "name")?,
                    input: serde_json::from_str(&definition).map_err(DomainError::internal)?,
                    shared: r.try_get("", "shared")?,
                    scope_code: r.try_get("", "scope_code")?,
                    mine: owner == viewer.account_id,
                    updated_at: r.try_get("", "updated_at")?,
                })
            })
            .collect()
    }
}
