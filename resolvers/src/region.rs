//! Regions: public reference data served from memory.

use async_graphql::{Context, Enum, Object};
use zhucan_domain::region::Region as DomainRegion;
use zhucan_domain::types::RegionLevel as DomainLevel;

use crate::context::ContextExt;

/// Administrative level (行政层级).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RegionLevel {
    /// 市
    City,
    /// 区
    District,
    /// 街镇
    Street,
    /// 居村委
    Committee,
}

impl From<DomainLevel> for RegionLevel {
    fn from(l: DomainLevel) -> Self {
        match l {
            DomainLevel::City => Self::City,
            DomainLevel::District => Self::District,
            DomainLevel::Street => Self::Street,
            DomainLevel::Committee => Self::Committee,
        }
    }
}

/// 行政区划 — a region of Shanghai (2021 statistical division codes).
#[derive(Clone)]
pub struct Region(pub DomainRegion);

#[Object]
impl Region {
    /// Division code.
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    /// Official name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Level.
    async fn level(&self) -> RegionLevel {
        self.0.code.level().into()
    }
    /// Parent region.
    async fn parent(&self, ctx: &Context<'_>) -> Option<Region> {
        let p = self.0.parent.as_ref()?;
        ctx.platform().regions.get(p.as_str()).cloned().map(Region)
    }
    /// Child regions.
    async fn children(&self, ctx: &Context<'_>) -> Vec<Region> {
        ctx.platform()
            .regions
            .children(Some(self.0.code.as_str()))
            .into_iter()
            .cloned()
            .map(Region)
            .collect()
    }
}

/// Look a region up by code (for fields of other types).
pub fn region_of(ctx: &Context<'_>, code: &str) -> Option<Region> {
    ctx.platform().regions.get(code).cloned().map(Region)
}

/// Region queries.
#[derive(Default)]
pub struct RegionQuery;

#[Object]
impl RegionQuery {
    /// Children of `parent` (the 16 districts when absent). Public reference data.
    async fn regions(
        &self,
        ctx: &Context<'_>,
        parent: Option<String>,
    ) -> async_graphql::Result<Vec<Region>> {
        let regions = &ctx.platform().regions;
        if let Some(p) = &parent
            && regions.get(p).is_none()
        {
            return Err(crate::error::to_graphql(
                ctx,
                zhucan_domain::DomainError::bad_input("parent", "区划代码不存在"),
            ));
        }
        Ok(regions
            .children(parent.as_deref())
            .into_iter()
            .cloned()
            .map(Region)
            .collect())
    }

    /// One region by code.
    async fn region(&self, ctx: &Context<'_>, code: String) -> Option<Region> {
        region_of(ctx, &code)
    }
}
