//! Every documented status of every operation and the MFA flows, against
//! httpmock: requests asserted exactly (auth, JSON body incl. save_data),
//! hits counted.

use belvo::{Error, ErrorCode, ListQuery, PendingSession, Retrieval, RetrieveRequest, Token};
use futures::TryStreamExt;
use httpmock::MockServer;
use serde_json::json;

use crate::support::*;

fn request() -> RetrieveRequest {
    RetrieveRequest::new(link(), date(2024, 1, 1), date(2024, 1, 31))
}

#[tokio::test]
async fn retrieve_sends_auth_and_the_exact_body_and_reads_201_and_200() {
    let server = MockServer::start_async().await;
    let created = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/balances/")
                .header("authorization", basic_header())
                .header("user-agent", concat!("belvo-rs/", env!("CARGO_PKG_VERSION")))
                .json_body(json!({"link": LINK, "date_from": "2024-01-01", "date_to": "2024-01-31", "save_data": true}));
            then.status(201).json_body(json!([balance("8d9e1b4e-1111-4a4a-9b9b-000000000001", "1234567.89")]));
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/balances/")
                .json_body(json!({"link": LINK, "date_from": "2024-01-01", "date_to": "2024-01-31", "save_data": false,
                                  "account": "0d3ffb69-f83b-456e-ad8e-208d0998d71d"}));
            then.status(200).json_body(json!([balance("8d9e1b4e-1111-4a4a-9b9b-000000000002", "0.1")]));
        })
        .await;
    let c = client(&server.base_url());
    let Retrieval::Complete(r) = c.balances().retrieve(&request()).await.expect("201") else {
        panic!("expected balances")
    };
    assert!(r.persisted);
    assert_eq!(r.balances[0].balance.to_string(), "1234567.89");
    let req = request().save_data(false).account(
        "0d3ffb69-f83b-456e-ad8e-208d0998d71d"
            .parse()
            .expect("uuid"),
    );
    let Retrieval::Complete(r) = c.balances().retrieve(&req).await.expect("200") else {
        panic!("expected balances")
    };
    assert!(!r.persisted);
    assert_eq!(r.balances[0].balance.to_string(), "0.1");
    created.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
}

/// The error statuses each operation documents, with their Belvo codes.
#[tokio::test]
async fn every_documented_error_status_is_typed() {
    let cases: &[(&str, &str, u16, &str)] = &[
        ("GET", "/api/balances/", 401, "authentication_failed"),
        ("POST", "/api/balances/", 400, "too_many_sessions"),
        ("POST", "/api/balances/", 401, "authentication_failed"),
        ("POST", "/api/balances/", 408, "request_timeout"),
        ("POST", "/api/balances/", 500, "unexpected_error"),
        ("PATCH", "/api/balances/", 400, "session_expired"),
        ("PATCH", "/api/balances/", 401, "authentication_failed"),
        ("PATCH", "/api/balances/", 408, "request_timeout"),
        ("PATCH", "/api/balances/", 500, "unexpected_error"),
        (
            "GET",
            "/api/balances/8d9e1b4e-1111-4a4a-9b9b-000000000001/",
            401,
            "authentication_failed",
        ),
        (
            "GET",
            "/api/balances/8d9e1b4e-1111-4a4a-9b9b-000000000001/",
            404,
            "not_found",
        ),
        (
            "DELETE",
            "/api/balances/8d9e1b4e-1111-4a4a-9b9b-000000000001/",
            401,
            "authentication_failed",
        ),
        (
            "DELETE",
            "/api/balances/8d9e1b4e-1111-4a4a-9b9b-000000000001/",
            404,
            "not_found",
        ),
    ];
    let id: uuid::Uuid = "8d9e1b4e-1111-4a4a-9b9b-000000000001"
        .parse()
        .expect("uuid");
    for (method, path, status, code) in cases {
        let server = MockServer::start_async().await;
        let m = server
            .mock_async(|when, then| {
                when.method(*method).path(*path);
                then.status(*status).json_body(errors(code, "it"));
            })
            .await;
        let c = client(&server.base_url());
        let pending: PendingSession =
            serde_json::from_value(json!({"session": "s", "link": LINK})).expect("pending");
        let err = match (*method, path.len() > "/api/balances/".len()) {
            ("GET", false) => c
                .balances()
                .list_page(&ListQuery::default(), None)
                .await
                .err(),
            ("POST", _) => c.balances().retrieve(&request()).await.err(),
            ("PATCH", _) => c
                .balances()
                .resume(&pending, Some(Token::new("1")))
                .await
                .err(),
            ("GET", true) => c.balances().get(id).await.err(),
            _ => c.balances().delete(id).await.err(),
        }
        .unwrap_or_else(|| panic!("{method} {path} {status} should fail"));
        assert_eq!(
            err.status().map(|s| s.as_u16()),
            Some(*status),
            "{method} {path}: {err}"
        );
        assert_eq!(
            err.codes(),
            vec![&ErrorCode::from(*code)],
            "{method} {path}"
        );
        assert_eq!(err.request_id(), Some("0123456789abcdef0123456789abcdef"));
        assert_eq!(err.is_session_expired(), *code == "session_expired");
        m.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn detail_delete_and_list_success() {
    let server = MockServer::start_async().await;
    let id = "8d9e1b4e-1111-4a4a-9b9b-000000000001";
    let detail = server
        .mock_async(|when, then| {
            when.method("GET").path(format!("/api/balances/{id}/"));
            then.status(200).json_body(balance(id, "42.00"));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method("DELETE").path(format!("/api/balances/{id}/"));
            then.status(204);
        })
        .await;
    let base = server.base_url();
    let page1 = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param("link", LINK).query_param("page_size", "2").query_param_missing("page");
            then.status(200).json_body(json!({"count": 3, "next": format!("{base}/api/balances/?page=2&page_size=2&link={LINK}"), "previous": null,
                "results": [balance("8d9e1b4e-1111-4a4a-9b9b-000000000001", "1"), balance("8d9e1b4e-1111-4a4a-9b9b-000000000002", "2")]}));
        })
        .await;
    let page2 = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/balances/")
                .query_param("page", "2")
                .query_param("link", LINK);
            then.status(200).json_body(
                json!({"count": 3, "next": null, "previous": "http://x/?page=1",
                "results": [balance("8d9e1b4e-1111-4a4a-9b9b-000000000003", "3")]}),
            );
        })
        .await;
    let c = client(&server.base_url());
    let b = c
        .balances()
        .get(id.parse().expect("uuid"))
        .await
        .expect("detail");
    assert_eq!(b.balance.to_string(), "42.00");
    c.balances()
        .delete(id.parse().expect("uuid"))
        .await
        .expect("delete");
    let all: Vec<_> = c
        .balances()
        .list(ListQuery::for_link(link()).page_size(2))
        .try_collect()
        .await
        .expect("list");
    let amounts: Vec<String> = all.iter().map(|b| b.balance.to_string()).collect();
    assert_eq!(amounts, ["1", "2", "3"]);
    detail.assert_calls_async(1).await;
    delete.assert_calls_async(1).await;
    page1.assert_calls_async(1).await;
    page2.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_three_428_shapes_and_both_expiry_forms() {
    let object = token_required(
        "2c4b2a7e6f7b4fd1a3a0a0e9b7c9d111",
        json!(600),
        "numeric",
        true,
    );
    let shapes = [
        object.clone(),
        json!([object.clone()]),
        json!({"detail": "Token Required", "session": "2c4b2a7e6f7b4fd1a3a0a0e9b7c9d111", "expiry": "600", "link": LINK}),
        token_required(
            "2c4b2a7e6f7b4fd1a3a0a0e9b7c9d111",
            json!("600"),
            "numeric",
            true,
        ),
    ];
    for body in shapes {
        let server = MockServer::start_async().await;
        let m = answer(&server, "POST", 428, body.clone()).await;
        let before = chrono::Utc::now();
        let out = client(&server.base_url())
            .balances()
            .retrieve(&request())
            .await
            .expect("428 is an outcome");
        let Retrieval::TokenRequired(p) = out else {
            panic!("expected a pending session for {body}")
        };
        assert_eq!(p.session(), "2c4b2a7e6f7b4fd1a3a0a0e9b7c9d111");
        assert_eq!(p.link(), LINK);
        let deadline = p.expires_at().expect("deadline");
        assert!(
            deadline >= before + chrono::TimeDelta::seconds(600)
                && deadline <= chrono::Utc::now() + chrono::TimeDelta::seconds(600)
        );
        assert!(p.needs_token());
        m.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn token_twice_then_created_through_the_flow_helper() {
    let server = MockServer::start_async().await;
    let retrieve = answer(
        &server,
        "POST",
        428,
        token_required("sess-1", json!(600), "numeric", true),
    )
    .await;
    let first = server
        .mock_async(|when, then| {
            when.method("PATCH").path("/api/balances/").json_body(
                json!({"session": "sess-1", "link": LINK, "token": "111111", "save_data": true}),
            );
            then.status(428).json_body(json!([token_required(
                "sess-1",
                json!("300"),
                "numeric",
                true
            )]));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method("PATCH").path("/api/balances/").json_body(
                json!({"session": "sess-1", "link": LINK, "token": "222222", "save_data": true}),
            );
            then.status(201).json_body(json!([balance(
                "8d9e1b4e-1111-4a4a-9b9b-000000000001",
                "10.50"
            )]));
        })
        .await;
    let c = client(&server.base_url());
    let mut asked = 0;
    let got = c
        .balances()
        .retrieve_with_mfa(&request(), |p| {
            asked += 1;
            let token = if asked == 1 { "111111" } else { "222222" };
            assert_eq!(
                p.challenge().and_then(|c| c.instructions.as_deref()),
                Some("Enter the code")
            );
            async move { Ok::<_, std::io::Error>(Token::new(token)) }
        })
        .await
        .expect("balances");
    assert!(got.persisted);
    assert_eq!(asked, 2);
    retrieve.assert_calls_async(1).await;
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn flow_stops_after_max_rounds_and_never_retries() {
    let server = MockServer::start_async().await;
    let retrieve = answer(
        &server,
        "POST",
        428,
        token_required("s", json!(600), "numeric", true),
    )
    .await;
    let resume = answer(
        &server,
        "PATCH",
        428,
        token_required("s", json!(600), "numeric", true),
    )
    .await;
    let c = builder(&server.base_url())
        .max_mfa_rounds(2)
        .build()
        .expect("client");
    let err = c
        .balances()
        .retrieve_with_mfa(&request(), |_| async {
            Ok::<_, std::io::Error>(Token::new("1"))
        })
        .await
        .expect_err("too many rounds");
    assert!(
        matches!(err, Error::TooManyMfaRounds { rounds: 2, .. }),
        "{err}"
    );
    retrieve.assert_calls_async(1).await;
    resume.assert_calls_async(2).await;
}

#[tokio::test]
async fn inputless_asks_the_user_then_resumes_without_a_token_and_save_data_false() {
    let server = MockServer::start_async().await;
    let retrieve = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/balances/")
                .json_body_includes(r#"{"save_data": false}"#);
            then.status(428)
                .json_body(token_required("s-in", json!(600), "inputless", false));
        })
        .await;
    let resume = server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path("/api/balances/")
                .json_body(json!({"session": "s-in", "link": LINK, "save_data": false}));
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = client(&server.base_url());
    let got = c
        .balances()
        .retrieve_with_mfa(&request().save_data(false), |p| {
            let instructions = p.challenge().and_then(|c| c.instructions.clone());
            let resume = &resume;
            async move {
                // The user's turn comes before the resume.
                assert_eq!(resume.calls_async().await, 0);
                assert_eq!(instructions.as_deref(), Some("Enter the code"));
                Ok::<_, std::io::Error>(None)
            }
        })
        .await
        .expect("balances");
    assert!(!got.persisted);
    retrieve.assert_calls_async(1).await;
    resume.assert_calls_async(1).await;
}

#[tokio::test]
async fn session_expired_stops_the_flow_and_is_recognised() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        "POST",
        428,
        token_required("s", json!(600), "numeric", true),
    )
    .await;
    let resume = answer(&server, "PATCH", 400, errors("session_expired", "expiry")).await;
    let err = client(&server.base_url())
        .balances()
        .retrieve_with_mfa(&request(), |_| async {
            Ok::<_, std::io::Error>(Token::new("1"))
        })
        .await
        .expect_err("expired");
    assert!(err.is_session_expired(), "{err}");
    resume.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_stored_pending_session_is_resumed_by_a_fresh_client() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        "POST",
        428,
        token_required(
            "9f1c0d2e3b4a59687766554433221100",
            json!(9600),
            "numeric",
            true,
        ),
    )
    .await;
    let resume = server
        .mock_async(|when, then| {
            when.method("PATCH").path("/api/balances/").header("authorization", basic_header()).json_body(json!({
                "session": "9f1c0d2e3b4a59687766554433221100", "link": LINK, "token": "654321", "save_data": true}));
            then.status(201).json_body(json!([balance("8d9e1b4e-1111-4a4a-9b9b-000000000001", "99.99")]));
        })
        .await;
    let stored = {
        let c = client(&server.base_url());
        let Retrieval::TokenRequired(p) = c.balances().retrieve(&request()).await.expect("428")
        else {
            panic!("428")
        };
        serde_json::to_string(&p).expect("store")
    };
    let p: PendingSession = serde_json::from_str(&stored).expect("load");
    let fresh = client(&server.base_url());
    let Retrieval::Complete(r) = fresh
        .balances()
        .resume(&p, Some(Token::new("654321")))
        .await
        .expect("resumed")
    else {
        panic!("balances")
    };
    assert_eq!(r.balances[0].balance.to_string(), "99.99");
    resume.assert_calls_async(1).await;
}

#[tokio::test]
async fn resuming_after_the_deadline_sends_nothing() {
    let server = MockServer::start_async().await;
    let resume = server
        .mock_async(|when, then| {
            when.method("PATCH");
            then.status(201).json_body(json!([]));
        })
        .await;
    let p: PendingSession = serde_json::from_value(
        json!({"session": "s", "link": LINK, "expires_at": "2020-01-01T00:00:00Z"}),
    )
    .expect("pending");
    let err = client(&server.base_url())
        .balances()
        .resume(&p, Some(Token::new("1")))
        .await
        .expect_err("expired");
    assert!(matches!(err, Error::SessionExpired { .. }) && err.is_session_expired());
    let p: PendingSession =
        serde_json::from_value(json!({"session": "s", "link": LINK})).expect("pending");
    let err = client(&server.base_url())
        .balances()
        .resume(&p, None)
        .await
        .expect_err("token needed");
    assert!(matches!(err, Error::TokenMissing { .. }), "{err}");
    resume.assert_calls_async(0).await;
}

#[tokio::test]
async fn reads_retry_when_asked_and_writes_never() {
    let server = MockServer::start_async().await;
    let id = "8d9e1b4e-1111-4a4a-9b9b-000000000001";
    let detail = server
        .mock_async(|when, then| {
            when.method("GET").path(format!("/api/balances/{id}/"));
            then.status(503)
                .body("<html>busy</html>")
                .header("content-type", "text/html");
        })
        .await;
    let retrieve = answer(&server, "POST", 500, errors("unexpected_error", "boom")).await;
    let c = builder(&server.base_url())
        .retry(belvo::RetryPolicy {
            max_retries: 2,
            initial_backoff: std::time::Duration::from_millis(1),
            max_backoff: std::time::Duration::from_millis(5),
        })
        .build()
        .expect("client");
    let err = c
        .balances()
        .get(id.parse().expect("uuid"))
        .await
        .expect_err("503");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    detail.assert_calls_async(3).await;
    let err = c.balances().retrieve(&request()).await.expect_err("500");
    assert!(err.is_retryable());
    retrieve.assert_calls_async(1).await;
    // Without a policy, reads are tried once.
    let err = client(&server.base_url())
        .balances()
        .get(id.parse().expect("uuid"))
        .await
        .expect_err("503");
    assert!(err.is_retryable());
    detail.assert_calls_async(4).await;
}

#[tokio::test]
async fn a_qr_code_is_shown_before_the_resume() {
    // Nothing to type, but a QR code to scan in the bank's app: the
    // provider sees its payload, and the resume waits for it.
    let server = MockServer::start_async().await;
    let mut body = token_required("s-qr", json!(600), "qr", false);
    body["token_generation_data"]["value"] = json!("QR-PAYLOAD-1");
    answer(&server, "POST", 428, body).await;
    let resume = server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path("/api/balances/")
                .json_body(json!({"session": "s-qr", "link": LINK, "save_data": true}));
            then.status(200).json_body(json!([]));
        })
        .await;
    let mut shown = Vec::new();
    client(&server.base_url())
        .balances()
        .retrieve_with_mfa(&request(), |p| {
            shown.extend(p.challenge().and_then(|c| c.value.clone()));
            let resume = &resume;
            async move {
                assert_eq!(resume.calls_async().await, 0, "resumed before the scan");
                Ok::<_, std::io::Error>(None)
            }
        })
        .await
        .expect("balances");
    assert_eq!(shown, ["QR-PAYLOAD-1"]);
    resume.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_token_asked_and_not_given_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let body = token_required("s-n", json!(600), "numeric", true);
    answer(&server, "POST", 428, body).await;
    let resume = answer(&server, "PATCH", 200, json!([])).await;
    let err = client(&server.base_url())
        .balances()
        .retrieve_with_mfa(&request(), |_| async { Ok::<_, std::io::Error>(None) })
        .await
        .expect_err("no token");
    // The flow stops there, the session handed back.
    let Error::MfaStopped { pending, source } = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**source, Error::TokenMissing { .. }), "{err}");
    assert_eq!(pending.session(), "s-n");
    resume.assert_calls_async(0).await;
}
