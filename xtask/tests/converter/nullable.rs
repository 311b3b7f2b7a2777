//! The nullable-responses policy: servers send `null` where examples never
//! show it (Belvo does so in about 40 % of response properties), and leave
//! out what the caller asks them to (`fields`, `omit`), so when the
//! overrides ask for it every property inferred from response examples is
//! nullable and optional, but the ones pinned as never null.

use postman_openapi::{convert, Options, Overrides};
use serde_json::{json, Value};

use crate::generated::generate_checked;
use crate::V21;

/// A POST whose request body is a `Query` and whose 200 is an `Item` with
/// an `Owner` inside.
fn collection() -> Vec<u8> {
    let item = json!({"id": "<uuid>", "amount": 1.5, "owner": {"id": "<uuid>", "name": "Ann"}, "tags": ["a"]});
    json!({"info": {"name": "Nullable", "schema": V21}, "item": [
        {"name": "search items", "request": {"method": "POST", "url": "https://api.example.com/items",
            "body": {"mode": "raw", "raw": json!({"text": "x", "limit": 2}).to_string(),
                     "options": {"raw": {"language": "json"}}}},
         "response": [{"name": "OK", "code": 200, "body": item.to_string(),
            "header": [{"key": "Content-Type", "value": "application/json"}]}]}
    ]})
    .to_string()
    .into_bytes()
}

fn with(overrides: &str) -> Value {
    let overrides = Overrides::parse(overrides.as_bytes()).expect("overrides parse");
    let doc = convert(
        &collection(),
        &Options {
            overrides,
            ..Options::default()
        },
    )
    .expect("converts");
    generate_checked(&doc);
    doc
}

#[test]
fn without_the_policy_nothing_is_nullable() {
    let doc = with("{}");
    assert!(!doc.to_string().contains("nullable"), "{doc:#}");
}

#[test]
fn response_properties_are_nullable_but_the_pinned_ones() {
    let doc = with(
        r#"{"nullable_responses": {"never_null": {"Item": ["id", "owner"], "Owner": ["id"]}}}"#,
    );
    let schemas = &doc["components"]["schemas"];
    let item = &schemas["Item"];
    assert_eq!(
        item["properties"]["id"],
        json!({"type": "string", "format": "uuid"})
    );
    assert_eq!(
        item["properties"]["amount"],
        json!({"type": "number", "nullable": true})
    );
    assert_eq!(
        item["properties"]["tags"],
        json!({"type": "array", "items": {"type": "string"}, "nullable": true})
    );
    // Pinned properties stay required, the reference too; the others may
    // be left out.
    assert_eq!(item["required"], json!(["id", "owner"]));
    assert_eq!(schemas["Owner"]["properties"]["name"]["nullable"], true);
    assert!(schemas["Owner"]["properties"]["id"]
        .get("nullable")
        .is_none());
    // The request body is not a response: untouched.
    let request = &schemas["SearchItemsRequest"];
    assert!(!request.to_string().contains("nullable"), "{request}");
}

#[test]
fn an_unpinned_reference_becomes_optional() {
    // OpenAPI 3.0 cannot put `nullable` next to `$ref`: only not required.
    let doc = with(r#"{"nullable_responses": {}}"#);
    let item = &doc["components"]["schemas"]["Item"];
    assert_eq!(
        item["properties"]["owner"],
        json!({"$ref": "#/components/schemas/Owner"})
    );
    assert!(item.get("required").is_none(), "{item}");
    assert_eq!(item["properties"]["id"]["nullable"], true);
}

#[test]
fn schema_patches_apply_on_top_of_the_policy() {
    let doc = with(
        r#"{"nullable_responses": {}, "schema_patches": {"Item": {"properties": {"amount": {"nullable": null}}}}}"#,
    );
    let item = &doc["components"]["schemas"]["Item"];
    assert_eq!(item["properties"]["amount"], json!({"type": "number"}));
    assert_eq!(item["properties"]["tags"]["nullable"], true);
}

#[test]
fn a_schema_patch_is_a_merge_patch() {
    // RFC 7386: `null` removes a member, an object merges into the object
    // there (its other members kept), anything else is set.
    let doc = with(
        r#"{"schema_patches": {"Item": {"required": null, "description": "x", "properties": {"amount": {"minimum": 0}}}}}"#,
    );
    let plain = with("{}");
    let (item, before) = (
        &doc["components"]["schemas"]["Item"],
        &plain["components"]["schemas"]["Item"],
    );
    assert!(before.get("required").is_some(), "{before}");
    assert!(item.get("required").is_none(), "{item}");
    assert_eq!(item["description"], "x");
    assert_eq!(item["type"], "object");
    assert_eq!(
        item["properties"]["amount"],
        json!({"type": "number", "minimum": 0})
    );
    assert_eq!(item["properties"]["id"], before["properties"]["id"]);
    assert_eq!(item["properties"]["owner"], before["properties"]["owner"]);
}

/// Two payments whose `method` objects have one shape (`{pse}`) but whose
/// `pse` differ: one component, whose `pse` is a union of the two.
fn payments() -> Vec<u8> {
    let get = |path: &str, pse: Value| {
        let body = json!({"id": "<uuid>", "method": {"pse": pse}}).to_string();
        json!({"name": path, "request": {"method": "GET", "url": format!("https://api.example.com/{path}")},
            "response": [{"name": "OK", "code": 200, "body": body,
                "header": [{"key": "Content-Type", "value": "application/json"}]}]})
    };
    let details = json!({"payer_institution": "<uuid>", "payer_bank_account": "<uuid>"});
    let information = json!({"redirect_url": "<string>", "bank_payment_id": "<string>"});
    let items = [get("charges", details), get("intents", information)];
    let info = json!({"name": "Payments", "schema": V21});
    json!({"info": info, "item": items})
        .to_string()
        .into_bytes()
}

/// The `pse` schema of the `method` component, its references followed.
fn pse(overrides: &str) -> Value {
    let overrides = Overrides::parse(overrides.as_bytes()).expect("overrides parse");
    let options = Options {
        overrides,
        ..Options::default()
    };
    let doc = convert(&payments(), &options).expect("converts");
    generate_checked(&doc);
    doc["components"]["schemas"]["Method"]["properties"]["pse"].clone()
}

/// Under the policy no response object requires a property, so a
/// generated untagged enum of them takes its first variant for every body
/// and drops what the others hold: the variants are one object with all
/// their properties instead. Without the policy each requires its own, and
/// the union decodes each body into its own variant.
#[test]
fn a_union_of_objects_that_require_nothing_is_one_object() {
    let merged = pse(r#"{"nullable_responses": {"never_null": {}}}"#);
    assert!(merged.get("oneOf").is_none(), "{merged:#}");
    let props = merged["properties"].as_object().expect("one object");
    let names: Vec<&String> = props.keys().collect();
    let all = [
        "bank_payment_id",
        "payer_bank_account",
        "payer_institution",
        "redirect_url",
    ];
    assert_eq!(names, all, "{merged:#}");
    assert!(merged.get("required").is_none(), "{merged:#}");

    let union = pse("{}");
    let variants = union["oneOf"].as_array().expect("a union");
    assert_eq!(variants.len(), 2, "{union:#}");

    // A variant with a patch keeps its component, which the patch reaches.
    let patched = r#"{"nullable_responses": {"never_null": {}},
        "schema_patches": {"Pse": {"description": "patched"}}}"#;
    let kept = pse(patched);
    let variants = kept["oneOf"].as_array().expect("a union");
    assert!(
        variants.contains(&json!({"$ref": "#/components/schemas/Pse"})),
        "{kept:#}"
    );
}
