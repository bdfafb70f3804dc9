//! The person registry (R18) and the core of one-person-one-file (R54).

mod facts;
mod filter;
mod input;
mod repo;
mod write;

pub use facts::{Employment, HouseholdStatus};
pub use filter::{PersonFilter, PersonStatus};
pub use input::{NewPerson, NewPersonInput, PersonChanges, Relationship, UpdatePersonInput};
pub use repo::PersonRepo;
pub use write::{PersonWriter, encrypt_row};

use uuid::Uuid;

use crate::crypto::{FieldAad, FieldCipher};
use crate::entities::person;
use crate::error::DomainResult;
use crate::policy::SensitiveField;

/// Table name, used in ciphertext associated data.
pub const TABLE: &str = "persons";

/// A registry record as stored (sensitive fields still encrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person(person::Model);

impl Person {
    /// Wrap a stored row.
    pub fn from_row(row: person::Model) -> Self {
        Self(row)
    }

    /// The stored row.
    pub fn row(&self) -> &person::Model {
        &self.0
    }

    /// Id.
    pub fn id(&self) -> Uuid {
        self.0.id
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
