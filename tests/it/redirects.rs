//! Belvo's API does not redirect, and a followed redirect would carry the
//! MFA token (and with 307/308 the whole body) to another origin. Two
//! servers: the first redirects to the second, which must never see the
//! body, the token or the credentials, and whose answer must never come
//! back as `Ok`.

use belvo::{Error, ListQuery, PendingSession, RetrieveRequest, Token};
use httpmock::MockServer;
use serde_json::json;

use crate::support::*;

const TOKEN: &str = "MFA-TOKEN-5521";

fn pending() -> PendingSession {
    serde_json::from_value(json!({"session": "sess-r", "link": LINK})).expect("pending")
}

/// The second origin: answers anything with a 201 and a balance, and
/// counts what reached it.
async fn elsewhere(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(201).json_body(json!([balance(
                "8d9e1b4e-1111-4a4a-9b9b-000000000001",
                "1"
            )]));
        })
        .await
}

async fn redirecting(server: &MockServer, method: &str, status: u16, to: String) {
    server
        .mock_async(move |when, then| {
            when.method(method).path("/api/balances/");
            then.status(status).header("location", to);
        })
        .await;
}

fn request() -> RetrieveRequest {
    RetrieveRequest::new(link(), date(2024, 1, 1), date(2024, 1, 31)).token(TOKEN)
}

/// The client the crate builds: no 3xx is followed, whatever the method.
#[tokio::test]
async fn the_built_client_never_follows() {
    for status in [301u16, 302, 303, 307, 308] {
        let (home, other) = (
            MockServer::start_async().await,
            MockServer::start_async().await,
        );
        let target = elsewhere(&other).await;
        let to = format!("{}/api/balances/?token=leak#f", other.base_url());
        for method in ["POST", "PATCH", "GET"] {
            redirecting(&home, method, status, to.clone()).await;
        }
        let c = client(&home.base_url());
        let results = [
            c.balances().retrieve(&request()).await.map(|_| ()),
            c.balances()
                .resume(&pending(), Some(Token::new(TOKEN)))
                .await
                .map(|_| ()),
            c.balances()
                .list_page(&ListQuery::default(), None)
                .await
                .map(|_| ()),
        ];
        for r in results {
            let err = r.expect_err("a redirect is an error");
            match &err {
                Error::Redirect {
                    status: s,
                    location,
                } => {
                    assert_eq!(s.as_u16(), status);
                    // Redacted: no query or fragment (they may carry secrets).
                    assert_eq!(
                        location.as_deref(),
                        Some(format!("{}/api/balances/", other.base_url()).as_str())
                    );
                }
                other => panic!("{status}: expected Error::Redirect, got {other:?}"),
            }
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
            assert!(!err.is_retryable());
        }
        target.assert_calls_async(0).await;
    }
}

/// An injected `reqwest::Client` with reqwest's default policy (follow up to
/// ten). 307/308 would re-send the body: the crate sends bodies that cannot
/// be replayed, so the 3xx comes back as is.
#[tokio::test]
async fn an_injected_client_never_replays_a_body() {
    for status in [307u16, 308] {
        let (home, other) = (
            MockServer::start_async().await,
            MockServer::start_async().await,
        );
        let target = elsewhere(&other).await;
        let to = format!("{}/api/balances/", other.base_url());
        for method in ["POST", "PATCH"] {
            let to = to.clone();
            // The body still goes with its length, not chunked.
            home.mock_async(move |when, then| {
                when.method(method)
                    .path("/api/balances/")
                    .header_exists("content-length")
                    .header_missing("transfer-encoding")
                    .body_includes(TOKEN);
                then.status(status).header("location", to);
            })
            .await;
        }
        let c = builder(&home.base_url())
            .http_client(reqwest::Client::new())
            .build()
            .expect("client");
        let retrieve = c.balances().retrieve(&request()).await;
        let resume = c
            .balances()
            .resume(&pending(), Some(Token::new(TOKEN)))
            .await;
        for r in [retrieve.map(|_| ()), resume.map(|_| ())] {
            let err = r.expect_err("not followed");
            assert!(
                matches!(&err, Error::Redirect { status: s, .. } if s.as_u16() == status),
                "{status}: {err:?}"
            );
        }
        target.assert_calls_async(0).await;
    }
}

/// A body-less follow (a 302/303 turns the request into a GET without its
/// body; reqwest drops `Authorization` across origins) reaches the other
/// origin, but its answer is discarded, never returned as `Ok`.
#[tokio::test]
async fn an_injected_client_that_follows_gets_a_typed_error() {
    for status in [301u16, 302, 303, 307] {
        let (home, other) = (
            MockServer::start_async().await,
            MockServer::start_async().await,
        );
        // Only a request without credentials is answered (and counted).
        let target = other
            .mock_async(|when, then| {
                when.header_missing("authorization");
                then.status(200)
                    .json_body(balance("8d9e1b4e-1111-4a4a-9b9b-000000000001", "1"));
            })
            .await;
        let id = "8d9e1b4e-1111-4a4a-9b9b-000000000001";
        let to = format!("{}/api/balances/{id}/", other.base_url());
        home.mock_async(|when, then| {
            when.method("GET").path(format!("/api/balances/{id}/"));
            then.status(status).header("location", to);
        })
        .await;
        let c = builder(&home.base_url())
            .http_client(reqwest::Client::new())
            .build()
            .expect("client");
        let err = c
            .balances()
            .get(id.parse().expect("uuid"))
            .await
            .expect_err("another origin's answer");
        match &err {
            Error::RedirectFollowed { url } => {
                assert_eq!(url, &format!("{}/api/balances/{id}/", other.base_url()));
            }
            other => panic!("{status}: expected RedirectFollowed, got {other:?}"),
        }
        // What reached the other origin: one GET without credentials, whose
        // answer (a valid balance) was not returned.
        target.assert_calls_async(1).await;
    }
}
