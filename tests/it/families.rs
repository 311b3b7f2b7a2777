//! Every family of the generic layer against httpmock: the retrieve, its
//! 428 tagged with the family, the resume on the family's own path with the
//! exact body it takes, sessions refused by other families, lists read
//! page after page, detail and delete. One test body, run for each family.

use belvo::family::{self, Resumable, Unresumable};
use belvo::{types, Error, FamilyName, PendingSession, Records, Retrieval, Token};
use futures::TryStreamExt;
use httpmock::MockServer;
use serde_json::{json, Value};

use crate::support::{client, date, link, token_required, LINK};

const RECORD: &str = "9c1bfb88-6f49-4f0e-8b43-0b4d1b1d1a01";

/// A record as Belvo may send one: its id, a documented `null`, a field
/// this version does not know.
fn record() -> Value {
    json!({"id": RECORD, "collected_at": null, "brand_new_field": {"x": 1}})
}

/// How a family's retrieve and resume are shaped on the wire.
struct Wire {
    path: &'static str,
    /// The retrieve answers one object, not an array.
    one: bool,
    /// The resume answers one object, not an array.
    resume_one: bool,
    /// The resume body carries `save_data`.
    save_data: bool,
}

/// Retrieve → 428 → resume for family `F`, checking every step.
async fn pause_and_resume<F, R>(wire: Wire, request: F::Request, name: FamilyName)
where
    F: Resumable<Output = Records<R>>,
    F::Request: serde::Serialize,
    R: std::fmt::Debug,
{
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    // The retrieve sends the request exactly as given.
    let sent = serde_json::to_value(&request).expect("the request serializes");
    let retrieve = server
        .mock_async(|when, then| {
            when.method("POST").path(wire.path).json_body(sent);
            then.status(428)
                .json_body(token_required("s-42", json!(600), "numeric", true));
        })
        .await;
    let Retrieval::TokenRequired(pending) =
        c.resource::<F>().retrieve(&request).await.expect("428")
    else {
        panic!("{}: expected a 428", wire.path)
    };
    assert_eq!(pending.family(), &name, "{}", wire.path);
    assert_eq!(pending.session(), "s-42");
    retrieve.assert_calls_async(1).await;

    // The session survives a store and a load, and only its family takes it.
    let stored = serde_json::to_string(&pending).expect("serializes");
    let pending: PendingSession = serde_json::from_str(&stored).expect("loads");
    let wrong = c
        .balances()
        .resume(&pending, Some(Token::new("1")))
        .await
        .expect_err("another family's resume");
    assert!(
        matches!(&wrong, Error::WrongFamily { session, .. } if *session == name),
        "{wrong:?}"
    );

    let mut body = json!({"session": "s-42", "link": LINK, "token": "123456"});
    if wire.save_data {
        body["save_data"] = json!(true);
    }
    let answer = if wire.resume_one {
        record()
    } else {
        json!([record(), record()])
    };
    let resume = server
        .mock_async(|when, then| {
            when.method("PATCH").path(wire.path).json_body(body);
            then.status(201).json_body(answer);
        })
        .await;
    let out = c
        .resource::<F>()
        .resume(&pending, Some(Token::new("123456")))
        .await;
    let Ok(Retrieval::Complete(done)) = out else {
        panic!("{}: expected records, got {out:?}", wire.path)
    };
    assert_eq!(done.records.len(), if wire.resume_one { 1 } else { 2 });
    assert!(done.persisted);
    resume.assert_calls_async(1).await;

    // A retrieve that completes at once.
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    let answer = if wire.one {
        record()
    } else {
        json!([record()])
    };
    server
        .mock_async(|when, then| {
            when.method("POST").path(wire.path);
            then.status(200).json_body(answer);
        })
        .await;
    let out = c.resource::<F>().retrieve(&request).await;
    let Ok(Retrieval::Complete(done)) = out else {
        panic!("{}: expected records, got {out:?}", wire.path)
    };
    assert_eq!(done.records.len(), 1);
    assert!(!done.persisted, "a 200 is not persisted");
    one_or_many::<F, R>(&wire, &request).await;

    every_shape_inputless_and_expiry::<F, R>(&wire, &request, &name).await;
}

/// A family takes one record or many from its retrieve, whichever Belvo
/// documents (its collection documents some retrieves as answering one
/// object and their resumes an array); a record that does not decode names
/// its field, in either shape.
async fn one_or_many<F, R>(wire: &Wire, request: &F::Request)
where
    F: Resumable<Output = Records<R>>,
{
    let bad = json!({"id": "not-a-uuid"});
    let answers = [
        (json!([bad]), Err("[0].id")),
        (bad, Err("id")),
        (json!([record(), record()]), Ok(2)),
        (record(), Ok(1)),
    ];
    for (answer, expected) in answers {
        let server = MockServer::start_async().await;
        let body = answer.to_string();
        server
            .mock_async(|when, then| {
                when.method("POST").path(wire.path);
                then.status(201).json_body(answer);
            })
            .await;
        let out = client(&server.base_url())
            .resource::<F>()
            .retrieve(request)
            .await;
        match (out, expected) {
            (Ok(Retrieval::Complete(done)), Ok(n)) if done.records.len() == n => {}
            // The body is kept as it came (not as decoded and written again).
            (
                Err(Error::Decode {
                    path, body: kept, ..
                }),
                Err(field),
            ) if path == field
                && serde_json::from_slice::<Value>(&kept).ok()
                    == serde_json::from_str(&body).ok() => {}
            (Err(other), _) => panic!("{}: {body} gave {other:?}", wire.path),
            (Ok(_), _) => panic!("{}: {body} gave the wrong records or a pause", wire.path),
        }
    }
}

/// The 428 in each shape Belvo sends (object, array of one, legacy
/// `detail`), tagged with the family; an inputless pause resumed without
/// asking for a token; a session past its deadline refused locally.
async fn every_shape_inputless_and_expiry<F, R>(
    wire: &Wire,
    request: &F::Request,
    name: &FamilyName,
) where
    F: Resumable<Output = Records<R>>,
    R: std::fmt::Debug,
{
    let object = token_required("s-7", json!(600), "numeric", true);
    let shapes = [
        object.clone(),
        json!([object]),
        json!({"detail": "Token Required", "session": "s-7", "expiry": "600", "link": LINK}),
    ];
    for body in shapes {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method("POST").path(wire.path);
                then.status(428).json_body(body.clone());
            })
            .await;
        let out = client(&server.base_url())
            .resource::<F>()
            .retrieve(request)
            .await;
        let Ok(Retrieval::TokenRequired(p)) = out else {
            panic!("{}: {body} gave {out:?}", wire.path)
        };
        assert_eq!((p.family(), p.session(), p.link()), (name, "s-7", LINK));
        assert!(p.expires_at().is_some(), "{body}");
    }

    // Inputless: the user is asked (to approve in the bank's app), then the
    // session is resumed without a token, whatever the provider returned.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path(wire.path);
            then.status(428)
                .json_body(token_required("s-in", json!(600), "inputless", false));
        })
        .await;
    let resume = server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path(wire.path)
                .json_body_includes(json!({"session": "s-in", "link": LINK}).to_string())
                .is_true(|req| {
                    let body: Value =
                        serde_json::from_slice(req.body().as_ref()).unwrap_or_default();
                    body.get("token").is_none()
                });
            then.status(200).json_body(if wire.resume_one {
                record()
            } else {
                json!([record()])
            });
        })
        .await;
    let mut asked = 0;
    let done = client(&server.base_url())
        .resource::<F>()
        .retrieve_with_mfa(request, |p| {
            asked += 1;
            assert!(!p.needs_token());
            async { Ok::<_, std::io::Error>(Token::new("not sent")) }
        })
        .await
        .expect("inputless completes");
    assert_eq!(done.records.len(), 1);
    assert_eq!(asked, 1, "{}", wire.path);
    resume.assert_calls_async(1).await;

    // Past its deadline: refused before anything is sent.
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let expired: PendingSession = serde_json::from_value(json!({
        "session": "s-old", "link": LINK, "family": name.as_str(),
        "expires_at": "2020-01-01T00:00:00Z"
    }))
    .expect("a stored session");
    let err = client(&server.base_url())
        .resource::<F>()
        .resume(&expired, Some(Token::new("1")))
        .await
        .expect_err("expired");
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    anything.assert_calls_async(0).await;
}

/// Detail and delete of one record, on the family's own paths.
async fn list_detail_delete<F>(path: &'static str, detail_is_array: bool)
where
    F: family::Deletable<Id = uuid::Uuid>,
{
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    let detail_path = format!("{path}{RECORD}/");
    let answer = if detail_is_array {
        json!([record()])
    } else {
        record()
    };
    let detail = server
        .mock_async(|when, then| {
            when.method("GET").path(&detail_path);
            then.status(200).json_body(answer);
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method("DELETE").path(&detail_path);
            then.status(204);
        })
        .await;
    let id: uuid::Uuid = RECORD.parse().expect("uuid");
    c.resource::<F>().get(id).await.expect("detail");
    c.resource::<F>().delete(id).await.expect("delete");
    detail.assert_calls_async(1).await;
    delete.assert_calls_async(1).await;
}

fn by_link() -> types::LinkRetrieveRequest {
    types::LinkRetrieveRequest {
        link: link(),
        save_data: Some(true),
        token: None,
    }
}

macro_rules! family_tests {
    ($test:ident, $family:ty, $name:expr, $wire:expr, $request:expr, $record:ty, $list:ident, $detail_array:expr) => {
        #[tokio::test]
        async fn $test() {
            pause_and_resume::<$family, $record>($wire, $request, $name).await;
            list_detail_delete::<$family>($wire.path, $detail_array).await;
            // Every page of the list, through the generated builder.
            let server = MockServer::start_async().await;
            let c = client(&server.base_url());
            let next = format!("{}{}?link={LINK}&page=2", server.base_url(), $wire.path);
            let first = server
                .mock_async(|when, then| {
                    when.method("GET")
                        .path($wire.path)
                        .query_param("link", LINK)
                        .query_param_missing("page");
                    then.status(200).json_body(
                        json!({"count": 3, "next": next, "previous": null, "results": [record(), record()]}),
                    );
                })
                .await;
            let second = server
                .mock_async(|when, then| {
                    when.method("GET")
                        .path($wire.path)
                        .query_param("link", LINK)
                        .query_param("page", "2");
                    then.status(200).json_body(
                        json!({"count": 3, "next": null, "previous": null, "results": [record()]}),
                    );
                })
                .await;
            let all: Vec<$record> = c
                .paginate(c.$list().link(link()))
                .try_collect()
                .await
                .expect("list");
            first.assert_calls_async(1).await;
            second.assert_calls_async(1).await;
            assert_eq!(all.len(), 3);
        }
    };
}

const fn wire(path: &'static str, one: bool, resume_one: bool, save_data: bool) -> Wire {
    Wire {
        path,
        one,
        resume_one,
        save_data,
    }
}

family_tests!(
    accounts,
    family::Accounts,
    FamilyName::Accounts,
    wire("/api/accounts/", false, false, true),
    by_link(),
    types::Account,
    accounts_list,
    false
);

family_tests!(
    owners,
    family::Owners,
    FamilyName::Owners,
    wire("/api/owners/", false, false, true),
    by_link(),
    types::Owner,
    owners_list,
    false
);

family_tests!(
    transactions,
    family::Transactions,
    FamilyName::Transactions,
    wire("/api/transactions/", false, false, true),
    types::DateRangeRetrieveRequest {
        account: None,
        date_from: date(2024, 1, 1),
        date_to: date(2024, 1, 31),
        link: link(),
        save_data: Some(true),
        token: None,
    },
    types::Transaction,
    transactions_list,
    false
);

#[cfg(feature = "enrichment")]
family_tests!(
    incomes,
    family::Incomes,
    FamilyName::Incomes,
    wire("/api/incomes/", true, false, true),
    types::IncomesRetrieveRequest {
        allowed_income_types: Vec::new(),
        date_from: None,
        date_to: None,
        link: link(),
        minimum_confidence_level: None,
        save_data: Some(true),
        token: None,
    },
    types::Income,
    incomes_list,
    true
);

#[cfg(feature = "enrichment")]
family_tests!(
    risk_insights,
    family::RiskInsights,
    FamilyName::RiskInsights,
    wire("/api/risk-insights/", false, false, true),
    by_link(),
    types::RiskInsight,
    risk_insights_list,
    true
);

#[cfg(feature = "enrichment")]
family_tests!(
    recurring_expenses,
    family::RecurringExpenses,
    FamilyName::RecurringExpenses,
    wire("/api/recurring-expenses/", false, false, true),
    types::PeriodRetrieveRequest {
        date_from: "2024-01-01".parse().expect("a date"),
        date_to: "2024-01-31".parse().expect("a date"),
        link: link(),
        save_data: Some(true),
        token: None,
    },
    types::RecurringExpense,
    recurring_expenses_list,
    true
);

#[cfg(feature = "fiscal")]
family_tests!(
    invoices,
    family::Invoices,
    FamilyName::Invoices,
    wire("/api/invoices/", false, false, true),
    types::InvoicesRetrieveRequest {
        attach_xml: None,
        date_from: "2024-01-01".parse().expect("a date"),
        date_to: "2024-01-31".parse().expect("a date"),
        link: link(),
        save_data: Some(true),
        type_: "INFLOW".into(),
    },
    types::Invoice,
    invoices_list,
    false
);

#[cfg(feature = "investments")]
family_tests!(
    investment_portfolios,
    family::InvestmentPortfolios,
    FamilyName::InvestmentPortfolios,
    wire("/investments/portfolios/", true, true, false),
    by_link(),
    types::Portfolio,
    investment_portfolios_list,
    false
);

#[cfg(feature = "receivables")]
#[tokio::test]
async fn receivables_pause_without_a_resume() {
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    server
        .mock_async(|when, then| {
            when.method("POST").path("/receivables/transactions/");
            then.status(428)
                .json_body(token_required("s-r", json!(600), "numeric", true));
        })
        .await;
    let request = types::PeriodRetrieveRequest {
        date_from: "2024-01-01".parse().expect("a date"),
        date_to: "2024-01-31".parse().expect("a date"),
        link: link(),
        save_data: Some(false),
        token: None,
    };
    let out: Retrieval<Records<types::ReceivableTransaction>, Unresumable> = c
        .receivable_transactions()
        .retrieve(&request)
        .await
        .expect("428");
    let Retrieval::TokenRequired(paused) = out else {
        panic!("expected a 428")
    };
    assert_eq!(paused.family(), &FamilyName::ReceivableTransactions);
    assert_eq!(paused.link(), LINK);
}

#[tokio::test]
async fn an_unresumable_family_says_so_and_keeps_the_challenge() {
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/employment-records/");
            then.status(428)
                .json_body(json!([token_required("s-9", json!("300"), "qr", true)]));
        })
        .await;
    let request = types::EmploymentRecordsRetrieveRequest {
        attach_pdf: None,
        link: link(),
        save_data: None,
    };
    let out: Retrieval<Records<types::EmploymentRecord>, Unresumable> = c
        .employment_records()
        .retrieve(&request)
        .await
        .expect("428");
    let Retrieval::TokenRequired(paused) = out else {
        panic!("expected a 428")
    };
    assert_eq!(paused.family(), &FamilyName::EmploymentRecords);
    assert_eq!(paused.challenge().map(|c| c.kind.as_str()), Some("qr"));
    assert!(paused.expires_at().is_some());
}

#[tokio::test]
async fn an_asynchronous_202_is_an_error_never_an_empty_list() {
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/transactions/");
            then.status(202).json_body(json!({"request_id": "abc"}));
        })
        .await;
    let request = types::DateRangeRetrieveRequest {
        account: None,
        date_from: date(2024, 1, 1),
        date_to: date(2024, 1, 31),
        link: link(),
        save_data: None,
        token: None,
    };
    let err = c
        .transactions()
        .retrieve(&request)
        .await
        .expect_err("202 has no records");
    let Error::Decode { status, body, .. } = &err else {
        panic!("expected a decoding error: {err:?}")
    };
    assert_eq!(status.as_u16(), 202);
    assert!(body.starts_with(b"{\"request_id\""), "{err:?}");
    assert!(err.to_string().contains("expected a sequence"), "{err}");
    assert!(err.to_string().contains("asynchronous answer"), "{err}");
}

#[tokio::test]
async fn links_register_pause_resume_update_and_change_mode() {
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    let link_body = json!({"id": LINK, "institution": "erebor_mx_retail", "access_mode": "recurrent", "status": "valid", "brand_new": true});
    let register = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/links/").json_body(json!({
                "institution": "erebor_mx_retail", "username": "bnk100", "password": "full",
                "access_mode": "single"
            }));
            then.status(428)
                .json_body(token_required("s-link", json!(600), "numeric", true));
        })
        .await;
    let resume = server
        .mock_async(|when, then| {
            // Links take no save_data.
            when.method("PATCH")
                .path("/api/links/")
                .json_body(json!({"session": "s-link", "link": LINK, "token": "123456"}));
            then.status(200).json_body(link_body.clone());
        })
        .await;
    let request =
        belvo::RegisterLink::new("erebor_mx_retail", "bnk100", "full").access_mode("single");
    let mut asked = 0;
    let made = c
        .links()
        .retrieve_with_mfa(&request, |pending| {
            asked += 1;
            assert_eq!(pending.family(), &FamilyName::Links);
            async { Ok::<_, std::io::Error>(Token::new("123456")) }
        })
        .await
        .expect("registered");
    assert_eq!(asked, 1);
    assert_eq!(made.id, link());
    assert_eq!(made.access_mode.as_deref(), Some("recurrent"));
    register.assert_calls_async(1).await;
    resume.assert_calls_async(1).await;

    let item = format!("/api/links/{LINK}/");
    let update = server
        .mock_async(|when, then| {
            when.method("PUT")
                .path(&item)
                .json_body(json!({"password": "new-pass"}));
            then.status(428)
                .json_body(token_required("s-upd", json!(600), "numeric", true));
        })
        .await;
    let out = c
        .links()
        .update_credentials(link(), &belvo::UpdateCredentials::password("new-pass"))
        .await
        .expect("428");
    let Retrieval::TokenRequired(p) = out else {
        panic!("expected a 428")
    };
    assert_eq!((p.family(), p.session()), (&FamilyName::Links, "s-upd"));
    update.assert_calls_async(1).await;

    let change = server
        .mock_async(|when, then| {
            when.method("PATCH")
                .path(&item)
                .json_body(json!({"access_mode": "single"}));
            then.status(200).json_body(link_body.clone());
        })
        .await;
    let out = c
        .links()
        .change_access_mode(link(), "single")
        .await
        .expect("changed");
    assert!(matches!(out, Retrieval::Complete(l) if l.id == link()));
    change.assert_calls_async(1).await;
}

#[tokio::test]
async fn institutions_are_looked_up_by_number() {
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    let detail = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/institutions/42/");
            then.status(200)
                .json_body(json!({"id": 42, "name": "erebor_mx_retail", "country_codes": null}));
        })
        .await;
    let found = c
        .resource::<family::Institutions>()
        .get(42)
        .await
        .expect("detail");
    assert_eq!(found.id, 42);
    detail.assert_calls_async(1).await;
}

#[cfg(feature = "payments")]
#[tokio::test]
async fn a_list_without_pages_is_read_once_and_a_next_link_on_it_ends_the_stream() {
    use futures::StreamExt;
    let key = json!({"id": RECORD, "created_at": null});
    for next in [
        None,
        Some("http://elsewhere.test/payments/secret-keys/?page=2"),
    ] {
        let server = MockServer::start_async().await;
        let c = client(&server.base_url());
        let list = server
            .mock_async(|when, then| {
                when.method("GET").path("/payments/secret-keys/");
                then.status(200).json_body(
                    json!({"count": 2, "next": next, "previous": null, "results": [key.clone(), key.clone()]}),
                );
            })
            .await;
        let items: Vec<_> = c.paginate(c.secret_keys_list()).collect().await;
        assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 2, "{items:?}");
        match next {
            None => assert_eq!(items.len(), 2),
            Some(_) => {
                assert_eq!(items.len(), 3, "{items:?}");
                let Some(Err(Error::PaginationStalled { reason, .. })) = items.last() else {
                    panic!("expected the stream to end in an error: {items:?}")
                };
                assert!(reason.contains("takes no `page`"), "{reason}");
            }
        }
        list.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_428_to_a_detail_belongs_to_no_family_and_no_resume_takes_it() {
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    server
        .mock_async(|when, then| {
            when.method("GET").path(format!("/api/accounts/{RECORD}/"));
            then.status(428)
                .json_body(token_required("s-odd", json!(600), "numeric", true));
        })
        .await;
    let resumes = server
        .mock_async(|when, then| {
            when.method("PATCH");
            then.status(200).json_body(json!([]));
        })
        .await;
    let err = c
        .accounts()
        .get(RECORD.parse().expect("uuid"))
        .await
        .expect_err("a 428 to a detail");
    let Error::UnexpectedTokenRequired(pending) = err else {
        panic!("expected the undocumented 428: {err:?}")
    };
    assert_eq!(pending.family(), &FamilyName::unassigned());
    let refused = c
        .balances()
        .resume(&pending, Some(Token::new("1")))
        .await
        .expect_err("no family's session");
    assert!(matches!(refused, Error::WrongFamily { .. }), "{refused:?}");
    let refused = c
        .accounts()
        .resume(&pending, Some(Token::new("1")))
        .await
        .expect_err("no family's session");
    assert!(matches!(refused, Error::WrongFamily { .. }), "{refused:?}");
    resumes.assert_calls_async(0).await;
}
