//! The bodies of every resource against Belvo's OpenAPI document (each field
//! one of the schema's, of its type and format, `null` only where the
//! schema allows it), the documented nulls over HTTP, and the validation
//! of each resource's retrieve.

use serde_json::{json, Value};

use super::*;
use crate::testing::links::LINKS;
use crate::testing::resources::{Batch, Resource, RESOURCES};

/// Belvo's OpenAPI document, as the client is generated from it.
fn openapi() -> Value {
    serde_json::from_str(include_str!("../../../openapi/belvo.openapi.json")).expect("JSON")
}

/// `schema`, its `$ref` followed.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Why `value` (at `at`) does not conform to `schema`, if it does not.
fn mismatch(doc: &Value, value: &Value, schema: &Value, at: &str) -> Option<String> {
    let resolved = resolve(doc, schema);
    if let Some(choices) = resolved["oneOf"].as_array() {
        return choices
            .iter()
            .all(|c| mismatch(doc, value, c, at).is_some())
            .then(|| format!("{at}: {value} matches no oneOf"));
    }
    let format = resolved["format"].as_str().unwrap_or_default();
    let text = value.as_str().unwrap_or_default();
    let ok = match (resolved["type"].as_str(), value) {
        (None, _) if resolved.get("properties").is_none() => true,
        (Some("string"), Value::String(_)) => match format {
            "uuid" => uuid::Uuid::parse_str(text).is_ok(),
            "date" => text.parse::<chrono::NaiveDate>().is_ok(),
            "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            _ => true,
        },
        (Some("number"), Value::Number(_)) | (Some("boolean"), Value::Bool(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Some("array"), Value::Array(items)) => {
            return items
                .iter()
                .enumerate()
                .find_map(|(i, v)| mismatch(doc, v, &resolved["items"], &format!("{at}[{i}]")));
        }
        (Some("object") | None, Value::Object(fields)) => {
            return fields
                .iter()
                .find_map(|(k, v)| field_mismatch(doc, resolved, k, v, &format!("{at}.{k}")));
        }
        _ => false,
    };
    (!ok).then(|| format!("{at}: {value} is not a {}", resolved["type"]))
}

/// Why field `key` of an object of `schema` is wrong, if it is.
fn field_mismatch(
    doc: &Value,
    schema: &Value,
    key: &str,
    value: &Value,
    at: &str,
) -> Option<String> {
    let Some(property) = schema["properties"].get(key) else {
        return Some(format!("{at}: not a property of the schema"));
    };
    if value.is_null() {
        let required = schema["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|n| n == key));
        // A property given by reference carries no `nullable` of its own:
        // Belvo documents them as nullable (and the client decodes them as
        // `Option`) unless required. An empty schema (`{}`) takes anything.
        let any = property.as_object().is_some_and(serde_json::Map::is_empty);
        let nullable =
            any || property["nullable"] == true || (property.get("$ref").is_some() && !required);
        return (!nullable).then(|| format!("{at}: null where the schema has no null"));
    }
    mismatch(doc, value, property, at)
}

/// The schema of one record of `path`: that of its detail's answer.
fn record_schema<'a>(doc: &'a Value, path: &str) -> &'a Value {
    let detail = &doc["paths"][format!("{path}{{id}}/")]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    let one = if detail["type"] == "array" {
        &detail["items"]
    } else {
        detail
    };
    assert!(one.get("$ref").is_some(), "{path}: {detail}");
    one
}

#[test]
fn every_body_conforms_to_belvos_schema() {
    let doc = openapi();
    for resource in RESOURCES {
        let schema = record_schema(&doc, resource.path);
        for documented_nulls in [false, true] {
            let batch = Batch {
                link: Scenario::TokenTwice.link(),
                day: chrono::NaiveDate::from_ymd_opt(2024, 1, 31).expect("date"),
                accounts: 3,
                documented_nulls,
            };
            let records = (resource.records)(&batch);
            assert!(!records.is_empty(), "{}", resource.path);
            for record in records {
                let at = format!("{} (nulls {documented_nulls})", resource.path);
                assert_eq!(
                    mismatch(&doc, &record.body, schema, &at),
                    None,
                    "{}",
                    record.body
                );
                assert_eq!(record.body["id"], record.id.to_string());
            }
        }
    }
    let schema = record_schema(&doc, LINKS.path);
    for documented_nulls in [false, true] {
        for scenario in Scenario::ALL {
            let link = crate::testing::fixtures::links::scenario_link(scenario);
            let record = crate::testing::fixtures::links::link_record(&link, documented_nulls);
            assert_eq!(
                mismatch(&doc, &record.body, schema, "link"),
                None,
                "{}",
                record.body
            );
        }
    }
}

#[test]
fn the_schema_check_can_fail() {
    let doc = openapi();
    let schema = record_schema(&doc, "/api/transactions/");
    let id = uuid::Uuid::nil();
    for bad in [
        json!({"id": "not-a-uuid"}),
        json!({"id": id, "amount": "12.50"}),
        json!({"id": id, "unknown_field": 1}),
        json!({"id": null}),
        json!({"id": id, "account": {"id": id, "balance": {"current": "x"}}}),
        json!({"id": id, "collected_at": "yesterday"}),
    ] {
        assert!(mismatch(&doc, &bad, schema, "t").is_some(), "{bad}");
    }
    let good = json!({"id": id, "amount": null, "account": null, "value_date": "2024-01-31"});
    assert_eq!(mismatch(&doc, &good, schema, "t"), None);
}

/// Every record of `path` in a sandbox with the documented nulls.
async fn listed(api: &Api, path: &str) -> Vec<Value> {
    let reply = api.get(&format!("{path}?page_size=1000")).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply.body["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Belvo's facts: the fields each resource sends as `null` (at least those
/// the facts name), and where an undocumented enumeration value shows.
const DOCUMENTED: &[(&str, &[&str], (&str, &str))] = &[
    (
        "/api/accounts/",
        &[
            "type",
            "name",
            "number",
            "currency",
            "balance_type",
            "link",
            "credit_data",
            "loan_data",
            "last_accessed_at",
        ],
        ("category", "DIGITAL_WALLET"),
    ),
    (
        "/api/transactions/",
        &[
            "amount",
            "value_date",
            "accounting_date",
            "account",
            "balance",
            "currency",
            "description",
            "category",
            "subcategory",
            "type",
            "merchant",
            "credit_card_data",
        ],
        ("status", "REVERSED"),
    ),
    (
        "/api/owners/",
        &[
            "display_name",
            "last_name",
            "second_last_name",
            "email",
            "phone_number",
            "address",
            "link",
            "collected_at",
            "created_at",
        ],
        ("document_id", "FOREIGN_ID"),
    ),
    (
        "/api/incomes/",
        &["monthly_average", "income_streams", "link"],
        ("income_source_type", "OPEN_FINANCE_PAYROLL"),
    ),
    (
        "/api/recurring-expenses/",
        &["account", "name", "average_transaction_amount"],
        ("frequency", "EVERY_TEN_DAYS"),
    ),
    (
        "/api/risk-insights/",
        &["accounts", "balances_metrics", "cashflow_metrics"],
        ("", ""),
    ),
    (
        "/investments/portfolios/",
        &["name", "balance_gross", "instruments"],
        ("type", "CRYPTO_WALLET"),
    ),
    (
        "/api/invoices/",
        &["total_amount", "sender_name", "invoice_date", "status"],
        ("invoice_type", "X"),
    ),
    (
        "/receivables/transactions/",
        &["account", "gross_amount", "value_date", "status"],
        ("type", "INSTANT_SALE"),
    ),
    (
        "/api/employment-records/",
        &["personal_data", "report_date", "link"],
        ("employment_records", "SUSPENDED"),
    ),
    (
        "/api/links/",
        &["last_accessed_at", "external_id", "refresh_rate"],
        ("status", "pending_review"),
    ),
];

#[tokio::test]
async fn documented_nulls_are_sent_by_every_resource() {
    let api = Api::with(SandboxConfig::default().documented_nulls(true)).await;
    let served: Vec<&str> = RESOURCES.iter().map(|r: &Resource| r.path).collect();
    for (path, nulls, (field, unknown)) in DOCUMENTED {
        assert!(
            served.contains(path) || *path == LINKS.path,
            "{path} is served"
        );
        let records = listed(&api, path).await;
        assert!(!records.is_empty(), "{path}");
        for record in &records {
            for null in *nulls {
                assert!(
                    record.get(*null).is_some_and(Value::is_null),
                    "{path}: {null}: {record}"
                );
            }
        }
        if !field.is_empty() {
            let shown = records
                .iter()
                .any(|r| r[*field].to_string().contains(unknown));
            assert!(shown, "{path}: no {unknown} in {field}");
        }
    }

    // Off by default; only the data of other kinds of accounts (credit
    // cards, loans) stays null on the checking and savings accounts served.
    let always_null = ["credit_data", "loan_data", "credit_card_data"];
    let plain = Api::start().await;
    for (path, nulls, _) in DOCUMENTED {
        for record in listed(&plain, path).await {
            for null in nulls.iter().filter(|n| !always_null.contains(n)) {
                assert!(
                    !record[*null].is_null(),
                    "{path}: {null} filled by default: {record}"
                );
            }
        }
    }
}

#[tokio::test]
async fn each_retrieve_validates_what_its_request_type_requires() {
    let api = Api::start().await;
    let link = Scenario::NoMfa.link();
    let cases = [
        (
            "/api/transactions/",
            json!({"link": link}),
            "required",
            "date_from",
        ),
        (
            "/api/transactions/",
            json!({"link": link, "date_from": TO, "date_to": FROM}),
            "invalid",
            "date_from",
        ),
        (
            "/api/accounts/",
            json!({"link": link, "save_data": 1}),
            "invalid",
            "save_data",
        ),
        ("/api/owners/", json!({"link": "nope"}), "invalid", "link"),
        (
            "/api/incomes/",
            json!({"link": link, "date_from": "January"}),
            "invalid",
            "date_from",
        ),
        (
            "/api/recurring-expenses/",
            json!({"link": link, "date_from": FROM}),
            "required",
            "date_to",
        ),
        ("/api/risk-insights/", json!({}), "required", "link"),
        (
            "/investments/portfolios/",
            json!({"link": link, "token": 7}),
            "invalid",
            "token",
        ),
        (
            "/api/invoices/",
            json!({"link": link, "date_from": FROM, "date_to": TO}),
            "required",
            "type",
        ),
        (
            "/api/invoices/",
            json!({"link": link, "date_from": FROM, "date_to": TO, "type": "SIDEWAYS"}),
            "invalid_choice",
            "type",
        ),
        (
            "/receivables/transactions/",
            json!({"link": link, "date_to": TO}),
            "required",
            "date_from",
        ),
        (
            "/api/employment-records/",
            json!({"link": link, "attach_pdf": "yes"}),
            "invalid",
            "attach_pdf",
        ),
    ];
    for (path, body, code, field) in cases {
        let reply = send(api.authed(reqwest::Method::POST, path).json(&body)).await;
        assert_eq!(reply.status, 400, "{path} {body}: {}", reply.text);
        assert_eq!(first_error(&reply)["code"], code, "{path} {body}");
        assert_eq!(first_error(&reply)["field"], field, "{path} {body}");
    }
    // Optional dates may be left out; fields a request does not take are ignored.
    for (path, body) in [
        ("/api/incomes/", json!({"link": link})),
        (
            "/api/accounts/",
            json!({"link": link, "date_from": "whenever", "account": "x"}),
        ),
        (
            "/api/employment-records/",
            json!({"link": link, "token": 7}),
        ),
    ] {
        let reply = send(api.authed(reqwest::Method::POST, path).json(&body)).await;
        assert_eq!(reply.status, 201, "{path} {body}: {}", reply.text);
    }
}

#[tokio::test]
async fn answers_are_shaped_as_the_generated_client_decodes_them() {
    let api = Api::start().await;
    let link = Scenario::Inputless.link();
    // (path, retrieve body, retrieve answers an array, resume answers an array)
    let cases = [
        ("/api/accounts/", json!({"link": link}), true, true),
        ("/api/incomes/", json!({"link": link}), false, true),
        (
            "/investments/portfolios/",
            json!({"link": link}),
            false,
            false,
        ),
    ];
    for (path, body, retrieve_many, resume_many) in cases {
        let no_mfa = json!({"link": Scenario::NoMfa.link()});
        let first = send(api.authed(reqwest::Method::POST, path).json(&no_mfa)).await;
        assert_eq!(
            first.body.is_array(),
            retrieve_many,
            "{path}: {}",
            first.text
        );
        let paused = send(api.authed(reqwest::Method::POST, path).json(&body)).await;
        let session = session_of(&paused);
        let resumed = send(
            api.authed(reqwest::Method::PATCH, path)
                .json(&json!({"session": session, "link": link, "save_data": false})),
        )
        .await;
        assert_eq!(
            resumed.body.is_array(),
            resume_many,
            "{path}: {}",
            resumed.text
        );
        // Portfolios' resume takes no save_data: the retrieve's (true) holds.
        let stored = path == "/investments/portfolios/";
        assert_eq!(resumed.status, if stored { 201 } else { 200 }, "{path}");
    }
    let one = send(
        api.authed(reqwest::Method::POST, "/receivables/transactions/")
            .json(&json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": TO})),
    )
    .await;
    assert!(one.body.is_object(), "{}", one.text);
    let id = one.body["id"].as_str().expect("id");
    let detail = api.get(&format!("/receivables/transactions/{id}/")).await;
    assert_eq!(detail.body, one.body);
    let income = listed(&api, "/api/incomes/").await;
    let id = income[0]["id"].as_str().expect("id");
    let detail = api.get(&format!("/api/incomes/{id}/")).await;
    assert_eq!(detail.body, json!([income[0]]), "an array of one");
}

/// Bad typed requests through the client: a backwards date range is refused
/// before anything is sent (a retrieve opens a bank session); what only
/// Belvo can judge is its `400`, naming the field.
#[tokio::test]
async fn bad_typed_requests_are_refused_locally_or_belvo_400s_naming_the_field() {
    let api = Api::start().await;
    let c = api.sandbox.client().expect("client");
    let day = |s: &str| s.parse::<chrono::NaiveDate>().expect("date");
    let backwards = crate::types::DateRangeRetrieveRequest {
        account: None,
        date_from: day(TO),
        date_to: day(FROM),
        link: Scenario::NoMfa.link(),
        save_data: None,
        token: None,
    };
    let local = c
        .transactions()
        .retrieve(&backwards)
        .await
        .expect_err("refused");
    assert!(
        matches!(&local, crate::Error::InvalidRequest(m) if m.contains("date_from")),
        "{local:?}"
    );
    assert_eq!(api.sandbox.hits().retrieve, 0, "nothing was sent");

    let sideways = crate::types::InvoicesRetrieveRequest {
        attach_xml: None,
        date_from: day(FROM),
        date_to: day(TO),
        link: Scenario::NoMfa.link(),
        save_data: None,
        type_: "SIDEWAYS".into(),
    };
    let err = c.invoices().retrieve(&sideways).await.expect_err("400");
    let crate::Error::Api(api_error) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api_error.status.as_u16(), 400);
    assert_eq!(api_error.errors[0].code.as_str(), "invalid_choice", "{err}");
    assert_eq!(api_error.errors[0].field.as_deref(), Some("type"), "{err}");
    assert_eq!(api.sandbox.hits().retrieve, 1);
}
