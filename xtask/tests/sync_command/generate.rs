//! The generation check: it uses the settings of build.rs, and a refusal or
//! a panic of the generator names the operation and the Postman item.

use postman_openapi::generate::{check_generates, generate_code};
use serde_json::{json, Value};

fn doc(paths: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
    })
}

fn ok_op(id: &str) -> Value {
    json!({"operationId": id, "summary": "Fine", "tags": ["F"],
           "responses": {"204": {"description": "none"}}})
}

#[test]
fn a_refusal_names_the_operation_and_item() {
    let broken = json!({"summary": "List", "tags": ["Balances"],
                        "responses": {"204": {"description": "none"}}});
    let d = doc(json!({"/a": {"get": ok_op("a_get")}, "/b": {"get": broken}}));
    let err = check_generates(&d).expect_err("no operationId");
    assert_eq!(
        err,
        "operation without operationId (GET /b), Postman item \"Balances / List\": \
         progenitor refused it: unexpected or unhandled format in the OpenAPI document \
         path /b is missing operation ID"
    );
}

#[test]
fn a_panic_names_the_operation_and_item() {
    // A path variable with no parameter of that name panics inside
    // progenitor ("missing path name mapping id").
    let panics = json!({"operationId": "b_post", "summary": "Create", "tags": ["B"],
        "responses": {"204": {"description": "none"}}});
    let d = doc(json!({"/a": {"get": ok_op("a_get")}, "/b/{id}": {"post": panics}}));
    let err = check_generates(&d).expect_err("a panic");
    assert_eq!(
        err,
        "operation `b_post` (POST /b/{id}), Postman item \"B / Create\": \
         progenitor panicked: missing path name mapping id"
    );
}

#[test]
fn a_clash_names_the_operations_that_clash() {
    let d = doc(json!({
        "/a": {"get": ok_op("same")},
        "/b": {"get": ok_op("same")},
        "/c": {"get": ok_op("other")},
    }));
    let err = check_generates(&d).expect_err("duplicate operationId");
    assert!(
        err.ends_with(
            "duplicate operation ID: same; the operations that clash:\n  \
             operation `same` (GET /a), Postman item \"F / Fine\"\n  \
             operation `same` (GET /b), Postman item \"F / Fine\""
        ),
        "{err}"
    );
}

/// A document whose one operation (`GET /a`) answers component `answer`
/// of `schemas`.
fn answering(answer: &str, schemas: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "a_get", "responses": {"200": {
            "description": "ok",
            "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{answer}")}}}}}}}},
        "components": {"schemas": schemas},
    })
}

#[test]
fn the_settings_are_build_rs_settings() {
    // `type: number` becomes Decimal and the client holds the hand-written
    // inner type: the settings of build.rs, not progenitor's defaults.
    let d = answering(
        "M",
        json!({"M": {"type": "object", "required": ["v"], "properties": {"v": {"type": "number"}}}}),
    );
    let code = generate_code(&d).expect("generates");
    assert!(code.contains("pub v: ::rust_decimal::Decimal"), "{code}");
    assert!(code.contains("inner: crate::client::Shared"), "{code}");
    assert!(code.contains("PartialEq"), "{code}");
}

#[test]
fn a_schema_named_like_an_inline_type_is_refused_before_rustc() {
    // The generator names `Account.category`'s enum `AccountCategory`; a
    // component of that name made two definitions, which only rustc (in
    // build.rs) refused.
    let d = answering(
        "Account",
        json!({
            "Account": {"type": "object", "properties": {
                "category": {"type": "string", "enum": ["CHECKING", "SAVINGS"]},
                "kind": {"$ref": "#/components/schemas/AccountCategory"}}},
            "AccountCategory": {"type": "object", "properties": {"code": {"type": "string"}}},
        }),
    );
    let err = check_generates(&d).expect_err("two AccountCategory types");
    assert!(
        err.starts_with("the generated code defines twice the type `AccountCategory`"),
        "{err}"
    );
    // Renamed, it generates.
    let renamed = serde_json::to_string(&d)
        .expect("json")
        .replace("AccountCategory", "CategoryCode");
    check_generates(&serde_json::from_str(&renamed).expect("json")).expect("generates");
}
