//! The MFA flow (`retrieve_with_mfa`, `complete_with_mfa`) that stops at a
//! pause hands the session back when it may still be resumed: the token
//! provider failed or gave no token, or the resume failed without ending
//! the session. The errors that end it come as themselves.

use belvo::testing::{Sandbox, Scenario, SANDBOX_TOKEN};
use belvo::{Error, ErrorCode, Retrieval, RetrieveRequest, Token};
use httpmock::MockServer;
use serde_json::json;

use crate::support::*;

fn request() -> RetrieveRequest {
    RetrieveRequest::new(link(), date(2024, 1, 1), date(2024, 1, 31))
}

/// A retrieve answering 428 with session `s1`, and a resume answering
/// `status` with `body`.
async fn paused_then(status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start_async().await;
    answer(
        &server,
        "POST",
        428,
        token_required("s1", json!(600), "numeric", true),
    )
    .await;
    answer(&server, "PATCH", status, body).await;
    server
}

/// The error of the whole flow, given a token, where the resume answers
/// `status` with `body`.
async fn flow_error(status: u16, body: serde_json::Value) -> Error {
    let server = paused_then(status, body).await;
    let flow = client(&server.base_url())
        .balances()
        .retrieve_with_mfa(&request(), |_| async {
            Ok::<_, std::io::Error>(Token::new("123456"))
        })
        .await;
    flow.expect_err("the flow fails")
}

/// The session an error hands back, by its id.
fn session_of(err: &Error) -> Option<&str> {
    err.pending_session().map(|p| p.session())
}

#[tokio::test]
async fn a_provider_that_fails_at_the_second_factor_hands_back_that_session() {
    let server = paused_then(428, token_required("s2", json!(600), "numeric", true)).await;
    let c = client(&server.base_url());
    let mut round = 0;
    let err = c
        .balances()
        .retrieve_with_mfa(&request(), |_| {
            round += 1;
            let first = round == 1;
            async move {
                match first {
                    true => Ok(Token::new("111111")),
                    false => Err(std::io::Error::other("the user closed the dialog")),
                }
            }
        })
        .await
        .expect_err("the provider failed");
    assert_eq!(session_of(&err), Some("s2"), "{err:?}");
    let Error::MfaStopped { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**source, Error::TokenProvider(_)), "{source:?}");
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("the MFA token provider failed"));
    assert_eq!(
        err.to_string(),
        "the MFA flow stopped at a pause whose session may still be resumed"
    );
}

/// A mistyped token or a 5xx leave the session; the status,
/// codes and body of the resume's answer stay readable through the error.
#[tokio::test]
async fn a_resume_that_fails_without_ending_the_session_hands_it_back() {
    let invalid = json!([{"code": "invalid", "message": "The MFA token is not valid",
        "request_id": "0123456789abcdef0123456789abcdef", "field": "token"}]);
    let unexpected = json!([{"code": "unexpected_error", "message": "Oops",
        "request_id": "0123456789abcdef0123456789abcdef"}]);
    for (status, body, code) in [
        (400, invalid, ErrorCode::Invalid),
        (500, unexpected, ErrorCode::UnexpectedError),
    ] {
        let err = flow_error(status, body).await;
        assert_eq!(session_of(&err), Some("s1"), "{status}: {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.codes(), [&code]);
        assert_eq!(err.request_id(), Some("0123456789abcdef0123456789abcdef"));
        // As its cause: a 5xx may pass if sent again (by hand: the crate
        // never sends a resume twice), a mistyped token not.
        assert_eq!(err.is_retryable(), status >= 500, "{status}");
        assert!(err.body().is_some_and(|b| !b.is_empty()));
    }
}

/// `session_expired`, and a success whose body does not decode (the
/// records were answered: the session is spent), end the session: no
/// session comes back.
#[tokio::test]
async fn the_errors_that_end_the_session_come_as_themselves() {
    let expired = json!([{"code": "session_expired", "message": "The MFA session expired",
        "request_id": "0123456789abcdef0123456789abcdef"}]);
    for (status, body) in [(400, expired), (201, json!({"not": "a list"}))] {
        let err = flow_error(status, body).await;
        assert!(err.pending_session().is_none(), "{status}: {err:?}");
        assert!(!matches!(err, Error::MfaStopped { .. }), "{err:?}");
    }
}

/// Against the sandbox: after a mistyped token the flow stops, and the
/// session it hands back completes with the right one.
#[tokio::test]
async fn a_mistyped_token_can_be_typed_again() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let c = sandbox.client().expect("client");
    let request = RetrieveRequest::new(
        Scenario::TokenOnce.link(),
        date(2024, 1, 1),
        date(2024, 1, 31),
    );
    let err = c
        .balances()
        .retrieve_with_mfa(&request, |_| async {
            Ok::<_, std::io::Error>(Token::new("000000"))
        })
        .await
        .expect_err("a mistyped token");
    assert_eq!(err.codes(), [&ErrorCode::Invalid]);
    let pending = err.into_pending_session().expect("the session");
    let balances = c.balances();
    let again = balances.resume(&pending, Some(Token::new(SANDBOX_TOKEN)));
    let Retrieval::Complete(done) = again.await.expect("resumed") else {
        panic!("one token")
    };
    assert!(!done.balances.is_empty());
}
