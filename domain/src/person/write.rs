//! Changing the registry. Each operation is one transaction: the change, its audit record and
//! (for a new person) their household commit together or not at all.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::filter::scope_condition;
use super::repo::WHAT;
use super::{ID_NUMBER_INDEX, NewPerson, Person, PersonChanges, PersonStatus, aad};
use crate::audit::{self, Actor, AuditEntry};
use crate::crypto::FieldCipher;
use crate::db::Db;
use crate::entities::{household, person};
use crate::error::{DomainError, DomainResult};
use crate::types::{BoundedText, CertificateNumber, IdNumber};
use crate::viewer::PersonScope;

/// Registry writes for one actor in one scope.
pub struct PersonWriter<'a> {
    /// Database.
    pub db: &'a Db,
    /// Field cipher (also holds the audit key).
    pub cipher: &'a FieldCipher,
    /// Who acts.
    pub actor: &'a Actor,
    /// Their scope.
    pub scope: &'a PersonScope,
}

fn success(operation: &str, id: Uuid, detail: String) -> AuditEntry<'_> {
    AuditEntry {
        operation,
        object_type: "person",
        object_id: id.to_string(),
        result: "SUCCESS".to_owned(),
        detail,
    }
}

impl PersonWriter<'_> {
    /// Register a person (and a new household when none is given).
    pub async fn create(&self, new: NewPerson) -> DomainResult<Person> {
        if !self.scope.may_write_region(&new.street) {
            return Err(DomainError::Forbidden("无权在该街镇登记残疾人"));
        }
        let w = self.db.begin_write().await?;
        let now = Utc::now();
        let id = Uuid::now_v7();
        let household_id = match new.household_id {
            Some(hid) => {
                let h = household::Entity::find_by_id(hid).one(&w.txn).await?;
                match h {
                    Some(h)
                        if self.scope.may_write_region(
                            &crate::types::RegionCode::from_trusted(h.street_code.clone()),
                        ) =>
                    {
                        hid
                    }
                    _ => {
                        return Err(DomainError::bad_input(
                            "input.householdId",
                            "户不存在或不在您的管辖范围内",
                        ));
                    }
                }
            }
            None => {
                let hid = Uuid::now_v7();
                household::ActiveModel {
                    id: Set(hid),
                    street_code: Set(new.street.as_str().to_owned()),
                    created_at: Set(now),
                }
                .insert(&w.txn)
                .await?;
                hid
            }
        };
        let row = self.row_for(&new, id, household_id, now)?;
        person::ActiveModel::from(row.clone())
            .insert(&w.txn)
            .await
            .map_err(|e| match DomainError::from(e) {
                DomainError::Conflict(_) => DomainError::Conflict("该身份证号码已登记".to_owned()),
                other => other,
            })?;
        audit::append(
            &w.txn,
            self.cipher.keys().audit_key(),
            self.actor,
            success("person.create", id, String::new()),
        )
        .await?;
        w.commit().await?;
        Ok(Person::from_row(row))
    }

    /// Build the stored row of a new person (encrypting its sensitive fields).
    pub fn row_for(
        &self,
        new: &NewPerson,
        id: Uuid,
        household_id: Uuid,
        now: chrono::DateTime<Utc>,
    ) -> DomainResult<person::Model> {
        encrypt_row(self.cipher, new, id, household_id, now)
    }

    /// Apply changes to a person in scope.
    pub async fn update(&self, id: Uuid, changes: PersonChanges) -> DomainResult<Person> {
        let w = self.db.begin_write().await?;
        let current = load_in_scope(&w.txn, self.scope, id).await?;
        if current.status != PersonStatus::Active.as_str() {
            return Err(DomainError::Conflict("该残疾人已注销，不能修改".to_owned()));
        }
        let mut fields = Vec::new();
        let mut m: person::ActiveModel = current.clone().into();
        if let Some(n) = changes.name {
            m.name = Set(n.as_str().to_owned());
            fields.push("name");
        }
        if let Some(raw) = changes.certificate_number {
            let holder_plain = self
                .cipher
                .decrypt(aad("id_number", &id), &current.id_number_enc)?;
            let holder = IdNumber::parse("idNumber", &holder_plain)?;
            let cert = CertificateNumber::parse("input.certificateNumber", &raw, &holder)?;
            m.certificate_enc = Set(self
                .cipher
                .encrypt(aad("certificate", &id), cert.as_str())?);
            m.category = Set(cert.category().code());
            m.level = Set(cert.level().code());
            fields.push("certificateNumber");
        }
        if let Some(v) = changes.certificate_valid_until {
            m.certificate_valid_until = Set(Some(v));
            fields.push("certificateValidUntil");
        }
        if let Some(p) = changes.phone {
            m.phone_enc = Set(p
                .map(|p| self.cipher.encrypt(aad("phone", &id), p.as_str()))
                .transpose()?);
            fields.push("phone");
        }
        if let Some(a) = changes.address {
            m.address_enc = Set(a
                .map(|a| self.cipher.encrypt(aad("address", &id), a.as_str()))
                .transpose()?);
            fields.push("address");
        }
        if let Some((street, committee)) = changes.residence {
            if !self.scope.may_write_region(&street) {
                return Err(DomainError::Forbidden(
                    "无权将残疾人迁入您管辖范围以外的街镇",
                ));
            }
            let district = street
                .district()
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default();
            m.district_code = Set(district);
            m.street_code = Set(street.as_str().to_owned());
            m.committee_code = Set(committee.map(|c| c.as_str().to_owned()));
            fields.push("residence");
        }
        if let Some(h) = changes.household_status {
            m.household_status = Set(h.as_str().to_owned());
            fields.push("householdStatus");
        }
        if let Some(e) = changes.employment {
            m.employment = Set(e.as_str().to_owned());
            fields.push("employment");
        }
        if let Some(l) = changes.local_hukou {
            m.local_hukou = Set(l);
            fields.push("localHukou");
        }
        if fields.is_empty() {
            return Err(DomainError::bad_input("input", "没有需要修改的字段"));
        }
        m.updated_at = Set(Utc::now());
        let row = m.update(&w.txn).await?;
        // Their facts may have changed: automatic grants follow in the same transaction.
        crate::eligibility::reevaluate_person(&w.txn, self.cipher, &row, &self.actor.id).await?;
        audit::append(
            &w.txn,
            self.cipher.keys().audit_key(),
            self.actor,
            success("person.update", id, fields.join(",")),
        )
        .await?;
        w.commit().await?;
        Ok(Person::from_row(row))
    }

    /// Deactivate (注销) a person in scope, with a reason.
    pub async fn deactivate(&self, id: Uuid, reason: BoundedText) -> DomainResult<Person> {
        let w = self.db.begin_write().await?;
        let current = load_in_scope(&w.txn, self.scope, id).await?;
        if current.status == PersonStatus::Deactivated.as_str() {
            return Err(DomainError::Conflict("该残疾人已注销".to_owned()));
        }
        let mut m: person::ActiveModel = current.into();
        m.status = Set(PersonStatus::Deactivated.as_str().to_owned());
        m.deactivation_reason = Set(Some(reason.into_string()));
        m.updated_at = Set(Utc::now());
        let row = m.update(&w.txn).await?;
        // A deactivated registration keeps no automatic grant.
        crate::eligibility::reevaluate_person(&w.txn, self.cipher, &row, &self.actor.id).await?;
        audit::append(
            &w.txn,
            self.cipher.keys().audit_key(),
            self.actor,
            success("person.deactivate", id, String::new()),
        )
        .await?;
        w.commit().await?;
        Ok(Person::from_row(row))
    }
}

async fn load_in_scope<C: ConnectionTrait>(
    conn: &C,
    scope: &PersonScope,
    id: Uuid,
) -> DomainResult<person::Model> {
    person::Entity::find_by_id(id)
        .filter(scope_condition(scope))
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound { what: WHAT })
}

/// Encrypt a parsed person into a storage row (also used by bulk seeding).
pub fn encrypt_row(
    cipher: &FieldCipher,
    new: &NewPerson,
    id: Uuid,
    household_id: Uuid,
    now: chrono::DateTime<Utc>,
) -> DomainResult<person::Model> {
    Ok(person::Model {
        id,
        name: new.name.as_str().to_owned(),
        sex: new.id_number.sex().as_str().to_owned(),
        birth_date: new.id_number.birth_date(),
        id_number_enc: cipher.encrypt(aad("id_number", &id), new.id_number.as_str())?,
        id_number_bidx: cipher.blind_index(ID_NUMBER_INDEX, new.id_number.as_str()),
        certificate_enc: cipher.encrypt(aad("certificate", &id), new.certificate.as_str())?,
        category: new.certificate.category().code(),
        level: new.certificate.level().code(),
        certificate_valid_until: new.certificate_valid_until,
        phone_enc: new
            .phone
            .as_ref()
            .map(|p| cipher.encrypt(aad("phone", &id), p.as_str()))
            .transpose()?,
        address_enc: new
            .address
            .as_ref()
            .map(|a| cipher.encrypt(aad("address", &id), a.as_str()))
            .transpose()?,
        district_code: new
            .street
            .district()
            .map(|d| d.as_str().to_owned())
            .unwrap_or_default(),
        street_code: new.street.as_str().to_owned(),
        committee_code: new.committee.as_ref().map(|c| c.as_str().to_owned()),
        household_id,
        relationship: new.relationship.as_str().to_owned(),
        status: PersonStatus::Active.as_str().to_owned(),
        deactivation_reason: None,
        household_status: new.household_status.as_str().to_owned(),
        employment: new.employment.as_str().to_owned(),
        local_hukou: new.local_hukou,
        created_at: now,
        updated_at: now,
    })
}
