//! Reading the registry. Every method takes the viewer's `PersonScope`; records outside it are
//! indistinguishable from records that do not exist.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::filter::{scope_condition, today};
use super::{ID_NUMBER_INDEX, Person, PersonFilter};
use crate::crypto::FieldCipher;
use crate::db::Db;
use crate::entities::person::{Column, Entity};
use crate::error::{DomainError, DomainResult};
use crate::page::{Page, PageRequest};
use crate::types::IdNumber;
use crate::viewer::PersonScope;

/// Scoped reads of the registry.
#[derive(Clone, Copy)]
pub struct PersonRepo<'a> {
    db: &'a Db,
}

/// What a missing or out-of-scope person is called in errors.
pub(crate) const WHAT: &str = "残疾人";

impl<'a> PersonRepo<'a> {
    /// A repository over `db`.
    pub fn new(db: &'a Db) -> Self {
        Self { db }
    }

    /// One person, or `NOT_FOUND` (also when out of scope).
    pub async fn get(&self, scope: &PersonScope, id: Uuid) -> DomainResult<Person> {
        Entity::find_by_id(id)
            .filter(scope_condition(scope))
            .one(self.db.conn())
            .await?
            .map(Person::from_row)
            .ok_or(DomainError::NotFound { what: WHAT })
    }

    /// Several persons by id, in one statement; missing and out-of-scope ids are absent.
    pub async fn get_many(
        &self,
        scope: &PersonScope,
        ids: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Person>> {
        let rows = Entity::find()
            .filter(Column::Id.is_in(ids.iter().copied()))
            .filter(scope_condition(scope))
            .all(self.db.conn())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.id, Person::from_row(r)))
            .collect())
    }

    /// Look a person up by ID number through the blind index.
    pub async fn by_id_number(
        &self,
        scope: &PersonScope,
        cipher: &FieldCipher,
        id_number: &IdNumber,
    ) -> DomainResult<Person> {
        let bidx = cipher.blind_index(ID_NUMBER_INDEX, id_number.as_str());
        Entity::find()
            .filter(Column::IdNumberBidx.eq(bidx))
            .filter(scope_condition(scope))
            .one(self.db.conn())
            .await?
            .map(Person::from_row)
            .ok_or(DomainError::NotFound { what: WHAT })
    }

    /// A page in registration (id) order, forwards or backwards.
    pub async fn page(
        &self,
        scope: &PersonScope,
        filter: &PersonFilter,
        page: PageRequest,
    ) -> DomainResult<Page<Person>> {
        let cond = Condition::all()
            .add(scope_condition(scope))
            .add(filter.condition(today()));
        let rows = page
            .apply(Entity::find().filter(cond), Column::Id)
            .all(self.db.conn())
            .await?;
        Ok(page.finish(rows).map(Person::from_row))
    }

    /// Number of persons matching `filter` within scope.
    pub async fn count(&self, scope: &PersonScope, filter: &PersonFilter) -> DomainResult<u64> {
        let cond = Condition::all()
            .add(scope_condition(scope))
            .add(filter.condition(today()));
        Ok(Entity::find().filter(cond).count(self.db.conn()).await?)
    }

    /// Members (within scope) of each household, in one statement.
    pub async fn members_of(
        &self,
        scope: &PersonScope,
        households: &[Uuid],
    ) -> DomainResult<HashMap<Uuid, Vec<Person>>> {
        let rows = Entity::find()
            .filter(Column::HouseholdId.is_in(households.iter().copied()))
            .filter(scope_condition(scope))
            .order_by_asc(Column::Id)
            .all(self.db.conn())
            .await?;
        let mut out: HashMap<Uuid, Vec<Person>> = HashMap::new();
        for r in rows {
            out.entry(r.household_id)
                .or_default()
                .push(Person::from_row(r));
        }
        Ok(out)
    }
}
