//! The seed collection (`xtask/tests/fixtures/seed/`, a copy of the shared
//! seed): its conversion must carry the facts of the hand-written
//! `resume.expected-openapi.yaml`.

use std::path::Path;

use serde_json::{json, Value};

use crate::convert_ok;

const SEED_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed");

fn read_seed(name: &str) -> Vec<u8> {
    let path = Path::new(SEED_DIR).join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "the seed file {} is missing ({e}); it is checked in under \
             xtask/tests/fixtures/seed/",
            path.display()
        )
    })
}

/// Follows `#/components/schemas/...` references.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {r}"));
            let target = &doc["components"]["schemas"][name];
            assert!(target.is_object(), "dangling reference {r}");
            resolve(doc, target)
        }
        None => schema,
    }
}

/// `{name: (type, format)}` of an object schema's properties.
fn assert_props(doc: &Value, schema: &Value, expected: &[(&str, &str, Option<&str>)]) {
    let schema = resolve(doc, schema);
    assert_eq!(schema["type"], "object", "{schema:#}");
    let props = schema["properties"].as_object().expect("properties");
    let mut names: Vec<&str> = props.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut want: Vec<&str> = expected.iter().map(|(n, ..)| *n).collect();
    want.sort_unstable();
    assert_eq!(names, want, "properties of {schema:#}");
    for (name, ty, format) in expected {
        let p = resolve(doc, &props[*name]);
        let actual_ty = p["type"].as_str().unwrap_or("(none)");
        assert_eq!(actual_ty, *ty, "type of `{name}`");
        assert_eq!(p["format"].as_str(), *format, "format of `{name}`");
    }
}

/// The variants of a response schema: itself, or the branches of its union.
fn variants<'a>(doc: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    let s = resolve(doc, schema);
    match s.get("oneOf").and_then(Value::as_array) {
        Some(vs) => vs.iter().collect(),
        None => vec![schema],
    }
}

#[test]
fn seed_converts_to_the_expected_document() {
    let expected = String::from_utf8(read_seed("resume.expected-openapi.yaml")).expect("utf-8");
    // The facts below are those of the expected document.
    for fact in [
        "/api/balances/:",
        "patch:",
        "operationId: resume",
        "TokenRequired:",
        "basicAuth:",
    ] {
        assert!(
            expected.contains(fact),
            "resume.expected-openapi.yaml no longer says `{fact}`"
        );
    }
    let doc = convert_ok(&read_seed("resume.postman_collection.json"), "seed");

    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["servers"], json!([{"url": "https://domain.com"}]));
    assert_eq!(doc["security"], json!([{"basicAuth": []}]));
    assert_eq!(
        doc["components"]["securitySchemes"]["basicAuth"],
        json!({"type": "http", "scheme": "basic"})
    );

    let paths = doc["paths"].as_object().expect("paths");
    assert_eq!(paths.keys().collect::<Vec<_>>(), ["/api/balances/"]);
    let ops = paths["/api/balances/"].as_object().expect("path item");
    assert_eq!(ops.keys().collect::<Vec<_>>(), ["patch"]);
    let op = &ops["patch"];
    assert_eq!(op["operationId"], "resume");
    assert_eq!(op["summary"], "Resume");
    assert!(op["description"]
        .as_str()
        .is_some_and(|d| d.starts_with("Used to resume a Balance retrieve session")));

    assert_props(
        &doc,
        &op["requestBody"]["content"]["application/json"]["schema"],
        &[
            ("session", "string", None),
            ("token", "string", None),
            ("link", "string", None),
            ("save_data", "boolean", None),
        ],
    );

    let responses = op["responses"].as_object().expect("responses");
    assert_eq!(
        responses.keys().collect::<Vec<_>>(),
        ["200", "201", "400", "401", "408", "428", "500"]
    );
    let schema_of = |code: &str| &responses[code]["content"]["application/json"]["schema"];

    let balance = [
        ("id", "string", Some("uuid")),
        ("account", "object", None),
        ("collected_at", "string", Some("date-time")),
        ("value_date", "string", Some("date")),
        ("balance", "number", None),
        ("current_balance", "number", None),
        ("statement", "string", None),
    ];
    let account = [
        ("id", "string", Some("uuid")),
        ("name", "string", None),
        ("category", "string", None),
        ("currency", "string", None),
    ];
    for code in ["200", "201"] {
        let s = resolve(&doc, schema_of(code));
        assert_eq!(s["type"], "array", "{code}");
        assert_eq!(s["items"]["$ref"], "#/components/schemas/Balance", "{code}");
        assert_props(&doc, &s["items"], &balance);
        assert_props(
            &doc,
            &resolve(&doc, &s["items"])["properties"]["account"],
            &account,
        );
    }

    let error = [
        ("code", "string", None),
        ("message", "string", None),
        ("request_id", "string", None),
    ];
    let token_required = [
        ("code", "string", None),
        ("message", "string", None),
        ("request_id", "string", Some("uuid")),
        ("session", "string", Some("uuid")),
        ("expiry", "integer", Some("int32")),
        ("link", "string", Some("uuid")),
        ("token_generation_data", "object", None),
    ];
    // progenitor decodes all errors of an operation into one type: the
    // error arrays and the 428 object share one union.
    let union = schema_of("400");
    for code in ["400", "401", "408", "428", "500"] {
        assert_eq!(
            schema_of(code),
            union,
            "{code} is not the operation's error type"
        );
    }
    let vs = variants(&doc, union);
    assert_eq!(vs.len(), 2, "{union:#}");
    // The most specific variant comes first: the 428 object.
    assert_props(&doc, vs[0], &token_required);
    let tgd = &resolve(&doc, vs[0])["properties"]["token_generation_data"];
    assert_props(
        &doc,
        tgd,
        &[
            ("instructions", "string", None),
            ("type", "string", None),
            ("value", "string", None),
        ],
    );
    assert_eq!(vs[1]["type"], "array");
    assert_eq!(vs[1]["items"]["$ref"], "#/components/schemas/Error");
    assert_props(&doc, &vs[1]["items"], &error);
    // Every example is kept, under its own response.
    for (code, name) in [("428", "MFA Token Required"), ("408", "Request Timeout")] {
        assert!(responses[code]["content"]["application/json"]["examples"][name].is_object());
    }
}
