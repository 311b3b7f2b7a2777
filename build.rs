//! Generates the typed client from `openapi/belvo.openapi.json` with progenitor.
//!
//! Reads only that file and the generation settings (`codegen/settings.rs`,
//! shared with the converter's check in xtask) and reruns only when one of
//! them changes; no network, no xtask code. The output goes to
//! `OUT_DIR/codegen.rs`, included by `src/generated.rs`.

use std::path::Path;

const SPEC: &str = "openapi/belvo.openapi.json";
const SETTINGS: &str = "codegen/settings.rs";

include!("codegen/settings.rs");

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed={SETTINGS}");
    if let Err(e) = generate() {
        // A build script can only report through a failed build.
        eprintln!("error: generating the client from {SPEC}: {e}");
        std::process::exit(1);
    }
}

fn generate() -> Result<(), String> {
    let text = std::fs::read_to_string(SPEC).map_err(|e| e.to_string())?;
    let spec: openapiv3::OpenAPI =
        serde_json::from_str(&text).map_err(|e| format!("not OpenAPI 3.0: {e}"))?;

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
