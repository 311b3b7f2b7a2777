//! One fixture collection per family of cases; the rendered OpenAPI document
//! of each is an insta snapshot under `tests/snapshots/`, and each document is
//! parsed with openapiv3 and run through progenitor's generator.

use postman_openapi::{convert_to_string, render};

use crate::{convert_ok, fixture_path};

fn snapshot(name: &str) {
    let file = format!("{name}.postman_collection.json");
    let bytes = std::fs::read(fixture_path(&file))
        .unwrap_or_else(|e| panic!("cannot read fixture {file}: {e}"));
    let doc = convert_ok(&bytes, &format!("tests/fixtures/{file}"));
    let text = render(&doc);
    // Rendering is deterministic: the same input gives the same text.
    assert_eq!(
        text,
        render(&convert_ok(&bytes, &format!("tests/fixtures/{file}")))
    );
    // The text-only path writes the same bytes.
    assert_eq!(
        text,
        convert_to_string(&bytes, &crate::options(&format!("tests/fixtures/{file}")))
            .expect("converts")
    );
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("tests/fixtures/{file}"),
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn folders_become_tags_and_operation_ids() {
    snapshot("folders_tags");
}

#[test]
fn path_variables_become_path_parameters() {
    snapshot("path_params");
}

#[test]
fn collection_variables_become_servers() {
    snapshot("servers");
}

#[test]
fn query_parameters() {
    snapshot("query");
}

#[test]
fn headers_become_header_parameters() {
    snapshot("headers");
}

#[test]
fn auth_at_every_level() {
    snapshot("auth");
}

#[test]
fn request_bodies() {
    snapshot("bodies");
}

#[test]
fn responses_from_saved_examples() {
    snapshot("responses");
}

#[test]
fn schema_inference() {
    snapshot("schemas");
}

#[test]
fn version_2_0_collection() {
    snapshot("v2_0");
}
