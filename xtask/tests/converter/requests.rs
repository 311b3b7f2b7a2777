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
fn bare_text_declared_json_is_a_string_or_its_placeholder() {
    // openapi-to-postmanv2 writes the example of a string schema unquoted
    // (an enum value, a placeholder) and of a boolean one as `<boolean>`.
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
        ]},
        {"name": "State", "request": {"method": "GET", "url": "{{baseUrl}}/state"}, "response": [
            {"name": "OK", "code": 200, "header": json_header, "body": "Rejected"}
        ]}
    ]});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "scalars");
    let json_schema = |path: &str, method: &str| {
        doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone()
    };
    assert_eq!(json_schema("/check", "post"), json!({"type": "boolean"}));
    assert_eq!(
        json_schema("/report", "get"),
        json!({"type": "string", "format": "binary"})
    );
    assert_eq!(json_schema("/state", "get"), json!({"type": "string"}));
    let check = &doc["paths"]["/check"]["post"];
    assert_eq!(
        check["requestBody"]["content"]["application/json"]["schema"],
        json!({"type": "string"})
    );
    // Under another media type it is text, as before.
    assert_eq!(
        check["responses"]["203"]["content"]["text/plain"]["schema"],
        json!({"type": "string"})
    );
    // What begins as a JSON object, array or string and does not parse is
    // still refused.
    for broken in [r#"{\"ok\": <boolean>}"#, "[1, 2", r#"\"open"#] {
        let text = coll.to_string().replace("<boolean>", broken);
        let e = convert(text.as_bytes(), &options("x")).expect_err(broken);
        let e = e.to_string();
        assert!(
            e.contains("is declared `application/json` but its body is not JSON"),
            "{broken}: {e}"
        );
    }
}

#[test]
fn options_and_trace_requests_are_left_out_and_said() {
    // progenitor 0.15 would call reqwest's `options` and `trace`, which do
    // not exist: the client would not compile.
    let coll = json!({"info": {"name": "Api", "schema": V21}, "item": [{"name": "Echo", "item": [
        {"name": "Get", "request": {"method": "GET", "url": "{{baseUrl}}/anything"}},
        {"name": "Allowed", "request": {"method": "OPTIONS", "url": "{{baseUrl}}/anything"}},
        {"name": "Trace", "request": {"method": "trace", "url": "{{baseUrl}}/anything"}}
    ]}]});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "echo");
    let methods: Vec<&String> = doc["paths"]["/anything"]
        .as_object()
        .expect("a path item")
        .keys()
        .collect();
    assert_eq!(methods, ["get"]);
    let said = doc["info"]["description"].as_str().expect("a description");
    assert!(
        said.ends_with(
            "cannot send OPTIONS or TRACE requests:\n\
             - OPTIONS item \"Echo / Allowed\" at $.item[0].item[1]\n\
             - TRACE item \"Echo / Trace\" at $.item[0].item[2]"
        ),
        "{said}"
    );
}

#[test]
fn descriptions_break_lines_with_line_feeds_only() {
    // rustc refuses a carriage return in a doc comment, where the generated
    // code puts descriptions.
    let coll = json!({"info": {"name": "Api", "schema": V21}, "item": [
        {"name": "Get", "request": {"method": "GET",
            "description": "One.\n\r\n\rTwo.\r\nThree.\rFour.",
            "url": {"raw": "{{baseUrl}}/a?q=1", "host": ["{{baseUrl}}"], "path": ["a"],
                "query": [{"key": "q", "value": "1", "description": "A\r\nquery."}]}}}
    ]});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "lines");
    let op = &doc["paths"]["/a"]["get"];
    assert_eq!(op["description"], "One.\n\n\nTwo.\nThree.\nFour.");
    assert_eq!(op["parameters"][0]["description"], "A\nquery.");
}
