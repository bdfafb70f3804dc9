//! The leader cockpit's counters (领导驾驶舱): what each one counts, and the SQL that keeps them.
//!
//! Every counter is a row `(metric, region_code, bucket) → (value, amount)` of
//! `cockpit_counters`, maintained **in the same transaction as the change** by database triggers
//! on the counted tables: whichever code path writes a person, a grant or a guidance request (a
//! service, a bulk job, the demo seeder, a migration), the counters move with it. A trigger
//! subtracts the old row's contribution and adds the new one's, and only when what a metric
//! reads changed, so an update that touches nothing counted writes no counter.
//!
//! The same definitions give the reconciliation's `GROUP BY` (recount from the tables), so
//! the triggers and the recount can only disagree when something went around them. Time buckets
//! are Shanghai local (UTC+8, no daylight saving): a month `YYYY-MM`, a day `YYYY-MM-DD`.
//!
//! Definitions are versioned with the migrations: a change of what a metric counts is a new
//! migration that re-installs the triggers and recounts.

use sea_orm::DbBackend;

/// How a metric buckets its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// One bucket (`''`): a state now (open requests, open alerts).
    None,
    /// A column's value as text (category, level).
    Text(&'static str),
    /// The year of a date column (`YYYY`).
    YearOfDate(&'static str),
    /// The month of a date column (`YYYY-MM`).
    MonthOfDate(&'static str),
    /// The Shanghai month of a timestamp column.
    MonthOfTime(&'static str),
    /// The Shanghai day of a timestamp column (`YYYY-MM-DD`).
    DayOfTime(&'static str),
}

impl Bucket {
    /// Whether buckets are periods (only recent ones are read by the cockpit).
    pub fn is_period(self) -> bool {
        matches!(
            self,
            Self::MonthOfDate(_) | Self::MonthOfTime(_) | Self::DayOfTime(_)
        )
    }

    /// The bucket of `row` (a table alias, `NEW` or `OLD`) as SQL of `backend`.
    pub fn sql(self, backend: DbBackend, row: &str) -> String {
        let pg = backend == DbBackend::Postgres;
        match (self, pg) {
            (Self::None, _) => "''".to_owned(),
            (Self::Text(c), _) => format!("CAST({row}.{c} AS TEXT)"),
            (Self::YearOfDate(c), true) => format!("to_char({row}.{c}, 'YYYY')"),
            (Self::YearOfDate(c), false) => format!("substr({row}.{c}, 1, 4)"),
            (Self::MonthOfDate(c), true) => format!("to_char({row}.{c}, 'YYYY-MM')"),
            (Self::MonthOfDate(c), false) => format!("substr({row}.{c}, 1, 7)"),
            (Self::MonthOfTime(c), true) => {
                format!("to_char({row}.{c} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')")
            }
            (Self::MonthOfTime(c), false) => format!("strftime('%Y-%m', {row}.{c}, '+8 hours')"),
            (Self::DayOfTime(c), true) => {
                format!("to_char({row}.{c} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')")
            }
            (Self::DayOfTime(c), false) => {
                format!("strftime('%Y-%m-%d', {row}.{c}, '+8 hours')")
            }
        }
    }
}

/// One counted quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// Stable code (stored in `cockpit_counters.metric`).
    pub code: &'static str,
    /// The counted table.
    pub table: &'static str,
    /// Which rows count: a boolean SQL expression over `{r}` (the row).
    pub when: &'static str,
    /// The region a row counts in (street-town, or any region code): SQL over `{r}`.
    pub region: &'static str,
    /// Its bucket.
    pub bucket: Bucket,
    /// What `amount` sums (SQL over `{r}`), `0` when only rows are counted.
    pub amount: &'static str,
    /// The columns the metric reads (an update of other columns fires nothing).
    pub reads: &'static [&'static str],
}

/// Every metric of the cockpit.
pub const METRICS: &[Metric] = &[
    // 持证残疾人: people on the register now, by category, level and birth year (age bands are
    // derived from the year when read, so birthdays move no counter).
    Metric {
        code: "PEOPLE_CATEGORY",
        table: "persons",
        when: "{r}.status = 'ACTIVE'",
        region: "{r}.street_code",
        bucket: Bucket::Text("category"),
        amount: "0",
        reads: &["status", "street_code", "category"],
    },
    Metric {
        code: "PEOPLE_LEVEL",
        table: "persons",
        when: "{r}.status = 'ACTIVE'",
        region: "{r}.street_code",
        bucket: Bucket::Text("level"),
        amount: "0",
        reads: &["status", "street_code", "level"],
    },
    Metric {
        code: "PEOPLE_BIRTH_YEAR",
        table: "persons",
        when: "{r}.status = 'ACTIVE'",
        region: "{r}.street_code",
        bucket: Bucket::YearOfDate("birth_date"),
        amount: "0",
        reads: &["status", "street_code", "birth_date"],
    },
    // 新办证: records registered, by month.
    Metric {
        code: "PEOPLE_REGISTERED",
        table: "persons",
        when: "1 = 1",
        region: "{r}.street_code",
        bucket: Bucket::MonthOfTime("created_at"),
        amount: "0",
        reads: &["street_code", "created_at"],
    },
    // 服务授予 (grants: the record each grant writes, so a grant stays where it was made) and
    // 服务记录 (services delivered: applications, offline, at activities), by month.
    Metric {
        code: "GRANTS",
        table: "service_records",
        when: "{r}.kind = 'GRANT'",
        region: "{r}.street_code",
        bucket: Bucket::MonthOfTime("created_at"),
        amount: "0",
        reads: &["kind", "street_code", "created_at"],
    },
    Metric {
        code: "SERVICE_RECORDS",
        table: "service_records",
        when: "{r}.kind NOT IN ('GRANT', 'REVOKE')",
        region: "{r}.street_code",
        bucket: Bucket::MonthOfTime("created_at"),
        amount: "0",
        reads: &["kind", "street_code", "created_at"],
    },
    // 政策找人: tasks, visits reported and visits on time, by the month they are due.
    Metric {
        code: "OUTREACH_TARGETED",
        table: "outreach_tasks",
        when: "1 = 1",
        region: "{r}.street_code",
        bucket: Bucket::MonthOfDate("due_on"),
        amount: "0",
        reads: &["street_code", "due_on"],
    },
    Metric {
        code: "OUTREACH_VISITED",
        table: "outreach_tasks",
        when: "{r}.visited_on IS NOT NULL",
        region: "{r}.street_code",
        bucket: Bucket::MonthOfDate("due_on"),
        amount: "0",
        reads: &["street_code", "due_on", "visited_on"],
    },
    Metric {
        code: "OUTREACH_ON_TIME",
        table: "outreach_tasks",
        when: "{r}.visited_on IS NOT NULL AND {r}.visited_on <= {r}.due_on",
        region: "{r}.street_code",
        bucket: Bucket::MonthOfDate("due_on"),
        amount: "0",
        reads: &["street_code", "due_on", "visited_on"],
    },
    // 云助残: requests waiting, in hand, and completed by day.
    Metric {
        code: "GUIDANCE_OPEN",
        table: "guidance_requests",
        when: "{r}.status IN ('OPEN', 'OFFERED')",
        region: "{r}.street_code",
        bucket: Bucket::None,
        amount: "0",
        reads: &["status", "street_code"],
    },
    Metric {
        code: "GUIDANCE_ACTIVE",
        table: "guidance_requests",
        when: "{r}.status IN ('CLAIMED', 'IN_PROGRESS')",
        region: "{r}.street_code",
        bucket: Bucket::None,
        amount: "0",
        reads: &["status", "street_code"],
    },
    Metric {
        code: "GUIDANCE_COMPLETED",
        table: "guidance_requests",
        when: "{r}.status = 'COMPLETED' AND {r}.completed_at IS NOT NULL",
        region: "{r}.street_code",
        bucket: Bucket::DayOfTime("completed_at"),
        amount: "0",
        reads: &["status", "street_code", "completed_at"],
    },
    // 活动: activities taking place (by their first day) and check-ins, by day.
    Metric {
        code: "ACTIVITIES",
        table: "activities",
        when: "{r}.status NOT IN ('DRAFT', 'CANCELLED')",
        region: "{r}.scope_code",
        bucket: Bucket::DayOfTime("starts_at"),
        amount: "0",
        reads: &["status", "scope_code", "starts_at"],
    },
    Metric {
        code: "CHECK_INS",
        table: "activity_registrations",
        when: "{r}.checked_in_at IS NOT NULL",
        region: "{r}.street_code",
        bucket: Bucket::DayOfTime("checked_in_at"),
        amount: "0",
        reads: &["street_code", "checked_in_at"],
    },
    // 代管资金: alerts still to handle.
    Metric {
        code: "CUSTODY_ALERTS_OPEN",
        table: "custody_alerts",
        when: "{r}.status IN ('OPEN', 'ACKNOWLEDGED')",
        region: "{r}.street_code",
        bucket: Bucket::None,
        amount: "0",
        reads: &["status", "street_code"],
    },
    // 补贴: payments the bank reported paid, and their sum in fen, by the month paid.
    Metric {
        code: "SUBSIDIES_PAID",
        table: "subsidy_items",
        when: "{r}.status = 'PAID' AND {r}.paid_on IS NOT NULL",
        region: "{r}.street_code",
        bucket: Bucket::MonthOfDate("paid_on"),
        amount: "{r}.amount_fen",
        reads: &["status", "street_code", "paid_on", "amount_fen"],
    },
    // 就业: hires, by the month hired.
    Metric {
        code: "HIRES",
        table: "job_applications",
        when: "{r}.hired_on IS NOT NULL",
        region: "{r}.street_code",
        bucket: Bucket::MonthOfDate("hired_on"),
        amount: "0",
        reads: &["street_code", "hired_on"],
    },
];

/// The metric of a code.
pub fn metric(code: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.code == code)
}

fn on(expr: &str, row: &str) -> String {
    expr.replace("{r}", row)
}

/// Epoch milliseconds, now (statement time, not transaction start), by the database's clock.
pub fn now_ms(backend: DbBackend) -> &'static str {
    if backend == DbBackend::Postgres {
        "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)"
    } else {
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    }
}

const UPSERT_TAIL: &str = "ON CONFLICT (metric, region_code, bucket) DO UPDATE SET \
     value = cockpit_counters.value + excluded.value, \
     amount = cockpit_counters.amount + excluded.amount, \
     updated_ms = excluded.updated_ms";

/// The counted tables, in a stable order.
pub fn tables() -> Vec<&'static str> {
    let mut t: Vec<_> = METRICS.iter().map(|m| m.table).collect();
    t.dedup();
    t
}

/// Statements that (re)install every counter trigger on `backend`.
pub fn install(backend: DbBackend) -> Vec<String> {
    let mut out = uninstall(backend);
    if backend == DbBackend::Postgres {
        out.push(format!(
            "CREATE OR REPLACE FUNCTION cockpit_bump(m TEXT, r TEXT, b TEXT, v BIGINT, a BIGINT) \
             RETURNS void LANGUAGE sql AS $$ \
             INSERT INTO cockpit_counters (metric, region_code, bucket, value, amount, updated_ms) \
             VALUES (m, COALESCE(r, ''), COALESCE(b, ''), v, a, {}) {UPSERT_TAIL} $$",
            now_ms(backend)
        ));
        for table in tables() {
            out.extend(pg_trigger(table));
        }
    } else {
        for table in tables() {
            out.extend(sqlite_triggers(table));
        }
    }
    out
}

/// Statements that drop every counter trigger on `backend`.
pub fn uninstall(backend: DbBackend) -> Vec<String> {
    let mut out = Vec::new();
    for table in tables() {
        if backend == DbBackend::Postgres {
            out.push(format!("DROP TRIGGER IF EXISTS cockpit_{table} ON {table}"));
            out.push(format!("DROP FUNCTION IF EXISTS cockpit_{table}()"));
        } else {
            out.push(format!("DROP TRIGGER IF EXISTS cockpit_{table}_insert"));
            out.push(format!("DROP TRIGGER IF EXISTS cockpit_{table}_delete"));
            for m in METRICS.iter().filter(|m| m.table == table) {
                out.push(format!(
                    "DROP TRIGGER IF EXISTS cockpit_{table}_update_{}",
                    m.code.to_lowercase()
                ));
            }
        }
    }
    out
}

fn pg_trigger(table: &str) -> Vec<String> {
    let metrics: Vec<_> = METRICS.iter().filter(|m| m.table == table).collect();
    let mut body = String::new();
    for m in &metrics {
        let side = |row: &str| {
            format!(
                "COALESCE(({}), false), ({}), ({}), CAST(({}) AS BIGINT)",
                on(m.when, row),
                on(m.region, row),
                m.bucket.sql(DbBackend::Postgres, row),
                on(m.amount, row)
            )
        };
        body.push_str(&format!(
            "o_in := false; o_r := NULL; o_b := NULL; o_a := 0; \
             n_in := false; n_r := NULL; n_b := NULL; n_a := 0; \
             IF TG_OP <> 'INSERT' THEN SELECT {old} INTO o_in, o_r, o_b, o_a; END IF; \
             IF TG_OP <> 'DELETE' THEN SELECT {new} INTO n_in, n_r, n_b, n_a; END IF; \
             IF NOT o_in THEN o_r := NULL; o_b := NULL; o_a := 0; END IF; \
             IF NOT n_in THEN n_r := NULL; n_b := NULL; n_a := 0; END IF; \
             IF (o_in, o_r, o_b, o_a) IS DISTINCT FROM (n_in, n_r, n_b, n_a) THEN \
               IF o_in AND n_in AND (n_r, n_b) < (o_r, o_b) THEN \
                 PERFORM cockpit_bump('{code}', n_r, n_b, 1, n_a); \
                 PERFORM cockpit_bump('{code}', o_r, o_b, -1, -o_a); \
               ELSE \
                 IF o_in THEN PERFORM cockpit_bump('{code}', o_r, o_b, -1, -o_a); END IF; \
                 IF n_in THEN PERFORM cockpit_bump('{code}', n_r, n_b, 1, n_a); END IF; \
               END IF; \
             END IF; ",
            old = side("OLD"),
            new = side("NEW"),
            code = m.code,
        ));
    }
    let mut reads: Vec<&str> = metrics
        .iter()
        .flat_map(|m| m.reads.iter().copied())
        .collect();
    reads.sort_unstable();
    reads.dedup();
    vec![
        format!(
            "CREATE FUNCTION cockpit_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ \
             DECLARE o_in BOOLEAN; n_in BOOLEAN; o_r TEXT; n_r TEXT; o_b TEXT; n_b TEXT; \
             o_a BIGINT; n_a BIGINT; \
             BEGIN {body} RETURN NULL; END $$"
        ),
        format!(
            "CREATE TRIGGER cockpit_{table} AFTER INSERT OR UPDATE OF {} OR DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION cockpit_{table}()",
            reads.join(", ")
        ),
    ]
}

fn sqlite_bump(m: &Metric, row: &str, sign: i64) -> String {
    format!(
        "INSERT INTO cockpit_counters (metric, region_code, bucket, value, amount, updated_ms) \
         SELECT '{code}', COALESCE({region}, ''), COALESCE({bucket}, ''), {sign}, {sign} * ({amount}), {now} \
         WHERE {when} {UPSERT_TAIL};",
        code = m.code,
        region = on(m.region, row),
        bucket = m.bucket.sql(DbBackend::Sqlite, row),
        amount = on(m.amount, row),
        now = now_ms(DbBackend::Sqlite),
        when = on(m.when, row),
    )
}

fn sqlite_triggers(table: &str) -> Vec<String> {
    let metrics: Vec<_> = METRICS.iter().filter(|m| m.table == table).collect();
    let ins: String = metrics.iter().map(|m| sqlite_bump(m, "NEW", 1)).collect();
    let del: String = metrics.iter().map(|m| sqlite_bump(m, "OLD", -1)).collect();
    let mut out = vec![
        format!("CREATE TRIGGER cockpit_{table}_insert AFTER INSERT ON {table} BEGIN {ins} END"),
        format!("CREATE TRIGGER cockpit_{table}_delete AFTER DELETE ON {table} BEGIN {del} END"),
    ];
    for m in metrics {
        // Fires only when the metric's view of the row changed.
        let key = |row: &str| {
            let when = on(m.when, row);
            [
                format!("(CASE WHEN {when} THEN 1 ELSE 0 END)"),
                format!("(CASE WHEN {when} THEN {} END)", on(m.region, row)),
                format!(
                    "(CASE WHEN {when} THEN {} END)",
                    m.bucket.sql(DbBackend::Sqlite, row)
                ),
                format!("(CASE WHEN {when} THEN {} END)", on(m.amount, row)),
            ]
        };
        let changed: Vec<String> = key("OLD")
            .into_iter()
            .zip(key("NEW"))
            .map(|(o, n)| format!("{o} IS NOT {n}"))
            .collect();
        out.push(format!(
            "CREATE TRIGGER cockpit_{table}_update_{name} AFTER UPDATE OF {cols} ON {table} \
             WHEN {changed} BEGIN {old} {new} END",
            name = m.code.to_lowercase(),
            cols = m.reads.join(", "),
            changed = changed.join(" OR "),
            old = sqlite_bump(m, "OLD", -1),
            new = sqlite_bump(m, "NEW", 1),
        ));
    }
    out
}

/// The recount of `m` from its table: rows `(region_code, bucket, value, amount)`.
pub fn recount(backend: DbBackend, m: &Metric) -> String {
    format!(
        "SELECT COALESCE({region}, '') AS region_code, COALESCE({bucket}, '') AS bucket, \
         CAST(COUNT(*) AS BIGINT) AS value, CAST(COALESCE(SUM({amount}), 0) AS BIGINT) AS amount \
         FROM {table} t WHERE {when} GROUP BY 1, 2",
        region = on(m.region, "t"),
        bucket = m.bucket.sql(backend, "t"),
        amount = on(m.amount, "t"),
        table = m.table,
        when = on(m.when, "t"),
    )
}

/// Fill empty counters from the tables (the first install).
pub fn backfill(backend: DbBackend) -> Vec<String> {
    METRICS
        .iter()
        .map(|m| {
            format!(
                "INSERT INTO cockpit_counters (metric, region_code, bucket, value, amount, updated_ms) \
                 SELECT '{code}', region_code, bucket, value, amount, {now} FROM ({recount}) x",
                code = m.code,
                now = now_ms(backend),
                recount = recount(backend, m),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_reads_the_columns_it_names_and_codes_are_unique() {
        let mut codes: Vec<_> = METRICS.iter().map(|m| m.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), METRICS.len(), "metric codes are unique");
        for m in METRICS {
            for expr in [m.when, m.region, m.amount] {
                // Every `{r}.column` the SQL reads is listed, or an update of it would not fire.
                for part in expr.split("{r}.").skip(1) {
                    let col: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    assert!(m.reads.contains(&col.as_str()), "{}: {col}", m.code);
                }
            }
        }
    }
}
