//! The spec-change report on small documents: each kind of change, and
//! whether it is marked breaking for users of the generated client.

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
        .0
        .into_iter()
        .map(|c| (c.breaking, format!("{}: {}", c.place, c.what)))
        .collect()
}

/// A report line on property `p` of `Account`.
fn at(p: &str, what: &str) -> String {
    format!("schema `Account`: schema property `$.{p}` {what}")
}

fn account(doc: &mut Value) -> &mut Value {
    &mut doc["components"]["schemas"]["Account"]
}

#[test]
fn the_same_document_has_no_changes() {
    let r = changes(&base(), &base());
    assert_eq!(r, Report::default());
    assert!(!r.is_breaking());
    assert_eq!(
        r.to_string(),
        "no change to operations, parameters or schemas\n"
    );
}

#[test]
fn operations_removed_break_and_added_do_not() {
    let r = report(|d| {
        let post = d["paths"]["/accounts"]["post"].take();
        d["paths"]["/accounts"]
            .as_object_mut()
            .unwrap()
            .remove("post");
        d["paths"]["/accounts/{id}"] = json!({"delete": post});
        d["paths"]["/accounts/{id}"]["delete"]["operationId"] = json!("accounts_delete");
    });
    assert_eq!(
        r,
        [
            (
                true,
                "operation `accounts_create` (POST /accounts): removed".into()
            ),
            (
                false,
                "operation `accounts_delete` (DELETE /accounts/{id}): added".into()
            ),
        ]
    );
}

#[test]
fn a_required_property_becoming_nullable_breaks() {
    let r = report(|d| account(d)["properties"]["balance"]["nullable"] = json!(true));
    assert_eq!(
        r,
        [(
            true,
            "schema `Account`: schema property `$.balance` became nullable (T → Option<T>)".into()
        )]
    );
}

#[test]
fn an_optional_property_becoming_nullable_changes_no_type() {
    let r = report(|d| account(d)["properties"]["name"]["nullable"] = json!(true));
    assert_eq!(
        r,
        [(
            false,
            "schema `Account`: schema property `$.name` became nullable".into()
        )]
    );
}

#[test]
fn new_properties_break_struct_literals_of_request_types_only() {
    let r = report(|d| {
        account(d)["properties"]["iban"] = json!({"type": "string"});
        account(d)["properties"]["owner"] = json!({"type": "string"});
        account(d)["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("owner"));
        let new = &mut d["components"]["schemas"]["NewAccount"];
        new["properties"]["currency"] = json!({"type": "string"});
        new["properties"]["number"] = json!({"type": "string"});
        new["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("number"));
    });
    assert_eq!(
        r,
        [
            (
                true,
                "schema `NewAccount`: optional schema property `$.currency` added (struct literals must name it)".into()
            ),
            (
                true,
                "schema `NewAccount`: required schema property `$.number` added (struct literals must name it)".into()
            ),
            (
                false,
                "schema `Account`: optional schema property `$.iban` added".into()
            ),
            (
                false,
                "schema `Account`: required schema property `$.owner` added".into()
            ),
        ]
    );
}

#[test]
fn enum_values_and_types_and_removed_properties() {
    let r = report(|d| {
        account(d)["properties"]["category"]["enum"] = json!(["CHECKING", "LOAN"]);
        account(d)["properties"]["id"]["format"] = json!("int64");
        account(d)["properties"]["id"]["type"] = json!("integer");
        account(d)["properties"]
            .as_object_mut()
            .unwrap()
            .remove("name");
    });
    assert_eq!(
        r,
        [
            (true, "schema `Account`: schema property `$.category` gained enum value \"LOAN\" (a new variant)".into()),
            (true, "schema `Account`: schema property `$.category` lost enum value \"SAVINGS\"".into()),
            (true, "schema `Account`: schema property `$.id` retyped string/uuid → integer/int64".into()),
            (true, "schema `Account`: schema property `$.name` removed".into()),
        ]
    );
}

/// The client calls operations through builders (`codegen/settings.rs`):
/// a new optional parameter is one more method, while a parameter that
/// calls must now set makes the ones that do not fail when sent.
#[test]
fn parameters_are_builder_methods() {
    let r = report(|d| {
        let get = &mut d["paths"]["/accounts"]["get"];
        get["parameters"][0]["schema"] = json!({"type": "string"});
        let params = get["parameters"].as_array_mut().unwrap();
        params.push(json!({"in": "query", "name": "size", "schema": {"type": "integer"}}));
        params.push(
            json!({"in": "query", "name": "link", "required": true, "schema": {"type": "string"}}),
        );
    });
    assert_eq!(
        r,
        [
            (true, "operation `accounts_list` (GET /accounts): query parameter `page` retyped integer → string".into()),
            (true, "operation `accounts_list` (GET /accounts): required query parameter `link` added (calls that do not set it fail when sent)".into()),
            (false, "operation `accounts_list` (GET /accounts): optional query parameter `size` added (a new builder method)".into()),
        ]
    );
}

#[test]
fn a_parameter_becoming_required_breaks_calls_and_optional_does_not() {
    let required = report(|d| {
        d["paths"]["/accounts"]["get"]["parameters"][0]["required"] = json!(true);
    });
    assert_eq!(
        required,
        [(true, "operation `accounts_list` (GET /accounts): query parameter `page` became required (calls that do not set it fail when sent)".into())]
    );
    // The other way round: from a document where it is required.
    let mut old = base();
    old["paths"]["/accounts"]["get"]["parameters"][0]["required"] = json!(true);
    let optional = lines(&old, &base());
    assert_eq!(
        optional,
        [(
            false,
            "operation `accounts_list` (GET /accounts): query parameter `page` became optional"
                .into()
        )]
    );
}

#[test]
fn schemas_and_statuses_removed_or_added() {
    let r = report(|d| {
        d["components"]["schemas"]["Other"] = json!({"type": "object"});
        let post = &mut d["paths"]["/accounts"]["post"];
        post["responses"]["428"] = json!({"description": "token"});
        post["requestBody"] = Value::Null;
        post.as_object_mut().unwrap().remove("requestBody");
        d["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove("NewAccount");
    });
    assert_eq!(
        r,
        [
            (
                true,
                "operation `accounts_create` (POST /accounts): request body removed".into()
            ),
            (
                true,
                "schema `NewAccount`: removed (a type of the client is gone)".into()
            ),
            (
                false,
                "operation `accounts_create` (POST /accounts): response 428 added".into()
            ),
            (false, "schema `Other`: added".into()),
        ]
    );
    let text = changes(&base(), &{
        let mut d = base();
        d["components"]["schemas"]["Other"] = json!({"type": "object"});
        d
    })
    .to_string();
    assert_eq!(
        text,
        "1 change(s), 0 breaking for users of the generated client:\n  ok       schema `Other`: added\n"
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
    let report = changes(&checked_in, &bare);
    let text = report.to_string();
    assert!(report.is_breaking(), "{text}");
    for line in [
        // operation_ids: Belvo's summaries would name the methods.
        "BREAKING operation `accounts_list` (GET /api/accounts/): renamed to operation `accounts_list_all_accounts` (GET /api/accounts/)",
        "BREAKING operation `links_update_credentials` (PUT /api/links/{id}/): renamed to operation `links_update_a_link_s_credentials` (PUT /api/links/{id}/)",
        "BREAKING operation `widget_token_create` (POST /api/token/): renamed to operation `connect_widget_create` (POST /api/token/)",
        // schema_names and schema_patches.
        "BREAKING schema `TokenRequired`: removed (a type of the client is gone)",
        "ok       schema `MfaTokenRequired`: added",
        "BREAKING schema `BalanceList`: schema property `$.results[]` retyped Balance → Balance2",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    // Every operation is still there, on its method and path.
    assert!(
        !text
            .lines()
            .any(|l| l.contains("operation `") && l.ends_with("): removed")),
        "{text}"
    );
}

/// An operation's error bodies become one oneOf, which the generator makes
/// an enum without a catch-all: a new alternative breaks `match`es even in
/// a type that is only read.
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
            d["paths"]["/accounts"]["get"]["responses"]["400"] = json!({"description": "bad",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ListError"}}}});
        }
    };
    let (mut old, mut new) = (base(), base());
    union(2)(&mut old);
    union(3)(&mut new);
    assert_eq!(
        lines(&old, &new),
        [(
            true,
            "schema `ListError`: schema gained variant `$.<variant string>` (a new enum variant)"
                .into()
        )]
    );
    assert_eq!(
        lines(&new, &old),
        [(
            true,
            "schema `ListError`: schema lost variant `$.<variant string>`".into()
        )]
    );
    // A property that becomes a union is said once, as retyped.
    let mut union_name = base();
    account(&mut union_name)["properties"]["name"] =
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
    assert_eq!(
        lines(&base(), &union_name),
        [(
            true,
            "schema `Account`: schema property `$.name` retyped string → oneOf".into()
        )]
    );
}

/// progenitor decodes all of an operation's error bodies into one type (and
/// its success bodies into another): a status whose body is a new kind
/// changes that type; one with a body the others share does not.
#[test]
fn a_status_breaks_when_it_changes_the_type_of_its_group() {
    let error = |schema: Value| json!({"description": "e", "content": {"application/json": {"schema": schema}}});
    let mut old = base();
    old["paths"]["/accounts"]["get"]["responses"]["400"] = error(json!({"type": "string"}));
    let mut same = old.clone();
    same["paths"]["/accounts"]["get"]["responses"]["404"] = error(json!({"type": "string"}));
    let mut other = old.clone();
    other["paths"]["/accounts"]["get"]["responses"]["404"] =
        error(json!({"type": "object", "properties": {"detail": {"type": "string"}}}));
    assert_eq!(
        lines(&old, &same),
        [(
            false,
            "operation `accounts_list` (GET /accounts): response 404 added".into()
        )]
    );
    assert_eq!(
        lines(&old, &other),
        [(true, "operation `accounts_list` (GET /accounts): response 404 added (the error type changes)".into())]
    );
    assert_eq!(
        lines(&other, &old),
        [(true, "operation `accounts_list` (GET /accounts): response 404 removed (now an unexpected response) (the error type changes)".into())]
    );
    // A success status with a new body changes the success type.
    let mut created = old.clone();
    created["paths"]["/accounts"]["get"]["responses"]["201"] = error(json!({"type": "integer"}));
    assert_eq!(
        lines(&old, &created),
        [(true, "operation `accounts_list` (GET /accounts): response 201 added (the success type changes)".into())]
    );
}

/// The changes from `base()` edited one way to `base()` edited another.
fn between(old: impl FnOnce(&mut Value), new: impl FnOnce(&mut Value)) -> Vec<(bool, String)> {
    let (mut before, mut after) = (base(), base());
    old(&mut before);
    new(&mut after);
    lines(&before, &after)
}

/// Types are compared as the Rust types they generate: a format that gives
/// the same one changes nothing (every `number` is a `Decimal`), an object
/// without properties is a map and one with properties a struct, an array
/// without `items` holds `Value`s, and only a string enum is a Rust enum.
#[test]
fn types_are_compared_as_their_rust_types() {
    let r = between(
        |d| {
            let props = &mut account(d)["properties"];
            props["meta"] = json!({"type": "object"});
            props["tags"] = json!({"type": "array"});
            props["level"] = json!({"type": "integer", "enum": [1, 2]});
        },
        |d| {
            let props = &mut account(d)["properties"];
            props["balance"]["format"] = json!("float");
            props["name"]["format"] = json!("email");
            props["meta"] = json!({"type": "object", "properties": {"a": {"type": "string"}}});
            props["tags"] = json!({"type": "array", "items": {"type": "string"}});
            props["level"] = json!({"type": "integer", "enum": [1, 2, 3]});
        },
    );
    assert_eq!(
        r,
        [
            (
                true,
                at("meta", "retyped object → object (Rust Map → struct)")
            ),
            (true, at("tags[]", "retyped any → string")),
            (
                false,
                at(
                    "balance",
                    "retyped number → number/float (the same Rust type, Decimal)"
                )
            ),
            (false, at("level", "gained enum value 3")),
            (
                false,
                at(
                    "name",
                    "retyped string → string/email (the same Rust type, String)"
                )
            ),
        ]
    );
}

/// An array or a map that is not required is `T` with a serde default, not
/// `Option<T>`: `required` alone changes nothing, `nullable` makes it an
/// `Option`.
#[test]
fn arrays_and_maps_are_options_only_when_nullable() {
    let r = between(
        |d| {
            let a = account(d);
            a["properties"]["tags"] = json!({"type": "array", "items": {"type": "string"}});
            a["properties"]["meta"] = json!({"type": "object"});
            a["required"] = json!(["id", "balance", "category", "tags"]);
        },
        |d| {
            let a = account(d);
            a["properties"]["tags"] = json!({"type": "array", "items": {"type": "string"}});
            a["properties"]["meta"] = json!({"type": "object", "nullable": true});
        },
    );
    assert_eq!(
        r,
        [
            (true, at("meta", "became nullable (T → Option<T>)")),
            (false, at("tags", "became optional")),
        ]
    );
}

/// A property whose name holds a `.` is its own property, not one below
/// another; a subtree that goes with its parent is said once, by the
/// parent; alternatives named by their `$ref` may be reordered; a
/// `nullable` beside a `$ref` is dropped by the generator's parser.
#[test]
fn paths_name_what_changed_once() {
    let r = between(
        |d| {
            account(d)["properties"]["owner"] = json!({"type": "object", "properties": {
                "name": {"type": "object", "properties": {"first": {"type": "string"}}}}});
            account(d)["properties"]["either"] =
                json!({"oneOf": [{"$ref": "#/components/schemas/NewAccount"}, {"type": "string"}]});
        },
        |d| {
            let new = &mut d["components"]["schemas"]["NewAccount"];
            new["properties"]["owner.name"] = json!({"type": "string"});
            new["required"] = json!(["name", "owner.name"]);
            account(d)["properties"]["owner"] =
                json!({"$ref": "#/components/schemas/NewAccount", "nullable": true});
            account(d)["properties"]["either"] =
                json!({"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/NewAccount"}]});
        },
    );
    assert_eq!(
        r,
        [
            (
                true,
                "schema `Account`: schema property `$.owner` retyped object → NewAccount".into()
            ),
            (
                true,
                "schema `NewAccount`: required schema property `$.owner_name` added \
                 (struct literals must name it)"
                    .into()
            ),
        ]
    );
}

/// An operation is a method named after its operationId: moved to another
/// path under the same id, its calls are unchanged. A response that is no
/// longer JSON is a byte stream; a request body sent as a form instead of
/// JSON keeps its type.
#[test]
fn moved_operations_and_media_types() {
    let r = report(|d| {
        let mut item = d["paths"]["/accounts"].take();
        item["get"]["responses"]["200"]["content"] =
            json!({"text/csv": {"schema": {"type": "string"}}});
        let body = &mut item["post"]["requestBody"]["content"];
        body["application/x-www-form-urlencoded"] = body["application/json"].take();
        body.as_object_mut().unwrap().remove("application/json");
        d["paths"] = json!({"/accounts/": item});
    });
    let get = "operation `accounts_list` (GET /accounts)";
    let post = "operation `accounts_create` (POST /accounts)";
    assert_eq!(
        r,
        [
            (
                true,
                format!("{get}: response 200 media type application/json → text/csv (its Rust type changes)")
            ),
            (false, format!("{post}: moved to POST /accounts/ (calls are unchanged)")),
            (
                false,
                format!("{post}: request body media type application/json → \
                         application/x-www-form-urlencoded (the body's type stays)")
            ),
            (false, format!("{get}: moved to GET /accounts/ (calls are unchanged)")),
        ]
    );
}

/// What progenitor 0.15 makes of formats, bounds, value lists and lone
/// alternatives, each checked on its output: an IP format or a sized
/// integer is another type, a bound makes a number an `f64` and an integer
/// unsigned, a value list on an integer a checked newtype; a lone oneOf
/// or allOf alternative, or a oneOf that becomes an anyOf, is the same
/// type; a `default` makes an optional field `T`.
#[test]
fn formats_bounds_and_lone_alternatives() {
    let r = between(
        |d| {
            let props = &mut account(d)["properties"];
            props["ip"] = json!({"type": "string"});
            props["count"] = json!({"type": "integer"});
            props["level"] = json!({"type": "integer"});
            props["rate"] = json!({"type": "number"});
            props["kind"] = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
            props["label"] = json!({"type": "string"});
            props["note"] = json!({"type": "string", "default": "-"});
        },
        |d| {
            let props = &mut account(d)["properties"];
            props["ip"] = json!({"type": "string", "format": "ipv4"});
            props["count"] = json!({"type": "integer", "format": "int"});
            props["level"] = json!({"type": "integer", "enum": [1, 2]});
            props["rate"] = json!({"type": "number", "minimum": 0});
            props["kind"] = json!({"anyOf": [{"type": "integer"}, {"type": "string"}]});
            props["label"] = json!({"allOf": [{"type": "string"}]});
            props["note"] = json!({"type": "string"});
            props["category"]["enum"] = json!(["CHECKING", "SAVINGS", null]);
            props["category"]["nullable"] = json!(true);
        },
    );
    assert_eq!(
        r,
        [
            (true, at("category", "became nullable (T → Option<T>)")),
            (true, at("count", "retyped integer → integer/int")),
            (true, at("ip", "retyped string → string/ipv4")),
            (
                true,
                at(
                    "level",
                    "retyped integer → integer (Rust i64 → integer newtype)"
                )
            ),
            (true, at("note", "lost its default (T → Option<T>)")),
            (
                true,
                at(
                    "rate",
                    "retyped number → number (Rust Decimal → number minimum=0)"
                )
            ),
            (
                false,
                at("kind", "retyped oneOf → anyOf (the same Rust type, enum)")
            ),
            (
                false,
                at(
                    "label",
                    "retyped string → allOf (the same Rust type, String)"
                )
            ),
            (false, at("level", "gained enum value 1")),
            (false, at("level", "gained enum value 2")),
        ]
    );
}

/// Operations are paired by operationId first: two that swap paths moved,
/// and one whose route another takes is compared where it went.
#[test]
fn operations_pair_by_their_operation_id() {
    let r = report(|d| {
        let item = d["paths"]["/accounts"].take();
        let (mut get, post) = (item["get"].clone(), item["post"].clone());
        let params = get["parameters"].as_array_mut().expect("parameters");
        params.push(json!({"in": "query", "name": "link", "required": true,
            "schema": {"type": "string"}}));
        let mut other = get.clone();
        other["operationId"] = json!("accounts_other");
        d["paths"] =
            json!({"/accounts": {"get": other, "post": post}, "/v2/accounts": {"get": get}});
    });
    let list = "operation `accounts_list` (GET /accounts)";
    assert_eq!(
        r,
        [
            (
                true,
                format!("{list}: required query parameter `link` added (calls that do not set it fail when sent)")
            ),
            (false, format!("{list}: moved to GET /v2/accounts (calls are unchanged)")),
            (false, "operation `accounts_other` (GET /accounts): added".into()),
        ]
    );
}

/// A parameter or property renamed on the wire to a name that gives the
/// same Rust name keeps its builder method or field: said, not breaking.
#[test]
fn a_rename_to_the_same_rust_name_keeps_the_method_and_field() {
    let with = |param: &str, prop: &str| {
        let (param, prop) = (param.to_owned(), prop.to_owned());
        move |d: &mut Value| {
            let params = d["paths"]["/accounts"]["get"]["parameters"]
                .as_array_mut()
                .unwrap();
            params.push(json!({"in": "query", "name": param, "schema": {"type": "integer"}}));
            account(d)["properties"][prop] = json!({"type": "string"});
        }
    };
    let r = between(
        with("pageSize", "ownerName"),
        with("page_size", "owner_name"),
    );
    assert_eq!(
        r,
        [
            (
                false,
                "operation `accounts_list` (GET /accounts): query parameter `pageSize` is now \
                 query parameter `page_size` (the same builder method)"
                    .into()
            ),
            (
                false,
                "schema `Account`: schema property `$.owner_name` renamed on the wire \
                 `ownerName` → `owner_name` (the same Rust field)"
                    .into()
            ),
        ]
    );
    // Another Rust name is a removal and an addition.
    let r = between(with("pageSize", "ownerName"), with("size", "owner"));
    assert_eq!(
        r.iter().filter(|(breaking, _)| *breaking).count(),
        2,
        "{r:?}"
    );
}

/// What lies below a property renamed on the wire is compared too; an
/// array parameter's items are its type; a parameter moved from the query
/// to a header keeps its builder method; `additionalProperties: {}` is the
/// map it was; a length or pattern makes a string a newtype, a bound an
/// integer a sized or unsigned one; an allOf member beside properties of
/// its own joins them in one struct.
#[test]
fn renamed_subtrees_parameter_items_and_constraints() {
    let r = between(
        |d| {
            let get = &mut d["paths"]["/accounts"]["get"];
            get["parameters"] = json!([
                {"in": "query", "name": "tag", "schema": {"type": "array", "items": {"type": "string"}}},
                {"in": "query", "name": "x_id", "schema": {"type": "string"}}]);
            let props = &mut account(d)["properties"];
            props["ownerInfo"] =
                json!({"type": "object", "properties": {"id": {"type": "string"}}});
            props["meta"] = json!({"type": "object"});
            props["code"] = json!({"type": "string"});
            props["level"] = json!({"type": "integer"});
            d["components"]["schemas"]["Ext"] = json!({"allOf": [{"$ref": "#/components/schemas/NewAccount"}],
                "properties": {"b": {"type": "string"}}});
        },
        |d| {
            let get = &mut d["paths"]["/accounts"]["get"];
            get["parameters"] = json!([
                {"in": "query", "name": "tag", "schema": {"type": "array", "items": {"type": "integer"}}},
                {"in": "header", "name": "x_id", "schema": {"type": "string"}}]);
            let props = &mut account(d)["properties"];
            props["owner_info"] =
                json!({"type": "object", "properties": {"id": {"type": "integer"}}});
            props["meta"] = json!({"type": "object", "additionalProperties": {}});
            props["code"] = json!({"type": "string", "maxLength": 8});
            props["level"] = json!({"type": "integer", "maximum": 255});
            d["components"]["schemas"]["Ext"] = json!({"allOf": [{"$ref": "#/components/schemas/NewAccount"}],
                "properties": {"c": {"type": "string"}}});
        },
    );
    let list = "operation `accounts_list` (GET /accounts)";
    assert_eq!(
        r,
        [
            (true, format!("{list}: query parameter `tag` property `$[]` retyped string → integer")),
            (true, at("code", "retyped string → string (Rust String → string newtype maxLength=8)")),
            (true, at("level", "retyped integer → integer (Rust i64 → integer maximum=255)")),
            (true, at("owner_info.id", "retyped string → integer")),
            // Ext is used by no operation: taken as a request type.
            (
                true,
                "schema `Ext`: optional schema property `$.c` added (struct literals must name it)"
                    .into()
            ),
            (true, "schema `Ext`: schema property `$.b` removed".into()),
            (false, format!("{list}: query parameter `x_id` is now header parameter `x_id` (the same builder method)")),
            (false, at("owner_info", "renamed on the wire `ownerInfo` → `owner_info` (the same Rust field)")),
        ]
    );
}
