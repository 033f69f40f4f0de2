//! UI tests of the Dylint library, with `dylint_testing`, over every case:
//!
//! - the shared cases `../tests/ui/*.rs` (the CLI's too), snapshots in `ui/shared/NAME.stderr`
//!   (the CLI owns `tests/ui/NAME.stderr`);
//! - the Dylint-only cases `ui/*.rs` (what only types can decide), snapshots beside them.
//!
//! Cases are found by listing the directories, so a new shared case is picked up without edits
//! (its first run fails until its snapshot is blessed). Every case is also a parity test: the
//! lines that the driver reports must be exactly the lines marked `//~ LINT_NAME`.
//!
//! `BLESS=1 cargo test --test ui` rewrites the snapshots from the actual output (and deletes
//! those of cases that print nothing); the parity check still runs.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;

const LIB: &str = env!("CARGO_PKG_NAME");

/// The crates that the cases use, built by cargo as dev-dependencies of this package.
const CASE_DEPS: [&str; 2] = ["contextvars", "tokio"];

struct Case {
    /// The file stem, which is also the case's crate name.
    name: String,
    source: PathBuf,
    snapshot: PathBuf,
}

#[test]
fn ui() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases = cases(manifest_dir);
    let bless = std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0");

    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ctxlint-ui");
    let src_base = work.join("src");
    let build_base = work.join("build");
    for dir in [&src_base, &build_base] {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir).unwrap();
    }
    for case in &cases {
        fs::copy(&case.source, src_base.join(format!("{}.rs", case.name))).unwrap();
        // When blessing, the expected output is left empty, so that compiletest writes every
        // non-empty actual output to the build directory.
        if !bless && case.snapshot.exists() {
            fs::copy(
                &case.snapshot,
                src_base.join(format!("{}.stderr", case.name)),
            )
            .unwrap();
        }
    }

    // compiletest writes the actual output of a failing case under `env::temp_dir()`; point it
    // at a fresh directory of our own so that blessing can find it.
    // SAFETY: this is the only test in this binary, and nothing else runs while it sets this.
    unsafe { std::env::set_var("TMPDIR", &build_base) };

    let dylint_toml = fs::read_to_string(manifest_dir.join("ui/dylint.toml")).unwrap_or_default();
    let flags = rustc_flags(manifest_dir);
    let compared = catch_unwind(AssertUnwindSafe(|| {
        dylint_testing::ui::Test::src_base(LIB, &src_base)
            .rustc_flags(&flags)
            .dylint_toml(&dylint_toml)
            .run();
    }));

    if bless {
        for case in &cases {
            match actual_output(&build_base, &case.name) {
                Some(actual) => {
                    fs::create_dir_all(case.snapshot.parent().unwrap()).unwrap();
                    fs::write(&case.snapshot, actual).unwrap();
                }
                None => {
                    let _ = fs::remove_file(&case.snapshot);
                }
            }
        }
    }

    let mut failures = Vec::new();
    if !bless && compared.is_err() {
        failures.push(
            "the driver's output differs from a snapshot (diff above); if the change is \
             intended, run `BLESS=1 cargo test --test ui` inside `lints/`"
                .to_owned(),
        );
    }
    for case in &cases {
        let source = fs::read_to_string(&case.source).unwrap();
        let snapshot = fs::read_to_string(&case.snapshot).unwrap_or_default();
        let marked = marked_lines(&source);
        let reported = reported_lines(&snapshot, &case.name);
        if marked != reported {
            failures.push(format!(
                "{}: the `//~` markers are {marked:?} but the driver reports {reported:?} \
                 (line, lint)",
                case.source.display()
            ));
        }
    }
    failures.extend(orphan_snapshots(manifest_dir, &cases));
    println!(
        "{} cases: {}",
        cases.len(),
        cases
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

/// Every `.rs` file of `../tests/ui` and `ui`, sorted by name. A name used by both is an error:
/// the cases share one directory when they run.
fn cases(manifest_dir: &Path) -> Vec<Case> {
    let shared = manifest_dir.join("../tests/ui");
    let own = manifest_dir.join("ui");
    let mut cases: Vec<Case> = rs_files(&shared)
        .into_iter()
        .map(|(name, source)| Case {
            snapshot: own.join("shared").join(format!("{name}.stderr")),
            name,
            source,
        })
        .collect();
    for (name, source) in rs_files(&own) {
        assert!(
            cases.iter().all(|case| case.name != name),
            "`ui/{name}.rs` has the name of a shared case; rename it"
        );
        cases.push(Case {
            snapshot: own.join(format!("{name}.stderr")),
            name,
            source,
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!cases.is_empty(), "no UI cases found");
    cases
}

fn rs_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| {
            (
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .collect()
}

/// `--edition=2024` (dylint_testing defaults to 2015) and the `--extern`/`-L` flags for the
/// crates the cases use, from cargo's own build of this package's dev-dependencies: asking
/// cargo for the artifacts (fresh, so nothing is rebuilt) names the exact files, where searching
/// a `deps` directory could find several builds of a crate.
///
/// Two things of recent cargo shape this: each crate is built in a directory of its own, so
/// every artifact's directory is passed with `-L dependency=` (for the transitive ones); and an
/// rlib may carry only a stub of its metadata, so the `.rmeta` is passed where there is one
/// (the cases are only checked, `--emit=metadata`, so metadata is all that is needed).
fn rustc_flags(manifest_dir: &Path) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(manifest_dir)
        .args(["build", "--tests", "--message-format=json", "--quiet"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut flags = vec!["--edition=2024".to_owned()];
    let mut dirs = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let files: Vec<&str> = message["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        dirs.extend(
            files
                .iter()
                .filter_map(|file| Path::new(file).parent())
                .map(Path::to_path_buf),
        );
        let name = message["target"]["name"].as_str().unwrap_or_default();
        if !CASE_DEPS.contains(&name) {
            continue;
        }
        let metadata = files
            .iter()
            .find(|file| file.ends_with(".rmeta"))
            .or_else(|| files.iter().find(|file| file.ends_with(".rlib")));
        if let Some(metadata) = metadata {
            flags.extend(["--extern".to_owned(), format!("{name}={metadata}")]);
        }
    }
    for dir in dirs {
        flags.extend(["-L".to_owned(), format!("dependency={}", dir.display())]);
    }
    assert_eq!(
        flags.iter().filter(|flag| *flag == "--extern").count(),
        CASE_DEPS.len(),
        "cargo did not report every case dependency: {flags:?}"
    );
    flags
}

/// The output compiletest saved for a case whose expected output was empty: `None` when the
/// case printed nothing.
fn actual_output(build_base: &Path, name: &str) -> Option<String> {
    let prefix = format!("{name}.");
    fs::read_dir(build_base)
        .ok()?
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            let file = path.file_name().unwrap().to_string_lossy();
            file.starts_with(&prefix) && file.ends_with(".stderr")
        })
        .map(|path| fs::read_to_string(path).unwrap())
}

/// `(line, lint)` for every `//~ a, b` marker; an unknown lint name fails the test.
fn marked_lines(source: &str) -> BTreeSet<(usize, String)> {
    let mut marked = BTreeSet::new();
    for (index, line) in source.lines().enumerate() {
        let Some((_, names)) = line.split_once("//~") else {
            continue;
        };
        for name in names
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            assert!(
                ctxlint_catalogue::find(name).is_some(),
                "line {}: unknown lint `{name}`",
                index + 1
            );
            marked.insert((index + 1, name.to_owned()));
        }
    }
    marked
}

/// `(line, lint)` for every diagnostic of ours in a rendered snapshot: a `warning: MESSAGE` (or
/// `error:` under `deny`) header, known by its catalogue message, and its `--> $DIR/NAME.rs:L:C`.
fn reported_lines(stderr: &str, name: &str) -> BTreeSet<(usize, String)> {
    let location = format!("--> $DIR/{name}.rs:");
    let mut reported = BTreeSet::new();
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        let message = line
            .strip_prefix("warning: ")
            .or_else(|| line.strip_prefix("error: "));
        let Some(lint) =
            message.and_then(|m| ctxlint_catalogue::LINTS.iter().find(|l| l.message == m))
        else {
            continue;
        };
        let at = lines
            .by_ref()
            .find_map(|l| l.trim().strip_prefix(location.as_str()))
            .and_then(|rest| rest.split(':').next()?.parse().ok())
            .unwrap_or_else(|| panic!("{name}: no location after `{line}`"));
        reported.insert((at, lint.name.to_owned()));
    }
    reported
}

/// Snapshots whose case is gone; blessing deletes them.
fn orphan_snapshots(manifest_dir: &Path, cases: &[Case]) -> Vec<String> {
    let expected: BTreeSet<&PathBuf> = cases.iter().map(|case| &case.snapshot).collect();
    let mut orphans = Vec::new();
    for dir in [manifest_dir.join("ui"), manifest_dir.join("ui/shared")] {
        for entry in fs::read_dir(&dir).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "stderr") && !expected.contains(&path) {
                if std::env::var_os("BLESS").is_some() {
                    let _ = fs::remove_file(&path);
                } else {
                    orphans.push(format!("{}: a snapshot without a case", path.display()));
                }
            }
        }
    }
    orphans
}
