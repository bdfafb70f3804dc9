//! Demo subsidies (补贴发放) in 浦东新区: three types on the demo catalog's rules — 重度残疾人
//! 护理补贴 by level (paid into custody accounts where there is one), 困难残疾人生活补贴 and
//! 重残无业人员医保缴费补助 (fixed sums) — with personal bank accounts for everyone they pay, and
//! twelve months of batches ending this month in every state: older months reconciled (a few
//! payments failed at the bank and went to supplementary batches, one of which was paid and
//! reconciled too), then exported, approved, reviewed, and this month submitted, generated and
//! one interrupted mid-generation (`DRAFT`, resumed by generating it again). The maker is
//! `district_admin_310115`, the reviewer `district_checker_310115`, the approver `city_admin`;
//! everything goes through the subsidy service. Seeded once.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Platform;
use crate::caller::Caller;
use crate::entities::{person, person_bank_account, service_item, subsidy_item, subsidy_type};
use crate::error::DomainResult;
use crate::identity::{AccountRepo, SessionStage};
use crate::subsidy::{
    BankFileFormat, Decision, GenerateOptions, NUMBER_INDEX, Payee, Period, PeriodKind,
    SubsidyService, SubsidyTypeInput,
};
use crate::types::Fen;
use crate::viewer::{RequestMeta, Role, Viewer};

/// The district the demo batches are for.
pub const DEMO_DISTRICT: &str = "310115";

async fn caller(
    p: &Platform,
    username: &str,
    role: Role,
    region: &str,
) -> DomainResult<Option<Caller>> {
    let Some(a) = AccountRepo::new(&p.db).by_username(username).await? else {
        return Ok(None);
    };
    Ok(Some(Caller::signed_in(
        Viewer {
            account_id: a.id,
            username: username.to_owned(),
            role,
            region: crate::types::RegionCode::parse("region", region).ok(),
            person_id: None,
            client: None,
        },
        SessionStage::Full,
        RequestMeta::default(),
    )))
}

/// A Luhn-valid 19-digit card number for the `i`th account.
fn card_number(i: u64) -> String {
    let body = format!(
        "622202{:012}",
        100_000_000_000 + i * 7_919 % 900_000_000_000
    );
    let check = luhn3::decimal::checksum(body.as_bytes()).map_or('0', char::from);
    format!("{body}{check}")
}

/// Seed the demo subsidies; returns the batches made (0 when already seeded or when the demo
/// accounts or catalog are missing).
pub async fn seed_demo_subsidies(p: &Platform) -> DomainResult<usize> {
    let conn = p.db.conn();
    if subsidy_type::Entity::find().count(conn).await? > 0 {
        return Ok(0);
    }
    let (Some(city), Some(maker), Some(checker)) = (
        caller(p, "city_admin", Role::CityAdmin, "310000").await?,
        caller(
            p,
            "district_admin_310115",
            Role::DistrictAdmin,
            DEMO_DISTRICT,
        )
        .await?,
        caller(
            p,
            "district_checker_310115",
            Role::DistrictAdmin,
            DEMO_DISTRICT,
        )
        .await?,
    ) else {
        return Ok(0);
    };
    let kinds = [
        (
            "SEVERE_CARE",
            "重度残疾人护理补贴",
            "SEVERE_CARE_SUBSIDY",
            None,
            Some("level == 1 ? 30000 : (level == 2 ? 20000 : 15000)"),
            Payee::Custody,
        ),
        (
            "HARDSHIP_LIVING",
            "困难残疾人生活补贴",
            "HARDSHIP_LIVING_SUBSIDY",
            Some("755"),
            None,
            Payee::Own,
        ),
        (
            "SEVERE_UNEMPLOYED_MEDICAL",
            "重残无业人员医保缴费补助",
            "SEVERE_UNEMPLOYED_MEDICAL_PREMIUM",
            Some("120"),
            None,
            Payee::Own,
        ),
    ];
    let mut types = Vec::new();
    for (key, name, item_key, amount, expression, payee) in kinds {
        let Some(item) = service_item::Entity::find()
            .filter(service_item::Column::Key.eq(item_key))
            .filter(service_item::Column::RuleVersion.gt(0))
            .one(conn)
            .await?
        else {
            return Ok(0);
        };
        let t = SubsidyService::new(p, &city)
            .save_type(SubsidyTypeInput {
                id: None,
                version: None,
                key: key.to_owned(),
                name: name.to_owned(),
                service_item_id: item.id,
                amount: amount.map(str::to_owned),
                amount_expression: expression.map(str::to_owned),
                period_kind: PeriodKind::Month,
                payee,
                active: true,
            })
            .await?;
        types.push(t.row.id);
    }
    seed_accounts(p).await?;

    let mut months = vec![Period::containing(
        PeriodKind::Month,
        crate::subsidy::today(),
    )];
    for _ in 0..11 {
        let prev = months[months.len() - 1].previous();
        months.push(prev);
    }
    months.reverse();
    let svc_maker = SubsidyService::new(p, &maker);
    let svc_checker = SubsidyService::new(p, &checker);
    let svc_city = SubsidyService::new(p, &city);
    let mut made = 0;
    for (m, period) in months.iter().enumerate() {
        let left = months.len() - 1 - m; // 0: this month
        for (t, type_id) in types.iter().enumerate() {
            let period = period.to_string();
            if left == 0 && t == 2 {
                // Interrupted after its first page: resumed by generating it again.
                let crash = GenerateOptions {
                    page_size: 200,
                    crash_after_pages: Some(1),
                };
                let interrupted = svc_maker
                    .generate_with(*type_id, &period, DEMO_DISTRICT, crash)
                    .await;
                if interrupted.is_ok() {
                    // Fewer than a page of people: it finished.
                    tracing::debug!("demo batch finished within one page");
                }
                made += 1;
                continue;
            }
            let b = svc_maker.generate(*type_id, &period, DEMO_DISTRICT).await?;
            made += 1;
            if b.row.people == 0 || (left == 0 && t == 1) {
                continue;
            }
            let b = svc_maker.submit(b.row.id, b.row.version).await?;
            if left == 0 {
                continue;
            }
            let total = Fen::yuan_text(b.row.total_fen);
            let b = svc_checker
                .review(
                    b.row.id,
                    Decision {
                        approve: true,
                        note: None,
                        expected_total: total.clone(),
                        version: b.row.version,
                    },
                )
                .await?;
            if left == 1 {
                continue;
            }
            let b = svc_city
                .approve(
                    b.row.id,
                    Decision {
                        approve: true,
                        note: Some("同意发放".to_owned()),
                        expected_total: total,
                        version: b.row.version,
                    },
                )
                .await?;
            if left == 2 {
                continue;
            }
            svc_city
                .export_bank_file(b.row.id, BankFileFormat::Csv)
                .await?;
            if left == 3 {
                continue;
            }
            let r = pay(p, &svc_maker, b.row.id, 53).await?;
            // One supplementary batch (four months ago, the first type) is paid in turn.
            if left == 4
                && t == 0
                && let Some(sup) = r
            {
                let s = svc_maker
                    .submit(sup, svc_maker.batch(sup).await?.row.version)
                    .await?;
                let total = Fen::yuan_text(s.row.total_fen);
                let s = svc_checker
                    .review(
                        sup,
                        Decision {
                            approve: true,
                            note: None,
                            expected_total: total.clone(),
                            version: s.row.version,
                        },
                    )
                    .await?;
                let s = svc_city
                    .approve(
                        sup,
                        Decision {
                            approve: true,
                            note: Some("同意补发".to_owned()),
                            expected_total: total,
                            version: s.row.version,
                        },
                    )
                    .await?;
                svc_city
                    .export_bank_file(s.row.id, BankFileFormat::Csv)
                    .await?;
                pay(p, &svc_maker, sup, 0).await?;
                made += 1;
            }
        }
    }
    Ok(made)
}

/// The bank's results for an exported batch: every `fail_every`th payment returned (0: none);
/// the supplementary batch it made, if any.
async fn pay(
    p: &Platform,
    svc: &SubsidyService<'_>,
    batch: Uuid,
    fail_every: usize,
) -> DomainResult<Option<Uuid>> {
    let items = subsidy_item::Entity::find()
        .filter(subsidy_item::Column::BatchId.eq(batch))
        .filter(subsidy_item::Column::Status.eq("PENDING"))
        .order_by_asc(subsidy_item::Column::Id)
        .all(p.db.conn())
        .await?;
    let mut csv = String::from("明细编号,结果,金额（元）,失败原因\n");
    for (i, it) in items.iter().enumerate() {
        let failed = fail_every > 0 && i % fail_every == fail_every - 1;
        csv.push_str(&format!(
            "{},{},{},{}\n",
            it.id,
            if failed { "失败" } else { "成功" },
            Fen::yuan_text(it.amount_fen),
            if failed {
                ["账户已冻结", "户名与账号不符", "账户已销户"][i % 3]
            } else {
                ""
            }
        ));
    }
    Ok(svc
        .import_results(batch, "results.csv", csv.into_bytes())
        .await?
        .supplementary_batch_id)
}

/// A personal bank account for every active person of the demo district (written directly, in
/// pages: the same columns the service writes).
async fn seed_accounts(p: &Platform) -> DomainResult<()> {
    let conn = p.db.conn();
    let ids: Vec<Uuid> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::DistrictCode.eq(DEMO_DISTRICT))
        .filter(person::Column::Status.eq("ACTIVE"))
        .order_by_asc(person::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let now = chrono::Utc::now();
    for (c, chunk) in ids.chunks(1_000).enumerate() {
        let mut rows = Vec::with_capacity(chunk.len());
        for (i, person) in chunk.iter().enumerate() {
            let n = (c * 1_000 + i) as u64;
            let number = card_number(n);
            let id = Uuid::now_v7();
            rows.push(person_bank_account::ActiveModel {
                id: sea_orm::Set(id),
                person_id: sea_orm::Set(*person),
                kind: sea_orm::Set("CARD".to_owned()),
                bank_code: sea_orm::Set(
                    ["102", "103", "104", "105", "322", "325"][(n % 6) as usize].to_owned(),
                ),
                number_enc: sea_orm::Set(p.cipher.encrypt(
                    crate::crypto::FieldAad {
                        table: "person_bank_accounts",
                        column: "number",
                        row: &id,
                    },
                    &number,
                )?),
                number_bidx: sea_orm::Set(p.cipher.blind_index(NUMBER_INDEX, &number)),
                last4: sea_orm::Set(number[number.len() - 4..].to_owned()),
                status: sea_orm::Set("ACTIVE".to_owned()),
                created_by: sea_orm::Set("demo".to_owned()),
                created_at: sea_orm::Set(now),
                closed_at: sea_orm::Set(None),
            });
        }
        let w = p.db.begin_write().await?;
        person_bank_account::Entity::insert_many(rows)
            .exec(&w.txn)
            .await?;
        w.commit().await?;
    }
    Ok(())
}
