//! Bad responses: each gives a typed error that keeps status and raw body,
//! never a panic.

use std::time::Duration;

use belvo::{Error, Retrieval, RetrieveRequest};
use httpmock::MockServer;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

fn request() -> RetrieveRequest {
    RetrieveRequest::new(link(), date(2024, 1, 1), date(2024, 1, 31))
}

async fn retrieve_against(
    status: u16,
    content_type: &str,
    body: &[u8],
) -> Result<Retrieval, Error> {
    let server = MockServer::start_async().await;
    let body = body.to_vec();
    let ct = content_type.to_owned();
    server
        .mock_async(move |when, then| {
            when.method("POST").path("/api/balances/");
            then.status(status).header("content-type", ct).body(body);
        })
        .await;
    client(&server.base_url())
        .balances()
        .retrieve(&request())
        .await
}

#[tokio::test]
async fn proxy_html_pages_keep_status_and_body() {
    for status in [500u16, 502, 503] {
        let err = retrieve_against(
            status,
            "text/html",
            b"<html><body>Bad gateway</body></html>",
        )
        .await
        .expect_err("html");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err}");
        assert_eq!(
            err.body(),
            Some(&b"<html><body>Bad gateway</body></html>"[..])
        );
        assert!(
            matches!(err, Error::UnexpectedResponse { ref content_type, .. } if content_type.as_deref() == Some("text/html"))
        );
        assert!(err.is_retryable());
    }
}

#[tokio::test]
async fn broken_success_bodies_are_decode_errors_with_status() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "application/json"),
        (
            br#"[{"id": "8d9e1b4e-1111-4a4a-9b9b-000000000001", "balance": 1"#,
            "application/json",
        ),
        (br#"{"unexpected": "object"}"#, "application/json"),
        (b"not json at all", "text/plain"),
    ];
    for (body, ct) in cases {
        let err = retrieve_against(201, ct, body)
            .await
            .expect_err("undecodable");
        assert!(matches!(err, Error::Decode { .. }), "{err}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(201));
        assert_eq!(err.body(), Some(*body));
    }
}

#[tokio::test]
async fn a_json_body_with_a_wrong_content_type_still_decodes() {
    let body = serde_json::to_vec(&json!([balance(
        "8d9e1b4e-1111-4a4a-9b9b-000000000001",
        "5"
    )]))
    .expect("json");
    let out = retrieve_against(200, "text/plain", &body)
        .await
        .expect("decodes");
    assert!(matches!(out, Retrieval::Complete(r) if r.balances.len() == 1));
}

#[tokio::test]
async fn malformed_428s_are_typed_errors_with_the_body() {
    let cases = [
        (
            json!({"code": "token_required", "link": LINK, "expiry": 600}),
            "no `session`",
        ),
        (
            json!({"code": "token_required", "session": "s", "expiry": 600}),
            "no `link`",
        ),
        (json!([]), "empty array"),
    ];
    for (body, needle) in cases {
        let raw = serde_json::to_vec(&body).expect("json");
        let err = retrieve_against(428, "application/json", &raw)
            .await
            .expect_err("malformed 428");
        match &err {
            Error::InvalidTokenRequired { reason, body } => {
                assert!(reason.contains(needle), "{reason}");
                assert_eq!(&body[..], &raw[..]);
            }
            other => panic!("expected InvalidTokenRequired, got {other:?}"),
        }
        assert_eq!(err.status().map(|s| s.as_u16()), Some(428));
    }
}

/// An `expiry` that gives no deadline does not cost the user the bank
/// session: the pause comes back without a deadline, and one however long
/// Belvo says is kept as it is.
#[tokio::test]
async fn an_unreadable_or_long_expiry_keeps_the_pause() {
    let ten_billion = chrono::TimeDelta::seconds(10_000_000_000);
    for (expiry, deadline) in [
        (json!(-1), None),
        (json!("soon"), None),
        (json!("\u{1b}]8;;evil\u{7}"), None),
        (json!(1e300), None),
        (json!(10_000_000_000u64), Some(ten_billion)),
        (json!("600.5"), Some(chrono::TimeDelta::seconds(600))),
    ] {
        let body = json!({"session": "s", "link": LINK, "expiry": expiry});
        let raw = serde_json::to_vec(&body).expect("json");
        let before = chrono::Utc::now();
        let out = retrieve_against(428, "application/json", &raw).await;
        let after = chrono::Utc::now();
        let Ok(Retrieval::TokenRequired(pending)) = out else {
            panic!("{expiry}: {out:?}")
        };
        assert_eq!(pending.session(), "s", "{expiry}");
        let got = pending.expires_at();
        match deadline {
            None => assert_eq!(got, None, "{expiry}"),
            Some(d) => {
                let got = got.expect("a deadline");
                assert!(got >= before + d && got <= after + d, "{expiry}: {got}");
            }
        }
    }
}

#[tokio::test]
async fn unknown_fields_and_categories_decode() {
    let mut b = balance("8d9e1b4e-1111-4a4a-9b9b-000000000001", "7.25");
    b["account"]["category"] = json!("CRYPTO_WALLET_ACCOUNT");
    b["brand_new_field"] = json!({"nested": [1, 2, 3]});
    b["account"]["extra"] = json!(true);
    let body = serde_json::to_vec(&json!([b])).expect("json");
    let Retrieval::Complete(r) = retrieve_against(201, "application/json", &body)
        .await
        .expect("decodes")
    else {
        panic!("balances")
    };
    let account = r.balances[0].account.as_ref().expect("account");
    assert_eq!(account.category.as_deref(), Some("CRYPTO_WALLET_ACCOUNT"));
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let server = MockServer::start_async().await;
    let big = vec![b'x'; 3 * 1024 * 1024];
    server
        .mock_async(move |when, then| {
            when.method("POST").path("/api/balances/");
            then.status(200)
                .header("content-type", "application/json")
                .body(big);
        })
        .await;
    let c = builder(&server.base_url())
        .max_body_size(1024 * 1024)
        .build()
        .expect("client");
    let err = c
        .balances()
        .retrieve(&request())
        .await
        .expect_err("too large");
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                limit: 1_048_576,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

/// A server on loopback that accepts, reads the request, then does `then`.
async fn raw_server<F, Fut>(then: F) -> String
where
    F: FnOnce(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        if let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let _ = tokio::time::timeout(Duration::from_millis(500), sock.read(&mut buf)).await;
            then(sock).await;
        }
    });
    format!("http://{addr}")
}

/// A server on loopback that answers `head` (a status, headers and the
/// start of a body shorter than its `content-length`) and hangs up.
async fn broken_off(head: &'static str) -> String {
    raw_server(move |mut sock| async move {
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.flush().await;
        drop(sock);
    })
    .await
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let base = raw_server(|sock| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(sock);
    })
    .await;
    let c = builder(&base)
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let err = c
        .balances()
        .retrieve(&request())
        .await
        .expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_injected_client_without_a_timeout_gets_the_call_timeout() {
    // The outer timeout only guards against a hang if the call's is lost.
    let base = raw_server(|sock| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(sock);
    })
    .await;
    let c = builder(&base)
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let err = tokio::time::timeout(Duration::from_secs(20), c.balances().retrieve(&request()))
        .await
        .expect("the call timeout ends the call")
        .expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn a_reset_mid_body_is_a_transport_error() {
    let base = broken_off("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n[{\"id\": \"8d9e").await;
    let err = client(&base)
        .balances()
        .retrieve(&request())
        .await
        .expect_err("reset");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn a_read_whose_body_breaks_off_is_retried() {
    // The connection drops in the middle of a page: the read is tried again.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = sock.read(&mut [0u8; 4096]).await;
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                        content-length: 500\r\nconnection: close\r\n\r\n{\"count\": 1,";
            let _ = sock.write_all(head.as_bytes()).await;
        }
    });
    let c = builder(&base)
        .retry(belvo::RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        })
        .build()
        .expect("client");
    let err = c
        .balances()
        .list_page(&belvo::ListQuery::default(), None)
        .await
        .expect_err("the body breaks off every time");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 3);
}

/// A resume answered 201 whose body breaks off: the session is spent (the
/// records were answered, likely saved), so the MFA flow does not hand it
/// back as one that may be resumed.
#[tokio::test]
async fn a_resume_whose_body_breaks_off_hands_back_no_session() {
    let base = broken_off("HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n[{\"id\": \"0d3f").await;
    let pending: belvo::PendingSession =
        serde_json::from_value(serde_json::json!({"session": "s1", "link": LINK}))
            .expect("pending");
    let err = client(&base)
        .balances()
        .complete_with_mfa(belvo::Retrieval::TokenRequired(pending), |_| async {
            Ok::<_, std::io::Error>(belvo::Token::new("123456"))
        })
        .await
        .expect_err("broken off");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.pending_session().is_none(), "{err:?}");
}
