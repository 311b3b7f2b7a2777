//! Stored pending sessions: one written by version 0.1 (no `family` field)
//! still loads and resumes as balances, and a session of another family is
//! refused by the balances resume before anything is sent, and so is one
//! given to a client of another base URL than the one that received it.

use belvo::{Error, FamilyName, PendingSession, Retrieval, RetrieveRequest, Token};
use httpmock::MockServer;
use serde_json::json;

use crate::support::*;

/// Exactly what version 0.1 wrote for a 428 received with `save_data`
/// false (its deadline far ahead).
const V0_1: &str = include_str!("fixtures/pending_session_v0.1.json");

#[tokio::test]
async fn a_session_stored_by_version_0_1_loads_and_resumes_as_balances() {
    let stored: serde_json::Value = serde_json::from_str(V0_1).expect("JSON");
    assert!(stored.get("family").is_none(), "0.1 had no family field");
    let pending: PendingSession = serde_json::from_str(V0_1).expect("a 0.1 session loads");
    assert_eq!(pending.family(), &FamilyName::Balances);
    assert!(!pending.save_data());

    let server = MockServer::start_async().await;
    let resume = server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path("/api/balances/")
                .header("authorization", basic_header())
                .json_body(
                    json!({"session": "2c4b2a7e6f7b4fd1a3a0a0e9b7c9d111", "link": LINK,
                                  "token": "123456", "save_data": false}),
                );
            then.status(200).json_body(json!([balance(
                "8d9e1b4e-1111-4a4a-9b9b-000000000001",
                "10.01"
            )]));
        })
        .await;
    let c = client(&server.base_url());
    let out = c
        .balances()
        .resume(&pending, Some(Token::new("123456")))
        .await
        .expect("resumes");
    let Retrieval::Complete(done) = out else {
        panic!("expected balances")
    };
    assert!(!done.persisted);
    assert_eq!(done.balances[0].balance.to_string(), "10.01");
    resume.assert_calls_async(1).await;

    // Stored again, it carries its family.
    let again = serde_json::to_value(&pending).expect("serializes");
    assert_eq!(again["family"], "balances");
}

#[tokio::test]
async fn another_familys_session_is_refused_before_sending() {
    let mut stored: serde_json::Value = serde_json::from_str(V0_1).expect("JSON");
    stored["family"] = json!("accounts");
    let pending: PendingSession = serde_json::from_value(stored).expect("loads");
    assert_eq!(pending.family(), &FamilyName::from("accounts"));

    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = client(&server.base_url());
    let err = c
        .balances()
        .resume(&pending, Some(Token::new("123456")))
        .await
        .expect_err("another family's session");
    assert!(
        matches!(&err, Error::WrongFamily { session, resume }
            if session.as_str() == "accounts" && *resume == FamilyName::Balances),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(
        shown.contains("`accounts`") && shown.contains("`balances`"),
        "{shown}"
    );
    // The flow driver refuses it too.
    let err = c
        .balances()
        .complete_with_mfa(Retrieval::TokenRequired(pending), |_| async {
            Ok::<_, std::io::Error>(Token::new("123456"))
        })
        .await
        .expect_err("another family's session");
    assert!(matches!(err, Error::WrongFamily { .. }), "{err:?}");
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_session_resumes_only_through_the_base_url_that_received_it() {
    // Paused by one server (production, say), stored, then given to a
    // client of another (the sandbox): refused, the token never sent.
    let paused_at = MockServer::start_async().await;
    answer(
        &paused_at,
        "POST",
        428,
        token_required("s-o", json!(600), "numeric", true),
    )
    .await;
    let Retrieval::TokenRequired(pending) = client(&paused_at.base_url())
        .balances()
        .retrieve(&RetrieveRequest::new(
            link(),
            date(2024, 1, 1),
            date(2024, 1, 31),
        ))
        .await
        .expect("428")
    else {
        panic!("expected a pause")
    };
    assert_eq!(pending.base_url(), Some(paused_at.base_url().as_str()));
    let stored = serde_json::to_string(&pending).expect("serializes");
    let pending: PendingSession = serde_json::from_str(&stored).expect("loads");
    // Builds before the release wrote the origin as `origin`: still bound.
    let mut earlier: serde_json::Value = serde_json::from_str(&stored).expect("JSON");
    let base = earlier["base_url"].take();
    earlier["origin"] = base;
    earlier.as_object_mut().map(|o| o.remove("base_url"));
    let earlier: PendingSession = serde_json::from_value(earlier).expect("loads");
    assert_eq!(earlier.base_url(), pending.base_url());

    let elsewhere = MockServer::start_async().await;
    let anything = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!([]));
        })
        .await;
    let err = client(&elsewhere.base_url())
        .balances()
        .resume(&pending, Some(Token::new("123456")))
        .await
        .expect_err("another origin");
    let Error::WrongBaseUrl {
        session,
        client: theirs,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (session.as_str(), theirs.as_str()),
        (paused_at.base_url().as_str(), elsewhere.base_url().as_str())
    );
    assert!(err.to_string().ends_with("nothing was sent"), "{err}");
    // Another path on the same host (one gateway, two environments) is
    // another base URL; the flow refuses before asking the user.
    let gateway = format!("{}/sandbox", paused_at.base_url());
    let mut asked = 0;
    let err = client(&gateway)
        .balances()
        .complete_with_mfa(Retrieval::TokenRequired(pending.clone()), |_| {
            asked += 1;
            async { Ok::<_, std::io::Error>(Token::new("123456")) }
        })
        .await
        .expect_err("another path");
    assert!(matches!(err, Error::WrongBaseUrl { .. }), "{err:?}");
    assert_eq!(asked, 0);
    anything.assert_calls_async(0).await;

    // Through its own base URL it resumes, written with a trailing `/` too.
    let resume = answer(&paused_at, "PATCH", 200, json!([])).await;
    let out = client(&format!("{}/", paused_at.base_url()))
        .balances()
        .resume(&pending, Some(Token::new("123456")))
        .await
        .expect("resumes");
    assert!(matches!(out, Retrieval::Complete(_)));
    resume.assert_calls_async(1).await;
}
