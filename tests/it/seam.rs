//! The seam between the generated calls and the hand-written layer: the
//! `exec` hook reads a body itself only when it must (a failure, or a size
//! not announced by `Content-Length`), and status and raw body reach `Error`
//! either way.

use std::time::Duration;

use belvo::{Error, Retrieval, RetrieveRequest};
use httpmock::MockServer;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

fn request() -> RetrieveRequest {
    RetrieveRequest::new(link(), date(2024, 1, 1), date(2024, 1, 31))
}

/// A loopback server that reads one request and writes `response` verbatim.
async fn raw_answer(response: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        if let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let _ = tokio::time::timeout(Duration::from_millis(500), sock.read(&mut buf)).await;
            let _ = sock.write_all(&response).await;
            let _ = sock.shutdown().await;
        }
    });
    format!("http://{addr}")
}

/// A `Transfer-Encoding: chunked` response (no `Content-Length`), in chunks
/// of at most 64 KiB.
fn chunked(status: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    for part in body.chunks(64 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn one_balance() -> Vec<u8> {
    serde_json::to_vec(&json!([balance(
        "8d9e1b4e-1111-4a4a-9b9b-000000000001",
        "12345678901234567890.123456789"
    )]))
    .expect("json")
}

#[tokio::test]
async fn a_chunked_success_decodes_exactly() {
    let base = raw_answer(chunked("201 Created", &one_balance())).await;
    let Retrieval::Complete(done) = client(&base)
        .balances()
        .retrieve(&request())
        .await
        .expect("decodes")
    else {
        panic!("expected balances")
    };
    assert!(done.persisted);
    assert_eq!(
        done.balances[0].balance.to_string(),
        "12345678901234567890.123456789"
    );
}

#[tokio::test]
async fn a_chunked_success_over_the_limit_is_refused_with_its_status() {
    let mut big = b"[".to_vec();
    big.extend(std::iter::repeat_n(b' ', 300 * 1024));
    big.extend_from_slice(b"]");
    let base = raw_answer(chunked("200 OK", &big)).await;
    let err = builder(&base)
        .max_body_size(100 * 1024)
        .build()
        .expect("client")
        .balances()
        .retrieve(&request())
        .await
        .expect_err("too large");
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 102_400, .. }),
        "{err:?}"
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn an_undocumented_success_keeps_status_and_body() {
    // 202 is not in the spec for a retrieve: progenitor hands the response
    // back unread, and the body still reaches the error.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/balances/");
            then.status(202)
                .header("content-type", "application/json")
                .body(r#"{"queued": true}"#);
        })
        .await;
    let err = client(&server.base_url())
        .balances()
        .retrieve(&request())
        .await
        .expect_err("undocumented status");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(202), "{err:?}");
    assert_eq!(err.body(), Some(&br#"{"queued": true}"#[..]));
}

/// The generated body of a balances retrieve, for raw generated calls.
fn raw_body() -> belvo::types::DateRangeRetrieveRequest {
    belvo::types::DateRangeRetrieveRequest {
        account: None,
        date_from: date(2024, 1, 1),
        date_to: date(2024, 1, 31),
        link: link(),
        save_data: Some(true),
        token: None,
    }
}

#[tokio::test]
async fn raw_generated_calls_still_get_typed_error_bodies() {
    // Outside the hand-written layer the hooks still read and limit the
    // body, and hand it on so that progenitor decodes the documented error.
    let server = MockServer::start_async().await;
    answer(&server, "POST", 400, errors("invalid_link", "Bad request")).await;
    let err = client(&server.base_url())
        .balances_retrieve()
        .body(raw_body())
        .send()
        .await
        .expect_err("400");
    match err {
        belvo::raw::Error::ErrorResponse(value) => {
            assert_eq!(value.status().as_u16(), 400);
            let text = format!("{:?}", value.into_inner());
            assert!(text.contains("invalid_link"), "{text}");
        }
        other => panic!("expected a typed error response, got {other:?}"),
    }
}

#[tokio::test]
async fn a_raw_call_over_the_limit_gets_an_empty_body_that_says_so() {
    // An undocumented status with a body over the limit: the raw call gets
    // the response without the body, and without the length of the one it
    // did not get.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path_includes("/api/balances/");
            then.status(203)
                .header("content-type", "application/json")
                .body(vec![b' '; 64 * 1024]);
        })
        .await;
    let err = builder(&server.base_url())
        .max_body_size(1024)
        .build()
        .expect("client")
        .balances_detail()
        .id(link())
        .send()
        .await
        .expect_err("undocumented status");
    let belvo::raw::Error::UnexpectedResponse(response) = err else {
        panic!("expected the response back: {err:?}")
    };
    assert_eq!(response.status().as_u16(), 203);
    assert!(
        response.headers().get("content-length").is_none(),
        "{:?}",
        response.headers()
    );
    assert!(response.bytes().await.expect("body").is_empty());
}

/// A raw generated retrieve reads Belvo's 428, whose `expiry` its MFA guide
/// writes as a string (`"720"`) and its collection as a number, as a token
/// request with its session and link, in the array form and the object one.
#[tokio::test]
async fn raw_generated_calls_read_a_428_with_a_string_or_number_expiry() {
    use belvo::types::TokenRequiredExpiry;
    for (expiry, array) in [
        (json!("720"), true),
        (json!(720), true),
        (json!("600"), false),
        (json!(600), false),
        (json!(null), true),
    ] {
        let server = MockServer::start_async().await;
        let one = token_required("sess-raw", expiry.clone(), "numeric", true);
        let body = if array { json!([one]) } else { one };
        answer(&server, "POST", 428, body).await;
        let err = client(&server.base_url())
            .balances_retrieve()
            .body(raw_body())
            .send()
            .await
            .expect_err("428");
        let belvo::raw::Error::ErrorResponse(value) = err else {
            panic!("{expiry}: expected a typed 428, got {err:?}")
        };
        assert_eq!(value.status().as_u16(), 428);
        let required = match value.into_inner() {
            belvo::types::BalancesRetrieveError::Variant0(one) if !array => one,
            belvo::types::BalancesRetrieveError::Variant1(mut many) if array && many.len() == 1 => {
                many.remove(0)
            }
            other => panic!("{expiry} (array: {array}): read as {other:?}"),
        };
        assert_eq!(required.session, "sess-raw", "{expiry}");
        assert_eq!(required.link, link(), "{expiry}");
        assert_eq!(required.code, "token_required", "{expiry}");
        let read = match &expiry {
            serde_json::Value::String(s) => Some(TokenRequiredExpiry::String(s.clone())),
            serde_json::Value::Number(n) => n
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .map(TokenRequiredExpiry::Int32),
            _ => None,
        };
        assert_eq!(required.expiry, read, "{expiry}");
    }
}
