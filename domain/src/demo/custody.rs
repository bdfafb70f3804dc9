//! Demo custodianships (代管卡折资金): up to 100 wards in each of 陆家嘴街道 and 南京东路街道
//! (people with intellectual or mental disabilities first), each with a custodian, the street
//! admin as supervisor, a bank card (a Luhn-valid demo number, never a real one) and twelve months
//! of spending. `custodian_demo` holds the first two wards of 陆家嘴; the other custodians are
//! `custodian_demo_N` with the same demo password. Deterministic for a database.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::Platform;
use crate::crypto::FieldAad;
use crate::custody::{
    CustodianRelation, CustodyBasis, CustodyStatus, NUMBER_INDEX, SpendingCategory, SpendingSource,
};
use crate::entities::{account, custodianship, custody_account, person, spending_record};
use crate::error::DomainResult;
use crate::identity::{AccountRepo, NewAccount};
use crate::viewer::Role;

/// Streets with demo custodianships and their supervisors.
const STREETS: [(&str, &str); 2] = [
    ("310115005", "street_admin_310115005"),
    ("310101002", "street_admin_310101002"),
];
/// Wards per street, at most.
const PER_STREET: u64 = 100;

/// A Luhn-valid 19-digit demo card number (`622299` is not issued to a real bank here).
fn demo_card(n: u64) -> String {
    let body = format!("622299{n:012}");
    let check = luhn3::checksum(body.as_bytes()).map_or('0', char::from);
    format!("{body}{check}")
}

/// Seed the demo custodianships; returns how many.
pub async fn seed_demo_custody(p: &Platform, password: &str) -> DomainResult<usize> {
    let repo = AccountRepo::new(&p.db);
    if repo.by_username("custodian_demo").await?.is_some() {
        return Ok(0);
    }
    repo.create(
        &p.hasher,
        NewAccount {
            username: "custodian_demo".to_owned(),
            display_name: "演示代管人".to_owned(),
            password: password.to_owned(),
            role: Some(Role::Citizen),
            origin: crate::identity::AccountOrigin::SelfRegistered,
            region: None,
            person_id: None,
            must_change_password: false,
        },
    )
    .await?;
    let Some(template) = repo.by_username("custodian_demo").await? else {
        return Ok(0);
    };
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let mut made = 0usize;
    let mut seq = 0u64;
    for (street, admin) in STREETS {
        let Some(supervisor) = repo.by_username(admin).await? else {
            continue;
        };
        let mut wards = person::Entity::find()
            .filter(person::Column::StreetCode.eq(street))
            .filter(person::Column::Status.eq("ACTIVE"))
            .filter(person::Column::Category.is_in([5, 6]))
            .order_by_asc(person::Column::Id)
            .limit(PER_STREET)
            .all(p.db.conn())
            .await?;
        if (wards.len() as u64) < PER_STREET {
            let have: Vec<Uuid> = wards.iter().map(|w| w.id).collect();
            wards.extend(
                person::Entity::find()
                    .filter(person::Column::StreetCode.eq(street))
                    .filter(person::Column::Status.eq("ACTIVE"))
                    .filter(person::Column::Id.is_not_in(have))
                    .order_by_asc(person::Column::Id)
                    .limit(PER_STREET - wards.len() as u64)
                    .all(p.db.conn())
                    .await?,
            );
        }
        for ward in wards {
            seq += 1;
            let custodian = if seq <= 2 {
                template.id
            } else {
                let mut a: account::ActiveModel = template.clone().into();
                let id = Uuid::now_v7();
                a.id = Set(id);
                a.username = Set(format!("custodian_demo_{seq}"));
                a.display_name = Set(format!("演示代管人{seq}"));
                a.created_at = Set(Utc::now());
                let w = p.db.begin_write().await?;
                a.insert(&w.txn).await?;
                w.commit().await?;
                id
            };
            seed_one(p, &ward, custodian, supervisor.id, seq, today).await?;
            made += 1;
        }
    }
    Ok(made)
}

async fn seed_one(
    p: &Platform,
    ward: &person::Model,
    custodian: Uuid,
    supervisor: Uuid,
    seq: u64,
    today: NaiveDate,
) -> DomainResult<()> {
    let relations = CustodianRelation::ALL;
    let bases = CustodyBasis::ALL;
    let pick = |n: u64, len: usize| usize::try_from(n).unwrap_or(0) % len;
    let starts_on = NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1).unwrap_or(today)
        - Duration::days(i64::try_from(seq % 200).unwrap_or(0));
    let now = Utc::now();
    let w = p.db.begin_write().await?;
    let c = custodianship::ActiveModel {
        id: Set(Uuid::now_v7()),
        ward_person_id: Set(ward.id),
        ward_district_code: Set(ward.district_code.clone()),
        ward_street_code: Set(ward.street_code.clone()),
        custodian_account_id: Set(custodian),
        custodian_name: Set(["王", "李", "张", "刘", "陈", "杨"][pick(seq, 6)].to_owned() + "家属"),
        relation: Set(relations[pick(seq, relations.len())].as_str().to_owned()),
        supervisor_account_id: Set(supervisor),
        basis: Set(bases[pick(seq / 2, bases.len())].as_str().to_owned()),
        basis_document: Set(Some(format!("演示-{seq:04}"))),
        starts_on: Set(starts_on),
        ends_on: Set(None),
        status: Set(CustodyStatus::Active.as_str().to_owned()),
        end_reason: Set(None),
        version: Set(1),
        created_by: Set("demo".to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&w.txn)
    .await?;
    let account_id = Uuid::now_v7();
    let number = demo_card(seq);
    custody_account::ActiveModel {
        id: Set(account_id),
        custodianship_id: Set(c.id),
        ward_person_id: Set(ward.id),
        kind: Set("CARD".to_owned()),
        bank_code: Set(["102", "104", "105", "325", "322", "403"][pick(seq, 6)].to_owned()),
        number_enc: Set(p.cipher.encrypt(
            FieldAad {
                table: "custody_accounts",
                column: "number",
                row: &account_id,
            },
            &number,
        )?),
        number_bidx: Set(p.cipher.blind_index(NUMBER_INDEX, &number)),
        last4: Set(number[number.len() - 4..].to_owned()),
        status: Set("ACTIVE".to_owned()),
        created_by: Set("demo".to_owned()),
        created_at: Set(now),
        closed_at: Set(None),
    }
    .insert(&w.txn)
    .await?;
    // Twelve months: living costs twice a month, care monthly, medical every third month.
    let mut rows = Vec::new();
    for m in 0..12i64 {
        let month_start = today - Duration::days(30 * (12 - m));
        let base = i64::try_from(seq % 7).unwrap_or(0) * 3_000;
        let mut add = |day: i64, fen: i64, cat: SpendingCategory, merchant: &str| {
            let on = month_start + Duration::days(day);
            if on >= starts_on && on <= today {
                rows.push(spending_record::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    account_id: Set(account_id),
                    custodianship_id: Set(c.id),
                    ward_person_id: Set(ward.id),
                    street_code: Set(ward.street_code.clone()),
                    amount_fen: Set(fen),
                    category: Set(cat.as_str().to_owned()),
                    merchant: Set(merchant.to_owned()),
                    spent_on: Set(on),
                    note: Set(String::new()),
                    source: Set(SpendingSource::Entered.as_str().to_owned()),
                    bank_txn_id: Set(None),
                    entered_by: Set("demo".to_owned()),
                    created_at: Set(now),
                    import_id: Set(None),
                    spent_hour: Set(None),
                    balance_fen: Set(None),
                });
            }
        };
        add(2, 80_000 + base, SpendingCategory::Living, "联华超市");
        add(16, 65_000 + base, SpendingCategory::Living, "社区菜场");
        add(5, 120_000, SpendingCategory::Care, "阳光心园托养费");
        if m % 3 == 0 {
            add(
                20,
                23_500 + base,
                SpendingCategory::Medical,
                "社区卫生服务中心",
            );
        }
    }
    if !rows.is_empty() {
        spending_record::Entity::insert_many(rows)
            .exec(&w.txn)
            .await?;
    }
    w.commit().await
}
