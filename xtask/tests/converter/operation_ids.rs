//! Operation names chosen as data (`operation_ids` in the overrides), and
//! several collections read as one: what the project's job does with Belvo's
//! export and its own additions.

use std::collections::BTreeMap;
use std::path::PathBuf;

use postman_openapi::openapi::operation_ids::Chosen;
use postman_openapi::postman;
use postman_openapi::sync::{generate, Job};
use postman_openapi::{convert, ConvertError, Options, Overrides};
use serde_json::{json, Value};

use crate::V21;

fn item(name: &str, method: &str, url: &str, example: Option<(u16, Value)>) -> Value {
    let mut it = json!({"name": name, "request": {"method": method, "url": url}});
    if let Some((code, body)) = example {
        it["response"] = json!([{"name": format!("{code}"), "code": code, "body": body.to_string(),
            "header": [{"key": "Content-Type", "value": "application/json"}]}]);
    }
    it
}

/// Belvo-like: long item summaries in a Links folder.
fn links() -> Value {
    json!({"info": {"name": "Belvo", "schema": V21}, "item": [{"name": "Links", "item": [
        item("List all links", "GET", "https://api.example.com/api/links/", None),
        item("Register a new link", "POST", "https://api.example.com/api/links/",
             Some((201, json!({"id": "<uuid>"})))),
        item("Get a link's details", "GET", "https://api.example.com/api/links/:id/", None),
    ]}]})
}

#[test]
fn names_in_other_scripts_keep_their_letters() {
    // Belvo's users name items in Spanish and Portuguese: an accented
    // letter broke its word (`informaci_n`). Names in Cyrillic or Chinese
    // were no names (`op_3`, the route's): they are transliterated.
    let error = json!({"detail": "<string>", "code": "<string>"});
    let mut consulta = item(
        "Obtener información",
        "GET",
        "https://api.example.com/cuentas/",
        None,
    );
    consulta["response"] = json!([{"name": "Error de validación", "code": 400,
        "body": error.to_string(), "header": [{"key": "Content-Type", "value": "application/json"}]}]);
    let collection = json!({"info": {"name": "Belvo", "schema": V21}, "item": [
        consulta,
        item("Criar ligação", "POST", "https://api.example.com/ligacoes/", None),
        item("Straße ändern", "PUT", "https://api.example.com/strassen/", None),
        item("获取", "DELETE", "https://api.example.com/x/", None),
        item("3. Получить заказы пользователя", "GET", "https://api.example.com/orders/", None),
        item("✅ Ping 🚀", "GET", "https://api.example.com/ping/", None),
    ]});
    let doc = crate::convert_ok(collection.to_string().as_bytes(), "accents");
    let id = |path: &str, method: &str| doc["paths"][path][method]["operationId"].clone();
    assert_eq!(id("/cuentas/", "get"), "obtener_informacion");
    assert_eq!(id("/ligacoes/", "post"), "criar_ligacao");
    assert_eq!(id("/strassen/", "put"), "strasse_andern");
    assert_eq!(id("/x/", "delete"), "huo_qu");
    assert_eq!(id("/orders/", "get"), "op_3_poluchit_zakazy_polzovatelia");
    // Symbols and emoji are no words.
    assert_eq!(id("/ping/", "get"), "ping");
    let error = &doc["paths"]["/cuentas/"]["get"]["responses"]["400"]["content"];
    assert_eq!(
        error["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorDeValidacion"
    );
}

fn convert_with(collection: &Value, ids: Value) -> Result<Value, ConvertError> {
    let overrides = Overrides::parse(json!({ "operation_ids": ids }).to_string().as_bytes())?;
    convert(
        collection.to_string().as_bytes(),
        &Options {
            overrides,
            ..Options::default()
        },
    )
}

fn ids(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|p| p.as_object().expect("path item").values())
        .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
        .collect();
    out.sort();
    out
}

#[test]
fn chosen_names_replace_the_names_made_from_item_summaries() {
    let doc = convert_ok_with(json!({
        "GET /api/links/": "links_list",
        "POST /api/links/": "links_register",
        "GET /api/links/{id}/": "links_detail",
    }));
    assert_eq!(ids(&doc), ["links_detail", "links_list", "links_register"]);
    // Unchosen, an operation keeps the name made from its item.
    let doc = convert_ok_with(json!({"GET /api/links/": "links_list"}));
    assert_eq!(
        ids(&doc),
        [
            "links_get_a_link_s_details",
            "links_list",
            "links_register_a_new_link"
        ]
    );
}

fn convert_ok_with(chosen: Value) -> Value {
    let doc = convert_with(&links(), chosen).expect("converts");
    crate::generated::generate_checked(&doc);
    doc
}

#[test]
fn an_entry_that_matches_no_operation_is_an_error_naming_it() {
    let e = convert_with(&links(), json!({"DELETE /api/links/{id}/": "links_delete"}))
        .expect_err("no such operation")
        .to_string();
    assert_eq!(
        e,
        "overrides: operation_ids: `DELETE /api/links/{id}/` matches no operation of the collection \
         (operations on that path: GET /api/links/{id}/)"
    );
    let e = convert_with(&links(), json!({"GET /api/owners/": "owners_list"}))
        .expect_err("no such path")
        .to_string();
    assert!(
        e.contains("no operation has the path `/api/owners/`"),
        "{e}"
    );
}

#[test]
fn a_name_two_operations_would_have_is_an_error_naming_both() {
    // Two entries choose the same name.
    let e = convert_with(
        &links(),
        json!({"GET /api/links/": "links_get", "GET /api/links/{id}/": "links_get"}),
    )
    .expect_err("clash")
    .to_string();
    assert!(
        e.contains("operation_ids.\"GET /api/links/{id}/\": `links_get` is already the operationId of GET /api/links/"),
        "{e}"
    );
    assert!(e.contains("Links / List all links"), "{e}");
}

#[test]
fn a_chosen_name_is_kept_from_the_items_that_would_have_it() {
    // GET /api/links/ chooses the name POST /api/links/ gets from its item,
    // which comes later: that one takes its method on, as a second item of
    // the same name would.
    let doc = convert_with(
        &links(),
        json!({"GET /api/links/": "links_register_a_new_link"}),
    )
    .expect("converts");
    let id = |m: &str| doc["paths"]["/api/links/"][m]["operationId"].clone();
    assert_eq!(id("get"), "links_register_a_new_link");
    assert_eq!(id("post"), "links_register_a_new_link_post");
    // Also when the route with the chosen name comes after the item.
    let doc = convert_with(
        &links(),
        json!({"GET /api/links/{id}/": "links_register_a_new_link"}),
    )
    .expect("converts");
    assert_eq!(
        doc["paths"]["/api/links/{id}/"]["get"]["operationId"],
        "links_register_a_new_link"
    );
    assert_eq!(
        doc["paths"]["/api/links/"]["post"]["operationId"],
        "links_register_a_new_link_post"
    );
}

#[test]
fn items_of_one_name_on_different_routes_get_distinct_names() {
    // As openapi-to-postmanv2 exports two operations with one summary: PUT
    // and PATCH of one path (the method tells them apart), two paths with
    // one method (a number does); and an item whose own name is the one the
    // number made.
    let coll = json!({"info": {"name": "Api", "schema": V21}, "item": [{"name": "Things", "item": [
        item("Update a thing", "PUT", "https://api.example.com/things/:id", None),
        item("Update a thing", "PATCH", "https://api.example.com/things/:id", None),
        item("Get-X", "GET", "https://api.example.com/x", None),
        item("get x", "GET", "https://api.example.com/y", None),
        item("get x2", "GET", "https://api.example.com/z", None),
    ]}]});
    let doc = convert_with(&coll, json!({})).expect("converts");
    let id = |p: &str, m: &str| {
        doc["paths"][p][m]["operationId"]
            .as_str()
            .map(str::to_owned)
    };
    assert_eq!(
        id("/things/{id}", "put").as_deref(),
        Some("things_update_a_thing")
    );
    assert_eq!(
        id("/things/{id}", "patch").as_deref(),
        Some("things_update_a_thing_patch")
    );
    assert_eq!(id("/x", "get").as_deref(), Some("things_get_x"));
    assert_eq!(id("/y", "get").as_deref(), Some("things_get_x2"));
    assert_eq!(id("/z", "get").as_deref(), Some("things_get_x22"));
    // Each keeps its item's name as its summary.
    assert_eq!(doc["paths"]["/y"]["get"]["summary"], "get x");
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("operation-ids")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

#[test]
fn a_later_collection_adds_to_the_operation_of_the_same_route() {
    let dir = scratch("two-collections");
    // The additions: the same route with a 428 example Belvo's export lacks,
    // and a route of its own.
    let additions = json!({"info": {"name": "Ours", "schema": V21}, "item": [
        {"name": "Links", "item": [item("Register", "POST", "https://api.example.com/api/links/",
            Some((428, json!({"code": "token_required", "session": "abc"}))))]},
        {"name": "Connect widget", "item": [item("Create", "POST", "https://api.example.com/api/token/",
            Some((200, json!({"access": "a", "refresh": "r"}))))]},
    ]});
    std::fs::write(dir.join("belvo.json"), links().to_string()).expect("write");
    std::fs::write(dir.join("ours.json"), additions.to_string()).expect("write");
    std::fs::write(
        dir.join("overrides.json"),
        json!({"operation_ids": {"POST /api/links/": "links_register", "POST /api/token/": "widget_token_create"}})
            .to_string(),
    )
    .expect("write");
    let job = Job {
        input: dir.join("belvo.json"),
        more_inputs: vec![dir.join("ours.json")],
        output: dir.join("out.json"),
        overrides: Some(dir.join("overrides.json")),
        source_name: "belvo.json".into(),
    };
    let doc: Value = serde_json::from_str(&generate(&job).expect("converts")).expect("json");
    let register = &doc["paths"]["/api/links/"]["post"];
    assert_eq!(register["operationId"], "links_register");
    let codes: Vec<&String> = register["responses"]
        .as_object()
        .expect("responses")
        .keys()
        .collect();
    assert_eq!(codes, ["201", "428"]);
    assert_eq!(
        doc["paths"]["/api/token/"]["post"]["operationId"],
        "widget_token_create"
    );
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(tags, ["Links", "Connect widget"]);
    // Without the additions, their entry matches nothing: an error that
    // names the overrides file.
    let alone = Job {
        more_inputs: Vec::new(),
        ..job
    };
    let e = generate(&alone).expect_err("unmatched entry").to_string();
    assert!(
        e.starts_with(&dir.join("overrides.json").display().to_string()),
        "{e}"
    );
    assert!(e.contains("`POST /api/token/` matches no operation"), "{e}");
}

fn table(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn a_route_gets_its_chosen_name_whatever_the_method_case() {
    let t = table(&[("PATCH /api/links/", "links_resume")]);
    let mut chosen = Chosen::new(&t);
    assert_eq!(chosen.id("patch", "/api/links/"), Some("links_resume"));
    assert_eq!(chosen.id("get", "/api/links/"), None);
    assert!(chosen.all_used(["PATCH /api/links/"].into_iter()).is_ok());
}

#[test]
fn an_entry_that_matches_nothing_is_named() {
    let t = table(&[
        ("GET /api/links/", "links_list"),
        ("PUT /api/links/", "links_put"),
    ]);
    let mut chosen = Chosen::new(&t);
    chosen.id("get", "/api/links/");
    let routes = ["GET /api/links/", "POST /api/links/"];
    let e = chosen
        .all_used(routes.into_iter())
        .expect_err("unused")
        .to_string();
    assert!(e.contains("`PUT /api/links/` matches no operation"), "{e}");
    assert!(e.contains("GET /api/links/, POST /api/links/"), "{e}");
    let t = table(&[("GET /api/nowhere/", "nowhere_list")]);
    let e = Chosen::new(&t)
        .all_used(routes.into_iter())
        .expect_err("unused")
        .to_string();
    assert!(
        e.contains("no operation has the path `/api/nowhere/`"),
        "{e}"
    );
}

fn read(json: serde_json::Value) -> postman::Collection {
    postman::parse(json.to_string().as_bytes()).expect("a collection")
}

fn request_item(name: &str, method: &str, url: &str) -> serde_json::Value {
    serde_json::json!({"name": name, "request": {"method": method, "url": url}})
}

#[test]
fn later_collections_add_folders_requests_and_missing_variables() {
    let first = read(serde_json::json!({
        "info": {"name": "Belvo", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "baseUrl", "value": "https://a.example"}],
        "auth": {"type": "basic"},
        "item": [{"name": "Balances", "item": [request_item("List", "GET", "{{baseUrl}}/api/balances/")]}]
    }));
    let second = read(serde_json::json!({
        "info": {"name": "Ours", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "baseUrl", "value": "https://b.example"}, {"key": "v", "value": "1"}],
        "item": [
            {"name": "Balances", "item": [request_item("Resume", "PATCH", "{{baseUrl}}/api/balances/")]},
            {"name": "Widget", "item": [request_item("Token", "POST", "{{baseUrl}}/api/token/")]}
        ]
    }));
    let all = postman::concat(vec![("a.json".into(), first), ("b.json".into(), second)]);
    assert_eq!(all.name, "Belvo");
    assert_eq!(
        all.variables,
        [
            ("baseUrl".to_owned(), Some("https://a.example".to_owned())),
            ("v".to_owned(), Some("1".to_owned()))
        ]
    );
    let folders: Vec<String> = all.folders.iter().map(|f| f.path.join("/")).collect();
    assert_eq!(folders, ["Balances", "Widget"]);
    let requests: Vec<(String, &str)> = all
        .requests
        .iter()
        .map(|r| (r.display_path(), r.pointer.split(' ').next().unwrap_or("")))
        .collect();
    assert_eq!(
        requests,
        [
            ("Balances / List".to_owned(), "a.json"),
            ("Balances / Resume".to_owned(), "b.json"),
            ("Widget / Token".to_owned(), "b.json"),
        ]
    );
    assert_eq!(all.requests[0].auth, Some(postman::Auth::Basic));
    assert_eq!(
        all.requests[1].auth, None,
        "each request keeps its own collection's auth"
    );
}

#[test]
fn a_bad_header_in_a_later_collection_is_an_error_naming_its_file() {
    // The header's location was cut at the length of its request's, which
    // the file's name lengthens: a panic, or a location cut in the middle.
    let dir = scratch("bad-header-in-additions");
    let get = |url: &str, header: Value| {
        json!({"info": {"name": "C", "schema": V21}, "item": [{"name": "Req", "request":
            {"method": "GET", "url": url, "header": header}}]})
    };
    let name = "additions-with-a-name-longer-than-a-header-pointer.postman_collection.json";
    std::fs::write(
        dir.join("a.json"),
        get("https://api.example.com/a", json!([])).to_string(),
    )
    .expect("write");
    for (header, at) in [
        (
            json!([{"key": "X-City", "value": "São Paulo"}]),
            "$.item[0].request.header[0].value",
        ),
        (json!("X-City: São Paulo"), "$.item[0].request.header"),
    ] {
        std::fs::write(
            dir.join(name),
            get("https://api.example.com/b", header).to_string(),
        )
        .expect("write");
        let job = Job {
            input: dir.join("a.json"),
            more_inputs: vec![dir.join(name)],
            output: dir.join("out.json"),
            overrides: None,
            source_name: "a.json".into(),
        };
        let err = generate(&job).expect_err("refused").to_string();
        let said = format!(
            "item \"Req\" at {name} {at}: the value `São Paulo` of header `X-City` is not visible ASCII"
        );
        assert!(err.contains(&said), "{err}\nshould say: {said}");
    }
}

#[test]
fn an_item_named_by_its_url_is_named_by_its_route() {
    // Postman and Thunder Client name a request nobody named after its URL,
    // saved ids and all: the method and the path name it instead.
    let base = "https://shop.example.app/api/products";
    let body = json!({"id": "p1", "name": "<string>"});
    let collection = json!({"info": {"name": "Shop", "schema": V21}, "item": [
        item(&format!("{base}/oIQdK1I1DPyDK3Qu9HfK"), "GET", &format!("{base}/oIQdK1I1DPyDK3Qu9HfK"),
             Some((200, body))),
        item(&format!("{base}/"), "PUT", &format!("{base}/Ee6PAbhsAlBOHH5DAaM3"), None),
        {"name": "Catalog", "item": [item("{{url}}/api/products", "GET", base, None)]},
        item("/health", "GET", "https://shop.example.app/health", None),
        // A name with a path in it but words around it is a name.
        item("List /api/products fast", "POST", &format!("{base}/search"), None),
    ]});
    let doc = crate::convert_ok(collection.to_string().as_bytes(), "url names");
    let id = |path: &str, method: &str| doc["paths"][path][method]["operationId"].clone();
    assert_eq!(
        id("/api/products/{product_id}", "get"),
        "get_api_products_product_id"
    );
    assert_eq!(
        id("/api/products/{product_id}", "put"),
        "put_api_products_product_id"
    );
    assert_eq!(id("/api/products", "get"), "catalog_get_api_products");
    // A path alone is a name people write.
    assert_eq!(id("/health", "get"), "health");
    assert_eq!(id("/api/products/search", "post"), "list_api_products_fast");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    assert_eq!(schemas.keys().collect::<Vec<_>>(), ["Product"]);
    // The summary stays what the collection says.
    let summary = &doc["paths"]["/health"]["get"]["summary"];
    assert_eq!(summary, "/health");
}
