//! Integration tests of the Postman → OpenAPI converter: fixture collections
//! with snapshots of what they produce, the seed collection, malformed input,
//! the file side of `sync-postman` and its exit codes, and property tests.

mod bad_input;
mod exporters;
mod fixtures;
mod generated;
mod infer;
#[path = "../support/json_files.rs"]
mod json_files;
mod names;
mod nullable;
mod operation_ids;
mod requests;
mod robustness;
mod seed;
mod sync;
mod third_party;

use std::path::PathBuf;

use postman_openapi::{convert, sync::check_generates, Options};
use serde_json::Value;

/// The schema URL of a v2.1 collection.
pub const V21: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// `xtask/tests/fixtures/<name>`.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

/// Options with a fixed source name, so snapshots do not depend on paths.
pub fn options(source: &str) -> Options {
    Options {
        source: source.to_owned(),
        ..Options::default()
    }
}

/// Converts a collection that must convert, and checks that openapiv3 parses
/// the result and progenitor generates a client from it.
pub fn convert_ok(bytes: &[u8], source: &str) -> Value {
    let doc = convert(bytes, &options(source))
        .unwrap_or_else(|e| panic!("{source} does not convert: {e}"));
    if let Err(e) = check_generates(&doc) {
        panic!("{source}: {e}");
    }
    doc
}

/// The paths of a converted document, in its order.
pub fn paths(doc: &Value) -> Vec<&str> {
    let paths = doc["paths"].as_object().expect("paths");
    paths.keys().map(String::as_str).collect()
}

/// Whether `actual` is the `expected` error message as serde_json words it
/// in this build. With its `arbitrary_precision` feature, which the belvo
/// crate turns on and cargo therefore turns on for every crate when the whole
/// workspace builds together, an unexpected number is reported as `number`,
/// without its value (`integer `42`` otherwise).
pub fn same_message(actual: &str, expected: &str) -> bool {
    let mut imprecise = expected.to_owned();
    while let Some(start) = imprecise.find("integer `") {
        let value = start + "integer `".len();
        let Some(len) = imprecise[value..].find('`') else {
            break;
        };
        imprecise.replace_range(start..value + len + 1, "number");
    }
    actual == expected || actual == imprecise
}
