//! Catalog edits (city admins everything, district admins their district's); the catalog
//! service audits, versions and re-indexes each.

use async_graphql::{Context, ID, InputObject, Object};
use zhucan_domain::catalog::{self, CatalogService};

use super::types::{
    BusinessLine, Channel, EntryStatus, Institution, InstitutionKind, Policy, PolicyStatus,
    ServiceItem,
};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::scalars::Date;
use crate::support::optional_id;

/// 政策法规（录入）
#[derive(InputObject)]
pub struct PolicyInput {
    /// 编码（大写字母、数字、下划线）
    pub key: String,
    /// 标题
    pub title: String,
    /// 发文机关
    pub issuer: String,
    /// 文号
    pub document_number: Option<String>,
    /// 发布日期
    pub issued_on: Date,
    /// 施行日期
    pub effective_from: Date,
    /// 失效日期
    pub effective_until: Option<Date>,
    /// 状态（默认现行有效）
    pub status: Option<PolicyStatus>,
    /// 标签
    #[graphql(default)]
    pub tags: Vec<String>,
    /// 全文
    pub full_text: String,
    /// 所属区（不填为全市）
    pub district_code: Option<String>,
}

impl PolicyInput {
    fn to_domain(&self) -> catalog::PolicyInput {
        catalog::PolicyInput {
            key: self.key.clone(),
            title: self.title.clone(),
            issuer: self.issuer.clone(),
            document_number: self.document_number.clone(),
            issued_on: self.issued_on.into(),
            effective_from: self.effective_from.into(),
            effective_until: self.effective_until.map(Into::into),
            status: self.status.map(Into::into).unwrap_or_default(),
            tags: self.tags.clone(),
            full_text: self.full_text.clone(),
            district_code: self.district_code.clone(),
        }
    }
}

/// 服务事项（录入）
#[derive(InputObject)]
pub struct ServiceItemInput {
    /// 编码（大写字母、数字、下划线）
    pub key: String,
    /// 事项名称
    pub name: String,
    /// 业务条线
    pub business_line: BusinessLine,
    /// 事项说明
    pub description: String,
    /// 申请材料
    #[graphql(default)]
    pub materials: Vec<String>,
    /// 办理时限（工作日）
    pub time_limit_days: i32,
    /// 办理渠道
    pub channel: Channel,
    /// 线上办理入口（https:// 或站内路径）
    pub online_url: Option<String>,
    /// 线下办理点
    #[graphql(default)]
    pub offline_points: Vec<String>,
    /// 依据政策编码
    #[graphql(default)]
    pub policy_keys: Vec<String>,
    /// 标签
    #[graphql(default)]
    pub tags: Vec<String>,
    /// 所属区（不填为全市）
    pub district_code: Option<String>,
    /// 状态（默认在办）
    pub status: Option<EntryStatus>,
}

impl ServiceItemInput {
    fn to_domain(&self) -> catalog::ServiceItemInput {
        catalog::ServiceItemInput {
            key: self.key.clone(),
            name: self.name.clone(),
            business_line: self.business_line.into(),
            description: self.description.clone(),
            materials: self.materials.clone(),
            time_limit_days: self.time_limit_days,
            channel: self.channel.into(),
            online_url: self.online_url.clone(),
            offline_points: self.offline_points.clone(),
            policy_keys: self.policy_keys.clone(),
            tags: self.tags.clone(),
            district_code: self.district_code.clone(),
            status: self.status.map(Into::into).unwrap_or_default(),
        }
    }
}

/// 助残机构（录入）
#[derive(InputObject)]
pub struct InstitutionInput {
    /// 机构名称
    pub name: String,
    /// 机构类型
    pub kind: InstitutionKind,
    /// 所在区
    pub district_code: String,
    /// 所在街镇
    pub street_code: Option<String>,
    /// 地址
    pub address: String,
    /// 纬度 (WGS-84)
    pub latitude: f64,
    /// 经度 (WGS-84)
    pub longitude: f64,
    /// 服务内容
    #[graphql(default)]
    pub services: Vec<String>,
    /// 开放时间
    pub opening_hours: String,
    /// 无障碍设施
    #[graphql(default)]
    pub accessibility: Vec<String>,
    /// 联系电话
    pub phone: String,
    /// 入口（旗舰店）
    pub entry_url: Option<String>,
    /// 状态（默认开放）
    pub status: Option<EntryStatus>,
}

impl InstitutionInput {
    fn to_domain(&self) -> catalog::InstitutionInput {
        catalog::InstitutionInput {
            name: self.name.clone(),
            kind: self.kind.into(),
            district_code: self.district_code.clone(),
            street_code: self.street_code.clone(),
            address: self.address.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            services: self.services.clone(),
            opening_hours: self.opening_hours.clone(),
            accessibility: self.accessibility.clone(),
            phone: self.phone.clone(),
            entry_url: self.entry_url.clone(),
            status: self.status.map(Into::into).unwrap_or_default(),
        }
    }
}

/// 目录维护 (city and district admins).
#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// 保存政策法规 — create (no `id`) or replace the version you read (`id` + `expectedVersion`).
    async fn save_policy(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        expected_version: Option<i32>,
        input: PolicyInput,
    ) -> async_graphql::Result<Policy> {
        let id = optional_id("id", id.as_ref()).gql(ctx)?;
        let row = ctx
            .service::<CatalogService>()
            .save_policy(id, expected_version, &input.to_domain())
            .await
            .gql(ctx)?;
        Ok(Policy(row))
    }

    /// 保存服务事项 — create (no `id`) or replace the version you read.
    async fn save_service_item(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        expected_version: Option<i32>,
        input: ServiceItemInput,
    ) -> async_graphql::Result<ServiceItem> {
        let id = optional_id("id", id.as_ref()).gql(ctx)?;
        let row = ctx
            .service::<CatalogService>()
            .save_service_item(id, expected_version, &input.to_domain())
            .await
            .gql(ctx)?;
        Ok(ServiceItem(row))
    }

    /// 保存助残机构 — create (no `id`) or replace the version you read.
    async fn save_institution(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        expected_version: Option<i32>,
        input: InstitutionInput,
    ) -> async_graphql::Result<Institution> {
        let id = optional_id("id", id.as_ref()).gql(ctx)?;
        let row = ctx
            .service::<CatalogService>()
            .save_institution(id, expected_version, &input.to_domain())
            .await
            .gql(ctx)?;
        Ok(Institution(row))
    }
}
