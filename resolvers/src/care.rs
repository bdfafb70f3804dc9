//! 托养: institutions' places, placements and the waiting list, and the analysis of places
//! against need per district.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use zhucan_domain::care::{self as domain, CareService};
use zhucan_domain::entities::{care_capacity, care_placement};
use zhucan_domain::types::Fen;

use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::scalars::Date;
use crate::support::{optional_id, page, parse_id, plain_connection};

/// 照护类型
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::care::CareType")]
pub enum CareType {
    /// 住宿托养
    Residential,
    /// 日间照料
    DayCare,
    /// 短期（喘息）托养
    Respite,
}

/// 安置状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::care::PlacementStatus")]
pub enum PlacementStatus {
    /// 等待床位
    Waiting,
    /// 在托
    Active,
    /// 已结束
    Ended,
    /// 已撤回等待
    Withdrawn,
}

/// 机构床位
pub struct CareCapacity(care_capacity::Model);

#[Object]
impl CareCapacity {
    /// 机构
    async fn institution_id(&self) -> ID {
        ID(self.0.institution_id.to_string())
    }
    /// 照护类型
    async fn care_type(&self) -> CareType {
        domain::CareType::from_stored(&self.0.care_type).into()
    }
    /// 机构所在区
    async fn district_code(&self) -> &str {
        &self.0.district_code
    }
    /// 床位数
    async fn places(&self) -> i32 {
        self.0.places
    }
    /// 更新时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// 托养安置记录
#[derive(Clone)]
pub struct Placement(pub care_placement::Model);

#[Object]
impl Placement {
    /// 标识
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 残疾人
    async fn person_id(&self) -> ID {
        ID(self.0.person_id.to_string())
    }
    /// 机构
    async fn institution_id(&self) -> ID {
        ID(self.0.institution_id.to_string())
    }
    /// 照护类型
    async fn care_type(&self) -> CareType {
        domain::CareType::from_stored(&self.0.care_type).into()
    }
    /// 状态
    async fn status(&self) -> PlacementStatus {
        domain::PlacementStatus::from_stored(&self.0.status).into()
    }
    /// 申请日期
    async fn requested_on(&self) -> Date {
        Date(self.0.requested_on)
    }
    /// 入托日期
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }
    /// 结束日期
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    /// 月收费（元）
    async fn fee(&self) -> String {
        Fen::yuan_text(self.0.fee_fen)
    }
    /// 月补贴（元）
    async fn subsidy(&self) -> String {
        Fen::yuan_text(self.0.subsidy_fen)
    }
    /// 结束原因
    async fn end_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }
    /// 版本（乐观锁）
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// 某区的托养情况
#[derive(SimpleObject)]
pub struct DistrictCare {
    /// 区
    pub district_code: String,
    /// 床位
    pub places: i64,
    /// 在托人数（本区机构）
    pub occupied: i64,
    /// 等待人数（本区居民）
    pub waiting: i64,
    /// 有托养需求但未安置、未登记等待的人数
    pub unmet_needs: i64,
    /// 床位缺口
    pub shortfall: i64,
    /// 平均在托天数（已结束的安置）
    pub average_stay_days: Option<f64>,
}

/// 某月的托养情况
#[derive(SimpleObject)]
pub struct MonthCare {
    /// 月份（YYYY-MM）
    pub month: String,
    /// 入托
    pub started: i64,
    /// 结束
    pub ended: i64,
    /// 月末在托
    pub in_care: i64,
}

/// 托养分析
#[derive(SimpleObject)]
pub struct CareAnalysis {
    /// 各区
    pub districts: Vec<DistrictCare>,
    /// 各月（最早在前）
    pub months: Vec<MonthCare>,
}

/// 安置筛选
#[derive(InputObject, Default)]
pub struct PlacementFilter {
    /// 状态
    pub status: Option<PlacementStatus>,
    /// 机构
    pub institution_id: Option<ID>,
    /// 残疾人
    pub person_id: Option<ID>,
}

/// 安置登记
#[derive(InputObject)]
pub struct PlacementInput {
    /// 已有的等待记录（须带 version）
    pub id: Option<ID>,
    /// 版本
    pub version: Option<i32>,
    /// 残疾人
    pub person_id: ID,
    /// 机构
    pub institution_id: ID,
    /// 照护类型
    pub care_type: CareType,
    /// WAITING（等待）或 ACTIVE（在托）
    pub status: PlacementStatus,
    /// 申请日期（默认今天）
    pub requested_on: Option<Date>,
    /// 入托日期（在托必填）
    pub starts_on: Option<Date>,
    /// 月收费（元）
    #[graphql(default_with = "String::from(\"0\")")]
    pub fee: String,
    /// 月补贴（元）
    #[graphql(default_with = "String::from(\"0\")")]
    pub subsidy: String,
}

/// 托养查询
#[derive(Default)]
pub struct CareQuery;

#[Object]
impl CareQuery {
    /// 机构床位（可按区）
    async fn care_capacities(
        &self,
        ctx: &Context<'_>,
        district_code: Option<String>,
    ) -> async_graphql::Result<Vec<CareCapacity>> {
        let rows = ctx
            .service::<CareService>()
            .capacities(district_code.as_deref())
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(CareCapacity).collect())
    }

    /// 托养安置与等待（按残疾人所在区域，辖区内）
    async fn placements(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: PlacementFilter,
        #[graphql(validator(minimum = 0))] first: Option<i32>,
        after: Option<String>,
        #[graphql(validator(minimum = 0))] last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Placement>> {
        let page = page(first, after, last, before).gql(ctx)?;
        let filter = domain::PlacementFilter {
            status: filter.status.map(Into::into),
            institution_id: optional_id("filter.institutionId", filter.institution_id.as_ref())
                .gql(ctx)?,
            person_id: optional_id("filter.personId", filter.person_id.as_ref()).gql(ctx)?,
        };
        let rows = ctx
            .service::<CareService>()
            .placements(&filter, &page)
            .await
            .gql(ctx)?;
        Ok(plain_connection(rows, |p| p.id.to_string(), Placement))
    }

    /// 托养分析：床位与等待、未满足需求，各区及近几个月趋势
    async fn institutional_care_analysis(
        &self,
        ctx: &Context<'_>,
        district_code: Option<String>,
        #[graphql(default = 12)] months: i32,
    ) -> async_graphql::Result<CareAnalysis> {
        let months = u32::try_from(months).unwrap_or(0);
        let a = ctx
            .service::<CareService>()
            .analysis(district_code.as_deref(), months)
            .await
            .gql(ctx)?;
        Ok(CareAnalysis {
            districts: a
                .districts
                .into_iter()
                .map(|d| DistrictCare {
                    district_code: d.district,
                    places: d.places,
                    occupied: d.occupied,
                    waiting: d.waiting,
                    unmet_needs: d.unmet_needs,
                    shortfall: d.shortfall,
                    average_stay_days: d.average_stay_days,
                })
                .collect(),
            months: a
                .months
                .into_iter()
                .map(|m| MonthCare {
                    month: m.month,
                    started: m.started,
                    ended: m.ended,
                    in_care: m.in_care,
                })
                .collect(),
        })
    }
}

/// 托养操作
#[derive(Default)]
pub struct CareMutation;

#[Object]
impl CareMutation {
    /// 登记机构床位（机构所在区或市残联）
    async fn save_care_capacity(
        &self,
        ctx: &Context<'_>,
        institution_id: ID,
        care_type: CareType,
        places: i32,
    ) -> async_graphql::Result<CareCapacity> {
        let id = parse_id("institutionId", &institution_id).gql(ctx)?;
        let row = ctx
            .service::<CareService>()
            .save_capacity(id, care_type.into(), places)
            .await
            .gql(ctx)?;
        Ok(CareCapacity(row))
    }

    /// 登记安置或等待（一人同一时间只有一处在托，不超过床位）
    async fn save_placement(
        &self,
        ctx: &Context<'_>,
        input: PlacementInput,
    ) -> async_graphql::Result<Placement> {
        let row = ctx
            .service::<CareService>()
            .save_placement(domain::PlacementInput {
                id: optional_id("input.id", input.id.as_ref()).gql(ctx)?,
                version: input.version,
                person_id: parse_id("input.personId", &input.person_id).gql(ctx)?,
                institution_id: parse_id("input.institutionId", &input.institution_id).gql(ctx)?,
                care_type: input.care_type.into(),
                status: input.status.into(),
                requested_on: input.requested_on.map(|d| d.0),
                starts_on: input.starts_on.map(|d| d.0),
                fee: input.fee,
                subsidy: input.subsidy,
            })
            .await
            .gql(ctx)?;
        Ok(Placement(row))
    }

    /// 结束安置（在托→已结束；等待→已撤回）
    async fn end_placement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        ends_on: Date,
        reason: String,
    ) -> async_graphql::Result<Placement> {
        let id = parse_id("id", &id).gql(ctx)?;
        let row = ctx
            .service::<CareService>()
            .end_placement(id, version, ends_on.0, &reason)
            .await
            .gql(ctx)?;
        Ok(Placement(row))
    }
}
