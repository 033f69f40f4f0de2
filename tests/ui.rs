//! The UI tests: every `tests/ui/*.rs` is a real program against `contextvars`, with a
//! `//~ LINT` marker on each line where a finding's primary span starts (`//~ a, b` for
//! several); every `tests/ui/*.py` is a Python module with `#~ LINT` markers. The harness runs
//! the `ctxlint` binary on each file and checks that
//!
//! 1. every marker is reported, and nothing unmarked is;
//! 2. the human output (without colour) equals the committed `tests/ui/NAME.stderr`.
//!
//! 3. `ctxlint check --fix` on a copy of the case gives the committed `tests/ui/NAME.fixed`
//!    (or leaves the case unchanged when there is no `.fixed`); a second `--fix` changes
//!    nothing; and the fixed file has exactly the original findings less the fixed ones.
//!
//! Every Rust `.fixed` file is also an example of `tests/ui-cases`, so `cargo test` compiles it
//! against `contextvars` (`every_fixed_file_is_compiled` checks the manifest lists them).
//! Python cases are named `py_*.py`, so that their snapshots never share a name with a Rust
//! case's; the Dylint library's UI test only picks `*.rs`.
//!
//! After an intended change of output, regenerate the snapshots with
//! `CTXLINT_BLESS=1 cargo test --test ui` and review the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// Every case, Rust and Python.
fn all_cases() -> Result<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    cases.retain(|p| p.extension().is_some_and(|e| e == "rs" || e == "py"));
    cases.sort();
    Ok(cases)
}

/// The Rust cases.
fn cases() -> Result<Vec<PathBuf>> {
    let mut cases = all_cases()?;
    cases.retain(|p| p.extension().is_some_and(|e| e == "rs"));
    Ok(cases)
}

/// The Python cases.
fn py_cases() -> Result<Vec<PathBuf>> {
    let mut cases = all_cases()?;
    cases.retain(|p| p.extension().is_some_and(|e| e == "py"));
    Ok(cases)
}

fn is_python(case: &Path) -> bool {
    case.extension().is_some_and(|e| e == "py")
}

/// `(line, lint)` → how many times, from the `//~` markers (`#~` in Python). A
/// `//~ dylint: NAME` marker (alone, or after a `;`: `//~ a; dylint: b`) is a finding that only
/// the type-aware Dylint library can make (listed in `docs/dylint-only.md`): the CLI must stay
/// silent there, so it is not expected.
fn markers(source: &str, marker: &str) -> BTreeMap<(usize, String), usize> {
    let mut out = BTreeMap::new();
    for (i, line) in source.lines().enumerate() {
        let Some((_, rest)) = line.split_once(marker) else {
            continue;
        };
        // `//~ a, b; dylint: c`: the part after `dylint:` is only the Dylint library's.
        for part in rest.split(';') {
            if part.trim_start().starts_with("dylint:") {
                continue;
            }
            for name in part.split(',') {
                *out.entry((i + 1, name.trim().to_owned())).or_default() += 1;
            }
        }
    }
    out
}

fn ctxlint(args: &[&str]) -> Result<std::process::Output> {
    ctxlint_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn ctxlint_in(dir: &Path, args: &[&str]) -> Result<std::process::Output> {
    Ok(Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(args)
        .current_dir(dir)
        .output()?)
}

/// The `(lint, applicability)` of each finding in cargo JSON output.
fn findings_of(json: &[u8]) -> Result<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    for line in std::str::from_utf8(json)?.lines() {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let message = &value["message"];
        let code = message["code"]["code"]
            .as_str()
            .ok_or("no code")?
            .to_owned();
        let applicability = message["children"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["spans"].as_array().into_iter().flatten())
            .find_map(|s| s["suggestion_applicability"].as_str().map(str::to_owned));
        out.push((code, applicability));
    }
    Ok(out)
}

/// Part 3 of the harness: `--fix` against the `.fixed` snapshot.
fn run_fix(case: &Path, name: &str, source: &str, bless: bool) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let rel = format!("tests/ui/{name}");
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join(name);
    std::fs::write(&copy, source)?;
    let before = ctxlint_in(dir.path(), &["check", "-q", "--format", "json", name])?;
    let fixed = ctxlint_in(
        dir.path(),
        &["check", "-q", "--fix", "--format", "json", name],
    )?;
    if fixed.status.code() == Some(2) {
        problems.push(format!(
            "{rel}: --fix failed: {}",
            String::from_utf8_lossy(&fixed.stderr)
        ));
    }
    let actual = std::fs::read_to_string(&copy)?;
    let snapshot = case.with_extension("fixed");
    if bless {
        if actual == source {
            if snapshot.exists() {
                std::fs::remove_file(&snapshot)?;
            }
        } else {
            std::fs::write(&snapshot, &actual)?;
        }
    } else {
        let committed = std::fs::read_to_string(&snapshot).unwrap_or_else(|_| source.to_owned());
        if committed != actual {
            problems.push(format!(
                "{rel}: --fix gives other text than {} (run `CTXLINT_BLESS=1 cargo test --test ui` and review the diff)\n--- expected\n{committed}\n+++ actual\n{actual}",
                snapshot.display()
            ));
        }
    }
    // Idempotent: a second run changes nothing.
    let again = ctxlint_in(
        dir.path(),
        &["check", "-q", "--fix", "--format", "json", name],
    )?;
    if std::fs::read_to_string(&copy)? != actual {
        problems.push(format!("{rel}: a second --fix changed the file again"));
    }
    // The fixed file keeps every finding that was not machine-applicable, and no other.
    let mut expected: Vec<_> = findings_of(&before.stdout)?
        .into_iter()
        .filter(|(_, a)| a.as_deref() != Some("MachineApplicable"))
        .collect();
    let mut left = findings_of(&fixed.stdout)?;
    let mut left_again = findings_of(&again.stdout)?;
    expected.sort();
    left.sort();
    left_again.sort();
    if left != expected || left_again != expected {
        problems.push(format!(
            "{rel}: after --fix, expected the findings {expected:?}, got {left:?} (and {left_again:?} after a second run)"
        ));
    }
    Ok(problems)
}

/// Runs one case; returns its problems, if any.
fn run_case(case: &Path, bless: bool) -> Result<Vec<String>> {
    let name = case
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("bad file name")?;
    let rel = format!("tests/ui/{name}");
    let source = std::fs::read_to_string(case)?;
    let mut problems = Vec::new();

    // 1. Markers against the JSON findings.
    let json = ctxlint(&["check", "-q", "--format", "json", &rel])?;
    let mut found: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for line in String::from_utf8(json.stdout)?.lines() {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let message = &value["message"];
        let code = message["code"]["code"]
            .as_str()
            .ok_or("no code")?
            .to_owned();
        let primary = message["spans"]
            .as_array()
            .and_then(|spans| spans.iter().find(|s| s["is_primary"] == true))
            .ok_or("no primary span")?;
        let line = primary["line_start"].as_u64().ok_or("no line")? as usize;
        *found.entry((line, code)).or_default() += 1;
    }
    let marker = if is_python(case) { "#~" } else { "//~" };
    let expected = markers(&source, marker);
    for (key, n) in &expected {
        let got = found.get(key).copied().unwrap_or(0);
        if got < *n {
            problems.push(format!(
                "{rel}:{}: expected `{}` here, not reported",
                key.0, key.1
            ));
        }
    }
    for (key, n) in &found {
        let want = expected.get(key).copied().unwrap_or(0);
        if *n > want {
            problems.push(format!(
                "{rel}:{}: `{}` reported but not marked",
                key.0, key.1
            ));
        }
    }
    let code = json.status.code();
    let want_code = if expected.is_empty() {
        Some(0)
    } else {
        Some(1)
    };
    if code != want_code {
        problems.push(format!(
            "{rel}: exit code {code:?}, expected {want_code:?}: {}",
            String::from_utf8_lossy(&json.stderr)
        ));
    }

    // 2. The human output against the snapshot.
    let human = ctxlint(&["check", "-q", "--color", "never", &rel])?;
    let actual = String::from_utf8(human.stdout)?;
    let snapshot = case.with_extension("stderr");
    if bless {
        if actual.is_empty() {
            if snapshot.exists() {
                std::fs::remove_file(&snapshot)?;
            }
        } else {
            std::fs::write(&snapshot, &actual)?;
        }
    } else {
        let committed = std::fs::read_to_string(&snapshot).unwrap_or_default();
        if committed != actual {
            problems.push(format!(
                "{rel}: output differs from {} (run `CTXLINT_BLESS=1 cargo test --test ui` and review the diff)\n--- expected\n{committed}\n+++ actual\n{actual}",
                snapshot.display()
            ));
        }
    }
    problems.extend(run_fix(case, name, &source, bless)?);
    Ok(problems)
}

#[test]
fn ui() -> Result<()> {
    let bless = std::env::var_os("CTXLINT_BLESS").is_some_and(|v| v != "0");
    let cases = all_cases()?;
    assert!(!cases.is_empty(), "no UI cases found");
    assert!(!py_cases()?.is_empty(), "no Python UI cases found");
    let mut problems = Vec::new();
    for case in &cases {
        problems.extend(run_case(case, bless)?);
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    Ok(())
}

/// Every case is an example of `tests/ui-cases`, so that `cargo test` compiles it.
#[test]
fn every_case_is_compiled() -> Result<()> {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui-cases/Cargo.toml"),
    )?;
    for case in cases()? {
        let name = case
            .file_stem()
            .and_then(|n| n.to_str())
            .ok_or("bad file name")?;
        let entry = format!("[[example]]\nname = \"{name}\"\npath = \"../ui/{name}.rs\"\n");
        assert!(
            manifest.contains(&entry),
            "tests/ui-cases/Cargo.toml lacks:\n{entry}"
        );
    }
    Ok(())
}

/// Every `.fixed` file is an example of `tests/ui-cases` too, so that `cargo test` compiles
/// the fixed code against `contextvars`.
#[test]
fn every_fixed_file_is_compiled() -> Result<()> {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui-cases/Cargo.toml"),
    )?;
    let mut fixed = 0;
    for case in cases()? {
        if !case.with_extension("fixed").exists() {
            continue;
        }
        fixed += 1;
        let name = case
            .file_stem()
            .and_then(|n| n.to_str())
            .ok_or("bad file name")?;
        let entry =
            format!("[[example]]\nname = \"{name}_fixed\"\npath = \"../ui/{name}.fixed\"\n");
        assert!(
            manifest.contains(&entry),
            "tests/ui-cases/Cargo.toml lacks:\n{entry}"
        );
    }
    assert!(fixed > 0, "no `.fixed` snapshots: --fix applies nothing");
    Ok(())
}

/// A snapshot without its case is a leftover.
#[test]
fn no_orphan_snapshots() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path
            .extension()
            .is_some_and(|e| e == "stderr" || e == "fixed")
        {
            assert!(
                path.with_extension("rs").exists() || path.with_extension("py").exists(),
                "{} has no case",
                path.display()
            );
        }
    }
    Ok(())
}

/// A Python case and a Rust case of the same name would share their snapshots.
#[test]
fn python_cases_have_their_own_names() -> Result<()> {
    for case in py_cases()? {
        let name = case
            .file_stem()
            .and_then(|n| n.to_str())
            .ok_or("bad file name")?;
        assert!(
            name.starts_with("py_"),
            "{}: Python cases are named `py_*.py`",
            case.display()
        );
        assert!(
            !case.with_extension("rs").exists(),
            "{} shares its name with a Rust case",
            case.display()
        );
    }
    Ok(())
}

/// At least 25 marked lines per lint in the Python cases, and unmarked calls of `ContextVar(`
/// with a `default=` and of `.run(` (the negatives) too.
#[test]
fn enough_python_cases_per_lint() -> Result<()> {
    let mut positives: BTreeMap<&str, usize> = BTreeMap::new();
    let mut negatives: BTreeMap<&str, usize> = BTreeMap::new();
    for case in py_cases()? {
        let source = std::fs::read_to_string(&case)?;
        for line in source.lines() {
            let code = line.split('#').next().unwrap_or("");
            for (lint, needle) in [
                ("interior_mutable_default", "default="),
                ("sync_run_wraps_future", ".run("),
            ] {
                if line.contains(&format!("#~ {lint}")) {
                    *positives.entry(lint).or_default() += 1;
                } else if code.contains(needle) && !code.contains("asyncio.run(") {
                    *negatives.entry(lint).or_default() += 1;
                }
            }
        }
    }
    for lint in ["interior_mutable_default", "sync_run_wraps_future"] {
        let (p, n) = (
            positives.get(lint).copied().unwrap_or(0),
            negatives.get(lint).copied().unwrap_or(0),
        );
        assert!(p >= 25, "{lint}: only {p} marked Python lines");
        assert!(n >= 20, "{lint}: only {n} Python negatives");
    }
    Ok(())
}

/// The first lints' issue asked for at least 25 cases each, half of them negatives; the later
/// lints' for at least 5 positives and 5 negatives each. Count the marked constructs, and the
/// unmarked calls of the APIs each lint looks at (the negatives). In an `srwf_*` case, an
/// unmarked guard (`span.enter()`, …) is a negative of `sync_run_wraps_future`'s block form.
#[test]
fn enough_cases_per_lint() -> Result<()> {
    let guards = [".enter()", ".entered()", "set_default(", ".attach()"];
    let mut positives: BTreeMap<&str, usize> = BTreeMap::new();
    let mut negatives: BTreeMap<&str, usize> = BTreeMap::new();
    for case in cases()? {
        let source = std::fs::read_to_string(&case)?;
        let srwf_case = case
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("srwf_"));
        for line in source.lines() {
            let code = line.split("//").next().unwrap_or("");
            let tracing_runner = code.contains("subscriber::with_default")
                || code.contains("dispatcher::with_default");
            for (lint, needles) in [
                ("interior_mutable_default", &["with_default("][..]),
                (
                    "sync_run_wraps_future",
                    &[
                        ".run(",
                        "Context::run(",
                        ".try_run(",
                        "Context::try_run(",
                        ".in_scope(",
                        "::with_default(",
                        ".sync_scope(",
                        "Hub::run(",
                    ][..],
                ),
                ("context_guard_across_await", &guards[..]),
                ("context_value_mutated_in_place", &[".with(|", ".get()"][..]),
                (
                    "context_var_in_function",
                    &[
                        "ContextVar::new(",
                        "ContextVar::with_default(",
                        "ContextVar::<",
                    ][..],
                ),
                (
                    "spawn_without_context",
                    &["spawn(", "spawn_blocking(", "spawn_local("][..],
                ),
            ] {
                let calls: usize = if lint == "interior_mutable_default" && tracing_runner {
                    0
                } else if lint == "sync_run_wraps_future" {
                    let runners: usize = needles
                        .iter()
                        .filter(|n| **n != "::with_default(" || tracing_runner)
                        .map(|n| code.matches(n).count())
                        .sum();
                    let blocks: usize = if srwf_case {
                        guards.iter().map(|n| code.matches(n).count()).sum()
                    } else {
                        0
                    };
                    runners + blocks
                } else {
                    needles.iter().map(|n| code.matches(n).count()).sum()
                };
                if line.contains("//~") && line.contains(lint) && !line.contains("dylint:") {
                    *positives.entry(lint).or_default() += 1;
                } else if calls > 0
                    || (lint == "interior_mutable_default"
                        && line.trim_start().starts_with("static")
                        && code.contains("with_default"))
                {
                    *negatives.entry(lint).or_default() += calls.max(1);
                }
            }
        }
    }
    for lint in ctxlint::catalogue::LINTS.iter().map(|l| l.name) {
        let (p, n) = (
            positives.get(lint).copied().unwrap_or(0),
            negatives.get(lint).copied().unwrap_or(0),
        );
        if [
            "interior_mutable_default",
            "sync_run_wraps_future",
            "context_guard_across_await",
        ]
        .contains(&lint)
        {
            assert!(
                p + n >= 25,
                "{lint}: only {p} positive and {n} negative cases"
            );
            assert!(
                n * 2 >= p + n - 1,
                "{lint}: {n} negatives is less than half of {}",
                p + n
            );
        } else if ctxlint::catalogue::find(lint)
            .is_some_and(|l| l.form(ctxlint::catalogue::Language::Rust).is_some())
        {
            assert!(
                p >= 5 && n >= 5,
                "{lint}: only {p} positive and {n} negative Rust cases"
            );
        }
    }
    Ok(())
}

/// The later lints have at least 5 positive and 5 negative cases in Python too: the marked
/// lines, and the unmarked calls of the APIs they look at.
#[test]
fn enough_python_cases_of_the_later_lints() -> Result<()> {
    let mut positives: BTreeMap<&str, usize> = BTreeMap::new();
    let mut negatives: BTreeMap<&str, usize> = BTreeMap::new();
    for case in py_cases()? {
        let source = std::fs::read_to_string(&case)?;
        for line in source.lines() {
            let code = line.split('#').next().unwrap_or("");
            for (lint, needles) in [
                ("context_value_mutated_in_place", &[".get()"][..]),
                ("context_var_in_function", &["ContextVar("][..]),
            ] {
                if line.contains(&format!("#~ {lint}")) {
                    *positives.entry(lint).or_default() += 1;
                } else if needles.iter().any(|n| code.contains(n)) {
                    *negatives.entry(lint).or_default() += 1;
                }
            }
        }
    }
    for lint in ["context_value_mutated_in_place", "context_var_in_function"] {
        five_of_each(&positives, &negatives, lint, lint, "Python");
    }
    Ok(())
}

/// Asserts that `key` has at least 5 positive and 5 negative cases in `language`.
fn five_of_each(
    positives: &BTreeMap<&str, usize>,
    negatives: &BTreeMap<&str, usize>,
    key: &str,
    label: &str,
    language: &str,
) {
    let p = positives.get(key).copied().unwrap_or(0);
    let n = negatives.get(key).copied().unwrap_or(0);
    assert!(
        p >= 5 && n >= 5,
        "{label}: only {p} positive and {n} negative {language} cases"
    );
}

/// `spawn_without_context` has at least 5 positive and 5 negative Rust cases per spawn (a
/// call of it marked, or not), and per kind of context lost (its own case file each).
#[test]
fn enough_rust_cases_per_spawn() -> Result<()> {
    let spawns = [
        ("std::thread::spawn", "thread::spawn("),
        ("tokio::spawn", "tokio::spawn("),
        ("tokio::task::spawn_blocking", "spawn_blocking("),
        ("tokio::task::spawn_local", "spawn_local("),
    ];
    let mut positives: BTreeMap<&str, usize> = BTreeMap::new();
    let mut negatives: BTreeMap<&str, usize> = BTreeMap::new();
    for case in cases()? {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kind = match name.as_str() {
            "swc_tracing.rs" => "a span",
            "swc_task_local.rs" => "a task-local",
            _ => "a ContextVar",
        };
        let source = std::fs::read_to_string(&case)?;
        for line in source.lines() {
            let code = line.split("//").next().unwrap_or("");
            for (spawn, needle) in spawns {
                let calls = code
                    .matches(needle)
                    .count()
                    .saturating_sub(code.matches(&format!("contextvars::{needle}")).count());
                if calls == 0 {
                    continue;
                }
                let marked = line.contains("//~") && line.contains("spawn_without_context");
                let counts = if marked {
                    &mut positives
                } else {
                    &mut negatives
                };
                *counts.entry(spawn).or_default() += 1;
                if name.starts_with("swc_") {
                    *counts.entry(kind).or_default() += 1;
                }
            }
        }
    }
    for what in spawns
        .iter()
        .map(|(s, _)| *s)
        .chain(["a ContextVar", "a task-local", "a span"])
    {
        let label = format!("spawn_without_context, {what}");
        five_of_each(&positives, &negatives, what, &label, "Rust");
    }
    Ok(())
}

/// `spawn_without_context` has at least 5 positive and 5 negative Python cases per hand-off
/// kind: the marked lines, and the unmarked calls of that hand-off.
#[test]
fn enough_python_cases_per_hand_off() -> Result<()> {
    let kinds = [
        ("run_in_executor", &["run_in_executor("][..]),
        ("submit", &[".submit("][..]),
        ("map", &[".map("][..]),
        ("thread", &["Thread(", "Timer("][..]),
    ];
    let mut positives: BTreeMap<&str, usize> = BTreeMap::new();
    let mut negatives: BTreeMap<&str, usize> = BTreeMap::new();
    for case in py_cases()? {
        let source = std::fs::read_to_string(&case)?;
        for line in source.lines() {
            let code = line.split('#').next().unwrap_or("");
            for (kind, needles) in kinds {
                if !needles.iter().any(|n| code.contains(n)) {
                    continue;
                }
                if line.contains("#~ spawn_without_context") {
                    *positives.entry(kind).or_default() += 1;
                } else {
                    *negatives.entry(kind).or_default() += 1;
                }
            }
        }
    }
    for (kind, _) in kinds {
        let label = format!("spawn_without_context, {kind}");
        five_of_each(&positives, &negatives, kind, &label, "Python");
    }
    Ok(())
}

/// The Python seed cases are real programs. Run with `python3` (3.11 or later, for
/// `context=`), the bad forms show the bugs, and the `.fixed` form that `--fix` wrote does not.
#[test]
fn python_seed_cases_show_the_bugs() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let run = |file: &str| -> Result<String> {
        let out = Command::new("python3").arg(dir.join(file)).output()?;
        assert!(
            out.status.success(),
            "python3 {file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8(out.stdout)?)
    };
    // `await copied.run(rename_async)` leaks the write; the task bound to the copy does not.
    assert_eq!(run("py_srwf_seed.py")?, "renamed\ncaller\n");
    assert_eq!(run("py_srwf_seed.fixed")?, "caller\ncaller\n");
    // Three tasks share one default object (one id, counts 1 to 3); with a fresh object per
    // task, three ids and each count is 1.
    let out = run("py_imd_seed.py")?;
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(rows.len(), 6, "{out}");
    let ids = |rows: &[Vec<&str>]| {
        rows.iter()
            .map(|r| r[2].to_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let counts = |rows: &[Vec<&str>]| {
        rows.iter()
            .map(|r| r[3].to_owned())
            .collect::<Vec<String>>()
    };
    assert_eq!(ids(&rows[..3]), 1, "{out}");
    assert_eq!(counts(&rows[..3]), ["1", "2", "3"], "{out}");
    assert_eq!(ids(&rows[3..]), 3, "{out}");
    assert_eq!(counts(&rows[3..]), ["1", "1", "1"], "{out}");
    // Work handed to a pool, a thread and an executor sees the variable's default; run in a
    // copy of the caller's context, it sees the caller's value.
    assert_eq!(
        run("py_swc_seed.py")?,
        "pool none\nthread none\nexecutor none\n"
    );
    assert_eq!(
        run("py_swc_seed.fixed")?,
        "pool r-1\nthread r-1\nexecutor r-1\n"
    );
    Ok(())
}
