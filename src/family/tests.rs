//! A second and a third family, declared here on the balances endpoints:
//! what declaring a family costs, and what the generic layer then gives it.

use httpmock::MockServer;
use serde_json::json;

use super::*;
use crate::generated::types;
use crate::Credentials;

const LINK: &str = "683005d6-f45c-4adb-b289-f1a12f50f80c";

/// A family with a resume that, like Links, takes no `save_data`: its whole
/// declaration.
enum Probe {}
impl Sealed for Probe {}
impl Family for Probe {
    type Request = types::DateRangeRetrieveRequest;
    type Body = Vec<types::Balance>;
    type Output = Records<types::Balance>;
    type Pending = PendingSession;
    fn name() -> FamilyName {
        FamilyName::from("probe")
    }
    fn retrieve<'a>(c: &'a Client, r: &'a Self::Request) -> Result<Call<'a, Self::Body>, Error> {
        Ok(erase(c.balances_retrieve().body(r.clone()).send()))
    }
    fn save_data(_: &Self::Request) -> Option<bool> {
        None
    }
    fn complete(records: Self::Body, persisted: bool) -> Self::Output {
        Records { records, persisted }
    }
}
impl Resumable for Probe {
    fn resume(c: &Client, b: ResumeBody) -> Call<'_, Self::Body> {
        let (session, link, token) = (b.session, b.link, b.token);
        let body = types::ResumeRequest {
            session,
            link,
            token,
            save_data: None,
        };
        erase(c.balances_resume().body(body).send())
    }
}

/// A family whose 428 has no documented resume (like receivables): it
/// declares `Unresumable` and no `Resumable`.
enum Glimpse {}
impl Sealed for Glimpse {}
impl Family for Glimpse {
    type Request = types::DateRangeRetrieveRequest;
    type Body = Vec<types::Balance>;
    type Output = Records<types::Balance>;
    type Pending = Unresumable;
    fn name() -> FamilyName {
        FamilyName::from("glimpse")
    }
    fn retrieve<'a>(c: &'a Client, r: &'a Self::Request) -> Result<Call<'a, Self::Body>, Error> {
        Ok(erase(c.balances_retrieve().body(r.clone()).send()))
    }
    fn save_data(r: &Self::Request) -> Option<bool> {
        r.save_data
    }
    fn complete(records: Self::Body, persisted: bool) -> Self::Output {
        Records { records, persisted }
    }
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .credentials(Credentials::new("id", "password"))
        .build()
        .expect("client")
}

fn request() -> types::DateRangeRetrieveRequest {
    let date = |d| chrono::NaiveDate::from_ymd_opt(2024, 1, d).expect("date");
    types::DateRangeRetrieveRequest {
        account: None,
        date_from: date(1),
        date_to: date(31),
        link: LINK.parse().expect("uuid"),
        save_data: Some(false),
        token: None,
    }
}

fn token_required(session: &str, kind: &str, expects_input: bool) -> serde_json::Value {
    json!({"code": "token_required", "message": "A MFA token is required", "request_id": "r1",
           "session": session, "expiry": 600, "link": LINK,
           "token_generation_data": {"instructions": "Enter the code", "type": kind, "value": "v",
                                     "expects_user_input": expects_input}})
}

fn balance() -> serde_json::Value {
    json!({"id": "8d9e1b4e-1111-4a4a-9b9b-000000000001", "account": null, "collected_at": null,
           "value_date": "2024-01-31", "balance": 12.5, "current_balance": null, "statement": null})
}

#[tokio::test]
async fn a_session_resumes_only_through_its_own_family() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/balances/");
            then.status(428)
                .json_body(token_required("s-probe", "numeric", true));
        })
        .await;
    // Every request but the retrieves.
    let anything = server
        .mock_async(|_, then| {
            then.status(500);
        })
        .await;
    let c = client(&server);
    let Retrieval::TokenRequired(pending) = c
        .resource::<Probe>()
        .retrieve(&request())
        .await
        .expect("428")
    else {
        panic!("expected a 428")
    };
    assert_eq!(pending.family().as_str(), "probe");
    let balances = c.balances().resume(&pending, Some(Token::new("1"))).await;
    assert!(
        matches!(&balances, Err(Error::WrongFamily { session, resume })
            if session.as_str() == "probe" && *resume == FamilyName::Balances),
        "{balances:?}"
    );
    let Retrieval::TokenRequired(ours) = c
        .balances()
        .retrieve(&crate::RetrieveRequest::new(
            LINK.parse().expect("uuid"),
            request().date_from,
            request().date_to,
        ))
        .await
        .expect("428")
    else {
        panic!("expected a 428")
    };
    assert_eq!(ours.family(), &FamilyName::Balances);
    let probe = c
        .resource::<Probe>()
        .resume(&ours, Some(Token::new("1")))
        .await;
    assert!(matches!(probe, Err(Error::WrongFamily { .. })), "{probe:?}");
    let shown = probe.expect_err("wrong family").to_string();
    assert!(
        shown.contains("`balances`") && shown.contains("`probe`"),
        "{shown}"
    );

    // Nothing was sent by either resume.
    anything.assert_calls_async(0).await;
    anything.delete_async().await;

    // Its own resume sends it, without `save_data` (the family takes none).
    let resumed = server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path("/api/balances/")
                .json_body(json!({"session": "s-probe", "link": LINK, "token": "1"}));
            then.status(200).json_body(json!([balance()]));
        })
        .await;
    let out = c
        .resource::<Probe>()
        .resume(&pending, Some(Token::new("1")))
        .await;
    let Ok(Retrieval::Complete(records)) = out else {
        panic!("expected records: {out:?}")
    };
    assert_eq!(records.records.len(), 1);
    assert!(!records.persisted);
    resumed.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_flow_drives_any_family_and_resumes_inputless_without_a_token() {
    let server = MockServer::start_async().await;
    let retrieve = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/balances/");
            then.status(428)
                .json_body(token_required("s1", "inputless", false));
        })
        .await;
    let resume = server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path("/api/balances/")
                .json_body(json!({"session": "s1", "link": LINK}));
            then.status(201).json_body(json!([balance(), balance()]));
        })
        .await;
    let c = client(&server);
    let done = c
        .resource::<Probe>()
        .retrieve_with_mfa(&request(), |p| {
            assert!(!p.needs_token());
            // The user approved in the bank's app; a token would not be sent.
            async { Ok::<_, std::io::Error>(Token::new("not sent")) }
        })
        .await
        .expect("completes");
    assert_eq!(done.records.len(), 2);
    assert!(done.persisted);
    retrieve.assert_calls_async(1).await;
    resume.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_retrieve_without_resume_says_so_in_its_type() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/balances/");
            then.status(428)
                .json_body(json!([token_required("s2", "numeric", true)]));
        })
        .await;
    let c = client(&server);
    let out: Retrieval<Records<types::Balance>, Unresumable> = c
        .resource::<Glimpse>()
        .retrieve(&request())
        .await
        .expect("428");
    let Retrieval::TokenRequired(paused) = out else {
        panic!("expected a 428")
    };
    assert_eq!(paused.family().as_str(), "glimpse");
    assert_eq!(paused.link(), LINK);
    assert!(paused.needs_token());
    assert_eq!(paused.request_id(), Some("r1"));
    assert_eq!(paused.challenge().map(|c| c.kind.as_str()), Some("numeric"));
}

#[test]
fn a_resume_body_hides_its_token() {
    let body = ResumeBody {
        session: "s".into(),
        link: LINK.into(),
        token: Some("987654".into()),
        save_data: true,
    };
    let shown = format!("{body:?}");
    assert!(
        !shown.contains("987654") && shown.contains("<redacted>"),
        "{shown}"
    );
}
