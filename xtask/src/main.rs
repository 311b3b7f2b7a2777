//! `cargo xtask …`: maintainer tasks. Only argument parsing lives here; the
//! work is in the `postman_openapi` library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use postman_openapi::sync::{generate_listing, run, Job, Outcome};

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

/// The project's files, relative to the workspace root.
const PROJECT_COLLECTION: &str = "openapi/belvo.postman_collection.json";
/// The project's own items, read after Belvo's export (which stays verbatim).
const PROJECT_ADDITIONS: &str = "openapi/belvo.additions.postman_collection.json";
const PROJECT_DOCUMENT: &str = "openapi/belvo.openapi.json";
const PROJECT_OVERRIDES: &str = "openapi/belvo.overrides.json";

#[derive(Subcommand)]
enum Command {
    /// Convert the Postman collection into the OpenAPI document the client is generated from,
    /// and say what changed for users of the generated client.
    SyncPostman {
        /// A Postman collection (v2.0 or v2.1); repeat it to read several, in order, as one
        /// (an item on the method and path of an earlier one adds to its operation)
        /// [default: openapi/belvo.postman_collection.json, then
        /// openapi/belvo.additions.postman_collection.json]
        #[arg(long)]
        input: Vec<PathBuf>,
        /// The OpenAPI 3.0.3 document to write; never the input or the overrides file; `-` for
        /// standard output (nothing to compare with, so no change report)
        /// [default: openapi/belvo.openapi.json]
        #[arg(long)]
        output: Option<PathBuf>,
        /// Hand decisions applied by the converter. Without it, the project's collections (the
        /// default input, in any spelling) get the project's overrides
        /// (openapi/belvo.overrides.json, when it exists) and any other --input gets none; the
        /// command says which it applied.
        #[arg(long)]
        overrides: Option<PathBuf>,
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

/// The overrides to apply when none were named; says which it chose.
/// The project's overrides belong to the project's collections only, read
/// together (Belvo's export, then the project's additions): they name their
/// folders, operations and schemas, and on other input they would fail (the
/// export alone lacks the additions' operations) or, worse, rename something
/// else.
fn choose_overrides(inputs: &[PathBuf]) -> Option<PathBuf> {
    let project = [PROJECT_COLLECTION, PROJECT_ADDITIONS].map(|p| root().join(p));
    let same = |a: &PathBuf, b: &PathBuf| same_file::is_same_file(a, b).unwrap_or(false);
    if inputs.len() != project.len() || !inputs.iter().zip(&project).all(|(a, b)| same(a, b)) {
        let shown: Vec<_> = inputs.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "no overrides applied: {} is not the project's collections \
             ({PROJECT_COLLECTION}, then {PROJECT_ADDITIONS}); pass --overrides FILE to apply some",
            shown.join(" then ")
        );
        return None;
    }
    let path = root().join(PROJECT_OVERRIDES);
    if !path.exists() {
        eprintln!("no overrides: {PROJECT_OVERRIDES} does not exist");
        return None;
    }
    eprintln!("applying the project's overrides {PROJECT_OVERRIDES}");
    Some(path)
}

fn main() -> ExitCode {
    let Command::SyncPostman {
        input,
        output,
        overrides,
        check,
    } = Cli::parse().command;
    let (input, source_name) = if input.is_empty() {
        let project = [PROJECT_COLLECTION, PROJECT_ADDITIONS];
        (
            project.map(|p| root().join(p)).to_vec(),
            project.join("` and `"),
        )
    } else {
        let names: Vec<_> = input
            .iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect();
        let name = names.join("` and `");
        (input, name)
    };
    let overrides = overrides.or_else(|| choose_overrides(&input));
    let mut inputs = input.into_iter();
    let job = Job {
        input: inputs.next().unwrap_or_default(),
        more_inputs: inputs.collect(),
        output: output.unwrap_or_else(|| root().join(PROJECT_DOCUMENT)),
        overrides,
        source_name,
    };
    if job.output.as_os_str() == "-" {
        return to_stdout(&job, check);
    }
    let synced = match run(&job, check) {
        Ok(synced) => synced,
        Err(e) => return fail(e),
    };
    say_left_out(&synced.left_out);
    synced
        .warnings
        .iter()
        .for_each(|w| eprintln!("warning: {w}"));
    match synced.outcome {
        Outcome::UpToDate => eprintln!("{} is up to date", job.output.display()),
        Outcome::Written => {
            eprintln!("wrote {}", job.output.display());
            if let Some(report) = &synced.report {
                eprint!("{}", shown(report));
            }
        }
        Outcome::Stale(diff) => {
            let report =
                (synced.report.as_ref()).map_or_else(String::new, |r| format!("\n{}", shown(r)));
            let inputs: Vec<_> = job.inputs().map(|p| p.display().to_string()).collect();
            eprintln!(
                "error: {} is stale: it is not what {} produces.\n{report}\n{diff}\n\nrun `cargo xtask sync-postman` and commit the result",
                job.output.display(),
                inputs.join(" + ")
            );
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The change report, or why there is none.
fn shown(report: &Result<postman_openapi::report::Report, String>) -> String {
    match report {
        Ok(report) => report.to_string(),
        Err(e) => format!("no change report: {e}\n"),
    }
}

/// Says what went wrong; exit status 2.
fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

fn say_left_out(left_out: &[String]) {
    if !left_out.is_empty() {
        eprintln!("left out (the document's descriptions say so):");
        left_out.iter().for_each(|l| eprintln!("  {l}"));
    }
}

/// `--output -`: the document on standard output, what it leaves out on
/// standard error.
fn to_stdout(job: &Job, check: bool) -> ExitCode {
    if check {
        return fail("--check compares the document with a file; --output - names none");
    }
    let (text, left_out) = match generate_listing(job) {
        Ok(listing) => listing,
        Err(e) => return fail(e),
    };
    say_left_out(&left_out);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format_args!("standard output: {e}")),
    }
}
