//! Bodies shaped the way Belvo documents them decode: `null` in every field
//! its reference marks nullable, enum values not seen before, unknown extra
//! fields, amounts beyond f64, timestamps with microseconds, optional fields
//! absent. And when a body does not decode, the error says where.

use std::str::FromStr;

use belvo::{Error, ListQuery, Retrieval, RetrieveRequest};
use futures::TryStreamExt;
use httpmock::MockServer;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::support::*;

/// More digits than an f64 holds (it would read 12345678901234567000).
const BIG: &str = "12345678901234567890.123456789";

/// Every field Belvo documents as nullable in Balance and Account is null.
fn all_nulls(id: &str) -> Value {
    json!({
        "id": id,
        "account": null,
        "value_date": "2024-01-31",
        "balance": serde_json::Number::from_str(BIG).expect("number"),
        "current_balance": null,
        "statement": null,
        "collected_at": null
    })
}

/// The account is there, with every nullable field of it null.
fn account_nulls(id: &str) -> Value {
    json!({
        "id": id,
        "account": {"id": "0d3ffb69-f83b-456e-ad8e-208d0998d71d", "category": null, "name": null, "currency": null},
        "value_date": "2024-02-09",
        "balance": -0.5,
        "current_balance": null,
        "statement": null,
        "collected_at": "2022-02-09T08:45:50.406032Z"
    })
}

/// An unknown category and unknown fields; every optional field absent.
fn unknown_and_absent(id: &str) -> Value {
    json!({
        "id": id,
        "account": {"id": "0d3ffb69-f83b-456e-ad8e-208d0998d71d", "category": "CRYPTO_WALLET", "bank_product_id": "x1"},
        "value_date": "2024-02-10",
        "balance": 0,
        "internal_identification": {"nested": [1, 2]}
    })
}

const IDS: [&str; 3] = [
    "8d9e1b4e-1111-4a4a-9b9b-000000000001",
    "8d9e1b4e-1111-4a4a-9b9b-000000000002",
    "8d9e1b4e-1111-4a4a-9b9b-000000000003",
];

fn bodies() -> Vec<Value> {
    vec![
        all_nulls(IDS[0]),
        account_nulls(IDS[1]),
        unknown_and_absent(IDS[2]),
    ]
}

/// What the three balances must decode to, checked field by field.
fn check(balances: &[belvo::types::Balance]) {
    assert_eq!(balances.len(), 3);
    let [a, b, c] = balances else { unreachable!() };
    assert_eq!(a.account, None);
    assert_eq!(a.balance, Decimal::from_str(BIG).expect("decimal"));
    assert_eq!(a.balance.to_string(), BIG);
    // And back out as the same JSON number, digit for digit.
    let again = serde_json::to_value(a).expect("serializes");
    assert_eq!(again["balance"].to_string(), BIG);
    assert!(again["balance"].is_number());
    assert_eq!(
        (&a.current_balance, &a.statement, &a.collected_at),
        (&None, &None, &None)
    );
    let account = b.account.as_ref().expect("account");
    assert_eq!(
        (&account.category, &account.name, &account.currency),
        (&None, &None, &None)
    );
    assert_eq!(b.balance, Decimal::new(-5, 1));
    let at = b.collected_at.expect("collected_at");
    assert_eq!(at.timestamp_subsec_micros(), 406_032);
    assert_eq!(at.to_rfc3339(), "2022-02-09T08:45:50.406032+00:00");
    let account = c.account.as_ref().expect("account");
    assert_eq!(account.category.as_deref(), Some("CRYPTO_WALLET"));
    assert_eq!((&account.name, &account.currency), (&None, &None));
    assert_eq!(c.balance, Decimal::ZERO);
    assert_eq!(c.collected_at, None);
}

fn request() -> RetrieveRequest {
    RetrieveRequest::new(link(), date(2024, 1, 1), date(2024, 1, 31))
}

#[tokio::test]
async fn retrieve_and_resume_decode_documented_nulls() {
    let server = MockServer::start_async().await;
    answer(&server, "POST", 201, json!(bodies())).await;
    answer(&server, "PATCH", 200, json!(bodies())).await;
    let c = client(&server.base_url());
    let Retrieval::Complete(r) = c.balances().retrieve(&request()).await.expect("retrieve") else {
        panic!("complete")
    };
    check(&r.balances);
    assert!(r.persisted);

    let pending: belvo::PendingSession =
        serde_json::from_value(json!({"session": "s", "link": LINK})).expect("pending");
    let Retrieval::Complete(r) = c
        .balances()
        .resume(&pending, Some("1".into()))
        .await
        .expect("resume")
    else {
        panic!("complete")
    };
    check(&r.balances);
    assert!(!r.persisted);
}

#[tokio::test]
async fn list_and_detail_decode_documented_nulls() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/");
            then.status(200).json_body(
                json!({"count": 3, "next": null, "previous": null, "results": bodies()}),
            );
        })
        .await;
    for (id, body) in IDS.iter().zip(bodies()) {
        server
            .mock_async(move |when, then| {
                when.method("GET").path(format!("/api/balances/{id}/"));
                then.status(200).json_body(body);
            })
            .await;
    }
    let c = client(&server.base_url());
    let listed: Vec<_> = c
        .balances()
        .list(ListQuery::default())
        .try_collect()
        .await
        .expect("list");
    check(&listed);
    let mut got = Vec::new();
    for id in IDS {
        got.push(
            c.balances()
                .get(id.parse().expect("uuid"))
                .await
                .expect("detail"),
        );
    }
    check(&got);
}

async fn retrieve_body(body: Value) -> Result<Retrieval, Error> {
    let server = MockServer::start_async().await;
    answer(&server, "POST", 201, body).await;
    client(&server.base_url())
        .balances()
        .retrieve(&request())
        .await
}

#[tokio::test]
async fn a_null_amount_is_an_error_never_zero() {
    let mut bad = all_nulls(IDS[0]);
    bad["balance"] = Value::Null;
    let err = retrieve_body(json!([bad])).await.expect_err("null amount");
    let Error::Decode { path, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "[0].balance");
    assert!(message.contains("invalid type: null"), "{message}");
    // Absent is refused too: `balance` is required.
    let mut absent = all_nulls(IDS[0]);
    absent.as_object_mut().expect("object").remove("balance");
    let err = retrieve_body(json!([absent])).await.expect_err("no amount");
    assert!(err.to_string().contains("missing field `balance`"), "{err}");
}

#[tokio::test]
async fn decode_errors_name_the_path_and_keep_status_and_body() {
    let mut third = account_nulls(IDS[2]);
    third["account"]["category"] = json!(7);
    let body = json!([all_nulls(IDS[0]), account_nulls(IDS[1]), third]);
    let raw = serde_json::to_vec(&body).expect("json");
    let err = retrieve_body(body).await.expect_err("category 7");
    let Error::Decode {
        status,
        path,
        message,
        body,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(status.as_u16(), 201);
    assert_eq!(&body[..], &raw[..]);
    assert_eq!(path, "[2].account.category");
    assert!(
        message.starts_with("invalid type: integer `7`, expected a string"),
        "{message}"
    );
    let shown = err.to_string();
    assert!(
        shown.contains("[2].account.category: invalid type: integer `7`, expected a string"),
        "{shown}"
    );
    assert!(!shown.contains('\n'));

    // Inside a number (serde_json keeps numbers as text here): the path is
    // the field's, not serde_json's internal key.
    let mut huge = all_nulls(IDS[0]);
    huge["balance"] = serde_json::Number::from_str("1e40").expect("number").into();
    let err = retrieve_body(json!([huge])).await.expect_err("too large");
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == "[0].balance"),
        "{err:?}"
    );

    // A wrong shape at the top names the body itself.
    let err = retrieve_body(json!({"count": 1}))
        .await
        .expect_err("object");
    assert!(
        matches!(&err, Error::Decode { path, message, .. } if path == "." && message.contains("expected a sequence")),
        "{err:?}"
    );
}

/// The document the client is generated from.
const DOCUMENT: &str = include_str!("../../openapi/belvo.openapi.json");

/// A body of component `name` from the document itself: every property
/// `null` but the required ones, which get a value of their type.
fn nulls_of(name: &str) -> Value {
    let doc: Value = serde_json::from_str(DOCUMENT).expect("the document");
    let schema = &doc["components"]["schemas"][name];
    let required: Vec<&Value> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let props = schema["properties"].as_object().expect(name);
    let body = props.iter().map(|(key, p)| {
        let value = match (p["type"].as_str(), p["format"].as_str()) {
            _ if !required.contains(&&json!(key)) => Value::Null,
            (_, Some("uuid")) => json!("8d9e1b4e-1111-4a4a-9b9b-000000000009"),
            (_, Some("date")) => json!("2024-01-31"),
            (_, Some("date-time")) => json!("2024-01-31T12:00:00.123456Z"),
            (Some("number" | "integer"), _) => json!(1),
            (Some("boolean"), _) => json!(true),
            _ => json!("x"),
        };
        (key.clone(), value)
    });
    Value::Object(body.collect())
}

/// A record with `null` in every property that is not required decodes
/// (the document's nulls, not a hand-written list), and each of those
/// reads as absent, never as a default (`0`, `""`, `[]`, `false`).
fn decodes_nulls<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str) {
    let body = nulls_of(name);
    let typed: T = serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = serde_json::to_value(&typed).expect("serializes");
    for (key, sent) in body.as_object().expect("object") {
        let read = back.get(key).unwrap_or(&Value::Null);
        assert_eq!(read, sent, "{name}.{key}");
    }
}

#[test]
fn every_resource_record_decodes_nulls_wherever_it_may() {
    use belvo::types;
    decodes_nulls::<types::Link>("Link");
    decodes_nulls::<types::Account>("Account");
    decodes_nulls::<types::Transaction>("Transaction");
    decodes_nulls::<types::Balance>("Balance");
    decodes_nulls::<types::Owner>("Owner");
    decodes_nulls::<types::Income>("Income");
    decodes_nulls::<types::RecurringExpense>("RecurringExpense");
    decodes_nulls::<types::RiskInsight>("RiskInsight");
    decodes_nulls::<types::Portfolio>("Portfolio");
    decodes_nulls::<types::Invoice>("Invoice");
    decodes_nulls::<types::ReceivableTransaction>("ReceivableTransaction");
    decodes_nulls::<types::EmploymentRecord>("EmploymentRecord");
}
