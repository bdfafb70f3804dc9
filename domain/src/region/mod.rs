//! The region hierarchy (city → district → street-town → committee). Reference data: loaded
//! from the `regions` table once at start and served from memory.

use std::collections::HashMap;

use sea_orm::{EntityTrait, QueryOrder};

use crate::db::Db;
use crate::entities::region;
use crate::error::{DomainError, DomainResult};
use crate::types::{RegionCode, RegionLevel};

/// One region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Code.
    pub code: RegionCode,
    /// Parent code.
    pub parent: Option<RegionCode>,
    /// Name.
    pub name: String,
}

/// All regions, indexed.
#[derive(Debug, Default)]
pub struct RegionDirectory {
    by_code: HashMap<String, Region>,
    children: HashMap<String, Vec<String>>,
}

impl RegionDirectory {
    /// Load every region.
    pub async fn load(db: &Db) -> DomainResult<Self> {
        let rows = region::Entity::find()
            .order_by_asc(region::Column::Code)
            .all(db.conn())
            .await?;
        let mut dir = Self::default();
        for r in rows {
            let parent = r.parent_code.clone();
            if let Some(p) = &parent {
                dir.children
                    .entry(p.clone())
                    .or_default()
                    .push(r.code.clone());
            }
            dir.by_code.insert(
                r.code.clone(),
                Region {
                    code: RegionCode::from_trusted(r.code),
                    parent: parent.map(RegionCode::from_trusted),
                    name: r.name,
                },
            );
        }
        Ok(dir)
    }

    /// A region by code.
    pub fn get(&self, code: &str) -> Option<&Region> {
        self.by_code.get(code)
    }

    /// Children of a region, in code order (the districts for `None`).
    pub fn children(&self, parent: Option<&str>) -> Vec<&Region> {
        let key = parent.unwrap_or(crate::types::region_code_city());
        self.children
            .get(key)
            .map(|c| c.iter().filter_map(|k| self.by_code.get(k)).collect())
            .unwrap_or_default()
    }

    /// Parse `raw` as an existing region of `level`.
    pub fn parse_existing(
        &self,
        field: &str,
        raw: &str,
        level: RegionLevel,
    ) -> DomainResult<RegionCode> {
        let code = RegionCode::parse(field, raw)?;
        if code.level() != level {
            let want = match level {
                RegionLevel::City => "市",
                RegionLevel::District => "区",
                RegionLevel::Street => "街镇",
                RegionLevel::Committee => "居村委",
            };
            return Err(DomainError::bad_input(
                field,
                format!("应为{want}级区划代码"),
            ));
        }
        if !self.by_code.contains_key(code.as_str()) {
            return Err(DomainError::bad_input(field, "区划代码不存在"));
        }
        Ok(code)
    }

    /// Name of a region, or the code itself when unknown.
    pub fn name_of(&self, code: &str) -> String {
        self.by_code
            .get(code)
            .map_or_else(|| code.to_owned(), |r| r.name.clone())
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    /// Whether no region is loaded.
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}
