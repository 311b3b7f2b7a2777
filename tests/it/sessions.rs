//! Stored pending sessions: one written by version 0.1 (no `family` field)
//! still loads and resumes as balances, and a session of another family is
//! refused by the balances resume before anything is sent.

use belvo::{Error, FamilyName, PendingSession, Retrieval, Token};
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
