// The progenitor settings the belvo client is generated with: the one
// definition, `include!`d by `build.rs` (which generates `src/generated.rs`'s
// code) and by `xtask/src/generate.rs` (which checks that a converted
// document generates, and the round-trip suite that the result compiles).
// Both crates depend on `progenitor` (default-features = false), `schemars`
// 0.8 and `proc-macro2`, so the paths below resolve in both.
//
// Changing a setting here changes the generated client; build.rs reruns
// when this file changes.

/// How generated operations are called: builders (`client.balances_list()
/// .link(id).page_size(100).send()`), since a list takes up to 27 optional
/// query parameters.
const INTERFACE: progenitor::InterfaceStyle = progenitor::InterfaceStyle::Builder;

/// The type every generated `Client` holds for the hand-written hooks.
const INNER_TYPE: &str = "crate::client::Shared";

/// The generation settings of the belvo client.
fn generation_settings() -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(INTERFACE)
        .with_tag(progenitor::TagStyle::Merged)
        .with_derive("PartialEq")
        // The hand-written layer implements the hooks (auth, timeouts,
        // tracing, keeping the status and raw body of failed calls).
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(
            INNER_TYPE
                .parse::<proc_macro2::TokenStream>()
                .expect("INNER_TYPE is a Rust path"),
        );
    // Money is decimal: every `type: number` becomes rust_decimal::Decimal,
    // whatever its format (Belvo's collection types amounts as `float` too).
    for format in [None, Some("float"), Some("double")] {
        settings.with_conversion(
            schemars::schema::SchemaObject {
                instance_type: Some(schemars::schema::InstanceType::Number.into()),
                format: format.map(str::to_owned),
                ..Default::default()
            },
            "::rust_decimal::Decimal",
            [progenitor::TypeImpl::Display].into_iter(),
        );
    }
    settings
}
