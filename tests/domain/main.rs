#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Domain services tested below the API, on the same real databases as the API tests: the
//! guidance dispatcher's tick and the activity state pass (time is an argument, so hours pass in
//! a call) and the eligibility service's decisions. The API tests cover the same areas through GraphQL.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod activities;
mod dispatch;
mod eligibility;

use zhucan_domain::Caller;
use zhucan_domain::viewer::RequestMeta;

use helpers::TestApp;

/// The caller a signed-in `username` is to the domain services (as the edge builds it).
pub async fn caller(app: &TestApp, username: &str) -> Caller {
    let token = app.login(username).await;
    let (viewer, session) = app.platform.tokens.verify(&token).expect("token");
    Caller::signed_in(viewer, session.stage, RequestMeta::default())
}
