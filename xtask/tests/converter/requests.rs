//! How one request item is drafted: bare variables in JSON bodies, the types
//! of query values, and the header names and values a client can send.

use postman_openapi::convert;
use postman_openapi::openapi::operation::{is_token, quote_variables, scalar_schema};
use serde_json::json;

use crate::{options, V21};

#[test]
fn bare_variables_in_json_bodies_are_quoted() {
    assert_eq!(
        quote_variables(r#"{"n": {{count}}, "s": "{{x}}"}"#),
        r#"{"n": "{{count}}", "s": "{{x}}"}"#
    );
}

#[test]
fn concrete_query_values_give_type_only() {
    assert_eq!(scalar_schema(Some("42")).0, json!({"type": "integer"}));
    assert_eq!(scalar_schema(Some("007")).0, json!({"type": "string"}));
    assert_eq!(
        scalar_schema(Some("<date>")).0,
        json!({"type": "string", "format": "date"})
    );
    assert_eq!(scalar_schema(Some("{{x}}")).0, json!({"type": "string"}));
}

#[test]
fn header_tokens() {
    assert!(is_token("X-Request-Id"));
    for bad in ["", "X Id", "X-Id ", "Ünïcode", "a:b"] {
        assert!(!is_token(bad), "{bad:?}");
    }
}

#[test]
fn header_values_are_visible_ascii() {
    let with = |value: &str| {
        let request = json!({"method": "GET", "url": "https://api.example.com/a",
            "header": [{"key": "X-Mode", "value": value}]});
        let items = json!([{"name": "Req", "request": request}]);
        json!({"info": {"name": "Headers", "schema": V21}, "item": items}).to_string()
    };
    let doc = convert(with("text/plain; q=0.5").as_bytes(), &options("headers"))
        .expect("spaces and punctuation are visible ASCII");
    let param = &doc["paths"]["/a"]["get"]["parameters"][0];
    assert_eq!(param["example"], "text/plain; q=0.5", "{param}");
    let err = convert(with("café").as_bytes(), &options("headers"))
        .expect_err("a client cannot send a non-ASCII value");
    assert_eq!(
        err.to_string(),
        "item \"Req\" at $.item[0].request.header[0].value: the value `café` of header \
         `X-Mode` is not visible ASCII, which HTTP clients cannot send"
    );
}

#[test]
fn bare_placeholders_declared_json_are_scalars() {
    // openapi-to-postmanv2 writes the example of a scalar JSON schema as its
    // placeholder, unquoted: `<boolean>` for a boolean response.
    let json_header = json!([{"key": "Content-Type", "value": "application/json"}]);
    let coll = json!({"info": {"name": "Api", "schema": V21}, "item": [
        {"name": "Check", "request": {"method": "POST", "url": "{{baseUrl}}/check",
            "body": {"mode": "raw", "raw": " <string> ", "options": {"raw": {"language": "json"}}}},
         "response": [
            {"name": "OK", "code": 200, "header": json_header, "body": "<boolean>"},
            {"name": "Text", "code": 203, "header": [{"key": "Content-Type", "value": "text/plain"}], "body": "<string>"}
         ]},
        {"name": "Report", "request": {"method": "GET", "url": "{{baseUrl}}/report"}, "response": [
            {"name": "OK", "code": 200, "header": json_header, "body": "<binary>"}
        ]}
    ]});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "scalars");
    let op = &doc["paths"]["/check"]["post"];
    let schema =
        |code: &str, media: &str| op["responses"][code]["content"][media]["schema"].clone();
    assert_eq!(
        schema("200", "application/json"),
        json!({"type": "boolean"})
    );
    assert_eq!(
        doc["paths"]["/report"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"type": "string", "format": "binary"})
    );
    // Under another media type it is text, as before.
    assert_eq!(schema("203", "text/plain"), json!({"type": "string"}));
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"],
        json!({"type": "string"})
    );
    // Anything else that is not JSON is still refused.
    let broken = coll.to_string().replace("<boolean>", "<boolean");
    let e = convert(broken.as_bytes(), &options("x")).expect_err("not JSON");
    assert!(
        e.to_string()
            .contains("is declared `application/json` but its body is not JSON"),
        "{e}"
    );
}
