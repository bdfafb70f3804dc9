//! Demo questionnaires (问卷与需求): the 2026 needs survey pushed to 浦东新区 and answered by
//! about 2,000 people (a third by street-town staff on their behalf) — `citizen_demo` has it
//! still to answer — an anonymous satisfaction survey in 黄浦区 and an employment-intention
//! survey in 静安区, each with some answers; the needs the answers identify. Everything goes
//! through the survey service (checks, versions, push job, submissions, needs, audit), as the
//! city admin and as each person. Deterministic for a database; seeded once.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Platform;
use crate::caller::Caller;
use crate::entities::{questionnaire, questionnaire_target};
use crate::error::{DomainError, DomainResult};
use crate::identity::AccountRepo;
use crate::identity::SessionStage;
use crate::outreach::TargetFilter;
use crate::survey::{
    Choice, Definition, PushInput, Question, QuestionKind, QuestionnaireInput, QuestionnaireKind,
    ResponseInput, SurveyService, run_push_job,
};
use crate::viewer::{RequestMeta, Role, Viewer};

/// Answers of the needs survey, at most.
const NEEDS_ANSWERS: usize = 2_000;
/// Answers of each of the other two.
const OTHER_ANSWERS: usize = 300;

fn question(code: &str, text: &str, kind: QuestionKind, required: bool) -> Question {
    Question {
        code: code.to_owned(),
        text: text.to_owned(),
        help: String::new(),
        kind,
        required,
        options: Vec::new(),
        min: None,
        max: None,
        show_if: None,
        need_if_yes: None,
    }
}

fn option(code: &str, text: &str, need: Option<&str>) -> Choice {
    Choice {
        code: code.to_owned(),
        text: text.to_owned(),
        need: need.map(str::to_owned),
    }
}

/// The 2026 needs survey.
pub fn needs_survey() -> Definition {
    let mut needs = question(
        "needs",
        "您目前最需要哪些帮助？（可多选）",
        QuestionKind::MultipleChoice,
        true,
    );
    needs.options = vec![
        option("REHAB", "康复训练", Some("REHABILITATION")),
        option(
            "DEVICE",
            "辅助器具（轮椅、助听器、盲杖等）",
            Some("ASSISTIVE_DEVICE"),
        ),
        option("CARE", "托养或日间照料", Some("CARE")),
        option("JOB", "就业帮助", Some("EMPLOYMENT")),
        option("EDU", "教育或培训", Some("EDUCATION")),
        option("HOME", "家庭无障碍改造", Some("ACCESSIBILITY")),
        option("NONE", "暂时不需要", None),
    ];
    let mut device = question(
        "device_kind",
        "您需要哪类辅助器具？",
        QuestionKind::SingleChoice,
        false,
    );
    device.show_if = Some("needs != null && \"DEVICE\" in needs".to_owned());
    device.options = vec![
        option("WHEELCHAIR", "轮椅", None),
        option("HEARING", "助听器", None),
        option("CANE", "盲杖或读屏设备", None),
        option("OTHER", "其他", None),
    ];
    let mut medical = question(
        "medical",
        "过去一年您是否因残疾相关原因就医有困难？",
        QuestionKind::YesNo,
        true,
    );
    medical.need_if_yes = Some("MEDICAL".to_owned());
    let mut score = question(
        "satisfaction",
        "您对所在街镇残联服务的满意程度（1分最低，5分最高）",
        QuestionKind::Scale,
        false,
    );
    score.min = Some(1.0);
    score.max = Some(5.0);
    Definition {
        questions: vec![
            needs,
            device,
            medical,
            score,
            question("other", "其他意见或建议", QuestionKind::Text, false),
        ],
    }
}

fn satisfaction_survey() -> Definition {
    let mut overall = question(
        "overall",
        "您对残联今年提供的服务总体满意吗？（1分最低，5分最高）",
        QuestionKind::Scale,
        true,
    );
    overall.min = Some(1.0);
    overall.max = Some(5.0);
    let mut channel = question(
        "channel",
        "您主要通过哪种方式办理残联业务？",
        QuestionKind::SingleChoice,
        true,
    );
    channel.options = vec![
        option("APP", "随申办或小程序", None),
        option("WINDOW", "街镇窗口", None),
        option("HOME", "工作人员上门", None),
    ];
    Definition {
        questions: vec![
            overall,
            channel,
            question("advice", "您的建议", QuestionKind::Text, false),
        ],
    }
}

fn employment_survey() -> Definition {
    let mut want = question("want_job", "您希望就业吗？", QuestionKind::YesNo, true);
    want.need_if_yes = Some("EMPLOYMENT".to_owned());
    let mut hours = question(
        "hours",
        "您希望的工作时间",
        QuestionKind::SingleChoice,
        false,
    );
    hours.show_if = Some("want_job == true".to_owned());
    hours.options = vec![
        option("FULL", "全日制", None),
        option("PART", "非全日制", None),
        option("HOME", "居家就业", None),
    ];
    let mut salary = question("salary", "期望月收入（元）", QuestionKind::Number, false);
    salary.show_if = Some("want_job == true".to_owned());
    salary.min = Some(0.0);
    salary.max = Some(100_000.0);
    Definition {
        questions: vec![want, hours, salary],
    }
}

fn city_caller(account: Uuid) -> Caller {
    Caller::signed_in(
        Viewer {
            account_id: account,
            username: "city_admin".to_owned(),
            role: Role::CityAdmin,
            region: None,
            person_id: None,
            client: None,
        },
        SessionStage::Full,
        RequestMeta::default(),
    )
}

fn citizen_caller(person: Uuid) -> Caller {
    Caller::signed_in(
        Viewer {
            account_id: Uuid::nil(),
            username: "demo".to_owned(),
            role: Role::Citizen,
            region: None,
            person_id: Some(person),
            client: None,
        },
        SessionStage::Full,
        RequestMeta::default(),
    )
}

/// Save, publish and push one survey (the job run here, not in the background); `None` when
/// the demo has nobody the filter selects (a small demo population), the survey left published.
async fn publish_and_push(
    p: &Platform,
    city: &Caller,
    title: &str,
    kind: QuestionnaireKind,
    anonymous: bool,
    definition: Definition,
    filter: TargetFilter,
) -> DomainResult<Option<Uuid>> {
    let s = SurveyService::new(p, city);
    let q = s
        .save_questionnaire(QuestionnaireInput {
            id: None,
            version: None,
            title: title.to_owned(),
            description: "上海市残疾人联合会".to_owned(),
            kind,
            anonymous,
            definition,
        })
        .await?;
    let q = s.publish_questionnaire(q.id(), q.row.version).await?;
    let push = match s
        .create_push(PushInput {
            questionnaire_id: q.id(),
            filter,
            use_rule: false,
            service_item_id: None,
            deadline: Utc::now() + Duration::days(30),
        })
        .await
    {
        Ok(push) => push,
        Err(DomainError::BadInput { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    run_push_job(p, push.id).await?;
    Ok(Some(push.id))
}

/// The people a push asked, in id order, at most `n`, leaving out `except`.
async fn asked(
    p: &Platform,
    push: Option<Uuid>,
    n: usize,
    except: Option<Uuid>,
) -> DomainResult<Vec<Uuid>> {
    let Some(push) = push else {
        return Ok(Vec::new());
    };
    Ok(questionnaire_target::Entity::find()
        .filter(questionnaire_target::Column::PushId.eq(push))
        .order_by_asc(questionnaire_target::Column::PersonId)
        .all(p.db.conn())
        .await?
        .into_iter()
        .map(|t| t.person_id)
        .filter(|id| Some(*id) != except)
        .take(n)
        .collect())
}

/// Submit `answers` for `person`: by the person, or (every third) by staff on their behalf.
async fn answer(
    p: &Platform,
    city: &Caller,
    push: Uuid,
    person: Uuid,
    i: usize,
    answers: Value,
) -> DomainResult<()> {
    let Value::Object(map) = answers else {
        return Ok(());
    };
    let answers: BTreeMap<String, Value> = map.into_iter().collect();
    let by_proxy = i.is_multiple_of(3);
    let own = citizen_caller(person);
    let caller = if by_proxy { city } else { &own };
    SurveyService::new(p, caller)
        .submit(ResponseInput {
            push_id: push,
            person_id: Some(person),
            answers,
        })
        .await
        .map(|_| ())
}

/// Seed the demo questionnaires once; returns how many submissions were made.
pub async fn seed_demo_surveys(p: &Platform) -> DomainResult<usize> {
    if questionnaire::Entity::find().count(p.db.conn()).await? > 0 {
        return Ok(0);
    }
    let Some(admin) = AccountRepo::new(&p.db).by_username("city_admin").await? else {
        return Ok(0);
    };
    let citizen_demo = AccountRepo::new(&p.db)
        .by_username("citizen_demo")
        .await?
        .and_then(|a| a.person_id);
    let city = city_caller(admin.id);
    let district = |code: &str| TargetFilter {
        district: Some(code.to_owned()),
        ..TargetFilter::default()
    };
    let mut made = 0;

    let needs = publish_and_push(
        p,
        &city,
        "2026年上海市残疾人基本服务需求调查",
        QuestionnaireKind::Needs,
        false,
        needs_survey(),
        district("310115"),
    )
    .await?;
    let wants = ["REHAB", "DEVICE", "CARE", "JOB", "EDU", "HOME", "NONE"];
    for (i, person) in asked(p, needs, NEEDS_ANSWERS, citizen_demo)
        .await?
        .into_iter()
        .enumerate()
    {
        let first = wants[i % wants.len()];
        let mut chosen = vec![first];
        if first != "NONE" && i.is_multiple_of(4) {
            chosen.push(wants[(i / 4) % 6]);
        }
        chosen.dedup();
        let mut a = json!({
            "needs": chosen,
            "medical": i.is_multiple_of(5),
            "satisfaction": 3 + (i % 3),
        });
        if chosen.contains(&"DEVICE") {
            a["device_kind"] = json!(["WHEELCHAIR", "HEARING", "CANE", "OTHER"][i % 4]);
        }
        if let Some(push) = needs {
            answer(p, &city, push, person, i, a).await?;
        }
        made += 1;
    }

    let satisfaction = publish_and_push(
        p,
        &city,
        "2026年残联服务满意度调查（匿名）",
        QuestionnaireKind::Satisfaction,
        true,
        satisfaction_survey(),
        district("310101"),
    )
    .await?;
    for (i, person) in asked(p, satisfaction, OTHER_ANSWERS, None)
        .await?
        .into_iter()
        .enumerate()
    {
        let channel = ["APP", "WINDOW", "HOME"][i % 3];
        let a = json!({"overall": 2 + (i % 4), "channel": channel});
        if let Some(push) = satisfaction {
            answer(p, &city, push, person, i, a).await?;
        }
        made += 1;
    }

    let mut working_age = district("310106");
    working_age.min_age = Some(18);
    working_age.max_age = Some(59);
    let employment = publish_and_push(
        p,
        &city,
        "2026年残疾人就业意向调查",
        QuestionnaireKind::EmploymentIntention,
        false,
        employment_survey(),
        working_age,
    )
    .await?;
    for (i, person) in asked(p, employment, OTHER_ANSWERS, None)
        .await?
        .into_iter()
        .enumerate()
    {
        let a = if i.is_multiple_of(2) {
            let hours = ["FULL", "PART", "HOME"][i % 3];
            json!({"want_job": true, "hours": hours, "salary": 4000 + (i % 5) * 500})
        } else {
            json!({"want_job": false})
        };
        if let Some(push) = employment {
            answer(p, &city, push, person, i, a).await?;
        }
        made += 1;
    }
    Ok(made)
}
