//! `SandboxConfig::documented_nulls`: the bodies carry `null` where Belvo
//! documents a Balance field as nullable, and account categories outside the
//! documented list; off by default.

use serde_json::{json, Value};

use super::*;

/// The Balance fields Belvo documents as nullable, outside and inside `account`.
const NULLABLE: [&str; 3] = ["current_balance", "statement", "collected_at"];
const NULLABLE_IN_ACCOUNT: [&str; 3] = ["name", "category", "currency"];
/// `category` values Belvo documents (besides `null`).
const CATEGORIES: [&str; 8] = [
    "CHECKING_ACCOUNT",
    "CREDIT_CARD",
    "INVESTMENT_ACCOUNT",
    "LOAN_ACCOUNT",
    "PENSION_FUND_ACCOUNT",
    "RECEIVABLES_ACCOUNT",
    "SAVINGS_ACCOUNT",
    "UNCATEGORIZED",
];

/// Asserts that `balance` carries every documented null except the category,
/// and keeps its non-nullable fields.
fn assert_documented_nulls(balance: &Value) {
    for field in NULLABLE {
        assert!(balance[field].is_null(), "{field}: {balance}");
    }
    let account = &balance["account"];
    assert!(account.is_object(), "account stays an object: {balance}");
    assert!(account["id"].is_string(), "{balance}");
    for field in ["name", "currency"] {
        assert!(
            account.get(field).is_some_and(Value::is_null),
            "{field}: {balance}"
        );
    }
    assert!(balance["id"].is_string(), "{balance}");
    assert!(balance["value_date"].is_string(), "{balance}");
    assert!(balance["balance"].is_number(), "{balance}");
}

/// The categories of `balances`: `None` for null, the text otherwise.
fn categories(balances: &[Value]) -> Vec<Option<&str>> {
    balances
        .iter()
        .map(|b| b["account"]["category"].as_str())
        .collect()
}

#[tokio::test]
async fn documented_nulls_reach_every_operation() {
    let api = Api::with(SandboxConfig::default().documented_nulls(true)).await;

    let created = api.start_flow(Scenario::NoMfa).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let balances = created.body.as_array().expect("an array");
    assert_eq!(balances.len(), 3);
    balances.iter().for_each(assert_documented_nulls);
    let seen = categories(balances);
    assert!(seen.contains(&None), "a null category: {seen:?}");
    assert!(
        seen.iter().flatten().any(|c| !CATEGORIES.contains(c)),
        "a category outside the documented list: {seen:?}"
    );
    assert!(
        created.text.contains("\"current_balance\":null"),
        "written as JSON null, not omitted: {}",
        created.text
    );

    // After a 428 and its resume, in the list, and in the detail.
    let session = session_of(&api.start_flow(Scenario::TokenOnce).await);
    let resumed = api
        .resume(
            json!({"session": session, "link": Scenario::TokenOnce.link(), "token": SANDBOX_TOKEN}),
        )
        .await;
    assert_eq!(resumed.status, 201, "{}", resumed.text);
    resumed
        .body
        .as_array()
        .into_iter()
        .flatten()
        .for_each(assert_documented_nulls);

    let listed = api.get(&format!("{BALANCES_PATH}?page_size=1000")).await;
    let results = listed.body["results"].as_array().expect("results");
    // 250 seeded (the no-mfa retrieve above replaced three of them) + 3 of token-once.
    assert_eq!(results.len(), 253, "{}", listed.body["count"]);
    results.iter().for_each(assert_documented_nulls);

    let id = results[0]["id"].as_str().expect("id");
    let detail = api.get(&format!("{BALANCES_PATH}{id}/")).await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    assert_documented_nulls(&detail.body);
}

#[tokio::test]
async fn off_by_default_every_field_has_a_value() {
    let api = Api::start().await;
    let created = api.start_flow(Scenario::NoMfa).await;
    let listed = api.get(&format!("{BALANCES_PATH}?page_size=1000")).await;
    let results = listed.body["results"].as_array().expect("results");
    let bodies = created.body.as_array().expect("an array").iter();
    for balance in bodies.chain(results) {
        for field in NULLABLE {
            if field != "statement" {
                assert!(!balance[field].is_null(), "{field}: {balance}");
            }
        }
        for field in NULLABLE_IN_ACCOUNT {
            assert!(balance["account"][field].is_string(), "{field}: {balance}");
        }
        let category = balance["account"]["category"].as_str().unwrap_or_default();
        assert!(CATEGORIES.contains(&category), "{balance}");
    }
}
