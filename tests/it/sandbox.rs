//! The client against the embedded sandbox: every scenario end to end.

use std::time::Duration;

use belvo::testing::{
    Sandbox, SandboxConfig, Scenario, TokenRequiredShape, SANDBOX_QR, SANDBOX_TOKEN,
};
use belvo::{Error, Retrieval, RetrieveRequest, Token};

use crate::support::date;

fn request(s: Scenario) -> RetrieveRequest {
    RetrieveRequest::new(s.link(), date(2024, 1, 1), date(2024, 1, 31))
}

async fn answer() -> Result<Token, std::io::Error> {
    Ok(Token::new(SANDBOX_TOKEN))
}

#[tokio::test]
async fn every_scenario_through_the_flow_helper() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let c = sandbox.client().expect("client");
    for (scenario, turns) in [
        (Scenario::NoMfa, 0),
        (Scenario::TokenOnce, 1),
        (Scenario::TokenTwice, 2),
        (Scenario::Inputless, 1),
        (Scenario::Expiring, 1),
        (Scenario::Qr, 1),
    ] {
        let mut asked = 0;
        let done = c
            .balances()
            .retrieve_with_mfa(&request(scenario), |p| {
                asked += 1;
                // The QR scenario shows the code to scan, and asks no token.
                let qr = p.challenge().and_then(|c| c.value.as_deref()) == Some(SANDBOX_QR);
                assert_eq!(qr, scenario == Scenario::Qr, "{scenario:?}");
                assert_eq!(
                    p.needs_token(),
                    scenario != Scenario::Qr && scenario != Scenario::Inputless
                );
                answer()
            })
            .await
            .unwrap_or_else(|e| panic!("{scenario:?}: {e}"));
        assert_eq!(asked, turns, "{scenario:?}");
        assert_eq!(done.balances.len(), 3, "{scenario:?}");
        assert!(done.persisted);
        assert!(done
            .balances
            .iter()
            .all(|b| b.value_date == date(2024, 1, 31)));
    }
    let err = c
        .balances()
        .retrieve_with_mfa(&request(Scenario::WrongToken), |_| answer())
        .await
        .expect_err("wrong token");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.codes(), vec![&belvo::ErrorCode::Invalid]);
}

#[tokio::test]
async fn all_428_shapes_and_string_expiry_resume() {
    for shape in [
        TokenRequiredShape::Object,
        TokenRequiredShape::Array,
        TokenRequiredShape::Legacy,
    ] {
        for expiry_as_string in [false, true] {
            let sandbox = Sandbox::start_with(SandboxConfig {
                shape,
                expiry_as_string,
                ..SandboxConfig::default()
            })
            .await
            .expect("sandbox");
            let c = sandbox.client().expect("client");
            let Retrieval::TokenRequired(p) = c
                .balances()
                .retrieve(&request(Scenario::TokenOnce))
                .await
                .expect("428")
            else {
                panic!("{shape:?}: expected 428")
            };
            assert!(p.expires_at().is_some(), "{shape:?}");
            let Retrieval::Complete(done) = c
                .balances()
                .resume(&p, Some(Token::new(SANDBOX_TOKEN)))
                .await
                .expect("resumed")
            else {
                panic!("{shape:?}: expected balances")
            };
            assert_eq!(done.balances.len(), 3);
            assert_eq!(sandbox.hits().resume, 1);
        }
    }
}

#[tokio::test]
async fn an_expired_session_fails_locally_then_on_the_server() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let c = sandbox.client().expect("client");
    let Retrieval::TokenRequired(p) = c
        .balances()
        .retrieve(&request(Scenario::Expiring))
        .await
        .expect("428")
    else {
        panic!("expected 428")
    };
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let err = c
        .balances()
        .resume(&p, Some(Token::new(SANDBOX_TOKEN)))
        .await
        .expect_err("expired");
    assert!(matches!(err, Error::SessionExpired { .. }), "{err}");
    assert_eq!(sandbox.hits().resume, 0, "nothing was sent");
    // A client that ignores the deadline (a forged one) meets the server's check.
    let forged: belvo::PendingSession =
        serde_json::from_value(serde_json::json!({"session": p.session(), "link": p.link()}))
            .expect("pending");
    let err = c
        .balances()
        .resume(&forged, Some(Token::new(SANDBOX_TOKEN)))
        .await
        .expect_err("expired");
    assert!(err.is_session_expired(), "{err}");
}

#[tokio::test]
async fn bad_credentials_and_bad_requests_are_api_errors() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let c = belvo::Client::builder()
        .base_url(sandbox.base_url())
        .credentials(belvo::Credentials::new("wrong", "wrong"))
        .build()
        .expect("client");
    let err = c
        .balances()
        .retrieve(&request(Scenario::NoMfa))
        .await
        .expect_err("401");
    assert_eq!(err.codes(), vec![&belvo::ErrorCode::AuthenticationFailed]);
    let c = sandbox.client().expect("client");
    let unknown = RetrieveRequest::new(uuid::Uuid::nil(), date(2024, 1, 1), date(2024, 1, 2));
    let err = c.balances().retrieve(&unknown).await.expect_err("400");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.errors[0].field.as_deref(), Some("link"));
    assert_eq!(api.code(), Some(&belvo::ErrorCode::DoesNotExist));
}

#[tokio::test]
async fn list_detail_delete_against_the_sandbox() {
    use futures::TryStreamExt;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let c = sandbox.client().expect("client");
    let all: Vec<_> = c
        .balances()
        .list(belvo::ListQuery::for_link(Scenario::NoMfa.link()).page_size(100))
        .try_collect()
        .await
        .expect("list");
    assert_eq!(all.len(), 250);
    assert_eq!(sandbox.hits().list, 3);
    let mut ids: Vec<_> = all.iter().map(|b| b.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 250, "no balance twice");
    let one = c.balances().get(all[7].id).await.expect("detail");
    assert_eq!(one, all[7]);
    c.balances().delete(all[7].id).await.expect("delete");
    let err = c.balances().get(all[7].id).await.expect_err("gone");
    assert_eq!(err.codes(), vec![&belvo::ErrorCode::NotFound]);
}

/// The sandbox sending the nulls and the unknown category Belvo documents:
/// every MFA scenario still ends in typed balances, list and detail decode,
/// and a null stays `None` (never a default).
#[tokio::test]
async fn documented_nulls_decode_through_every_flow() {
    use futures::TryStreamExt;

    let config = SandboxConfig::default().documented_nulls(true);
    let sandbox = Sandbox::start_with(config).await.expect("sandbox");
    let c = sandbox.client().expect("client");
    for scenario in [
        Scenario::NoMfa,
        Scenario::TokenOnce,
        Scenario::TokenTwice,
        Scenario::Inputless,
    ] {
        let done = c
            .balances()
            .retrieve_with_mfa(&request(scenario), |_| answer())
            .await
            .unwrap_or_else(|e| panic!("{scenario}: {e}"));
        assert!(done.persisted, "{scenario}");
        assert!(!done.balances.is_empty(), "{scenario}");
        for b in &done.balances {
            assert_eq!(b.current_balance, None, "{scenario}");
            assert_eq!(b.collected_at, None, "{scenario}");
            let account = b.account.as_ref().expect("the account object is sent");
            assert_eq!(account.name, None, "{scenario}");
        }
        let categories: Vec<_> = done
            .balances
            .iter()
            .map(|b| b.account.as_ref().and_then(|a| a.category.clone()))
            .collect();
        assert!(categories.contains(&None), "{scenario}: {categories:?}");
        assert!(
            categories
                .iter()
                .flatten()
                .any(|c| !c.ends_with("_ACCOUNT") && c != "CREDIT_CARD" && c != "UNCATEGORIZED"),
            "{scenario}: no unknown category in {categories:?}"
        );
    }
    let listed: Vec<_> = c
        .balances()
        .list(belvo::ListQuery::for_link(Scenario::TokenOnce.link()))
        .try_collect()
        .await
        .expect("list decodes");
    assert!(!listed.is_empty());
    let one = c
        .balances()
        .get(listed[0].id)
        .await
        .expect("detail decodes");
    assert_eq!(one, listed[0]);
}

/// `fields` / `omit` that would leave out what a balance cannot be decoded
/// without (the sandbox honours both, as Belvo does) are refused before the
/// bank session is opened; those that keep it decode.
#[tokio::test]
async fn fields_and_omit_that_break_decoding_are_refused_unsent() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let c = sandbox.client().expect("client");
    for (r, name) in [
        (request(Scenario::NoMfa).fields("id,balance"), "value_date"),
        (request(Scenario::NoMfa).omit("value_date"), "value_date"),
        (request(Scenario::NoMfa).omit("statement,id"), "id"),
    ] {
        let err = c.balances().retrieve(&r).await.expect_err("refused");
        let Error::InvalidRequest(m) = &err else {
            panic!("{err:?}")
        };
        assert!(m.contains(&format!("`{name}`")), "{m}");
    }
    assert_eq!(sandbox.hits().retrieve, 0, "nothing sent");

    let slim = request(Scenario::NoMfa).fields("id,value_date,balance");
    let Retrieval::Complete(done) = c.balances().retrieve(&slim).await.expect("decodes") else {
        panic!("no MFA in this scenario")
    };
    assert_eq!(done.balances.len(), 3);
    assert!(done
        .balances
        .iter()
        .all(|b| b.account.is_none() && b.current_balance.is_none()));
    let without = request(Scenario::NoMfa).omit("account,statement");
    let Retrieval::Complete(done) = c.balances().retrieve(&without).await.expect("decodes") else {
        panic!("no MFA in this scenario")
    };
    assert!(done
        .balances
        .iter()
        .all(|b| b.account.is_none() && b.statement.is_none() && b.current_balance.is_some()));
    assert_eq!(sandbox.hits().retrieve, 2);
}
