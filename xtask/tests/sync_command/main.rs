//! The `sync-postman` command beyond conversion: the generation check with
//! the settings of build.rs, the spec-change report, and the safeguards of
//! the command (same-file refusal, whose overrides apply).

mod footguns;
mod generate;
mod report;

use std::path::Path;

use postman_openapi::Options;

/// The xtask crate's folder.
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Options with a fixed source name.
pub fn options(source: &str) -> Options {
    Options {
        source: source.to_owned(),
        ..Options::default()
    }
}
