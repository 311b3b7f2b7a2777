//! Hostile names: every document must build the crate, so names that
//! progenitor and typify turn into the same Rust identifier, Rust keywords,
//! and operation ids that are the generated client's own members.

use postman_openapi::openapi::names::{avoid_client_members, progenitor_sanitize, sanitize};

use postman_openapi::openapi::path::{endpoints, path_template, snake};
use postman_openapi::{Location, Overrides};
use serde_json::{json, Value};

use crate::generated::generate_checked;
use crate::{convert_ok, V21};

fn collection(items: Value) -> Vec<u8> {
    json!({"info": {"name": "Hostile", "schema": V21}, "item": items})
        .to_string()
        .into_bytes()
}

/// The names of a document's component schemas.
fn schema_names(doc: &Value) -> Vec<&String> {
    let schemas = doc["components"]["schemas"].as_object();
    schemas.expect("schemas").keys().collect()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p[key].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn parameters_that_collide_after_renaming_are_left_out_and_said() {
    let url = "https://api.example.com/items?page_size=1&pageSize=2&page-size=3&page[size]=4&type=a&self=b&body=c";
    let bytes = collection(json!([
        {"name": "list items", "request": {"method": "POST", "url": url,
            "header": [{"key": "Page-Size", "value": "5"}, {"key": "X-Type", "value": "x"}],
            "body": {"mode": "raw", "raw": "{\"a\": 1}", "options": {"raw": {"language": "json"}}}}}
    ]));
    let doc = convert_ok(&bytes, "params");
    let op = &doc["paths"]["/items"]["post"];
    // The first of each family keeps its name; `type` and `self` are Rust
    // keywords progenitor suffixes, which is fine; `body` is the request
    // body's argument.
    assert_eq!(
        names(&op["parameters"], "name"),
        ["page_size", "type", "self", "X-Type"]
    );
    let description = op["description"].as_str().expect("a note");
    for left_out in ["pageSize", "page-size", "page[size]", "body", "Page-Size"] {
        assert!(
            description.contains(&format!("`{left_out}` left out")),
            "{description}"
        );
    }
    // Which parameter has the name, where two of different places share it
    // (a query `page` and a header `page`, as a saved request had them).
    assert!(
        description.contains(
            "header parameter `Page-Size` left out: its Rust name `page_size` is taken by \
             the query parameter `page_size`"
        ),
        "{description}"
    );
    assert!(
        description.contains("`body` left out: its Rust name `body` is taken by the request body"),
        "{description}"
    );
    generate_checked(&doc);
}

#[test]
fn properties_and_form_fields_that_collide_are_left_out_and_said() {
    let body =
        json!({"user_id": 1, "userId": 2, "UserID": 3, "type": "t", "Type": "T", "ok": true});
    let bytes = collection(json!([
        {"name": "create user", "request": {"method": "POST", "url": "https://api.example.com/users",
            "body": {"mode": "raw", "raw": body.to_string(), "options": {"raw": {"language": "json"}}}},
         "response": [{"name": "Created", "code": 201, "body": body.to_string(),
            "header": [{"key": "Content-Type", "value": "application/json"}]}]},
        {"name": "login", "request": {"method": "POST", "url": "https://api.example.com/login",
            "body": {"mode": "urlencoded", "urlencoded": [
                {"key": "user-name", "value": "a"}, {"key": "user_name", "value": "b"},
                {"key": "for", "value": "c"}]}}}
    ]));
    let doc = convert_ok(&bytes, "properties");
    let user = &doc["components"]["schemas"]["User"];
    let props: Vec<&String> = user["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .collect();
    // Sorted by name, the first of each family stays.
    assert_eq!(props, ["Type", "UserID", "ok"]);
    let note = user["description"].as_str().expect("a note");
    assert!(
        note.contains("`user_id` left out") && note.contains("`userId` left out"),
        "{note}"
    );
    assert!(note.contains("`type` left out"), "{note}");
    let form = &doc["paths"]["/login"]["post"]["requestBody"]["content"]
        ["application/x-www-form-urlencoded"]["schema"];
    let fields: Vec<&String> = form["properties"]
        .as_object()
        .expect("fields")
        .keys()
        .collect();
    assert_eq!(fields, ["for", "user-name"]);
    generate_checked(&doc);
}

#[test]
fn operation_ids_are_never_the_clients_own_members() {
    let members = [
        "New",
        "new with client",
        "baseurl",
        "Client",
        "api version",
        "inner",
        "pre",
        "post",
        "exec",
    ];
    let items: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({"name": name, "request": {"method": "GET", "url": format!("https://api.example.com/r{i}")}})
        })
        .collect();
    let mut items = items;
    // Taken already: the renamed one gets a number.
    items.push(
        json!({"name": "new op", "request": {"method": "GET", "url": "https://api.example.com/x"}}),
    );
    let doc = convert_ok(&collection(Value::Array(items)), "members");
    let mut ids: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|p| p["get"]["operationId"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "api_version_op",
            "baseurl_op",
            "client_op",
            "exec_op",
            "inner_op",
            "new_op",
            "new_op2",
            "new_with_client_op",
            "post_op",
            "pre_op"
        ]
    );
    generate_checked(&doc);
}

#[test]
fn parameters_named_like_generated_members_still_build() {
    // The builder style has `new`, `send` and a `client` field of its own;
    // the first two are left out (and said).
    let url = "https://api.example.com/q?send=1&client=2&new=3&request=4&url=5&response=6&result=7";
    let doc = convert_ok(
        &collection(json!([{"name": "query", "request": {"method": "GET", "url": url}}])),
        "members",
    );
    let op = &doc["paths"]["/q"]["get"];
    assert_eq!(
        names(&op["parameters"], "name"),
        ["client", "request", "url", "response", "result"]
    );
    assert!(op["description"]
        .as_str()
        .is_some_and(|d| d.contains("`send` left out")));
    generate_checked(&doc);
}

#[test]
fn names_collide_as_progenitor_renames_them() {
    for n in [
        "page_size",
        "pageSize",
        "page-size",
        "page[size]",
        "PageSize",
        "page size",
    ] {
        assert_eq!(sanitize(n), "page_size", "{n}");
    }
    assert_eq!(sanitize("type"), "type_");
    assert_eq!(sanitize("1st"), "x1st");
    assert_eq!(progenitor_sanitize("1st"), "_1st");
    assert_eq!(sanitize(""), "x");
}

#[test]
fn client_members_are_not_operation_ids() {
    let mut ids = vec![
        "new".to_owned(),
        "new_op".to_owned(),
        "list".to_owned(),
        "Client".to_owned(),
    ];
    avoid_client_members(ids.iter_mut());
    assert_eq!(ids, ["new_op2", "new_op", "list", "Client_op"]);
}

#[test]
fn snake_case_ids() {
    assert_eq!(snake("Balances Resume"), "balances_resume");
    assert_eq!(snake("listBalances"), "list_balances");
    assert_eq!(snake("Get /api/x/{id}"), "get_api_x_id");
}

#[test]
fn path_templates() {
    let loc = Location {
        item: None,
        pointer: "$".to_owned(),
    };
    let owned = |segs: &[&str]| -> Vec<String> { segs.iter().map(|s| s.to_string()).collect() };
    let listed = |segs: &[&str], requested: &[&[&str]]| {
        let segs = owned(segs);
        let requested: Vec<Vec<String>> = requested.iter().map(|e| owned(e)).collect();
        let endpoints = endpoints(requested.iter().map(Vec::as_slice));
        path_template(&segs, &endpoints, &|| loc.clone()).map_err(|e| e.to_string())
    };
    let template = |segs: &[&str]| listed(segs, &[]);
    let t = template(&["api", ":id", "v{{ver}}", ""]).expect("template");
    assert_eq!(t.path, "/api/{id}/v{ver}/");
    assert_eq!(t.names, vec!["id", "ver"]);
    assert!(t.braced.is_empty() && t.literals.is_empty());
    // OpenAPI's form, as people write it in Postman too, whole or in part.
    let t = template(&["users", "{id}", "{name}.{ext}", "{{id}}"]).expect("braced");
    assert_eq!(t.path, "/users/{id}/{name}.{ext}/{id}");
    assert_eq!(t.names, vec!["id", "name", "ext"]);
    assert_eq!(t.braced, vec!["id", "name", "ext"]);
    // Literal ids after a resource's name, as a request saved with the
    // value it was tried with has them.
    let uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let t = template(&[
        "orders",
        "1",
        "lines",
        uuid,
        "branches",
        "6878f054dec5e339b644bad0",
    ])
    .expect("ids");
    assert_eq!(
        t.path,
        "/orders/{order_id}/lines/{line_id}/branches/{branch_id}"
    );
    let literal = |n: &str, v: &str| (n.to_owned(), Some(v.to_owned()));
    assert_eq!(
        t.literals,
        [
            literal("order_id", "1"),
            literal("line_id", uuid),
            literal("branch_id", "6878f054dec5e339b644bad0")
        ]
    );
    // A UUID written without its hyphens (32 hexadecimal digits, as an MD5
    // is too) is an id wherever it is, after a word in the singular too.
    let t = template(&["batch", "getPrice", "d514b7e582efb835aa043a141d97f320"]).expect("hex");
    assert_eq!(t.path, "/batch/getPrice/{get_price_id}");
    // So are random keys of letters and digits (Spotify's, Stripe's, a
    // number too long for one), after a resource's name in the plural.
    for (segments, path) in [
        (
            &["artists", "6TsAG8Ve1icEC8ydeHm3C8", "albums"][..],
            "/artists/{artist_id}/albums",
        ),
        (
            &["customers", "cus_NffrFeUfNV2Hib"],
            "/customers/{customer_id}",
        ),
        (
            &["artists", "0000000000000000000000"],
            "/artists/{artist_id}",
        ),
        (
            &["customers", "134573981-vMGNoV1zyS9Kj1", "cards"],
            "/customers/{customer_id}/cards",
        ),
        // Not keys: too short, a word, a slug, after a word in the singular.
        (&["videos", "dQw4w9WgXcQ"], "/videos/dQw4w9WgXcQ"),
        (&["users", "administrators"], "/users/administrators"),
        (
            &["posts", "my-first-post-2024"],
            "/posts/my-first-post-2024",
        ),
        (
            &["posts", "a-very-long-post-title-2024-12"],
            "/posts/a-very-long-post-title-2024-12",
        ),
        (&["customers", "134573981--x"], "/customers/134573981--x"),
        (
            &["me", "6TsAG8Ve1icEC8ydeHm3C8"],
            "/me/6TsAG8Ve1icEC8ydeHm3C8",
        ),
        // A word with one digit and no prefix, as actions are named.
        (&["users", "resetPassword2fa"], "/users/resetPassword2fa"),
    ] {
        assert_eq!(template(segments).expect("a path").path, path);
    }
    // A JSON web token is a variable wherever it is, its value not kept.
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln-bmF0_dXJl";
    let t = template(&["tokens", jwt]).expect("token");
    assert_eq!(t.path, "/tokens/{token_id}");
    assert_eq!(t.literals, [("token_id".to_owned(), None)]);
    // So is a Telegram bot's token, after the Bot API's `bot`; not a
    // shorter secret, nor one without the bot's id.
    let bot = "bot5446707136:AAFoPl3FvZ-wXe4KwAazd0HnKi_GO2hiwNk";
    let t = template(&[bot, "sendMessage"]).expect("bot token");
    assert_eq!(t.path, "/bot{bot_token}/sendMessage");
    assert_eq!(t.literals, [("bot_token".to_owned(), None)]);
    for segment in [
        "bot123456:short",
        "botabc:AAFoPl3FvZ-wXe4KwAazd0HnKi_GO2hiwNk",
        "bot1234",
    ] {
        assert_eq!(
            template(&[segment]).expect("a path").path,
            format!("/{segment}")
        );
    }
    // Not ids: a version, a number after `api`, a version, a word in the
    // singular or nothing, a number after an id, words, dates; an opaque id with nothing before
    // it is `id`, one after a variable too, and names are unique.
    for (segments, path) in [
        (&["2", "files"][..], "/2/files"),
        (&["api", "1", "users"], "/api/1/users"),
        (&["v2", "3"], "/v2/3"),
        (&["auth", "1", "session"], "/auth/1/session"),
        (&["status", "200"], "/status/200"),
        (&[uuid, "7"], "/{id}/7"),
        (
            &["reports", "2024-01-31", "v1.2", "abc"],
            "/reports/2024-01-31/v1.2/abc",
        ),
        (&["{{tenant}}", uuid], "/{tenant}/{id}"),
        // Like a token, but not one: two parts, or a character base64url lacks.
        (
            &["tokens", "eyJhbGci.eyJzdWIi"],
            "/tokens/eyJhbGci.eyJzdWIi",
        ),
        (&["tokens", "eyJa.b+c.d"], "/tokens/eyJa.b+c.d"),
        (
            &["items", ":item_id", "items", "5"],
            "/items/{item_id}/items/{item_id2}",
        ),
    ] {
        assert_eq!(template(segments).expect("a path").path, path);
    }
    // A number after a word in the singular is an id when the path up to
    // it is a request's too (`/inventory` lists what `/inventory/1` is one
    // of); after `api` or a version it is not, listed or not.
    let inventory = listed(&["inventory", "1", "parts", "7"], &[&["inventory", ""]]);
    assert_eq!(
        inventory.expect("ids").path,
        "/inventory/{inventory_id}/parts/{part_id}"
    );
    let listed_path = |segs: &[&str]| {
        listed(segs, &[&["api"], &["v2"], &["inventory"]])
            .expect("a path")
            .path
    };
    assert_eq!(listed_path(&["api", "1"]), "/api/1");
    assert_eq!(listed_path(&["v2", "3"]), "/v2/3");
    assert_eq!(
        listed_path(&["inventory", "7", "stock", "2"]),
        "/inventory/{inventory_id}/stock/2"
    );
    // So is one that other numbers take the place of at the end of other
    // requests (`/teacher/2`, `/teacher/3/`); one number alone is not, nor
    // the same one twice, nor numbers that vary inside paths (DigiLocker's
    // versions: `/oauth2/1/token`, `/oauth2/2/files`).
    let teacher = |requested: &[&[&str]]| listed(&["teacher", "2"], requested).expect("a path");
    let varied = teacher(&[&["teacher", "2"], &["teacher", "3", ""]]);
    assert_eq!(varied.path, "/teacher/{teacher_id}");
    let same = teacher(&[&["teacher", "2"], &["teacher", "2"]]);
    assert_eq!(same.path, "/teacher/2");
    assert_eq!(teacher(&[&["teacher", "2"]]).path, "/teacher/2");
    let inside = [&["teacher", "2", "grades"][..], &["teacher", "3", "token"]];
    assert_eq!(teacher(&inside).path, "/teacher/2");
    // Keys that differ at the end of paths likewise.
    let keys = [
        &["artist", "6TsAG8Ve1icEC8ydeHm3C8"][..],
        &["artist", "41MozSoPIsD1dJM0CLPjZF"],
    ];
    let artist = listed(&["artist", "41MozSoPIsD1dJM0CLPjZF"], &keys).expect("a path");
    assert_eq!(artist.path, "/artist/{artist_id}");
    for (segment, error) in [
        ("a{b", "path segment `a{b` has a stray brace"),
        ("a}b{c}", "path segment `a}b{c}` has a stray brace"),
        ("{a}}", "path segment `{a}}` has a stray brace"),
        ("{}", "path variable `` is not a usable name"),
        ("{a b}", "path variable `a b` is not a usable name"),
    ] {
        let e = template(&[segment]).expect_err(segment);
        assert!(e.ends_with(error), "{segment}: {e}");
    }
}

#[test]
fn postman_variables_are_split_one_way() {
    use postman_openapi::postman::{pieces, Piece::*};
    let all = |text| pieces(text).collect::<Vec<_>>();
    assert_eq!(all("{{baseUrl}}/a"), [Var("baseUrl"), Text("/a")]);
    assert_eq!(
        all("x{{ id }}y{{z"),
        [Text("x"), Var("id"), Text("y"), Unclosed("z")]
    );
    // A `}}` before any `{{` is text; `{{}}` is a variable without a name.
    assert_eq!(all("}}{{}}}"), [Text("}}"), Var(""), Text("}")]);
    assert!(all("").is_empty());
}

#[test]
fn plain_names_are_their_own_rust_names() {
    // What an `operation_ids` override may name an operation.
    let as_override = |name: &str| {
        let overrides = json!({"operation_ids": {"GET /a": name}}).to_string();
        Overrides::parse(overrides.as_bytes())
    };
    for n in [
        "id",
        "value_date",
        "a1b",
        "page2_size",
        "x_y_z",
        "abc123def",
    ] {
        assert!(as_override(n).is_ok(), "{n}");
        assert_eq!(sanitize(n), n);
    }
    for n in [
        "type", "_id", "a__b", "a_", "2x", "a_2", "Id", "a-b", "", "self", "Self",
    ] {
        let err = as_override(n).expect_err(n).to_string();
        assert!(
            err.contains("must be a snake_case identifier"),
            "{n}: {err}"
        );
    }
}

#[test]
fn every_rust_keyword_gets_an_underscore() {
    // Rust's strict and reserved keywords.
    for k in [
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
        "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
        "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
        "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
        "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ] {
        assert_eq!(sanitize(k), format!("{k}_"));
        assert_eq!(progenitor_sanitize(k), format!("{k}_"));
    }
}

#[test]
fn schemas_never_hide_what_the_generated_code_uses() {
    // A `default` object (and a 400 response described "Default") would be
    // component `Default`, which hides `Default::default()` in the generated
    // types: they get a number, as any taken name does.
    let items = json!([{"name": "Get", "request": {"method": "GET", "url": "https://api.example.com/x"},
    "response": [
        {"name": "OK", "code": 200, "header": [{"key": "Content-Type", "value": "application/json"}],
         "body": r#"{"default": {"mode": "fast"}}"#},
        {"name": "Default", "code": 400, "header": [{"key": "Content-Type", "value": "application/json"}],
         "body": r#"{"message": "no"}"#}
    ]}]);
    let doc = convert_ok(&collection(items), "shadowing");
    let schemas = schema_names(&doc);
    assert_eq!(schemas, ["Default2", "Default3", "X"]);
    generate_checked(&doc);
}

#[test]
fn numbered_schema_names_never_meet_plain_ones() {
    // Two objects held by `op1002` make `Op1002` and a numbered one, and an
    // object held by `op10022` is `Op10022` too. A name with a separator
    // before its number (`Op1002_2`) is no way out: typify drops it, and
    // the generated code would define `Op10022` twice.
    let body = r#"{"op1002": {"a": 1}, "op10022": {"b": 1}, "other": {"op1002": {"c": 1}}}"#;
    let items = json!([{"name": "Get", "request": {"method": "GET", "url": "https://api.example.com/x"},
    "response": [{"name": "OK", "code": 200,
        "header": [{"key": "Content-Type", "value": "application/json"}], "body": body}]}]);
    let doc = convert_ok(&collection(items), "numbered");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let rust: std::collections::BTreeSet<String> =
        schemas.keys().map(|k| k.replace('_', "")).collect();
    assert_eq!(rust.len(), schemas.len(), "{:?}", schemas.keys());
    assert!(
        schemas.keys().all(|k| !k.contains('_')),
        "{:?}",
        schemas.keys()
    );
    generate_checked(&doc);
}

#[test]
fn a_number_in_a_path_names_no_schema() {
    // A saved id the path kept (`/food/getCombo/1`, after a word in the
    // singular) gave the response the name `Schema1`.
    let items = json!([{"name": "Get combo", "request": {"method": "GET",
        "url": "https://api.example.com/food/getCombo/1"},
    "response": [{"name": "OK", "code": 200,
        "header": [{"key": "Content-Type", "value": "application/json"}],
        "body": r#"{"combo_id": 1, "combo_name": "Lunch"}"#}]}]);
    let doc = convert_ok(&collection(items), "numbered-path");
    let schemas = schema_names(&doc);
    assert_eq!(schemas, ["GetCombo"]);
}
