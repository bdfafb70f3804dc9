//! Abnormal-spending alerts (R36): raised in the same transaction as the spending that meets a
//! rule (one per rule and record, by a unique index), with an SMS to the supervisor and to the
//! ward through the outbox (deduplicated per alert and recipient) and a live event after the
//! commit. An alert moves `OPEN → ACKNOWLEDGED → EXPLAINED` or `CONFIRMED_MISUSE`, every step
//! with its note kept; one not handled within `escalate_after_days` escalates to the district.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use super::CustodyService;
use super::rules::{Hit, TxnFacts};
use crate::Platform;
use crate::eligibility::rule::age_on;
use crate::entities::{
    account, custodianship, custody_alert, custody_alert_event, person, spending_record,
};
use crate::error::{DomainError, DomainResult};
use crate::events::DomainEvent;
use crate::page::{Page, PageRequest};
use crate::sms::{self, SmsTemplate};
use crate::types::{BoundedText, Fen, Phone};
use crate::viewer::{PersonScope, Role, ScopeKind, Viewer};

/// What the error messages call an alert.
pub const WHAT_ALERT: &str = "预警";

/// Alert settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustodyConfig {
    /// Days an alert not yet explained or confirmed waits before escalating to the district.
    pub escalate_after_days: i64,
}

impl Default for CustodyConfig {
    fn default() -> Self {
        Self {
            escalate_after_days: 3,
        }
    }
}

code_enum! {
    /// 预警状态
    AlertStatus {
        /// 待处理
        #[default]
        Open = "OPEN",
        /// 已确认收到
        Acknowledged = "ACKNOWLEDGED",
        /// 已说明（支出合理）
        Explained = "EXPLAINED",
        /// 确认挪用
        ConfirmedMisuse = "CONFIRMED_MISUSE",
    }
}

impl AlertStatus {
    /// Whether it still needs handling.
    pub fn unhandled(self) -> bool {
        matches!(self, Self::Open | Self::Acknowledged)
    }
}

code_enum! {
    /// 预警层级
    AlertLevel {
        /// 街镇
        #[default]
        Street = "STREET",
        /// 已升级到区
        District = "DISTRICT",
    }
}

code_enum! {
    /// 预警处理动作
    AlertAction {
        /// 确认收到
        #[default]
        Acknowledge = "ACKNOWLEDGE",
        /// 说明为合理支出
        Explain = "EXPLAIN",
        /// 确认挪用
        ConfirmMisuse = "CONFIRM_MISUSE",
        /// 补充记录
        Note = "NOTE",
    }
}

/// Which alerts to list.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    /// Only in this state.
    pub status: Option<AlertStatus>,
    /// Only at this level.
    pub level: Option<AlertLevel>,
    /// One custodianship's.
    pub custodianship_id: Option<Uuid>,
    /// Wards of this street-town or district.
    pub region: Option<String>,
}

/// Who sees an alert: street admins of the ward's street-town and its supervisor; district and
/// city admins in scope; no one else.
fn visible(viewer: &Viewer) -> Condition {
    use custody_alert::Column as A;
    match (viewer.role, PersonScope::of(viewer).kind()) {
        (Role::CityAdmin, ScopeKind::City) => Condition::all(),
        (Role::DistrictAdmin, ScopeKind::District(d)) => {
            Condition::all().add(A::DistrictCode.eq(d.as_str()))
        }
        (Role::StreetAdmin, ScopeKind::Street(s)) => Condition::any()
            .add(A::StreetCode.eq(s.as_str()))
            .add(A::SupervisorAccountId.eq(viewer.account_id)),
        _ => Condition::all().add(A::SupervisorAccountId.eq(viewer.account_id)),
    }
}

/// Whether the viewer hears an alert live: its supervisor and its street-town's admins while at
/// the street level; district and city admins in scope once it escalated.
pub fn addressed(viewer: &Viewer, event: &DomainEvent) -> Option<Uuid> {
    let DomainEvent::CustodyAlertRaised {
        alert_id,
        street_code,
        supervisor_account_id,
        level,
    } = event
    else {
        return None;
    };
    let scope = PersonScope::of(viewer);
    let district = level == AlertLevel::District.as_str();
    let hears = *supervisor_account_id == viewer.account_id && !district
        || match (viewer.role, scope.kind()) {
            (Role::StreetAdmin, ScopeKind::Street(s)) => !district && s.as_str() == street_code,
            (Role::DistrictAdmin | Role::CityAdmin, _) => {
                district && scope.admits(Uuid::nil(), street_code)
            }
            _ => false,
        };
    hears.then_some(*alert_id)
}

/// The ward as the rules see them, and where their SMS goes.
pub(super) struct Ward {
    pub status: String,
    pub age: i64,
    pub category: i64,
    pub level: i64,
    pub masked_name: String,
    pub phone: Option<Phone>,
}

/// `张*` / `欧阳**`: the first character, the rest starred.
impl Ward {
    pub(super) async fn load<C: ConnectionTrait>(
        conn: &C,
        p: &Platform,
        person_id: Uuid,
        today: NaiveDate,
    ) -> DomainResult<Self> {
        let row = person::Entity::find_by_id(person_id)
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound { what: "残疾人" })?;
        let phone = match &row.phone_enc {
            Some(enc) => {
                let plain = p
                    .cipher
                    .decrypt(crate::person::aad("phone", &row.id), enc)?;
                Phone::parse("phone", &plain).ok()
            }
            None => None,
        };
        Ok(Self {
            status: row.status.clone(),
            age: age_on(row.birth_date, today),
            category: i64::from(row.category),
            level: i64::from(row.level),
            masked_name: crate::policy::mask_name(&row.name),
            phone,
        })
    }

    /// The facts of a record of this ward, with its day's total and count on the account.
    pub(super) fn facts(
        &self,
        r: &spending_record::Model,
        day_total: i64,
        day_count: i64,
        balance: Option<i64>,
    ) -> TxnFacts {
        TxnFacts {
            amount: r.amount_fen,
            category: r.category.clone(),
            merchant: r.merchant.clone(),
            source: r.source.clone(),
            hour: r.spent_hour.map_or(-1, i64::from),
            day_total,
            day_count,
            balance: balance.unwrap_or(-1),
            ward_status: self.status.clone(),
            ward_age: self.age,
            ward_category: self.category,
            ward_level: self.level,
        }
    }
}

/// The supervisor's phone, if they have one on record.
pub(super) async fn supervisor_phone<C: ConnectionTrait>(
    conn: &C,
    p: &Platform,
    supervisor: Uuid,
) -> DomainResult<Option<Phone>> {
    let Some(a) = account::Entity::find_by_id(supervisor).one(conn).await? else {
        return Ok(None);
    };
    let Some(enc) = &a.phone_enc else {
        return Ok(None);
    };
    let plain = p
        .cipher
        .decrypt(crate::identity::admin::phone_aad(&a.id), enc)?;
    Ok(Phone::parse("phone", &plain).ok())
}

/// An alert to publish once its transaction commits.
#[derive(Debug, Clone)]
pub(super) struct Raised(DomainEvent);

/// Publish raised alerts (after the commit).
pub(super) fn publish(p: &Platform, raised: Vec<Raised>) {
    for Raised(e) in raised {
        p.bus.publish(e);
    }
}

fn sms_label(label: &str) -> String {
    if label.chars().count() <= 30 {
        label.to_owned()
    } else {
        label.chars().take(29).collect::<String>() + "…"
    }
}

/// Raise the alerts of `hits` (each a record and the rules it met) inside the caller's
/// transaction: the alert rows, their first event, and the SMS to the supervisor and the ward.
pub(super) async fn raise<C: ConnectionTrait>(
    conn: &C,
    p: &Platform,
    c: &custodianship::Model,
    ward: &Ward,
    supervisor: Option<&Phone>,
    hits: Vec<(&spending_record::Model, Vec<Hit>)>,
) -> DomainResult<Vec<Raised>> {
    let now = Utc::now();
    let mut alerts = Vec::new();
    let mut events = Vec::new();
    let mut messages: Vec<sms::Queued> = Vec::new();
    let mut raised = Vec::new();
    for (r, rule_hits) in hits {
        for h in rule_hits {
            let id = Uuid::now_v7();
            alerts.push(custody_alert::ActiveModel {
                id: Set(id),
                rule_code: Set(h.code.clone()),
                label: Set(h.label.chars().take(100).collect()),
                severity: Set(h.severity.as_str().to_owned()),
                custodianship_id: Set(c.id),
                ward_person_id: Set(c.ward_person_id),
                district_code: Set(c.ward_district_code.clone()),
                street_code: Set(c.ward_street_code.clone()),
                supervisor_account_id: Set(c.supervisor_account_id),
                spending_record_id: Set(r.id),
                amount_fen: Set(r.amount_fen),
                spent_on: Set(r.spent_on),
                status: Set(AlertStatus::Open.as_str().to_owned()),
                level: Set(AlertLevel::Street.as_str().to_owned()),
                raised_at: Set(now),
                escalated_at: Set(None),
                handled_by: Set(None),
                handled_at: Set(None),
                version: Set(1),
            });
            events.push(custody_alert_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                alert_id: Set(id),
                action: Set("RAISED".to_owned()),
                from_status: Set(String::new()),
                to_status: Set(AlertStatus::Open.as_str().to_owned()),
                note: Set(h.label.chars().take(1000).collect()),
                actor: Set("system".to_owned()),
                at: Set(now),
            });
            let date = r.spent_on.format("%-m月%-d日").to_string();
            let amount = Fen::yuan_text(r.amount_fen);
            if let Some(phone) = supervisor {
                messages.push((
                    format!("custody-alert:{id}:supervisor"),
                    phone.clone(),
                    SmsTemplate::CustodyAlertSupervisor,
                    sms::params([
                        ("ward", ward.masked_name.as_str()),
                        ("date", date.as_str()),
                        ("amount", amount.as_str()),
                        ("rule", sms_label(&h.label).as_str()),
                    ]),
                ));
            }
            if let Some(phone) = &ward.phone {
                messages.push((
                    format!("custody-alert:{id}:ward"),
                    phone.clone(),
                    SmsTemplate::CustodyAlertWard,
                    sms::params([("date", date.as_str()), ("amount", amount.as_str())]),
                ));
            }
            raised.push(Raised(DomainEvent::CustodyAlertRaised {
                alert_id: id,
                street_code: c.ward_street_code.clone(),
                supervisor_account_id: c.supervisor_account_id,
                level: AlertLevel::Street.as_str().to_owned(),
            }));
        }
    }
    let mut alerts = alerts.into_iter().peekable();
    while alerts.peek().is_some() {
        let chunk: Vec<_> = alerts.by_ref().take(300).collect();
        custody_alert::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    custody_alert::Column::SpendingRecordId,
                    custody_alert::Column::RuleCode,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let chunk: Vec<_> = events.by_ref().take(500).collect();
        custody_alert_event::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    if !messages.is_empty() {
        sms::enqueue_many(conn, &p.cipher, messages).await?;
    }
    Ok(raised)
}

/// The day's total and count of spending on an account, as stored (in the caller's transaction).
pub(super) async fn day_totals<C: ConnectionTrait>(
    conn: &C,
    account_id: Uuid,
    days: &[NaiveDate],
) -> DomainResult<std::collections::HashMap<NaiveDate, (i64, i64)>> {
    use sea_orm::QuerySelect;
    if days.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    // Summed here rather than by SUM(): PostgreSQL's SUM(bigint) is numeric; a day holds
    // a handful of rows.
    let rows: Vec<(NaiveDate, i64)> = spending_record::Entity::find()
        .select_only()
        .column(spending_record::Column::SpentOn)
        .column(spending_record::Column::AmountFen)
        .filter(spending_record::Column::AccountId.eq(account_id))
        .filter(spending_record::Column::SpentOn.is_in(days.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut out = std::collections::HashMap::new();
    for (d, fen) in rows {
        let e: &mut (i64, i64) = out.entry(d).or_default();
        e.0 += fen;
        e.1 += 1;
    }
    Ok(out)
}

/// The latest balance a statement gave for an account (entered spending reads it).
pub(super) async fn last_balance<C: ConnectionTrait>(
    conn: &C,
    account_id: Uuid,
) -> DomainResult<Option<i64>> {
    Ok(spending_record::Entity::find()
        .filter(spending_record::Column::AccountId.eq(account_id))
        .filter(spending_record::Column::BalanceFen.is_not_null())
        .order_by_desc(spending_record::Column::SpentOn)
        .order_by_desc(spending_record::Column::Id)
        .one(conn)
        .await?
        .and_then(|r| r.balance_fen))
}

/// One alert as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Row.
    pub row: custody_alert::Model,
    /// Its steps, oldest first.
    pub events: Vec<custody_alert_event::Model>,
}

impl CustodyService<'_> {
    fn alert_viewer(&self) -> DomainResult<&Viewer> {
        let viewer = self.caller.viewer()?;
        if matches!(
            viewer.role,
            Role::SystemAdmin
                | Role::SecurityAdmin
                | Role::Auditor
                | Role::Volunteer
                | Role::Enterprise
        ) || viewer.client.is_some()
        {
            return Err(DomainError::Forbidden("当前角色无权查看代管资金预警"));
        }
        Ok(viewer)
    }

    /// 预警列表, in the caller's view, newest first.
    pub async fn alerts(
        &self,
        filter: &AlertFilter,
        page: &PageRequest,
    ) -> DomainResult<Page<custody_alert::Model>> {
        let viewer = self.alert_viewer()?;
        let mut q = custody_alert::Entity::find().filter(visible(viewer));
        if let Some(s) = filter.status {
            q = q.filter(custody_alert::Column::Status.eq(s.as_str()));
        }
        if let Some(l) = filter.level {
            q = q.filter(custody_alert::Column::Level.eq(l.as_str()));
        }
        if let Some(c) = filter.custodianship_id {
            q = q.filter(custody_alert::Column::CustodianshipId.eq(c));
        }
        if let Some(region) = &filter.region {
            let r = crate::types::RegionCode::parse("filter.regionCode", region)?;
            q = q.filter(custody_alert::Column::StreetCode.starts_with(r.as_str()));
        }
        let rows = page
            .apply(q, custody_alert::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(page.finish(rows))
    }

    /// One alert the caller may see, with its steps.
    pub async fn alert(&self, id: Uuid) -> DomainResult<Alert> {
        let viewer = self.alert_viewer()?;
        let row = custody_alert::Entity::find_by_id(id)
            .filter(visible(viewer))
            .one(self.p.db.conn())
            .await?
            .ok_or(DomainError::NotFound { what: WHAT_ALERT })?;
        let events = custody_alert_event::Entity::find()
            .filter(custody_alert_event::Column::AlertId.eq(id))
            .order_by_asc(custody_alert_event::Column::Id)
            .all(self.p.db.conn())
            .await?;
        Ok(Alert { row, events })
    }

    /// The steps of many alerts, oldest first (one query for a page).
    pub async fn alert_events(
        &self,
        ids: &[Uuid],
    ) -> DomainResult<std::collections::HashMap<Uuid, Vec<custody_alert_event::Model>>> {
        let mut out: std::collections::HashMap<Uuid, Vec<_>> = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        for e in custody_alert_event::Entity::find()
            .filter(custody_alert_event::Column::AlertId.is_in(ids.iter().copied()))
            .order_by_asc(custody_alert_event::Column::Id)
            .all(self.p.db.conn())
            .await?
        {
            out.entry(e.alert_id).or_default().push(e);
        }
        Ok(out)
    }

    /// 处理预警: the supervisor or the street-town's admins; the district's admins once it
    /// escalated. Explaining or confirming misuse needs a note; a note may be added at any time.
    pub async fn handle_alert(
        &self,
        id: Uuid,
        version: i32,
        action: AlertAction,
        note: &str,
    ) -> DomainResult<Alert> {
        self.audited("custody.alert.handle", id.to_string(), async {
            let viewer = self.alert_viewer()?;
            let note = note.trim();
            let note = if note.is_empty() {
                if matches!(
                    action,
                    AlertAction::Explain | AlertAction::ConfirmMisuse | AlertAction::Note
                ) {
                    return Err(DomainError::bad_input("note", "请填写处理说明"));
                }
                String::new()
            } else {
                BoundedText::parse("note", note, 1000)?.into_string()
            };
            let w = self.p.db.begin_write().await?;
            let row = custody_alert::Entity::find_by_id(id)
                .filter(visible(viewer))
                .one(&w.txn)
                .await?
                .ok_or(DomainError::NotFound { what: WHAT_ALERT })?;
            let level = AlertLevel::from_stored(&row.level);
            let may = row.supervisor_account_id == viewer.account_id
                || matches!(
                    (viewer.role, PersonScope::of(viewer).kind()),
                    (Role::StreetAdmin, ScopeKind::Street(s)) if s.as_str() == row.street_code
                )
                || (viewer.role == Role::DistrictAdmin && level == AlertLevel::District);
            if !may {
                return Err(DomainError::Forbidden(
                    "预警由监管人或所在街镇处理；升级到区后由区残联处理",
                ));
            }
            let from = AlertStatus::from_stored(&row.status);
            let to = match (action, from) {
                (AlertAction::Note, s) => s,
                (AlertAction::Acknowledge, AlertStatus::Open) => AlertStatus::Acknowledged,
                (AlertAction::Explain, s) if s.unhandled() => AlertStatus::Explained,
                (AlertAction::ConfirmMisuse, s) if s.unhandled() => AlertStatus::ConfirmedMisuse,
                (a, s) => {
                    return Err(DomainError::Conflict(format!(
                        "预警当前状态为 {}，不能执行 {}",
                        s.as_str(),
                        a.as_str()
                    )));
                }
            };
            let now = Utc::now();
            let actor: String = viewer.username.chars().take(64).collect();
            let done = custody_alert::Entity::update_many()
                .col_expr(custody_alert::Column::Status, Expr::value(to.as_str()))
                .col_expr(
                    custody_alert::Column::HandledBy,
                    Expr::value(Some(actor.clone())),
                )
                .col_expr(custody_alert::Column::HandledAt, Expr::value(Some(now)))
                .col_expr(custody_alert::Column::Version, Expr::value(version + 1))
                .filter(custody_alert::Column::Id.eq(id))
                .filter(custody_alert::Column::Version.eq(version))
                .exec(&w.txn)
                .await?
                .rows_affected;
            if done != 1 {
                return Err(DomainError::Conflict(format!(
                    "预警已被他人处理（当前版本{}），请刷新后重试",
                    row.version
                )));
            }
            custody_alert_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                alert_id: Set(id),
                action: Set(action.as_str().to_owned()),
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
                "custody.alert.handle",
                row.custodianship_id,
                format!(
                    "alert={id} action={} status={}",
                    action.as_str(),
                    to.as_str()
                ),
            )
            .await?;
            w.commit().await?;
            self.alert(id).await
        })
        .await
    }

    /// What the caller hears on `custodyAlertRaised`.
    pub fn watch_alerts(&self) -> DomainResult<Viewer> {
        self.alert_viewer().cloned()
    }
}

/// What one escalation pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EscalationReport {
    /// Alerts escalated to the district.
    pub escalated: u64,
}

/// Escalate to the district the alerts still unhandled `escalate_after_days` after they were
/// raised, as of `now`. Every node may run it: a conditional update escalates each once.
pub async fn escalate(p: &Platform, now: DateTime<Utc>) -> DomainResult<EscalationReport> {
    let due = now - Duration::days(p.custody.escalate_after_days.max(0));
    let rows = custody_alert::Entity::find()
        .filter(custody_alert::Column::Level.eq(AlertLevel::Street.as_str()))
        .filter(custody_alert::Column::Status.is_in([
            AlertStatus::Open.as_str(),
            AlertStatus::Acknowledged.as_str(),
        ]))
        .filter(custody_alert::Column::RaisedAt.lte(due))
        .order_by_asc(custody_alert::Column::Id)
        .all(p.db.conn())
        .await?;
    let mut report = EscalationReport::default();
    for a in rows {
        let w = p.db.begin_write().await?;
        let done = custody_alert::Entity::update_many()
            .col_expr(
                custody_alert::Column::Level,
                Expr::value(AlertLevel::District.as_str()),
            )
            .col_expr(custody_alert::Column::EscalatedAt, Expr::value(Some(now)))
            .col_expr(custody_alert::Column::Version, Expr::value(a.version + 1))
            .filter(custody_alert::Column::Id.eq(a.id))
            .filter(custody_alert::Column::Version.eq(a.version))
            .filter(custody_alert::Column::Level.eq(AlertLevel::Street.as_str()))
            .exec(&w.txn)
            .await?
            .rows_affected;
        if done != 1 {
            continue;
        }
        custody_alert_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            alert_id: Set(a.id),
            action: Set("ESCALATE".to_owned()),
            from_status: Set(a.status.clone()),
            to_status: Set(a.status.clone()),
            note: Set(format!(
                "{}天内未处理，已升级到区残联",
                p.custody.escalate_after_days
            )),
            actor: Set("system".to_owned()),
            at: Set(now),
        }
        .insert(&w.txn)
        .await?;
        w.commit().await?;
        report.escalated += 1;
        p.bus.publish(DomainEvent::CustodyAlertRaised {
            alert_id: a.id,
            street_code: a.street_code,
            supervisor_account_id: a.supervisor_account_id,
            level: AlertLevel::District.as_str().to_owned(),
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_sms_are_masked() {
        assert_eq!(crate::policy::mask_name("张三"), "张*");
        assert_eq!(crate::policy::mask_name("欧阳娜娜"), "欧***");
        assert_eq!(crate::policy::mask_name("李"), "李*");
        assert_eq!(sms_label(&"很".repeat(40)).chars().count(), 30);
    }
}
