//! The MFA scenarios over HTTP: 428 bodies in every shape, resume, second
//! factor, inputless, wrong tokens, expiry, and `save_data`.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::*;
use crate::testing::flow::{SMS_INSTRUCTIONS, TOKEN_REQUIRED_MESSAGE};

#[tokio::test]
async fn no_mfa_answers_balances_at_once() {
    let api = Api::start().await;
    let created = api.start_flow(Scenario::NoMfa).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let balances = created.body.as_array().expect("an array");
    assert_eq!(balances.len(), 3);
    for (i, b) in balances.iter().enumerate() {
        assert!(b["balance"].is_number(), "{b}");
        assert!(b["current_balance"].is_number(), "{b}");
        assert_eq!(b["value_date"], TO);
        assert_eq!(b["account"]["currency"], "MXN");
        assert_eq!(b["account"]["name"], format!("Cuenta Nómina {}", i + 1));
        assert!(b["statement"].is_null());
        assert!(chrono::DateTime::parse_from_rfc3339(
            b["collected_at"].as_str().unwrap_or_default()
        )
        .is_ok());
    }
    assert_eq!(balances[1]["account"]["category"], "SAVINGS_ACCOUNT");
    assert_eq!(balances[0]["account"]["category"], "CHECKING_ACCOUNT");
    assert!(
        created.text.contains("\"balance\":12345.67"),
        "{}",
        created.text
    );
    assert!(
        created.text.contains("\"balance\":12346.67"),
        "{}",
        created.text
    );
    let ids: std::collections::HashSet<&Value> = balances.iter().map(|b| &b["id"]).collect();
    assert_eq!(ids.len(), 3);

    // Only one account, and save_data=false answers 200 without storing.
    let account = balances[2]["account"]["id"].clone();
    let one = api
        .retrieve(
            json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": "2024-02-15",
            "account": account, "save_data": false}),
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body.as_array().map(Vec::len), Some(1));
    assert_eq!(one.body[0]["account"]["id"], account);
    let id = one.body[0]["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(api.get(&format!("{BALANCES_PATH}{id}/")).await.status, 404);

    // fields / omit, nested names too (as `RetrieveRequest::fields`
    // documents them).
    let shaped = |query: &'static str| {
        let path = format!("{BALANCES_PATH}?{query}");
        let body = json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": TO});
        send(api.authed(reqwest::Method::POST, &path).json(&body))
    };
    let slim = shaped("fields=id,balance").await;
    assert_eq!(
        slim.body[0].as_object().map(Map::len),
        Some(2),
        "{}",
        slim.text
    );
    let nested = shaped("fields=id,balance,account.id").await;
    let first = &nested.body[0];
    assert_eq!(first.as_object().map(Map::len), Some(3), "{}", nested.text);
    let account = first["account"].as_object().expect("the account, in part");
    let kept: Vec<&String> = account.keys().collect();
    assert_eq!(kept, ["id"], "{}", nested.text);
    let named = shaped("omit=account.name").await;
    let account = named.body[0]["account"].as_object().expect("the account");
    let left = account.contains_key("id") && !account.contains_key("name");
    assert!(left, "{}", named.text);
}

#[tokio::test]
async fn token_once_flow() {
    let api = Api::start().await;
    let paused = api.start_flow(Scenario::TokenOnce).await;
    let session = session_of(&paused);
    let body = &paused.body;
    assert_eq!(body["code"], "token_required");
    assert_eq!(body["message"], TOKEN_REQUIRED_MESSAGE);
    assert!(is_hex32(&body["request_id"]));
    assert_eq!(body["expiry"], json!(600));
    assert_eq!(body["link"], Scenario::TokenOnce.link().to_string());
    let data = &body["token_generation_data"];
    assert_eq!(data["type"], "numeric");
    assert_eq!(data["value"], SANDBOX_TOKEN);
    assert_eq!(data["expects_user_input"], true);
    assert_eq!(data["instructions"], SMS_INSTRUCTIONS);

    let link = Scenario::TokenOnce.link();
    let missing = api.resume(json!({"session": session, "link": link})).await;
    assert_eq!(missing.status, 400);
    assert_eq!(first_error(&missing)["code"], "required");
    assert_eq!(first_error(&missing)["field"], "token");

    let wrong = api
        .resume(json!({"session": session, "link": link, "token": "000000"}))
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(first_error(&wrong)["code"], "invalid");
    assert_eq!(first_error(&wrong)["field"], "token");
    assert_eq!(first_error(&wrong)["message"], "The MFA token is not valid");

    let other_link = api
        .resume(json!({"session": session, "link": Scenario::TokenTwice.link(), "token": SANDBOX_TOKEN}))
        .await;
    assert_eq!(other_link.status, 400);
    assert_eq!(first_error(&other_link)["code"], "invalid_link");
    assert_eq!(first_error(&other_link)["field"], "link");

    let done = api
        .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN}))
        .await;
    assert_eq!(done.status, 201, "{}", done.text);
    assert_eq!(done.body.as_array().map(Vec::len), Some(3));

    let again = api
        .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN}))
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(first_error(&again)["code"], "session_expired");

    let unknown = api
        .resume(json!({"session": "f".repeat(32), "link": link}))
        .await;
    assert_eq!(first_error(&unknown)["code"], "session_expired");

    let required = api.resume(json!({"link": link})).await;
    assert_eq!(first_error(&required)["code"], "required");
    assert_eq!(first_error(&required)["field"], "session");

    // A right token sent up front skips the pause; a wrong one is refused.
    let up_front = api
        .retrieve(json!({"link": link, "date_from": FROM, "date_to": TO, "token": SANDBOX_TOKEN, "save_data": false}))
        .await;
    assert_eq!(up_front.status, 200, "{}", up_front.text);
    let wrong_up_front = api
        .retrieve(json!({"link": link, "date_from": FROM, "date_to": TO, "token": "1"}))
        .await;
    assert_eq!(first_error(&wrong_up_front)["field"], "token");

    let hits = api.sandbox.hits();
    assert_eq!((hits.retrieve, hits.resume), (3, 7));
}

#[tokio::test]
async fn token_twice_needs_two_resumes() {
    let api = Api::start().await;
    let link = Scenario::TokenTwice.link();
    let first = api.start_flow(Scenario::TokenTwice).await;
    let session = session_of(&first);
    assert!(first.body["token_generation_data"]["instructions"]
        .as_str()
        .is_some_and(|s| s.contains("first factor")));

    let second = api
        .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN}))
        .await;
    assert_eq!(session_of(&second), session);
    assert_eq!(
        second.body["token_generation_data"]["instructions"],
        "Enter the code from your token app (second factor)"
    );

    let done = api
        .resume(
            json!({"session": session, "link": link, "token": SANDBOX_TOKEN, "save_data": false}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn inputless_resumes_without_token() {
    let api = Api::start().await;
    let paused = api.start_flow(Scenario::Inputless).await;
    let session = session_of(&paused);
    let data = &paused.body["token_generation_data"];
    assert_eq!(data["type"], "inputless");
    assert_eq!(data["expects_user_input"], false);
    assert!(data["value"].is_null());
    let done = api
        .resume(json!({"session": session, "link": Scenario::Inputless.link()}))
        .await;
    assert_eq!(done.status, 201, "{}", done.text);
}

#[tokio::test]
async fn wrong_token_rejects_every_token() {
    let api = Api::start().await;
    let session = session_of(&api.start_flow(Scenario::WrongToken).await);
    for token in [SANDBOX_TOKEN, "000000"] {
        let reply = api
            .resume(
                json!({"session": session, "link": Scenario::WrongToken.link(), "token": token}),
            )
            .await;
        assert_eq!(reply.status, 400);
        assert_eq!(first_error(&reply)["code"], "invalid");
        assert_eq!(first_error(&reply)["field"], "token");
    }
}

#[tokio::test]
async fn concurrent_retrieves_get_their_own_sessions() {
    let api = Api::start().await;
    let (a, b) = tokio::join!(
        api.start_flow(Scenario::TokenOnce),
        api.start_flow(Scenario::TokenOnce)
    );
    let (a, b) = (session_of(&a), session_of(&b));
    assert_ne!(a, b);
    let link = Scenario::TokenOnce.link();
    for session in [b, a] {
        let done = api
            .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN}))
            .await;
        assert_eq!(done.status, 201, "{}", done.text);
    }
}

#[tokio::test]
async fn expired_session_answers_session_expired() {
    let api = Api::start().await;
    let paused = api.start_flow(Scenario::Expiring).await;
    let session = session_of(&paused);
    assert_eq!(paused.body["expiry"], json!(2));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let late = api
        .resume(
            json!({"session": session, "link": Scenario::Expiring.link(), "token": SANDBOX_TOKEN}),
        )
        .await;
    assert_eq!(late.status, 400);
    let error = first_error(&late);
    assert_eq!(error["code"], "session_expired");
    assert!(error.get("field").is_none());
}

#[tokio::test]
async fn array_and_legacy_shapes_and_string_expiry() {
    let array = Api::with(SandboxConfig {
        shape: TokenRequiredShape::Array,
        ..SandboxConfig::default()
    })
    .await;
    let reply = array.start_flow(Scenario::TokenOnce).await;
    assert_eq!(reply.status, 428);
    assert_eq!(reply.body.as_array().map(Vec::len), Some(1));
    assert_eq!(reply.body[0]["code"], "token_required");
    assert!(is_hex32(&reply.body[0]["session"]));

    let legacy = Api::with(SandboxConfig {
        shape: TokenRequiredShape::Legacy,
        expiry_as_string: true,
        expiry_secs: 720,
        balances_per_link: 2,
        ..SandboxConfig::default()
    })
    .await;
    let reply = legacy.start_flow(Scenario::TokenOnce).await;
    let session = session_of(&reply);
    assert_eq!(reply.body["detail"], "Token Required");
    assert_eq!(reply.body["expiry"], "720");
    assert_eq!(reply.body["link"], Scenario::TokenOnce.link().to_string());
    assert!(reply.body.get("code").is_none());
    let done = legacy
        .resume(
            json!({"session": session, "link": Scenario::TokenOnce.link(), "token": SANDBOX_TOKEN}),
        )
        .await;
    assert_eq!(done.body.as_array().map(Vec::len), Some(2));

    let stringly = Api::with(SandboxConfig {
        expiry_as_string: true,
        ..SandboxConfig::default()
    })
    .await;
    let reply = stringly.start_flow(Scenario::Inputless).await;
    assert_eq!(reply.body["expiry"], "600");
}

/// A resume that sends no `save_data` saves, as Belvo documents (its
/// default is true), whatever the retrieve said: a client that drops
/// `save_data` on resume is caught here, as Belvo would catch it.
#[tokio::test]
async fn a_resume_without_save_data_saves() {
    let link = Scenario::TokenOnce.link();
    for (sent, status, stored) in [(None, 201, 3), (Some(false), 200, 0), (Some(true), 201, 3)] {
        // A fresh sandbox stores nothing for this link.
        let api = Api::start().await;
        let paused = api
            .retrieve(json!({"link": link, "date_from": FROM, "date_to": TO, "save_data": false}))
            .await;
        let mut resume =
            json!({"session": session_of(&paused), "link": link, "token": SANDBOX_TOKEN});
        if let Some(sent) = sent {
            resume["save_data"] = json!(sent);
        }
        let done = api.resume(resume).await;
        assert_eq!(done.status, status, "save_data {sent:?}: {}", done.text);
        assert_eq!(done.body.as_array().map(Vec::len), Some(3));
        let list = api.get(&format!("{BALANCES_PATH}?link={link}")).await;
        assert_eq!(list.body["count"], stored, "save_data {sent:?}");
    }
}
