//! 就业服务: an enterprise registers itself (credit code checked), its district verifies it and
//! sees its proportional-employment gap; it posts a job (found by search, pinyin included); a
//! person applies; the enterprise sees the applicant de-identified, invites them, and sees their
//! name and phone only once they agree (audited); offer, hire, the job fills, and the hire is
//! followed up at 1, 3 and 6 months. Fairs: booths given once, jobs only from approved
//! participants. Bad input and skipped moves write nothing.

use serde_json::{Value, json};
use zhucan_domain::viewer::Role;

use crate::helpers::{PASSWORD, TestApp, code, ids};

const REGISTER: &str = "mutation($i: EnterpriseInput!, $a: EnterpriseAccountInput) { registerEnterprise(input: $i, account: $a) { id name status version requiredPlaces countedPlaces gap contactPhone selfRegistered } }";
const VERIFY: &str = "mutation($id: ID!, $v: Int!, $a: VerifyAction!, $n: String!) { verifyEnterprise(id: $id, version: $v, action: $a, note: $n) { status version } }";
const SAVE_JOB: &str = "mutation($i: JobInput!) { saveJob(input: $i) { id status version categories accommodations accommodationLabels } }";
const JOB_STATUS: &str = "mutation($id: ID!, $v: Int!, $s: JobPostingStatus!) { setJobStatus(id: $id, version: $v, status: $s) { status version hired } }";
const APPLY: &str =
    "mutation($j: ID!, $p: ID) { applyForJob(jobId: $j, personId: $p) { id status version } }";
const APPLICANTS: &str = "{ jobApplications { edges { node { id personId status displayName ageBand category level skills education identityShared identity { name phone } version } } } }";
const MOVE: &str = "mutation($id: ID!, $v: Int!, $a: ApplicationAction!, $n: String!, $d: NaiveDate) { updateApplication(id: $id, version: $v, action: $a, note: $n, hiredOn: $d) { status version identityShared } }";

fn ok<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "{field}: {body}");
    &body["data"][field]
}

fn enterprise(code: &str, name: &str) -> Value {
    json!({
        "creditCode": code, "name": name, "districtCode": "310115", "industry": "i",
        "size": "MEDIUM", "address": "浦东新区张江路1号", "contactName": "人事王",
        "contactPhone": "13900001111", "headcount": 200, "disabledEmployees": 1,
        "severeEmployees": 0
    })
}

fn job_input(title: &str) -> Value {
    json!({
        "title": title, "description": "接听热线，记录来电，使用读屏软件完成工单。",
        "salaryMin": 5000, "salaryMax": 7000, "districtCode": "310115",
        "address": "浦东新区张江路1号", "latitude": 31.2, "longitude": 121.6,
        "hours": "FULL_TIME", "vacancies": 1, "categories": [1, 4], "levels": [],
        "accommodations": ["SCREEN_READER", "STEP_FREE", "SCREEN_READER"]
    })
}

async fn count(app: &TestApp, table: &str) -> usize {
    app.rows(&format!("SELECT 1 FROM {table}")).await.len()
}

#[tokio::test]
async fn an_enterprise_hires_a_person_it_saw_de_identified_until_they_agreed() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let person = app.person("求职甲", ids::PUDONG_1, "41", "310115005").await;
    app.account("jobseeker", Role::Citizen, None, Some(person))
        .await;

    // Self-registration: a wrong check character is refused and writes nothing.
    let bad = app
        .gql(
            None,
            REGISTER,
            json!({"i": enterprise("91310115MA1K3BTP2C", "张江热线服务有限公司"), "a": {"username": "zj_hotline", "password": PASSWORD}}),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT", "{bad}");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "input.creditCode");
    assert_eq!(count(&app, "enterprises").await, 0);
    assert!(
        app.rows("SELECT 1 FROM accounts WHERE username = 'zj_hotline'")
            .await
            .is_empty()
    );
    let registered = app
        .gql(
            None,
            REGISTER,
            json!({"i": enterprise("91310115ma1k3btp2b", "张江热线服务有限公司"), "a": {"username": "zj_hotline", "password": PASSWORD}}),
        )
        .await;
    let ent = ok(&registered, "registerEnterprise").clone();
    assert_eq!(ent["status"], "PENDING");
    assert_eq!(ent["selfRegistered"], true);
    // 200 employees at 1.5 % require 3 places; one employed: 2 short.
    assert_eq!(ent["requiredPlaces"], "3.00");
    assert_eq!(ent["countedPlaces"], "1.00");
    assert_eq!(ent["gap"], "2.00");
    let again = app
        .gql(
            None,
            REGISTER,
            json!({"i": enterprise("91310115MA1K3BTP2B", "重复"), "a": {"username": "zj_other", "password": PASSWORD}}),
        )
        .await;
    assert_eq!(code(&again), "CONFLICT", "one enterprise per credit code");
    let company = app.login("zj_hotline").await;
    let mine = app
        .gql(
            Some(&company),
            "{ myEnterprise { name creditCode industryLabel contactPhone } viewer { role } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ok(&mine, "myEnterprise")["creditCode"],
        "91310115MA1K3BTP2B"
    );
    assert_eq!(
        mine["data"]["myEnterprise"]["industryLabel"],
        "信息传输、软件和信息技术服务业"
    );
    assert_eq!(mine["data"]["viewer"]["role"], "ENTERPRISE");

    // A pending enterprise cannot open a job; its district verifies it, another cannot.
    let mut backwards = job_input("热线客服");
    backwards["salaryMin"] = json!(9000);
    let upside_down = app
        .gql(Some(&company), SAVE_JOB, json!({"i": backwards}))
        .await;
    assert_eq!(code(&upside_down), "BAD_USER_INPUT", "{upside_down}");
    assert_eq!(count(&app, "jobs").await, 0);
    let saved = app
        .gql(
            Some(&company),
            SAVE_JOB,
            json!({"i": job_input("热线客服")}),
        )
        .await;
    let job = ok(&saved, "saveJob").clone();
    assert_eq!(job["status"], "DRAFT");
    assert_eq!(job["categories"], json!([1, 4]));
    assert_eq!(job["accommodations"], json!(["SCREEN_READER", "STEP_FREE"]));
    let job_id = job["id"].as_str().unwrap().to_owned();
    let early = app
        .gql(
            Some(&company),
            JOB_STATUS,
            json!({"id": job_id, "v": 1, "s": "OPEN"}),
        )
        .await;
    assert_eq!(code(&early), "CONFLICT", "{early}");
    let ent_id = ent["id"].as_str().unwrap();
    let huangpu = app.login("huangpu").await;
    let elsewhere = app
        .gql(
            Some(&huangpu),
            VERIFY,
            json!({"id": ent_id, "v": 1, "a": "VERIFY", "n": ""}),
        )
        .await;
    assert_eq!(code(&elsewhere), "NOT_FOUND");
    let pudong = app.login("pudong").await;
    let verified = app
        .gql(
            Some(&pudong),
            VERIFY,
            json!({"id": ent_id, "v": 1, "a": "VERIFY", "n": ""}),
        )
        .await;
    assert_eq!(ok(&verified, "verifyEnterprise")["status"], "VERIFIED");
    let opened = app
        .gql(
            Some(&company),
            JOB_STATUS,
            json!({"id": job_id, "v": 1, "s": "OPEN"}),
        )
        .await;
    assert_eq!(ok(&opened, "setJobStatus")["status"], "OPEN");

    // Anyone finds the open job, by characters and by pinyin initials.
    for q in ["热线客服", "rxkf"] {
        let found = app
            .gql(
                None,
                "query($q: String!) { search(query: $q, kinds: [JOB]) { edges { node { entry { ... on Job { id title enterprise { name contactPhone } } } } } } }",
                json!({"q": q}),
            )
            .await;
        let hit = &found["data"]["search"]["edges"][0]["node"]["entry"];
        assert_eq!(hit["id"], job_id.as_str(), "{q}: {found}");
        assert_eq!(hit["enterprise"]["name"], "张江热线服务有限公司");
        assert!(
            hit["enterprise"]["contactPhone"].is_null(),
            "no contact for the public"
        );
    }

    // The person applies (once); the enterprise sees them de-identified.
    let citizen = app.login("jobseeker").await;
    let resume = app
        .gql(
            Some(&citizen),
            "mutation { saveResume(input: {education: SENIOR_SECONDARY, skills: [\"盲文\", \"读屏软件\"], desiredWork: \"客服\", experience: [{employer: \"某超市\", role: \"理货\", from: \"2019-03\", to: \"2021-06\"}]}) { version skills category level } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&resume, "saveResume")["version"], 1);
    let applied = app.gql(Some(&citizen), APPLY, json!({"j": job_id})).await;
    let application = ok(&applied, "applyForJob").clone();
    assert_eq!(application["status"], "APPLIED");
    let twice = app.gql(Some(&citizen), APPLY, json!({"j": job_id})).await;
    assert_eq!(code(&twice), "CONFLICT");
    let app_id = application["id"].as_str().unwrap().to_owned();

    let seen = app.gql(Some(&company), APPLICANTS, json!({})).await;
    let text = seen.to_string();
    let node = &ok(&seen, "jobApplications")["edges"][0]["node"];
    assert_eq!(node["displayName"], "求**");
    assert!(node["personId"].is_null());
    assert!(node["identity"].is_null());
    assert_eq!(node["category"], 4);
    assert_eq!(node["skills"], json!(["盲文", "读屏软件"]));
    for secret in ["求职甲", ids::PUDONG_1, "13812345678", &person.to_string()] {
        assert!(
            !text.contains(secret),
            "the enterprise saw {secret}: {text}"
        );
    }
    // Not through the registry either.
    let file = app
        .gql(
            Some(&company),
            "query($id: ID!) { person(id: $id) { name } }",
            json!({"id": person.to_string()}),
        )
        .await;
    assert!(file["data"]["person"].is_null(), "{file}");

    // Moves that skip states are refused; the enterprise cannot withdraw for the person.
    let skip = app
        .gql(
            Some(&company),
            MOVE,
            json!({"id": app_id, "v": 1, "a": "OFFER", "n": ""}),
        )
        .await;
    assert_eq!(code(&skip), "CONFLICT", "{skip}");
    let not_theirs = app
        .gql(
            Some(&company),
            MOVE,
            json!({"id": app_id, "v": 1, "a": "WITHDRAW", "n": ""}),
        )
        .await;
    assert_eq!(code(&not_theirs), "FORBIDDEN");
    let early_share = app
        .gql(
            Some(&citizen),
            MOVE,
            json!({"id": app_id, "v": 1, "a": "SHARE_IDENTITY", "n": ""}),
        )
        .await;
    assert_eq!(
        code(&early_share),
        "CONFLICT",
        "no identity before an invitation"
    );

    // Invitation; the identity waits for the person's consent.
    let at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let invited = app
        .gql(
            Some(&company),
            "mutation($id: ID!, $at: DateTime!) { inviteToInterview(id: $id, version: 1, at: $at, place: \"张江路1号3楼\") { status version identity { name } } }",
            json!({"id": app_id, "at": at}),
        )
        .await;
    let invited = ok(&invited, "inviteToInterview");
    assert_eq!(invited["status"], "INTERVIEW");
    assert!(invited["identity"].is_null());
    let inbox = app
        .gql(
            Some(&citizen),
            "{ inbox { edges { node { kind title } } } }",
            json!({}),
        )
        .await;
    assert!(inbox.to_string().contains("JOB_INTERVIEW"), "{inbox}");
    let reveals = || async {
        app.rows("SELECT 1 FROM audit_records WHERE operation = 'employment.applicant.identity' AND result = 'SUCCESS'")
            .await
            .len()
    };
    assert_eq!(reveals().await, 0);
    let shared = app
        .gql(
            Some(&citizen),
            MOVE,
            json!({"id": app_id, "v": 2, "a": "SHARE_IDENTITY", "n": ""}),
        )
        .await;
    assert_eq!(ok(&shared, "updateApplication")["identityShared"], true);
    let seen = app.gql(Some(&company), APPLICANTS, json!({})).await;
    let node = &ok(&seen, "jobApplications")["edges"][0]["node"];
    assert_eq!(node["identity"]["name"], "求职甲");
    assert_eq!(node["identity"]["phone"], "13812345678");
    assert!(
        !seen.to_string().contains(ids::PUDONG_1),
        "never the ID number"
    );
    assert_eq!(reveals().await, 1, "every read of the identity is audited");

    // Another enterprise sees none of it.
    app.gql(
        None,
        REGISTER,
        json!({"i": enterprise("91310112087994932F", "闵行某公司"), "a": {"username": "mh_company", "password": PASSWORD}}),
    )
    .await;
    let other = app.login("mh_company").await;
    let theirs = app.gql(Some(&other), APPLICANTS, json!({})).await;
    assert!(
        ok(&theirs, "jobApplications")["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let direct = app
        .gql(
            Some(&other),
            "query($id: ID!) { jobApplication(id: $id) { id } }",
            json!({"id": app_id}),
        )
        .await;
    assert_eq!(code(&direct), "NOT_FOUND");

    // Offer and hire: the single place is taken, the job fills, follow-ups are scheduled.
    let offered = app
        .gql(
            Some(&company),
            MOVE,
            json!({"id": app_id, "v": 3, "a": "OFFER", "n": ""}),
        )
        .await;
    assert_eq!(ok(&offered, "updateApplication")["status"], "OFFERED");
    let no_day = app
        .gql(
            Some(&company),
            MOVE,
            json!({"id": app_id, "v": 4, "a": "HIRE", "n": ""}),
        )
        .await;
    assert_eq!(code(&no_day), "BAD_USER_INPUT");
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let hired = app
        .gql(
            Some(&company),
            MOVE,
            json!({"id": app_id, "v": 4, "a": "HIRE", "n": "", "d": today.to_string()}),
        )
        .await;
    assert_eq!(ok(&hired, "updateApplication")["status"], "HIRED");
    let filled = app
        .gql(
            None,
            "query($id: ID!) { job(id: $id) { status hired } }",
            json!({"id": job_id}),
        )
        .await;
    assert_eq!(ok(&filled, "job")["status"], "FILLED");
    assert_eq!(filled["data"]["job"]["hired"], 1);
    let late = app.gql(Some(&citizen), APPLY, json!({"j": job_id})).await;
    assert_eq!(code(&late), "CONFLICT");

    // The district follows up: not a month early; once due, recorded; the file shows it all.
    let ljz = app.login("lujiazui").await;
    let due = app
        .gql(
            Some(&ljz),
            "{ employmentFollowUps { edges { node { id month status dueOn } } } }",
            json!({}),
        )
        .await;
    let ups = ok(&due, "employmentFollowUps")["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(ups.len(), 3, "{due}");
    let first = ups.iter().find(|e| e["node"]["month"] == 1).unwrap()["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const RECORD: &str = "mutation($id: ID!) { recordEmploymentFollowUp(id: $id, input: {stillEmployed: true, problems: \"通勤较远\", support: \"协调无障碍班车\"}) { status stillEmployed } }";
    let too_early = app.gql(Some(&ljz), RECORD, json!({"id": first})).await;
    assert_eq!(code(&too_early), "CONFLICT", "{too_early}");
    {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use zhucan_domain::entities::employment_follow_up as f;
        f::Entity::update_many()
            .col_expr(f::Column::DueOn, Expr::value(today))
            .filter(f::Column::Month.eq(1))
            .exec(app.platform.db.conn())
            .await
            .unwrap();
    }
    let done = app.gql(Some(&ljz), RECORD, json!({"id": first})).await;
    assert_eq!(ok(&done, "recordEmploymentFollowUp")["status"], "DONE");
    let huangpu_view = app
        .gql(
            Some(&huangpu),
            "{ employmentFollowUps { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(
        ok(&huangpu_view, "employmentFollowUps")["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let file = app
        .gql(
            Some(&ljz),
            "query($id: ID!) { person(id: $id) { jobApplications { status personId followUps { month status stillEmployed } events { toStatus } } } }",
            json!({"id": person.to_string()}),
        )
        .await;
    let apps = &ok(&file, "person")["jobApplications"];
    assert_eq!(apps[0]["status"], "HIRED");
    assert_eq!(apps[0]["followUps"][0]["stillEmployed"], true);
    assert_eq!(apps[0]["events"].as_array().unwrap().len(), 5, "{file}");
}

#[tokio::test]
async fn fairs_give_each_booth_once_and_take_jobs_only_from_approved_participants() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let pudong = app.login("pudong").await;
    let registered = app
        .gql(
            Some(&pudong),
            REGISTER,
            json!({"i": enterprise("91310115MA1K3BTP2B", "张江热线服务有限公司")}),
        )
        .await;
    let ent = ok(&registered, "registerEnterprise").clone();
    assert_eq!(ent["selfRegistered"], false);
    let ent_id = ent["id"].as_str().unwrap().to_owned();
    let second = app
        .gql(
            Some(&pudong),
            REGISTER,
            json!({"i": enterprise("913101127033980359", "第二家公司")}),
        )
        .await;
    let second_id = ok(&second, "registerEnterprise")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in [&ent_id, &second_id] {
        let v = app
            .gql(
                Some(&pudong),
                VERIFY,
                json!({"id": id, "v": 1, "a": "VERIFY", "n": ""}),
            )
            .await;
        ok(&v, "verifyEnterprise");
    }
    let start = chrono::Utc::now() + chrono::Duration::days(10);
    let fair_input = json!({
        "title": "2026浦东助残专场招聘会", "kind": "OFFLINE", "venue": "浦东新区残联大厅",
        "startsAt": start.to_rfc3339(), "endsAt": (start + chrono::Duration::hours(4)).to_rfc3339(),
        "booths": 20
    });
    let backwards = app
        .gql(
            Some(&pudong),
            "mutation($i: JobFairInput!) { saveJobFair(input: $i) { id } }",
            json!({"i": {"title": "倒置", "kind": "ONLINE", "startsAt": start.to_rfc3339(), "endsAt": (start - chrono::Duration::hours(1)).to_rfc3339()}}),
        )
        .await;
    assert_eq!(code(&backwards), "BAD_USER_INPUT");
    let saved = app
        .gql(
            Some(&pudong),
            "mutation($i: JobFairInput!) { saveJobFair(input: $i) { id status version organiserCode } }",
            json!({"i": fair_input}),
        )
        .await;
    let fair = ok(&saved, "saveJobFair").clone();
    assert_eq!(fair["organiserCode"], "310115");
    let fair_id = fair["id"].as_str().unwrap().to_owned();
    // A draft is not public.
    let hidden = app
        .gql(
            None,
            "query($id: ID!) { jobFair(id: $id) { id } }",
            json!({"id": fair_id}),
        )
        .await;
    assert_eq!(code(&hidden), "NOT_FOUND");
    let published = app
        .gql(
            Some(&pudong),
            "mutation($id: ID!) { setJobFairStatus(id: $id, version: 1, status: PUBLISHED) { status } }",
            json!({"id": fair_id}),
        )
        .await;
    assert_eq!(ok(&published, "setJobFairStatus")["status"], "PUBLISHED");

    const JOIN: &str =
        "mutation($f: ID!, $e: ID) { joinJobFair(fairId: $f, enterpriseId: $e) { status } }";
    const DECIDE: &str = "mutation($f: ID!, $e: ID!, $b: String) { approveFairParticipation(fairId: $f, enterpriseId: $e, approve: true, booth: $b) { status booth } }";
    for id in [&ent_id, &second_id] {
        let j = app
            .gql(Some(&pudong), JOIN, json!({"f": fair_id, "e": id}))
            .await;
        assert_eq!(ok(&j, "joinJobFair")["status"], "APPLIED");
    }
    let twice = app
        .gql(Some(&pudong), JOIN, json!({"f": fair_id, "e": ent_id}))
        .await;
    assert_eq!(code(&twice), "CONFLICT");
    // A job at the fair before approval is refused.
    let mut at_fair = job_input("展会岗位");
    at_fair["enterpriseId"] = json!(ent_id);
    at_fair["fairId"] = json!(fair_id);
    let premature = app
        .gql(Some(&pudong), SAVE_JOB, json!({"i": at_fair}))
        .await;
    assert_eq!(code(&premature), "BAD_USER_INPUT", "{premature}");
    let no_booth = app
        .gql(Some(&pudong), DECIDE, json!({"f": fair_id, "e": ent_id}))
        .await;
    assert_eq!(code(&no_booth), "BAD_USER_INPUT");
    let outside = app
        .gql(
            Some(&pudong),
            DECIDE,
            json!({"f": fair_id, "e": ent_id, "b": "21"}),
        )
        .await;
    assert_eq!(code(&outside), "BAD_USER_INPUT");
    let approved = app
        .gql(
            Some(&pudong),
            DECIDE,
            json!({"f": fair_id, "e": ent_id, "b": "7"}),
        )
        .await;
    assert_eq!(ok(&approved, "approveFairParticipation")["booth"], "7");
    let taken = app
        .gql(
            Some(&pudong),
            DECIDE,
            json!({"f": fair_id, "e": second_id, "b": "7"}),
        )
        .await;
    assert_eq!(code(&taken), "CONFLICT", "{taken}");
    let huangpu = app.login("huangpu").await;
    let not_organiser = app
        .gql(
            Some(&huangpu),
            DECIDE,
            json!({"f": fair_id, "e": second_id, "b": "8"}),
        )
        .await;
    assert_eq!(code(&not_organiser), "NOT_FOUND");
    let job = app
        .gql(Some(&pudong), SAVE_JOB, json!({"i": at_fair}))
        .await;
    ok(&job, "saveJob");
    // The public sees the fair with its approved participant only.
    let public = app
        .gql(
            None,
            "query($id: ID!) { jobFair(id: $id) { title participations { booth enterprise { name } } } }",
            json!({"id": fair_id}),
        )
        .await;
    let parts = ok(&public, "jobFair")["participations"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(parts.len(), 1, "{public}");
    assert_eq!(parts[0]["enterprise"]["name"], "张江热线服务有限公司");
}
