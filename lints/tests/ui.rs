//! UI tests of the Dylint library, with `dylint_testing`, over every case:
//!
//! - the shared cases `../tests/ui/*.rs` (the CLI's too), snapshots in `ui/shared/NAME.stderr`
//!   (the CLI owns `tests/ui/NAME.stderr`);
//! - the Dylint-only cases `ui/*.rs` (what only types can decide), snapshots beside them.
//!
//! Cases are found by listing the directories, so a new shared case is tested without edits.
//! Every case is a parity test: the lines that the driver reports must be exactly the lines
//! marked `//~ LINT_NAME`. Its output must also equal its snapshot; a shared case that has no
//! snapshot yet is only reported (so that a case can land before its Dylint snapshot), while
//! a Dylint-only case must have one.
//!
//! `CTXLINT_BLESS=1 cargo test --test ui` rewrites the snapshots from the actual output (and deletes
//! those of cases that print nothing, or whose case is gone); the parity check still runs.
//!
//! How: `dylint_testing` runs compiletest over a staged copy of the cases with no expected
//! output, so compiletest saves every case's actual output; this test then compares it. That
//! run happens in a child process (this same test, re-run with `CTXLINT_UI_CHILD` set), because
//! compiletest prints its own report to the real stdout, where it would read as a failure
//! whenever a case prints diagnostics; the child's output is shown only when something fails.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;

const LIB: &str = env!("CARGO_PKG_NAME");

/// The crates that the cases use, built by cargo as dev-dependencies of this package.
const CASE_DEPS: [&str; 5] = [
    "contextvars",
    "tokio",
    "tracing",
    "opentelemetry",
    "sentry_core",
];

/// Set (to the work directory) in the child process that runs compiletest.
const CHILD: &str = "CTXLINT_UI_CHILD";

/// What compiletest panics with when a case's output differs from the (empty) expected one.
const CASES_DIFFER: &str = "Some tests failed";

struct Case {
    /// The file stem, which is also the case's crate name.
    name: String,
    source: PathBuf,
    snapshot: PathBuf,
    /// Shared with the CLI (`../tests/ui`), rather than Dylint-only (`ui`).
    shared: bool,
}

#[test]
fn ui() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Some(work) = std::env::var_os(CHILD) {
        run_compiletest(manifest_dir, Path::new(&work));
        return;
    }
    let cases = cases(manifest_dir);
    let bless = std::env::var_os("CTXLINT_BLESS").is_some_and(|v| !v.is_empty() && v != "0");

    // Outside this workspace: on a machine without a cached Dylint driver, the child builds
    // one in a temporary package under `TMPDIR` (set below), and cargo refuses a package that
    // sits inside a workspace that does not list it.
    let work = std::env::temp_dir().join(format!("ctxlint-dylint-ui-{}", std::process::id()));
    let (src_base, build_base) = (work.join("src"), work.join("build"));
    let _ = fs::remove_dir_all(&work);
    for dir in [&src_base, &build_base] {
        fs::create_dir_all(dir).unwrap();
    }
    for case in &cases {
        fs::copy(&case.source, src_base.join(format!("{}.rs", case.name))).unwrap();
    }

    // compiletest saves the actual output of a differing case under `env::temp_dir()`: point it
    // at our build directory, in the child only.
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args(["--exact", "ui", "--nocapture", "--test-threads=1"])
        .env(CHILD, &work)
        .env("TMPDIR", &build_base);
    // The first run builds the Dylint driver, whose build clones rust-clippy from GitHub unless
    // DYLINT_CLIPPY_REPO names a local repository: without it, build that repository, so that
    // `cargo test` also works where GitHub cannot be reached.
    if std::env::var_os("DYLINT_CLIPPY_REPO").is_none() {
        let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-clippy-repo");
        let script = manifest_dir.join("scripts/offline-clippy-repo.sh");
        let output = Command::new(script).arg(&dest).output().unwrap();
        assert!(
            output.status.success(),
            "offline-clippy-repo.sh failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        child.env("DYLINT_CLIPPY_REPO", dest);
    }
    let child = child.output().unwrap();
    // Indented, so that no line of it reads as this test's own `test result:` line to tools
    // that sum those (scripts/test.sh does).
    let child_output = format!(
        "compiletest (child) stdout:\n{}\ncompiletest (child) stderr:\n{}",
        indent(&String::from_utf8_lossy(&child.stdout)),
        indent(&String::from_utf8_lossy(&child.stderr))
    );
    let outcome = fs::read_to_string(work.join("outcome")).unwrap_or_default();
    assert!(
        outcome == "ok" || outcome == CASES_DIFFER,
        "compiletest did not run the cases ({outcome:?})\n{child_output}"
    );

    let mut failures = Vec::new();
    let mut notes = Vec::new();
    for case in &cases {
        let actual = actual_output(&build_base, &case.name).unwrap_or_default();
        let expected = fs::read_to_string(&case.snapshot).ok();
        if bless {
            if actual.is_empty() {
                let _ = fs::remove_file(&case.snapshot);
            } else if expected.as_deref() != Some(actual.as_str()) {
                fs::create_dir_all(case.snapshot.parent().unwrap()).unwrap();
                fs::write(&case.snapshot, &actual).unwrap();
            }
        } else {
            match expected {
                Some(expected) if expected != actual => failures.push(format!(
                    "{}: the output differs from the snapshot:\n{}",
                    case.snapshot.display(),
                    line_diff(&expected, &actual)
                )),
                None if !actual.is_empty() && case.shared => notes.push(format!(
                    "{}: no snapshot yet for this shared case",
                    case.snapshot.display()
                )),
                None if !actual.is_empty() => failures.push(format!(
                    "{}: no snapshot; the output is:\n{actual}",
                    case.snapshot.display()
                )),
                _ => {}
            }
        }
        let marked = marked_lines(&fs::read_to_string(&case.source).unwrap());
        let reported = reported_lines(&actual, &case.name);
        if marked != reported {
            failures.push(format!(
                "{}: parity: the `//~` markers are {marked:?} but the driver reports \
                 {reported:?} (line, lint)",
                case.source.display()
            ));
        }
    }
    let (orphan_failures, orphan_notes) = orphan_snapshots(manifest_dir, &cases, bless);
    failures.extend(orphan_failures);
    notes.extend(orphan_notes);

    let names: Vec<&str> = cases.iter().map(|case| case.name.as_str()).collect();
    println!("{} UI cases: {}", cases.len(), names.join(", "));
    for note in &notes {
        println!("note: {note} (`CTXLINT_BLESS=1 cargo test --test ui` in `lints/` writes it)");
    }
    if failures.is_empty() {
        let _ = fs::remove_dir_all(&work);
    }
    assert!(
        failures.is_empty(),
        "\n{}\n\nIf the new output is intended, run `CTXLINT_BLESS=1 cargo test --test ui` inside \
         `lints/` and review the diff.\n\n{child_output}",
        failures.join("\n\n")
    );
}

/// The child's part: one compiletest run over the staged cases, through `dylint_testing`.
/// Writes how it ended to `WORK/outcome`: `ok`, or the panic message.
fn run_compiletest(manifest_dir: &Path, work: &Path) {
    let dylint_toml = fs::read_to_string(manifest_dir.join("ui/dylint.toml")).unwrap_or_default();
    let flags = rustc_flags(manifest_dir);
    let result = catch_unwind(AssertUnwindSafe(|| {
        dylint_testing::ui::Test::src_base(LIB, work.join("src"))
            .rustc_flags(&flags)
            .dylint_toml(&dylint_toml)
            .run();
    }));
    let outcome = match result {
        Ok(()) => "ok".to_owned(),
        Err(panic) => panic
            .downcast_ref::<&str>()
            .map(|message| (*message).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned()),
    };
    fs::write(work.join("outcome"), outcome).unwrap();
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("  | {line}\n")).collect()
}

/// A minimal line diff (longest common subsequence), `-` for the snapshot, `+` for the output.
fn line_diff(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!(" {}\n", a[i]));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+{}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("-{}\n", a[i]));
            i += 1;
        }
    }
    out
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
            shared: true,
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
            shared: false,
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
    // With `--message-format=json`, compiler errors are JSON on stdout: show them rendered.
    assert!(
        output.status.success(),
        "cargo build failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter_map(|message| message["message"]["rendered"].as_str().map(str::to_owned))
            .collect::<String>(),
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

/// `(line, lint)` for every `//~ a, b` marker, and every `//~ dylint: a` marker (a finding
/// that only this driver can make: the CLI stays silent there); an unknown lint name fails the
/// test.
fn marked_lines(source: &str) -> BTreeSet<(usize, String)> {
    let mut marked = BTreeSet::new();
    for (index, line) in source.lines().enumerate() {
        let Some((_, names)) = line.split_once("//~") else {
            continue;
        };
        // `//~ a, b; dylint: c`: every part is this library's.
        for name in names
            .split(';')
            .map(|part| {
                let part = part.trim_start();
                part.strip_prefix("dylint:").unwrap_or(part)
            })
            .flat_map(|part| part.split(','))
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
        let Some(lint) = message.and_then(|m| {
            ctxlint_catalogue::LINTS.iter().find(|l| {
                l.form(ctxlint_catalogue::Language::Rust)
                    .is_some_and(|f| f.message == m)
            })
        }) else {
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

/// Snapshots whose case is gone, as (failures, notes); blessing deletes them. An orphan in
/// `ui/shared` is only a note: the shared case may be on its way through another branch.
fn orphan_snapshots(
    manifest_dir: &Path,
    cases: &[Case],
    bless: bool,
) -> (Vec<String>, Vec<String>) {
    let expected: BTreeSet<&PathBuf> = cases.iter().map(|case| &case.snapshot).collect();
    let (mut failures, mut notes) = (Vec::new(), Vec::new());
    for (dir, shared) in [("ui", false), ("ui/shared", true)] {
        for entry in fs::read_dir(manifest_dir.join(dir)).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|ext| ext != "stderr") || expected.contains(&path) {
                continue;
            }
            let message = format!("{}: a snapshot without a case", path.display());
            if bless {
                fs::remove_file(&path).unwrap();
            } else if shared {
                notes.push(message);
            } else {
                failures.push(message);
            }
        }
    }
    (failures, notes)
}
