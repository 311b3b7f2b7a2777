//! Generates the typed client from `openapi/belvo.openapi.json` with progenitor.
//!
//! Reads only that file, the generation settings (`codegen/settings.rs`,
//! shared with the converter's check in xtask) and the resource groups
//! (`codegen/groups.rs`), and reruns only when one of them (or the set of
//! features) changes; no network, no xtask code. The operations of a
//! resource group whose feature is off are left out of the document, with the
//! schemas only they use. The output goes to `OUT_DIR/codegen.rs`, included
//! by `src/generated.rs`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

const SPEC: &str = "openapi/belvo.openapi.json";
const SETTINGS: &str = "codegen/settings.rs";
const GROUPS_FILE: &str = "codegen/groups.rs";

include!("codegen/settings.rs");
include!("codegen/groups.rs");

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed={SETTINGS}");
    println!("cargo:rerun-if-changed={GROUPS_FILE}");
    if let Err(e) = generate() {
        // A build script can only report through a failed build.
        eprintln!("error: generating the client from {SPEC}: {e}");
        std::process::exit(1);
    }
}

fn generate() -> Result<(), String> {
    let text = std::fs::read_to_string(SPEC).map_err(|e| e.to_string())?;
    let mut doc: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let left_out: Vec<&str> = GROUPS
        .iter()
        .filter(|(feature, _)| !enabled(feature))
        .flat_map(|(_, tags)| tags.iter().copied())
        .collect();
    if !left_out.is_empty() {
        filter(&mut doc, &left_out);
    }
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(doc).map_err(|e| format!("not OpenAPI 3.0: {e}"))?;

    let settings = generation_settings();
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    let code = prettyplease::unparse(&file);
    let out = Path::new(&std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join("codegen.rs");
    std::fs::write(&out, code).map_err(|e| format!("{}: {e}", out.display()))
}

/// Whether the crate is built with `feature`.
fn enabled(feature: &str) -> bool {
    let var = format!("CARGO_FEATURE_{}", feature.to_uppercase().replace('-', "_"));
    std::env::var_os(var).is_some()
}

/// Drops the operations tagged with one of `tags`, then the schemas no
/// remaining operation reaches.
fn filter(doc: &mut Value, tags: &[&str]) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            if let Some(methods) = item.as_object_mut() {
                methods.retain(|_, op| {
                    !op["tags"].as_array().is_some_and(|t| {
                        t.iter()
                            .any(|t| t.as_str().is_some_and(|t| tags.contains(&t)))
                    })
                });
            }
        }
        paths.retain(|_, item| item.as_object().is_some_and(|m| !m.is_empty()));
    }
    if let Some(list) = doc.get_mut("tags").and_then(Value::as_array_mut) {
        list.retain(|t| !t["name"].as_str().is_some_and(|n| tags.contains(&n)));
    }
    let mut reached = BTreeSet::new();
    let mut todo = Vec::new();
    refs(&doc["paths"], &mut todo);
    while let Some(name) = todo.pop() {
        if reached.insert(name.clone()) {
            refs(&doc["components"]["schemas"][&name], &mut todo);
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| reached.contains(name));
    }
}

/// The schema names `v` refers to (`#/components/schemas/NAME`).
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => {
                        if let Some(name) = r.strip_prefix("#/components/schemas/") {
                            out.push(name.to_owned());
                        }
                    }
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}
