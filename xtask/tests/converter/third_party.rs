//! Collections others wrote for their own tools' tests (Insomnia's importer,
//! postman-to-openapi, Postman's code generators, a Rust model of the
//! format; copied with their
//! licenses into `tests/fixtures/third_party/`, see its README): each
//! converts and generates, or is refused with the error below, and no
//! request is lost without a word.

use std::collections::HashSet;

use serde_json::Value;

use crate::fixture_path;
use crate::generated::generate_checked;
use crate::json_files::json_files;

/// The collections refused, and why: a body mode outside Postman's schema,
/// an environment file given as a collection, a v1 collection.
const REFUSED: [(&str, &str); 4] = [
    (
        "insomnia-importers/postman/complex-v2_0-input.json",
        "item \"Test Request Unknown Body\" at $.item[3].request.body.mode: unknown body mode \
         `unknown` (expected raw, urlencoded, formdata, file or graphql)",
    ),
    (
        "insomnia-importers/postman/complex-v2_1-input.json",
        "item \"Test Request Unknown Body\" at $.item[2].request.body.mode: unknown body mode \
         `unknown` (expected raw, urlencoded, formdata, file or graphql)",
    ),
    (
        "insomnia-importers/postman-env/basic-input.json",
        "not a Postman collection: no `info` object at $.info, and `values` at $.values: this \
         is a Postman environment or globals file; export the collection itself",
    ),
    (
        "postman-collection-rs/apikey-v1.0.0.json",
        "Postman collection format v1 is not supported (top-level `requests`/`folders`/`order`, \
         or a v1 `info.schema`); export the collection again from Postman as Collection v2.1",
    ),
];

/// A request item: its folder path and name, method and URL (without its
/// query), as the collection has them.
struct Item {
    path: String,
    route: (String, String),
}

fn request_items(items: &[Value], folders: &[String], out: &mut Vec<Item>) {
    for (i, item) in items.iter().enumerate() {
        let name = item["name"]
            .as_str()
            .map_or(format!("item {i}"), str::to_owned);
        let mut path = folders.to_vec();
        path.push(name);
        if let Some(children) = item["item"].as_array() {
            request_items(children, &path, out);
            continue;
        }
        let request = &item["request"];
        // The raw URL, the URL string, or its host and path as written.
        let url = request["url"]["raw"].as_str().or(request["url"].as_str());
        let url = (url.or(request.as_str()).map(str::to_owned))
            .unwrap_or_else(|| format!("{} {}", request["url"]["host"], request["url"]["path"]));
        let method = request["method"].as_str().unwrap_or("GET");
        out.push(Item {
            path: path.join(" / "),
            route: (
                method.to_ascii_uppercase(),
                url.split('?').next().unwrap_or_default().into(),
            ),
        });
    }
}

/// The folder path and summary of each operation, and of each request the
/// document's description lists as left out.
fn accounted(doc: &Value) -> (HashSet<String>, HashSet<String>) {
    let mut operations = HashSet::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("a path item").values() {
            let mut path: Vec<&str> = (op["tags"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .take(1)
                .collect();
            path.push(op["summary"].as_str().expect("a summary"));
            operations.insert(path.join(" / "));
        }
    }
    let description = doc["info"]["description"].as_str().expect("a description");
    let left_out = (description.lines())
        .filter_map(|l| {
            l.strip_prefix("- ")?
                .split_once(" item \"")?
                .1
                .rsplit_once("\" at ")
        })
        .map(|(item, _)| item.to_owned())
        .collect();
    (operations, left_out)
}

#[test]
fn third_party_collections_convert_and_generate_or_say_why() {
    let root = fixture_path("third_party");
    let (mut converted, mut refused) = (0, 0);
    for file in json_files(&root) {
        let name = file.strip_prefix(&root).expect("below the folder");
        let name = name.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(&file).expect("read a collection");
        let why = REFUSED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, why)| *why);
        let doc = match (
            postman_openapi::convert(&bytes, &crate::options(&name)),
            why,
        ) {
            (Ok(doc), None) => doc,
            (Err(e), Some(why)) => {
                assert_eq!(e.to_string(), why, "{name}");
                refused += 1;
                continue;
            }
            (Ok(_), Some(why)) => panic!("{name} converts, but should say: {why}"),
            (Err(e), None) => panic!("{name} does not convert: {e}"),
        };
        generate_checked(&doc);
        converted += 1;
        // Each request is an operation, or adds to the operation of an
        // earlier item on its method and URL, or is listed as left out.
        let collection: Value = serde_json::from_slice(&bytes).expect("JSON");
        let mut items = Vec::new();
        request_items(
            collection["item"].as_array().expect("items"),
            &[],
            &mut items,
        );
        let (operations, left_out) = accounted(&doc);
        for (i, item) in items.iter().enumerate() {
            let merged = items[..i]
                .iter()
                .any(|o| o.route == item.route && operations.contains(&o.path));
            assert!(
                operations.contains(&item.path) || left_out.contains(&item.path) || merged,
                "{name}: request {:?} is lost",
                item.path
            );
        }
    }
    assert_eq!((converted, refused), (62, REFUSED.len()));
}

/// Each v2.0 and v2.1 collection above, as Postman's own transformer
/// writes it in v2.0 (`tests/fixtures/third_party_v2_0/`, made by
/// `npm --prefix xtask/roundtrip run generate`), gives the same document as
/// its original; the two originals refused for an unknown body mode have
/// none (the transformer drops that body, so their v2.0 converts). Two
/// shapes the schema allows, the transformer mangles, and what the
/// converter then does is checked instead.
#[test]
fn postmans_v2_0_of_each_collection_gives_the_same_document() {
    let (root, v2_0) = (
        fixture_path("third_party"),
        fixture_path("third_party_v2_0"),
    );
    let convert = |path: &std::path::Path| {
        let bytes = std::fs::read(path).expect("read a collection");
        postman_openapi::convert(&bytes, &crate::options("collection"))
    };
    let (mut same, mut refused, mut mangled) = (0, 0, 0);
    for file in json_files(&v2_0) {
        let name = file.strip_prefix(&v2_0).expect("below the folder");
        let name = name.to_string_lossy().replace('\\', "/");
        let written = convert(&file);
        match name.as_str() {
            // A v2.0 path variable object (`{"type": "segment", ...}`)
            // becomes the text `[object Object]`.
            "postman-collection-rs/coverage/v2.0.0-item-group.json" => {
                let doc = written.expect("converts");
                assert!(doc["paths"].get("/pets/[object Object]").is_some(), "{doc}");
                mangled += 1;
                continue;
            }
            // Headers written as one text become an array of characters.
            "postman-collection-rs/coverage/v2.1.0-item-group.json" => {
                let e = written.expect_err("refused");
                assert_eq!(
                    e.to_string(),
                    "item \"Folder branch / Upload request\" at $.item[0].item[0].request.\
                     header[0]: expected a {key, value} object, found a string"
                );
                mangled += 1;
                continue;
            }
            _ => {}
        }
        let written = written.unwrap_or_else(|e| panic!("{name} in v2.0: {e}"));
        match convert(&root.join(&name)) {
            Ok(original) => {
                assert_eq!(original, written, "{name}");
                same += 1;
            }
            Err(e) if REFUSED[..2].iter().any(|(n, _)| *n == name) => {
                assert!(e.to_string().contains("unknown body mode"), "{name}: {e}");
                refused += 1;
            }
            Err(e) => panic!("{name}: {e}"),
        }
    }
    assert_eq!((same, refused, mangled), (60, 2, 2));
}

#[test]
fn methods_openapi_lacks_and_requests_without_url_are_listed() {
    let doc = |name: &str| {
        let bytes = std::fs::read(fixture_path("third_party").join(name)).expect("read");
        crate::convert_ok(&bytes, name)
    };
    let codegen = doc("postman-code-generators/http/test-collection.json");
    let (_, left_out) = accounted(&codegen);
    let mut left_out: Vec<String> = left_out.into_iter().collect();
    left_out.sort();
    assert_eq!(
        left_out,
        [
            "COPY Request",
            "LINK request",
            "LOCK request",
            "OPTIONS to postman echo",
            "PROPFIND request",
            "PURGE Request",
            "UNLINK request",
            "UNLOCK request",
            "VIEW request"
        ]
    );
    // Its disabled header that no client could send is said, though its
    // item adds to an earlier item's operation.
    let headers = &codegen["paths"]["/headers"]["get"];
    assert_eq!(headers["summary"], "Request Headers");
    let said = headers["description"].as_str().expect("a description");
    assert!(
        said.ends_with(
            "\n\nheader `disabled header` left out: it is disabled, and no HTTP client could send it"
        ),
        "{said}"
    );
    // Postman saves a request never given a URL without one.
    let (operations, left_out) = accounted(&doc(
        "insomnia-importers/postman/postman-export-oauth2-v2_1-input.json",
    ));
    assert!(operations.is_empty());
    assert_eq!(
        left_out,
        HashSet::from(["Example request with OAuth2".to_owned()])
    );
}

#[test]
fn a_v2_0_path_variable_segment_is_a_path_parameter() {
    // v2.0's schema: "a segment could be a string, or a path variable",
    // the latter `{"type": "segment", "value": "petId"}` here.
    let name = "postman-collection-rs/coverage/v2.0.0-item-group.json";
    let bytes = std::fs::read(fixture_path("third_party").join(name)).expect("read");
    let doc = crate::convert_ok(&bytes, name);
    let op = &doc["paths"]["/pets/{petId}"]["post"];
    assert_eq!(op["parameters"][0]["name"], "petId", "{doc:#}");
    assert_eq!(op["parameters"][0]["in"], "path");
}
