//! The person registry (R18) and the core of one-person-one-file (R54).

mod facts;
mod filter;
mod input;
mod repo;
mod service;
mod write;

pub use facts::{Employment, HouseholdStatus};
pub(crate) use filter::admitted;
pub(crate) use filter::scope_condition;
pub use filter::{PersonFilter, PersonStatus};
pub use input::{NewPerson, NewPersonInput, PersonChanges, Relationship, UpdatePersonInput};
pub use repo::PersonRepo;
pub use service::{ChangeWatch, PersonChange, PersonService, VISITS_SHOWN, Visit};
pub use write::{PersonWriter, encrypt_row};

use uuid::Uuid;

use crate::crypto::{FieldAad, FieldCipher};
use crate::entities::person;
use crate::error::DomainResult;
use crate::policy::SensitiveField;

/// Table name, used in ciphertext associated data.
pub const TABLE: &str = "persons";

/// A registry record, the read model of the person file: typed values, sensitive fields still
/// encrypted (they are shown through [`PersonService::present`] or revealed, audited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person(person::Model);

impl Person {
    /// Wrap a stored row.
    pub fn from_row(row: person::Model) -> Self {
        Self(row)
    }

    /// The stored row (inside the domain: rules and writers read it).
    pub(crate) fn row(&self) -> &person::Model {
        &self.0
    }

    /// Id.
    pub fn id(&self) -> Uuid {
        self.0.id
    }

    /// 姓名
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// 性别 (from the ID number).
    pub fn sex(&self) -> crate::types::Sex {
        crate::types::Sex::from_code(&self.0.sex).unwrap_or(crate::types::Sex::Female)
    }

    /// 出生日期 (from the ID number).
    pub fn birth_date(&self) -> chrono::NaiveDate {
        self.0.birth_date
    }

    /// Age in whole years on `today`.
    pub fn age_on(&self, today: chrono::NaiveDate) -> i32 {
        use chrono::Datelike;
        let b = self.0.birth_date;
        let mut age = today.year() - b.year();
        if (today.month(), today.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        age
    }

    /// 残疾类别 (`None` for a stored code out of range).
    pub fn category(&self) -> Option<crate::types::DisabilityCategory> {
        crate::types::DisabilityCategory::from_code("category", i32::from(self.0.category)).ok()
    }

    /// 残疾等级 1–4 (1 most severe).
    pub fn level(&self) -> i32 {
        i32::from(self.0.level)
    }

    /// 证件有效期至
    pub fn certificate_valid_until(&self) -> Option<chrono::NaiveDate> {
        self.0.certificate_valid_until
    }

    /// 区 code.
    pub fn district_code(&self) -> &str {
        &self.0.district_code
    }

    /// 街镇 code.
    pub fn street_code(&self) -> &str {
        &self.0.street_code
    }

    /// 居村委 code.
    pub fn committee_code(&self) -> Option<&str> {
        self.0.committee_code.as_deref()
    }

    /// 户
    pub fn household_id(&self) -> Uuid {
        self.0.household_id
    }

    /// 与户主关系
    pub fn relationship(&self) -> Relationship {
        Relationship::from_code(&self.0.relationship).unwrap_or(Relationship::Other)
    }

    /// 状态
    pub fn status(&self) -> PersonStatus {
        if self.0.status == PersonStatus::Deactivated.as_str() {
            PersonStatus::Deactivated
        } else {
            PersonStatus::Active
        }
    }

    /// 注销原因
    pub fn deactivation_reason(&self) -> Option<&str> {
        self.0.deactivation_reason.as_deref()
    }

    /// 家庭经济状况
    pub fn household_status(&self) -> HouseholdStatus {
        HouseholdStatus::from_stored(&self.0.household_status)
    }

    /// 就业状况
    pub fn employment(&self) -> Employment {
        Employment::from_stored(&self.0.employment)
    }

    /// 本市户籍
    pub fn local_hukou(&self) -> bool {
        self.0.local_hukou
    }

    /// 登记时间
    pub fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }

    /// 最后修改时间
    pub fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }

    /// Decrypt one sensitive field (`None` when the field is empty).
    pub fn decrypt(
        &self,
        cipher: &FieldCipher,
        field: SensitiveField,
    ) -> DomainResult<Option<String>> {
        let (column, stored) = match field {
            SensitiveField::IdNumber => ("id_number", Some(&self.0.id_number_enc)),
            SensitiveField::CertificateNumber => ("certificate", Some(&self.0.certificate_enc)),
            SensitiveField::Phone => ("phone", self.0.phone_enc.as_ref()),
            SensitiveField::Address => ("address", self.0.address_enc.as_ref()),
        };
        stored
            .map(|s| cipher.decrypt(aad(column, &self.0.id), s))
            .transpose()
    }
}

/// Associated data for a person column.
pub(crate) fn aad<'a>(column: &'static str, row: &'a Uuid) -> FieldAad<'a> {
    FieldAad {
        table: TABLE,
        column,
        row,
    }
}

/// Purpose label of the ID-number blind index.
pub const ID_NUMBER_INDEX: &str = "persons.id_number";
