//! Synthetic people, generated deterministically and inserted in batches.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait};
use uuid::Uuid;

use crate::crypto::FieldCipher;
use crate::db::Db;
use crate::entities::{household, person};
use crate::error::DomainResult;
use crate::person::{Employment, HouseholdStatus, NewPerson, Relationship, encrypt_row};
use crate::region::RegionDirectory;
use crate::types::{
    BoundedText, CertificateNumber, DisabilityCategory, DisabilityLevel, IdNumber, PersonName,
    Phone, RegionCode,
};

/// Resident population of each district, in ten-thousands (7th national census, 2020). Used only
/// to weight where demo people live.
const DISTRICT_POPULATION: [(&str, u32); 16] = [
    ("310101", 662),
    ("310104", 1113),
    ("310105", 693),
    ("310106", 976),
    ("310107", 1239),
    ("310109", 757),
    ("310110", 1242),
    ("310112", 2654),
    ("310113", 2235),
    ("310114", 1834),
    ("310115", 5682),
    ("310116", 823),
    ("310117", 1910),
    ("310118", 1271),
    ("310120", 1141),
    ("310151", 638),
];

/// Approximate share (per mille) of each category among certified disabled persons: physical
/// disability dominates, then vision, mental, hearing, intellectual, multiple, speech.
const CATEGORY_WEIGHTS: [(DisabilityCategory, u32); 7] = [
    (DisabilityCategory::Physical, 480),
    (DisabilityCategory::Vision, 150),
    (DisabilityCategory::Mental, 120),
    (DisabilityCategory::Hearing, 110),
    (DisabilityCategory::Intellectual, 90),
    (DisabilityCategory::Multiple, 40),
    (DisabilityCategory::Speech, 10),
];

/// Share (per mille) of levels 1–4.
const LEVEL_WEIGHTS: [(i32, u32); 4] = [(1, 150), (2, 250), (3, 280), (4, 320)];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴",
    "莫", "孔", "向", "汤", "欧阳", "司马", "诸葛",
];
const GIVEN_CHARS: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "建", "文", "辉", "力", "国",
    "斌", "鹏", "宇", "浩", "晨", "欣", "怡", "婷", "雪", "琳", "嘉", "俊", "佳", "宁", "晓", "春",
    "海", "云", "峰", "志", "慧", "颖", "丹", "倩", "凯", "翔", "瑞", "博", "思", "梓", "子", "雨",
    "诗", "涵", "睿", "泽", "昊", "轩", "琪", "悦", "馨", "蕾", "薇", "彤", "妍", "梅", "兰", "菊",
];
const ROADS: &[&str] = &[
    "中山", "人民", "解放", "建设", "和平", "长江", "黄河", "世纪", "浦建", "延安", "南京", "淮海",
    "复兴", "四平", "曹杨", "莘庄",
];

/// Deterministic generator of demo people.
pub struct PeopleGenerator<'a> {
    rng: ChaCha8Rng,
    streets: Vec<(RegionCode, Vec<RegionCode>, u32)>,
    total_weight: u32,
    regions: &'a RegionDirectory,
    seq: u64,
}

impl<'a> PeopleGenerator<'a> {
    /// A generator over the loaded regions with a fixed seed.
    pub fn new(regions: &'a RegionDirectory, seed: u64) -> Self {
        let mut streets = Vec::new();
        for (district, population) in DISTRICT_POPULATION {
            let in_district = regions.children(Some(district));
            let n = u32::try_from(in_district.len()).unwrap_or(1).max(1);
            for s in in_district {
                let committees = regions
                    .children(Some(s.code.as_str()))
                    .into_iter()
                    .map(|c| c.code.clone())
                    .collect();
                // Street-towns share their district's population equally (no finer data is used).
                streets.push((s.code.clone(), committees, (population * 100 / n).max(1)));
            }
        }
        let total_weight = streets.iter().map(|s| s.2).sum::<u32>().max(1);
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            streets,
            total_weight,
            regions,
            seq: 0,
        }
    }

    fn pick_weighted<T: Copy>(&mut self, table: &[(T, u32)]) -> T {
        let total: u32 = table.iter().map(|t| t.1).sum();
        let mut x = self.rng.random_range(0..total.max(1));
        for (v, w) in table {
            if x < *w {
                return *v;
            }
            x -= w;
        }
        table[0].0
    }

    fn pick_street(&mut self) -> (RegionCode, Option<RegionCode>) {
        let mut x = self.rng.random_range(0..self.total_weight);
        let mut idx = 0;
        for (i, s) in self.streets.iter().enumerate() {
            if x < s.2 {
                idx = i;
                break;
            }
            x -= s.2;
        }
        let (street, committees, _) = &self.streets[idx];
        let committee = (!committees.is_empty())
            .then(|| committees[self.rng.random_range(0..committees.len())].clone());
        (street.clone(), committee)
    }

    fn name(&mut self) -> String {
        let s = SURNAMES[self.rng.random_range(0..SURNAMES.len())];
        let n = if self.rng.random_bool(0.7) { 2 } else { 1 };
        let mut name = s.to_owned();
        for _ in 0..n {
            name.push_str(GIVEN_CHARS[self.rng.random_range(0..GIVEN_CHARS.len())]);
        }
        name
    }

    /// About one in six certified people lives in a 低保 or 低收入 household.
    fn household_status(&mut self) -> HouseholdStatus {
        match self.rng.random_range(0..100) {
            0..10 => HouseholdStatus::Dibao,
            10..17 => HouseholdStatus::LowIncome,
            17..18 => HouseholdStatus::SpecialHardship,
            _ => HouseholdStatus::None,
        }
    }

    /// Employment by age: children study, people over 60 are retired, a third of the working
    /// age are employed.
    fn employment(&mut self, age: i64) -> Employment {
        match age {
            0..16 => Employment::Student,
            60.. => Employment::Retired,
            _ => match self.rng.random_range(0..10) {
                0..3 => Employment::Employed,
                3..5 => Employment::Unable,
                _ => Employment::Unemployed,
            },
        }
    }

    /// The next person; `street` forces the residence (demo accounts).
    pub fn next_person(
        &mut self,
        street: Option<(RegionCode, Option<RegionCode>)>,
        category: Option<DisabilityCategory>,
    ) -> DomainResult<NewPerson> {
        self.seq += 1;
        let (street, committee) = match street {
            Some(s) => s,
            None => self.pick_street(),
        };
        let today = Utc::now().date_naive();
        // Ages skew old, as in the certified population: half over 60.
        let age_years = if self.rng.random_bool(0.5) {
            self.rng.random_range(60..=100)
        } else {
            self.rng.random_range(0..60)
        };
        let birth = today - Duration::days(age_years * 365 + self.rng.random_range(0..365));
        let birth = NaiveDate::from_ymd_opt(birth.year(), birth.month(), birth.day().min(28))
            .unwrap_or(birth);
        // Most people were born where they live; the ID prefix is their district's code.
        let prefix = street
            .district()
            .map(|d| d.as_str().to_owned())
            .unwrap_or_else(|| "310115".to_owned());
        let id_number = IdNumber::compose(&prefix, birth, self.rng.random_range(0..1000))?;
        let category = category.unwrap_or_else(|| self.pick_weighted(&CATEGORY_WEIGHTS));
        let level = DisabilityLevel::from_code("level", self.pick_weighted(&LEVEL_WEIGHTS))?;
        let certificate = CertificateNumber::compose(&id_number, category, level);
        let phone = Phone::parse(
            "phone",
            &format!(
                "1{}{:09}",
                self.rng.random_range(3..=9),
                self.rng.random_range(0..1_000_000_000u64)
            ),
        )?;
        let street_name = self.regions.name_of(street.as_str());
        let district_name = street
            .district()
            .map(|d| self.regions.name_of(d.as_str()))
            .unwrap_or_default();
        let road = ROADS[self.rng.random_range(0..ROADS.len())];
        let address = format!(
            "上海市{district_name}{street_name}{road}路{}弄{}号{}室",
            self.rng.random_range(1..2000),
            self.rng.random_range(1..60),
            self.rng.random_range(101..2501)
        );
        Ok(NewPerson {
            name: PersonName::parse("name", &self.name())?,
            id_number,
            certificate,
            certificate_valid_until: Some(today + Duration::days(self.rng.random_range(30..3650))),
            phone: Some(phone),
            address: Some(BoundedText::parse("address", &address, 200)?),
            street,
            committee,
            household_id: None,
            relationship: Relationship::Head,
            household_status: self.household_status(),
            employment: self.employment(age_years),
            local_hukou: self.rng.random_bool(0.93),
        })
    }

    /// Whether the next person joins the previous household (一户多残, about 6%).
    pub fn joins_previous_household(&mut self) -> bool {
        self.rng.random_bool(0.06)
    }

    /// A relationship for a second member of a household.
    pub fn member_relationship(&mut self) -> Relationship {
        [
            Relationship::Spouse,
            Relationship::Child,
            Relationship::Parent,
            Relationship::Sibling,
        ][self.rng.random_range(0..4)]
    }
}

/// Insert `count` generated people in batches of `batch` rows, calling `progress` with the
/// number inserted after each batch. Duplicate ID numbers (the generator may draw one twice at
/// large scale) are skipped.
pub async fn seed_people(
    db: &Db,
    cipher: &FieldCipher,
    regions: &RegionDirectory,
    seed: u64,
    count: u64,
    batch: usize,
    mut progress: impl FnMut(u64),
) -> DomainResult<u64> {
    let mut generator = PeopleGenerator::new(regions, seed);
    let mut seen = std::collections::HashSet::new();
    let mut inserted = 0u64;
    let mut previous: Option<(Uuid, RegionCode, Option<RegionCode>)> = None;
    while inserted < count {
        let want = usize::try_from((count - inserted).min(batch as u64)).unwrap_or(batch);
        let now = Utc::now();
        let mut people = Vec::with_capacity(want);
        let mut households = Vec::with_capacity(want);
        while people.len() < want {
            let join = previous
                .as_ref()
                .filter(|_| generator.joins_previous_household())
                .cloned();
            let mut new = generator
                .next_person(join.as_ref().map(|(_, s, c)| (s.clone(), c.clone())), None)?;
            if !seen.insert(new.id_number.as_str().to_owned()) {
                continue;
            }
            let household_id = match join {
                Some((hid, _, _)) => {
                    new.relationship = generator.member_relationship();
                    hid
                }
                None => {
                    let hid = Uuid::now_v7();
                    households.push(household::ActiveModel::from(household::Model {
                        id: hid,
                        street_code: new.street.as_str().to_owned(),
                        created_at: now,
                    }));
                    hid
                }
            };
            previous = Some((household_id, new.street.clone(), new.committee.clone()));
            people.push(person::ActiveModel::from(encrypt_row(
                cipher,
                &new,
                Uuid::now_v7(),
                household_id,
                now,
            )?));
        }
        let n = people.len() as u64;
        let w = db.begin_write().await?;
        if !households.is_empty() {
            household::Entity::insert_many(households)
                .exec(&w.txn)
                .await?;
        }
        person::Entity::insert_many(people).exec(&w.txn).await?;
        w.commit().await?;
        inserted += n;
        progress(inserted);
    }
    // A bulk load leaves PostgreSQL without statistics and without a visibility map until
    // autovacuum gets there (late, or never where it is off): queries at scale would be planned
    // for empty tables, and counts could not be answered from the index alone (a district's
    // category count at 580,000 people: 35.7 ms reading the heap, 4.0 ms after this).
    if db.backend() == DbBackend::Postgres {
        db.conn()
            .execute_unprepared("VACUUM (ANALYZE) persons, households")
            .await?;
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    #[test]
    fn category_and_level_weights_are_per_mille() {
        assert_eq!(
            super::CATEGORY_WEIGHTS.iter().map(|c| c.1).sum::<u32>(),
            1000
        );
        assert_eq!(super::LEVEL_WEIGHTS.iter().map(|c| c.1).sum::<u32>(), 1000);
        assert_eq!(super::DISTRICT_POPULATION.len(), 16);
    }
}
