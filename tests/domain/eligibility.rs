//! The eligibility service decides: rules, dry runs and grant jobs are for catalog managers; a
//! rule must read known facts; publication is optimistic (the version seen must still be in
//! force); matching is explained condition by condition and shown to region admins and to the
//! citizen themself only; the rule in force is public, like the catalog.

use zhucan_domain::catalog::{
    BusinessLine, CatalogService, Channel, EntryStatus, ServiceItem, ServiceItemInput,
};
use zhucan_domain::eligibility::{Condition, EligibilityService};
use zhucan_domain::person::PersonService;
use zhucan_domain::viewer::{RequestMeta, Role};
use zhucan_domain::{Caller, DomainError};

use crate::caller;
use crate::helpers::{TestApp, ids};

struct Scene {
    app: TestApp,
    city: Caller,
    item: ServiceItem,
    /// Category 4, level 1 (`41`): a severe physical disability, in Lujiazui.
    severe: uuid::Uuid,
}

async fn scene() -> Scene {
    let app = TestApp::spawn().await;
    app.staff().await;
    let severe = app.person("重度", ids::PUDONG_1, "41", "310115005").await;
    let city = caller(&app, "city").await;
    let item = CatalogService::new(&app.platform, &city)
        .save_service_item(
            None,
            None,
            &ServiceItemInput {
                key: "SEVERE_CARE_TEST".to_owned(),
                name: "重度残疾人护理补贴（测试）".to_owned(),
                business_line: BusinessLine::Rights,
                description: "测试事项".to_owned(),
                materials: Vec::new(),
                time_limit_days: 10,
                channel: Channel::Offline,
                online_url: None,
                offline_points: vec!["街镇社区事务受理服务中心".to_owned()],
                policy_keys: Vec::new(),
                tags: Vec::new(),
                district_code: None,
                status: EntryStatus::Active,
            },
        )
        .await
        .expect("save item");
    Scene {
        app,
        city,
        item,
        severe,
    }
}

fn condition(label: &str, expression: &str) -> Condition {
    Condition {
        label: label.to_owned(),
        expression: expression.to_owned(),
    }
}

#[tokio::test]
async fn rules_dry_runs_and_jobs_are_for_catalog_managers_only() {
    let s = scene().await;
    let p = &s.app.platform;
    let rule = EligibilityService::new(p, &s.city)
        .save_rule(s.item.id, vec![condition("一级或二级残疾", "level <= 2")])
        .await
        .expect("city admins manage rules");
    let street = caller(&s.app, "lujiazui").await;
    let anonymous = Caller::anonymous(RequestMeta::default());
    for (who, c) in [("street-town admin", &street), ("anonymous", &anonymous)] {
        let e = EligibilityService::new(p, c);
        assert!(
            matches!(
                e.rules(s.item.id).await,
                Err(DomainError::Forbidden(_) | DomainError::Unauthenticated(_))
            ),
            "{who} reads rules"
        );
        assert!(e.dry_run(rule.id).await.is_err(), "{who} dry-runs");
        assert!(
            e.save_rule(s.item.id, vec![condition("任何人", "true")])
                .await
                .is_err(),
            "{who} saves a rule"
        );
    }
    let versions = EligibilityService::new(p, &s.city)
        .rules(s.item.id)
        .await
        .unwrap();
    assert_eq!(versions.len(), 1, "the refused saves left nothing");
}

#[tokio::test]
async fn a_condition_that_reads_an_unknown_fact_is_refused_naming_the_condition() {
    let s = scene().await;
    let e = EligibilityService::new(&s.app.platform, &s.city);
    let err = e
        .save_rule(
            s.item.id,
            vec![
                condition("一级或二级残疾", "level <= 2"),
                condition("月收入", "salary < 3000"),
            ],
        )
        .await
        .expect_err("unknown fact");
    match err {
        DomainError::BadInput { field, message } => {
            assert_eq!(
                field, "conditions[1].expression",
                "the second condition is named"
            );
            assert!(message.contains("salary"), "{message}");
        }
        other => panic!("expected BAD_USER_INPUT, got {other:?}"),
    }
    assert!(e.rules(s.item.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn publishing_over_a_version_someone_else_published_conflicts() {
    let s = scene().await;
    let e = EligibilityService::new(&s.app.platform, &s.city);
    let v1 = e
        .save_rule(s.item.id, vec![condition("一级残疾", "level == 1")])
        .await
        .unwrap();
    let v2 = e
        .save_rule(s.item.id, vec![condition("一级或二级残疾", "level <= 2")])
        .await
        .unwrap();
    let (published, job) = e.publish_rule(v1.id, 0).await.unwrap();
    assert_eq!(published.version, v1.version);
    assert!(job.is_none(), "an offline item has no grant job");
    // v2 was drafted while nothing was in force; v1 is now.
    assert!(matches!(
        e.publish_rule(v2.id, 0).await,
        Err(DomainError::Conflict(_))
    ));
    e.publish_rule(v2.id, v1.version).await.unwrap();
}

#[tokio::test]
async fn the_rule_in_force_is_public_and_follows_publication() {
    let s = scene().await;
    let p = &s.app.platform;
    let anonymous = Caller::anonymous(RequestMeta::default());
    let public = EligibilityService::new(p, &anonymous);
    assert_eq!(public.rule_in_force(&s.item).await.unwrap(), None);
    let rule = EligibilityService::new(p, &s.city)
        .save_rule(s.item.id, vec![condition("一级或二级残疾", "level <= 2")])
        .await
        .unwrap();
    EligibilityService::new(p, &s.city)
        .publish_rule(rule.id, 0)
        .await
        .unwrap();
    let item = CatalogService::new(p, &anonymous)
        .service_item(s.item.id)
        .await
        .unwrap();
    let in_force = public
        .rule_in_force(&item)
        .await
        .unwrap()
        .expect("in force");
    assert_eq!(in_force.version, rule.version);
    assert_eq!(in_force.conditions[0].expression, "level <= 2");
}

#[tokio::test]
async fn matching_is_explained_and_shown_to_region_admins_and_the_citizen_only() {
    let s = scene().await;
    let p = &s.app.platform;
    let rule = EligibilityService::new(p, &s.city)
        .save_rule(
            s.item.id,
            vec![
                condition("一级或二级残疾", "level <= 2"),
                condition("视力残疾", "category == 1"),
            ],
        )
        .await
        .unwrap();
    EligibilityService::new(p, &s.city)
        .publish_rule(rule.id, 0)
        .await
        .unwrap();
    let person = PersonService::new(p, &s.city).get(s.severe).await.unwrap();

    let matches = EligibilityService::new(p, &s.city)
        .matches(&person)
        .await
        .unwrap();
    let m = matches
        .iter()
        .find(|m| m.item.id == s.item.id)
        .expect("the item is matched");
    assert!(!m.verdict.eligible, "physical, not vision");
    let held: Vec<bool> = m.verdict.conditions.iter().map(|c| c.held).collect();
    assert_eq!(held, vec![true, false], "each condition explained");

    s.app
        .account("self", Role::Citizen, None, Some(s.severe))
        .await;
    let own = caller(&s.app, "self").await;
    assert!(
        EligibilityService::new(p, &own)
            .matches(&person)
            .await
            .is_ok()
    );

    let other = s.app.person("他人", ids::PUDONG_2, "12", "310115005").await;
    s.app
        .account("other", Role::Citizen, None, Some(other))
        .await;
    s.app.account("helper", Role::Volunteer, None, None).await;
    for name in ["other", "helper", "auditor"] {
        let c = caller(&s.app, name).await;
        assert!(
            matches!(
                EligibilityService::new(p, &c).matches(&person).await,
                Err(DomainError::Forbidden(_))
            ),
            "{name} sees another person's matching"
        );
    }
}
