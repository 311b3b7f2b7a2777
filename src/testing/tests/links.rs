//! The link lifecycle through the client's Links API: register (at once, or
//! through a scenario's MFA flow), the journey on a registered link, list,
//! detail, updates of credentials and access mode, delete; and over HTTP
//! what the client cannot send.

use futures::TryStreamExt;
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::family::Links;
use crate::{types, ErrorCode, RegisterLink, Retrieval, Token, UpdateCredentials};

async fn token() -> Result<Token, std::io::Error> {
    Ok(Token::new(SANDBOX_TOKEN))
}

fn id_of(link: &types::Link) -> Uuid {
    link.id
}

/// Every link, through `Client::paginate`.
async fn all_links(c: &crate::Client) -> Vec<types::Link> {
    c.paginate(c.links_list().page_size(2))
        .try_collect()
        .await
        .expect("links list")
}

#[tokio::test]
async fn a_fresh_sandbox_has_the_scenario_links() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let links = all_links(&c).await;
    let ids: Vec<Uuid> = links.iter().map(id_of).collect();
    let expected: Vec<Uuid> = Scenario::ALL.iter().map(|s| s.link()).collect();
    assert_eq!(ids, expected);
    for (link, scenario) in links.iter().zip(Scenario::ALL) {
        assert_eq!(link.external_id.as_deref(), Some(scenario.name()));
        assert_eq!(link.status.as_deref(), Some("valid"));
        assert_eq!(link.access_mode.as_deref(), Some("recurrent"));
    }
    let one = c
        .links()
        .get(Scenario::Expiring.link())
        .await
        .expect("detail");
    assert_eq!(one, links[4]);
    // One link per scenario, on pages of two.
    assert_eq!(
        api.sandbox.hits().list,
        Scenario::ALL.len().div_ceil(2) as u64
    );
}

#[tokio::test]
async fn a_filter_the_sandbox_does_not_implement_is_refused_not_ignored() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let err = c
        .paginate(c.links_list().external_id("customer-42"))
        .try_collect::<Vec<types::Link>>()
        .await
        .expect_err("an unimplemented filter");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(
        err.codes(),
        vec![&ErrorCode::Other("unsupported_filter".into())]
    );
    assert!(err.to_string().contains("`external_id`"), "{err}");
    // Without one, the list is whole.
    let one = c
        .paginate(c.links_list().page_size(2))
        .try_collect::<Vec<types::Link>>()
        .await
        .expect("links");
    assert_eq!(one.len(), Scenario::ALL.len());
}

#[tokio::test]
async fn any_other_username_registers_at_once() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let request =
        RegisterLink::new("erebor_mx_retail", "bnk100", "full").external_id("customer-42");
    let Retrieval::Complete(link) = c.links().register(&request).await.expect("registered") else {
        panic!("no-mfa registration paused")
    };
    assert!(Scenario::from_link(link.id).is_none(), "a fresh id");
    assert_eq!(link.institution.as_deref(), Some("erebor_mx_retail"));
    assert_eq!(link.external_id.as_deref(), Some("customer-42"));
    assert_eq!(link.access_mode.as_deref(), Some("recurrent"));
    assert_eq!(c.links().get(link.id).await.expect("detail"), link);
    assert_eq!(all_links(&c).await.len(), Scenario::ALL.len() + 1);

    // Its retrieves run no MFA.
    let accounts = c
        .accounts()
        .retrieve(&types::LinkRetrieveRequest {
            link: link.id,
            save_data: None,
            token: None,
        })
        .await
        .expect("accounts");
    let Retrieval::Complete(accounts) = accounts else {
        panic!("paused")
    };
    assert_eq!(accounts.records.len(), 3);
    let link_text = link.id.to_string();
    assert!(accounts
        .records
        .iter()
        .all(|a| a.link.as_deref() == Some(link_text.as_str())));
    let hits = api.sandbox.hits();
    assert_eq!((hits.register, hits.retrieve, hits.resume), (1, 1, 0));
}

/// What the journey example does: register a link whose username names a
/// scenario, answering every 428, then retrieve accounts, transactions and
/// balances on it, answering every 428 again.
#[tokio::test]
async fn the_journey_runs_the_scenario_of_the_username() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let mut asked = 0;
    let request = RegisterLink::new("erebor_mx_retail", Scenario::TokenTwice.name(), "full");
    let link = c
        .links()
        .retrieve_with_mfa(&request, |pending| {
            assert_eq!(pending.family(), &crate::FamilyName::Links);
            asked += 1;
            token()
        })
        .await
        .expect("registered");
    assert_eq!(asked, 2, "two factors for the registration");
    assert!(Scenario::from_link(link.id).is_none(), "a fresh id");

    let mut asked = 0;
    let accounts = c
        .accounts()
        .retrieve_with_mfa(
            &types::LinkRetrieveRequest {
                link: link.id,
                save_data: None,
                token: None,
            },
            |_| {
                asked += 1;
                token()
            },
        )
        .await
        .expect("accounts");
    let from = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    let to = chrono::NaiveDate::from_ymd_opt(2024, 1, 31).expect("date");
    let transactions = c
        .transactions()
        .retrieve_with_mfa(
            &types::DateRangeRetrieveRequest {
                account: Some(accounts.records[0].id),
                date_from: from,
                date_to: to,
                link: link.id,
                save_data: None,
                token: None,
            },
            |_| {
                asked += 1;
                token()
            },
        )
        .await
        .expect("transactions");
    let balances = c
        .balances()
        .retrieve_with_mfa(&crate::RetrieveRequest::new(link.id, from, to), |_| {
            asked += 1;
            token()
        })
        .await
        .expect("balances");
    assert_eq!(asked, 6, "two factors for each retrieve");
    assert_eq!(accounts.records.len(), 3);
    assert_eq!(transactions.records.len(), 2, "those of one account");
    assert!(transactions
        .records
        .iter()
        .all(|t| t.account.as_ref().map(|a| a.id) == Some(accounts.records[0].id)));
    assert_eq!(balances.balances.len(), 3);
    let hits = api.sandbox.hits();
    assert_eq!((hits.register, hits.retrieve, hits.resume), (1, 3, 8));
}

#[tokio::test]
async fn a_registration_pauses_and_resumes_like_a_retrieve() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let request = RegisterLink::new("erebor_mx_retail", "token-once", "full");
    let Retrieval::TokenRequired(pending) = c.links().register(&request).await.expect("428") else {
        panic!("token-once registered at once")
    };
    let id: Uuid = pending.link().parse().expect("the 428 names the new link");
    // Not a link until the MFA is answered.
    assert_eq!(
        c.links().get(id).await.expect_err("none yet").codes(),
        vec![&ErrorCode::NotFound]
    );
    let Retrieval::Complete(link) = c
        .links()
        .resume(&pending, Some(Token::new(SANDBOX_TOKEN)))
        .await
        .expect("resumed")
    else {
        panic!("paused again")
    };
    assert_eq!(link.id, id);
    assert_eq!(c.links().get(id).await.expect("detail"), link);

    // The right token up front skips the pause; the wrong one is refused.
    let up_front = request.clone().token(SANDBOX_TOKEN);
    let done = c.links().register(&up_front).await.expect("registered");
    assert!(matches!(done, Retrieval::Complete(_)));
    let wrong = RegisterLink::new("erebor_mx_retail", "wrong-token", "full");
    let err = c
        .links()
        .retrieve_with_mfa(&wrong, |_| token())
        .await
        .expect_err("every token is wrong");
    assert_eq!(err.codes(), vec![&ErrorCode::Invalid]);
    // An inputless registration resumes without a token, once approved.
    let inputless = RegisterLink::new("erebor_mx_retail", "INPUTLESS", "full");
    let link = c
        .links()
        .retrieve_with_mfa(&inputless, |p| {
            assert!(!p.needs_token());
            async { Ok::<_, std::io::Error>(None) }
        })
        .await
        .expect("registered");
    assert_eq!(
        all_links(&c).await.len(),
        Scenario::ALL.len() + 3,
        "{link:?}"
    );
}

#[tokio::test]
async fn updates_run_the_scenario_of_the_link() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let links = c.links();

    // No MFA: at once.
    let Retrieval::Complete(link) = links
        .change_access_mode(Scenario::NoMfa.link(), "single")
        .await
        .expect("changed")
    else {
        panic!("paused")
    };
    assert_eq!(link.access_mode.as_deref(), Some("single"));
    assert_eq!(links.get(link.id).await.expect("detail"), link);

    // Token once: a 428, then the resume answers the updated link.
    let Retrieval::TokenRequired(pending) = links
        .change_access_mode(Scenario::TokenOnce.link(), "single")
        .await
        .expect("428")
    else {
        panic!("token-once changed at once")
    };
    assert_eq!(
        links
            .get(Scenario::TokenOnce.link())
            .await
            .expect("detail")
            .access_mode
            .as_deref(),
        Some("recurrent"),
        "not before the MFA"
    );
    let resumed = links
        .complete_with_mfa(Retrieval::TokenRequired(pending), |_| token())
        .await
        .expect("resumed");
    assert_eq!(resumed.access_mode.as_deref(), Some("single"));

    let credentials = UpdateCredentials::password("new-password");
    let Retrieval::TokenRequired(pending) = links
        .update_credentials(Scenario::TokenTwice.link(), &credentials)
        .await
        .expect("428")
    else {
        panic!("token-twice updated at once")
    };
    let updated = links
        .complete_with_mfa(Retrieval::TokenRequired(pending), |_| token())
        .await
        .expect("updated");
    assert_eq!(updated.id, Scenario::TokenTwice.link());
    let at_once = links
        .update_credentials(Scenario::NoMfa.link(), &credentials)
        .await
        .expect("updated");
    assert!(matches!(at_once, Retrieval::Complete(_)));

    // Bad bodies and unknown links.
    let err = links
        .change_access_mode(Scenario::NoMfa.link(), "weekly")
        .await
        .expect_err("400");
    let crate::Error::Api(api_error) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api_error.errors[0].field.as_deref(), Some("access_mode"));
    assert_eq!(api_error.errors[0].code.as_str(), "invalid_choice");
    let err = links
        .update_credentials(Uuid::nil(), &credentials)
        .await
        .expect_err("404");
    assert_eq!(err.codes(), vec![&ErrorCode::NotFound]);
    assert_eq!(api.sandbox.hits().update, 6);
}

#[tokio::test]
async fn a_deleted_link_and_its_records_are_gone() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let request = RegisterLink::new("erebor_mx_retail", "bnk100", "full");
    let Retrieval::Complete(link) = c.links().register(&request).await.expect("registered") else {
        panic!("paused")
    };
    let retrieve = types::LinkRetrieveRequest {
        link: link.id,
        save_data: None,
        token: None,
    };
    let _ = c.owners().retrieve(&retrieve).await.expect("owners");
    let owners = || {
        let list = c.owners_list().link(link.id.to_string());
        c.paginate(list).try_collect::<Vec<types::Owner>>()
    };
    assert_eq!(owners().await.expect("list").len(), 2);

    c.links().delete(link.id).await.expect("deleted");
    let gone = c.links().get(link.id).await.expect_err("gone");
    assert_eq!(gone.codes(), vec![&ErrorCode::NotFound]);
    assert!(
        owners().await.expect("list").is_empty(),
        "its owners went with it"
    );
    let err = c
        .owners()
        .retrieve(&retrieve)
        .await
        .expect_err("no such link");
    assert_eq!(err.codes(), vec![&ErrorCode::DoesNotExist]);
    let again = c.links().delete(link.id).await.expect_err("deleted twice");
    assert_eq!(again.codes(), vec![&ErrorCode::NotFound]);
    assert_eq!(all_links(&c).await.len(), Scenario::ALL.len());
}

#[tokio::test]
async fn bad_link_bodies_are_belvo_400s_naming_the_field() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let blank = RegisterLink::new("  ", "bnk100", "full");
    let err = c.links().register(&blank).await.expect_err("400");
    let crate::Error::Api(api_error) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api_error.errors[0].field.as_deref(), Some("institution"));
    assert_eq!(api_error.errors[0].code, ErrorCode::Blank);

    // What the typed client cannot send.
    let cases = [
        (json!({}), "required", "institution"),
        (
            json!({"institution": "x", "username": "u"}),
            "required",
            "password",
        ),
        (
            json!({"institution": "x", "username": 7, "password": "p"}),
            "invalid",
            "username",
        ),
        (
            json!({"institution": "x", "username": "u", "password": "p", "access_mode": "daily"}),
            "invalid_choice",
            "access_mode",
        ),
        (
            json!({"institution": "x", "username": "u", "password": "p", "fetch_historical": "yes"}),
            "invalid",
            "fetch_historical",
        ),
    ];
    for (body, code, field) in cases {
        let reply = send(api.authed(reqwest::Method::POST, "/api/links/").json(&body)).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        assert_eq!(first_error(&reply)["code"], code, "{body}");
        assert_eq!(first_error(&reply)["field"], field, "{body}");
    }
    let reply = send(
        api.authed(
            reqwest::Method::PATCH,
            &format!("/api/links/{}/", Scenario::NoMfa.link()),
        )
        .json(&json!({})),
    )
    .await;
    assert_eq!(first_error(&reply)["field"], "access_mode");
    // A link session is resumed on /api/links/ only, and a retrieve's only on its resource.
    let paused = send(
        api.authed(reqwest::Method::POST, "/api/links/")
            .json(&json!({"institution": "x", "username": "token-once", "password": "p"})),
    )
    .await;
    let session = session_of(&paused);
    let link = paused.body["link"].clone();
    let elsewhere = api
        .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN}))
        .await;
    assert_eq!(first_error(&elsewhere)["code"], "session_expired");
    let balances = session_of(&api.start_flow(Scenario::TokenOnce).await);
    let on_links = send(api.authed(reqwest::Method::PATCH, "/api/links/").json(
        &json!({"session": balances, "link": Scenario::TokenOnce.link(), "token": SANDBOX_TOKEN}),
    ))
    .await;
    assert_eq!(first_error(&on_links)["code"], "session_expired");
    let done = send(
        api.authed(reqwest::Method::PATCH, "/api/links/")
            .json(&json!({"session": session, "link": link, "token": SANDBOX_TOKEN})),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["id"], link);
}

#[tokio::test]
async fn links_refuse_wrong_credentials() {
    let api = Api::start().await;
    let stranger = crate::Client::builder()
        .base_url(api.sandbox.base_url())
        .credentials(crate::Credentials::new("someone", SANDBOX_SECRET_PASSWORD))
        .build()
        .expect("client");
    let request = RegisterLink::new("erebor_mx_retail", "bnk100", "full");
    let err = stranger.links().register(&request).await.expect_err("401");
    assert_eq!(err.codes(), vec![&ErrorCode::AuthenticationFailed]);
    let err = stranger
        .resource::<Links>()
        .get(Scenario::NoMfa.link())
        .await
        .expect_err("401");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let hits = api.sandbox.hits();
    assert_eq!((hits.unauthorized, hits.register, hits.detail), (2, 0, 0));
}

/// Deleting a link ends its MFA sessions: their resume is a
/// `session_expired`, and nothing is stored for the deleted link.
#[tokio::test]
async fn a_deleted_link_ends_its_sessions() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let request = RegisterLink::new("erebor_mx_retail", "token-once", "full");
    let Retrieval::TokenRequired(pending) = c.links().register(&request).await.expect("paused")
    else {
        panic!("token-once registers with a pause")
    };
    let sandbox_token = || Some(Token::new(SANDBOX_TOKEN));
    let resumed = c.links().resume(&pending, sandbox_token()).await;
    let Retrieval::Complete(link) = resumed.expect("registered") else {
        panic!("one token")
    };
    let retrieve = types::LinkRetrieveRequest {
        link: link.id,
        save_data: None,
        token: None,
    };
    let Retrieval::TokenRequired(paused) = c.owners().retrieve(&retrieve).await.expect("owners")
    else {
        panic!("the link's scenario pauses its retrieves")
    };
    c.links().delete(link.id).await.expect("deleted");
    let resumed = c.owners().resume(&paused, sandbox_token()).await;
    let err = resumed.expect_err("the session ended with its link");
    assert!(err.is_session_expired(), "{err}");
    let owners = c.owners_list().link(link.id.to_string());
    let listed = c.paginate(owners).try_collect::<Vec<types::Owner>>();
    assert!(listed.await.expect("list").is_empty());
}
