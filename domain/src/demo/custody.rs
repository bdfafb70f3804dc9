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
                another_custodian(p, &template, seq).await?
            };
            seed_one(p, &ward, custodian, supervisor.id, seq, today).await?;
            made += 1;
        }
    }
    seed_demo_anomalies(p, &template, today).await?;
    Ok(made)
}

/// A demo custodian account like `custodian_demo` (same password), numbered `seq`.
async fn another_custodian(
    p: &Platform,
    template: &account::Model,
    seq: u64,
) -> DomainResult<Uuid> {
    let mut a: account::ActiveModel = template.clone().into();
    let id = Uuid::now_v7();
    a.id = Set(id);
    a.username = Set(format!("custodian_demo_{seq}"));
    a.display_name = Set(format!("演示代管人{seq}"));
    a.created_at = Set(Utc::now());
    let w = p.db.begin_write().await?;
    a.insert(&w.txn).await?;
    w.commit().await?;
    Ok(id)
}

/// The demo's one imported bank statement (on `custodian_demo`'s first ward in 陆家嘴): ordinary
/// rows and rows that meet each abnormal-spending rule; and a ward who has died while their
/// card is still spent (the built-in rule). Imported through the real import, so the alerts,
/// their SMS and their events are what the platform itself raises.
async fn seed_demo_anomalies(
    p: &Platform,
    template: &account::Model,
    today: NaiveDate,
) -> DomainResult<()> {
    let caller = crate::Caller::console("demo custody statement");
    let service = crate::custody::CustodyService::new(p, &caller);
    let Some(first) = custodianship::Entity::find()
        .filter(custodianship::Column::CustodianAccountId.eq(template.id))
        .order_by_asc(custodianship::Column::Id)
        .one(p.db.conn())
        .await?
    else {
        return Ok(());
    };
    let Some(card) = custody_account::Entity::find()
        .filter(custody_account::Column::CustodianshipId.eq(first.id))
        .one(p.db.conn())
        .await?
    else {
        return Ok(());
    };
    let day = |back: i64| {
        (today - Duration::days(back))
            .format("%Y-%m-%d")
            .to_string()
    };
    let mut text = String::from("流水号,日期,时间,金额,收款方,类别,余额\n");
    let mut row =
        |id: &str, back: i64, time: &str, yuan: &str, payee: &str, cat: &str, bal: &str| {
            text.push_str(&format!(
                "{id},{},{time},{yuan},{payee},{cat},{bal}\n",
                day(back)
            ));
        };
    // Ordinary spending.
    row(
        "DEMO-001",
        24,
        "09:12:05",
        "86.50",
        "联华超市",
        "生活",
        "9113.50",
    );
    row(
        "DEMO-002",
        23,
        "17:40:11",
        "1200.00",
        "阳光心园",
        "托养",
        "7913.50",
    );
    // 单笔达到5000元 and 花去余额八成以上.
    row(
        "DEMO-003",
        20,
        "14:05:00",
        "6500.00",
        "某家电商场",
        "其他",
        "1413.50",
    );
    // 深夜交易.
    row(
        "DEMO-004",
        18,
        "02:31:40",
        "300.00",
        "24小时便利店",
        "生活",
        "1113.50",
    );
    // 彩票.
    row(
        "DEMO-005",
        15,
        "19:20:00",
        "200.00",
        "中国体育彩票投注站",
        "其他",
        "913.50",
    );
    // 当日6笔.
    for (i, yuan) in ["12.00", "8.50", "30.00", "15.00", "9.90", "22.00"]
        .iter()
        .enumerate()
    {
        row(
            &format!("DEMO-01{i}"),
            12,
            &format!("1{i}:00:00"),
            yuan,
            "社区小卖部",
            "生活",
            "",
        );
    }
    // 当日累计达到10000元 (a pension just paid in; no single payment of 5000).
    row("DEMO-020", 8, "10:00:00", "4800.00", "某金店", "其他", "");
    row("DEMO-021", 8, "11:00:00", "4800.00", "某金店", "其他", "");
    row("DEMO-022", 8, "12:00:00", "900.00", "某商场", "其他", "");
    service
        .import_statement(card.id, "演示银行流水.csv", text.into_bytes())
        .await?;

    // A ward who has died (注销) whose card is still spent: the built-in rule. The last
    // custodianship of the street (its custodian has not yet reported the death).
    let Some(last) = custodianship::Entity::find()
        .filter(custodianship::Column::WardStreetCode.eq(STREETS[0].0))
        .filter(custodianship::Column::CustodianAccountId.ne(template.id))
        .order_by_desc(custodianship::Column::Id)
        .one(p.db.conn())
        .await?
    else {
        return Ok(());
    };
    let actor = crate::audit::Actor::system("demo");
    let scope = crate::viewer::PersonScope::of(&crate::viewer::Viewer {
        account_id: Uuid::nil(),
        username: "demo".to_owned(),
        role: Role::CityAdmin,
        region: None,
        person_id: None,
        client: None,
    });
    crate::person::PersonWriter {
        db: &p.db,
        cipher: &p.cipher,
        actor: &actor,
        scope: &scope,
    }
    .deactivate(
        last.ward_person_id,
        crate::types::BoundedText::parse("reason", "死亡（演示）", 200)?,
    )
    .await?;
    let Some(card) = custody_account::Entity::find()
        .filter(custody_account::Column::CustodianshipId.eq(last.id))
        .one(p.db.conn())
        .await?
    else {
        return Ok(());
    };
    let text = format!(
        "流水号,日期,时间,金额,收款方,类别\nDEMO-D01,{},15:30:00,2000.00,某银行ATM取现,其他\n",
        day(2)
    );
    service
        .import_statement(card.id, "演示银行流水-已注销.csv", text.into_bytes())
        .await?;
    Ok(())
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
