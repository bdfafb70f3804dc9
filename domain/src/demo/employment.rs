//! Demo employment services (就业服务): 60 enterprises over the districts — `enterprise_demo`
//! (浦东新区) registered itself and has its own account, the others were registered by staff —
//! most verified, a few waiting; an offline fair in 浦东新区 and an online fair of the city with
//! approved participants and booths; 200 jobs (most open, a few drafts and closed), offering
//! accommodations and suiting categories; intentions recorded at the offline fair, resumes, and
//! applications from about 500 people. At `enterprise_demo` some applicants were invited (some
//! agreed to show who they are), offered and hired — over the past seven months, so that their
//! follow-ups are done, due and overdue. Everything goes through the employment service, as the
//! city admin, the enterprise and staff on people's behalf. Deterministic for a database; seeded
//! once.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Platform;
use crate::caller::Caller;
use crate::employment::{
    Accommodation, ApplicationMove, EmploymentService, EnterpriseInput, EnterpriseRegistration,
    EnterpriseSize, FairInput, FairKind, FairStatus, FollowUpInput, FollowUpStatus, IntentionInput,
    JobInput, JobStatus, ResumeInput, VerifyAction, WorkHours,
};
use crate::entities::{employment_follow_up, enterprise, person};
use crate::error::DomainResult;
use crate::identity::{AccountRepo, SessionStage};
use crate::types::{CreditCode, IndustrySection};
use crate::viewer::{RequestMeta, Role, Viewer};

/// Enterprises seeded.
pub const ENTERPRISES: usize = 60;
/// Jobs seeded.
pub const JOBS: usize = 200;
/// People who apply.
pub const APPLICANTS: usize = 500;
/// The demo enterprise's account.
pub const ENTERPRISE_DEMO: &str = "enterprise_demo";

const NAME_WORDS: [&str; 20] = [
    "云帆", "启明", "同心", "阳光", "恒信", "申江", "海纳", "致远", "博雅", "新禾", "锦程", "立达",
    "众诚", "瑞丰", "明德", "华耀", "安康", "汇通", "星辰", "沪联",
];
const NAME_KINDS: [(&str, IndustrySection); 10] = [
    ("信息技术有限公司", IndustrySection::InformationTechnology),
    ("电子商务有限公司", IndustrySection::WholesaleRetail),
    ("物业管理有限公司", IndustrySection::RealEstate),
    ("餐饮管理有限公司", IndustrySection::AccommodationCatering),
    ("物流有限公司", IndustrySection::TransportStoragePost),
    ("精密制造有限公司", IndustrySection::Manufacturing),
    (
        "文化传播有限公司",
        IndustrySection::CultureSportsEntertainment,
    ),
    ("健康管理有限公司", IndustrySection::HealthSocialWork),
    ("商务服务有限公司", IndustrySection::LeasingBusinessServices),
    (
        "环境服务有限公司",
        IndustrySection::WaterEnvironmentPublicFacilities,
    ),
];
const JOB_TITLES: [(&str, &str, &[i16], &[Accommodation]); 10] = [
    (
        "客服专员",
        "接听客户来电，记录并跟进工单；提供读屏软件和耳机。",
        &[1, 4],
        &[Accommodation::ScreenReader, Accommodation::StepFree],
    ),
    (
        "数据录入员",
        "录入和核对业务数据，工位可升降。",
        &[2, 3, 4],
        &[Accommodation::StepFree, Accommodation::AccessibleToilet],
    ),
    (
        "电商运营助理",
        "商品上架、订单处理和售后沟通，可居家办公。",
        &[],
        &[Accommodation::Remote, Accommodation::FlexibleHours],
    ),
    (
        "手工包装工",
        "产品分拣与包装，工作环境安静，主管会手语。",
        &[2, 5],
        &[Accommodation::SignLanguage],
    ),
    (
        "保洁员",
        "办公区域日常保洁。",
        &[5, 6],
        &[Accommodation::FlexibleHours],
    ),
    (
        "按摩理疗师",
        "为客户提供保健按摩服务，须持相应证书。",
        &[1],
        &[Accommodation::StepFree],
    ),
    (
        "仓库管理员",
        "出入库登记、盘点，使用扫码设备。",
        &[2, 4],
        &[Accommodation::StepFree, Accommodation::AccessibleToilet],
    ),
    (
        "前台接待",
        "来访登记、电话转接和会议室预订。",
        &[4],
        &[Accommodation::StepFree],
    ),
    (
        "平面设计助理",
        "海报和宣传品设计，工作中以文字沟通为主。",
        &[2],
        &[Accommodation::SignLanguage, Accommodation::Remote],
    ),
    (
        "社区服务专员",
        "协助社区助残服务台接待与登记。",
        &[],
        &[Accommodation::StepFree, Accommodation::FlexibleHours],
    ),
];
/// The code's characters for synthetic organisation-code bodies.
const ORG_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn caller(account: Uuid, username: &str, role: Role, region: Option<&str>) -> Caller {
    Caller::signed_in(
        Viewer {
            account_id: account,
            username: username.to_owned(),
            role,
            region: region.and_then(|r| crate::types::RegionCode::parse("region", r).ok()),
            person_id: None,
            client: None,
        },
        SessionStage::Full,
        RequestMeta::default(),
    )
}

fn credit_code(i: usize, district: &str) -> DomainResult<CreditCode> {
    let mut body = String::from("MA");
    let mut n = i * 7_919 + 104_729;
    for _ in 0..6 {
        body.push(char::from(ORG_CHARS[n % ORG_CHARS.len()]));
        n /= ORG_CHARS.len();
    }
    CreditCode::compose("91", district, &body)
}

fn enterprise_input(
    i: usize,
    district: &str,
    district_name: &str,
) -> DomainResult<EnterpriseInput> {
    let (kind, industry) = NAME_KINDS[i % NAME_KINDS.len()];
    let word = NAME_WORDS[(i * 7) % NAME_WORDS.len()];
    let short = district_name.trim_end_matches('区');
    let headcount = [35, 80, 150, 260, 420, 900, 1_600][i % 7];
    // Most fall short of 1.5 %; some meet it.
    let disabled = match i % 4 {
        0 => 0,
        1 => headcount / 200,
        2 => headcount / 100,
        _ => headcount * 2 / 100,
    };
    Ok(EnterpriseInput {
        credit_code: credit_code(i, district)?.as_str().to_owned(),
        name: format!("上海{short}{word}{kind}"),
        district_code: district.to_owned(),
        industry: industry.as_str().to_owned(),
        size: match headcount {
            ..=50 => EnterpriseSize::Micro,
            51..=300 => EnterpriseSize::Small,
            301..=1_000 => EnterpriseSize::Medium,
            _ => EnterpriseSize::Large,
        },
        address: format!("{district_name}示范路{}号", 10 + i),
        contact_name: format!("{}经理", ["王", "李", "张", "刘", "陈", "杨"][i % 6]),
        contact_phone: format!("139{:08}", 20_000_000 + i * 37),
        headcount,
        disabled_employees: disabled,
        severe_employees: disabled / 3,
    })
}

/// Seed the demo employment services once; returns how many applications were made.
pub async fn seed_demo_employment(p: &Platform, password: &str) -> DomainResult<usize> {
    if enterprise::Entity::find().count(p.db.conn()).await? > 0 {
        return Ok(0);
    }
    let Some(admin) = AccountRepo::new(&p.db).by_username("city_admin").await? else {
        return Ok(0);
    };
    let city = caller(admin.id, "city_admin", Role::CityAdmin, Some("310000"));
    let staff = EmploymentService::new(p, &city);
    let districts = p.regions.children(None);
    if districts.is_empty() {
        return Ok(0);
    }
    let pudong = *districts
        .iter()
        .find(|d| d.code.as_str() == "310115")
        .unwrap_or(&districts[0]);

    // The demo enterprise registers itself, with its account.
    let first = enterprise_input(0, pudong.code.as_str(), &pudong.name)?;
    let own = crate::employment::register(
        p,
        EnterpriseRegistration {
            username: ENTERPRISE_DEMO.to_owned(),
            password: password.to_owned(),
            enterprise: EnterpriseInput {
                name: "上海浦东云帆信息技术有限公司".to_owned(),
                headcount: 260,
                disabled_employees: 2,
                severe_employees: 1,
                ..first
            },
        },
        &RequestMeta::default(),
    )
    .await?;
    let verified = staff
        .verify_enterprise(own.id, own.version, VerifyAction::Verify, "")
        .await?;
    let mut enterprises = vec![verified.row];
    for i in 1..ENTERPRISES {
        let d = &districts[i % districts.len()];
        let e = staff
            .register_by_staff(enterprise_input(i, d.code.as_str(), &d.name)?)
            .await?;
        // Every fifteenth still waits for its district.
        let row = if i % 15 == 14 {
            e.row
        } else {
            staff
                .verify_enterprise(e.row.id, e.row.version, VerifyAction::Verify, "")
                .await?
                .row
        };
        enterprises.push(row);
    }
    let own_account = AccountRepo::new(&p.db)
        .by_username(ENTERPRISE_DEMO)
        .await?
        .map(|a| a.id)
        .unwrap_or_default();
    let company = caller(own_account, ENTERPRISE_DEMO, Role::Enterprise, None);
    let as_company = EmploymentService::new(p, &company);

    // Two fairs: offline in Pudong in two weeks, online for the city from today.
    let now = Utc::now();
    let offline_start = now + Duration::days(14);
    let offline = staff
        .save_job_fair(FairInput {
            title: "2026年浦东新区残疾人专场招聘会".to_owned(),
            kind: FairKind::Offline,
            organiser: Some(pudong.code.as_str().to_owned()),
            venue: "浦东新区残疾人综合服务中心一楼大厅（无障碍入口在东侧）".to_owned(),
            description: "现场提供手语翻译、盲文简历和无障碍洗手间。".to_owned(),
            starts_at: offline_start,
            ends_at: offline_start + Duration::hours(4),
            booths: 40,
            ..FairInput::default()
        })
        .await?;
    let offline = staff
        .set_job_fair_status(offline.id, offline.version, FairStatus::Published)
        .await?;
    let online = staff
        .save_job_fair(FairInput {
            title: "上海市助残就业网络招聘月".to_owned(),
            kind: FairKind::Online,
            description: "全市用人单位在线发布适合残疾人的岗位，求职者可在线投递。".to_owned(),
            starts_at: now - Duration::days(1),
            ends_at: now + Duration::days(30),
            ..FairInput::default()
        })
        .await?;
    let online = staff
        .set_job_fair_status(online.id, online.version, FairStatus::Published)
        .await?;
    let live: Vec<&enterprise::Model> = enterprises
        .iter()
        .filter(|e| e.status == "VERIFIED")
        .collect();
    let mut booth = 0;
    let mut at_fair: std::collections::HashMap<Uuid, Uuid> = std::collections::HashMap::new();
    for (i, e) in live.iter().enumerate() {
        let (fair, offline_fair) = if e.district_code == pudong.code.as_str() || i % 5 == 0 {
            (offline.id, true)
        } else if i % 2 == 0 {
            (online.id, false)
        } else {
            continue;
        };
        if offline_fair && booth >= 40 {
            continue;
        }
        staff.join_job_fair(fair, Some(e.id)).await?;
        let b = offline_fair.then(|| {
            booth += 1;
            booth.to_string()
        });
        staff
            .decide_participation(fair, e.id, true, b.as_deref(), "")
            .await?;
        at_fair.insert(e.id, fair);
    }

    // 200 jobs: eight of the demo enterprise, the rest spread over the verified ones.
    let mut jobs = Vec::new();
    for j in 0..JOBS {
        let e = if j < 8 { live[0] } else { live[j % live.len()] };
        let (title, description, categories, accommodations) = JOB_TITLES[j % JOB_TITLES.len()];
        let base = 4_000 + i32::try_from((j * 131) % 4_000).unwrap_or(0);
        let input = JobInput {
            enterprise_id: Some(e.id),
            fair_id: (j % 3 == 0).then(|| at_fair.get(&e.id).copied()).flatten(),
            title: title.to_owned(),
            description: description.to_owned(),
            salary_min: base,
            salary_max: base + 2_000,
            district_code: e.district_code.clone(),
            address: e.address.clone(),
            location: None,
            hours: [
                WorkHours::FullTime,
                WorkHours::PartTime,
                WorkHours::Flexible,
            ][j % 3],
            vacancies: 1 + i32::try_from(j % 4).unwrap_or(0),
            categories: categories.to_vec(),
            levels: if j % 4 == 0 { vec![3, 4] } else { Vec::new() },
            accommodations: accommodations.to_vec(),
            ..JobInput::default()
        };
        let saved = staff.save_job(input).await?;
        let status = match j % 25 {
            24 => None,
            23 => Some(JobStatus::Closed),
            _ => Some(JobStatus::Open),
        };
        let row = match status {
            Some(s) => {
                staff
                    .set_job_status(saved.row.id, saved.row.version, s)
                    .await?
            }
            None => saved,
        };
        jobs.push(row);
    }
    let open: Vec<_> = jobs
        .iter()
        .filter(|j| j.status() == JobStatus::Open)
        .collect();

    // People of working age apply; a third record an intention at the offline fair first.
    let today = (now + Duration::hours(8)).date_naive();
    let adult_from = today - Duration::days(60 * 365);
    let adult_to = today - Duration::days(18 * 365);
    let people = person::Entity::find()
        .filter(person::Column::Status.eq("ACTIVE"))
        .filter(person::Column::BirthDate.between(adult_from, adult_to))
        .order_by_asc(person::Column::Id)
        .limit(u64::try_from(APPLICANTS).unwrap_or(500))
        .all(p.db.conn())
        .await?;
    let mut applied = 0;
    let mut at_demo = Vec::new();
    for (i, who) in people.iter().enumerate() {
        let job = open
            .iter()
            .filter(|j| j.suits(who.category, who.level))
            .nth(i % 7)
            .or_else(|| open.get(i % open.len().max(1)));
        let Some(job) = job else { break };
        if i % 3 == 0 {
            staff
                .record_intention(IntentionInput {
                    person_id: Some(who.id),
                    fair_id: Some(offline.id),
                    desired_work: job.row.title.clone(),
                    desired_district: Some(who.district_code.clone()),
                    hours: WorkHours::FullTime,
                    salary_min: Some(4_000),
                    consent: true,
                })
                .await?;
        }
        if i % 2 == 0 {
            staff
                .save_resume(ResumeInput {
                    person_id: Some(who.id),
                    version: None,
                    education: crate::employment::Education::ALL[i % 7],
                    skills: vec!["计算机操作".to_owned(), "普通话".to_owned()],
                    desired_work: job.row.title.clone(),
                    ..ResumeInput::default()
                })
                .await?;
        }
        // Every tenth applies to the demo enterprise, whatever the job.
        let target = if i % 10 == 0 {
            open[i % 8.min(open.len())]
        } else {
            job
        };
        let a = match staff.apply(target.row.id, Some(who.id)).await {
            Ok(a) => a,
            Err(crate::error::DomainError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        };
        applied += 1;
        if a.row.enterprise_id == live[0].id {
            at_demo.push(a);
        }
    }

    // The demo enterprise works its applicants: views all, invites half, hires some in the past
    // seven months (follow-ups done, due and overdue), rejects a few.
    for (k, a) in at_demo.iter().enumerate() {
        // An application a filled job turned away has moved on; skip it.
        let mut cur = match as_company
            .update_application(a.row.id, a.row.version, ApplicationMove::View, "")
            .await
        {
            Ok(c) => c,
            Err(crate::error::DomainError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        };
        if k % 2 == 1 {
            continue;
        }
        if k % 8 == 6 {
            as_company
                .update_application(
                    cur.row.id,
                    cur.row.version,
                    ApplicationMove::Reject,
                    "岗位要求驾驶，暂不匹配",
                )
                .await?;
            continue;
        }
        cur = as_company
            .invite(
                cur.row.id,
                cur.row.version,
                now + Duration::days(3 + i64::try_from(k % 5).unwrap_or(0)),
                "浦东新区张江路88号2楼会议室",
            )
            .await?;
        if k % 4 == 0 {
            // The applicant agrees, themself, to show who they are.
            let own = Caller::signed_in(
                Viewer {
                    account_id: Uuid::nil(),
                    username: "demo".to_owned(),
                    role: Role::Citizen,
                    region: None,
                    person_id: Some(cur.row.person_id),
                    client: None,
                },
                SessionStage::Full,
                RequestMeta::default(),
            );
            cur = EmploymentService::new(p, &own)
                .update_application(
                    cur.row.id,
                    cur.row.version,
                    ApplicationMove::ShareIdentity,
                    "",
                )
                .await?;
            cur = as_company
                .update_application(cur.row.id, cur.row.version, ApplicationMove::Offer, "")
                .await?;
            let hired_on = today - Duration::days(20 + i64::try_from((k * 29) % 200).unwrap_or(0));
            // A job whose places are all taken has turned the rest away; skip those.
            match as_company
                .update_application(
                    cur.row.id,
                    cur.row.version,
                    ApplicationMove::Hire(hired_on),
                    "",
                )
                .await
            {
                Ok(_) | Err(crate::error::DomainError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    // Half of the follow-ups already due were made; one in four found the person had left.
    let due = employment_follow_up::Entity::find()
        .filter(employment_follow_up::Column::Status.eq(FollowUpStatus::Due.as_str()))
        .filter(employment_follow_up::Column::DueOn.lte(today))
        .order_by_asc(employment_follow_up::Column::Id)
        .all(p.db.conn())
        .await?;
    for (k, f) in due.iter().enumerate() {
        if k % 2 == 1 {
            continue;
        }
        let input = FollowUpInput {
            still_employed: k % 8 != 4,
            problems: if k % 8 == 4 {
                "通勤时间过长".to_owned()
            } else {
                String::new()
            },
            support: "电话回访，介绍区就业服务站的支持".to_owned(),
        };
        // A follow-up closed by an earlier one's answer is skipped.
        match staff.record_follow_up(f.id, input).await {
            Ok(_) | Err(crate::error::DomainError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(applied)
}
