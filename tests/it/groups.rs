//! The resource groups of `codegen/groups.rs` (cargo features that leave
//! folders out of the generated client) name folders the document has, each
//! once; the always-generated folders are the ones the hand-written layer
//! and the README's journey need.

use std::collections::BTreeSet;

use serde_json::Value;

include!("../../codegen/groups.rs");

const DOCUMENT: &str = include_str!("../../openapi/belvo.openapi.json");

fn document_tags() -> BTreeSet<String> {
    let doc: Value = serde_json::from_str(DOCUMENT).expect("document is JSON");
    doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("path item").values())
        .flat_map(|op| op["tags"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn every_group_names_folders_of_the_document_once() {
    let tags = document_tags();
    let mut seen = BTreeSet::new();
    for (feature, folders) in GROUPS {
        assert!(!folders.is_empty(), "{feature} holds no folder");
        for folder in *folders {
            assert!(
                tags.contains(*folder),
                "{feature}: no folder {folder:?} in the document"
            );
            assert!(seen.insert(*folder), "{folder:?} is in two groups");
        }
    }
    let always: BTreeSet<&str> = tags
        .iter()
        .map(String::as_str)
        .filter(|t| !seen.contains(t))
        .collect();
    assert_eq!(
        always,
        BTreeSet::from([
            "Accounts",
            "Balances",
            "Connect widget",
            "Institutions",
            "Links",
            "Owners",
            "Transactions",
        ])
    );
}

#[test]
fn every_group_is_a_feature_of_the_crate_and_on_by_default() {
    let manifest = include_str!("../../Cargo.toml");
    let all = manifest
        .lines()
        .find(|l| l.starts_with("all-resources = "))
        .expect("an all-resources feature");
    for (feature, _) in GROUPS {
        assert!(
            manifest
                .lines()
                .any(|l| l.starts_with(&format!("{feature} = []"))),
            "no feature {feature}"
        );
        assert!(
            all.contains(&format!("\"{feature}\"")),
            "{feature} not in {all}"
        );
    }
    assert!(manifest.contains(r#"default = ["rustls", "all-resources"]"#));
}
