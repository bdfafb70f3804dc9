//! Catalog inputs as clients send them, and their checks. Every field error names
//! `input.<field>` and says in Chinese what is wrong.

use chrono::NaiveDate;

use crate::error::{DomainError, DomainResult};
use crate::region::RegionDirectory;
use crate::types::{BoundedText, RegionLevel};

code_enum! {
    /// 政策状态.
    PolicyStatus {
        /// 现行有效
        #[default]
        InForce = "IN_FORCE",
        /// 已废止
        Repealed = "REPEALED",
    }
}

code_enum! {
    /// 业务条线.
    BusinessLine {
        /// 组联
        #[default]
        Organization = "ORGANIZATION",
        /// 教就 (education and employment)
        EducationEmployment = "EDUCATION_EMPLOYMENT",
        /// 康复
        Rehabilitation = "REHABILITATION",
        /// 权益
        Rights = "RIGHTS",
    }
}

code_enum! {
    /// 办理渠道.
    Channel {
        /// 线上办理
        #[default]
        Online = "ONLINE",
        /// 线下服务点
        Offline = "OFFLINE",
        /// 免申即享: granted automatically to everyone eligible.
        Automatic = "AUTOMATIC",
    }
}

code_enum! {
    /// 机构类型.
    InstitutionKind {
        /// 康复机构
        #[default]
        Rehabilitation = "REHABILITATION",
        /// 阳光之家 / 阳光心园 / 阳光基地
        DayCare = "DAY_CARE",
        /// 残疾人服务中心
        ServiceCenter = "SERVICE_CENTER",
        /// 就业服务机构
        Employment = "EMPLOYMENT",
        /// 特殊教育
        SpecialEducation = "SPECIAL_EDUCATION",
        /// 辅具服务
        AssistiveDevice = "ASSISTIVE_DEVICE",
        /// 区助残服务旗舰店
        FlagshipStore = "FLAGSHIP_STORE",
    }
}

code_enum! {
    /// Whether a service item or institution is offered.
    EntryStatus {
        /// 在办 / 开放
        #[default]
        Active = "ACTIVE",
        /// 已撤销
        Withdrawn = "WITHDRAWN",
    }
}

/// A policy or regulation as submitted.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    /// Stable key (`SH_SEVERE_CARE_2019`).
    pub key: String,
    /// 标题
    pub title: String,
    /// 发文机关
    pub issuer: String,
    /// 文号
    pub document_number: Option<String>,
    /// 发布日期
    pub issued_on: NaiveDate,
    /// 施行日期
    pub effective_from: NaiveDate,
    /// 失效日期
    pub effective_until: Option<NaiveDate>,
    /// 状态
    pub status: PolicyStatus,
    /// 标签
    pub tags: Vec<String>,
    /// 全文
    pub full_text: String,
    /// 所属区 (null = city-wide)
    pub district_code: Option<String>,
}

/// A service item as submitted.
#[derive(Debug, Clone, Default)]
pub struct ServiceItemInput {
    /// Stable key (`SEVERE_CARE_SUBSIDY`).
    pub key: String,
    /// 事项名称
    pub name: String,
    /// 业务条线
    pub business_line: BusinessLine,
    /// 事项说明
    pub description: String,
    /// 申请材料
    pub materials: Vec<String>,
    /// 办理时限（工作日）
    pub time_limit_days: i32,
    /// 办理渠道
    pub channel: Channel,
    /// 线上办理入口
    pub online_url: Option<String>,
    /// 线下办理点
    pub offline_points: Vec<String>,
    /// 依据政策 (keys)
    pub policy_keys: Vec<String>,
    /// 标签
    pub tags: Vec<String>,
    /// 所属区 (null = city-wide)
    pub district_code: Option<String>,
    /// 状态
    pub status: EntryStatus,
}

/// An assistance institution as submitted.
#[derive(Debug, Clone, Default)]
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
    pub services: Vec<String>,
    /// 开放时间
    pub opening_hours: String,
    /// 无障碍设施
    pub accessibility: Vec<String>,
    /// 联系电话
    pub phone: String,
    /// 入口 (旗舰店)
    pub entry_url: Option<String>,
    /// 状态
    pub status: EntryStatus,
}

/// Maximum lengths.
pub mod limits {
    /// Titles and names.
    pub const TITLE: usize = 200;
    /// Descriptions.
    pub const DESCRIPTION: usize = 4_000;
    /// Full text of a policy.
    pub const FULL_TEXT: usize = 100_000;
    /// Entries in a list field.
    pub const LIST_ITEMS: usize = 30;
    /// Characters per list entry.
    pub const LIST_ITEM: usize = 100;
}

fn text(field: &str, raw: &str, max: usize) -> DomainResult<String> {
    BoundedText::parse(field, raw, max).map(BoundedText::into_string)
}

fn opt_text(field: &str, raw: Option<&str>, max: usize) -> DomainResult<Option<String>> {
    raw.filter(|s| !s.trim().is_empty())
        .map(|s| text(field, s, max))
        .transpose()
}

fn list(field: &str, items: &[String]) -> DomainResult<Vec<String>> {
    if items.len() > limits::LIST_ITEMS {
        return Err(DomainError::bad_input(
            field,
            format!("最多{}项", limits::LIST_ITEMS),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let t = text(&format!("{field}[{i}]"), item, limits::LIST_ITEM)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// A stable key: upper-case ASCII letters, digits and `_`, starting with a letter, 2–64 long.
pub fn check_key(field: &str, raw: &str) -> DomainResult<String> {
    let k = raw.trim();
    let ok = (2..=64).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_uppercase())
        && k.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(k.to_owned())
    } else {
        Err(DomainError::bad_input(
            field,
            "编码须为2–64位大写字母、数字或下划线，且以字母开头",
        ))
    }
}

fn url(field: &str, raw: Option<&str>) -> DomainResult<Option<String>> {
    let Some(u) = raw.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let ok = u.len() <= 500
        && (u.starts_with("https://") || (u.starts_with('/') && !u.starts_with("//")))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(Some(u.to_owned()))
    } else {
        Err(DomainError::bad_input(
            field,
            "链接须以 https:// 或 / 开头，且不含空白字符",
        ))
    }
}

fn district(
    regions: &RegionDirectory,
    field: &str,
    raw: Option<&str>,
) -> DomainResult<Option<String>> {
    raw.filter(|s| !s.trim().is_empty())
        .map(|d| {
            regions
                .parse_existing(field, d.trim(), RegionLevel::District)
                .map(|c| c.as_str().to_owned())
        })
        .transpose()
}

impl PolicyInput {
    /// Check and normalise every field.
    pub fn parse(&self, regions: &RegionDirectory) -> DomainResult<Self> {
        if let Some(until) = self.effective_until
            && until < self.effective_from
        {
            return Err(DomainError::bad_input(
                "input.effectiveUntil",
                "失效日期不能早于施行日期",
            ));
        }
        Ok(Self {
            key: check_key("input.key", &self.key)?,
            title: text("input.title", &self.title, limits::TITLE)?,
            issuer: text("input.issuer", &self.issuer, limits::TITLE)?,
            document_number: opt_text("input.documentNumber", self.document_number.as_deref(), 64)?,
            issued_on: self.issued_on,
            effective_from: self.effective_from,
            effective_until: self.effective_until,
            status: self.status,
            tags: list("input.tags", &self.tags)?,
            full_text: text("input.fullText", &self.full_text, limits::FULL_TEXT)?,
            district_code: district(regions, "input.districtCode", self.district_code.as_deref())?,
        })
    }
}

impl ServiceItemInput {
    /// Check and normalise every field.
    pub fn parse(&self, regions: &RegionDirectory) -> DomainResult<Self> {
        // 免申即享 needs no handling time; everything else takes at least a day.
        let min_days = i32::from(self.channel != Channel::Automatic);
        if !(min_days..=365).contains(&self.time_limit_days) {
            return Err(DomainError::bad_input(
                "input.timeLimitDays",
                format!("办理时限须为{min_days}–365个工作日"),
            ));
        }
        let online_url = url("input.onlineUrl", self.online_url.as_deref())?;
        if self.channel == Channel::Online && online_url.is_none() {
            return Err(DomainError::bad_input(
                "input.onlineUrl",
                "线上办理事项须填写办理入口",
            ));
        }
        let mut policy_keys = Vec::with_capacity(self.policy_keys.len());
        for (i, k) in self.policy_keys.iter().enumerate() {
            policy_keys.push(check_key(&format!("input.policyKeys[{i}]"), k)?);
        }
        Ok(Self {
            key: check_key("input.key", &self.key)?,
            name: text("input.name", &self.name, limits::TITLE)?,
            business_line: self.business_line,
            description: text("input.description", &self.description, limits::DESCRIPTION)?,
            materials: list("input.materials", &self.materials)?,
            time_limit_days: self.time_limit_days,
            channel: self.channel,
            online_url,
            offline_points: list("input.offlinePoints", &self.offline_points)?,
            policy_keys,
            tags: list("input.tags", &self.tags)?,
            district_code: district(regions, "input.districtCode", self.district_code.as_deref())?,
            status: self.status,
        })
    }
}

/// Shanghai's extent (WGS-84), with a margin.
const LAT_RANGE: std::ops::RangeInclusive<f64> = 30.6..=31.95;
const LNG_RANGE: std::ops::RangeInclusive<f64> = 120.8..=122.2;

impl InstitutionInput {
    /// Check and normalise every field.
    pub fn parse(&self, regions: &RegionDirectory) -> DomainResult<Self> {
        let district_code = district(regions, "input.districtCode", Some(&self.district_code))?
            .ok_or_else(|| DomainError::bad_input("input.districtCode", "不能为空"))?;
        let street_code = self
            .street_code
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                regions
                    .parse_existing("input.streetCode", s.trim(), RegionLevel::Street)
                    .map(|c| c.as_str().to_owned())
            })
            .transpose()?;
        if let Some(s) = &street_code
            && !s.starts_with(&district_code)
        {
            return Err(DomainError::bad_input(
                "input.streetCode",
                "街镇不属于所填区",
            ));
        }
        if !LAT_RANGE.contains(&self.latitude) {
            return Err(DomainError::bad_input(
                "input.latitude",
                "纬度不在上海市范围内",
            ));
        }
        if !LNG_RANGE.contains(&self.longitude) {
            return Err(DomainError::bad_input(
                "input.longitude",
                "经度不在上海市范围内",
            ));
        }
        let phone = self.phone.trim();
        if !(7..=20).contains(&phone.len())
            || !phone.chars().all(|c| c.is_ascii_digit() || c == '-')
        {
            return Err(DomainError::bad_input(
                "input.phone",
                "联系电话须为7–20位数字或连字符",
            ));
        }
        Ok(Self {
            name: text("input.name", &self.name, limits::TITLE)?,
            kind: self.kind,
            district_code,
            street_code,
            address: text("input.address", &self.address, limits::TITLE)?,
            latitude: self.latitude,
            longitude: self.longitude,
            services: list("input.services", &self.services)?,
            opening_hours: text("input.openingHours", &self.opening_hours, 100)?,
            accessibility: list("input.accessibility", &self.accessibility)?,
            phone: phone.to_owned(),
            entry_url: url("input.entryUrl", self.entry_url.as_deref())?,
            status: self.status,
        })
    }
}

/// Decode a JSON array column (an unreadable one reads as empty).
pub fn json_list(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// Encode a list for a JSON array column.
pub fn to_json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_urls_and_lists_are_checked() {
        assert!(check_key("k", "SEVERE_CARE_SUBSIDY").is_ok());
        assert!(check_key("k", "severe").is_err());
        assert!(check_key("k", "A").is_err());
        assert!(check_key("k", "A B").is_err());
        assert!(url("u", Some("javascript:alert(1)")).is_err());
        assert!(url("u", Some("//evil.example")).is_err());
        assert_eq!(
            url("u", Some("/h5/flagship/310115")).unwrap().as_deref(),
            Some("/h5/flagship/310115")
        );
        let many: Vec<String> = (0..31).map(|i| format!("t{i}")).collect();
        assert!(list("tags", &many).is_err());
        let dup = vec!["康复".to_owned(), " 康复 ".to_owned()];
        assert_eq!(list("tags", &dup).unwrap(), vec!["康复".to_owned()]);
        let err = list("input.tags", &["".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("input.tags[0]"), "{err}");
    }
}
