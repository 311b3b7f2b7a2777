//! The spec-change report on small documents: each kind of change, and
//! whether it is marked breaking for users of the generated client. The
//! report compares the code the generator writes for each document, so
//! every expected line below names what that code holds.

use postman_openapi::report::{changes, Report};
use postman_openapi::sync::{generate, Job};
use serde_json::{json, Value};

use crate::manifest_dir;

/// A document with one list operation answering `Account`s and one
/// create operation taking a `NewAccount`.
fn base() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/accounts": {
                "get": {
                    "operationId": "accounts_list",
                    "parameters": [{"in": "query", "name": "page", "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {
                        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Account"}}}}}}
                },
                "post": {
                    "operationId": "accounts_create",
                    "requestBody": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/NewAccount"}}}},
                    "responses": {"201": {"description": "ok", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Account"}}}}}
                }
            }
        },
        "components": {"schemas": {
            "Account": {"type": "object", "required": ["id", "balance", "category"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "balance": {"type": "number"},
                "category": {"type": "string", "enum": ["CHECKING", "SAVINGS"]},
                "name": {"type": "string"}
            }},
            "NewAccount": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}
            }}
        }}
    })
}

fn report(edit: impl FnOnce(&mut Value)) -> Vec<(bool, String)> {
    let mut new = base();
    edit(&mut new);
    lines(&base(), &new)
}

/// The changes from `old` to `new`, each as whether it breaks and its line.
fn lines(old: &Value, new: &Value) -> Vec<(bool, String)> {
    changes(old, new)
        .expect("both documents generate")
        .0
        .into_iter()
        .map(|c| (c.breaking, format!("{}: {}", c.place, c.what)))
        .collect()
}

/// A report line on field `f` of `Account`.
fn at(f: &str, what: &str) -> String {
    format!("type `Account`: field `{f}` {what}")
}

/// The changes from `base()` edited one way to `base()` edited another.
fn between(old: impl FnOnce(&mut Value), new: impl FnOnce(&mut Value)) -> Vec<(bool, String)> {
    let (mut before, mut after) = (base(), base());
    old(&mut before);
    new(&mut after);
    lines(&before, &after)
}

fn list(d: &mut Value) -> &mut Value {
    &mut d["paths"]["/accounts"]["get"]
}

const LIST: &str = "operation `accounts_list` (GET /accounts)";
const CREATE: &str = "operation `accounts_create` (POST /accounts)";

fn account(doc: &mut Value) -> &mut Value {
    &mut doc["components"]["schemas"]["Account"]
}

#[test]
fn the_same_document_has_no_changes() {
    let r = changes(&base(), &base()).expect("generates");
    assert_eq!(r, Report::default());
    assert!(!r.is_breaking());
    assert_eq!(
        r.to_string(),
        "no change to the generated client's operations or types\n"
    );
}

/// An operation is a method named after its operationId: removed or
/// renamed (another method on its route) it breaks calls; moved to another
/// path it keeps them.
#[test]
fn operations_removed_renamed_moved_or_added() {
    let r = report(|d| {
        let post = d["paths"]["/accounts"]["post"].take();
        d["paths"]["/accounts"]
            .as_object_mut()
            .unwrap()
            .remove("post");
        d["paths"]["/accounts/{id}"] = json!({"delete": post});
        let delete = &mut d["paths"]["/accounts/{id}"]["delete"];
        delete["operationId"] = json!("accounts_delete");
        delete["parameters"] =
            json!([{"in": "path", "name": "id", "required": true, "schema": {"type": "string"}}]);
        list(d)["operationId"] = json!("accounts_all");
    });
    assert_eq!(
        r,
        [
            (true, format!("{CREATE}: removed")),
            (
                true,
                format!("{LIST}: renamed to operation `accounts_all` (GET /accounts)")
            ),
            (
                false,
                "operation `accounts_delete` (DELETE /accounts/{id}): added".into()
            ),
        ]
    );
    let moved = report(|d| d["paths"] = json!({"/v2/accounts": d["paths"]["/accounts"].take()}));
    assert_eq!(
        moved,
        [
            (
                false,
                format!("{CREATE}: moved to POST /v2/accounts (its method stays)")
            ),
            (
                false,
                format!("{LIST}: moved to GET /v2/accounts (its method stays)")
            ),
        ]
    );
}

/// A required property becoming nullable is an `Option` now; an optional
/// one was an `Option` already, and the code does not change at all.
#[test]
fn nullable_matters_where_it_makes_an_option() {
    let r = report(|d| {
        account(d)["properties"]["balance"]["nullable"] = json!(true);
        account(d)["properties"]["name"]["nullable"] = json!(true);
    });
    assert_eq!(
        r,
        [(
            true,
            at(
                "balance",
                "retyped rust_decimal::Decimal → Option<rust_decimal::Decimal> (now an Option)"
            )
        )]
    );
    let back = between(
        |d| account(d)["properties"]["balance"]["nullable"] = json!(true),
        |_| {},
    );
    assert_eq!(
        back,
        [(
            true,
            at(
                "balance",
                "retyped Option<rust_decimal::Decimal> → rust_decimal::Decimal (no longer an Option)"
            )
        )]
    );
}

/// A field added to a type that travels in requests breaks struct literals,
/// which name every field; one added to a type only read does not. A
/// required field added to a type whose fields were all optional costs it
/// its `Default`.
#[test]
fn new_fields_break_struct_literals_of_request_types_only() {
    let r = report(|d| {
        account(d)["properties"]["iban"] = json!({"type": "string"});
        let new = &mut d["components"]["schemas"]["NewAccount"];
        new["properties"]["currency"] = json!({"type": "string"});
        d["components"]["schemas"]["Filter"] =
            json!({"type": "object", "properties": {"q": {"type": "string"}}});
        d["paths"]["/filters"] = json!({"post": {"operationId": "filters_create",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Filter"}}}},
            "responses": {"204": {"description": "ok"}}}});
    });
    assert_eq!(
        r,
        [
            (
                true,
                "type `NewAccount`: field `currency: Option<String>` added (struct literals must name it)".into()
            ),
            (false, "operation `filters_create` (POST /filters): added".into()),
            (false, at("iban: Option<String>", "added")),
            (false, "type `Filter`: added (struct)".into()),
        ]
    );
    let required = between(
        |d| {
            d["components"]["schemas"]["Filter"] =
                json!({"type": "object", "properties": {"q": {"type": "string"}}})
        },
        |d| {
            d["components"]["schemas"]["Filter"] = json!({"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}}})
        },
    );
    assert_eq!(
        required,
        [
            (
                true,
                "type `Filter`: field `q` retyped Option<String> → String (no longer an Option)"
                    .into()
            ),
            (true, "type `Filter`: no longer implements Default".into()),
        ]
    );
}

/// A string enum is a Rust enum without a catch-all: a value added or
/// removed is a variant added or removed, and breaks `match`es.
#[test]
fn enum_values_types_and_removed_fields() {
    let r = report(|d| {
        account(d)["properties"]["category"]["enum"] = json!(["CHECKING", "LOAN"]);
        account(d)["properties"]["id"] = json!({"type": "integer", "format": "int64"});
        account(d)["properties"]
            .as_object_mut()
            .unwrap()
            .remove("name");
    });
    assert_eq!(
        r,
        [
            (
                true,
                "type `AccountCategory`: variant `Loan` added (matches must handle it)".into()
            ),
            (
                true,
                "type `AccountCategory`: variant `Savings` removed".into()
            ),
            (true, at("id", "retyped uuid::Uuid → i64")),
            (true, at("name", "removed")),
        ]
    );
}

/// The client calls operations through builders (`codegen/settings.rs`):
/// a new optional parameter is one more method, while a parameter that
/// calls must now set makes the ones that do not fail when sent.
#[test]
fn parameters_are_builder_methods() {
    let param = |name: &str, required: bool| json!({"in": "query", "name": name, "required": required, "schema": {"type": "string"}});
    let r = report(|d| {
        list(d)["parameters"] = json!([param("limit", false), param("cursor", true)]);
    });
    assert_eq!(
        r,
        [
            (true, format!("{LIST}: parameter `page` removed")),
            (
                true,
                format!("{LIST}: required parameter `cursor: String` added (calls that do not set it fail when sent)")
            ),
            (
                false,
                format!("{LIST}: optional parameter `limit: String` added (a new builder method)")
            ),
        ]
    );
    let page = |required: bool, ty: &'static str| {
        move |d: &mut Value| {
            list(d)["parameters"] = json!([{"in": "query", "name": "page", "required": required,
                "schema": {"type": ty}}]);
        }
    };
    assert_eq!(
        between(page(false, "integer"), page(true, "string")),
        [
            (
                true,
                format!("{LIST}: parameter `page` became required (calls that do not set it fail when sent)")
            ),
            (true, format!("{LIST}: parameter `page` retyped i64 → String")),
        ]
    );
    assert_eq!(
        between(page(true, "integer"), page(false, "integer")),
        [(false, format!("{LIST}: parameter `page` became optional"))]
    );
}

/// A parameter or property renamed on the wire to a name that gives the
/// same Rust name keeps its builder method or field: said, not breaking.
#[test]
fn a_rename_on_the_wire_keeps_the_method_and_field() {
    let r = report(|d| {
        list(d)["parameters"][0]["name"] = json!("Page");
        let props = account(d)["properties"].as_object_mut().unwrap();
        let name = props.remove("name").unwrap();
        props.insert("Name".into(), name);
    });
    assert_eq!(
        r,
        [
            (
                false,
                format!("{LIST}: sends query `Page` instead of query `page`")
            ),
            (false, at("name", "is `Name` on the wire (was `name`)")),
        ]
    );
}

/// progenitor decodes an operation's success bodies into one type and its
/// error bodies into another: a status whose body changes that type breaks
/// code; one more status with a body of the same type is one more status
/// to expect. A response that is no longer JSON is a byte stream.
#[test]
fn statuses_and_the_types_of_results() {
    let error = |schema: Value| json!({"description": "e", "content": {"application/json": {"schema": schema}}});
    let mut old = base();
    list(&mut old)["responses"]["400"] = error(json!({"type": "string"}));
    let mut same = old.clone();
    list(&mut same)["responses"]["404"] = error(json!({"type": "string"}));
    assert_eq!(
        lines(&old, &same),
        [(false, format!("{LIST}: response 404 added"))]
    );
    // All error bodies decode into one type: a status of another kind of
    // body does not generate, so the error type changes with all of them.
    let mut other = same.clone();
    for status in ["400", "404"] {
        list(&mut other)["responses"][status] = error(json!({"type": "object",
            "properties": {"detail": {"type": "string"}}}));
    }
    assert_eq!(
        lines(&same, &other),
        [
            (
                true,
                format!("{LIST}: error type String → AccountsListResponse")
            ),
            (false, "type `AccountsListResponse`: added (struct)".into()),
        ]
    );
    let mut csv = base();
    list(&mut csv)["responses"]["200"]["content"] =
        json!({"text/csv": {"schema": {"type": "string"}}});
    assert_eq!(
        lines(&base(), &csv),
        [(
            true,
            format!("{LIST}: success type Vec<Account> → ByteStream")
        )]
    );
}

/// A oneOf is an enum too: a new alternative breaks `match`es even in a
/// type that is only read.
#[test]
fn a_new_alternative_of_a_union_breaks_matches() {
    let union = |n: usize| {
        let variants: Vec<Value> = [
            json!({"$ref": "#/components/schemas/Account"}),
            json!({"type": "array", "items": {"type": "string"}}),
            json!({"type": "string"}),
        ][..n]
            .to_vec();
        move |d: &mut Value| {
            d["components"]["schemas"]["ListError"] = json!({"oneOf": variants});
            list(d)["responses"]["400"] = json!({"description": "bad",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ListError"}}}});
        }
    };
    assert_eq!(
        between(union(2), union(3)),
        [(
            true,
            "type `ListError`: variant `String(String)` added (matches must handle it)".into()
        )]
    );
    assert_eq!(
        between(union(3), union(2)),
        [(true, "type `ListError`: variant `String` removed".into())]
    );
}

/// Types are compared as the Rust types the generator makes: a format that
/// gives the same one changes nothing (every `number` is a `Decimal`), one
/// that gives another retypes; an object without properties is a map, one
/// with properties a struct; a value list on an integer is a checked
/// newtype whose values change, not its type.
#[test]
fn types_are_compared_as_the_generated_rust_types() {
    let r = between(
        |d| {
            let props = &mut account(d)["properties"];
            props["meta"] = json!({"type": "object"});
            props["level"] = json!({"type": "integer", "enum": [1, 2]});
        },
        |d| {
            let props = &mut account(d)["properties"];
            props["balance"]["format"] = json!("float");
            props["name"]["format"] = json!("date-time");
            props["meta"] = json!({"type": "object", "properties": {"a": {"type": "string"}}});
            props["level"] = json!({"type": "integer", "enum": [1, 2, 3]});
        },
    );
    assert_eq!(
        r,
        [
            (
                true,
                at(
                    "meta",
                    "retyped serde_json::Map<String, serde_json::Value> → Option<AccountMeta>"
                )
            ),
            (
                true,
                at(
                    "name",
                    "retyped Option<String> → Option<chrono::DateTime<chrono::offset::Utc>>"
                )
            ),
            (
                false,
                "type `AccountLevel`: the values it accepts changed (its TryFrom, FromStr or \
                 Deserialize code): a value it now refuses fails the call"
                    .into()
            ),
            (false, "type `AccountMeta`: added (struct)".into()),
        ]
    );
}

/// An array that is not required is a `Vec` that serde fills in when a
/// body leaves it out: `required` changes no type, only that.
#[test]
fn a_required_array_is_the_same_vec() {
    let tags = json!({"type": "array", "items": {"type": "string"}});
    let r = between(
        |d| {
            account(d)["properties"]["tags"] = tags.clone();
            account(d)["required"] = json!(["id", "balance", "category", "tags"]);
        },
        |d| account(d)["properties"]["tags"] = tags.clone(),
    );
    assert_eq!(
        r,
        [(
            false,
            at("tags", "became optional (a body may leave it out)")
        )]
    );
}

#[test]
fn a_document_that_does_not_generate_has_no_report() {
    let mut broken = base();
    list(&mut broken)["parameters"][0]["schema"] = json!({"$ref": "#/components/schemas/Nowhere"});
    let err = changes(&broken, &base()).expect_err("the old document does not generate");
    assert!(
        err.starts_with("the old document does not generate: "),
        "{err}"
    );
    let err = changes(&base(), &broken).expect_err("the new one does not");
    assert!(
        err.starts_with("the new document does not generate: "),
        "{err}"
    );
}

#[test]
fn the_report_on_belvo_says_what_the_project_overrides_change() {
    // The checked-in document against the project's collections (Belvo's
    // export, then the project's additions) converted without the
    // overrides: what a maintainer would read if the overrides file were lost.
    let root = manifest_dir().parent().expect("workspace");
    let checked_in: Value = serde_json::from_slice(
        &std::fs::read(root.join("openapi/belvo.openapi.json")).expect("document"),
    )
    .expect("json");
    let job = Job {
        input: root.join("openapi/belvo.postman_collection.json"),
        more_inputs: vec![root.join("openapi/belvo.additions.postman_collection.json")],
        output: root.join("target/tmp/unused.openapi.json"),
        overrides: None,
        source_name: "openapi/belvo.postman_collection.json".into(),
    };
    let bare: Value = serde_json::from_str(&generate(&job).expect("converts")).expect("json");
    let report = changes(&checked_in, &bare).expect("both generate");
    let text = report.to_string();
    assert!(report.is_breaking(), "{text}");
    for line in LOST_OVERRIDES {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    // Every operation is still there, under some name.
    assert!(
        !text
            .lines()
            .any(|l| l.contains("operation `") && l.ends_with("): removed")),
        "{text}"
    );
}

/// Lines of the report on Belvo's document without the project's overrides.
const LOST_OVERRIDES: &[&str] = &[
    // operation_ids: Belvo's summaries would name the methods.
    "BREAKING operation `accounts_list` (GET /api/accounts/): renamed to operation `accounts_list_all_accounts` (GET /api/accounts/)",
    "BREAKING operation `widget_token_create` (POST /api/token/): renamed to operation `connect_widget_create` (POST /api/token/)",
    // schema_names and schema_patches.
    "BREAKING type `TokenRequired`: removed",
    "BREAKING type `BalanceList`: field `results` retyped Vec<Balance> → Vec<Balance2>",
];

fn new_account(d: &mut Value) -> &mut Value {
    &mut d["components"]["schemas"]["NewAccount"]
}

/// A request body's builder fails when sent unless every field it needs is
/// set: a field it now needs breaks calls even when its Rust type stays (a
/// `Vec` with a serde default, an `Option` that is nullable), and so does a
/// required body added to an operation that had none.
#[test]
fn what_a_request_body_builder_must_now_set_breaks_calls() {
    let r = between(
        |d| {
            new_account(d)["properties"]["tags"] =
                json!({"type": "array", "items": {"type": "string"}});
            new_account(d)["properties"]["nick"] = json!({"type": "string", "nullable": true});
        },
        |d| {
            new_account(d)["properties"]["tags"] =
                json!({"type": "array", "items": {"type": "string"}});
            new_account(d)["properties"]["nick"] = json!({"type": "string", "nullable": true});
            new_account(d)["required"] = json!(["name", "tags", "nick"]);
        },
    );
    let must = "must now be set (a builder that does not set it fails when sent)";
    assert_eq!(
        r,
        [
            (true, format!("type `NewAccount`: field `nick` {must}")),
            (true, format!("type `NewAccount`: field `tags` {must}")),
        ]
    );
    let body = json!({"required": true, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/NewAccount"}}}});
    let r = between(
        |d| {
            d["paths"]["/accounts"]["put"] =
                json!({"operationId": "accounts_put", "responses": {"204": {"description": "ok"}}})
        },
        |d| {
            d["paths"]["/accounts"]["put"] = json!({"operationId": "accounts_put", "requestBody": body,
                "responses": {"204": {"description": "ok"}}});
        },
    );
    assert_eq!(
        r,
        [(
            true,
            "operation `accounts_put` (PUT /accounts): required parameter `body: NewAccount` added \
             (calls that do not set it fail when sent)"
                .into()
        )]
    );
}

/// Types are named as code names them: the document's own `Value` is not
/// serde_json's, and a field that holds one or the other is retyped. A
/// type only read is not taken for one sent because a sent type holds a
/// `serde_json::Value`.
#[test]
fn a_component_named_like_a_crate_type_is_its_own_type() {
    let value = |d: &mut Value| {
        d["components"]["schemas"]["Value"] =
            json!({"type": "object", "properties": {"v": {"type": "string"}}});
        new_account(d)["properties"]["extra"] = json!({});
    };
    let r = between(value, |d| {
        value(d);
        account(d)["properties"]["meta"] = json!({"$ref": "#/components/schemas/Value"});
        d["components"]["schemas"]["Value"]["properties"]["hint"] = json!({"type": "string"});
    });
    assert_eq!(
        r,
        [
            (false, at("meta: Option<Value>", "added")),
            (
                false,
                "type `Value`: field `hint: Option<String>` added".into()
            ),
        ]
    );
    let r = between(
        |d| account(d)["properties"]["meta"] = json!({}),
        |d| {
            value(d);
            account(d)["properties"]["meta"] = json!({"$ref": "#/components/schemas/Value"});
        },
    );
    assert!(
        r.contains(&(
            true,
            at("meta", "retyped Option<serde_json::Value> → Option<Value>")
        )),
        "{r:?}"
    );
}

/// What only a trait impl or a variant order says: an enum's `default`
/// gone takes its `impl Default`; an untagged union tries its variants in
/// order, so reordering them decodes the same body into another one.
#[test]
fn trait_impls_and_the_order_of_untagged_variants() {
    let r = between(
        |d| account(d)["properties"]["category"]["default"] = json!("CHECKING"),
        |_| {},
    );
    assert_eq!(
        r,
        [(
            true,
            "type `AccountCategory`: no longer implements Default".into()
        )]
    );
    let product = |order: [&'static str; 2]| {
        move |d: &mut Value| {
            let schemas = &mut d["components"]["schemas"];
            schemas["Card"] =
                json!({"type": "object", "properties": {"number": {"type": "string"}}});
            schemas["Loan"] =
                json!({"type": "object", "properties": {"rate": {"type": "integer"}}});
            let refs: Vec<Value> = order
                .iter()
                .map(|n| json!({"$ref": format!("#/components/schemas/{n}")}))
                .collect();
            account(d)["properties"]["product"] = json!({"oneOf": refs});
        }
    };
    assert_eq!(
        between(product(["Card", "Loan"]), product(["Loan", "Card"])),
        [(
            true,
            "type `AccountProduct`: variants tried in another order, Card, Loan → Loan, Card \
             (a body may decode into another one)"
                .into()
        )]
    );
}

/// A parameter whose integer type widens takes every value it took; a
/// value list on a type only sent gains a variant nobody matches on.
#[test]
fn widened_integers_and_enums_only_sent() {
    let page = |format: &'static str| {
        move |d: &mut Value| {
            list(d)["parameters"][0]["schema"] = json!({"type": "integer", "format": format})
        }
    };
    assert_eq!(
        between(page("int32"), page("int64")),
        [(false, format!("{LIST}: parameter `page` retyped i32 → i64"))]
    );
    assert_eq!(
        between(page("int64"), page("int32")),
        [(true, format!("{LIST}: parameter `page` retyped i64 → i32"))]
    );
    let kind = |values: Value| {
        move |d: &mut Value| {
            d["components"]["schemas"]["Kind"] = json!({"type": "string", "enum": values});
            list(d)["parameters"][0] = json!({"in": "query", "name": "kind",
                "schema": {"$ref": "#/components/schemas/Kind"}});
        }
    };
    assert_eq!(
        between(kind(json!(["a", "b"])), kind(json!(["a", "b", "c"]))),
        [(
            false,
            "type `Kind`: variant `C` added (the type is only sent)".into()
        )]
    );
}

/// A type renamed is told by where it is used: a type gone and a type new
/// that the same fields, parameters and results name. It is said once,
/// with the inline types typify names after it, and what changed in it is
/// said as well; nothing else is renamed with it (a unit variant `Error`
/// of another enum), and two types that merely look alike are no rename.
#[test]
fn renamed_types_are_told_by_where_they_are_used() {
    let rename = |d: &mut Value, was: &str, is: &str| {
        let schemas = d["components"]["schemas"].as_object_mut().unwrap();
        let schema = schemas.remove(was).unwrap();
        schemas.insert(is.into(), schema);
        let text = d
            .to_string()
            .replace(&format!("schemas/{was}\""), &format!("schemas/{is}\""));
        *d = serde_json::from_str(&text).unwrap();
    };
    let renamed = |was: &str, is: &str| {
        let what = format!("type `{was}`: renamed to `{is}` (code that names it must follow)");
        (true, what)
    };
    let r = report(|d| {
        rename(d, "Account", "Acct");
        d["components"]["schemas"]["Acct"]["properties"]["iban"] = json!({"type": "string"});
    });
    assert_eq!(
        r,
        [
            renamed("AccountCategory", "AcctCategory"),
            renamed("Account", "Acct"),
            (
                false,
                "type `Acct`: field `iban: Option<String>` added".into()
            ),
        ]
    );
    let with_error = |d: &mut Value| {
        account(d)["properties"]["status"] = json!({"type": "string", "enum": ["error", "ok"]});
        d["components"]["schemas"]["Error"] = json!({"type": "object", "required": ["code"],
            "properties": {"code": {"type": "string"}}});
        list(d)["responses"]["400"] = json!({"description": "bad", "content": {"application/json":
            {"schema": {"$ref": "#/components/schemas/Error"}}}});
    };
    let r = between(with_error, |d| {
        with_error(d);
        rename(d, "Error", "ApiError");
    });
    assert_eq!(r, [renamed("Error", "ApiError")]);
    // `Owner` goes, and `Label` of the same body comes for another field.
    let r = between(
        |d| {
            d["components"]["schemas"]["Owner"] =
                json!({"type": "object", "properties": {"name": {"type": "string"}}});
            account(d)["properties"]["owner"] = json!({"$ref": "#/components/schemas/Owner"});
        },
        |d| {
            d["components"]["schemas"]["Label"] =
                json!({"type": "object", "properties": {"name": {"type": "string"}}});
            new_account(d)["properties"]["label"] = json!({"$ref": "#/components/schemas/Label"});
        },
    );
    assert_eq!(
        r,
        [
            (true, at("owner", "removed")),
            (
                true,
                "type `NewAccount`: field `label: Option<Label>` added (struct literals must name it)".into()
            ),
            (true, "type `Owner`: removed".into()),
            (false, "type `Label`: added (struct)".into()),
        ]
    );
}

/// A component named like a std type (`String`) is not std's.
#[test]
fn a_component_named_like_a_std_type_is_its_own_type() {
    let r = report(|d| {
        d["components"]["schemas"]["String"] =
            json!({"type": "object", "properties": {"x": {"type": "string"}}});
        account(d)["properties"]["name"] = json!({"$ref": "#/components/schemas/String"});
    });
    assert_eq!(
        r,
        [
            (
                true,
                at("name", "retyped Option<String> → Option<types::String>")
            ),
            (false, "type `String`: added (struct)".into()),
        ]
    );
}

/// A path parameter renamed moves no operation: its URL is the same.
#[test]
fn a_renamed_path_parameter_is_no_move() {
    let item = |name: &str| {
        json!({"get": {"operationId": "accounts_get", "parameters": [{"in": "path", "name": name,
            "required": true, "schema": {"type": "string"}}], "responses": {"204": {"description": "ok"}}}})
    };
    let r = between(
        |d| d["paths"]["/accounts/{id}"] = item("id"),
        |d| d["paths"]["/accounts/{account_id}"] = item("account_id"),
    );
    let place = "operation `accounts_get` (GET /accounts/{id})";
    assert_eq!(
        r,
        [
            (true, format!("{place}: parameter `id` removed")),
            (
                true,
                format!("{place}: required parameter `account_id: String` added (calls that do not set it fail when sent)")
            ),
        ]
    );
}

/// What is sent or read without a change of code: a status range, a header
/// name, a body sent as a form, a default value. An operation's
/// description cannot fake its route.
#[test]
fn wire_changes_statuses_and_defaults() {
    let r = report(|d| {
        let responses = &mut list(d)["responses"];
        responses["2XX"] = responses["200"].take();
        responses.as_object_mut().unwrap().remove("200");
        list(d)["parameters"] =
            json!([{"in": "header", "name": "X-Mode", "schema": {"type": "string"}}]);
        list(d)["description"] = json!("Sends a `DELETE` request to `/x`");
        let body = &mut d["paths"]["/accounts"]["post"]["requestBody"]["content"];
        body["application/x-www-form-urlencoded"] = body["application/json"].take();
        body.as_object_mut().unwrap().remove("application/json");
    });
    assert_eq!(
        r,
        [
            (true, format!("{LIST}: parameter `page` removed")),
            (
                false,
                format!("{CREATE}: sends a form_urlencoded body instead of a json body")
            ),
            (
                false,
                format!("{LIST}: optional parameter `x_mode: String` added (a new builder method)")
            ),
            (
                false,
                format!("{LIST}: response 200 removed (now decoded as 2XX)")
            ),
            (false, format!("{LIST}: response 2XX added")),
        ]
    );
    let header = |name: &'static str| {
        move |d: &mut Value| {
            list(d)["parameters"] =
                json!([{"in": "header", "name": name, "schema": {"type": "string"}}])
        }
    };
    assert_eq!(
        between(header("X-Mode"), header("X-MODE")),
        [(
            false,
            format!("{LIST}: sends header `X-MODE` instead of header `X-Mode`")
        )]
    );
    let name_default = |value: &'static str| {
        move |d: &mut Value| account(d)["properties"]["name"]["default"] = json!(value)
    };
    assert_eq!(
        between(name_default("x"), name_default("y")),
        [(
            false,
            "default `types::defaults::account_name`: changed (what a body left out reads as, or sends)".into()
        )]
    );
}

/// A rename needs the same places and at least half the fields or
/// variants by name: an unrelated type in the same place is a type removed
/// and one added, and the enum that held it says its variants.
#[test]
fn a_type_in_the_place_of_an_unrelated_one_is_no_rename() {
    let product = |second: &'static str, body: Value| {
        move |d: &mut Value| {
            let schemas = &mut d["components"]["schemas"];
            schemas["Card"] = json!({"type": "object", "properties": {"pan": {"type": "string"}}});
            schemas[second] = body;
            let refs = [
                json!({"$ref": "#/components/schemas/Card"}),
                json!({"$ref": format!("#/components/schemas/{second}")}),
            ];
            account(d)["properties"]["product"] = json!({"oneOf": refs});
        }
    };
    let loan = json!({"type": "object", "required": ["rate"], "properties": {"rate": {"type": "integer"}}});
    let mortgage = json!({"type": "object", "required": ["term"], "properties": {"term": {"type": "integer"}}});
    let r = between(product("Loan", loan), product("Mortgage", mortgage));
    for line in [
        (
            true,
            "type `AccountProduct`: variant `Loan` removed".to_owned(),
        ),
        (
            true,
            "type `AccountProduct`: variant `Mortgage(Mortgage)` added (matches must handle it)"
                .to_owned(),
        ),
        (true, "type `Loan`: removed".to_owned()),
        (false, "type `Mortgage`: added (struct)".to_owned()),
    ] {
        assert!(r.contains(&line), "{line:?} not in {r:?}");
    }
    assert!(!r.iter().any(|(_, l)| l.contains("renamed")), "{r:?}");
}

/// The converter numbers names: a new `Account2` before the old one makes
/// that one `Account3`. A name given to a type unlike the old one of that
/// name counts as gone and as new, so the old `Account2` is renamed, not
/// compared field by field with an unrelated type. A tree's type, which
/// holds itself, is renamed too.
#[test]
fn renumbered_and_recursive_types_are_renames() {
    let schemas = |d: &mut Value, second: &str, third: Option<&str>| {
        let s = &mut d["components"]["schemas"];
        s[second] = json!({"type": "object", "properties": {"iban": {"type": "string"}, "bank": {"type": "string"}}});
        account(d)["properties"]["parent"] =
            json!({"$ref": format!("#/components/schemas/{second}")});
        if let Some(third) = third {
            d["components"]["schemas"][third] =
                json!({"type": "object", "properties": {"nick": {"type": "string"}}});
            account(d)["properties"]["alias"] =
                json!({"$ref": format!("#/components/schemas/{third}")});
        }
    };
    let r = between(
        |d| schemas(d, "Account2", None),
        |d| schemas(d, "Account3", Some("Account2")),
    );
    assert_eq!(
        r,
        [
            (
                true,
                "type `Account2`: renamed to `Account3` (code that names it must follow)".into()
            ),
            (false, "type `Account2`: added (struct)".into()),
            (false, at("alias: Option<Account2>", "added")),
        ]
    );
    let tree = |name: &'static str| {
        move |d: &mut Value| {
            let r = format!("#/components/schemas/{name}");
            d["components"]["schemas"][name] = json!({"type": "object", "properties": {
                "children": {"type": "array", "items": {"$ref": r}}}});
            account(d)["properties"]["tree"] = json!({"$ref": r});
        }
    };
    assert_eq!(
        between(tree("Node"), tree("TreeNode")),
        [(
            true,
            "type `Node`: renamed to `TreeNode` (code that names it must follow)".into()
        )]
    );
}

/// After a rename, what changed in the type is said, a default value
/// (typify names its function after the type) among it; the parsing code
/// of an enum that names the renamed variant is no change.
#[test]
fn a_rename_keeps_defaults_and_checks_compared() {
    let nick = |value: &'static str| json!({"type": "string", "default": value});
    let base_nick = |d: &mut Value| new_account(d)["properties"]["nick"] = nick("x");
    let r = between(base_nick, |d| {
        base_nick(d);
        new_account(d)["properties"]["nick"] = nick("y");
        let text = d.to_string().replace("NewAccount", "AccountInput");
        *d = serde_json::from_str(&text).unwrap();
    });
    assert_eq!(
        r,
        [
            (true, "type `NewAccount`: renamed to `AccountInput` (code that names it must follow)".into()),
            (
                false,
                "default `types::defaults::account_input_nick`: changed (what a body left out reads as, or sends)".into()
            ),
        ]
    );
    let reference = |kind: &'static str| {
        move |d: &mut Value| {
            d["components"]["schemas"][kind] = json!({"type": "string", "enum": ["x", "y"]});
            d["components"]["schemas"]["Code"] = json!({"type": "string", "maxLength": 3});
            account(d)["properties"]["ref"] = json!({"oneOf": [
                {"$ref": format!("#/components/schemas/{kind}")}, {"$ref": "#/components/schemas/Code"}]});
        }
    };
    assert_eq!(
        between(reference("Kind"), reference("Sort")),
        [(
            true,
            "type `Kind`: renamed to `Sort` (code that names it must follow)".into()
        )]
    );
}

/// A query parameter named `client` is a parameter; the builder's own
/// `client` field (then `_client`) is not.
#[test]
fn a_parameter_named_client_is_one_parameter() {
    let r = report(|d| {
        list(d)["parameters"] = json!([list(d)["parameters"][0].take(),
            {"in": "query", "name": "client", "schema": {"type": "string"}}]);
    });
    assert_eq!(
        r,
        [(
            false,
            format!("{LIST}: optional parameter `client: String` added (a new builder method)")
        )]
    );
}
