//! Converts each collection named on the command line once, with no
//! overrides and without the command's progenitor check, and prints the
//! document (or the error): the library alone, for profilers and instruction
//! counts (see BENCHMARKS.md).
//!
//! `cargo run --release -p xtask --example convert_once -- COLLECTION...`

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let mut failed = false;
    for path in std::env::args().skip(1) {
        let converted = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                postman_openapi::convert_to_string(&bytes, &postman_openapi::Options::default())
                    .map_err(|e| e.to_string())
            });
        match converted {
            Ok(document) => print!("{document}"),
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
