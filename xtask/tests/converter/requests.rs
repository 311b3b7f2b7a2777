//! How one request item is drafted: bare variables in JSON bodies, the types
//! of query values, and the header names and values a client can send.

use postman_openapi::convert;
use postman_openapi::openapi::operation::{is_token, quote_variables, scalar_schema};
use serde_json::{json, Value};

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
    assert_eq!(scalar_schema("n", Some("42")).0, json!({"type": "integer"}));
    assert_eq!(scalar_schema("n", Some("007")).0, json!({"type": "string"}));
    assert_eq!(
        scalar_schema("n", Some("<date>")).0,
        json!({"type": "string", "format": "date"})
    );
    assert_eq!(
        scalar_schema("n", Some("{{x}}")).0,
        json!({"type": "string"})
    );
}

#[test]
fn a_credential_of_digits_is_a_string() {
    // A Keycloak password grant saved with `password=123456`: typed as an
    // integer, the client could not send a password with letters.
    for name in ["password", "client_secret", "pin_token"] {
        assert_eq!(
            scalar_schema(name, Some("123456")).0,
            json!({"type": "string"})
        );
    }
    assert_eq!(
        scalar_schema("hasOldPassword", Some("true")).0,
        json!({"type": "boolean"})
    );
    assert_eq!(
        scalar_schema("page", Some("2")).0,
        json!({"type": "integer"})
    );
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
fn disabled_headers_no_client_could_send_are_left_out_and_said() {
    // As Postman's code generators' test collection has one: Postman does
    // not send a disabled header, so its name need not be a token.
    let request = json!({"method": "GET", "url": "https://api.example.com/a", "header": [
        {"key": "X-On", "value": "1"},
        {"key": "disabled header", "value": "DISABLED", "disabled": true},
        {"key": "X-City", "value": "São Paulo", "disabled": true},
        {"key": "X-Off", "value": "2", "disabled": true}
    ]});
    let items = json!([{"name": "Req", "request": request, "description": "Reads a."}]);
    let coll = json!({"info": {"name": "Headers", "schema": V21}, "item": items});
    let doc = convert(coll.to_string().as_bytes(), &options("headers")).expect("converts");
    let op = &doc["paths"]["/a"]["get"];
    let names: Vec<&str> = (op["parameters"].as_array().expect("parameters").iter())
        .map(|p| p["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, ["X-On", "X-Off"]);
    assert_eq!(
        op["description"],
        "Reads a.\n\n\
         header `disabled header` left out: it is disabled, and no HTTP client could send it\n\
         header `X-City` left out: it is disabled, and no HTTP client could send it"
    );
    // Enabled, the same header is refused (the client would panic).
    let enabled = coll.to_string().replace(r#""disabled":true,"#, "");
    let err = convert(enabled.as_bytes(), &options("headers")).expect_err("refused");
    assert!(
        err.to_string()
            .contains("header name `disabled header` is not an HTTP token"),
        "{err}"
    );
}

#[test]
fn headers_as_text_and_statuses_with_their_code_are_read() {
    // Postman's v2.1 schema allows a request's headers as one text, an
    // example's as `Key: value` strings or one text, and gives `200 OK` as
    // the example of an example's `status`. The bodies are bare text: JSON
    // (a string) only when the content type in those headers is read.
    let request = json!({"method": "POST", "url": "https://api.example.com/things",
        "header": "Content-Type: application/json\nX-Trace-Id: abc\nX-Flag\n// X-Off: 1",
        "body": {"mode": "raw", "raw": "a name"}});
    let response = json!([
        {"name": "Made", "status": "201 Created", "header": ["Content-Type: application/json"],
         "body": "made"},
        {"name": "Teapot", "status": "I'm a teapot", "header": "X-A: b\nContent-Type: text/html",
         "body": "short and stout"}
    ]);
    let items = json!([{"name": "Make", "request": request, "response": response}]);
    let coll = json!({"info": {"name": "Text", "schema": V21}, "item": items});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "text");
    let op = &doc["paths"]["/things"]["post"];
    let params: Vec<(&str, bool)> = (op["parameters"].as_array().expect("parameters").iter())
        .map(|p| (p["name"].as_str().expect("a name"), p["required"] == true))
        .collect();
    // A line without a colon is a header without a value, not lost.
    assert_eq!(
        params,
        [("X-Trace-Id", false), ("X-Flag", false), ("X-Off", false)]
    );
    let media = |content: &serde_json::Value| -> Vec<String> {
        content
            .as_object()
            .expect("content")
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(media(&op["requestBody"]["content"]), ["application/json"]);
    let made = &op["responses"]["201"]["content"];
    assert_eq!(media(made), ["application/json"]);
    assert_eq!(made["application/json"]["schema"]["type"], "string");
    assert_eq!(media(&op["responses"]["418"]["content"]), ["text/html"]);
}

#[test]
fn a_header_written_as_text_is_refused_at_the_text() {
    // The text has no `value` member to point at.
    let request = json!({"method": "GET", "url": "https://api.example.com/a",
        "header": "X-Trace-Id: abc\nX-City: São Paulo"});
    let items = json!([{"name": "Req", "request": request}]);
    let coll = json!({"info": {"name": "Text", "schema": V21}, "item": items});
    let err = convert(coll.to_string().as_bytes(), &options("text")).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "item \"Req\" at $.item[0].request.header: the value `São Paulo` of header `X-City` is \
         not visible ASCII, which HTTP clients cannot send"
    );
}

#[test]
fn left_out_headers_are_said_once_and_legibly() {
    // Two items of one route with the same disabled header: one note. A
    // carriage return would end the doc comment that holds the description.
    let header = json!([{"key": "bad header", "value": "1", "disabled": true},
        {"key": "X-A\r", "value": "1", "disabled": true}]);
    let get = |name: &str| {
        json!({"name": name, "request": {"method": "GET",
        "url": "https://api.example.com/a", "header": header}})
    };
    let coll = json!({"info": {"name": "Twice", "schema": V21}, "item": [get("A"), get("B")]});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "twice");
    assert_eq!(
        doc["paths"]["/a"]["get"]["description"],
        "header `bad header` left out: it is disabled, and no HTTP client could send it\n\
         header `X-A\\r` left out: it is disabled, and no HTTP client could send it"
    );
}

#[test]
fn connection_options_are_left_out_and_said() {
    // Copied from a browser or curl: the connection options are the HTTP
    // client's to write (and HTTP/2 forbids them). Other browser headers,
    // `Host` and `Content-Length` (some APIs ask for `Content-Length: 0`)
    // stay parameters.
    let header = json!([{"key": "Connection", "value": "keep-alive"},
        {"key": "Host", "value": "api.example.com"}, {"key": "content-length", "value": "0"},
        {"key": "Transfer-Encoding", "value": "chunked"}, {"key": "Keep-Alive", "value": "timeout=5"},
        {"key": "User-Agent", "value": "Mozilla/5.0"}, {"key": "Upgrade", "value": "h2c"}]);
    let coll = json!({"info": {"name": "Browser", "schema": V21}, "item": [
        {"name": "cancel", "request": {"method": "DELETE", "url": "https://api.example.com/uploads/1",
            "header": header}}]});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "browser");
    let op = &doc["paths"]["/uploads/{upload_id}"]["delete"];
    let names: Vec<&Value> = (op["parameters"].as_array().expect("parameters").iter())
        .map(|p| &p["name"])
        .collect();
    let kept = ["upload_id", "Host", "content-length", "User-Agent"].map(|n| json!(n));
    assert_eq!(names, kept.iter().collect::<Vec<_>>());
    let said = |h: &str| {
        format!("header `{h}` left out: a connection option, which the HTTP client writes itself")
    };
    let description = op["description"].as_str().expect("a description");
    let notes: Vec<&str> = description
        .lines()
        .filter(|l| l.starts_with("header"))
        .collect();
    assert_eq!(
        notes,
        ["Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade"].map(said)
    );
    crate::generated::generate_checked(&doc);
}

#[test]
fn credentials_saved_as_parameter_values_are_left_out_and_said() {
    // An OAuth token request saved with its secrets in the query string:
    // their values were the parameters' examples, in the document and the
    // generated client's doc comments.
    let url = "http://localhost:8080/oauth/token?grant_type=password&client_secret=s3cr.123\
               &username=reader&password=reader.123&key=AIzaSyA&page_token={{next}}\
               &password_type=login&hasOldPassword=true&tokens=eth&continuationToken=CAUQAA\
               &baseToken=BTC&faceToken=USDT&X-CSRF-TOKEN=1234&firebaseToken=fb.42";
    let coll = json!({"info": {"name": "Secrets", "schema": V21}, "item": [
        {"name": "token", "request": {"method": "POST", "url": url,
            "header": [{"key": "X-Refresh-Token", "value": "rt-42"}]}}]});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "secrets");
    let op = &doc["paths"]["/oauth/token"]["post"];
    let examples: Vec<(&Value, &Value)> = (op["parameters"].as_array().expect("parameters").iter())
        .map(|p| (&p["name"], &p["example"]))
        .collect();
    let (null, kept) = (json!(null), [json!("password"), json!("reader")]);
    assert_eq!(
        examples,
        [
            (&json!("grant_type"), &kept[0]),
            (&json!("client_secret"), &null),
            (&json!("username"), &kept[1]),
            (&json!("password"), &null),
            (&json!("key"), &null),
            (&json!("page_token"), &null),
            // Not credentials: a kind, a yes or no, a plural.
            (&json!("password_type"), &json!("login")),
            (&json!("hasOldPassword"), &json!(true)),
            (&json!("tokens"), &json!("eth")),
            // A page's token, a traded asset, a gift card's currency.
            (&json!("continuationToken"), &json!("CAUQAA")),
            (&json!("baseToken"), &json!("BTC")),
            (&json!("faceToken"), &json!("USDT")),
            (&json!("X-CSRF-TOKEN"), &null),
            (&json!("firebaseToken"), &null),
            (&json!("X-Refresh-Token"), &null),
        ]
    );
    let text = doc.to_string();
    for secret in ["s3cr.123", "reader.123", "AIzaSyA", "rt-42"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let said = op["description"].as_str().expect("a description");
    assert!(
        said.contains("the value of query parameter `client_secret` left out: a credential"),
        "{said}"
    );
    assert!(
        said.contains("the value of header parameter `X-Refresh-Token` left out: a credential"),
        "{said}"
    );
    assert!(
        !said.contains("`page_token`"),
        "a variable's value was never written: {said}"
    );
    crate::generated::generate_checked(&doc);
}

#[test]
fn a_content_type_or_encoding_the_client_does_not_send_is_said() {
    // A JSON:API server wants `application/vnd.api+json`, an XML one
    // `application/xml`; progenitor 0.15 sends JSON bodies as
    // `application/json`, raw text as `text/plain`, forms urlencoded.
    let post = |path: &str, content_type: &str, body: serde_json::Value| {
        json!({"name": path, "request": {"method": "POST", "url": format!("https://api.example.com/{path}"),
            "header": [{"key": "Content-Type", "value": content_type}], "body": body}})
    };
    let json_body = json!({"mode": "raw", "raw": "{\"data\": {\"type\": \"users\"}}"});
    let items = json!([
        post("api", "application/vnd.api+json", json_body.clone()),
        post("plain", "application/json; charset=utf-8", json_body),
        post(
            "xml",
            "application/xml",
            json!({"mode": "raw", "raw": "<a/>", "options": {"raw": {"language": "xml"}}})
        ),
        post(
            "form",
            "multipart/form-data",
            json!({"mode": "formdata", "formdata": [
                {"key": "a", "value": "1"}, {"key": "scan", "type": "file", "src": "/tmp/a.pdf"},
                {"key": "old", "type": "file", "disabled": true}]})
        ),
    ]);
    let coll = json!({"info": {"name": "Types", "schema": V21}, "item": items});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "content types");
    let said = |path: &str| doc["paths"][path]["post"]["description"].clone();
    let note = |header: &str, sent: &str| {
        json!(format!("header `Content-Type: {header}` left out: the generated client sends the body as `{sent}`"))
    };
    assert_eq!(
        said("/api"),
        note("application/vnd.api+json", "application/json")
    );
    assert_eq!(said("/plain"), json!(null));
    assert_eq!(said("/xml"), note("application/xml", "text/plain"));
    // A form-data body loses its encoding, and with it the files it sends.
    let form = format!(
        "{}\nmultipart encoding of the form-data body left out: the generated client sends it \
         as `application/x-www-form-urlencoded`, so its file fields (`scan`) cannot carry files",
        note("multipart/form-data", "application/x-www-form-urlencoded")
            .as_str()
            .unwrap_or_default()
    );
    assert_eq!(said("/form"), json!(form));
}

#[test]
fn a_form_without_fields_is_no_body() {
    // The app saves `formdata: []` on a request whose form tab was opened,
    // GETs and DELETEs included, and sends no body for it.
    let item = |method: &str, path: &str, body: serde_json::Value| {
        json!({"name": path, "request": {"method": method,
            "url": format!("https://api.example.com/{path}"), "body": body}})
    };
    let items = json!([
        item(
            "GET",
            "projects",
            json!({"mode": "formdata", "formdata": []})
        ),
        item(
            "DELETE",
            "tasks",
            json!({"mode": "urlencoded", "urlencoded": []})
        ),
        // A blank row says nothing either.
        item(
            "POST",
            "blank",
            json!({"mode": "formdata", "formdata": [{"key": "", "value": ""}]})
        ),
        // A disabled field still says what the form takes.
        item(
            "POST",
            "login",
            json!({"mode": "urlencoded", "urlencoded": [
            {"key": "user", "value": "a", "disabled": true}]})
        ),
    ]);
    let coll = json!({"info": {"name": "Forms", "schema": V21}, "item": items});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "empty forms");
    for (path, method) in [
        ("/projects", "get"),
        ("/tasks", "delete"),
        ("/blank", "post"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.get("requestBody").is_none(), "{path}: {op}");
        assert!(op.get("description").is_none(), "{path}: {op}");
    }
    let login = &doc["paths"]["/login"]["post"]["requestBody"]["content"];
    let schema = &login["application/x-www-form-urlencoded"]["schema"];
    assert_eq!(
        schema["properties"]["user"],
        json!({"type": "string"}),
        "{login}"
    );
}

#[test]
fn percent_encoded_query_keys_and_values_are_read_decoded() {
    // As Laravel's documentation generator writes a filter: Postman sends
    // `filter%5Bfrom%5D` as it is and the server reads `filter[from]`, the
    // name the generated client must encode itself.
    let raw = "{{baseUrl}}/loans?filter%5Bfrom%5D=1715927864&q=a%20b&pct=100%2525&odd=%zz%FF";
    let structured = json!({"raw": "{{baseUrl}}/rates?page%5Bsize%5D=5",
        "host": ["{{baseUrl}}"], "path": ["rates"],
        "query": [{"key": "page%5Bsize%5D", "value": "5"}]});
    let items = json!([
        {"name": "loans", "request": {"method": "GET", "url": raw}},
        {"name": "rates", "request": {"method": "GET", "url": structured}},
    ]);
    let coll = json!({"info": {"name": "Encoded", "schema": V21}, "item": items,
        "variable": [{"key": "baseUrl", "value": "https://api.example.com"}]});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "encoded query");
    let params = |path: &str| -> Vec<(String, serde_json::Value)> {
        let list = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters");
        list.iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or_default().to_owned(),
                    p["example"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        params("/loans"),
        [
            ("filter[from]".to_owned(), json!(1_715_927_864)),
            ("q".to_owned(), json!("a b")),
            // Decoded once: `%2525` is the text `%25`.
            ("pct".to_owned(), json!("100%25")),
            // Not an escape, or not UTF-8: as written.
            ("odd".to_owned(), json!("%zz%FF")),
        ]
    );
    assert_eq!(params("/rates"), [("page[size]".to_owned(), json!(5))]);
    crate::generated::generate_checked(&doc);
}

#[test]
fn an_authorization_header_written_by_hand_is_the_requests_auth() {
    // Many saved requests carry `Authorization: Bearer …` as a header
    // rather than as auth; OpenAPI ignores such a header parameter, so the
    // operation says it in `security`, and never says the credential.
    let item = |path: &str, value: &str, extra: serde_json::Value| {
        let mut request = json!({"method": "GET", "url": format!("https://api.example.com/{path}"),
            "header": [{"key": "Authorization", "value": value}]});
        if let Some(members) = extra.as_object() {
            for (k, v) in members {
                request[k] = v.clone();
            }
        }
        json!({"name": path, "request": request})
    };
    let items = json!([
        item("bearer", "Bearer s3cr3t-token", json!({})),
        item(
            "basic",
            "Basic czNjcjN0",
            json!({"auth": {"type": "noauth"}})
        ),
        item("token", "Token token={{apiToken}}", json!({})),
        item(
            "own",
            "Basic czNjcjN0",
            json!({"auth": {"type": "apikey", "apikey": [
            {"key": "key", "value": "X-Key"}]}})
        ),
        item(
            "off",
            "Bearer s3cr3t-token",
            json!({"header": [
            {"key": "Authorization", "value": "Bearer s3cr3t-token", "disabled": true}]})
        ),
    ]);
    let coll = json!({"info": {"name": "Headers", "schema": V21}, "item": items});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "authorization headers");
    let security = |path: &str| doc["paths"][path]["get"]["security"].clone();
    // The scheme an operation's requirement names.
    let scheme = |path: &str| {
        let requirement = security(path);
        let name = requirement[0]
            .as_object()
            .and_then(|o| o.keys().next().cloned());
        doc["components"]["securitySchemes"][name.expect("a scheme")].clone()
    };
    assert_eq!(security("/bearer"), json!([{"bearerAuth": []}]));
    assert_eq!(security("/basic"), json!([{"basicAuth": []}]));
    // Another scheme: the whole value is a key sent in that header.
    assert_eq!(
        scheme("/token"),
        json!({"type": "apiKey", "in": "header", "name": "Authorization"})
    );
    // The request's own auth wins; a disabled header says nothing.
    assert_eq!(scheme("/own")["name"], "X-Key");
    assert_eq!(security("/off"), serde_json::Value::Null);
    let text = doc.to_string();
    assert!(
        !text.contains("s3cr3t") && !text.contains("czNjcjN0"),
        "{text}"
    );
    crate::generated::generate_checked(&doc);
}

#[test]
fn comments_in_json_bodies_are_read_past() {
    // The Postman app allows `//` and `/* */` comments in a JSON body and
    // strips them before sending; people write them in saved examples too.
    let body = "{\r\n  \"odds\": 6, // optional\r\n  /* a \"name\" */ \"url\": \"http://x/y\"\r\n}";
    let example = "[\n  {\"name\": \"Type1\"}\n  // ...\n]";
    let item = |path: &str, raw: &str, example: Option<&str>| {
        let mut item = json!({"name": path, "request": {"method": "POST",
            "url": format!("https://api.example.com/{path}"),
            "body": {"mode": "raw", "raw": raw, "options": {"raw": {"language": "json"}}}}});
        if let Some(text) = example {
            item["response"] = json!([{"name": "Listed", "code": 200, "body": text,
                "header": [{"key": "Content-Type", "value": "application/json"}]}]);
        }
        item
    };
    let coll =
        |items| json!({"info": {"name": "Comments", "schema": V21}, "item": items}).to_string();
    let doc = crate::convert_ok(
        coll(json!([item("events", body, Some(example))])).as_bytes(),
        "comments",
    );
    let op = &doc["paths"]["/events"]["post"];
    let request = &op["requestBody"]["content"]["application/json"];
    assert_eq!(request["example"], json!({"odds": 6, "url": "http://x/y"}));
    let response = &op["responses"]["200"]["content"]["application/json"];
    assert_eq!(
        response["examples"]["Listed"]["value"],
        json!([{"name": "Type1"}])
    );
    // Bare text is still a string, `//` and all; a comment may come first.
    let items = json!([
        item("url", "http://h/a?b=1", None),
        item("first", "// note\n{\"a\": 1}", None)
    ]);
    let doc = crate::convert_ok(coll(items).as_bytes(), "bare");
    let example = |path: &str| {
        doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["example"].clone()
    };
    assert_eq!(example("/url"), json!("http://h/a?b=1"));
    assert_eq!(example("/first"), json!({"a": 1}));
    // A body that is all comments is no body: Postman sends nothing.
    let items = json!([item("none", "// {\n//   \"a\": 1\n/* } */\n", None)]);
    let doc = crate::convert_ok(coll(items).as_bytes(), "all comments");
    let op = &doc["paths"]["/none"]["post"];
    assert_eq!(op["requestBody"], json!(null), "{op}");
    let said = op["description"].as_str().unwrap_or_default();
    assert!(
        said.contains("request body left out: it is all comments"),
        "{said}"
    );
    // What is not a comment is still refused, where it is.
    for (raw, error) in [
        ("{\"a\": 1 / 2}", "line 1, column 9: expected `,` or `}`"),
        ("{\"a\": 1,\n}", "line 2, column 1: trailing comma"),
    ] {
        let e = convert(
            coll(json!([item("a", raw, None)])).as_bytes(),
            &options("c"),
        )
        .expect_err(raw)
        .to_string();
        assert!(
            e.ends_with(&format!(
                "the body is declared JSON but is not JSON ({error})"
            )),
            "{e}"
        );
    }
}

#[test]
fn a_url_of_empty_parts_is_no_url() {
    // Host and path given, each one empty part: nothing to call, not `/`.
    let url = json!({"raw": "", "host": [""], "path": [""]});
    let items = json!([
        {"name": "Get", "request": {"method": "GET", "url": "https://api.example.com/a"}},
        {"name": "Draft", "request": {"method": "GET", "url": url}}
    ]);
    let coll = json!({"info": {"name": "Api", "schema": V21}, "item": items});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "empty");
    let paths = crate::paths(&doc);
    assert_eq!(paths, ["/a"]);
    let said = doc["info"]["description"].as_str().expect("a description");
    assert!(
        said.ends_with("Left out:\n- GET item \"Draft\" at $.item[1]: the request has no URL"),
        "{said}"
    );
}

#[test]
fn a_host_written_with_a_path_is_read_as_its_raw_url_is() {
    // As an Insomnia fixture has it: `host: "web.example.com/"`, which
    // made the server `https://web.example.com/` (the client then calls
    // `//api/...`).
    let structured =
        |host: &str, path: &str| json!({"protocol": "https", "host": host, "path": path});
    let items = json!([
        {"name": "A", "request": {"url": structured("api.example.com/", "v1/a")}},
        {"name": "B", "request": {"url": structured("api.example.com/v1/", "b")}},
        {"name": "C", "request": {"url": structured("https://api.example.com/v1", "c")}},
        {"name": "D", "request": {"url": "https://api.example.com/v1/d"}},
        // The host's trailing slash is the URL's when it has no path.
        {"name": "E", "request": {"url": structured("api.example.com/v1/", "")}},
        {"name": "F", "request": {"url": "https://api.example.com/v1/"}}
    ]);
    let coll = json!({"info": {"name": "Api", "schema": V21}, "item": items});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "host path");
    assert_eq!(doc["servers"], json!([{"url": "https://api.example.com"}]));
    let paths = crate::paths(&doc);
    assert_eq!(paths, ["/v1/", "/v1/a", "/v1/b", "/v1/c", "/v1/d"]);
    for path in paths {
        assert!(doc["paths"][path]["get"].get("servers").is_none(), "{path}");
    }
}

#[test]
fn a_user_and_password_in_a_url_never_reach_the_document() {
    let items = json!([
        {"name": "Raw", "request": {"url": "https://alice:s3cret@api.example.com:8443/a"}},
        {"name": "Host", "request": {"url": {"protocol": "https",
            "host": ["{{user}}:{{secret}}@api", "example", "com"], "port": "8443", "path": ["b"]}}},
        // As Postman's SDK writes it: the host clean, the user in `auth`.
        {"name": "Sdk", "request": {"url": {"raw": "https://eve:pw@api.example.com:8443/c",
            "auth": {"user": "eve", "password": "pw"}, "protocol": "https",
            "host": ["api", "example", "com"], "port": "8443", "path": ["c"]}}},
        {"name": "Plain", "request": {"url": {"raw": "https://api.example.com:8443/d",
            "auth": {"user": "", "password": ""}, "protocol": "https",
            "host": ["api", "example", "com"], "port": "8443", "path": ["d"]}}},
        // In the values of the variables a server is made of.
        {"name": "Base", "request": {"url": "{{baseUrl}}/e"}},
        {"name": "Files", "request": {"url": {"protocol": "https", "host": ["{{files}}"], "path": ["f"]}}},
        // A variable whose name holds `@` is a variable, not a user.
        {"name": "Odd", "request": {"url": {"protocol": "https", "host": ["{{a@b}}"], "path": ["g"]}}}
    ]);
    let variables = json!([
        {"key": "user", "value": "bob"}, {"key": "secret", "value": "hunter2"},
        {"key": "baseUrl", "value": "https://carol:pw2@base.example.com/v1/"},
        {"key": "files", "value": "dan:pw3@files.example.com"},
        {"key": "a@b", "value": "odd.example.com"}
    ]);
    let coll =
        json!({"info": {"name": "Api", "schema": V21}, "item": items, "variable": variables});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "credentials");
    let text = doc.to_string();
    for secret in [
        "alice", "s3cret", "{user}", "{secret}", "hunter2", "eve", "carol", "pw2", "dan:", "pw3",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} is in the document: {text}"
        );
    }
    // One server for the four on one host, and those that held a user say so.
    assert_eq!(
        doc["servers"],
        json!([{"url": "https://api.example.com:8443"}])
    );
    let servers = |path: &str| doc["paths"][path]["get"]["servers"].clone();
    assert_eq!(
        servers("/e"),
        json!([{"url": "https://base.example.com/v1"}])
    );
    assert_eq!(
        servers("/f"),
        json!([{"url": "https://{files}", "variables": {"files": {"default": "files.example.com"}}}])
    );
    assert_eq!(
        servers("/g"),
        json!([{"url": "https://{a@b}", "variables": {"a@b": {"default": "odd.example.com"}}}])
    );
    let note = "the user (and password) in the request's URL left out";
    for path in ["/a", "/b", "/c"] {
        assert_eq!(doc["paths"][path]["get"]["description"], note, "{path}");
    }
    for path in ["/d", "/e", "/f", "/g"] {
        assert!(
            doc["paths"][path]["get"].get("description").is_none(),
            "{path}"
        );
    }
    let said = doc["info"]["description"].as_str().expect("a description");
    assert!(
        said.ends_with(
            "Left out:\n\
             - collection variable `baseUrl`: the user and password in its value, left out of the servers\n\
             - collection variable `files`: the user and password in its value, left out of the servers"
        ),
        "{said}"
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
fn requests_the_client_cannot_send_are_left_out_and_said() {
    // Postman offers methods OpenAPI 3.0 has not (LINK, PURGE, PROPFIND…)
    // and takes any name; progenitor 0.15 would call reqwest's `options`
    // and `trace`, which do not exist; a request never given a URL is saved
    // without one (as Postman's own exports and code generators' test
    // collections have them). None of them can be an operation; the rest
    // of the collection converts.
    let coll = json!({"info": {"name": "Api", "schema": V21}, "item": [
        {"name": "Echo", "item": [
            {"name": "Get", "request": {"method": "GET", "url": "{{baseUrl}}/anything"}},
            {"name": "Allowed", "request": {"method": "OPTIONS", "url": "{{baseUrl}}/anything"}},
            {"name": "Trace", "request": {"method": "trace", "url": "{{baseUrl}}/anything"}},
            {"name": "Link", "request": {"method": "LINK", "url": "{{baseUrl}}/anything"}},
            {"name": "Custom", "request": {"method": "propfind", "url": "{{baseUrl}}/anything"}}
        ]},
        {"name": "Drafts", "item": [
            {"name": "No url", "request": {"method": "POST", "header": []}},
            {"name": "Empty", "request": {"method": "GET", "url": {"raw": ""}}},
            {"name": "Empty string", "request": ""},
            {"name": "Query only", "request": {"method": "GET", "url": {"raw": "?a=1", "query": [{"key": "a", "value": "1"}]}}}
        ]}
    ]});
    let doc = crate::convert_ok(coll.to_string().as_bytes(), "echo");
    let paths: Vec<(&str, Vec<&str>)> = (doc["paths"].as_object().expect("paths").iter())
        .map(|(path, item)| {
            let methods = item.as_object().expect("a path item").keys();
            (path.as_str(), methods.map(String::as_str).collect())
        })
        .collect();
    assert_eq!(paths, [("/anything", vec!["get"])]);
    // The folder of drafts holds no operation, so it is no tag.
    assert_eq!(doc["tags"], json!([{"name": "Echo"}]));
    let said = doc["info"]["description"].as_str().expect("a description");
    assert!(
        said.ends_with(
            "Left out:\n\
             - OPTIONS item \"Echo / Allowed\" at $.item[0].item[1]: the generated client cannot send OPTIONS\n\
             - TRACE item \"Echo / Trace\" at $.item[0].item[2]: the generated client cannot send TRACE\n\
             - LINK item \"Echo / Link\" at $.item[0].item[3]: OpenAPI 3.0 has no LINK method\n\
             - PROPFIND item \"Echo / Custom\" at $.item[0].item[4]: OpenAPI 3.0 has no PROPFIND method\n\
             - POST item \"Drafts / No url\" at $.item[1].item[0]: the request has no URL\n\
             - GET item \"Drafts / Empty\" at $.item[1].item[1]: the request has no URL\n\
             - GET item \"Drafts / Empty string\" at $.item[1].item[2]: the request has no URL\n\
             - GET item \"Drafts / Query only\" at $.item[1].item[3]: the request has no URL"
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
