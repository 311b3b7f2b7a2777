//! The password and MFA tokens never appear in Debug, Display, errors or
//! tracing output, on success or on any error path.

use std::io::Write;
use std::sync::{Arc, Mutex};

use belvo::{RetrieveRequest, Token};
use httpmock::MockServer;
use serde_json::json;
use tracing_subscriber::layer::SubscriberExt;

use crate::support::*;

const TOKEN: &str = "TOKEN-7731-SECRET";
const LINK_USER: &str = "CURP-RFC-USER-0042";
const LINK_PASSWORD: &str = "LINK-PASSWORD-9313";
/// A payment link's access token, which Belvo puts in the detail's path.
const ACCESS_TOKEN: &str = "PAYMENT-LINK-ACCESS-2c6f";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One process-wide subscriber: a thread-scoped one misses callsites that
/// other test threads registered first. It captures every test's tracing
/// output, which is all checked for secrets here.
fn capture() -> &'static Capture {
    static CAPTURE: std::sync::OnceLock<Capture> = std::sync::OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        // The client side only: httpmock's server plays the bank, which does
        // receive the token, and logs it.
        let client_side = tracing_subscriber::filter::Targets::new()
            .with_target("belvo", tracing::Level::TRACE)
            .with_target("reqwest", tracing::Level::TRACE)
            .with_target("hyper", tracing::Level::TRACE)
            .with_target("hyper_util", tracing::Level::TRACE)
            .with_target("it", tracing::Level::TRACE);
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            // A line as each span opens: what it records from the start.
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::NEW)
            .with_writer(move || writer.clone())
            .finish()
            .with(client_side);
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        capture
    })
}

#[tokio::test]
async fn secrets_never_leak() {
    let capture = capture();

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/balances/")
                .json_body_includes(r#"{"save_data": true}"#);
            then.status(428)
                .json_body(token_required("sess-sec", json!(600), "numeric", true));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/balances/")
                .json_body_includes(r#"{"save_data": false}"#);
            then.status(502)
                .header("content-type", "text/html")
                .body("<html>proxy</html>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path("/api/balances/")
                .json_body_includes(format!(r#"{{"token": "{TOKEN}"}}"#));
            then.status(201).json_body(json!([balance(
                "8d9e1b4e-1111-4a4a-9b9b-000000000001",
                "1"
            )]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path("/api/balances/")
                .json_body_includes(r#"{"token": "wrong"}"#);
            then.status(400).json_body(errors("invalid", "token"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET");
            then.status(401)
                .json_body(errors("authentication_failed", "auth"));
        })
        .await;

    let c = client(&server.base_url());
    let req = RetrieveRequest::new(link(), date(2024, 1, 1), date(2024, 1, 2)).token(TOKEN);
    let mut seen: Vec<String> = vec![
        format!("{c:?}"),
        format!("{req:?}"),
        format!("{:?}", Token::new(TOKEN)),
    ];
    let out = c.balances().retrieve(&req).await;
    seen.push(format!("{out:?}"));
    let pending = match out {
        Ok(belvo::Retrieval::TokenRequired(p)) => p,
        other => panic!("expected a 428, got {other:?}"),
    };
    seen.push(serde_json::to_string(&pending).expect("json"));
    for token in [TOKEN, "wrong"] {
        let r = c.balances().resume(&pending, Some(Token::new(token))).await;
        if let Err(e) = &r {
            seen.push(e.to_string());
            seen.push(format!("{:?}", std::error::Error::source(e)));
        }
        seen.push(format!("{r:?}"));
    }
    let r = c.balances().retrieve(&req.clone().save_data(false)).await;
    seen.push(format!("{r:?}"));
    seen.push(r.map(|_| ()).expect_err("502").to_string());
    let r = c.balances().get(uuid::Uuid::nil()).await;
    seen.push(format!("{r:?}"));
    let flow = c
        .balances()
        .retrieve_with_mfa(&req, |_| async {
            Ok::<_, std::io::Error>(Token::new(TOKEN))
        })
        .await;
    seen.push(format!("{flow:?}"));
    let bad = builder("http://example.com").build();
    seen.push(format!("{bad:?}"));

    // A link's credentials, through registration and update, on success and
    // on a 400.
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/links/");
            then.status(400).json_body(errors("invalid", "credentials"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("PUT").path_includes("/api/links/");
            then.status(428)
                .json_body(token_required("sess-link", json!(600), "numeric", true));
        })
        .await;
    let register = belvo::RegisterLink::new("erebor_mx_retail", LINK_USER, LINK_PASSWORD)
        .password2(LINK_PASSWORD)
        .token(TOKEN)
        .certificate(LINK_PASSWORD, LINK_PASSWORD);
    seen.push(format!("{register:?}"));
    let r = c.links().register(&register).await;
    seen.push(format!("{r:?}"));
    seen.push(r.map(|_| ()).expect_err("400").to_string());
    let update = belvo::UpdateCredentials::password(LINK_PASSWORD).token(TOKEN);
    seen.push(format!("{update:?}"));
    let r = c.links().update_credentials(link(), &update).await;
    seen.push(format!("{r:?}"));

    // A payment link's detail is read by its access token, a path segment:
    // the span records the path without it.
    #[cfg(feature = "payments")]
    {
        let r = c
            .resource::<belvo::family::PaymentLinks>()
            .get(ACCESS_TOKEN.to_owned())
            .await;
        seen.push(format!("{r:?}"));
        // Nothing listens there (a port just freed): a transport error,
        // whose cause keeps the URL.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let r = client(&format!("http://127.0.0.1:{port}"))
            .resource::<belvo::family::PaymentLinks>()
            .get(ACCESS_TOKEN.to_owned())
            .await;
        let err = r.expect_err("nothing listens");
        assert!(matches!(err, belvo::Error::Transport(_)), "{err:?}");
        seen.push(format!("{err:?}"));
        seen.push(format!("{:?}", std::error::Error::source(&err)));
        // A success whose body breaks off: progenitor reads it, and its
        // error keeps the URL too.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            if let Ok((mut sock, _)) = listener.accept().await {
                let _ = sock.read(&mut [0u8; 4096]).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                            content-length: 500\r\n\r\n{\"id\": \"8d9e";
                let _ = sock.write_all(head.as_bytes()).await;
            }
        });
        let r = client(&base)
            .resource::<belvo::family::PaymentLinks>()
            .get(ACCESS_TOKEN.to_owned())
            .await;
        let err = r.expect_err("the body breaks off");
        assert!(matches!(err, belvo::Error::Transport(_)), "{err:?}");
        let cause = std::error::Error::source(&err).map(ToString::to_string);
        assert!(
            cause
                .as_deref()
                .is_some_and(|c| c.contains("/payments/payment-links/")),
            "the cause keeps the URL: {cause:?}"
        );
        seen.push(format!("{err:?}"));
        seen.push(format!("{cause:?}"));
        // A redirect from the detail keeps where it goes, token replaced.
        let moved = MockServer::start_async().await;
        moved
            .mock_async(|when, then| {
                when.method("GET").path_includes("/payment-links/");
                then.status(301).header(
                    "location",
                    format!("/payments/payment-links/{ACCESS_TOKEN}/moved"),
                );
            })
            .await;
        let err = client(&moved.base_url())
            .resource::<belvo::family::PaymentLinks>()
            .get(ACCESS_TOKEN.to_owned())
            .await
            .expect_err("a redirect");
        assert!(matches!(err, belvo::Error::Redirect { .. }), "{err:?}");
        seen.push(format!("{err:?}"));
        seen.push(err.to_string());
    }

    let logs = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf8");
    #[cfg(feature = "payments")]
    assert!(
        logs.lines()
            .any(|l| l.contains(r#"operation="payment_links_detail""#)
                && l.contains(r#"path="/payments/payment-links/{access_token}/""#)),
        "the payment link's span records its path, token replaced: {logs}"
    );
    // From the start: a layer that reads a span when it opens sees it.
    #[cfg(feature = "payments")]
    assert!(
        logs.lines().any(|l| l.ends_with(": new")
            && l.contains(r#"operation="payment_links_detail""#)
            && l.contains(r#"path="/payments/payment-links/{access_token}/""#)),
        "the payment link's span opens with its path, token replaced: {logs}"
    );
    assert!(
        logs.contains("balances_resume"),
        "tracing saw the calls: {logs}"
    );
    // A failed call's span carries Belvo's request_id, for support.
    assert!(
        logs.lines()
            .any(|l| l.contains(r#"operation="balances_resume""#)
                && l.contains("status=400")
                && l.contains(r#"request_id="0123456789abcdef0123456789abcdef"}"#)),
        "the 400's request_id is in its span: {logs}"
    );
    seen.push(logs);
    let basic = basic_header();
    let basic_b64 = basic.trim_start_matches("Basic ");
    for text in &seen {
        for secret in [
            PASSWORD,
            TOKEN,
            basic_b64,
            LINK_USER,
            LINK_PASSWORD,
            ACCESS_TOKEN,
        ] {
            assert!(
                !text.contains(secret),
                "secret `{secret}` leaked in: {text}"
            );
        }
    }
}
