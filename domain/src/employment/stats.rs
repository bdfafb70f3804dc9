//! 招聘统计 (R46): per district, per disability category or per fair — enterprises (verified),
//! their proportional-employment gap, jobs and places, applications, interviews, hires and
//! retention at 3 and 6 months (of the hires whose follow-up is known) — in the viewer's scope:
//! the city everything, a district its own (enterprises and jobs there, its people's
//! applications), a street-town its own people's applications. Also as an XLSX workbook.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{
    ApplicationStatus, EmploymentService, EnterpriseStatus, FollowUpStatus, JobStatus,
    required_places, stored_numbers,
};
use crate::entities::{
    employment_follow_up, enterprise, fair_participation, job, job_application,
    job_application_event, job_fair,
};
use crate::error::{DomainError, DomainResult};
use crate::region::RegionDirectory;
use crate::viewer::ScopeKind;

code_enum! {
    /// 招聘统计维度
    RecruitmentDimension {
        /// 按区
        #[default]
        District = "DISTRICT",
        /// 按残疾类别
        Category = "CATEGORY",
        /// 按招聘会
        Fair = "FAIR",
    }
}

/// The measures of one line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecruitmentMeasures {
    /// Verified enterprises (district: there; fair: approved participants; category: none).
    pub enterprises: u64,
    /// Their places short of the ratio, in hundredths of a person.
    pub gap_centi: i64,
    /// Jobs open or filled.
    pub jobs: u64,
    /// Places of those jobs.
    pub vacancies: u64,
    /// Applications.
    pub applications: u64,
    /// Applications that reached an interview.
    pub interviews: u64,
    /// Hires.
    pub hires: u64,
    /// Hires whose 3-month follow-up is known, and of them still employed.
    pub known_3: u64,
    /// Still employed at 3 months.
    pub retained_3: u64,
    /// Hires whose 6-month follow-up is known.
    pub known_6: u64,
    /// Still employed at 6 months.
    pub retained_6: u64,
}

impl RecruitmentMeasures {
    /// Retention at 3 months (`None` while nothing is known).
    pub fn retention_3(&self) -> Option<f64> {
        ratio(self.retained_3, self.known_3)
    }
    /// Retention at 6 months.
    pub fn retention_6(&self) -> Option<f64> {
        ratio(self.retained_6, self.known_6)
    }
    fn add(&mut self, o: &Self) {
        self.enterprises += o.enterprises;
        self.gap_centi += o.gap_centi;
        self.jobs += o.jobs;
        self.vacancies += o.vacancies;
        self.applications += o.applications;
        self.interviews += o.interviews;
        self.hires += o.hires;
        self.known_3 += o.known_3;
        self.retained_3 += o.retained_3;
        self.known_6 += o.known_6;
        self.retained_6 += o.retained_6;
    }
}

#[expect(clippy::cast_precision_loss, reason = "a share for people to read")]
fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// One line: a district code, a category (1–7) or a fair id, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecruitmentLine {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Measures.
    pub measures: RecruitmentMeasures,
}

/// The statistics of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecruitmentStatistics {
    /// Dimension.
    pub by: RecruitmentDimension,
    /// Lines, in key order.
    pub lines: Vec<RecruitmentLine>,
    /// Totals (each thing counted once).
    pub total: RecruitmentMeasures,
}

impl EmploymentService<'_> {
    /// 招聘统计 in the caller's scope (region admins).
    pub async fn recruitment_statistics(
        &self,
        by: RecruitmentDimension,
    ) -> DomainResult<RecruitmentStatistics> {
        let (_, scope) = self.staff()?;
        let conn = self.p.db.conn();
        let district_of_scope = match &scope {
            ScopeKind::City => None,
            ScopeKind::District(d) => Some(d.as_str().to_owned()),
            ScopeKind::Street(s) => Some(s.as_str()[..6].to_owned()),
            _ => return Err(DomainError::Forbidden("仅市、区、街镇管理员可查看")),
        };
        let street_of_scope = match &scope {
            ScopeKind::Street(s) => Some(s.as_str().to_owned()),
            _ => None,
        };
        let ratio_bp = self.config().ratio_bp;

        let mut ents = enterprise::Entity::find()
            .filter(enterprise::Column::Status.eq(EnterpriseStatus::Verified.as_str()));
        if let Some(d) = &district_of_scope {
            ents = ents.filter(enterprise::Column::DistrictCode.eq(d.as_str()));
        }
        let ents = ents.all(conn).await?;
        let mut jobs = job::Entity::find().filter(
            job::Column::Status.is_in([JobStatus::Open.as_str(), JobStatus::Filled.as_str()]),
        );
        if let Some(d) = &district_of_scope {
            jobs = jobs.filter(job::Column::DistrictCode.eq(d.as_str()));
        }
        let jobs = jobs.all(conn).await?;
        let mut apps = job_application::Entity::find();
        if let Some(s) = &street_of_scope {
            apps = apps.filter(job_application::Column::StreetCode.eq(s.as_str()));
        } else if let Some(d) = &district_of_scope {
            apps = apps.filter(job_application::Column::DistrictCode.eq(d.as_str()));
        }
        let apps: Vec<(Uuid, Uuid, String, i16, String)> = apps
            .select_only()
            .columns([
                job_application::Column::Id,
                job_application::Column::JobId,
                job_application::Column::DistrictCode,
                job_application::Column::Category,
                job_application::Column::Status,
            ])
            .into_tuple()
            .all(conn)
            .await?;
        let interviewed: HashSet<Uuid> = job_application_event::Entity::find()
            .filter(
                job_application_event::Column::ToStatus.eq(ApplicationStatus::Interview.as_str()),
            )
            .select_only()
            .column(job_application_event::Column::ApplicationId)
            .into_tuple::<Uuid>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let follow_ups: Vec<(Uuid, i16, String, Option<bool>)> =
            employment_follow_up::Entity::find()
                .filter(employment_follow_up::Column::Month.is_in([3i16, 6]))
                .filter(employment_follow_up::Column::Status.ne(FollowUpStatus::Due.as_str()))
                .select_only()
                .columns([
                    employment_follow_up::Column::ApplicationId,
                    employment_follow_up::Column::Month,
                    employment_follow_up::Column::Status,
                    employment_follow_up::Column::StillEmployed,
                ])
                .into_tuple()
                .all(conn)
                .await?;
        let mut retention: HashMap<Uuid, [Option<bool>; 2]> = HashMap::new();
        for (app, month, _, still) in follow_ups {
            let e = retention.entry(app).or_default();
            e[usize::from(month == 6)] = Some(still.unwrap_or(false));
        }
        // The fair of every job an application may name (closed ones included).
        let fair_of_job: HashMap<Uuid, Option<Uuid>> = if by == RecruitmentDimension::Fair {
            job::Entity::find()
                .select_only()
                .columns([job::Column::Id, job::Column::FairId])
                .into_tuple::<(Uuid, Option<Uuid>)>()
                .all(conn)
                .await?
                .into_iter()
                .collect()
        } else {
            HashMap::new()
        };

        let mut lines: BTreeMap<String, RecruitmentMeasures> = BTreeMap::new();
        let mut total = RecruitmentMeasures::default();
        let gap_of = |e: &enterprise::Model| {
            (required_places(e.headcount, ratio_bp)
                - i64::from(e.disabled_employees + e.severe_employees) * 100)
                .max(0)
        };
        // Enterprises.
        let participants: Vec<(Uuid, Uuid)> = if by == RecruitmentDimension::Fair {
            fair_participation::Entity::find()
                .filter(fair_participation::Column::Status.eq("APPROVED"))
                .select_only()
                .columns([
                    fair_participation::Column::FairId,
                    fair_participation::Column::EnterpriseId,
                ])
                .into_tuple()
                .all(conn)
                .await?
        } else {
            Vec::new()
        };
        let by_id: HashMap<Uuid, &enterprise::Model> = ents.iter().map(|e| (e.id, e)).collect();
        for e in &ents {
            total.enterprises += 1;
            total.gap_centi += gap_of(e);
            if by == RecruitmentDimension::District {
                let l = lines.entry(e.district_code.clone()).or_default();
                l.enterprises += 1;
                l.gap_centi += gap_of(e);
            }
        }
        for (fair, ent) in &participants {
            if let Some(e) = by_id.get(ent) {
                let l = lines.entry(fair.to_string()).or_default();
                l.enterprises += 1;
                l.gap_centi += gap_of(e);
            }
        }
        // Jobs.
        for j in &jobs {
            let places = u64::try_from(j.vacancies).unwrap_or(0);
            total.jobs += 1;
            total.vacancies += places;
            let keys: Vec<String> = match by {
                RecruitmentDimension::District => vec![j.district_code.clone()],
                RecruitmentDimension::Fair => {
                    j.fair_id.map(|f| f.to_string()).into_iter().collect()
                }
                RecruitmentDimension::Category => {
                    let c = stored_numbers(&j.categories);
                    if c.is_empty() {
                        (1..=7).map(|c| c.to_string()).collect()
                    } else {
                        c.iter().map(ToString::to_string).collect()
                    }
                }
            };
            for k in keys {
                let l = lines.entry(k).or_default();
                l.jobs += 1;
                l.vacancies += places;
            }
        }
        // Applications, interviews, hires, retention.
        for (id, job_id, district, category, status) in &apps {
            let mut m = RecruitmentMeasures {
                applications: 1,
                ..RecruitmentMeasures::default()
            };
            if interviewed.contains(id) {
                m.interviews = 1;
            }
            if status == ApplicationStatus::Hired.as_str() {
                m.hires = 1;
                if let Some([r3, r6]) = retention.get(id) {
                    if let Some(r) = r3 {
                        m.known_3 = 1;
                        m.retained_3 = u64::from(*r);
                    }
                    if let Some(r) = r6 {
                        m.known_6 = 1;
                        m.retained_6 = u64::from(*r);
                    }
                }
            }
            total.add(&m);
            let key = match by {
                RecruitmentDimension::District => Some(district.clone()),
                RecruitmentDimension::Category => Some(category.to_string()),
                RecruitmentDimension::Fair => fair_of_job
                    .get(job_id)
                    .copied()
                    .flatten()
                    .map(|f| f.to_string()),
            };
            if let Some(k) = key {
                lines.entry(k).or_default().add(&m);
            }
        }
        let fair_names: HashMap<String, String> = if by == RecruitmentDimension::Fair {
            job_fair::Entity::find()
                .all(conn)
                .await?
                .into_iter()
                .map(|f| (f.id.to_string(), f.title))
                .collect()
        } else {
            HashMap::new()
        };
        let lines = lines
            .into_iter()
            .map(|(key, measures)| RecruitmentLine {
                name: match by {
                    RecruitmentDimension::District => self.p.regions.name_of(&key),
                    RecruitmentDimension::Category => key
                        .parse::<i32>()
                        .ok()
                        .and_then(|c| crate::types::DisabilityCategory::from_code("c", c).ok())
                        .map_or_else(String::new, |c| c.name_zh().to_owned()),
                    RecruitmentDimension::Fair => fair_names.get(&key).cloned().unwrap_or_default(),
                },
                key,
                measures,
            })
            .collect();
        Ok(RecruitmentStatistics { by, lines, total })
    }

    /// 招聘统计 as an XLSX workbook (the export audited).
    pub async fn recruitment_workbook(
        &self,
        by: RecruitmentDimension,
    ) -> DomainResult<(String, Vec<u8>)> {
        let s = self.recruitment_statistics(by).await?;
        let bytes = statistics_xlsx(&s, &self.p.regions)?;
        let name = format!("recruitment-{}.xlsx", by.as_str().to_lowercase());
        crate::audit::record_failure(
            &self.p.db,
            self.p.audit_key(),
            &self.caller.actor(),
            crate::audit::AuditEntry {
                operation: "employment.statistics.export",
                object_type: "report",
                object_id: name.clone(),
                result: "SUCCESS".to_owned(),
                detail: format!("lines={}", s.lines.len()),
            },
        )
        .await?;
        Ok((name, bytes))
    }
}

const HEADER: [&str; 11] = [
    "用人单位",
    "按比例安置差额（人）",
    "岗位",
    "招聘人数",
    "求职申请",
    "面试",
    "入职",
    "3个月回访已知",
    "3个月留存率",
    "6个月回访已知",
    "6个月留存率",
];

/// The statistics as a workbook.
pub fn statistics_xlsx(
    s: &RecruitmentStatistics,
    _regions: &RegionDirectory,
) -> DomainResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
    let x = |e: XlsxError| DomainError::internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let ws = wb.add_worksheet();
    ws.set_name("招聘统计").map_err(x)?;
    let title = match s.by {
        RecruitmentDimension::District => "招聘统计（按区）",
        RecruitmentDimension::Category => "招聘统计（按残疾类别）",
        RecruitmentDimension::Fair => "招聘统计（按招聘会）",
    };
    ws.write_string_with_format(0, 0, title, &bold).map_err(x)?;
    ws.write_row_with_format(2, 0, ["名称", "代码"], &bold)
        .map_err(x)?;
    ws.write_row_with_format(2, 2, HEADER, &bold).map_err(x)?;
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    fn write(
        ws: &mut Worksheet,
        row: u32,
        m: &RecruitmentMeasures,
        pct: &Format,
    ) -> Result<(), XlsxError> {
        let n = |v: u64| v as f64;
        ws.write_number(row, 2, n(m.enterprises))?;
        ws.write_number(row, 3, m.gap_centi as f64 / 100.0)?;
        ws.write_number(row, 4, n(m.jobs))?;
        ws.write_number(row, 5, n(m.vacancies))?;
        ws.write_number(row, 6, n(m.applications))?;
        ws.write_number(row, 7, n(m.interviews))?;
        ws.write_number(row, 8, n(m.hires))?;
        ws.write_number(row, 9, n(m.known_3))?;
        if let Some(r) = m.retention_3() {
            ws.write_number_with_format(row, 10, r, pct)?;
        }
        ws.write_number(row, 11, n(m.known_6))?;
        if let Some(r) = m.retention_6() {
            ws.write_number_with_format(row, 12, r, pct)?;
        }
        Ok(())
    }
    let mut row = 3u32;
    for l in &s.lines {
        ws.write_string(row, 0, &l.name).map_err(x)?;
        ws.write_string(row, 1, &l.key).map_err(x)?;
        write(ws, row, &l.measures, &pct).map_err(x)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "合计", &bold)
        .map_err(x)?;
    write(ws, row, &s.total, &pct).map_err(x)?;
    wb.save_to_buffer().map_err(x)
}
