//! File side of `sync-postman`: generate, compare with the checked-in file,
//! report what changed for users of the client, write atomically, and check
//! that progenitor accepts the result.

use std::io::Write;
use std::path::{Path, PathBuf};

// Through the crate's stable re-exports, not the modules behind them.
use crate::report::Report;
use crate::{openapi, postman, render, ConvertError, Options, Overrides};

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Reading or writing the file failed.
    #[error("{0}: {1}")]
    Io(PathBuf, #[source] std::io::Error),
    /// The collection or the overrides file could not be converted (the
    /// error boxed: it is large, and errors travel by value).
    #[error("{0}: {1}")]
    Convert(PathBuf, #[source] Box<ConvertError>),
    /// The converted document is not one progenitor can generate a client from.
    #[error("the converted document would not generate a client: {0}")]
    Generator(String),
    /// The output names the input or the overrides file (in another
    /// spelling, through a symlink or a hard link): writing it would destroy
    /// what it is made from.
    #[error(
        "--output {output} is the same file as the {role} {other}: refusing to replace it; \
         name another output"
    )]
    SameFile {
        /// `input` or `overrides`.
        role: &'static str,
        /// The input or overrides path as given.
        other: PathBuf,
        /// The output path as given.
        output: PathBuf,
    },
}

/// What a sync found or did, what changed for users of the generated
/// client, and what the document leaves out.
#[derive(Debug)]
pub struct Synced {
    /// Up to date, written, or stale.
    pub outcome: Outcome,
    /// What changed, when the document on disk differs (`None` when it is
    /// up to date, missing, or not JSON), or why that cannot be said (the
    /// document on disk does not generate a client).
    pub report: Option<Result<Report, String>>,
    /// What the document leaves out: requests (method, item, location,
    /// why), as its description lists them, then parts of operations, as
    /// their descriptions say.
    pub left_out: Vec<String>,
    /// The overrides' schema names that moved onto another schema than the
    /// document on disk gives them ([`Overrides::moved_pins`]).
    pub warnings: Vec<String>,
}

/// What a sync found or did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The file on disk already holds exactly what the collection produces.
    UpToDate,
    /// The file was (re)written.
    Written,
    /// `--check`: the file differs; a short diff of it.
    Stale(String),
}

/// Inputs of one sync.
#[derive(Debug, Clone)]
pub struct Job {
    /// The Postman collection.
    pub input: PathBuf,
    /// Collections read after `input`, in order, as if their items followed
    /// its items (the project's own additions to Belvo's export); an item on
    /// the method and path of an earlier one adds to its operation.
    pub more_inputs: Vec<PathBuf>,
    /// The OpenAPI document to produce.
    pub output: PathBuf,
    /// The overrides file, if any.
    pub overrides: Option<PathBuf>,
    /// How the input is named in the document's note.
    pub source_name: String,
}

impl Job {
    /// `input`, then `more_inputs`.
    pub fn inputs(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(self.input.as_path()).chain(self.more_inputs.iter().map(PathBuf::as_path))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, SyncError> {
    std::fs::read(path).map_err(|e| SyncError::Io(path.to_owned(), e))
}

/// The error of converting the file at `path`.
fn convert_error(path: &Path) -> impl FnOnce(ConvertError) -> SyncError + '_ {
    move |e| SyncError::Convert(path.to_owned(), Box::new(e))
}

/// The job's overrides; none when it names no file.
fn overrides(job: &Job) -> Result<Overrides, SyncError> {
    match &job.overrides {
        Some(p) => Overrides::parse(&read(p)?).map_err(convert_error(p)),
        None => Ok(Overrides::default()),
    }
}

/// Converts the job's input and renders the document text.
///
/// # Errors
/// Unreadable input, conversion errors, or a document progenitor refuses.
pub fn generate(job: &Job) -> Result<String, SyncError> {
    generate_listing(job).map(|(text, _)| text)
}

/// [`generate`], with what the document leaves out.
///
/// # Errors
/// See [`generate`].
pub fn generate_listing(job: &Job) -> Result<(String, Vec<String>), SyncError> {
    build(job).map(|built| (built.text, built.left_out))
}

/// A converted document that generates a client, with what went into it.
struct Built {
    text: String,
    left_out: Vec<String>,
    /// The document as a value (what the generation check read).
    doc: serde_json::Value,
    overrides: Overrides,
}

/// [`generate_listing`], keeping the document's value and the overrides
/// for the change report and the pin check.
fn build(job: &Job) -> Result<Built, SyncError> {
    let opts = Options {
        source: job.source_name.clone(),
        overrides: overrides(job)?,
    };
    let mut collections = Vec::new();
    for path in job.inputs() {
        let parsed = postman::parse(&read(path)?).map_err(convert_error(path))?;
        let label = path.file_name().unwrap_or(path.as_os_str());
        collections.push((label.to_string_lossy().into_owned(), parsed));
    }
    let collection = postman::concat(collections);
    let mut document = openapi::document::build(&collection, &opts).map_err(|source| {
        // With several inputs, every location in the message starts with
        // its file; a hand decision that does not fit is the overrides'.
        let path = match (&source, &job.overrides) {
            (ConvertError::Overrides(_), Some(p)) => p,
            _ => &job.input,
        };
        convert_error(path)(source)
    })?;
    let left_out = std::mem::take(&mut document.left_out);
    let text = render::document(document);
    let doc = serde_json::from_str(&text)
        .map_err(|e| SyncError::Generator(format!("not a valid OpenAPI 3.0 document: {e}")))?;
    check_generates(&doc).map_err(SyncError::Generator)?;
    let overrides = opts.overrides;
    Ok(Built {
        text,
        left_out,
        doc,
        overrides,
    })
}

/// Generates, then writes (`check == false`) or compares (`check == true`).
/// Writing goes to a temporary file in the same folder that is renamed over
/// the target, so a failure never leaves a half-written document; an
/// unchanged document is not rewritten (its mtime drives `build.rs`).
///
/// # Errors
/// See [`run`].
pub fn sync(job: &Job, check: bool) -> Result<Outcome, SyncError> {
    run(job, check).map(|synced| synced.outcome)
}

/// [`sync`], with what changed for users of the generated client and what
/// the document leaves out.
///
/// # Errors
/// The output is the input or the overrides file ([`refuse_same_file`]);
/// see [`generate`]; I/O errors while writing.
pub fn run(job: &Job, check: bool) -> Result<Synced, SyncError> {
    refuse_same_file(job)?;
    let Built {
        text,
        left_out,
        doc,
        overrides,
    } = build(job)?;
    let current = std::fs::read(&job.output).ok();
    if current.as_deref() == Some(text.as_bytes()) {
        let outcome = Outcome::UpToDate;
        let (report, warnings) = (None, Vec::new());
        return Ok(Synced {
            outcome,
            report,
            left_out,
            warnings,
        });
    }
    let old = current
        .as_deref()
        .and_then(|old| serde_json::from_slice(old).ok());
    let report = old.as_ref().map(|old| crate::report::changes(old, &doc));
    let warnings = match &old {
        Some(old) => overrides.moved_pins(old, &doc),
        None => Vec::new(),
    };
    let synced = |outcome| Synced {
        outcome,
        report,
        left_out,
        warnings,
    };
    if check {
        let old = String::from_utf8_lossy(current.as_deref().unwrap_or_default());
        let diff = short_diff(&old, &text, &job.output);
        return Ok(synced(Outcome::Stale(diff)));
    }
    write_atomic(&job.output, &text)?;
    Ok(synced(Outcome::Written))
}

/// Refuses a job whose output is its input or its overrides file, whatever
/// the spelling: files are compared by identity (device and inode), which
/// sees through `./`, `..`, relative and absolute paths, symlinks and hard
/// links. An output that does not exist yet cannot be either.
///
/// # Errors
/// [`SyncError::SameFile`].
pub fn refuse_same_file(job: &Job) -> Result<(), SyncError> {
    let inputs = job.inputs().map(|p| ("input", p));
    for (role, other) in inputs.chain(job.overrides.as_deref().map(|p| ("overrides", p))) {
        if same_file::is_same_file(other, &job.output).unwrap_or(false) {
            return Err(SyncError::SameFile {
                role,
                other: other.to_owned(),
                output: job.output.clone(),
            });
        }
    }
    Ok(())
}

/// Writes `text` to `path` through a temporary file and a rename. When
/// `path` is a symlink, its target is replaced and the link kept.
///
/// # Errors
/// Any I/O error; the temporary file is removed on failure.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), SyncError> {
    let io = |e| SyncError::Io(path.to_owned(), e);
    // Write through a symlink rather than replacing the link with a file.
    let resolved = if path.is_symlink() {
        std::fs::canonicalize(path).map_err(io)?
    } else {
        path.to_owned()
    };
    let dir = resolved
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // As readable as a file `File::create` makes: tempfile's own default
    // (0o600) would hide the document from everyone else.
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    // Removed when dropped, on any failure before `persist`.
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(&resolved).map_err(|e| io(e.error))?;
    Ok(())
}

/// A unified diff of at most 40 lines.
pub fn short_diff(old: &str, new: &str, path: &Path) -> String {
    let from = format!("{} (on disk)", path.display());
    let to = format!("{} (from the collection)", path.display());
    let diff = similar::TextDiff::from_lines(old, new);
    let mut unified = diff.unified_diff();
    let full = unified.context_radius(2).header(&from, &to).to_string();
    let lines: Vec<&str> = full.lines().collect();
    let mut out = lines[..lines.len().min(40)].join("\n");
    if lines.len() > 40 {
        out.push_str(&format!("\n... ({} more diff lines)", lines.len() - 40));
    }
    out
}

pub use crate::generate::check_generates;
