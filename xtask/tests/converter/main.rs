//! Integration tests of the Postman → OpenAPI converter: fixture collections
//! with snapshots of what they produce, the seed collection, malformed input,
//! the file side of `sync-postman` and its exit codes, and property tests.

mod bad_input;
mod exporters;
mod fixtures;
mod generated;
mod names;
mod nullable;
mod robustness;
mod seed;
mod sync;

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
