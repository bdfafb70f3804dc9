//! A questionnaire's results and answers as an XLSX workbook, in the viewer's scope: the results
//! sheet always suppresses small cells (1–4 people read "<5"), the answers sheet names people
//! only masked (`王**`, and never for an anonymous questionnaire); the export is audited.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::results::{Dimension, Results};
use super::{Answer, Answers, QuestionKind, SurveyService};
use crate::entities::{person, questionnaire_response};
use crate::error::{DomainError, DomainResult};

/// Submissions read per page.
const PAGE: u64 = 2_000;

fn text_of(q: &super::Question, a: &Answer) -> String {
    let label = |code: &str| {
        q.options
            .iter()
            .find(|o| o.code == code)
            .map_or_else(|| code.to_owned(), |o| o.text.clone())
    };
    match (q.kind, a) {
        (QuestionKind::YesNo, Answer::Bool(b)) => if *b { "是" } else { "否" }.to_owned(),
        (_, Answer::Bool(b)) => b.to_string(),
        (_, Answer::Number(n)) => format!("{n}"),
        (_, Answer::Codes(c)) => c.iter().map(|c| label(c)).collect::<Vec<_>>().join("；"),
        (_, Answer::Text(t)) => label(t),
    }
}

impl SurveyService<'_> {
    /// The workbook (file name, bytes) of a version's results and answers in scope.
    pub async fn results_workbook(
        &self,
        questionnaire_id: Uuid,
        version: Option<i32>,
        region: Option<&str>,
    ) -> DomainResult<(String, Vec<u8>)> {
        self.audited(
            "survey.results.export",
            questionnaire_id.to_string(),
            async {
                let scoped = self.scoped(questionnaire_id, version, region).await?;
                let results = self.tally(&scoped, Some(Dimension::District), true).await?;
                let x = |e: rust_xlsxwriter::XlsxError| DomainError::internal(format!("xlsx: {e}"));
                let mut wb = Workbook::new();
                let bold = Format::new().set_bold();
                write_results(&mut wb, &scoped.questionnaire.title, &results, &bold).map_err(x)?;
                let ws = wb.add_worksheet();
                ws.set_name("答卷").map_err(x)?;
                let anonymous = scoped.questionnaire.anonymous;
                let mut head: Vec<String> = [
                    "序号",
                    "提交时间",
                    "区",
                    "街镇",
                    "残疾类别",
                    "等级",
                    "年龄段",
                    "代填",
                ]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
                if !anonymous {
                    head.push("姓名（脱敏）".to_owned());
                }
                head.extend(scoped.def.questions.iter().map(|q| q.text.clone()));
                ws.write_row_with_format(0, 0, &head, &bold).map_err(x)?;
                let mut row = 1u32;
                let mut after: Option<Uuid> = None;
                loop {
                    let mut find = questionnaire_response::Entity::find()
                        .filter(scoped.cond.clone())
                        .order_by_asc(questionnaire_response::Column::Id)
                        .limit(PAGE);
                    if let Some(a) = after {
                        find = find.filter(questionnaire_response::Column::Id.gt(a));
                    }
                    let rows = find.all(self.p.db.conn()).await?;
                    let last = rows.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
                    after = rows.last().map(|r| r.id);
                    let names: HashMap<Uuid, String> = if anonymous {
                        HashMap::new()
                    } else {
                        let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.person_id).collect();
                        person::Entity::find()
                            .select_only()
                            .column(person::Column::Id)
                            .column(person::Column::Name)
                            .filter(person::Column::Id.is_in(ids))
                            .into_tuple::<(Uuid, String)>()
                            .all(self.p.db.conn())
                            .await?
                            .into_iter()
                            .map(|(id, name)| (id, crate::policy::mask_name(&name)))
                            .collect()
                    };
                    for r in &rows {
                        let answers: Answers =
                            serde_json::from_str(&r.answers).map_err(DomainError::internal)?;
                        let mut cells: Vec<String> = vec![
                            row.to_string(),
                            (r.submitted_at.unwrap_or(r.updated_at) + chrono::Duration::hours(8))
                                .format("%Y-%m-%d %H:%M")
                                .to_string(),
                            self.p.regions.name_of(&r.district_code),
                            self.p.regions.name_of(&r.street_code),
                            r.category.to_string(),
                            r.level.to_string(),
                            r.age_band.clone(),
                            if r.proxy { "是" } else { "否" }.to_owned(),
                        ];
                        if !anonymous {
                            cells.push(
                                r.person_id
                                    .and_then(|p| names.get(&p).cloned())
                                    .unwrap_or_default(),
                            );
                        }
                        for q in &scoped.def.questions {
                            cells.push(
                                answers
                                    .get(&q.code)
                                    .map(|a| text_of(q, a))
                                    .unwrap_or_default(),
                            );
                        }
                        ws.write_row(row, 0, &cells).map_err(x)?;
                        row += 1;
                    }
                    if last {
                        break;
                    }
                }
                let bytes = wb.save_to_buffer().map_err(x)?;
                crate::audit::record_failure(
                    &self.p.db,
                    self.p.audit_key(),
                    &self.caller.actor(),
                    crate::audit::AuditEntry {
                        operation: "survey.results.export",
                        object_type: "questionnaire",
                        object_id: questionnaire_id.to_string(),
                        result: "SUCCESS".to_owned(),
                        detail: format!("version={} rows={}", scoped.version, row - 1),
                    },
                )
                .await?;
                Ok((
                    format!(
                        "questionnaire-{}-v{}.xlsx",
                        questionnaire_id.simple(),
                        scoped.version
                    ),
                    bytes,
                ))
            },
        )
        .await
    }
}

fn write_results(
    wb: &mut Workbook,
    title: &str,
    r: &Results,
    bold: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("结果")?;
    ws.write_string_with_format(0, 0, title, bold)?;
    ws.write_string(
        1,
        0,
        format!(
            "版本 {}，答卷 {}；1–4 人的单元格显示为“<5”",
            r.version,
            r.respondents.display()
        ),
    )?;
    let mut row = 3u32;
    for q in &r.questions {
        ws.write_string_with_format(row, 0, &q.text, bold)?;
        ws.write_string(row, 1, format!("作答 {}", q.answered.display()))?;
        row += 1;
        for v in &q.values {
            ws.write_string(row, 0, &v.label)?;
            ws.write_string(row, 1, v.cell.display())?;
            row += 1;
        }
        for g in &q.groups {
            for v in &g.values {
                ws.write_string(row, 0, format!("{} · {}", g.key, v.label))?;
                ws.write_string(row, 1, v.cell.display())?;
                row += 1;
            }
        }
        row += 1;
    }
    Ok(())
}
