//! The converter on collections nobody here wrote: public API descriptions
//! (APIs.guru's directory) turned into Postman collections by
//! openapi-to-postmanv2, made by `npm --prefix xtask/roundtrip run corpus`
//! into `xtask/roundtrip/corpus/` (not checked in: it needs the npm registry
//! and a few minutes). Ignored by default; run it with
//! `cargo test -p xtask --test roundtrip -- --ignored corpus --nocapture`.

use std::path::Path;

use postman_openapi::generate::generate_code;
use postman_openapi::{convert, Options};

use crate::compile::check_crate;

#[test]
#[ignore = "needs the corpus made by `npm --prefix xtask/roundtrip run corpus`"]
fn corpus_converts_generates_and_compiles() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("roundtrip/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; make it with `npm ci --prefix xtask/roundtrip && npm --prefix \
                 xtask/roundtrip run corpus`",
                dir.display()
            )
        })
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".postman_collection.json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no collections", dir.display());
    let (mut modules, mut failures) = (Vec::new(), Vec::new());
    for path in &files {
        let name = path.file_name().expect("a file name").to_string_lossy();
        let name = name.trim_end_matches(".postman_collection.json").to_owned();
        let bytes = std::fs::read(path).expect("read a collection");
        let options = Options {
            source: format!("{name}.postman_collection.json"),
            ..Options::default()
        };
        match convert(&bytes, &options)
            .map_err(|e| e.to_string())
            .and_then(|doc| generate_code(&doc))
        {
            Ok(code) => modules.push((format!("m_{}", name.to_ascii_lowercase()), code)),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!(
        "{} of {} collections convert and generate",
        modules.len(),
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} do not convert or generate:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Crates of at most about 4 MB of code each (a large description alone),
    // checked one after the other: one crate of everything takes rustc
    // more memory than the machine has.
    modules.sort_by_key(|(_, code)| code.len());
    let (mut batches, mut size) = (Vec::<Vec<(String, String)>>::new(), usize::MAX);
    for module in modules {
        if size.saturating_add(module.1.len()) > 4_000_000 {
            batches.push(Vec::new());
            size = 0;
        }
        size += module.1.len();
        batches.last_mut().expect("a batch").push(module);
    }
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus");
    let broken: Vec<String> = (batches.iter().enumerate())
        .filter_map(|(i, batch)| {
            let dir = scratch.join(format!("crate{i}"));
            let checked = check_crate(&dir, &scratch.join("target"), batch);
            checked
                .err()
                .map(|e| format!("{}:\n{e}", dir.join("src").display()))
        })
        .collect();
    assert!(
        broken.is_empty(),
        "the generated code of {} crates does not compile:\n{}",
        broken.len(),
        broken.join("\n")
    );
}
