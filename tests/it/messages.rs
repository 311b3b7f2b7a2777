//! Error messages are short and safe: one line, bounded, control characters
//! escaped, whatever the server sent; the whole body stays available. A
//! base URL's password is never repeated.

use belvo::{Client, Credentials, Error, RetrieveRequest, MAX_DISPLAY_CHARS};
use httpmock::MockServer;
use serde_json::json;

use crate::support::*;

/// The error of a retrieve that a server answers with `status` and `body`.
async fn retrieve_error(status: u16, body: serde_json::Value) -> Error {
    let server = MockServer::start_async().await;
    answer(&server, "POST", status, body).await;
    let request = RetrieveRequest::new(link(), date(2024, 1, 1), date(2024, 1, 2));
    let result = client(&server.base_url())
        .balances()
        .retrieve(&request)
        .await;
    result.expect_err("an error status")
}

fn assert_safe(shown: &str) {
    assert!(
        shown.chars().count() <= MAX_DISPLAY_CHARS,
        "{} chars",
        shown.len()
    );
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
}

#[tokio::test]
async fn a_megabyte_error_array_with_escapes_is_one_short_line() {
    let hostile = "\u{1b}[2J\u{1b}[31mFAKE: login ok\r\nroot# \u{7}";
    let errors: Vec<_> = (0..8_000)
        .map(|i| {
            json!({
                "code": format!("code_{i}\u{1b}[0m"),
                "message": format!("{hostile} {}", "x".repeat(100)),
                "request_id": "0123456789abcdef0123456789abcdef",
                "field": "date_from\n"
            })
        })
        .collect();
    let raw = serde_json::to_vec(&errors).expect("json");
    assert!(raw.len() > 1_000_000, "{} bytes", raw.len());
    let err = retrieve_error(400, json!(errors)).await;
    let shown = err.to_string();
    assert_safe(&shown);
    // What matters first survives the cut; the cut is counted.
    assert!(
        shown.starts_with("Belvo answered 400 Bad Request [request_id 0123456789abcdef0123456789abcdef]: code_0\\u{1b}[0m (field `date_from\\n`): \\u{1b}[2J"),
        "{shown}"
    );
    assert!(shown.contains(" chars cut)"), "{shown}");
    // Everything is still there for who asks.
    assert_eq!(err.body(), Some(&raw[..]));
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.errors.len(), 8_000);
    assert_eq!(
        api.errors[7_999].message.as_deref(),
        Some(&*format!("{hostile} {}", "x".repeat(100)))
    );
    assert_safe(&api.to_string());
    for code in err.codes().into_iter().take(3) {
        assert_safe(&code.to_string());
    }
}

#[tokio::test]
async fn a_hostile_redirect_location_is_escaped() {
    let server = MockServer::start_async().await;
    // A 3xx with a hostile Location.
    server
        .mock_async(|when, then| {
            when.method("GET");
            then.status(302)
                .header("location", format!("/x{}", "%1B".repeat(400)));
        })
        .await;
    let c = client(&server.base_url());
    let err = c
        .balances()
        .get(uuid::Uuid::nil())
        .await
        .expect_err("redirect");
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    assert_safe(&err.to_string());
}

#[test]
fn a_base_url_with_userinfo_is_refused_without_repeating_it() {
    for url in [
        "https://belvo-user:hunter2-pw@api.belvo.com",
        "https://:hunter2-pw@api.belvo.com/",
        "https://belvo-user@api.belvo.com",
        "http://belvo-user:hunter2-pw@127.0.0.1:8080",
        // Broken elsewhere too: the parse error must not repeat it either.
        "https://belvo-user:hunter2-pw@api.belvo.com:99999",
        "ftp://belvo-user:hunter2-pw@api.belvo.com",
        "http://belvo-user:hunter2-pw@belvo.internal",
    ] {
        let err = Client::builder()
            .base_url(url)
            .credentials(Credentials::new(ID, PASSWORD))
            .build()
            .expect_err(url);
        assert!(matches!(err, Error::Config(_)), "{url}: {err:?}");
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("hunter2"), "{url}: {text}");
            assert!(!text.contains("belvo-user"), "{url}: {text}");
            assert_safe(&text);
        }
    }
}

/// A `{"detail": …}` body (Django REST framework's shape, which Belvo's
/// framework answers with outside its own errors) gets the framework's code
/// for the status, and a status without one shows the message alone.
#[tokio::test]
async fn a_detail_body_gets_the_framework_code_of_its_status() {
    let cases = [
        (401, "authentication_failed"),
        (403, "permission_denied"),
        (429, "throttled"),
        (503, ""),
    ];
    for (status, code) in cases {
        let err = retrieve_error(status, json!({"detail": "Nope."})).await;
        let codes: Vec<&str> = err.codes().iter().map(|c| c.as_str()).collect();
        assert_eq!(codes, [code], "{status}");
        let shown = err.to_string();
        let reason = http::StatusCode::from_u16(status).expect("status");
        let tail = match code {
            "" => "Nope.".to_owned(),
            code => format!("{code}: Nope."),
        };
        assert_eq!(
            shown,
            format!("Belvo answered {reason}: {tail}"),
            "{status}"
        );
    }
}
