//! GraphQL inputs of the registry; each converts to the domain's raw input, which parses it.

use crate::scalars::Date;
use async_graphql::{ID, InputObject};
use zhucan_domain::person::{
    NewPersonInput, PersonFilter as DomainFilter, PersonStatus as DomainStatus,
    UpdatePersonInput as DomainUpdate,
};
use zhucan_domain::region::RegionDirectory;
use zhucan_domain::types::{DisabilityLevel, RegionLevel};
use zhucan_domain::{DomainError, DomainResult};

use super::types::{DisabilityCategory, Employment, HouseholdStatus, PersonStatus, Relationship};

/// 登记残疾人
#[derive(InputObject)]
pub struct CreatePersonInput {
    /// 姓名
    pub name: String,
    /// 身份证号码 (18 digits, GB 11643 check digit)
    pub id_number: String,
    /// 残疾人证号 (ID number + category digit + level digit)
    pub certificate_number: String,
    /// 证件有效期至
    pub certificate_valid_until: Option<Date>,
    /// 手机号码
    pub phone: Option<String>,
    /// 居住地址
    pub address: Option<String>,
    /// 街镇区划代码 (9 digits)
    pub street_code: String,
    /// 居村委区划代码 (12 digits)
    pub committee_code: Option<String>,
    /// Join this household instead of creating one.
    pub household_id: Option<ID>,
    /// 与户主关系 (required when joining a household)
    pub relationship: Option<Relationship>,
    /// 家庭经济状况
    pub household_status: Option<HouseholdStatus>,
    /// 就业状况
    pub employment: Option<Employment>,
    /// 本市户籍
    pub local_hukou: Option<bool>,
}

impl CreatePersonInput {
    /// The domain's raw input (the domain parses it).
    pub fn to_domain(&self) -> NewPersonInput {
        NewPersonInput {
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            certificate_number: self.certificate_number.clone(),
            certificate_valid_until: self.certificate_valid_until.map(Into::into),
            phone: self.phone.clone(),
            address: self.address.clone(),
            street_code: self.street_code.clone(),
            committee_code: self.committee_code.clone(),
            household_id: self.household_id.as_ref().map(|h| h.to_string()),
            relationship: self.relationship.map(Into::into),
            household_status: self.household_status.map(Into::into),
            employment: self.employment.map(Into::into),
            local_hukou: self.local_hukou,
        }
    }
}

/// 修改残疾人信息: absent fields stay unchanged; an empty phone or address clears it.
#[derive(InputObject)]
pub struct UpdatePersonInput {
    /// 姓名
    pub name: Option<String>,
    /// 残疾人证号 (after re-assessment)
    pub certificate_number: Option<String>,
    /// 证件有效期至
    pub certificate_valid_until: Option<Date>,
    /// 手机号码
    pub phone: Option<String>,
    /// 居住地址
    pub address: Option<String>,
    /// 街镇区划代码 (moving)
    pub street_code: Option<String>,
    /// 居村委区划代码
    pub committee_code: Option<String>,
    /// 家庭经济状况
    pub household_status: Option<HouseholdStatus>,
    /// 就业状况
    pub employment: Option<Employment>,
    /// 本市户籍
    pub local_hukou: Option<bool>,
}

impl UpdatePersonInput {
    /// The domain's raw input.
    pub fn to_domain(&self) -> DomainUpdate {
        DomainUpdate {
            name: self.name.clone(),
            certificate_number: self.certificate_number.clone(),
            certificate_valid_until: self.certificate_valid_until.map(Into::into),
            phone: self.phone.clone(),
            address: self.address.clone(),
            street_code: self.street_code.clone(),
            committee_code: self.committee_code.clone(),
            household_status: self.household_status.map(Into::into),
            employment: self.employment.map(Into::into),
            local_hukou: self.local_hukou,
        }
    }
}

/// 残疾人查询条件
#[derive(InputObject, Default)]
pub struct PersonFilter {
    /// 区 (6 digits)
    pub district_code: Option<String>,
    /// 街镇 (9 digits)
    pub street_code: Option<String>,
    /// 残疾类别
    pub category: Option<DisabilityCategory>,
    /// 残疾等级 1–4
    pub level: Option<i32>,
    /// 残疾等级不低于（1 最重；2 即一、二级重度）
    pub max_level: Option<i32>,
    /// 就业状况
    pub employment: Option<super::types::Employment>,
    /// 最小年龄
    pub min_age: Option<i32>,
    /// 最大年龄
    pub max_age: Option<i32>,
    /// 状态
    pub status: Option<PersonStatus>,
    /// 姓名包含
    pub name_contains: Option<String>,
}

impl PersonFilter {
    /// Parse into the domain filter.
    pub fn to_domain(&self, regions: &RegionDirectory) -> DomainResult<DomainFilter> {
        let age = |field: &str, v: Option<i32>| -> DomainResult<Option<u32>> {
            v.map(|a| u32::try_from(a).map_err(|_| DomainError::bad_input(field, "年龄不能为负数")))
                .transpose()
        };
        let filter = DomainFilter {
            district: self
                .district_code
                .as_deref()
                .map(|d| regions.parse_existing("filter.districtCode", d, RegionLevel::District))
                .transpose()?,
            street: self
                .street_code
                .as_deref()
                .map(|s| regions.parse_existing("filter.streetCode", s, RegionLevel::Street))
                .transpose()?,
            category: self.category.map(Into::into),
            level: self
                .level
                .map(|l| DisabilityLevel::from_code("filter.level", l))
                .transpose()?,
            max_level: self
                .max_level
                .map(|l| DisabilityLevel::from_code("filter.maxLevel", l))
                .transpose()?,
            employment: self.employment.map(Into::into),
            min_age: age("filter.minAge", self.min_age)?,
            max_age: age("filter.maxAge", self.max_age)?,
            status: self.status.map(|s| match s {
                PersonStatus::Active => DomainStatus::Active,
                PersonStatus::Deactivated => DomainStatus::Deactivated,
            }),
            name_contains: self.name_contains.clone(),
        };
        filter.validate("filter")?;
        Ok(filter)
    }
}
