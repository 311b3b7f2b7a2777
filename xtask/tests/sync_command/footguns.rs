//! `cargo xtask sync-postman` without foot-guns: an output that is the input
//! or the overrides file in any spelling is refused and nothing is written;
//! the project's overrides apply to the project's collection only, and the
//! command says which it applied; the change report with `--check`.

use std::path::{Path, PathBuf};
use std::process::Command;

use postman_openapi::sync::{sync, Job, SyncError};
use postman_openapi::{convert, render};
use serde_json::Value;

use crate::{manifest_dir, options};

const FIXTURE: &str = "folders_tags.postman_collection.json";

fn fixture() -> Vec<u8> {
    std::fs::read(manifest_dir().join("tests/fixtures").join(FIXTURE)).expect("fixture")
}

/// A fresh, empty folder holding a copy of the fixture as `in.json`.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-sync-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).expect("create scratch folder");
    std::fs::write(dir.join("in.json"), fixture()).expect("write input");
    std::fs::write(dir.join("overrides.json"), "{}").expect("write overrides");
    dir
}

/// Runs the command in `dir`; returns the exit code and stderr.
fn xtask(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("sync-postman")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run xtask");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_output_naming_the_input_in_any_spelling_is_refused() {
    let dir = scratch("same-input");
    std::os::unix::fs::symlink(dir.join("in.json"), dir.join("link.json")).expect("symlink");
    std::fs::hard_link(dir.join("in.json"), dir.join("hard.json")).expect("hard link");
    let absolute = dir.join("in.json").display().to_string();
    for output in [
        "in.json",
        "./in.json",
        "sub/../in.json",
        absolute.as_str(),
        "link.json",
        "hard.json",
    ] {
        for check in [false, true] {
            let mut args = vec!["--input", "in.json", "--output", output];
            if check {
                args.push("--check");
            }
            let (code, stderr) = xtask(&dir, &args);
            assert_eq!(code, 2, "{output}: {stderr}");
            assert!(
                stderr.contains(&format!(
                    "error: --output {output} is the same file as the input in.json: refusing to replace it"
                )),
                "{output}: {stderr}"
            );
            assert_eq!(
                std::fs::read(dir.join("in.json")).expect("input"),
                fixture()
            );
            assert!(dir.join("link.json").is_symlink());
            assert_eq!(
                listing(&dir),
                ["hard.json", "in.json", "link.json", "overrides.json", "sub"]
            );
        }
    }
}

#[test]
fn an_output_naming_the_overrides_file_is_refused() {
    let dir = scratch("same-overrides");
    let job = Job {
        input: dir.join("in.json"),
        more_inputs: Vec::new(),
        output: dir.join("sub/../overrides.json"),
        overrides: Some(dir.join("overrides.json")),
        source_name: "in.json".into(),
    };
    let err = sync(&job, false).expect_err("must refuse");
    assert!(
        matches!(
            err,
            SyncError::SameFile {
                role: "overrides",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("overrides.json")).expect("overrides"),
        "{}"
    );
}

#[test]
fn a_symlinked_output_is_written_through_and_kept() {
    let dir = scratch("symlinked-output");
    std::fs::write(dir.join("sub/real.json"), "old\n").expect("write target");
    std::os::unix::fs::symlink(dir.join("sub/real.json"), dir.join("out.json")).expect("symlink");
    let (code, stderr) = xtask(&dir, &SCRATCH);
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.join("out.json").is_symlink());
    let expected = render(&convert(&fixture(), &options("in.json")).expect("converts"));
    assert_eq!(
        std::fs::read_to_string(dir.join("sub/real.json")).expect("target"),
        expected
    );
    assert_eq!(listing(&dir.join("sub")), ["real.json"]);
}

#[test]
fn another_input_gets_no_overrides_and_is_told_so() {
    let dir = scratch("foreign-input");
    let (code, stderr) = xtask(&dir, &["--input", "in.json", "--output", "out.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with(
            "no overrides applied: in.json is not the project's collections \
             (openapi/belvo.postman_collection.json, then \
             openapi/belvo.additions.postman_collection.json); pass --overrides FILE to apply some\n"
        ),
        "{stderr}"
    );
    let expected = render(&convert(&fixture(), &options("in.json")).expect("converts"));
    assert_eq!(
        std::fs::read_to_string(dir.join("out.json")).expect("output"),
        expected
    );
    // Named overrides are applied, without a note.
    std::fs::write(
        dir.join("overrides.json"),
        r#"{"title": "Renamed by the overrides"}"#,
    )
    .expect("write overrides");
    let (code, stderr) = xtask(&dir, &SCRATCH);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("wrote out.json"), "{stderr}");
    let doc: Value = serde_json::from_slice(&std::fs::read(dir.join("out.json")).expect("output"))
        .expect("json");
    assert_eq!(doc["info"]["title"], "Renamed by the overrides");
}

#[test]
fn the_project_collection_gets_the_project_overrides_and_is_told_so() {
    let dir = scratch("project-input");
    let root = manifest_dir().parent().expect("workspace");
    let (code, stderr) = xtask(&dir, &["--output", "out.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with("applying the project's overrides openapi/belvo.overrides.json\n"),
        "{stderr}"
    );
    // The same document as the checked-in one, which the overrides shaped.
    assert_eq!(
        std::fs::read_to_string(dir.join("out.json")).expect("output"),
        std::fs::read_to_string(root.join("openapi/belvo.openapi.json")).expect("document")
    );
}

/// The arguments of a sync of a scratch directory's files.
const SCRATCH: [&str; 6] = [
    "--input",
    "in.json",
    "--output",
    "out.json",
    "--overrides",
    "overrides.json",
];

#[test]
fn check_prints_the_change_report_with_the_diff() {
    let dir = scratch("report");
    let args = SCRATCH;
    assert_eq!(xtask(&dir, &args).0, 0);
    // Make the document on disk an older one: an operation fewer, and a
    // property that was optional.
    let path = dir.join("out.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&path).expect("out")).expect("json");
    let (op_path, method, id) = first_operation(&doc);
    doc["paths"][&op_path]
        .as_object_mut()
        .expect("path item")
        .remove(&method);
    std::fs::write(&path, render(&doc)).expect("write older document");
    let older = std::fs::read(&path).expect("older");

    let mut check = args.to_vec();
    check.push("--check");
    let (code, stderr) = xtask(&dir, &check);
    assert_eq!(code, 1, "{stderr}");
    let line = format!(
        "  ok       operation `{id}` ({} {op_path}): added",
        method.to_uppercase()
    );
    assert!(stderr.contains(&line), "{stderr}");
    assert!(stderr.contains("(from the collection)"), "{stderr}");
    assert_eq!(std::fs::read(&path).expect("unchanged"), older);

    // Writing prints the same report.
    let (code, stderr) = xtask(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(&line), "{stderr}");
}

/// A document on disk that does not generate a client (hand-edited, or
/// from another generator's time) has no report, and the command says why.
#[test]
fn an_old_document_that_does_not_generate_has_no_report() {
    let dir = scratch("report-broken");
    let args = SCRATCH;
    let broken = serde_json::json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"operationId": "x", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nowhere"}}}}}}}}});
    std::fs::write(dir.join("out.json"), render(&broken)).expect("write");
    let mut check = args.to_vec();
    check.push("--check");
    let (code, stderr) = xtask(&dir, &check);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no change report: the old document does not generate: "),
        "{stderr}"
    );
}

/// The first operation of a document: (path, method, operationId).
fn first_operation(doc: &Value) -> (String, String, String) {
    let (path, item) = doc["paths"]
        .as_object()
        .and_then(|p| p.iter().next())
        .expect("a path");
    let (method, op) = item
        .as_object()
        .and_then(|i| i.iter().find(|(_, v)| v.get("operationId").is_some()))
        .expect("an operation");
    (
        path.clone(),
        method.clone(),
        op["operationId"].as_str().expect("id").to_owned(),
    )
}

/// Belvo's export alone lacks the project's additions, which the project's
/// overrides name: it gets no overrides (it used to get them, and failed on
/// an operation the export does not have), and converts.
#[test]
fn belvo_s_export_alone_gets_no_overrides_and_converts() {
    let dir = scratch("export-alone");
    let root = manifest_dir().parent().expect("workspace");
    let export = root.join("openapi/belvo.postman_collection.json");
    let export = export.to_str().expect("utf-8 path");
    let (code, stderr) = xtask(&dir, &["--input", export, "--output", "out.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("no overrides applied: "), "{stderr}");
    let doc: Value = serde_json::from_slice(&std::fs::read(dir.join("out.json")).expect("output"))
        .expect("json");
    assert!(doc["paths"]["/api/balances/"]["post"].is_object());
    // Both collections, named explicitly and in another spelling, are the project's.
    let additions = root.join("openapi/./belvo.additions.postman_collection.json");
    let args = [
        "--input",
        export,
        "--input",
        additions.to_str().expect("utf-8"),
        "--output",
        "both.json",
    ];
    let (code, stderr) = xtask(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with("applying the project's overrides openapi/belvo.overrides.json\n"),
        "{stderr}"
    );
}

#[test]
fn the_command_says_what_it_left_out() {
    let dir = scratch("left-out");
    let coll = serde_json::json!({"info": {"name": "Echo", "schema":
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": [
        {"name": "Get", "request": {"method": "GET", "url": "https://echo.example.com/get",
            "header": [{"key": "X Off", "value": "1", "disabled": true}]}},
        {"name": "Link", "request": {"method": "LINK", "url": "https://echo.example.com/get"}},
        {"name": "Draft", "request": {"method": "POST"}},
        {"name": "Find", "request": {"method": "POST", "url": "https://echo.example.com/find",
            "body": {"mode": "urlencoded", "urlencoded": [
                {"key": "page_size", "value": "1"}, {"key": "pageSize", "value": "2"}]}},
         "response": [{"name": "Found", "code": 200,
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": "{\"a_b\": 1, \"aB\": 2}"}]}
    ]});
    std::fs::write(dir.join("in.json"), coll.to_string()).expect("write input");
    let args = ["--input", "in.json", "--output", "out.json"];
    let said = "left out (the document's descriptions say so):\n  \
                LINK item \"Link\" at $.item[1]: OpenAPI 3.0 has no LINK method\n  \
                POST item \"Draft\" at $.item[2]: the request has no URL\n  \
                operation `get` (GET /get): header `X Off` left out: it is disabled, and no \
                HTTP client could send it\n  \
                operation `find` (POST /find): Property `page_size` left out: its Rust name is \
                taken by `pageSize`.\n  \
                schema `Find`: Property `a_b` left out: its Rust name is taken by `aB`.\n";
    let (code, stderr) = xtask(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(said), "{stderr}");
    // And again when nothing changed.
    let (code, stderr) = xtask(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(said) && stderr.contains("out.json is up to date"),
        "{stderr}"
    );
}

#[test]
fn output_dash_is_standard_output() {
    let dir = scratch("stdout");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("sync-postman")
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("run xtask")
    };
    let printed = run(&["--input", "in.json", "--output", "-"]);
    assert_eq!(printed.status.code(), Some(0), "{printed:?}");
    let (code, stderr) = xtask(&dir, &["--input", "in.json", "--output", "out.json"]);
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read(dir.join("out.json")).expect("the written document");
    assert_eq!(printed.stdout, written);
    // No file named `-`; nothing to compare with, so no --check.
    assert_eq!(
        listing(&dir),
        ["in.json", "out.json", "overrides.json", "sub"]
    );
    let checked = run(&["--input", "in.json", "--output", "-", "--check"]);
    assert_eq!(checked.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert!(
        stderr
            .ends_with("error: --check compares the document with a file; --output - names none\n"),
        "{stderr}"
    );
}

/// A collection of GET items, each answering one JSON example.
fn gets(items: &[(&str, Value)]) -> String {
    let items: Vec<Value> = (items.iter())
        .map(|(path, body)| {
            let url = format!("https://api.example.com/{path}");
            serde_json::json!({"name": path, "request": {"method": "GET", "url": url},
                "response": [{"name": "ok", "code": 200, "body": body.to_string(),
                    "header": [{"key": "Content-Type", "value": "application/json"}]}]})
        })
        .collect();
    let info = serde_json::json!({"name": "pins",
        "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"});
    serde_json::json!({"info": info, "item": items}).to_string()
}

/// The warnings of a sync of `before`, then of `after`, with `pins`.
fn pin_warnings(
    name: &str,
    pins: &str,
    before: &[(&str, Value)],
    after: &[(&str, Value)],
) -> Vec<String> {
    let dir = scratch(name);
    std::fs::write(dir.join("overrides.json"), pins).expect("write overrides");
    let mut warnings = Vec::new();
    for items in [before, after] {
        std::fs::write(dir.join("in.json"), gets(items)).expect("write input");
        let (code, stderr) = xtask(&dir, &SCRATCH);
        assert_eq!(code, 0, "{stderr}");
        warnings = (stderr.lines())
            .filter_map(|l| l.strip_prefix("warning: "))
            .map(str::to_owned)
            .collect();
    }
    warnings
}

/// An item added before the others moves the inferred numbers (`Thing2`
/// becomes `Thing3`), and a schema name pinned to `Thing2` with them: the
/// command says so, and which schema is now more like the pinned one. A
/// pinned schema that only gained properties, or whose numbers stay, is
/// no warning.
#[test]
fn a_pin_that_moved_onto_another_schema_is_said() {
    let thing = serde_json::json!({"id": "t1", "name": "one"});
    let label = serde_json::json!({"code": "L1", "label": "red", "color": "#f00"});
    let first = serde_json::json!({"size": 3, "weight": 4});
    let moved = pin_warnings(
        "moved-pin",
        r#"{"schema_names": {"Thing2": "Label"}}"#,
        &[("things", thing.clone()), ("other/things", label.clone())],
        &[
            ("new/things", first),
            ("things", thing.clone()),
            ("other/things", label.clone()),
        ],
    );
    let warning = "schema_names.Thing2: `Label` now names a schema with 0 of the checked-in \
                   `Label`'s 3 properties (`code`, `color`, `label`) and 2 others, and `Thing3` \
                   has 3 and 0 others: the inferred names may have moved; pin `Label` to the \
                   schema meant";
    assert_eq!(moved, [warning]);

    // Numbered siblings sharing half their properties are told apart.
    let colored = serde_json::json!({"id": "t1", "name": "one", "color": "red"});
    let sized = serde_json::json!({"id": "t2", "name": "two", "size": 3});
    let siblings = pin_warnings(
        "moved-sibling",
        r#"{"schema_names": {"Thing2": "SizedThing"}}"#,
        &[("things", colored.clone()), ("other/things", sized.clone())],
        &[
            ("new/things", serde_json::json!({"w": 1})),
            ("things", colored),
            ("other/things", sized),
        ],
    );
    assert_eq!(siblings.len(), 1, "{siblings:?}");
    assert!(
        siblings[0].contains("and `Thing3` has 3 and 0 others"),
        "{siblings:?}"
    );

    // A pinned schema that gained properties is still itself.
    let grown =
        serde_json::json!({"id": "t1", "name": "one", "color": "red", "size": 3, "weight": 4});
    let none = pin_warnings(
        "grown-pin",
        r#"{"schema_names": {"Thing": "Item"}}"#,
        &[("things", thing.clone())],
        &[("things", grown)],
    );
    assert!(none.is_empty(), "{none:?}");
}
