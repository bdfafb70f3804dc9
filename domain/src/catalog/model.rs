//! Read models of the catalog: what the API shows of policies, service items, institutions and
//! their revisions, with typed codes and lists (stored as codes and JSON text).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{
    BusinessLine, Channel, EntryKind, EntryStatus, InstitutionKind, PolicyStatus, json_list,
};
use crate::entities::{catalog_revision, institution, policy, service_item};

/// 政策法规
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Id.
    pub id: Uuid,
    /// 编码
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
    /// 所属区 (`None`: city-wide)
    pub district_code: Option<String>,
    /// Version (optimistic concurrency).
    pub version: i32,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

impl From<policy::Model> for Policy {
    fn from(m: policy::Model) -> Self {
        Self {
            id: m.id,
            status: PolicyStatus::from_stored(&m.status),
            tags: json_list(&m.tags),
            key: m.key,
            title: m.title,
            issuer: m.issuer,
            document_number: m.document_number,
            issued_on: m.issued_on,
            effective_from: m.effective_from,
            effective_until: m.effective_until,
            full_text: m.full_text,
            district_code: m.district_code,
            version: m.version,
            updated_at: m.updated_at,
        }
    }
}

/// 服务事项
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceItem {
    /// Id.
    pub id: Uuid,
    /// 编码
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
    /// 依据政策编码
    pub policy_keys: Vec<String>,
    /// 标签
    pub tags: Vec<String>,
    /// 所属区 (`None`: city-wide)
    pub district_code: Option<String>,
    /// Version of the eligibility rule in force (0: none).
    pub rule_version: i32,
    /// 状态
    pub status: EntryStatus,
    /// Version (optimistic concurrency).
    pub version: i32,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

impl From<service_item::Model> for ServiceItem {
    fn from(m: service_item::Model) -> Self {
        Self {
            id: m.id,
            business_line: BusinessLine::from_stored(&m.business_line),
            channel: Channel::from_stored(&m.channel),
            status: EntryStatus::from_stored(&m.status),
            materials: json_list(&m.materials),
            offline_points: json_list(&m.offline_points),
            policy_keys: json_list(&m.policy_keys),
            tags: json_list(&m.tags),
            key: m.key,
            name: m.name,
            description: m.description,
            time_limit_days: m.time_limit_days,
            online_url: m.online_url,
            district_code: m.district_code,
            rule_version: m.rule_version,
            version: m.version,
            updated_at: m.updated_at,
        }
    }
}

/// 助残机构
#[derive(Debug, Clone, PartialEq)]
pub struct Institution {
    /// Id.
    pub id: Uuid,
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
    /// 联系电话 (an institution's public number)
    pub phone: String,
    /// 入口（旗舰店）
    pub entry_url: Option<String>,
    /// 状态
    pub status: EntryStatus,
    /// Version (optimistic concurrency).
    pub version: i32,
}

impl From<institution::Model> for Institution {
    fn from(m: institution::Model) -> Self {
        Self {
            id: m.id,
            kind: InstitutionKind::from_stored(&m.kind),
            status: EntryStatus::from_stored(&m.status),
            services: json_list(&m.services),
            accessibility: json_list(&m.accessibility),
            name: m.name,
            district_code: m.district_code,
            street_code: m.street_code,
            address: m.address,
            latitude: m.latitude,
            longitude: m.longitude,
            opening_hours: m.opening_hours,
            phone: m.phone,
            entry_url: m.entry_url,
            version: m.version,
        }
    }
}

/// One saved version of a catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// What the entry is.
    pub kind: EntryKind,
    /// 版本
    pub version: i32,
    /// 保存时间
    pub at: DateTime<Utc>,
    /// The whole entry at that version, JSON.
    pub snapshot: String,
}

impl From<catalog_revision::Model> for Revision {
    fn from(m: catalog_revision::Model) -> Self {
        Self {
            kind: EntryKind::from_stored(&m.entity_kind),
            version: m.version,
            at: m.at,
            snapshot: m.snapshot,
        }
    }
}

/// Any catalog entry (a search hit's).
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// 政策法规
    Policy(Policy),
    /// 服务事项
    ServiceItem(ServiceItem),
    /// 助残机构
    Institution(Institution),
    /// 阳光201 活动
    Activity(crate::activity::Activity),
    /// 就业岗位
    Job(crate::employment::Job),
}
