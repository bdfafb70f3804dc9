//! 专题分析: R65 disabled children (0–17) and R66 severely disabled people of working age
//! (levels 1–2, 16–59) without work — each a set of analyses in the viewer's scope, with the same
//! small-cell suppression below city level. The follow-up work list of R66 is the person list
//! with the same filter (`persons(filter: {maxLevel: 2, minAge: 16, maxAge: 59, employment:
//! UNEMPLOYED, status: ACTIVE})`): scoped and masked by the field policy like every list.

use super::{Analysis, AnalysisFilter, AnalysisInput, AnalysisService};
use crate::error::DomainResult;
use crate::types::CITY_CODE;

/// R65: disabled children.
#[derive(Debug, Clone)]
pub struct ChildrenTopic {
    /// By age band (学前、义务教育、高中阶段).
    pub by_age_band: Analysis,
    /// By disability category.
    pub by_category: Analysis,
    /// Children granted rehabilitation services (阳光宝宝卡 and the like), by age band.
    pub rehabilitation: Analysis,
    /// By schooling as the file records it (在校 = STUDENT).
    pub schooling: Analysis,
    /// In households with more than one disabled person (一户多残).
    pub multi_disabled_households: Analysis,
}

/// R66: severely disabled people of working age without work.
#[derive(Debug, Clone)]
pub struct SevereUnemployedTopic {
    /// By district (the city) or street-town (a district or street-town).
    pub by_area: Analysis,
    /// By disability category.
    pub by_category: Analysis,
    /// By age band.
    pub by_age_band: Analysis,
    /// The services they already receive, by business line (people granted).
    pub services: Analysis,
    /// Registered into the group, by month over the last twelve months.
    pub trend: Analysis,
}

fn input(
    subject: &str,
    dimensions: &[&str],
    measures: &[&str],
    filter: &AnalysisFilter,
) -> AnalysisInput {
    AnalysisInput {
        subject: subject.to_owned(),
        measures: measures.iter().map(|m| (*m).to_owned()).collect(),
        dimensions: dimensions.iter().map(|d| (*d).to_owned()).collect(),
        filter: filter.clone(),
    }
}

impl AnalysisService<'_> {
    /// R65 for a region in the viewer's scope (theirs when `None`).
    pub async fn children_topic(&self, region: Option<&str>) -> DomainResult<ChildrenTopic> {
        let children = AnalysisFilter {
            region_code: region.map(str::to_owned),
            age_to: Some(17),
            ..AnalysisFilter::default()
        };
        let rehab = AnalysisFilter {
            business_lines: vec!["REHABILITATION".to_owned()],
            ..children.clone()
        };
        Ok(ChildrenTopic {
            by_age_band: self
                .analyse(&input(
                    "PEOPLE",
                    &["CHILD_AGE_BAND"],
                    &["COUNT", "RATE"],
                    &children,
                ))
                .await?,
            by_category: self
                .analyse(&input(
                    "PEOPLE",
                    &["CATEGORY"],
                    &["COUNT", "RATE"],
                    &children,
                ))
                .await?,
            rehabilitation: self
                .analyse(&input(
                    "GRANTS",
                    &["CHILD_AGE_BAND"],
                    &["PEOPLE", "COUNT"],
                    &rehab,
                ))
                .await?,
            schooling: self
                .analyse(&input(
                    "PEOPLE",
                    &["EMPLOYMENT"],
                    &["COUNT", "RATE"],
                    &children,
                ))
                .await?,
            multi_disabled_households: self
                .analyse(&input(
                    "PEOPLE",
                    &["MULTI_DISABLED_HOUSEHOLD"],
                    &["COUNT", "RATE"],
                    &children,
                ))
                .await?,
        })
    }

    /// R66 for a region in the viewer's scope (theirs when `None`).
    pub async fn severe_unemployed_topic(
        &self,
        region: Option<&str>,
    ) -> DomainResult<SevereUnemployedTopic> {
        let group = AnalysisFilter {
            region_code: region.map(str::to_owned),
            levels: vec![1, 2],
            age_from: Some(16),
            age_to: Some(59),
            employments: vec!["UNEMPLOYED".to_owned()],
            ..AnalysisFilter::default()
        };
        let by_area = self
            .analyse(&input("PEOPLE", &["DISTRICT"], &["COUNT", "RATE"], &group))
            .await?;
        let by_area = if by_area.region_code == CITY_CODE {
            by_area
        } else {
            self.analyse(&input("PEOPLE", &["STREET"], &["COUNT", "RATE"], &group))
                .await?
        };
        Ok(SevereUnemployedTopic {
            by_area,
            by_category: self
                .analyse(&input("PEOPLE", &["CATEGORY"], &["COUNT", "RATE"], &group))
                .await?,
            by_age_band: self
                .analyse(&input("PEOPLE", &["AGE_BAND"], &["COUNT", "RATE"], &group))
                .await?,
            services: self
                .analyse(&input(
                    "GRANTS",
                    &["BUSINESS_LINE"],
                    &["PEOPLE", "COUNT"],
                    &group,
                ))
                .await?,
            trend: self
                .analyse(&input("PEOPLE", &["MONTH"], &["COUNT"], &group))
                .await?,
        })
    }
}
