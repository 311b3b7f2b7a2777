//! What exporters really write (openapi-to-postmanv2, the Postman app):
//! examples without a code, one route in several items, repeated query keys,
//! several hosts, variables in host and port, JSON under `*/*`.

use serde_json::{json, Value};

use crate::generated::generate_checked;
use crate::{convert_ok, V21};

fn collection(items: Value) -> Vec<u8> {
    json!({"info": {"name": "Exported", "schema": V21}, "item": items, "variable": [
        {"key": "baseUrl", "value": "https://api.example.com"},
        {"key": "host", "value": "localhost"},
        {"key": "port", "value": "8080"}
    ]})
    .to_string()
    .into_bytes()
}

fn example(name: &str, code: Option<u16>, content_type: Option<&str>, body: &Value) -> Value {
    let mut e = json!({"name": name, "body": body.to_string(), "header": []});
    if let Some(c) = code {
        e["code"] = c.into();
    }
    if let Some(ct) = content_type {
        e["header"] = json!([{"key": "Content-Type", "value": ct}]);
    }
    e
}

#[test]
fn a_default_beside_a_bodiless_success_answers_errors_only() {
    // A saved 204 without a body and an example without a code: as
    // `default` the example was in the success group too, the 204 was
    // declared with its JSON, and the client failed on every empty 204.
    let error = json!({"statusCode": 404, "message": "not found"});
    let deleted = json!({"name": "Delete a user", "code": 204, "status": "No Content", "body": ""});
    let missing = example(
        "Delete an invalid user",
        None,
        Some("application/json"),
        &error,
    );
    let request = json!({"method": "DELETE", "url": "{{baseUrl}}/users/:id"});
    // A 404 without a body too: in the error group with 4XX and 5XX.
    let gone = json!({"name": "Gone", "code": 404, "status": "Not Found", "body": ""});
    let examples = [deleted, missing, gone];
    let item = json!({"name": "Delete a user", "request": request, "response": examples});
    let doc = convert_ok(&collection(json!([item])), "default beside 204");
    let op = &doc["paths"]["/users/{id}"]["delete"];
    let responses = op["responses"].as_object().expect("responses");
    assert_eq!(
        responses.keys().collect::<Vec<_>>(),
        ["204", "404", "4XX", "5XX"]
    );
    assert!(responses["204"].get("content").is_none(), "{op:#}");
    let schema = |c: &str| responses[c]["content"]["application/json"]["schema"].clone();
    assert!(schema("4XX")["$ref"].is_string(), "{op:#}");
    assert_eq!(schema("4XX"), schema("5XX"));
    assert_eq!(schema("404"), schema("4XX"));
    let said = op["description"].as_str().expect("a description");
    assert!(
        said.contains("is the response of 4XX and 5XX, not `default`"),
        "{said}"
    );
    let code = postman_openapi::generate::generate_code(&doc).expect("generates");
    assert!(
        code.contains("204u16 => Ok(ResponseValue::empty(response))"),
        "{code}"
    );
    assert!(code.contains("400u16..=499u16 =>"), "{code}");
    generate_checked(&doc);
    // Beside a success with a body, the default stays `default`.
    let ok = example(
        "Deleted",
        Some(200),
        Some("application/json"),
        &json!({"deleted": true}),
    );
    let missing = example(
        "Delete an invalid user",
        None,
        Some("application/json"),
        &error,
    );
    let request = json!({"method": "DELETE", "url": "{{baseUrl}}/users/:id"});
    let item = json!({"name": "Delete a user", "request": request, "response": [ok, missing]});
    let doc = convert_ok(&collection(json!([item])), "default beside 200");
    let responses = &doc["paths"]["/users/{id}"]["delete"]["responses"];
    let codes: Vec<&String> = responses.as_object().expect("responses").keys().collect();
    assert_eq!(codes, ["200", "default"]);
}

#[test]
fn a_body_saved_with_a_204_or_an_answer_to_head_is_left_out() {
    // Saved with a body copied from another example: declared so, the
    // client decoded every real (empty) 204 as JSON and failed.
    let product = json!({"id": "p1", "name": "Lamp"});
    let error = json!({"statusCode": 404, "message": "not found"});
    let deleted = example(
        "Delete a product",
        Some(204),
        Some("application/json"),
        &product,
    );
    let missing = example("Not found", Some(404), Some("application/json"), &error);
    let unchanged = example("Unchanged", Some(304), Some("application/json"), &product);
    let delete = json!({"name": "Delete a product", "response": [deleted, missing, unchanged],
        "request": {"method": "DELETE", "url": "{{baseUrl}}/products/:id"}});
    let exists = example("Exists", Some(200), Some("application/json"), &product);
    let head = json!({"name": "Product exists", "response": [exists],
        "request": {"method": "HEAD", "url": "{{baseUrl}}/products/:id"}});
    let doc = convert_ok(&collection(json!([delete, head])), "bodiless statuses");
    let path = &doc["paths"]["/products/{id}"];
    assert!(
        path["delete"]["responses"]["204"].get("content").is_none(),
        "{path:#}"
    );
    assert!(path["delete"]["responses"]["404"]["content"].is_object());
    assert!(
        path["delete"]["responses"]["304"].get("content").is_none(),
        "{path:#}"
    );
    assert!(
        path["head"]["responses"]["200"].get("content").is_none(),
        "{path:#}"
    );
    let said = |method: &str| {
        path[method]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(said("delete")
        .contains("the body of example \"Delete a product\" left out: a 204 has none"));
    assert!(said("head")
        .contains("the body of example \"Exists\" left out: an answer to HEAD has none"));
    generate_checked(&doc);
}

fn get(name: &str, url: &str, examples: Vec<Value>) -> Value {
    json!({"name": name, "request": {"method": "GET", "url": url}, "response": examples})
}

#[test]
fn an_example_without_a_code_is_the_default_response() {
    // openapi-to-postmanv2 writes OpenAPI's `default` response with neither
    // `code` nor a reason phrase it knows.
    let error = json!({"code": 7, "message": "<string>"});
    let pet = json!({"id": "<long>", "name": "<string>"});
    let mut unknown_status = example("unexpected error", None, Some("application/json"), &error);
    unknown_status["status"] = "Internal Server Error Or Whatever".into();
    // No code but a reason phrase: its status.
    let mut by_reason = example("Gone", None, Some("application/json"), &error);
    by_reason["status"] = "unprocessable entity".into();
    let bytes = collection(json!([
        get(
            "list pets",
            "{{baseUrl}}/pets",
            vec![
                example(
                    "A paged array of pets",
                    Some(200),
                    Some("application/json"),
                    &json!([pet])
                ),
                unknown_status,
            ]
        ),
        get(
            "show pet",
            "{{baseUrl}}/pets/:petId",
            vec![
                example(
                    "Expected response",
                    Some(200),
                    Some("application/json"),
                    &pet
                ),
                example("unexpected error", None, Some("application/json"), &error),
                example("Not found", Some(404), Some("application/json"), &error),
            ]
        ),
        get("tag pet", "{{baseUrl}}/pets/:petId/tag", vec![by_reason]),
    ]));
    let doc = convert_ok(&bytes, "default");
    let list = &doc["paths"]["/pets"]["get"]["responses"];
    let codes: Vec<&String> = list.as_object().expect("responses").keys().collect();
    assert_eq!(codes, ["200", "default"]);
    assert_eq!(list["default"]["description"], "unexpected error");
    assert!(
        list["default"]["content"]["application/json"]["examples"]["unexpected error"].is_object()
    );
    // default, 200 and 404 together: progenitor needs one type for them all.
    let show = &doc["paths"]["/pets/{petId}"]["get"]["responses"];
    let schema = |c: &str| show[c]["content"]["application/json"]["schema"].clone();
    assert_eq!(schema("200"), schema("default"));
    assert_eq!(schema("404"), schema("default"));
    let by_reason = &doc["paths"]["/pets/{petId}/tag"]["get"]["responses"];
    assert_eq!(
        by_reason
            .as_object()
            .expect("responses")
            .keys()
            .collect::<Vec<_>>(),
        ["422"]
    );
    generate_checked(&doc);
}

#[test]
fn one_route_in_several_items_is_one_operation() {
    let thing = json!({"id": "<uuid>"});
    let bytes = collection(json!([
        {"name": "Things", "item": [get("get thing", "{{baseUrl}}/things/:id?expand=owner", vec![
            example("OK", Some(200), Some("application/json"), &thing),
        ])]},
        {"name": "Errors", "item": [get("get thing missing", "{{baseUrl}}/things/{{id}}?verbose=true", vec![
            example("Missing", Some(404), Some("application/json"), &json!({"detail": "<string>"})),
            example("OK again", Some(200), Some("application/json"), &json!({"id": "<uuid>", "extra": 1})),
        ])]},
    ]));
    let doc = convert_ok(&bytes, "merged");
    let paths = doc["paths"].as_object().expect("paths");
    assert_eq!(paths.len(), 1);
    let op = &doc["paths"]["/things/{id}"]["get"];
    assert_eq!(op["operationId"], "things_get_thing");
    assert_eq!(op["summary"], "get thing");
    assert_eq!(op["tags"], json!(["Things", "Errors"]));
    let params: Vec<&str> = op["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(params, ["id", "expand", "verbose"]);
    let codes: Vec<&String> = op["responses"]
        .as_object()
        .expect("responses")
        .keys()
        .collect();
    assert_eq!(codes, ["200", "404"]);
    let examples = op["responses"]["200"]["content"]["application/json"]["examples"]
        .as_object()
        .expect("examples");
    assert_eq!(examples.keys().collect::<Vec<_>>(), ["OK", "OK again"]);
    // Both items' 200 examples shaped the schema: `extra` is in one only.
    let thing = &doc["components"]["schemas"]["Thing"];
    assert_eq!(thing["required"], json!(["id"]));
    assert_eq!(thing["properties"]["extra"]["type"], "integer");
    generate_checked(&doc);
}

#[test]
fn bodies_of_one_route_in_several_items() {
    // As Postman's code generators' test collection has them: one echo
    // route posted as a form, as urlencoded fields, as text and as JSON.
    let post = |name: &str, body: Value| json!({"name": name, "request": {"method": "POST", "url": "{{baseUrl}}/post", "body": body}});
    let field = |key: &str, required: bool| {
        let description = if required { "(Required) it" } else { "it" };
        json!({"key": key, "value": "v", "description": description})
    };
    let bytes = collection(json!([
        post(
            "fields",
            json!({"mode": "urlencoded", "urlencoded": [field("b", true), field("c", true)]})
        ),
        post(
            "form",
            json!({"mode": "formdata", "formdata": [field("a", true), field("b", true)]})
        ),
        post(
            "text",
            json!({"mode": "raw", "raw": "hello", "options": {"raw": {"language": "text"}}})
        ),
        post(
            "json",
            json!({"mode": "raw", "raw": "{\"a\": 1}", "options": {"raw": {"language": "json"}}})
        ),
    ]));
    let doc = convert_ok(&bytes, "bodies");
    let op = &doc["paths"]["/post"]["post"];
    let content = op["requestBody"]["content"].as_object().expect("content");
    assert_eq!(
        content.keys().collect::<Vec<_>>(),
        ["application/x-www-form-urlencoded"]
    );
    // The fields of both forms; only `b` is in, and required by, both.
    let schema = &content["application/x-www-form-urlencoded"]["schema"];
    let fields: Vec<&String> = schema["properties"]
        .as_object()
        .expect("fields")
        .keys()
        .collect();
    assert_eq!(fields, ["a", "b", "c"]);
    assert_eq!(schema["required"], json!(["b"]));
    // One item sends the route's form as form-data: the route takes it so.
    let form = &content["application/x-www-form-urlencoded"];
    assert_eq!(form["x-postman-body-mode"], "formdata");
    // Every item sends a body.
    assert_eq!(op["requestBody"]["required"], true);
    assert_eq!(
        op["description"],
        "multipart encoding of the form-data body left out: the generated client sends it as \
         `application/x-www-form-urlencoded`\n\
         `text/plain` request body of item \"text\" left out: an operation takes one request \
         body media type\n\
         `application/json` request body of item \"json\" left out: an operation takes one \
         request body media type"
    );
    generate_checked(&doc);
}

#[test]
fn a_body_is_optional_when_an_item_of_its_route_sends_none() {
    let post = |name: &str, body: Option<Value>| {
        let mut request = json!({"method": "POST", "url": "{{baseUrl}}/things"});
        if let Some(body) = body {
            request["body"] = body;
        }
        json!({"name": name, "request": request})
    };
    let json_body = || json!({"mode": "raw", "raw": "{\"a\": 1}"});
    // The bodiless item first, then last; and a route where all send one.
    for (order, optional) in [
        (
            vec![post("bare", None), post("with", Some(json_body()))],
            true,
        ),
        (
            vec![post("with", Some(json_body())), post("bare", None)],
            true,
        ),
        (
            vec![
                post("with", Some(json_body())),
                post("too", Some(json_body())),
            ],
            false,
        ),
    ] {
        let doc = convert_ok(&collection(Value::Array(order)), "optional body");
        let body = &doc["paths"]["/things"]["post"]["requestBody"];
        assert_eq!(body["required"], !optional, "{body}");
        // Whichever item comes first, the body is the one that is sent.
        assert_eq!(
            body["content"]["application/json"]["example"],
            json!({"a": 1}),
            "{body}"
        );
        generate_checked(&doc);
    }
}

#[test]
fn repeated_query_keys_are_an_array() {
    let bytes = collection(json!([get(
        "find",
        "{{baseUrl}}/pets?tags=a&tags=b&limit=3",
        vec![]
    )]));
    let doc = convert_ok(&bytes, "array");
    let params = &doc["paths"]["/pets"]["get"]["parameters"];
    assert_eq!(params[0]["name"], "tags");
    assert_eq!(
        params[0]["schema"],
        json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(params[0]["example"], json!(["a", "b"]));
    assert_eq!(params[1]["schema"], json!({"type": "integer"}));
    generate_checked(&doc);
}

#[test]
fn openapi_style_path_variables_are_path_variables() {
    // People (and tools) write `{id}` in Postman as they would in OpenAPI or
    // a web framework's routes; Postman sends it as it is, but it means a
    // variable.
    let bytes = collection(json!([get(
        "user file",
        "{{baseUrl}}/users/{id}/files/{name}.json",
        vec![]
    )]));
    let doc = convert_ok(&bytes, "braced");
    let op = &doc["paths"]["/users/{id}/files/{name}.json"]["get"];
    let params = op["parameters"].as_array().expect("parameters");
    let named: Vec<(&Value, &Value, &Value)> = (params.iter())
        .map(|p| (&p["name"], &p["in"], &p["required"]))
        .collect();
    assert_eq!(
        named,
        [
            (&json!("id"), &json!("path"), &json!(true)),
            (&json!("name"), &json!("path"), &json!(true))
        ]
    );
    let description = op["description"].as_str().expect("a description");
    assert!(
        description
            .contains("`{id}` in the URL read as the path variable `id`, its braces left out"),
        "{description}"
    );
    generate_checked(&doc);
}

#[test]
fn white_space_in_variable_names_and_query_values_is_read() {
    // The Postman app lets a variable's name hold a space, and encodes a
    // space in a query value when it sends the request.
    let bytes = collection(json!([
        get("login", "{{Base URL}}/api/login?q=hello world#top", vec![]),
        {"name": "sales", "request": {"method": "GET", "url": {
            "raw": "{{Base URL}}/api/sales?from=1 Jan",
            "host": ["{{Base URL}}"],
            "path": ["api", "sales"]
        }}}
    ]));
    let doc = convert_ok(&bytes, "spaces");
    assert_eq!(doc["servers"][0]["url"], "{Base URL}");
    for (path, name, value) in [
        ("/api/login", "q", "hello world"),
        ("/api/sales", "from", "1 Jan"),
    ] {
        let param = &doc["paths"][path]["get"]["parameters"][0];
        assert_eq!(
            (&param["name"], &param["example"]),
            (&json!(name), &json!(value)),
            "{path}"
        );
    }
    generate_checked(&doc);
}

#[test]
fn a_url_without_a_scheme_is_http_as_postman_sends_it() {
    // Postman sends `localhost:3000/x`, and a `{{base}}` whose value has no
    // scheme, over HTTP; the server must not be a relative URL either.
    let items = json!([
        {"name": "a", "request": {"method": "GET", "url": "{{apiV1}}/auth/login"}},
        {"name": "b", "request": {"method": "GET", "url": "localhost:3000/v1/user"}},
        {"name": "c", "request": {"method": "GET", "url": "{{host}}/c"}},
        // A relative server (as exporters write an OpenAPI document's) stays one.
        {"name": "d", "request": {"method": "GET", "url": "{{relative}}/d"}},
        {"name": "e", "request": {"method": "GET", "url": "{{schemeless}}/e"}}
    ]);
    let variables = json!([{"key": "apiV1", "value": "localhost/api/v1"},
        {"key": "relative", "value": "/api/v2"}, {"key": "schemeless", "value": "//cdn.example.com"}]);
    let coll = json!({"info": {"name": "Api", "schema": crate::V21}, "item": items, "variable": variables});
    let doc = convert_ok(coll.to_string().as_bytes(), "schemeless");
    let server = |path: &str| {
        let op = &doc["paths"][path]["get"];
        op.get("servers").unwrap_or(&doc["servers"])[0]["url"].clone()
    };
    assert_eq!(server("/auth/login"), "http://localhost/api/v1");
    assert_eq!(server("/v1/user"), "http://localhost:3000");
    // A variable without a value may hold the scheme itself.
    assert_eq!(server("/c"), "{host}");
    assert_eq!(server("/d"), "/api/v2");
    assert_eq!(server("/e"), "//cdn.example.com");
}

#[test]
fn literal_ids_and_renamed_variables_give_one_path() {
    // Requests saved with the id they were tried with; one path's variable
    // named two ways. OpenAPI holds `/a/{x}` and `/a/{y}` for one path.
    let item = |name: &str, method: &str, url: &str| json!({"name": name, "request": {"method": method, "url": url}});
    let bytes = collection(json!([
        item("show order", "GET", "{{baseUrl}}/orders/1"),
        item("delete order", "DELETE", "{{baseUrl}}/orders/2"),
        item("quote", "GET", "{{baseUrl}}/quotes/:quoteId"),
        item(
            "zero quote",
            "GET",
            "{{baseUrl}}/quotes/00000000-0000-0000-0000-000000000000"
        ),
        item("update quote", "PUT", "{{baseUrl}}/quotes/{{key}}"),
        // Another shape: its names are its own.
        item("quote status", "PATCH", "{{baseUrl}}/quotes/{{key}}/status"),
        // A token saved in the URL: a variable, its value never repeated.
        item(
            "update token",
            "POST",
            "{{baseUrl}}/tokens/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI1Y2UyIn0.HZnyEPgr-H0y_DrPVUQ9"
        ),
        // A Telegram bot's token, as the Bot API's URLs carry it.
        item(
            "send",
            "POST",
            "{{baseUrl}}/bot5446707136:AAFoPl3FvZ-wXe4KwAazd0HnKi_GO2hiwNk/sendMessage"
        )
    ]));
    let doc = convert_ok(&bytes, "literal ids");
    let paths = crate::paths(&doc);
    assert_eq!(
        paths,
        [
            "/bot{bot_token}/sendMessage",
            "/orders/{order_id}",
            "/quotes/{key}/status",
            "/quotes/{quoteId}",
            "/tokens/{token_id}"
        ]
    );
    let token = &doc["paths"]["/tokens/{token_id}"]["post"];
    assert_eq!(
        token["description"],
        "a token in the URL left out: read as the path variable `token_id`"
    );
    assert!(!doc.to_string().contains("eyJ"), "{doc}");
    assert!(!doc.to_string().contains("AAFoPl3"), "{doc}");
    let orders = &doc["paths"]["/orders/{order_id}"];
    assert_eq!(orders["get"]["parameters"][0]["example"], 1);
    assert_eq!(
        orders["delete"]["description"],
        "the id `2` in the URL left out: read as a path variable"
    );
    // The saved id and the explicit variable are one operation.
    let quote = &doc["paths"]["/quotes/{quoteId}"]["get"];
    assert_eq!(quote["operationId"], "quote");
    assert_eq!(quote["parameters"][0]["name"], "quoteId");
    let put = &doc["paths"]["/quotes/{quoteId}"]["put"];
    assert_eq!(put["parameters"][0]["name"], "quoteId");
    generate_checked(&doc);
}

#[test]
fn requests_on_several_hosts_name_their_server() {
    let bytes = collection(json!([
        get("a", "{{baseUrl}}/a", vec![]),
        get("b", "{{baseUrl}}/b", vec![]),
        get("upload", "https://files.example.com/upload", vec![]),
        get("local", "http://{{host}}:{{port}}/health", vec![]),
    ]));
    let doc = convert_ok(&bytes, "hosts");
    // The host most requests use is the document's.
    assert_eq!(doc["servers"], json!([{"url": "https://api.example.com"}]));
    assert!(doc["paths"]["/a"]["get"].get("servers").is_none());
    assert_eq!(
        doc["paths"]["/upload"]["get"]["servers"],
        json!([{"url": "https://files.example.com"}])
    );
    // `{{host}}` and `{{port}}` are server variables with the collection's
    // values as defaults; no `{{` is left in a URL.
    assert_eq!(
        doc["paths"]["/health"]["get"]["servers"],
        json!([{"url": "http://{host}:{port}", "variables": {
            "host": {"default": "localhost"}, "port": {"default": "8080"}
        }}])
    );
    assert!(!doc.to_string().contains("{{"), "{doc}");
    generate_checked(&doc);
}

#[test]
fn json_under_any_media_type_or_none_is_read_as_json() {
    let thing = json!({"id": "<uuid>", "count": 2});
    let mut previewed_as_text = example("No type", Some(201), None, &thing);
    previewed_as_text["_postman_previewlanguage"] = "text".into();
    let bytes = collection(json!([
        get("star", "{{baseUrl}}/star", vec![example("Star", Some(200), Some("*/*"), &thing)]),
        {"name": "none", "request": {"method": "POST", "url": "{{baseUrl}}/none",
            "body": {"mode": "raw", "raw": thing.to_string()}}, "response": [previewed_as_text]},
        get("text", "{{baseUrl}}/text", vec![
            json!({"name": "Plain", "code": 200, "body": "not json", "header": [{"key": "Content-Type", "value": "*/*"}]}),
        ]),
    ]));
    let doc = convert_ok(&bytes, "media");
    let content = |path: &str, method: &str, code: &str| {
        doc["paths"][path][method]["responses"][code]["content"].clone()
    };
    let star = content("/star", "get", "200");
    assert_eq!(
        star.as_object()
            .expect("content")
            .keys()
            .collect::<Vec<_>>(),
        ["application/json"]
    );
    let schema_ref = star["application/json"]["schema"]["$ref"]
        .as_str()
        .expect("a component");
    let name = schema_ref.rsplit('/').next().expect("name");
    let props = &doc["components"]["schemas"][name]["properties"];
    assert_eq!(props["id"], json!({"type": "string", "format": "uuid"}));
    assert_eq!(props["count"], json!({"type": "integer"}));
    assert!(content("/none", "post", "201")["application/json"].is_object());
    let body = &doc["paths"]["/none"]["post"]["requestBody"]["content"];
    assert!(body["application/json"]["schema"].is_object(), "{body}");
    // Text under `*/*` that is not JSON stays text.
    assert_eq!(
        content("/text", "get", "200")["text/plain"]["schema"],
        json!({"type": "string"})
    );
    generate_checked(&doc);
}

#[test]
fn repeated_example_names_get_numbered_keys() {
    // A name met again takes the first free ` (n)`, even past a name that
    // already holds one; each keeps its own name as the summary.
    let ok = json!({"id": "<uuid>"});
    let names = ["OK", "OK (2)", "OK", "Bad", "OK"];
    let examples = names
        .iter()
        .map(|n| example(n, Some(200), Some("application/json"), &ok))
        .collect();
    let doc = convert_ok(
        &collection(json!([get("get thing", "{{baseUrl}}/things", examples)])),
        "repeated",
    );
    let examples = doc["paths"]["/things"]["get"]["responses"]["200"]["content"]
        ["application/json"]["examples"]
        .as_object()
        .expect("examples");
    let keys: Vec<&String> = examples.keys().collect();
    assert_eq!(keys, ["Bad", "OK", "OK (2)", "OK (3)", "OK (4)"]);
    assert_eq!(examples["OK (3)"]["summary"], "OK");
    assert_eq!(examples["OK (2)"]["summary"], "OK (2)");
}

#[test]
fn one_envelope_over_several_resources_is_a_type_each() {
    // `{data, message}` around every payload, as many APIs answer: each
    // resource's envelope is its own type, its `data` that resource's.
    let json = Some("application/json");
    let ok = |data: Value| {
        example(
            "OK",
            Some(200),
            json,
            &json!({"data": data, "message": "ok"}),
        )
    };
    let order = json!({"id": 1, "total": "9.50"});
    let failed = |error: Value, code| {
        example(
            "Failed",
            Some(code),
            json,
            &json!({"error": error, "message": "no"}),
        )
    };
    let bytes = collection(json!([
        get("order", "{{baseUrl}}/orders/:id", vec![
            ok(order.clone()),
            failed(json!({"code": "not_found"}), 404),
        ]),
        // Another payload of the same resource: `Order`'s `data` is either.
        {"name": "pay order", "request": {"method": "PUT", "url": "{{baseUrl}}/orders/:id"},
            "response": [ok(json!({"id": 1, "paid_at": "2026-01-01"}))]},
        get("me", "{{baseUrl}}/me", vec![
            ok(json!({"email": "a@example.com", "name": "A"})),
            failed(json!({"reason": "expired", "at": 3}), 401),
        ]),
        {"name": "login", "request": {"method": "POST", "url": "{{baseUrl}}/auth/login"},
            "response": [ok(json!({"token": "t"}))]},
        get("orders of today", "{{baseUrl}}/orders/today", vec![ok(order)]),
    ]));
    let doc = convert_ok(&bytes, "envelopes");
    let schema = |path: &str, method: &str, code: &str| {
        let r = &doc["paths"][path][method]["responses"][code]["content"]["application/json"];
        let name = r["schema"]["$ref"].as_str().expect("a component");
        name.rsplit('/').next().expect("a name").to_owned()
    };
    assert_eq!(schema("/orders/{id}", "get", "200"), "Order");
    assert_eq!(schema("/me", "get", "200"), "Me");
    assert_eq!(schema("/auth/login", "post", "200"), "Login");
    // The same payload under another path is the same type.
    assert_eq!(schema("/orders/today", "get", "200"), "Order");
    assert_eq!(schema("/orders/{id}", "put", "200"), "Order");
    let schemas = &doc["components"]["schemas"];
    for name in ["Me", "Login"] {
        let data = &schemas[name]["properties"]["data"];
        assert!(data["$ref"].is_string(), "{name}.data is one type: {data}");
    }
    let order = &schemas["Order"]["properties"]["data"]["oneOf"];
    assert_eq!(order.as_array().map(Vec::len), Some(2), "{order}");
    // Errors are no resource's: one envelope, its `error` any of them.
    assert_eq!(
        schema("/orders/{id}", "get", "404"),
        schema("/me", "get", "401")
    );
    generate_checked(&doc);
}

#[test]
fn a_code_of_zero_and_an_empty_auth_list_say_none() {
    // As an exporter of OpenAPI documents wrote them: `"code": 0` for a
    // `default` response, `"auth": []` where a security requirement named a
    // scheme it could not write (the collection is otherwise v2.1).
    let health = json!({"status": "OK"});
    let mut zero = example("Health Check", None, Some("application/json"), &health);
    zero["code"] = 0.into();
    let mut ok = example("OK", Some(200), Some("application/json"), &health);
    ok["status"] = "OK".into();
    let item = json!({"name": "get task", "request": {"method": "GET",
        "url": "{{baseUrl}}/tasks/:id", "auth": []}});
    let bytes = collection(json!([
        get("health", "{{baseUrl}}/health", vec![zero, ok]),
        item.clone()
    ]));
    let doc = convert_ok(&bytes, "zero");
    let health = doc["paths"]["/health"]["get"]["responses"]
        .as_object()
        .expect("responses");
    assert_eq!(health.keys().collect::<Vec<_>>(), ["200", "default"]);
    let task = &doc["paths"]["/tasks/{id}"]["get"];
    assert!(
        task.get("security").is_none() && doc.get("security").is_none(),
        "{doc}"
    );
    generate_checked(&doc);
    // An empty object too, as Insomnia's exports converted to Postman give
    // every request; the folder's auth is still inherited.
    let mut empty = item.clone();
    empty["request"]["auth"] = json!({});
    let folder = json!({"name": "tasks", "item": [empty],
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}"}]}});
    let doc = convert_ok(&collection(json!([folder])), "empty auth object");
    let task = &doc["paths"]["/tasks/{id}"]["get"];
    let security = task.get("security").or_else(|| doc.get("security"));
    assert_eq!(security, Some(&json!([{"bearerAuth": []}])), "{doc}");
    // A list that says something is still no auth object (and a number
    // other than 0 outside 100–599 no status: `bad_input`).
    let mut listed = item;
    listed["request"]["auth"] = json!([{"type": "bearer"}]);
    let error = postman_openapi::convert(&collection(json!([listed])), &crate::options("listed"))
        .expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("`auth` must be an object, found an array"),
        "{error}"
    );
}

#[test]
fn a_path_glued_to_a_base_url_variable_is_a_path() {
    // `{{url}}register`, the base URL ending in `/`: the app keeps the whole
    // text as the host, and Postman sends `http://localhost:8000/api/register`.
    let coll = json!({"info": {"name": "Glued", "schema": V21}, "variable": [
        {"key": "url", "value": "http://localhost:8000/api/"},
        {"key": "sub", "value": "eu"}, {"key": "proto", "value": "https://"}], "item": [
        {"name": "register", "request": {"method": "POST",
            "url": {"raw": "{{url}}register", "host": ["{{url}}register"]}}},
        {"name": "login", "request": {"method": "POST", "url": "{{url}}login"}},
        {"name": "user", "request": {"method": "GET", "url": {"raw": "{{url}}user/:id",
            "host": ["{{url}}user"], "path": [":id"]}}},
        // Host names, not paths: they stay hosts.
        {"name": "regional", "request": {"method": "GET", "url": "{{sub}}.example.com/status"}},
        {"name": "scheme", "request": {"method": "GET", "url": "{{proto}}example.org/ping"}},
    ]});
    let doc = convert_ok(coll.to_string().as_bytes(), "glued");
    let paths = crate::paths(&doc);
    assert_eq!(
        paths,
        ["/login", "/ping", "/register", "/status", "/user/{id}"]
    );
    assert_eq!(
        doc["servers"],
        json!([{"url": "http://localhost:8000/api"}])
    );
    let server = |path: &str| doc["paths"][path]["get"]["servers"][0]["url"].clone();
    assert_eq!(server("/status"), json!("http://{sub}.example.com"));
    let ping = server("/ping");
    assert!(
        ping.as_str()
            .is_some_and(|s| s.ends_with("{proto}example.org")),
        "{ping}"
    );
    generate_checked(&doc);
}

#[test]
fn an_oauth2_grant_type_gives_its_flow() {
    // A Keycloak login saved with the password grant was declared client
    // credentials; each grant type Postman offers is its OpenAPI flow.
    let token = "https://auth.example.com/token";
    let authorize = "https://auth.example.com/authorize";
    let item = |path: &str, grant: &str| {
        json!({"name": path, "request": {"method": "GET", "url": format!("{{{{baseUrl}}}}/{path}"),
            "auth": {"type": "oauth2", "oauth2": [
                {"key": "grant_type", "value": grant},
                {"key": "accessTokenUrl", "value": token},
                {"key": "authUrl", "value": authorize}]}}})
    };
    let bytes = collection(json!([
        item("password", "password_credentials"),
        item("code", "authorization_code"),
        item("pkce", "authorization_code_with_pkce"),
        item("implicit", "implicit"),
        item("client", "client_credentials"),
    ]));
    let doc = convert_ok(&bytes, "grants");
    let flows = |path: &str| {
        let requirement = &doc["paths"][path]["get"]["security"][0];
        let name = requirement
            .as_object()
            .and_then(|o| o.keys().next())
            .expect("a scheme");
        doc["components"]["securitySchemes"][name]["flows"].clone()
    };
    let both = json!({"authorizationUrl": authorize, "tokenUrl": token, "scopes": {}});
    assert_eq!(
        flows("/password"),
        json!({"password": {"tokenUrl": token, "scopes": {}}})
    );
    assert_eq!(flows("/code"), json!({"authorizationCode": both}));
    assert_eq!(flows("/pkce"), json!({"authorizationCode": both}));
    assert_eq!(
        flows("/implicit"),
        json!({"implicit": {"authorizationUrl": authorize, "scopes": {}}})
    );
    assert_eq!(
        flows("/client"),
        json!({"clientCredentials": {"tokenUrl": token, "scopes": {}}})
    );
    generate_checked(&doc);
}

#[test]
fn a_path_segment_holding_a_slash_is_several() {
    // Postman joins `url.path` with `/`; a generator wrote two segments in
    // one, the path variable after the slash (and its variable by `id`, as
    // format v2.0 allows). Read as one segment, the client sent
    // `:siteIds` as it is (Stack Exchange's `access-tokens/:accessTokens`).
    let coll = json!({"info": {"name": "Joined", "schema": V21}, "item": [
        {"name": "tokens", "request": {"method": "GET", "url": {
            "protocol": "https", "host": "api.example.com",
            "path": ["2.2", "sites/:siteIds", "/extra"],
            "variable": [{"id": "siteIds", "value": "abc;def"}]}}}]});
    let doc = convert_ok(coll.to_string().as_bytes(), "joined");
    let paths = crate::paths(&doc);
    assert_eq!(paths, ["/2.2/sites/{siteIds}/extra"]);
    let param = &doc["paths"][paths[0]]["get"]["parameters"][0];
    assert_eq!(
        (&param["name"], &param["in"], &param["example"]),
        (&json!("siteIds"), &json!("path"), &json!("abc;def"))
    );
    generate_checked(&doc);
}

#[test]
fn a_number_under_a_listed_path_in_the_singular_is_an_id() {
    // `/inventory/` lists the parts and `/inventory/1` is the one tried: an
    // id, though `inventory` is no plural. `/status/418` stays (nothing
    // lists `/status`).
    let bytes = collection(json!([
        get("all parts", "{{baseUrl}}/inventory/", vec![]),
        get("one part", "{{baseUrl}}/inventory/1", vec![]),
        get("teapot", "{{baseUrl}}/status/418", vec![]),
    ]));
    let doc = convert_ok(&bytes, "inventory");
    let paths = crate::paths(&doc);
    assert_eq!(
        paths,
        ["/inventory/", "/inventory/{inventory_id}", "/status/418"]
    );
    generate_checked(&doc);
}

#[test]
fn a_record_with_a_list_in_it_is_the_resource_not_a_page() {
    // `/me` answers the user, with `images`; `/users` a page of users. An
    // object with an array of objects was taken for a page (`MeList`)
    // unless on an item endpoint: a record has an `id`, a page none.
    let me =
        json!({"id": "wizzler", "display_name": "JM", "images": [{"url": "a.png", "height": 64}]});
    let page = json!({"total": 1, "users": [{"id": "wizzler", "display_name": "JM"}]});
    let ok = |body: &Value| vec![example("OK", Some(200), Some("application/json"), body)];
    let bytes = collection(json!([
        get("profile", "{{baseUrl}}/me", ok(&me)),
        get("users", "{{baseUrl}}/users", ok(&page)),
    ]));
    let doc = convert_ok(&bytes, "records");
    let body = |path: &str| {
        doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["$ref"]
            .clone()
    };
    assert_eq!(body("/me"), json!("#/components/schemas/Me"));
    assert_eq!(body("/users"), json!("#/components/schemas/UserList"));
    generate_checked(&doc);
}

#[test]
fn graphql_items_on_one_endpoint_are_one_graphql_operation() {
    // A GraphQL collection: every item posts to one endpoint. Its operation
    // was named after the first query; it is the endpoint of them all. A
    // lone GraphQL item keeps its name.
    let query = |name: &str, path: &str, q: &str| {
        json!({"name": name, "request": {"method": "POST", "url": format!("{{{{baseUrl}}}}/{path}"),
            "body": {"mode": "graphql", "graphql": {"query": q, "variables": "{\"id\": \"1\"}"}}}})
    };
    let bytes = collection(json!([
        query("Add tag to user", "graphql", "mutation { addTag }"),
        query("Get orders", "graphql", "query { orders { id } }"),
        query(
            "Add tag to user",
            "graphql",
            "mutation { addTag(name: \"a\") }"
        ),
        query("Search", "search/graphql", "query { search }"),
    ]));
    let doc = convert_ok(&bytes, "graphql");
    let op = &doc["paths"]["/graphql"]["post"];
    assert_eq!(
        (&op["operationId"], &op["summary"]),
        (&json!("graphql"), &json!("GraphQL"))
    );
    assert_eq!(
        op["description"],
        json!("The endpoint of the GraphQL items `Add tag to user`, `Get orders`.")
    );
    let lone = &doc["paths"]["/search/graphql"]["post"];
    assert_eq!(lone["operationId"], json!("search"));
    generate_checked(&doc);
}

#[test]
fn an_unnamed_example_is_described_by_its_status_and_names_no_type() {
    // Laravel Scribe leaves every example's name blank: the responses were
    // described "Example" and their bodies named `Example`, `Example2`.
    let unauthenticated = json!({"message": "Unauthenticated."});
    let invalid = json!({"message": "Invalid.", "errors": {"title": ["required"]}});
    let bytes = collection(json!([get(
        "tasks",
        "{{baseUrl}}/api/tasks",
        vec![
            example("", Some(401), Some("application/json"), &unauthenticated),
            example(" ", Some(422), Some("application/json"), &invalid),
            example("", None, Some("application/json"), &unauthenticated),
        ]
    )]));
    let doc = convert_ok(&bytes, "unnamed");
    let responses = &doc["paths"]["/api/tasks"]["get"]["responses"];
    let described = |code: &str| responses[code]["description"].clone();
    assert_eq!(
        [described("401"), described("422"), described("default")],
        [
            json!("Unauthorized"),
            json!("Unprocessable Entity"),
            json!("Example")
        ]
    );
    let keys: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .collect();
    assert!(
        keys.iter()
            .all(|k| !k.starts_with("Example") && !k.starts_with("Unauthorized")),
        "{keys:?}"
    );
    assert!(keys.contains(&&"Error".to_owned()), "{keys:?}");
    generate_checked(&doc);
}

#[test]
fn a_name_postman_made_up_names_no_type() {
    // Postman names an example nobody named `Example`, `Example 2`: the
    // planet of a mock's `default` response was named `Example2`.
    let planet = json!({"name": "Alderaan", "climate": "temperate"});
    let not_found = json!({"detail": "Not found."});
    let bytes = collection(json!([get(
        "planet",
        "{{baseUrl}}/api/planets/:id",
        vec![
            example("Example", Some(200), Some("application/json"), &planet),
            example("Example 2", None, Some("application/json"), &planet),
            example(
                "New Example 3",
                Some(404),
                Some("application/json"),
                &not_found
            ),
        ]
    )]));
    let doc = convert_ok(&bytes, "made up");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    // (`PlanetResponse`: the one success type of the 200 and the default.)
    let keys: Vec<&String> = schemas.keys().collect();
    assert_eq!(keys, ["Error", "Planet", "PlanetResponse"]);
    let responses = &doc["paths"]["/api/planets/{id}"]["get"]["responses"];
    assert_eq!(responses["default"]["description"], json!("Example 2"));
    generate_checked(&doc);
}

#[test]
fn an_example_named_after_its_status_is_named_by_its_words() {
    // Laravel Scribe names examples `404, User not found` and `200`: the
    // body was `Schema404UserNotFound`; the status alone names nothing.
    let missing = json!({"message": "No query results for model [User]."});
    let teapot = json!({"brewing": false});
    let bytes = collection(json!([get(
        "user",
        "{{baseUrl}}/api/users/:id",
        vec![
            example(
                "404, User not found",
                Some(404),
                Some("application/json"),
                &missing
            ),
            example("418", Some(418), Some("application/json"), &teapot),
        ]
    )]));
    let doc = convert_ok(&bytes, "scribe names");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let keys: Vec<&String> = schemas.keys().collect();
    // (`UserError`: the one error type of the operation, either body.)
    assert_eq!(keys, ["Error", "UserError", "UserNotFound"]);
    generate_checked(&doc);
}
