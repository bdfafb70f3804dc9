//! Raw inputs as clients send them, and their parsed forms. Parsing checks everything that can
//! be checked without the database: ID number and check digit, certificate against ID number,
//! phone, region codes that exist, lengths.

use chrono::NaiveDate;
use uuid::Uuid;

use super::facts::{Employment, HouseholdStatus};
use crate::error::{DomainError, DomainResult};
use crate::region::RegionDirectory;
use crate::types::{
    BoundedText, CertificateNumber, IdNumber, PersonName, Phone, RegionCode, RegionLevel,
};

/// Relationship to the household head (与户主关系).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// 户主
    Head,
    /// 配偶
    Spouse,
    /// 子女
    Child,
    /// 父母
    Parent,
    /// 兄弟姐妹
    Sibling,
    /// 孙子女
    Grandchild,
    /// 祖父母
    Grandparent,
    /// 其他
    Other,
}

impl Relationship {
    /// All values.
    pub const ALL: [Self; 8] = [
        Self::Head,
        Self::Spouse,
        Self::Child,
        Self::Parent,
        Self::Sibling,
        Self::Grandchild,
        Self::Grandparent,
        Self::Other,
    ];

    /// Storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Head => "HEAD",
            Self::Spouse => "SPOUSE",
            Self::Child => "CHILD",
            Self::Parent => "PARENT",
            Self::Sibling => "SIBLING",
            Self::Grandchild => "GRANDCHILD",
            Self::Grandparent => "GRANDPARENT",
            Self::Other => "OTHER",
        }
    }

    /// Parse a storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == code)
    }
}

/// `createPerson` input as received.
#[derive(Debug, Clone, Default)]
pub struct NewPersonInput {
    /// 姓名
    pub name: String,
    /// 身份证号码
    pub id_number: String,
    /// 残疾人证号
    pub certificate_number: String,
    /// 证件有效期至
    pub certificate_valid_until: Option<NaiveDate>,
    /// 手机号码
    pub phone: Option<String>,
    /// 居住地址
    pub address: Option<String>,
    /// 街镇 (9 digits)
    pub street_code: String,
    /// 居村委 (12 digits)
    pub committee_code: Option<String>,
    /// Join an existing household (its id, as received); a new one is created when absent.
    pub household_id: Option<String>,
    /// Relationship to the head (defaults to HEAD for a new household).
    pub relationship: Option<Relationship>,
    /// 家庭经济状况 (defaults to NONE).
    pub household_status: Option<HouseholdStatus>,
    /// 就业状况 (defaults to UNEMPLOYED).
    pub employment: Option<Employment>,
    /// 本市户籍 (defaults to true).
    pub local_hukou: Option<bool>,
}

/// A parsed new person.
#[derive(Debug, Clone)]
pub struct NewPerson {
    /// Name.
    pub name: PersonName,
    /// ID number.
    pub id_number: IdNumber,
    /// Certificate.
    pub certificate: CertificateNumber,
    /// Valid until.
    pub certificate_valid_until: Option<NaiveDate>,
    /// Phone.
    pub phone: Option<Phone>,
    /// Address.
    pub address: Option<BoundedText>,
    /// Street-town.
    pub street: RegionCode,
    /// Committee.
    pub committee: Option<RegionCode>,
    /// Household to join.
    pub household_id: Option<Uuid>,
    /// Relationship to the head.
    pub relationship: Relationship,
    /// Household assistance status.
    pub household_status: HouseholdStatus,
    /// Employment.
    pub employment: Employment,
    /// 本市户籍.
    pub local_hukou: bool,
}

/// Maximum address length in characters.
pub const ADDRESS_MAX: usize = 200;

impl NewPersonInput {
    /// Parse every field; errors name `input.<field>`.
    pub fn parse(&self, regions: &RegionDirectory) -> DomainResult<NewPerson> {
        let name = PersonName::parse("input.name", &self.name)?;
        let id_number = IdNumber::parse("input.idNumber", &self.id_number)?;
        let certificate = CertificateNumber::parse(
            "input.certificateNumber",
            &self.certificate_number,
            &id_number,
        )?;
        let phone = self
            .phone
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(|p| Phone::parse("input.phone", p))
            .transpose()?;
        let address = self
            .address
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .map(|a| BoundedText::parse("input.address", a, ADDRESS_MAX))
            .transpose()?;
        let (street, committee) =
            parse_residence(regions, &self.street_code, self.committee_code.as_deref())?;
        let household_id = self
            .household_id
            .as_deref()
            .map(|h| {
                Uuid::parse_str(h.trim())
                    .map_err(|_| DomainError::bad_input("input.householdId", "ID格式无效"))
            })
            .transpose()?;
        let relationship = match (household_id, self.relationship) {
            (None, None | Some(Relationship::Head)) => Relationship::Head,
            (None, Some(_)) => {
                return Err(DomainError::bad_input(
                    "input.relationship",
                    "新建户时本人应为户主（HEAD）",
                ));
            }
            (Some(_), None) => {
                return Err(DomainError::bad_input(
                    "input.relationship",
                    "加入已有户时须填写与户主关系",
                ));
            }
            (Some(_), Some(Relationship::Head)) => {
                return Err(DomainError::bad_input(
                    "input.relationship",
                    "已有户已有户主，不能再登记为户主",
                ));
            }
            (Some(_), Some(r)) => r,
        };
        let certificate_valid_until = self
            .certificate_valid_until
            .map(|d| {
                crate::types::check_valid_until(
                    "input.certificateValidUntil",
                    d,
                    super::filter::today(),
                )
            })
            .transpose()?;
        Ok(NewPerson {
            name,
            id_number,
            certificate,
            certificate_valid_until,
            phone,
            address,
            street,
            committee,
            household_id,
            relationship,
            household_status: self.household_status.unwrap_or_default(),
            employment: self.employment.unwrap_or_default(),
            local_hukou: self.local_hukou.unwrap_or(true),
        })
    }
}

/// Parse a street-town and optional committee that must lie in it.
pub(crate) fn parse_residence(
    regions: &RegionDirectory,
    street: &str,
    committee: Option<&str>,
) -> DomainResult<(RegionCode, Option<RegionCode>)> {
    let street = regions.parse_existing("input.streetCode", street, RegionLevel::Street)?;
    let committee = committee
        .filter(|c| !c.trim().is_empty())
        .map(|c| regions.parse_existing("input.committeeCode", c, RegionLevel::Committee))
        .transpose()?;
    if let Some(c) = &committee
        && !street.contains(c)
    {
        return Err(DomainError::bad_input(
            "input.committeeCode",
            "居村委不属于所填街镇",
        ));
    }
    Ok((street, committee))
}

/// `updatePerson` input as received: absent fields stay unchanged; an empty phone or address
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct UpdatePersonInput {
    /// 姓名
    pub name: Option<String>,
    /// 残疾人证号 (re-assessment changes category or level)
    pub certificate_number: Option<String>,
    /// 证件有效期至
    pub certificate_valid_until: Option<NaiveDate>,
    /// 手机号码
    pub phone: Option<String>,
    /// 居住地址
    pub address: Option<String>,
    /// 街镇 (moving)
    pub street_code: Option<String>,
    /// 居村委
    pub committee_code: Option<String>,
    /// 家庭经济状况
    pub household_status: Option<HouseholdStatus>,
    /// 就业状况
    pub employment: Option<Employment>,
    /// 本市户籍
    pub local_hukou: Option<bool>,
}

/// Parsed changes. `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct PersonChanges {
    /// New name.
    pub name: Option<PersonName>,
    /// New certificate (checked against the stored ID number by the writer).
    pub certificate_number: Option<String>,
    /// New validity.
    pub certificate_valid_until: Option<NaiveDate>,
    /// New phone.
    pub phone: Option<Option<Phone>>,
    /// New address.
    pub address: Option<Option<BoundedText>>,
    /// New residence.
    pub residence: Option<(RegionCode, Option<RegionCode>)>,
    /// New household status.
    pub household_status: Option<HouseholdStatus>,
    /// New employment.
    pub employment: Option<Employment>,
    /// New hukou.
    pub local_hukou: Option<bool>,
}

impl UpdatePersonInput {
    /// Parse the changes; errors name `input.<field>`.
    pub fn parse(&self, regions: &RegionDirectory) -> DomainResult<PersonChanges> {
        let name = self
            .name
            .as_deref()
            .map(|n| PersonName::parse("input.name", n))
            .transpose()?;
        let phone = self
            .phone
            .as_deref()
            .map(|p| {
                if p.trim().is_empty() {
                    Ok(None)
                } else {
                    Phone::parse("input.phone", p).map(Some)
                }
            })
            .transpose()?;
        let address = self
            .address
            .as_deref()
            .map(|a| {
                if a.trim().is_empty() {
                    Ok(None)
                } else {
                    BoundedText::parse("input.address", a, ADDRESS_MAX).map(Some)
                }
            })
            .transpose()?;
        let residence = match (&self.street_code, &self.committee_code) {
            (Some(s), c) => Some(parse_residence(regions, s, c.as_deref())?),
            (None, Some(_)) => {
                return Err(DomainError::bad_input(
                    "input.committeeCode",
                    "变更居村委时须同时填写街镇",
                ));
            }
            (None, None) => None,
        };
        if let Some(c) = &self.certificate_number
            && c.len() > 40
        {
            return Err(DomainError::bad_input(
                "input.certificateNumber",
                "残疾人证号过长",
            ));
        }
        let certificate_valid_until = self
            .certificate_valid_until
            .map(|d| {
                crate::types::check_valid_until(
                    "input.certificateValidUntil",
                    d,
                    super::filter::today(),
                )
            })
            .transpose()?;
        let changes = PersonChanges {
            name,
            certificate_number: self.certificate_number.clone(),
            certificate_valid_until,
            phone,
            address,
            residence,
            household_status: self.household_status,
            employment: self.employment,
            local_hukou: self.local_hukou,
        };
        Ok(changes)
    }
}
