//! Every sample body of the Balances folder (of Belvo's collection and of the
//! project's additions) decodes into the generated types, losslessly; the
//! decoded values are pinned with insta.

use std::collections::BTreeMap;

use belvo::types;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

/// The document the client is generated from.
const DOCUMENT: &str = include_str!("../../openapi/belvo.openapi.json");

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

/// The generated type of each component a response or a request body
/// names, as a decoder of one value or of an array of them.
macro_rules! decoders {
    ($($name:ident),* $(,)?) => {
        fn decoder(name: &str, many: bool) -> Option<fn(&Value) -> Result<Value, String>> {
            match name {
                $(stringify!($name) if many => Some(roundtrip::<Vec<types::$name>>),
                  stringify!($name) => Some(roundtrip::<types::$name>),)*
                _ => None,
            }
        }
    };
}

decoders!(
    Account,
    AccountList,
    AccountsResumeError,
    AccountsRetrieveError,
    Balance,
    BalanceList,
    BalancesResumeError,
    BalancesRetrieveError,
    BankAccount,
    BankAccountList,
    BankAccountsCreateError,
    CategorizationList,
    Customer,
    CustomerList,
    CustomersCreateError,
    EmploymentRecord,
    EmploymentRecordList,
    EmploymentRecordsRetrieveError,
    Error,
    Income,
    IncomeList,
    IncomesResumeError,
    IncomesRetrieveError,
    Institution,
    InstitutionList,
    InvestmentPortfoliosResumeError,
    InvestmentPortfoliosRetrieveError,
    Invoice,
    InvoiceList,
    InvoicesResumeError,
    Link,
    LinkList,
    LinksChangeAccessModeError,
    LinksRegisterError,
    LinksResumeError,
    LinksUpdateCredentialsError,
    Owner,
    OwnerList,
    OwnersResumeError,
    OwnersRetrieveError,
    PaymentInstitution,
    PaymentInstitutionList,
    PaymentIntent,
    PaymentIntentList,
    PaymentIntentsCompleteError,
    PaymentIntentsCreateError,
    PaymentLink,
    PaymentLinkList,
    PaymentLinksCreateError,
    PaymentTransaction,
    PaymentTransactionList,
    Portfolio,
    PortfolioList,
    ReceivableTransaction,
    ReceivableTransactionList,
    ReceivableTransactionsDetailError,
    ReceivableTransactionsRetrieveError,
    RecurringExpense,
    RecurringExpenseList,
    RecurringExpensesResumeError,
    RecurringExpensesRetrieveError,
    RiskInsight,
    RiskInsightList,
    RiskInsightsResumeError,
    RiskInsightsRetrieveError,
    SecretKey,
    SecretKeyList,
    SecretKeysCreateError,
    TaxComplianceStatus,
    TaxComplianceStatusList,
    TaxDeclaration,
    TaxDeclarationList,
    TaxDeclarationRecord,
    TaxDeclarationsRetrieveError,
    TaxRetention,
    TaxRetentionList,
    TaxReturn,
    TaxReturnList,
    TaxReturnsRetrieveError,
    TaxStatus,
    TaxStatusList,
    Transaction,
    TransactionList,
    TransactionsResumeError,
    TransactionsRetrieveError,
    TransactionsRetrieveSuccess,
    WidgetAccessToken,
    // Request bodies.
    BankAccountsCreateRequest,
    CategorizationCategorizeRequest,
    CustomersCreateRequest,
    DateRangeRetrieveRequest,
    EmploymentRecordsRetrieveRequest,
    IncomeVerificationVerifyRequest,
    IncomesRetrieveRequest,
    InvoicesRetrieveRequest,
    LinkRetrieveRequest,
    LinksChangeAccessModeRequest,
    LinksRegisterRequest,
    LinksUpdateCredentialsRequest,
    PaymentIntentsCompleteRequest,
    PaymentIntentsCreateRequest,
    PaymentLinksCreateRequest,
    PeriodRetrieveRequest,
    ResumeRequest,
    ResumeRequestWithoutSaveData,
    TaxDeclarationsRetrieveRequest,
    TaxReturnsRetrieveRequest,
    WidgetTokenCreateRequest,
);

/// The examples of one media object with their titles: a response's
/// `examples`, or a request body's `example`.
fn examples_of(media: &Value) -> Vec<(String, &Value)> {
    let named = media["examples"].as_object().into_iter().flatten();
    let mut all: Vec<(String, &Value)> = named.map(|(t, e)| (t.clone(), &e["value"])).collect();
    all.extend(media.get("example").map(|e| ("example".to_owned(), e)));
    all
}

/// Every example of the document (those of Belvo's whole collection and of
/// the project's additions), response or request body, for every
/// operation: `(place, component, array of it, example)`.
fn document_examples(doc: &Value) -> Vec<(String, String, bool, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let responses = op["responses"].as_object().into_iter().flatten();
            let bodies = responses.map(|(status, r)| (status.as_str(), &r["content"]));
            let request = std::iter::once(("request body", &op["requestBody"]["content"]));
            for (what, content) in bodies.chain(request) {
                let media = &content["application/json"];
                let (schema, many) = match &media["schema"] {
                    s if s["type"] == "array" => (&s["items"]["$ref"], true),
                    s => (&s["$ref"], false),
                };
                let Some(name) = schema.as_str().and_then(|r| r.rsplit('/').next()) else {
                    continue;
                };
                for (title, example) in examples_of(media) {
                    let place = format!(
                        "{} {path} {what} \"{title}\" ({name})",
                        method.to_uppercase()
                    );
                    let mut concrete = belvo::testing::materialize(example);
                    if what == "request body" {
                        real_dates(&mut concrete);
                    }
                    out.push((place, name.to_owned(), many, concrete));
                }
            }
        }
    }
    out
}

/// openapi-to-postmanv2 fills a request's date with random digits of the
/// date pattern (`3203-19-47`), or `<string>`: no date, which the typed
/// request (a `NaiveDate`) refuses, as it should. Such a `date_from` or
/// `date_to` is given a date.
fn real_dates(body: &mut Value) {
    for key in ["date_from", "date_to"] {
        let Some(date) = body.get_mut(key) else {
            continue;
        };
        let text = date.as_str().unwrap_or_default();
        if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() {
            *date = Value::from("2024-01-31");
        }
    }
}

/// Every example of the document, response or request body, decodes into
/// the generated type its schema names and encodes back without losing a
/// value.
#[test]
fn every_example_of_the_whole_api_decodes_losslessly() {
    let doc: Value = serde_json::from_str(DOCUMENT).expect("the document");
    let examples = document_examples(&doc);
    let mut failures = Vec::new();
    for (place, name, many, sent) in &examples {
        let decode = decoder(name, *many)
            .unwrap_or_else(|| panic!("no decoder for `{name}`: add it to `decoders!`"));
        match decode(sent) {
            Ok(back) if without_nulls(&back) == without_nulls(sent) => {}
            Ok(back) => {
                let at = difference(&without_nulls(sent), &without_nulls(&back), String::new());
                failures.push(format!("{place} lost information at {at}"));
            }
            Err(e) => failures.push(format!("{place}: {e}")),
        }
    }
    let count = examples.len();
    assert!(
        failures.is_empty(),
        "{} of {count}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let requests = examples
        .iter()
        .filter(|(p, ..)| p.contains(" request body "))
        .count();
    assert!(
        count - requests >= 390 && requests >= 30,
        "{count} examples, {requests} requests"
    );
}

/// Where two values first differ, as a JSON path with both sides.
fn difference(sent: &Value, read: &Value, at: String) -> String {
    match (sent, read) {
        (Value::Object(a), Value::Object(b)) => {
            let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                if x != y {
                    return difference(x, y, format!("{at}.{key}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
                return difference(&a[i], &b[i], format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
    format!("`{at}`: sent {sent}, read {read}")
}
