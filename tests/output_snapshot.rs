//! The complete output of `ctxlint check` (human, JSON, SARIF, GitLab Code Quality, JUnit and
//! concise; stdout, stderr and the exit code) on `tests/ui` and on a small multi-file crate,
//! against snapshots committed in `tests/snapshots/output/`. The human, JSON and SARIF
//! snapshots were generated before the engine learnt to parse each file once (issue 11), so
//! that speed work cannot change a byte of what users see.
//!
//! After an intended change of output, regenerate them with
//! `CTXLINT_BLESS=1 cargo test --test output_snapshot` and review the diff.

use std::path::Path;
use std::process::Command;

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// Runs ctxlint in `dir` and renders everything it printed, with `dir`'s absolute path (which
/// JSON and SARIF contain) replaced by `<ROOT>`.
fn run(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(args)
        .current_dir(dir)
        .output()?;
    let root = dir.canonicalize()?;
    let text = format!(
        "$ ctxlint {}\nexit: {:?}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8(out.stdout)?,
        String::from_utf8(out.stderr)?,
    );
    Ok(text
        .replace(&root.display().to_string(), "<ROOT>")
        .replace(&dir.display().to_string(), "<ROOT>"))
}

fn snapshot(name: &str, actual: &str) -> Result {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/output")
        .join(name);
    if std::env::var_os("CTXLINT_BLESS").is_some_and(|v| v != "0") {
        std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
        std::fs::write(&path, actual)?;
        return Ok(());
    }
    let committed = std::fs::read_to_string(&path)?;
    if committed != actual {
        // The outputs are long: name the first line that differs before the full diff.
        let line = committed
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output, first at line {} (run `CTXLINT_BLESS=1 cargo test --test output_snapshot` and review the diff)",
            path.display(),
            line + 1
        );
    }
    Ok(())
}

/// Every format of `--format` but `github`, whose snapshot is in `tests/snapshots/github.txt`.
const FORMATS: [&str; 6] = ["human", "json", "sarif", "gitlab", "junit", "concise"];

#[test]
fn ui_cases_in_every_format() -> Result {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for format in FORMATS {
        let text = run(root, &["check", "--format", format, "tests/ui"])?;
        snapshot(&format!("ui.{format}.txt"), &text)?;
    }
    Ok(())
}

/// A crate whose findings depend on facts from its other files (an `async fn` and an
/// interior-mutable type defined elsewhere, a crate-level attribute in `main.rs` that applies
/// to `lib.rs`), beside a binary and a test of their own, a file that cannot be parsed and one
/// that is not UTF-8.
fn multi_file_crate() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let files: &[(&str, &[u8])] = &[
        (
            "Cargo.toml",
            b"[package]\nname = \"snapfix\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "src/lib.rs",
            b"pub mod jobs;\npub mod state;\nuse contextvars::{copy_context, ContextVar};\n\
              static S: ContextVar<state::Stats> = ContextVar::with_default(\"s\", state::Stats::new());\n\
              pub fn f() {\n    let mut ctx = copy_context();\n    let fut = ctx.run(|| jobs::work());\n}\n",
        ),
        ("src/jobs.rs", b"pub async fn work() {}\npub fn idle() {}\n"),
        (
            "src/state.rs",
            b"pub struct Stats { hits: std::sync::atomic::AtomicU32 }\n\
              impl Stats { pub const fn new() -> Self { Stats { hits: std::sync::atomic::AtomicU32::new(0) } } }\n",
        ),
        (
            "src/main.rs",
            b"#![deny(interior_mutable_default)]\nuse contextvars::ContextVar;\n\
              static T: ContextVar<std::sync::Mutex<u8>> = ContextVar::with_default(\"t\", std::sync::Mutex::new(0));\n\
              fn main() {}\n",
        ),
        (
            "src/bin/tool.rs",
            b"use contextvars::copy_context;\nasync fn own() {}\n\
              fn main() {\n    let mut ctx = copy_context();\n    let a = ctx.run(|| own());\n    let b = ctx.run(|| work());\n}\n",
        ),
        (
            "tests/it.rs",
            b"use contextvars::{Context, ContextVar};\nuse std::cell::Cell;\n\
              fn t(mut ctx: Context) {\n    let v = ContextVar::with_default(\"v\", std::sync::Arc::new(std::sync::RwLock::new(1)));\n    ctx.run(|| async {});\n}\n",
        ),
        ("src/broken.rs", b"use contextvars::Context;\nfn f( {\n"),
        ("src/latin1.rs", b"// caf\xe9\npub fn g() {}\n"),
    ];
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
        std::fs::write(path, text)?;
    }
    Ok(dir)
}

#[test]
fn a_multi_file_crate_in_every_format() -> Result {
    let dir = multi_file_crate()?;
    for format in FORMATS {
        let text = run(dir.path(), &["check", "--format", format, "."])?;
        snapshot(&format!("crate.{format}.txt"), &text)?;
    }
    // Parsing every file must find the same (the summary line counts the parsed files).
    let text = run(dir.path(), &["check", "--no-prefilter", "."])?;
    snapshot("crate.no-prefilter.txt", &text)
}
