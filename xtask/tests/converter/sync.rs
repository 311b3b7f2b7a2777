//! The file side of `sync-postman`: atomic writes that never touch the
//! output on failure, `--check` that never writes, and the CLI's exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

use postman_openapi::sync::{sync, Job, Outcome, SyncError};
use postman_openapi::{convert, render};

use crate::{fixture_path, options};

const GOOD: &str = "folders_tags.postman_collection.json";

/// A fresh, empty folder under cargo's scratch directory for this test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-sync")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

/// File names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read scratch folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A job in `dir` over a copy of fixture `input`, with an overrides file.
fn job(dir: &Path, input: &[u8], overrides: &str) -> Job {
    std::fs::write(dir.join("in.postman_collection.json"), input).expect("write input");
    std::fs::write(dir.join("overrides.json"), overrides).expect("write overrides");
    Job {
        input: dir.join("in.postman_collection.json"),
        output: dir.join("out.openapi.json"),
        more_inputs: Vec::new(),
        overrides: Some(dir.join("overrides.json")),
        source_name: "in.postman_collection.json".to_owned(),
    }
}

fn good_input() -> Vec<u8> {
    std::fs::read(fixture_path(GOOD)).expect("fixture")
}

fn expected_text() -> String {
    render(&convert(&good_input(), &options("in.postman_collection.json")).expect("converts"))
}

const ORIGINAL: &str = "{ \"the\": \"checked-in document\" }\n";

#[test]
fn a_broken_collection_leaves_the_output_untouched() {
    let dir = scratch("broken-collection");
    let job = job(&dir, br#"{"info": {"name": "x"}, "item": [true]}"#, "{}");
    std::fs::write(&job.output, ORIGINAL).expect("write output");
    let err = sync(&job, false).expect_err("a broken collection must fail");
    assert!(matches!(err, SyncError::Convert { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: $.item[0]: invalid type: boolean `true`, expected an item object",
            job.input.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&job.output).expect("output"),
        ORIGINAL
    );
    assert_eq!(
        listing(&dir),
        [
            "in.postman_collection.json",
            "out.openapi.json",
            "overrides.json"
        ]
    );
}

#[test]
fn broken_overrides_leave_the_output_untouched() {
    let dir = scratch("broken-overrides");
    let job = job(
        &dir,
        &good_input(),
        r#"{"schema_names": {"Nope": "Other"}}"#,
    );
    std::fs::write(&job.output, ORIGINAL).expect("write output");
    let err = sync(&job, false).expect_err("unknown schema name must fail");
    assert!(
        err.to_string()
            .contains("no inferred schema is named `Nope`"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&job.output).expect("output"),
        ORIGINAL
    );
    assert_eq!(
        listing(&dir),
        [
            "in.postman_collection.json",
            "out.openapi.json",
            "overrides.json"
        ]
    );
}

#[test]
fn a_document_progenitor_refuses_is_not_written() {
    let dir = scratch("generator-refuses");
    let bytes = std::fs::read(fixture_path("schemas.postman_collection.json")).expect("fixture");
    // A patch that points a property at a schema that does not exist.
    let patch = r##"{"schema_patches": {"Owner": {"properties": {"id": {"$ref": "#/components/schemas/Missing"}}}}}"##;
    let job = job(&dir, &bytes, patch);
    std::fs::write(&job.output, ORIGINAL).expect("write output");
    let err = sync(&job, false).expect_err("progenitor must refuse a dangling reference");
    assert!(matches!(err, SyncError::Generator(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the converted document would not generate a client: "),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&job.output).expect("output"),
        ORIGINAL
    );
    assert_eq!(
        listing(&dir),
        [
            "in.postman_collection.json",
            "out.openapi.json",
            "overrides.json"
        ]
    );
}

#[test]
fn a_failed_write_leaves_no_temporary_file() {
    let dir = scratch("failed-write");
    let job = job(&dir, &good_input(), "{}");
    // The output path is a folder: the rename over it fails.
    std::fs::create_dir(&job.output).expect("create folder");
    let err = sync(&job, false).expect_err("cannot replace a folder");
    assert!(matches!(err, SyncError::Io { .. }), "{err:?}");
    assert_eq!(
        listing(&dir),
        [
            "in.postman_collection.json",
            "out.openapi.json",
            "overrides.json"
        ]
    );
    assert!(job.output.is_dir());
}

#[test]
fn sync_writes_then_finds_the_file_up_to_date() {
    let dir = scratch("write");
    let job = job(&dir, &good_input(), "{}");
    assert_eq!(sync(&job, false).expect("sync"), Outcome::Written);
    assert_eq!(
        std::fs::read_to_string(&job.output).expect("output"),
        expected_text()
    );
    let modified = std::fs::metadata(&job.output)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(sync(&job, false).expect("sync"), Outcome::UpToDate);
    assert_eq!(sync(&job, true).expect("check"), Outcome::UpToDate);
    // An unchanged document is not rewritten (its mtime drives build.rs).
    let again = std::fs::metadata(&job.output)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(modified, again);
    assert_eq!(
        listing(&dir),
        [
            "in.postman_collection.json",
            "out.openapi.json",
            "overrides.json"
        ]
    );
}

#[test]
fn a_written_document_is_as_readable_as_any_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("permissions");
    let job = job(&dir, &good_input(), "{}");
    assert_eq!(sync(&job, false).expect("sync"), Outcome::Written);
    // The mode a plain new file gets under this process's umask, not the
    // owner-only mode of a temporary file.
    std::fs::write(dir.join("plain"), "").expect("write plain file");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode();
    assert_eq!(mode(&job.output), mode(&dir.join("plain")));
}

#[test]
fn check_reports_a_stale_file_and_writes_nothing() {
    let dir = scratch("stale");
    let job = job(&dir, &good_input(), "{}");
    let stale = expected_text().replace("\"Health check\"", "\"Old name\"");
    std::fs::write(&job.output, &stale).expect("write output");
    let Outcome::Stale(diff) = sync(&job, true).expect("check") else {
        panic!("a stale file must be reported");
    };
    let shown = job.output.display();
    assert!(diff.contains(&format!("--- {shown} (on disk)")), "{diff}");
    assert!(
        diff.contains(&format!("+++ {shown} (from the collection)")),
        "{diff}"
    );
    assert!(
        diff.contains("-        \"summary\": \"Old name\""),
        "{diff}"
    );
    assert!(
        diff.contains("+        \"summary\": \"Health check\""),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(&job.output).expect("output"), stale);
    assert_eq!(
        listing(&dir),
        [
            "in.postman_collection.json",
            "out.openapi.json",
            "overrides.json"
        ]
    );

    // A missing file is stale too, and is not created.
    std::fs::remove_file(&job.output).expect("remove");
    assert!(matches!(
        sync(&job, true).expect("check"),
        Outcome::Stale(_)
    ));
    assert!(!job.output.exists());
}

#[test]
fn long_diffs_are_cut() {
    let old: String = (0..100).map(|i| format!("line {i}\n")).collect();
    let diff = postman_openapi::sync::short_diff(&old, "", Path::new("x.json"));
    let lines: Vec<&str> = diff.lines().collect();
    assert_eq!(lines.len(), 41, "{diff}");
    assert_eq!(lines[40], "... (63 more diff lines)");
}

/// Runs `xtask sync-postman` with `args`; returns the exit code and stderr.
fn xtask(args: &[&Path], check: bool) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.arg("sync-postman")
        .arg("--input")
        .arg(args[0])
        .arg("--output")
        .arg(args[1])
        .arg("--overrides")
        .arg(args[2]);
    if check {
        cmd.arg("--check");
    }
    let out = cmd.output().expect("run xtask");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_exit_codes() {
    let dir = scratch("cli");
    let job = job(&dir, &good_input(), "{}");
    let overrides = job.overrides.clone().expect("overrides");
    let args = [
        job.input.as_path(),
        job.output.as_path(),
        overrides.as_path(),
    ];

    // Missing output with --check: stale (1), nothing written.
    let (code, stderr) = xtask(&args, true);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("is stale"), "{stderr}");
    assert!(
        stderr.contains("run `cargo xtask sync-postman` and commit the result"),
        "{stderr}"
    );
    assert!(!job.output.exists());

    // Write (0), then up to date (0).
    let (code, stderr) = xtask(&args, false);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("wrote "), "{stderr}");
    let (code, stderr) = xtask(&args, true);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("is up to date"), "{stderr}");

    // Stale (1) with a diff and the command to run.
    std::fs::write(&job.output, ORIGINAL).expect("write output");
    let (code, stderr) = xtask(&args, true);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("(from the collection)"), "{stderr}");
    assert!(stderr.contains("cargo xtask sync-postman"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&job.output).expect("output"),
        ORIGINAL
    );

    // Errors (2): a broken collection, in both modes, and a missing overrides file.
    std::fs::write(&job.input, "[]").expect("break input");
    for check in [true, false] {
        let (code, stderr) = xtask(&args, check);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(
            stderr.trim_end(),
            format!(
                "error: {}: not a Postman collection: the top level is an array, not an object",
                job.input.display()
            )
        );
        assert_eq!(
            std::fs::read_to_string(&job.output).expect("output"),
            ORIGINAL
        );
    }
    std::fs::write(&job.input, good_input()).expect("restore input");
    let missing = dir.join("missing.json");
    let (code, stderr) = xtask(
        &[job.input.as_path(), job.output.as_path(), missing.as_path()],
        true,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: {}: ", missing.display())),
        "{stderr}"
    );
    assert_eq!(
        listing(&dir),
        [
            "in.postman_collection.json",
            "out.openapi.json",
            "overrides.json"
        ]
    );
}
