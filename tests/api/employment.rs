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
    // Two more apply through their street-town: one will be offered too, one never invited.
    let second = app.person("求职乙", ids::PUDONG_2, "41", "310115005").await;
    let third = app.person("求职丙", ids::PUDONG_3, "42", "310115005").await;
    let ljz = app.login("lujiazui").await;
    let mut others = Vec::new();
    for p in [second, third] {
        let a = app
            .gql(Some(&ljz), APPLY, json!({"j": job_id, "p": p.to_string()}))
            .await;
        others.push(ok(&a, "applyForJob")["id"].as_str().unwrap().to_owned());
    }

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

    // The second is invited and offered as well; staff cannot consent for them.
    let at2 = (chrono::Utc::now() + chrono::Duration::days(4)).to_rfc3339();
    ok(
        &app.gql(
            Some(&company),
            "mutation($id: ID!, $at: DateTime!) { inviteToInterview(id: $id, version: 1, at: $at, place: \"张江路1号3楼\") { status } }",
            json!({"id": others[0], "at": at2}),
        )
        .await,
        "inviteToInterview",
    );
    let proxy_consent = app
        .gql(
            Some(&ljz),
            MOVE,
            json!({"id": others[0], "v": 2, "a": "SHARE_IDENTITY", "n": ""}),
        )
        .await;
    assert_eq!(code(&proxy_consent), "FORBIDDEN", "{proxy_consent}");
    ok(
        &app.gql(
            Some(&company),
            MOVE,
            json!({"id": others[0], "v": 2, "a": "OFFER", "n": ""}),
        )
        .await,
        "updateApplication",
    );

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
    // No more hires than places: the second offer cannot become a hire.
    let over = app
        .gql(
            Some(&company),
            MOVE,
            json!({"id": others[0], "v": 3, "a": "HIRE", "n": "", "d": today.to_string()}),
        )
        .await;
    assert_eq!(code(&over), "CONFLICT", "{over}");
    // The one never invited is told the places are taken, with the step on its history.
    let turned = app
        .gql(
            Some(&ljz),
            "query($id: ID!) { jobApplication(id: $id) { status events { toStatus note } } }",
            json!({"id": others[1]}),
        )
        .await;
    let turned = ok(&turned, "jobApplication");
    assert_eq!(turned["status"], "REJECTED");
    assert_eq!(
        turned["events"][1],
        json!({"toStatus": "REJECTED", "note": "岗位已招满"})
    );
    assert_eq!(
        app.rows("SELECT 1 FROM inbox_messages WHERE kind = 'JOB_FILLED'")
            .await
            .len(),
        1
    );
    // The public sees who offers the job, not the enterprise's figures or notes.
    let public = app
        .gql(
            None,
            "query($id: ID!) { job(id: $id) { enterprise { name headcount gap statusNote contactPhone } } }",
            json!({"id": job_id}),
        )
        .await;
    assert_eq!(
        ok(&public, "job")["enterprise"],
        json!({"name": "张江热线服务有限公司", "headcount": null, "gap": null, "statusNote": null, "contactPhone": null})
    );

    // The district follows up: not a month early; once due, recorded; the file shows it all.
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
    // Booth 7 is given: the fair cannot shrink to 5 booths.
    let mut smaller = fair_input.clone();
    smaller["id"] = json!(fair_id);
    smaller["version"] = json!(2);
    smaller["booths"] = json!(5);
    let shrunk = app
        .gql(
            Some(&pudong),
            "mutation($i: JobFairInput!) { saveJobFair(input: $i) { booths } }",
            json!({"i": smaller}),
        )
        .await;
    assert_eq!(code(&shrunk), "BAD_USER_INPUT", "{shrunk}");
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

#[tokio::test]
async fn recommendations_explain_themselves_statistics_count_in_scope_and_late_follow_ups_warn() {
    let app = TestApp::spawn().await;
    app.staff().await;
    let seeker = app.person("推荐甲", ids::PUDONG_1, "41", "310115005").await;
    let other = app.person("推荐乙", ids::PUDONG_2, "11", "310115005").await;
    app.account("seeker", Role::Citizen, None, Some(seeker))
        .await;
    let pudong = app.login("pudong").await;
    let registered = app
        .gql(
            Some(&pudong),
            REGISTER,
            json!({"i": enterprise("91310115MA1K3BTP2B", "张江热线服务有限公司")}),
        )
        .await;
    let ent_id = ok(&registered, "registerEnterprise")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app.gql(
            Some(&pudong),
            VERIFY,
            json!({"id": ent_id, "v": 1, "a": "VERIFY", "n": ""}),
        )
        .await,
        "verifyEnterprise",
    );
    // Two jobs: one for vision (category 1) only, one for the physically disabled (4) near Lujiazui.
    let mut vision = job_input("按摩理疗师");
    vision["enterpriseId"] = json!(ent_id);
    vision["categories"] = json!([1]);
    let mut physical = job_input("电话客服");
    physical["enterpriseId"] = json!(ent_id);
    physical["categories"] = json!([4]);
    physical["latitude"] = json!(31.2397);
    physical["longitude"] = json!(121.4998);
    let mut job_ids = Vec::new();
    for j in [vision, physical] {
        let saved = app.gql(Some(&pudong), SAVE_JOB, json!({"i": j})).await;
        let id = ok(&saved, "saveJob")["id"].as_str().unwrap().to_owned();
        ok(
            &app.gql(
                Some(&pudong),
                JOB_STATUS,
                json!({"id": id, "v": 1, "s": "OPEN"}),
            )
            .await,
            "setJobStatus",
        );
        job_ids.push(id);
    }
    // The person's intention (with consent) feeds matching; without consent nothing is written.
    const INTENT: &str = "mutation($i: EmploymentIntentionInput!) { recordEmploymentIntention(input: $i) { id proxy } }";
    let citizen = app.login("seeker").await;
    let refused = app
        .gql(
            Some(&citizen),
            INTENT,
            json!({"i": {"desiredWork": "客服", "hours": "FULL_TIME", "consent": false}}),
        )
        .await;
    assert_eq!(code(&refused), "BAD_USER_INPUT");
    assert_eq!(count(&app, "employment_intentions").await, 0);
    let recorded = app
        .gql(
            Some(&citizen),
            INTENT,
            json!({"i": {"desiredWork": "客服", "desiredDistrict": "310115", "hours": "FULL_TIME", "salaryMin": 4500, "consent": true}}),
        )
        .await;
    assert_eq!(ok(&recorded, "recordEmploymentIntention")["proxy"], false);
    let ljz = app.login("lujiazui").await;
    let proxy = app
        .gql(
            Some(&ljz),
            INTENT,
            json!({"i": {"personId": other.to_string(), "desiredWork": "按摩", "hours": "PART_TIME", "consent": true}}),
        )
        .await;
    assert_eq!(ok(&proxy, "recordEmploymentIntention")["proxy"], true);

    let recommended = app
        .gql(
            Some(&citizen),
            "{ recommendedJobs(latitude: 31.2400, longitude: 121.5000) { job { id title } score distanceM explanation } }",
            json!({}),
        )
        .await;
    let list = ok(&recommended, "recommendedJobs")
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        list.len(),
        1,
        "only the job suiting category 4: {recommended}"
    );
    assert_eq!(list[0]["job"]["id"], job_ids[1].as_str());
    let why = list[0]["explanation"].as_str().unwrap();
    for part in [
        "适合类别：肢体残疾",
        "意向区：浦东新区",
        "意向工作：客服",
        "距离 0.0 公里",
    ] {
        assert!(why.contains(part), "{part} in {why}");
    }
    assert!(list[0]["distanceM"].as_f64().unwrap() < 100.0);
    let out_of_town = app
        .gql(
            Some(&citizen),
            "{ recommendedJobs(latitude: 39.9, longitude: 116.4) { score } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&out_of_town), "BAD_USER_INPUT");

    // The enterprise's candidates are de-identified; staff of the district see who they are.
    let candidates = app
        .gql(
            Some(&pudong),
            "query($j: ID!) { recommendedCandidates(jobId: $j) { personId displayName category explanation } }",
            json!({"j": job_ids[0]}),
        )
        .await;
    let c = ok(&candidates, "recommendedCandidates")
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(c.len(), 1, "{candidates}");
    assert_eq!(c[0]["personId"], other.to_string());
    assert_eq!(c[0]["displayName"], "推**");
    assert!(
        c[0]["explanation"]
            .as_str()
            .unwrap()
            .contains("适合类别：视力残疾")
    );

    // Apply, invite, offer, hire; statistics count it in scope only.
    let applied = app
        .gql(Some(&citizen), APPLY, json!({"j": job_ids[1]}))
        .await;
    let app_id = ok(&applied, "applyForJob")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    // Staff of the district cannot make the enterprise's moves.
    let staff_invite = app
        .gql(
            Some(&pudong),
            "mutation($id: ID!, $at: DateTime!) { inviteToInterview(id: $id, version: 1, at: $at, place: \"x\") { status } }",
            json!({"id": app_id, "at": at}),
        )
        .await;
    assert_eq!(code(&staff_invite), "FORBIDDEN");
    let hired_on =
        (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive() - chrono::Duration::days(50);
    {
        // The enterprise here has no account (registered by staff): its moves are made as it by
        // binding one, as a self-registered enterprise has.
        app.account("zj_staffed", Role::Enterprise, None, None)
            .await;
        let account = app
            .rows("SELECT id FROM accounts WHERE username = 'zj_staffed'")
            .await;
        assert_eq!(account.len(), 1);
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use zhucan_domain::entities::{account as acc, enterprise as ent};
        let id = acc::Entity::find()
            .filter(acc::Column::Username.eq("zj_staffed"))
            .one(app.platform.db.conn())
            .await
            .unwrap()
            .unwrap()
            .id;
        ent::Entity::update_many()
            .col_expr(ent::Column::AccountId, Expr::value(Some(id)))
            .filter(ent::Column::Id.eq(uuid::Uuid::parse_str(&ent_id).unwrap()))
            .exec(app.platform.db.conn())
            .await
            .unwrap();
    }
    let company = app.login("zj_staffed").await;
    ok(
        &app.gql(
            Some(&company),
            "mutation($id: ID!, $at: DateTime!) { inviteToInterview(id: $id, version: 1, at: $at, place: \"张江路1号\") { status } }",
            json!({"id": app_id, "at": at}),
        )
        .await,
        "inviteToInterview",
    );
    ok(
        &app.gql(
            Some(&company),
            MOVE,
            json!({"id": app_id, "v": 2, "a": "OFFER", "n": ""}),
        )
        .await,
        "updateApplication",
    );
    ok(
        &app.gql(
            Some(&company),
            MOVE,
            json!({"id": app_id, "v": 3, "a": "HIRE", "n": "", "d": hired_on.to_string()}),
        )
        .await,
        "updateApplication",
    );
    const STATS: &str = "query($by: RecruitmentDimension!) { recruitmentStatistics(by: $by) { lines { key name measures { enterprises gap jobs applications interviews hires } } total { enterprises jobs vacancies applications interviews hires knownAt3Months retentionAt3Months } } }";
    let city = app.login("city").await;
    let stats = app.gql(Some(&city), STATS, json!({"by": "DISTRICT"})).await;
    let s = ok(&stats, "recruitmentStatistics");
    assert_eq!(
        s["total"],
        json!({"enterprises": 1, "jobs": 2, "vacancies": 2, "applications": 1, "interviews": 1, "hires": 1, "knownAt3Months": 0, "retentionAt3Months": null})
    );
    assert_eq!(s["lines"][0]["key"], "310115");
    assert_eq!(s["lines"][0]["measures"]["gap"], "2.00");
    let by_category = app.gql(Some(&city), STATS, json!({"by": "CATEGORY"})).await;
    let lines = ok(&by_category, "recruitmentStatistics")["lines"]
        .as_array()
        .unwrap()
        .clone();
    let physical = lines.iter().find(|l| l["key"] == "4").unwrap();
    assert_eq!(physical["name"], "肢体残疾");
    assert_eq!(physical["measures"]["hires"], 1);
    let huangpu = app.login("huangpu").await;
    let theirs = app
        .gql(Some(&huangpu), STATS, json!({"by": "DISTRICT"}))
        .await;
    assert_eq!(
        ok(&theirs, "recruitmentStatistics")["total"]["applications"],
        0
    );
    assert_eq!(
        code(
            &app.gql(Some(&company), STATS, json!({"by": "DISTRICT"}))
                .await
        ),
        "FORBIDDEN"
    );
    // The workbook, with a token; without one, nothing.
    let xlsx = app
        .client
        .get(format!(
            "{}/reports/recruitment.xlsx?by=CATEGORY",
            app.address
        ))
        .bearer_auth(&city)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range("招聘统计").unwrap();
    assert!(
        sheet
            .rows()
            .any(|r| r.first().is_some_and(|c| *c == "肢体残疾")),
        "the category line is in the workbook"
    );
    let anonymous = app
        .client
        .get(format!("{}/reports/recruitment.xlsx", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // Hired 50 days ago: the 1-month follow-up is late (the 3-month one not yet due). The warning tick raises it to the
    // person's street-town; recording the follow-up resolves it.
    let report = zhucan_domain::outreach::tick(&app.platform, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(report.raised, 1, "{report:?}");
    const WARNINGS: &str =
        "{ outreachWarnings { edges { node { kind employmentFollowUp { id month } } } } }";
    let warned = app.gql(Some(&ljz), WARNINGS, json!({})).await;
    let w = &ok(&warned, "outreachWarnings")["edges"][0]["node"];
    assert_eq!(w["kind"], "JOB_FOLLOW_UP", "{warned}");
    assert_eq!(w["employmentFollowUp"]["month"], 1);
    let follow_up = w["employmentFollowUp"]["id"].as_str().unwrap().to_owned();
    let recorded = app
        .gql(
            Some(&ljz),
            "mutation($id: ID!) { recordEmploymentFollowUp(id: $id, input: {stillEmployed: false, problems: \"岗位不适合\"}) { status } }",
            json!({"id": follow_up}),
        )
        .await;
    assert_eq!(ok(&recorded, "recordEmploymentFollowUp")["status"], "DONE");
    let closed = app
        .rows("SELECT 1 FROM employment_follow_ups WHERE status = 'CLOSED'")
        .await;
    assert_eq!(
        closed.len(),
        2,
        "left the job: the 3- and 6-month follow-ups are closed"
    );
    let report = zhucan_domain::outreach::tick(&app.platform, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(report.resolved, 1, "{report:?}");
    let stats = app.gql(Some(&city), STATS, json!({"by": "DISTRICT"})).await;
    let total = &ok(&stats, "recruitmentStatistics")["total"];
    assert_eq!(total["knownAt3Months"], 1);
    assert_eq!(total["retentionAt3Months"], 0.0);

    // Suspended, the enterprise's open job is neither listed nor found, nor takes applications;
    // it still sees its own. Relay refetches what the caller may see.
    let suspended = app
        .gql(
            Some(&pudong),
            VERIFY,
            json!({"id": ent_id, "v": 2, "a": "SUSPEND", "n": "虚假招聘投诉核查中"}),
        )
        .await;
    assert_eq!(ok(&suspended, "verifyEnterprise")["status"], "SUSPENDED");
    let public = app
        .gql(None, "{ jobs { edges { node { id } } } }", json!({}))
        .await;
    assert!(
        ok(&public, "jobs")["edges"].as_array().unwrap().is_empty(),
        "{public}"
    );
    let found = app
        .gql(
            None,
            "{ search(query: \"按摩理疗师\", kinds: [JOB]) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(found["data"]["search"]["totalCount"], 0, "{found}");
    let late = app
        .gql(Some(&citizen), APPLY, json!({"j": job_ids[0]}))
        .await;
    assert_eq!(code(&late), "CONFLICT");
    let own = app
        .gql(
            Some(&company),
            "{ jobs { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&own, "jobs")["edges"].as_array().unwrap().len(), 2);
    let node = app
        .gql(
            Some(&company),
            "query($id: ID!) { node(id: $id) { __typename ... on JobApplication { displayName } } }",
            json!({"id": app_id}),
        )
        .await;
    assert_eq!(
        node["data"]["node"]["__typename"], "JobApplication",
        "{node}"
    );
    let stranger = app
        .gql(
            Some(&huangpu),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": app_id}),
        )
        .await;
    assert!(stranger["data"]["node"].is_null(), "{stranger}");
}

#[tokio::test]
async fn the_demo_has_enterprises_fairs_jobs_applications_and_follow_ups_due() {
    let app = TestApp::spawn().await;
    let p = &app.platform;
    zhucan_domain::demo::seed_demo_accounts(&p.db, &p.cipher, &p.regions, &p.hasher, PASSWORD)
        .await
        .unwrap();
    zhucan_domain::demo::seed_people(&p.db, &p.cipher, &p.regions, 7, 3_000, 500, |_| {})
        .await
        .unwrap();
    let made = zhucan_domain::demo::seed_demo_employment(p, PASSWORD)
        .await
        .unwrap();
    assert!(made >= 400, "{made}");
    assert_eq!(
        zhucan_domain::demo::seed_demo_employment(p, PASSWORD)
            .await
            .unwrap(),
        0,
        "seeding twice adds nothing"
    );
    assert_eq!(count(&app, "enterprises").await, 60);
    assert_eq!(count(&app, "jobs").await, 200);
    assert_eq!(count(&app, "job_fairs").await, 2);
    assert_eq!(count(&app, "job_applications").await, made);
    assert!(
        !app.rows("SELECT 1 FROM job_applications WHERE status = 'HIRED'")
            .await
            .is_empty()
    );
    assert!(
        !app.rows("SELECT 1 FROM employment_follow_ups WHERE status = 'DONE'")
            .await
            .is_empty()
    );
    assert!(
        !app.rows("SELECT 1 FROM employment_follow_ups WHERE status = 'DUE'")
            .await
            .is_empty()
    );
    // The demo enterprise signs in and sees its applicants, de-identified unless shared.
    let company = app.login("enterprise_demo").await;
    let seen = app
        .gql(
            Some(&company),
            "{ myEnterprise { name status } jobApplications(first: 100) { edges { node { displayName identityShared personId } } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&seen, "myEnterprise")["status"], "VERIFIED");
    let edges = seen["data"]["jobApplications"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!edges.is_empty(), "{seen}");
    assert!(edges.iter().all(|e| e["node"]["personId"].is_null()));
    assert!(edges.iter().any(|e| e["node"]["identityShared"] == true));
}
