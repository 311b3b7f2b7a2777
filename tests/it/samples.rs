//! Every sample body of the Balances folder (of Belvo's collection and of the
//! project's additions) decodes into the generated types, losslessly; the
//! decoded values are pinned with insta.

use std::collections::BTreeMap;

use belvo::types;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

const COLLECTIONS: [&str; 2] = [
    include_str!("../../openapi/belvo.postman_collection.json"),
    include_str!("../../openapi/belvo.additions.postman_collection.json"),
];

fn roundtrip<T: DeserializeOwned + Serialize>(v: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

fn decode(op: &str, code: u64, v: &Value) -> Result<Value, String> {
    match (op, code) {
        ("List", 200) => roundtrip::<types::BalanceList>(v),
        ("Retrieve" | "Resume", 200 | 201) => roundtrip::<Vec<types::Balance>>(v),
        ("Retrieve", _) => roundtrip::<types::BalancesRetrieveError>(v),
        ("Resume", _) => roundtrip::<types::BalancesResumeError>(v),
        ("Detail", 200) => roundtrip::<types::Balance>(v),
        ("List" | "Detail" | "Delete", _) => roundtrip::<Vec<types::Error>>(v),
        _ => Err(format!(
            "no type known for {op} {code}: add it to this table"
        )),
    }
}

/// Belvo's item name for a request of the Balances folder (its export uses
/// longer summaries): by method, and whether the path ends with an id.
fn operation(item: &Value) -> &'static str {
    let request = &item["request"];
    let raw = request["url"]["raw"].as_str().unwrap_or_default();
    let path = raw.split('?').next().unwrap_or_default();
    let on_item = path.trim_end_matches('/').ends_with(":id");
    match (request["method"].as_str().unwrap_or_default(), on_item) {
        ("GET", false) => "List",
        ("POST", false) => "Retrieve",
        ("PATCH", false) => "Resume",
        ("GET", true) => "Detail",
        ("DELETE", true) => "Delete",
        _ => "Unknown",
    }
}

/// The decoded value must say everything the sample said (generated types
/// skip absent optionals, so nulls are compared as absent).
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

#[test]
fn every_sample_body_decodes_into_the_generated_types() {
    let mut decoded = BTreeMap::new();
    let mut count = 0;
    let balances = COLLECTIONS.iter().flat_map(|text| {
        let collection: Value = serde_json::from_str(text).expect("collection is JSON");
        let folders = collection["item"].as_array().expect("items").clone();
        folders
            .into_iter()
            .filter(|f| f["name"] == "Balances")
            .flat_map(|f| f["item"].as_array().expect("folder items").clone())
    });
    for item in balances {
        let op = operation(&item);
        {
            for example in item["response"].as_array().expect("examples") {
                let code = example["code"].as_u64().expect("code");
                let body = example["body"].as_str().unwrap_or_default();
                if body.trim().is_empty() {
                    continue;
                }
                let sample: Value = serde_json::from_str(body).expect("sample is JSON");
                let concrete = belvo::testing::materialize(&sample);
                let name = format!(
                    "{op} {code} {}",
                    example["name"].as_str().unwrap_or_default()
                );
                // The additions repeat some of Belvo's example names.
                let name = if decoded.contains_key(&name) {
                    format!("{name} (additions)")
                } else {
                    name
                };
                let back = decode(op, code, &concrete)
                    .unwrap_or_else(|e| panic!("{name}: {e}\n{concrete:#}"));
                assert_eq!(
                    without_nulls(&back),
                    without_nulls(&concrete),
                    "{name} lost information"
                );
                decoded.insert(name, back);
                count += 1;
            }
        }
    }
    assert!(count >= 20, "only {count} sample bodies found");
    // Rendered by serde_json: insta's own JSON writer does not know
    // serde_json's arbitrary-precision numbers.
    let text = serde_json::to_string_pretty(&decoded).expect("renders");
    insta::assert_snapshot!("decoded_samples", text);
}

#[test]
fn money_is_exact_both_ways() {
    for text in [
        "1234567.89",
        "0.1",
        "12345678901234567890.12",
        "-0.01",
        "100",
    ] {
        let json = format!(
            r#"{{"id":"8d9e1b4e-1111-4a4a-9b9b-000000000001","account":{{"id":"8d9e1b4e-1111-4a4a-9b9b-000000000002","category":"CHECKING_ACCOUNT"}},"value_date":"2024-01-31","balance":{text}}}"#
        );
        let b: types::Balance = serde_json::from_str(&json).expect("decodes");
        assert_eq!(b.balance.to_string(), text);
        let out = serde_json::to_string(&b).expect("encodes");
        assert!(
            out.contains(&format!(r#""balance":{text}"#)),
            "written back as a JSON number: {out}"
        );
    }
}
