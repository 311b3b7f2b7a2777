//! `cargo xtask …`: maintainer tasks. Only argument parsing lives here; the
//! work is in the `postman_openapi` library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use postman_openapi::sync::{sync, Job, Outcome};

/// mimalloc rather than the system allocator: a conversion builds and frees
/// hundreds of thousands of small values on several threads, and glibc's
/// malloc spent about a third of the time on them, more when threads free
/// each other's memory (BENCHMARKS.md, "Converter").
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Maintainer tasks for the belvo crate")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convert the Postman collection into the OpenAPI document the client is generated from.
    SyncPostman {
        /// The Postman collection (v2.0 or v2.1).
        #[arg(long, default_value = "openapi/belvo.postman_collection.json")]
        input: PathBuf,
        /// The OpenAPI 3.0.3 document to write.
        #[arg(long, default_value = "openapi/belvo.openapi.json")]
        output: PathBuf,
        /// Hand decisions applied by the converter (used when the file exists).
        #[arg(long, default_value = "openapi/belvo.overrides.json")]
        overrides: PathBuf,
        /// Write nothing; fail when the document on disk is not what the collection produces.
        #[arg(long)]
        check: bool,
    },
}

/// The workspace root, so the defaults work from any folder of the checkout.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default()
}

fn resolve(path: &Path, default: &str) -> PathBuf {
    if path == Path::new(default) {
        root().join(default)
    } else {
        path.to_owned()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::SyncPostman {
            input,
            output,
            overrides,
            check,
        } => {
            let source_name = input.to_string_lossy().replace('\\', "/");
            let overrides_default = "openapi/belvo.overrides.json";
            let overrides_path = resolve(&overrides, overrides_default);
            // The default overrides file is optional; a named one must exist.
            let overrides = (overrides != Path::new(overrides_default) || overrides_path.exists())
                .then_some(overrides_path);
            let job = Job {
                input: resolve(&input, "openapi/belvo.postman_collection.json"),
                output: resolve(&output, "openapi/belvo.openapi.json"),
                overrides,
                source_name,
            };
            match sync(&job, check) {
                Ok(Outcome::UpToDate) => {
                    eprintln!("{} is up to date", job.output.display());
                    ExitCode::SUCCESS
                }
                Ok(Outcome::Written) => {
                    eprintln!("wrote {}", job.output.display());
                    ExitCode::SUCCESS
                }
                Ok(Outcome::Stale(diff)) => {
                    eprintln!(
                        "error: {} is stale: it is not what {} produces.\n{diff}\n\nrun `cargo xtask sync-postman` and commit the result",
                        job.output.display(),
                        job.input.display()
                    );
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
