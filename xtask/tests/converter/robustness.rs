//! Property tests: whatever the input, `convert` never panics, and whenever
//! it succeeds progenitor accepts the document.
//!
//! Case counts are small by default so the suite stays quick in debug on two
//! cores; set `PROPTEST_CASES` for a longer run by hand (it sets every
//! property's count), e.g. `PROPTEST_CASES=20000 cargo test -p xtask --release
//! --test converter robustness`.

use std::sync::OnceLock;

use postman_openapi::{
    convert, convert_to_string, postman, render, sync::check_generates, Options,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use serde_json::{json, Map, Number, Value};

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The property: no panic (proptest reports one as a failure), and an `Ok`
/// document renders and generates.
fn converts_or_fails_cleanly(bytes: &[u8]) -> Result<(), TestCaseError> {
    // Reading is deterministic, errors included.
    prop_assert_eq!(
        format!("{:?}", postman::parse(bytes)),
        format!("{:?}", postman::parse(bytes))
    );
    let fast = convert_to_string(bytes, &Options::default());
    let doc = convert(bytes, &Options::default());
    // The text-only path agrees with `render(&convert(..))`, errors included.
    match (&doc, &fast) {
        (Ok(d), Ok(t)) => prop_assert_eq!(&render(d), t),
        (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
        _ => prop_assert!(false, "convert and convert_to_string disagree"),
    }
    if let Ok(doc) = doc {
        let text = render(&doc);
        check_generates(&doc).map_err(|e| {
            TestCaseError::fail(format!(
                "{e}\n--- input:\n{}\n--- output:\n{text}",
                String::from_utf8_lossy(bytes)
            ))
        })?;
    }
    Ok(())
}

// ----------------------------------------------------------------- strategies

/// Strings the converter gives meaning to, plus arbitrary ones.
fn text() -> impl Strategy<Value = String> {
    const WORDS: &[&str] = &[
        "",
        " ",
        "GET",
        "post",
        "PATCH",
        "DELETE",
        "FETCH",
        "{{baseUrl}}",
        "{{baseUrl}}/api/x/:id",
        "{{baseUrl}}/a/{{b}}/c?x=1&y=<integer>",
        "https://example.com:8080/a/b/",
        "http://h/:p/:p",
        "{{",
        "}}",
        "{{a",
        ":",
        ":id",
        "<uuid>",
        "<integer>",
        "<long>",
        "<number>",
        "<dateTime>",
        "<date>",
        "<boolean>",
        "<binary>",
        "<byte>",
        "<x-y>",
        "<>",
        "(Required) x",
        "json",
        "xml",
        "text",
        "raw",
        "urlencoded",
        "formdata",
        "file",
        "graphql",
        "basic",
        "bearer",
        "apikey",
        "noauth",
        "oauth2",
        "awsv4",
        "query",
        "header",
        "application/json",
        "text/html",
        "additionalProp1",
        "key_0",
        "200",
        "428",
        "OK",
        "Created",
        "No Content",
        "[]",
        "{}",
        "{\"a\": {{b}}}",
        "[{\"id\": \"<uuid>\"}]",
        "{\"additionalProp1\": {}}",
        "null",
        "1.5",
        "007",
        "true",
        "Get-X",
        "get x",
        "2fa",
        "é",
        "\u{0}",
    ];
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[a-z{}:/<>?=&. _-]{0,24}",
    ]
}

/// Object keys: mostly Postman's own.
fn key() -> impl Strategy<Value = String> {
    const KEYS: &[&str] = &[
        "info",
        "name",
        "schema",
        "description",
        "content",
        "item",
        "request",
        "response",
        "method",
        "url",
        "raw",
        "protocol",
        "host",
        "port",
        "path",
        "query",
        "variable",
        "key",
        "value",
        "disabled",
        "type",
        "header",
        "body",
        "mode",
        "options",
        "language",
        "urlencoded",
        "formdata",
        "graphql",
        "variables",
        "auth",
        "basic",
        "bearer",
        "apikey",
        "oauth2",
        "in",
        "accessTokenUrl",
        "authUrl",
        "code",
        "status",
        "_postman_previewlanguage",
        "id",
        "requests",
        "folders",
        "order",
        "additionalProp1",
        "key_0",
    ];
    prop_oneof![
        5 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Z_]{0,8}",
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (100u64..600).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        text().prop_map(Value::from),
    ]
}

/// Any JSON value, built recursively.
fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A JSON body as text: a value, sometimes cut short or with a bare `{{var}}`.
fn body_text() -> impl Strategy<Value = Value> {
    (json_value(), 0u8..4).prop_map(|(v, how)| {
        let s = v.to_string();
        Value::from(match how {
            0 => s.chars().take(s.chars().count() / 2).collect(),
            1 => s.replacen("null", "{{var}}", 1),
            _ => s,
        })
    })
}

/// Path segments worth trying.
fn segment() -> impl Strategy<Value = String> {
    const SEGMENTS: &[&str] = &[
        "api",
        "accounts",
        ":id",
        ":account_id",
        "{{var}}",
        "v{{ver}}",
        "",
        "x.y",
        "items",
        "é",
        "%20",
    ];
    const BAD: &[&str] = &[":", "{{", "a{b", "}}"];
    prop_oneof![
        20 => prop::sample::select(SEGMENTS).prop_map(str::to_owned),
        1 => prop::sample::select(BAD).prop_map(str::to_owned),
        1 => text(),
    ]
}

fn url() -> impl Strategy<Value = Value> {
    prop_oneof![
        20 => (
            prop::sample::select(vec!["{{baseUrl}}", "https://example.com", "http://localhost:8080", "{{host}}:9", ""]),
            prop::collection::vec(segment(), 0..4),
            prop::option::of(key_values()),
        )
            .prop_map(|(host, path, query)| {
                let mut raw = host.to_owned();
                for seg in &path {
                    raw.push('/');
                    raw.push_str(seg);
                }
                match query {
                    // A structured URL: host and path arrays, the raw text too.
                    Some(q) => json!({"raw": raw, "host": [host], "path": path, "query": q}),
                    None => Value::from(raw),
                }
            }),
        2 => (
            prop::collection::vec(text(), 0..3),
            prop::collection::vec(segment(), 0..4),
            prop::option::of(text()),
            prop::option::of(json_value()),
            prop::option::of(json_value()),
        )
            .prop_map(|(host, path, protocol, query, variable)| {
                let mut u = json!({"host": host, "path": path});
                if let Some(p) = protocol {
                    u["protocol"] = p.into();
                }
                if let Some(q) = query {
                    u["query"] = q;
                }
                if let Some(v) = variable {
                    u["variable"] = v;
                }
                u
            }),
        1 => text().prop_map(Value::from),
        1 => json_value(),
    ]
}

fn key_values() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (text(), prop::option::of(text()), any::<bool>(), prop::option::of(text())),
        0..4,
    )
    .prop_map(|kvs| {
        Value::Array(
            kvs.into_iter()
                .map(|(k, v, disabled, d)| json!({"key": k, "value": v, "disabled": disabled, "description": d}))
                .collect(),
        )
    })
}

fn body() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({})),
        (body_text(), prop::option::of(text())).prop_map(
            |(raw, lang)| json!({"mode": "raw", "raw": raw, "options": {"raw": {"language": lang}}})
        ),
        key_values().prop_map(|f| json!({"mode": "urlencoded", "urlencoded": f})),
        key_values().prop_map(|f| json!({"mode": "formdata", "formdata": f})),
        (text(), body_text())
            .prop_map(|(q, v)| json!({"mode": "graphql", "graphql": {"query": q, "variables": v}})),
        Just(json!({"mode": "file"})),
        json_value(),
    ]
}

fn auth() -> impl Strategy<Value = Value> {
    const TYPES: &[&str] = &[
        "basic", "bearer", "apikey", "noauth", "oauth2", "digest", "awsv4",
    ];
    let ty = prop_oneof![
        20 => prop::sample::select(TYPES).prop_map(str::to_owned),
        1 => text(),
    ];
    prop_oneof![
        15 => Just(Value::Null),
        15 => (ty, key_values()).prop_map(|(t, params)| {
            let mut a = json!({"type": t});
            a[t.as_str()] = params;
            a
        }),
        1 => json_value(),
    ]
}

fn example() -> impl Strategy<Value = Value> {
    let code = prop_oneof![30 => (100u64..600).prop_map(Value::from), 1 => scalar()];
    (text(), code, body_text(), key_values(), prop::option::of(text()))
        .prop_map(|(name, code, body, header, lang)| {
            json!({"name": name, "code": code, "body": body, "header": header, "_postman_previewlanguage": lang})
        })
}

fn method() -> impl Strategy<Value = String> {
    const METHODS: &[&str] = &[
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "trace",
    ];
    prop_oneof![
        30 => prop::sample::select(METHODS).prop_map(str::to_owned),
        1 => text(),
    ]
}

fn request_item() -> impl Strategy<Value = Value> {
    (
        text(),
        method(),
        url(),
        key_values(),
        body(),
        auth(),
        prop::collection::vec(example(), 0..4),
    )
        .prop_map(|(name, method, url, header, body, auth, response)| {
            json!({"name": name, "request": {"method": method, "url": url, "header": header,
                   "body": body, "auth": auth}, "response": response})
        })
}

/// Items: requests and folders of requests.
fn items() -> impl Strategy<Value = Value> {
    let item = request_item().prop_recursive(2, 12, 4, |inner| {
        (text(), prop::collection::vec(inner, 0..4), auth())
            .prop_map(|(name, item, auth)| json!({"name": name, "item": item, "auth": auth}))
    });
    prop::collection::vec(item, 0..5).prop_map(Value::Array)
}

/// Makes item names and URLs distinct (`{name} {n}`, `/n{n}`), so that most
/// collections get past the duplicate checks and reach the generator.
fn make_distinct(items: &mut Value, n: &mut usize) {
    let Some(list) = items.as_array_mut() else {
        return;
    };
    for item in list {
        if let Some(children) = item.get_mut("item") {
            make_distinct(children, n);
            continue;
        }
        *n += 1;
        let name = item["name"].as_str().unwrap_or_default().to_owned();
        item["name"] = format!("{name} {n}").into();
        let url = &mut item["request"]["url"];
        if let Some(raw) = url.as_str() {
            *url = format!("{raw}/n{n}").into();
        } else if let Some(path) = url.get_mut("path").and_then(Value::as_array_mut) {
            path.push(format!("n{n}").into());
        }
    }
}

fn collection() -> impl Strategy<Value = Value> {
    (items(), key_values(), auth(), prop::sample::select(vec!["v2.0.0", "v2.1.0"]), 0u8..4)
        .prop_map(|(mut item, variable, auth, version, distinct)| {
            if distinct > 0 {
                make_distinct(&mut item, &mut 0);
            }
            json!({
                "info": {"name": "P", "schema": format!("https://schema.getpostman.com/json/collection/{version}/collection.json")},
                "item": item,
                "variable": variable,
                "auth": auth,
            })
        })
}

// ------------------------------------------------------ mutated collections

fn real_collections() -> &'static [Value] {
    static CACHE: OnceLock<Vec<Value>> = OnceLock::new();
    CACHE.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        [
            format!("{root}/openapi/belvo.postman_collection.json"),
            format!("{root}/xtask/tests/fixtures/seed/resume.postman_collection.json"),
        ]
        .iter()
        .map(|path| {
            let text = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
            serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
        })
        .collect()
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the key or element at the node.
    Delete,
    /// Put another value in its place.
    Replace(Value),
    /// Insert a copy of the node next to it (arrays) or of its parent's item.
    Duplicate,
}

enum Step {
    Key(String),
    At(usize),
}

fn paths(v: &Value, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(prefix.clone());
    let children: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => o.values().collect(),
        _ => return,
    };
    for (i, c) in children.into_iter().enumerate() {
        prefix.push(i);
        paths(c, prefix, out);
        prefix.pop();
    }
}

fn step_of(v: &Value, i: usize) -> Step {
    match v {
        Value::Object(o) => Step::Key(o.keys().nth(i).cloned().unwrap_or_default()),
        _ => Step::At(i),
    }
}

fn child_mut(v: &mut Value, i: usize) -> &mut Value {
    match v {
        Value::Array(a) => &mut a[i],
        Value::Object(o) => o.values_mut().nth(i).expect("child"),
        _ => unreachable!("paths only step into containers"),
    }
}

fn mutate(doc: &mut Value, at: Index, m: Mutation) {
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    let path = at.get(&all).clone();
    let Some((&last, parent_path)) = path.split_last() else {
        if let Mutation::Replace(v) = m {
            *doc = v;
        }
        return;
    };
    let mut parent = &mut *doc;
    for &i in parent_path {
        parent = child_mut(parent, i);
    }
    match (m, step_of(parent, last)) {
        (Mutation::Delete, Step::Key(k)) => {
            parent.as_object_mut().map(|o| o.remove(&k));
        }
        (Mutation::Delete, Step::At(i)) => {
            parent.as_array_mut().map(|a| a.remove(i));
        }
        (Mutation::Replace(v), _) => *child_mut(parent, last) = v,
        (Mutation::Duplicate, Step::At(i)) => {
            if let Some(a) = parent.as_array_mut() {
                let copy = a[i].clone();
                a.insert(i + 1, copy);
            }
        }
        (Mutation::Duplicate, Step::Key(k)) => {
            // Duplicate the enclosing object as a sibling when it sits in an
            // array (an item, an example, a query parameter…).
            let copy = parent.clone();
            let mut grand = &mut *doc;
            if let Some((&p, gp)) = parent_path.split_last() {
                for &i in gp {
                    grand = child_mut(grand, i);
                }
                if let Some(a) = grand.as_array_mut() {
                    a.insert(p + 1, copy);
                }
            }
            let _ = k;
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => Just(Mutation::Delete),
        3 => json_value().prop_map(Mutation::Replace),
        2 => Just(Mutation::Duplicate),
    ]
}

// ------------------------------------------------------------------ properties

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        converts_or_fails_cleanly(&bytes)?;
    }

    #[test]
    fn json_looking_text(text in "[\\[\\]{}\":,0-9a-z<>/ ]{0,200}") {
        converts_or_fails_cleanly(text.as_bytes())?;
    }

    #[test]
    fn arbitrary_json(v in json_value()) {
        converts_or_fails_cleanly(v.to_string().as_bytes())?;
    }

    #[test]
    fn render_matches_serde_json_pretty(v in json_value()) {
        // `render` writes the layout of `to_string_pretty`, keys sorted.
        let expected = serde_json::to_string_pretty(&v).expect("serialises") + "\n";
        prop_assert_eq!(render(&v), expected);
    }

    #[test]
    fn collection_shaped_json(v in collection()) {
        converts_or_fails_cleanly(v.to_string().as_bytes())?;
    }
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn mutated_real_collections(
        which in any::<Index>(),
        mutations in prop::collection::vec((any::<Index>(), mutation()), 1..5),
    ) {
        let mut doc = which.get(real_collections()).clone();
        for (at, m) in mutations {
            mutate(&mut doc, at, m);
        }
        converts_or_fails_cleanly(doc.to_string().as_bytes())?;
    }
}

/// The strategies do reach the generator: a good share of generated
/// collections convert, so the property is not vacuous.
#[test]
fn generated_collections_often_convert() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = collection();
    let mut ok = 0;
    for _ in 0..200 {
        let v = strategy.new_tree(&mut runner).expect("tree").current();
        ok += usize::from(convert(v.to_string().as_bytes(), &Options::default()).is_ok());
    }
    assert!(ok >= 50, "only {ok} of 200 generated collections converted");
}

/// The collection's `auth`, before or after its items (which are read
/// before the scan reaches it), reaches a request without one, or with the
/// app's "Inherit auth from parent" (`inherit`); a request's own `noauth`
/// wins, and so does a folder's auth for the requests in it.
#[test]
fn collection_auth_is_inherited_wherever_it_is_written() {
    let request = r#"{"name": "r", "request": {"url": "http://x/a"}}"#;
    let other = r#"{"name": "s", "request": {"url": "http://x/b", "auth": {"type": "noauth"}}}"#;
    let inherits =
        r#"{"name": "i", "request": {"url": "http://x/c", "auth": {"type": "inherit"}}}"#;
    let folder =
        format!(r#"{{"name": "f", "auth": {{"type": "basic"}}, "item": [{request}, {inherits}]}}"#);
    let inheriting =
        format!(r#"{{"name": "g", "auth": {{"type": "inherit"}}, "item": [{inherits}]}}"#);
    let items = format!("[{request}, {other}, {folder}, {inherits}, {inheriting}]");
    let auth = r#""auth": {"type": "bearer"}"#;
    for text in [
        format!(r#"{{"info": {{"name": "n"}}, {auth}, "item": {items}}}"#),
        format!(r#"{{"info": {{"name": "n"}}, "item": {items}, {auth}}}"#),
    ] {
        let parsed = postman::parse(text.as_bytes()).expect("parses");
        let auths: Vec<_> = parsed.requests.iter().map(|r| r.auth.clone()).collect();
        use postman::Auth::{Basic, Bearer, NoAuth};
        let want = [
            Some(Bearer),
            Some(NoAuth),
            Some(Basic),
            Some(Basic),
            Some(Bearer),
            Some(Bearer),
        ];
        assert_eq!(auths, want, "{text}");
    }
}

/// `JsonText` is placed in a document the way serde_json places a
/// `RawValue`, through serde_json's own (unpublished) raw-value marker. Were a
/// serde_json release to rename it, the text would come out wrapped in an
/// object: this says so by name, before any document differs.
#[test]
fn written_json_text_is_placed_verbatim_by_serde_json() {
    use postman_openapi::render::JsonText;
    let value = serde_json::json!({"b": [1, {"c": null}], "a": "x\"y"});
    let text = JsonText::new(&value, 2);
    let placed = serde_json::to_string_pretty(&std::collections::BTreeMap::from([(
        "k",
        std::collections::BTreeMap::from([("v", &text)]),
    )]))
    .expect("writes");
    // The same document with the value in place of 0, written as one piece.
    let whole =
        serde_json::to_string_pretty(&serde_json::json!({ "k": { "v": value } })).expect("writes");
    assert_eq!(placed, whole, "a JsonText is not written as its text");
}
