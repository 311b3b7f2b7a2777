//! Generates the typed client from `openapi/belvo.openapi.json` with progenitor.
//!
//! Reads only that file and reruns only when it changes; no network, no xtask
//! code. The output goes to `OUT_DIR/codegen.rs`, included by `src/generated.rs`.

use std::path::Path;

const SPEC: &str = "openapi/belvo.openapi.json";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
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

    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        .with_derive("PartialEq")
        // The hand-written layer implements the hooks (auth, timeouts,
        // tracing, keeping the status and raw body of failed calls).
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(tokens("crate::client::Shared")?)
        // Money is decimal: every `type: number` becomes rust_decimal::Decimal.
        .with_conversion(
            schemars::schema::SchemaObject {
                instance_type: Some(schemars::schema::InstanceType::Number.into()),
                ..Default::default()
            },
            "::rust_decimal::Decimal",
            [progenitor::TypeImpl::Display].into_iter(),
        );
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    let code = prettyplease::unparse(&file);
    let out = Path::new(&std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join("codegen.rs");
    std::fs::write(&out, code).map_err(|e| format!("{}: {e}", out.display()))
}

fn tokens(s: &str) -> Result<proc_macro2::TokenStream, String> {
    s.parse().map_err(|e| format!("{s}: {e}"))
}
