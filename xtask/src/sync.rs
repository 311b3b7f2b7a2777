//! File side of `sync-postman`: generate, compare with the checked-in file,
//! write atomically, and check that progenitor accepts the result.

use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Once;

use crate::error::ConvertError;
use crate::{convert_to_string, Options, Overrides};

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The collection or the overrides could not be converted.
    #[error("{path}: {source}")]
    Convert {
        /// The input file.
        path: PathBuf,
        /// What went wrong (boxed: it is large, and errors travel by value).
        source: Box<ConvertError>,
    },
    /// The converted document is not one progenitor can generate a client from.
    #[error("the converted document would not generate a client: {0}")]
    Generator(String),
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
    /// The OpenAPI document to produce.
    pub output: PathBuf,
    /// The overrides file, if any.
    pub overrides: Option<PathBuf>,
    /// How the input is named in the document's note.
    pub source_name: String,
}

fn read(path: &Path) -> Result<Vec<u8>, SyncError> {
    std::fs::read(path).map_err(|source| SyncError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Converts the job's input and renders the document text.
///
/// # Errors
/// Unreadable input, conversion errors, or a document progenitor refuses.
pub fn generate(job: &Job) -> Result<String, SyncError> {
    let overrides = match &job.overrides {
        Some(p) => Overrides::parse(&read(p)?).map_err(|source| SyncError::Convert {
            path: p.clone(),
            source: Box::new(source),
        })?,
        None => Overrides::default(),
    };
    let bytes = read(&job.input)?;
    let opts = Options {
        source: job.source_name.clone(),
        overrides,
    };
    let text = convert_to_string(&bytes, &opts).map_err(|source| SyncError::Convert {
        path: job.input.clone(),
        source: Box::new(source),
    })?;
    check_generates_text(&text).map_err(SyncError::Generator)?;
    Ok(text)
}

/// Generates, then writes (`check == false`) or compares (`check == true`).
/// Writing goes to a temporary file in the same folder that is renamed over
/// the target, so a failure never leaves a half-written document; an
/// unchanged document is not rewritten (its mtime drives `build.rs`).
///
/// # Errors
/// See [`generate`]; I/O errors while writing.
pub fn sync(job: &Job, check: bool) -> Result<Outcome, SyncError> {
    let text = generate(job)?;
    let current = std::fs::read(&job.output).ok();
    if current.as_deref() == Some(text.as_bytes()) {
        return Ok(Outcome::UpToDate);
    }
    if check {
        let old = current
            .map(|c| String::from_utf8_lossy(&c).into_owned())
            .unwrap_or_default();
        return Ok(Outcome::Stale(short_diff(&old, &text, &job.output)));
    }
    write_atomic(&job.output, &text)?;
    Ok(Outcome::Written)
}

/// Writes `text` to `path` through a temporary file and a rename.
///
/// # Errors
/// Any I/O error; the temporary file is removed on failure.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), SyncError> {
    let io = |source| SyncError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// A unified diff of at most 40 lines.
pub fn short_diff(old: &str, new: &str, path: &Path) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let shown = path.display().to_string();
    let full = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{shown} (on disk)"),
            &format!("{shown} (from the collection)"),
        )
        .to_string();
    let lines: Vec<&str> = full.lines().collect();
    let mut out = lines
        .iter()
        .take(40)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    if lines.len() > 40 {
        out.push_str(&format!("\n... ({} more diff lines)", lines.len() - 40));
    }
    out
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}
static QUIET_HOOK: Once = Once::new();

/// Parses the document as OpenAPI 3.0 and runs progenitor's generator on it,
/// turning a refusal or a panic into an error message.
///
/// # Errors
/// The document is not OpenAPI 3.0, or progenitor refuses or panics.
pub fn check_generates(doc: &serde_json::Value) -> Result<(), String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
        .map_err(|e| format!("not a valid OpenAPI 3.0 document: {e}"))?;
    check_spec(&spec)
}

/// [`check_generates`] on the rendered text of a document.
///
/// # Errors
/// See [`check_generates`].
pub fn check_generates_text(text: &str) -> Result<(), String> {
    let spec: openapiv3::OpenAPI = serde_json::from_str(text).map_err(|e| {
        format!(
            "not a valid OpenAPI 3.0 document: {}",
            crate::postman::read::json_message(&e)
        )
    })?;
    check_spec(&spec)
}

fn check_spec(spec: &openapiv3::OpenAPI) -> Result<(), String> {
    // Silence the panic message on this thread only. Swapping the global hook
    // around the call would race with other threads (tests run in parallel)
    // and could leave the silent hook installed for good.
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(|| {
        let mut settings = progenitor_impl::GenerationSettings::default();
        settings.with_interface(progenitor_impl::InterfaceStyle::Positional);
        progenitor_impl::Generator::new(&settings)
            .generate_tokens(spec)
            .map(|_| ())
    });
    QUIET.with(|q| q.set(false));
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("progenitor refused it: {e}")),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "no message".to_owned());
            Err(format!("progenitor panicked: {msg}"))
        }
    }
}
