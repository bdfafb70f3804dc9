//! Keyset pages over time-ordered ids (UUIDv7): `first`/`after` forwards, `last`/`before`
//! backwards, as Relay connections ask. A page is one indexed range scan whatever its position,
//! unlike offsets, and stays right while rows are added.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::error::{DomainError, DomainResult};

/// Largest page any list returns.
pub const MAX_PAGE_SIZE: u64 = 500;
/// Page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// Which page: forwards from `after`, or backwards from `before`. The key is the row's id
/// (UUIDv7, time-ordered) unless a list is ordered by something else first (its cursor then
/// carries both, e.g. a task's due date and id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest<K = Uuid> {
    /// Rows per page.
    pub size: u64,
    /// Start after this key (forwards).
    pub after: Option<K>,
    /// End before this key (backwards when `backward`, else an upper bound).
    pub before: Option<K>,
    /// Take the last `size` rows before `before` instead of the first after `after`.
    pub backward: bool,
}

impl<K> Default for PageRequest<K> {
    fn default() -> Self {
        Self::first(DEFAULT_PAGE_SIZE)
    }
}

impl<K> PageRequest<K> {
    /// The first `size` rows.
    pub fn first(size: u64) -> Self {
        Self {
            size,
            after: None,
            before: None,
            backward: false,
        }
    }

    /// From Relay arguments (`first`/`after`, `last`/`before`), checked: sizes 0–500, not both
    /// `first` and `last`. Cursors are ids already parsed by the caller.
    pub fn parse(
        first: Option<i64>,
        after: Option<K>,
        last: Option<i64>,
        before: Option<K>,
    ) -> DomainResult<Self> {
        let size = |field: &str, n: i64| {
            u64::try_from(n)
                .ok()
                .filter(|n| *n <= MAX_PAGE_SIZE)
                .ok_or_else(|| DomainError::bad_input(field, format!("每页0–{MAX_PAGE_SIZE}条")))
        };
        match (first, last) {
            (Some(_), Some(_)) => Err(DomainError::bad_input("last", "first 与 last 不能同时使用")),
            (None, Some(l)) => Ok(Self {
                size: size("last", l)?,
                after,
                before,
                backward: true,
            }),
            (f, None) => Ok(Self {
                size: f
                    .map(|f| size("first", f))
                    .transpose()?
                    .unwrap_or(DEFAULT_PAGE_SIZE),
                after,
                before,
                backward: false,
            }),
        }
    }

    /// Cut the rows a query with [`PageRequest::apply`] returned into the page, in ascending
    /// order, with whether more lie beyond it.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> Page<T> {
        let more = rows.len() as u64 > self.size;
        rows.truncate(usize::try_from(self.size).unwrap_or(usize::MAX));
        if self.backward {
            rows.reverse();
            Page {
                items: rows,
                has_previous: more,
                has_next: self.before.is_some(),
            }
        } else {
            Page {
                items: rows,
                has_previous: self.after.is_some(),
                has_next: more,
            }
        }
    }
}

impl PageRequest<Uuid> {
    /// Apply the page to `select` over the id column `id` (ordering and limit included).
    pub fn apply<E: EntityTrait>(&self, select: Select<E>, id: E::Column) -> Select<E>
    where
        E::Column: ColumnTrait,
    {
        let mut q = select;
        if let Some(a) = self.after {
            q = q.filter(id.gt(a));
        }
        if let Some(b) = self.before {
            q = q.filter(id.lt(b));
        }
        let q = if self.backward {
            q.order_by_desc(id)
        } else {
            q.order_by_asc(id)
        };
        q.limit(self.size + 1)
    }
}

/// One page of a list, ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Rows lie before the first.
    pub has_previous: bool,
    /// Rows lie after the last.
    pub has_next: bool,
}

impl<T> Page<T> {
    /// The same page with every row mapped.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_previous: self.has_previous,
            has_next: self.has_next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_go_both_ways_and_say_what_lies_beyond() {
        let fwd: PageRequest = PageRequest::parse(Some(2), None, None, None).unwrap();
        let page = fwd.finish(vec![1, 2, 3]);
        assert_eq!(page.items, vec![1, 2]);
        assert!(page.has_next && !page.has_previous);
        let back = PageRequest::parse(None, None, Some(2), Some(Uuid::nil())).unwrap();
        // Rows come newest first from a backward query; the page is ascending.
        let page = back.finish(vec![9, 8, 7]);
        assert_eq!(page.items, vec![8, 9]);
        assert!(page.has_previous && page.has_next);
        assert!(PageRequest::<Uuid>::parse(Some(1), None, Some(1), None).is_err());
        assert!(PageRequest::<Uuid>::parse(Some(501), None, None, None).is_err());
        assert!(PageRequest::<Uuid>::parse(Some(-1), None, None, None).is_err());
        assert_eq!(
            PageRequest::<Uuid>::parse(None, None, None, None)
                .unwrap()
                .size,
            DEFAULT_PAGE_SIZE
        );
    }
}
