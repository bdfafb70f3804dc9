//! Catalog queries: public reads and search; revisions for catalog managers.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, InputObject, Object};
use zhucan_domain::DomainError;
use zhucan_domain::catalog::{CatalogService, EntryKind, ServiceItemFilter as DomainFilter};

use super::types::{
    BusinessLine, CatalogKind, CatalogRevision, Channel, Institution, InstitutionKind, Policy,
    SearchHit, SearchTotal, ServiceItem,
};
use crate::context::ContextExt;
use crate::error::GqlResultExt;
use crate::support::parse_id;

/// 服务事项查询条件
#[derive(InputObject, Default)]
pub struct ServiceItemFilter {
    /// 业务条线
    pub business_line: Option<BusinessLine>,
    /// 办理渠道
    pub channel: Option<Channel>,
    /// 全市事项加上该区的事项
    pub district_code: Option<String>,
}

/// 目录查询 (public: no sign-in needed).
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// 模糊搜索 — policies, service items and institutions by Chinese text, partial words,
    /// pinyin or initials (`cjrz` → 残疾人证), tolerating a typo; best first. Cursors are
    /// positions in the ranking (`last`/`before` page back towards the best).
    // A GraphQL field's arguments are its parameters: a connection with filters has this many.
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        kinds: Option<Vec<CatalogKind>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, SearchHit, SearchTotal>> {
        let size = |field: &str, n: i32| {
            usize::try_from(n).map_err(|_| DomainError::bad_input(field, "不能为负数"))
        };
        let position = |field: &str, c: &str| {
            c.parse::<usize>()
                .ok()
                .filter(|o| *o <= 10_000)
                .ok_or_else(|| DomainError::bad_input(field, "游标无效"))
        };
        let kinds: Vec<EntryKind> = kinds
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let catalog = ctx.service::<CatalogService>();
        let (offset, count) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(DomainError::bad_input("last", "first 与 last 不能同时使用")).gql(ctx);
            }
            (_, Some(l)) => {
                let l = size("last", l).gql(ctx)?;
                // Positions are 1-based: `before: "7"` ends the page at the sixth hit.
                let end = match before.as_deref() {
                    Some(c) => position("before", c).gql(ctx)?.saturating_sub(1),
                    None => catalog.search(&query, &kinds, 0, 0).await.gql(ctx)?.total,
                };
                let start = end.saturating_sub(l);
                (start, end - start)
            }
            (f, None) => {
                let offset = match after.as_deref() {
                    None => 0,
                    Some(c) => position("after", c).gql(ctx)?,
                };
                (offset, size("first", f.unwrap_or(10)).gql(ctx)?)
            }
        };
        // The index returns at least one hit; an empty page keeps only the total.
        let mut results = catalog
            .search(&query, &kinds, count.max(1), offset)
            .await
            .gql(ctx)?;
        results.hits.truncate(count);
        let n = results.hits.len();
        let mut conn = Connection::with_additional_fields(
            offset > 0,
            offset + n < results.total,
            SearchTotal {
                total_count: i32::try_from(results.total).unwrap_or(i32::MAX),
            },
        );
        conn.edges.extend(
            results
                .hits
                .into_iter()
                .enumerate()
                .map(|(i, (hit, entry))| {
                    Edge::new(
                        (offset + i + 1).to_string(),
                        SearchHit {
                            hit,
                            entry: entry.map(Into::into),
                        },
                    )
                }),
        );
        Ok(conn)
    }

    /// 政策法规 — city-wide ones, plus one district's when given; newest first.
    async fn policies(
        &self,
        ctx: &Context<'_>,
        district_code: Option<String>,
    ) -> async_graphql::Result<Vec<Policy>> {
        let rows = ctx
            .service::<CatalogService>()
            .policies(district_code.as_deref())
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(Policy).collect())
    }

    /// 政策法规详情
    async fn policy(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Policy> {
        let id = parse_id("id", &id).gql(ctx)?;
        let row = ctx.service::<CatalogService>().policy(id).await.gql(ctx)?;
        Ok(Policy(row))
    }

    /// 服务事项
    async fn service_items(
        &self,
        ctx: &Context<'_>,
        filter: Option<ServiceItemFilter>,
    ) -> async_graphql::Result<Vec<ServiceItem>> {
        let f = filter.unwrap_or_default();
        let filter = DomainFilter {
            business_line: f.business_line.map(Into::into),
            channel: f.channel.map(Into::into),
            district: None,
            include_withdrawn: false,
        };
        let rows = ctx
            .service::<CatalogService>()
            .service_items(filter, f.district_code.as_deref())
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(ServiceItem).collect())
    }

    /// 服务事项详情
    async fn service_item(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ServiceItem> {
        let id = parse_id("id", &id).gql(ctx)?;
        let row = ctx
            .service::<CatalogService>()
            .service_item(id)
            .await
            .gql(ctx)?;
        Ok(ServiceItem(row))
    }

    /// 助残机构 — optionally one district's, one kind.
    async fn institutions(
        &self,
        ctx: &Context<'_>,
        district_code: Option<String>,
        kind: Option<InstitutionKind>,
    ) -> async_graphql::Result<Vec<Institution>> {
        let rows = ctx
            .service::<CatalogService>()
            .institutions(district_code.as_deref(), kind.map(Into::into))
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(Institution).collect())
    }

    /// 助残机构详情
    async fn institution(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Institution> {
        let id = parse_id("id", &id).gql(ctx)?;
        let row = ctx
            .service::<CatalogService>()
            .institution(id)
            .await
            .gql(ctx)?;
        Ok(Institution(row))
    }

    /// 目录修订记录 — every saved version of an entry (catalog managers only).
    async fn catalog_revisions(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Vec<CatalogRevision>> {
        let id = parse_id("id", &id).gql(ctx)?;
        let rows = ctx
            .service::<CatalogService>()
            .revisions(id)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(CatalogRevision).collect())
    }
}
