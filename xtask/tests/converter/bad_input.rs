//! Malformed collections and overrides, each with the exact error it gives.

use postman_openapi::{convert, ConvertError, Options, Overrides};
use serde_json::{json, Value};

const V21: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// A v2.1 collection holding `items`.
fn collection(items: Value) -> String {
    json!({"info": {"name": "Bad", "schema": V21}, "item": items}).to_string()
}

/// A collection with one request item `{name, request}`.
fn one_request(request: Value) -> String {
    collection(json!([{"name": "Req", "request": request}]))
}

/// A GET of `{{baseUrl}}/a` with the given saved example.
fn with_example(example: Value) -> String {
    collection(
        json!([{"name": "Req", "request": {"method": "GET", "url": "{{baseUrl}}/a"}, "response": [example]}]),
    )
}

fn cases() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("invalid JSON", "{\"info\": ".to_owned(), "invalid JSON at line 1, column 9: EOF while parsing a value"),
        ("not JSON at all", "Postman".to_owned(), "invalid JSON at line 1, column 1: expected value"),
        ("empty input", String::new(), "invalid JSON at line 1, column 0: EOF while parsing a value"),
        ("a JSON array", "[]".to_owned(), "not a Postman collection: the top level is an array, not an object"),
        ("a JSON string", "\"collection\"".to_owned(), "not a Postman collection: the top level is a string, not an object"),
        (
            "a v1 collection",
            json!({"id": "x", "name": "Old", "order": [], "folders": [], "requests": []}).to_string(),
            "Postman collection format v1 is not supported (top-level `requests`/`folders`/`order`, or a v1 `info.schema`); export the collection again from Postman as Collection v2.1",
        ),
        (
            "a v1 schema URL",
            json!({"info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/v1.0.0/collection.json"}, "item": []}).to_string(),
            "Postman collection format v1 is not supported (top-level `requests`/`folders`/`order`, or a v1 `info.schema`); export the collection again from Postman as Collection v2.1",
        ),
        (
            "a bad info.schema",
            json!({"info": {"name": "x", "schema": "https://example.com/schema.json"}, "item": []}).to_string(),
            "not a Postman collection: $.info.schema is `https://example.com/schema.json`, expected a Postman collection v2.0 or v2.1 schema URL",
        ),
        (
            "info.schema not a string",
            json!({"info": {"name": "x", "schema": 2}, "item": []}).to_string(),
            "not a Postman collection: $.info.schema is not a string",
        ),
        ("no info", json!({"item": []}).to_string(), "not a Postman collection: no `info` object at $.info"),
        (
            // As Postman exports one.
            "an environment file",
            json!({"id": "5f0c", "name": "Sandbox", "values": [{"key": "baseUrl", "value": "https://sandbox.belvo.com", "type": "default", "enabled": true}], "_postman_variable_scope": "environment"}).to_string(),
            "not a Postman collection: no `info` object at $.info, and `values` at $.values: this is a Postman environment or globals file; export the collection itself",
        ),
        ("no item", json!({"info": {"name": "x", "schema": V21}}).to_string(), "not a Postman collection: no `item` array at $.item"),
        ("a null item", json!({"info": {"name": "x", "schema": V21}, "item": null}).to_string(), "not a Postman collection: no `item` array at $.item"),
        ("two item arrays", r#"{"info": {"name": "x"}, "item": [], "item": []}"#.to_string(), "not a Postman collection: duplicate field `item`"),
        ("item not an array", collection(json!({"name": "x"})), "$.item: invalid type: map, expected a sequence"),
        // Not a number: serde_json words a wrong number differently with its
        // `arbitrary_precision` feature, which `cargo test --workspace` turns on
        // for every member (the belvo crate needs it).
        ("a non-object item", collection(json!([true])), "$.item[0]: invalid type: boolean `true`, expected an item object"),
        ("an item that is neither request nor folder", collection(json!([{"name": "Lost"}])), "item \"Lost\" at $.item[0]: an item needs either `request` (a request) or `item` (a folder)"),
        ("a request that is a number", one_request(json!(7)), "item \"Req\" at $.item[0].request: `request` must be an object or a URL string, found a number"),
        ("a URL that is a number", one_request(json!({"method": "GET", "url": 3})), "item \"Req\" at $.item[0].request.url: `url` must be a string or an object, found a number"),
        ("an unclosed {{ in a URL", one_request(json!({"method": "GET", "url": "{{baseUrl/api/x"})), "item \"Req\" at $.item[0].request.url: cannot parse URL part `{{baseUrl`: `{{` without a closing `}}`"),
        (
            "an unclosed {{ in a structured host",
            one_request(json!({"method": "GET", "url": {"host": ["{{baseUrl"], "path": ["x"]}})),
            "item \"Req\" at $.item[0].request.url: cannot parse URL part `{{baseUrl`: `{{` without a closing `}}`",
        ),
        ("white space in a URL", one_request(json!({"method": "GET", "url": "{{baseUrl}}/api/my accounts"})), "item \"Req\" at $.item[0].request.url: cannot parse URL `{{baseUrl}}/api/my accounts`: it contains white space"),
        ("a bad scheme", one_request(json!({"method": "GET", "url": "ht tp://x/y"})), "item \"Req\" at $.item[0].request.url: cannot parse URL `ht tp://x/y`: it contains white space"),
        ("a bad scheme without white space", one_request(json!({"method": "GET", "url": "h%t://x/y"})), "item \"Req\" at $.item[0].request.url: cannot parse URL `h%t://x/y`: bad scheme `h%t`"),
        ("a stray brace in a path", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a{b"})), "item \"Req\" at $.item[0].request.url: path segment `a{b` has a stray brace"),
        ("an unusable path variable", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a/:/b"})), "item \"Req\" at $.item[0].request.url: path variable `` is not a usable name"),
        ("a path segment of the wrong type", one_request(json!({"method": "GET", "url": {"host": ["h"], "path": ["a", 1]}})), "item \"Req\" at $.item[0].request.url: a `url.path` segment must be a string, found a number"),
        ("a method that is not a name", one_request(json!({"method": "GE T", "url": "{{baseUrl}}/a"})), "item \"Req\" at $.item[0].request.method: method `GE T` is not an HTTP method name"),
        ("an empty method", one_request(json!({"method": " ", "url": "{{baseUrl}}/a"})), "item \"Req\" at $.item[0].request.method: method ` ` is not an HTTP method name"),
        ("a method that is not a string", one_request(json!({"method": 1, "url": "{{baseUrl}}/a"})), "item \"Req\" at $.item[0].request.method: `method` must be a string"),
        (
            "an unknown body mode",
            one_request(json!({"method": "POST", "url": "{{baseUrl}}/a", "body": {"mode": "binary"}})),
            "item \"Req\" at $.item[0].request.body.mode: unknown body mode `binary` (expected raw, urlencoded, formdata, file or graphql)",
        ),
        ("auth that is not an object", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a", "auth": "basic"})), "item \"Req\" at $.item[0].request.auth: `auth` must be an object, found a string"),
        ("auth without a type", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a", "auth": {"bearer": [{"key": "token", "value": "t"}]}})), "item \"Req\" at $.item[0].request.auth: `auth` has no `type`"),
        ("a header list that is an object", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a", "header": {}})), "item \"Req\" at $.item[0].request.header: expected an array of {key, value} entries, found an object"),
        ("a header entry that is a string", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a", "header": ["X: y"]})), "item \"Req\" at $.item[0].request.header[0]: expected a {key, value} object, found a string"),
        ("a header name with a space", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a", "header": [{"key": "X Request", "value": "1"}]})), "item \"Req\" at $.item[0].request.header[0]: header name `X Request` is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)"),
        ("a header name with a trailing space", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a", "header": [{"key": "Accept", "value": "*/*"}, {"key": "X-Id ", "value": "1"}]})), "item \"Req\" at $.item[0].request.header[1]: header name `X-Id ` is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)"),
        ("a non-ASCII header name", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a", "header": [{"key": "X-Café", "value": "1"}]})), "item \"Req\" at $.item[0].request.header[0]: header name `X-Café` is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)"),
        ("a non-ASCII header value", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a", "header": [{"key": "X-City", "value": "São Paulo"}]})), "item \"Req\" at $.item[0].request.header[0].value: the value `São Paulo` of header `X-City` is not visible ASCII, which HTTP clients cannot send"),
        (
            "a request body declared JSON that is not",
            one_request(json!({"method": "POST", "url": "{{baseUrl}}/a", "body": {"mode": "raw", "raw": "{\"a\": }", "options": {"raw": {"language": "json"}}}})),
            "item \"Req\" at $.item[0].request.body.raw: the body is declared JSON but is not JSON (line 1, column 7: expected value)",
        ),
        (
            "an example declared JSON that is not",
            with_example(json!({"name": "Odd", "code": 200, "header": [{"key": "Content-Type", "value": "application/json; charset=utf-8"}], "body": "{\"a\": 1,}"})),
            "item \"Req\" at $.item[0].response[0].body: example \"Odd\" is declared `application/json` but its body is not JSON (line 1, column 9: trailing comma)",
        ),
        ("an example code with a letter", with_example(json!({"name": "Odd", "code": "20O"})), "item \"Req\" at $.item[0].response[0].code: `\"20O\"` is not an HTTP status code"),
        ("a header key that is a number", one_request(json!({"method": "GET", "url": "{{baseUrl}}/a", "header": [{"key": 1}]})), "item \"Req\" at $.item[0].request.header[0].key: `key` must be a string, found a number"),
        ("an example code out of range", with_example(json!({"name": "Odd", "code": 999})), "item \"Req\" at $.item[0].response[0].code: `999` is not an HTTP status code"),
        ("an example code that is text", with_example(json!({"name": "Odd", "code": "abc"})), "item \"Req\" at $.item[0].response[0].code: `\"abc\"` is not an HTTP status code"),
        ("an example code that is a boolean", with_example(json!({"name": "Odd", "code": true})), "item \"Req\" at $.item[0].response[0].code: `code` must be a number, found a boolean"),
        ("an example body that is an object", with_example(json!({"name": "Odd", "code": 200, "body": {}})), "item \"Req\" at $.item[0].response[0].body: an example body must be a string, found an object"),
        ("an example that is a string", with_example(json!("Odd")), "item \"Req\" at $.item[0].response[0]: invalid type: string \"Odd\", expected a saved example object"),
        (
            "responses that are an object",
            collection(json!([{"name": "Req", "request": {"method": "GET", "url": "{{baseUrl}}/a"}, "response": {}}])),
            "item \"Req\" at $.item[0].response: invalid type: map, expected a sequence",
        ),
    ]
}

#[test]
fn malformed_collections_give_exact_errors() {
    let mut failures = Vec::new();
    for (what, input, expected) in cases() {
        let actual = match convert(input.as_bytes(), &Options::default()) {
            Ok(_) => "(converted without error)".to_owned(),
            Err(e) => e.to_string(),
        };
        if actual != expected {
            failures.push(format!(
                "{what}:\n  expected: {expected}\n  actual:   {actual}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_byte_order_mark_is_read_past_and_wide_text_is_named() {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let text = thing_collection();
    let plain = convert(text.as_bytes(), &Options::default()).expect("converts");
    let marked = convert(&[BOM, text.as_bytes()].concat(), &Options::default());
    assert_eq!(marked.expect("a UTF-8 byte order mark is read past"), plain);
    let overrides = Overrides::parse(&[BOM, br#"{"title": "T"}"#].concat());
    assert_eq!(overrides.expect("parses").title.as_deref(), Some("T"));
    // The same texts saved as UTF-16, little and big endian, as Windows
    // editors offer.
    let wide = |text: &str, le: bool| -> Vec<u8> {
        let units = "\u{FEFF}".encode_utf16().chain(text.encode_utf16());
        units
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    };
    let why = "invalid JSON at line 1, column 1: the file is UTF-16 or UTF-32 text (it starts \
               with that byte order mark), and JSON is UTF-8: save it as UTF-8";
    for le in [true, false] {
        let e = convert(&wide(&text, le), &Options::default()).expect_err("UTF-16");
        assert_eq!(e.to_string(), why);
        let e = Overrides::parse(&wide("{}", le)).expect_err("UTF-16 overrides");
        assert_eq!(e.to_string(), format!("overrides: {why}"));
    }
}

/// A collection with two schemas, `Owner` and `Thing`.
fn thing_collection() -> String {
    let body = json!({"id": "<uuid>", "owner": {"id": "<uuid>", "name": "<string>"}}).to_string();
    with_example(json!({"name": "Ok", "code": 200, "body": body}))
        .replace("{{baseUrl}}/a", "{{baseUrl}}/things")
}

fn overrides_cases() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("overrides that are not JSON", "{".to_owned(), "overrides: invalid JSON at line 1, column 1: EOF while parsing an object"),
        ("overrides that are an array", "[]".to_owned(), "overrides: the top level must be an object"),
        ("an unknown key", json!({"titel": "x"}).to_string(), "overrides: titel: unknown field `titel`, expected one of `$comment`, `title`, `version`, `operation_ids`, `schema_names`, `schema_patches`, `nullable_responses`"),
        ("a title that is not a string", json!({"title": true}).to_string(), "overrides: title: invalid type: boolean `true`, expected a string"),
        ("schema_names that is an array", json!({"schema_names": []}).to_string(), "overrides: schema_names: invalid type: sequence, expected a map"),
        ("a schema name that is not PascalCase", json!({"schema_names": {"Thing": "thing_2"}}).to_string(), "overrides: schema_names.Thing must be a PascalCase identifier string"),
        ("an unknown schema name", json!({"schema_names": {"Widget": "Gadget"}}).to_string(), "overrides: schema_names: no inferred schema is named `Widget` (inferred: Owner, Thing)"),
        ("a rename onto a prelude name", json!({"schema_names": {"Thing": "Default"}}).to_string(), "overrides: schema_names.Thing: `Default` would hide Rust's `Default` in the generated code"),
        ("a rename onto a taken name", json!({"schema_names": {"Thing": "Owner"}}).to_string(), "overrides: schema_names: `Owner` is already the name of another schema"),
        ("a patch of an unknown schema", json!({"schema_patches": {"Widget": {"description": "x"}}}).to_string(), "overrides: schema_patches: no schema is named `Widget` (schemas: Owner, Thing)"),
        ("a version with a space at the end", json!({"version": "1.0 "}).to_string(), "overrides: version \"1.0 \" must be visible ASCII (it is sent as the `api-version` header)"),
        ("a non-ASCII version", json!({"version": "1.0-β"}).to_string(), "overrides: version \"1.0-β\" must be visible ASCII (it is sent as the `api-version` header)"),
        ("a version with a newline", json!({"version": "1\n2"}).to_string(), "overrides: version \"1\\n2\" must be visible ASCII (it is sent as the `api-version` header)"),
        ("an unknown key in nullable_responses", json!({"nullable_responses": {"never_nul": {}}}).to_string(), "overrides: nullable_responses.never_nul: unknown field `never_nul`, expected `never_null`"),
        ("a pin of an unknown schema", json!({"nullable_responses": {"never_null": {"Widget": ["id"]}}}).to_string(), "overrides: nullable_responses.never_null: no schema is named `Widget`"),
        ("a pin of an unknown property", json!({"nullable_responses": {"never_null": {"Thing": ["name"]}}}).to_string(), "overrides: nullable_responses.never_null.Thing: `Thing` has no property `name` (properties: id, owner)"),
        ("schema_patches that is a string", json!({"schema_patches": "x"}).to_string(), "overrides: schema_patches: invalid type: string \"x\", expected a map"),
    ]
}

#[test]
fn malformed_overrides_give_exact_errors() {
    let input = thing_collection();
    // The collection itself is fine without overrides.
    let doc = convert(input.as_bytes(), &Options::default()).expect("converts");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    assert_eq!(schemas.keys().collect::<Vec<_>>(), ["Owner", "Thing"]);
    // Renaming a schema to its own name changes nothing.
    let same = Overrides::parse(br#"{"schema_names": {"Thing": "Thing"}}"#).expect("parses");
    let renamed = convert(
        input.as_bytes(),
        &Options {
            overrides: same,
            ..Options::default()
        },
    );
    assert_eq!(renamed.expect("converts"), doc);
    let mut failures = Vec::new();
    for (what, overrides, expected) in overrides_cases() {
        let actual = match Overrides::parse(overrides.as_bytes()).and_then(|overrides| {
            convert(
                input.as_bytes(),
                &Options {
                    overrides,
                    ..Options::default()
                },
            )
        }) {
            Ok(_) => "(converted without error)".to_owned(),
            Err(e) => {
                assert!(matches!(e, ConvertError::Overrides(_)), "{what}: {e:?}");
                e.to_string()
            }
        };
        if actual != expected {
            failures.push(format!(
                "{what}:\n  expected: {expected}\n  actual:   {actual}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn parse_ids(json: &str) -> Result<Overrides, ConvertError> {
    Overrides::parse(format!(r#"{{"operation_ids": {json}}}"#).as_bytes())
}

#[test]
fn operation_ids_are_read_by_route() {
    let o = parse_ids(r#"{"GET /api/accounts/{id}/": "accounts_detail"}"#).expect("valid");
    assert_eq!(
        o.operation_ids["GET /api/accounts/{id}/"],
        "accounts_detail"
    );
}

#[test]
fn operation_id_keys_and_names_are_checked() {
    for (json, says) in [
        (r#"{"get /api/a/": "a_list"}"#, "must be `METHOD /path`"),
        (r#"{"GET api/a/": "a_list"}"#, "must be `METHOD /path`"),
        (r#"{"FETCH /api/a/": "a_list"}"#, "must be `METHOD /path`"),
        (r#"{"GET /api/a/": "aList"}"#, "snake_case identifier"),
        (r#"{"GET /api/a/": "a-list"}"#, "snake_case identifier"),
        (r#"{"GET /api/a/": "type"}"#, "snake_case identifier"),
        (
            r#"{"GET /api/a/": "new"}"#,
            "member of the generated client",
        ),
        (r#"{"GET /api/a/": 3}"#, "operation_ids.GET /api/a/"),
    ] {
        let e = parse_ids(json).expect_err(json).to_string();
        assert!(e.contains(says), "{json}: {e}");
    }
}
