//! `regions`, loaded with Shanghai's real 2021 statistical division codes
//! (`data/shanghai-divisions-2021.json`, source in `data/README.md`).

use std::collections::BTreeMap;

use sea_orm_migration::prelude::*;

const DIVISIONS: &str = include_str!("../data/shanghai-divisions-2021.json");
const CITY: (&str, &str) = ("310000", "上海市");
const BATCH: usize = 500;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    ParentCode,
    Level,
    Name,
}

/// (code, parent, level, name) of one region.
type RegionRow = (String, Option<String>, i16, String);

/// Every region, parents first.
fn rows() -> Result<Vec<RegionRow>, DbErr> {
    let tree: BTreeMap<String, BTreeMap<String, String>> = serde_json::from_str(DIVISIONS)
        .map_err(|e| DbErr::Migration(format!("region data: {e}")))?;
    let mut out = vec![(CITY.0.to_owned(), None, 1, CITY.1.to_owned())];
    let districts = tree
        .get("3101")
        .ok_or_else(|| DbErr::Migration("region data lacks 3101".into()))?;
    for (d, dname) in districts {
        out.push((d.clone(), Some(CITY.0.to_owned()), 2, dname.clone()));
    }
    for level in [3i16, 4] {
        let parents: Vec<String> = out
            .iter()
            .filter(|r| r.2 == level - 1)
            .map(|r| r.0.clone())
            .collect();
        for p in parents {
            for (c, name) in tree.get(&p).into_iter().flatten() {
                out.push((c.clone(), Some(p.clone()), level, name.clone()));
            }
        }
    }
    Ok(out)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(
                        ColumnDef::new(Regions::Code)
                            .string_len(12)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Regions::ParentCode).string_len(12).null())
                    .col(ColumnDef::new(Regions::Level).small_integer().not_null())
                    .col(ColumnDef::new(Regions::Name).string_len(64).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_regions_parent")
                    .table(Regions::Table)
                    .col(Regions::ParentCode)
                    .to_owned(),
            )
            .await?;
        for chunk in rows()?.chunks(BATCH) {
            let mut insert = Query::insert();
            insert.into_table(Regions::Table).columns([
                Regions::Code,
                Regions::ParentCode,
                Regions::Level,
                Regions::Name,
            ]);
            for (code, parent, level, name) in chunk {
                insert
                    .values([
                        code.clone().into(),
                        parent.clone().into(),
                        (*level).into(),
                        name.clone().into(),
                    ])
                    .map_err(|e| DbErr::Migration(e.to_string()))?;
            }
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Regions::Table).to_owned())
            .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_real_hierarchy_has_the_published_counts() {
        let rows = super::rows().unwrap();
        let count = |l: i16| rows.iter().filter(|r| r.2 == l).count();
        assert_eq!((count(1), count(2), count(3), count(4)), (1, 16, 234, 6234));
        assert!(
            rows.iter()
                .any(|r| r.0 == "310115005" && r.3 == "陆家嘴街道")
        );
    }
}
