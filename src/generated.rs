//! The client progenitor generates from `openapi/belvo.openapi.json` (see `build.rs`).
#![allow(
    missing_docs,
    unused_imports,
    clippy::all,
    clippy::pedantic,
    rustdoc::all,
    elided_lifetimes_in_paths,
    // `mismatched_lifetime_syntaxes` is unknown before Rust 1.89 (the
    // crate's minimum is 1.88).
    unknown_lints,
    mismatched_lifetime_syntaxes
)]

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
