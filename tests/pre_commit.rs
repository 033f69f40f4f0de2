//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` (installed
//! from PyPI into a venv by the test) with `pre-commit try-repo <this checkout>` in a fresh
//! git repository: the hook fails and names the lint for a bad file, then passes once the
//! file is fixed.
//!
//! The `ctxlint-system` hook runs by default, with the binary under test on `PATH`. The
//! `ctxlint` hook (`language: rust`) makes pre-commit `cargo install` this checkout, a release
//! build that takes minutes, so its test is `#[ignore]`d: run it with
//! `cargo test --test pre_commit -- --ignored`. So is the `ctxlint-python` hook's
//! (`language: python`), for which pip builds the wheel of `pyproject.toml` with maturin.

#[path = "support/pypi.rs"]
mod pypi;

use std::path::Path;
use std::process::{Command, Output};

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

const PRE_COMMIT: &str = "pre-commit==4.7.0";

const BAD: &str = "use contextvars::copy_context;\n\
async fn work() {}\n\
pub async fn f() {\n    let mut ctx = copy_context();\n    ctx.run(|| work()).await;\n}\n";

const FIXED: &str = "use contextvars::copy_context;\n\
async fn work() {}\n\
pub async fn f() {\n    let mut ctx = copy_context();\n    ctx.scope_mut(work()).await;\n}\n";

fn git(dir: &Path, args: &[&str]) -> Result {
    let out = Command::new("git").args(args).current_dir(dir).output()?;
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// A file the hook must flag with `lint`, and its fix.
struct Case {
    file: &'static str,
    /// A second file, clean from the start.
    good: &'static str,
    bad: &'static str,
    fixed: &'static str,
    lint: &'static str,
}

const RUST: Case = Case {
    file: "bad.rs",
    good: "good.rs",
    bad: BAD,
    fixed: FIXED,
    lint: "sync_run_wraps_future",
};

const PYTHON_BAD: &str = "import contextvars\n\n\
# One dict for every task that never sets the variable.\n\
headers = contextvars.ContextVar(\"headers\", default={})\n";

const PYTHON_FIXED: &str = "import contextvars\n\n\
headers = contextvars.ContextVar(\"headers\", default=None)\n";

const PYTHON: Case = Case {
    file: "bad.py",
    good: "good.py",
    bad: PYTHON_BAD,
    fixed: PYTHON_FIXED,
    lint: "interior_mutable_default",
};

/// A git repository with one bad and one clean file per case, all staged.
fn repo(cases: &[Case]) -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    git(dir.path(), &["init", "-q"])?;
    git(dir.path(), &["config", "user.email", "test@example.com"])?;
    git(dir.path(), &["config", "user.name", "test"])?;
    for case in cases {
        std::fs::write(dir.path().join(case.file), case.bad)?;
        std::fs::write(dir.path().join(case.good), case.fixed)?;
    }
    git(dir.path(), &["add", "."])?;
    Ok(dir)
}

fn try_repo(pre_commit: &Path, repo: &Path, hook: &str, path: &str, home: &Path) -> Result<Output> {
    Ok(Command::new(pre_commit)
        .args([
            "try-repo",
            env!("CARGO_MANIFEST_DIR"),
            hook,
            "--all-files",
            "--color",
            "never",
        ])
        .current_dir(repo)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        // `cargo install` of the rust hook must build as a user's would, not reuse this
        // build's target directory.
        .env_remove("CARGO_TARGET_DIR")
        .output()?)
}

fn fails_then_passes(hook: &str, path: &str, cases: &[Case]) -> Result {
    let Some(pre_commit) = pypi::tool("pre-commit", PRE_COMMIT, "the pre-commit test")? else {
        return Ok(());
    };
    let repo = repo(cases)?;
    let home = tempfile::tempdir()?;
    let failed = try_repo(&pre_commit, repo.path(), hook, path, home.path())?;
    let text = String::from_utf8_lossy(&failed.stdout);
    assert_eq!(
        failed.status.code(),
        Some(1),
        "{text}\n{}",
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(text.contains("Failed"), "{text}");
    for case in cases {
        assert!(text.contains(case.lint), "{text}");
        assert!(text.contains(case.file), "{text}");
        std::fs::write(repo.path().join(case.file), case.fixed)?;
    }

    git(repo.path(), &["add", "."])?;
    let passed = try_repo(&pre_commit, repo.path(), hook, path, home.path())?;
    let text = String::from_utf8_lossy(&passed.stdout);
    assert_eq!(
        passed.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&passed.stderr)
    );
    assert!(text.contains("Passed"), "{text}");
    Ok(())
}

/// `PATH` with the directory of the binary under test first.
fn path_with_binary() -> Result<String> {
    let bin = Path::new(env!("CARGO_BIN_EXE_ctxlint"));
    let dir = bin.parent().ok_or("binary without a directory")?;
    let rest = std::env::var("PATH").unwrap_or_default();
    Ok(format!("{}:{rest}", dir.display()))
}

#[test]
fn system_hook_fails_then_passes() -> Result {
    fails_then_passes("ctxlint-system", &path_with_binary()?, &[RUST, PYTHON])
}

/// The `language: rust` hook: pre-commit runs `cargo install --path` of this checkout.
#[test]
#[ignore = "pre-commit builds ctxlint in release mode: minutes; run with --ignored"]
fn rust_hook_fails_then_passes() -> Result {
    // Not the binary under test: pre-commit must build its own.
    fails_then_passes(
        "ctxlint",
        &std::env::var("PATH").unwrap_or_default(),
        &[RUST, PYTHON],
    )
}

/// The `language: python` hook: pre-commit pip-installs this checkout into a virtualenv, and
/// pip builds the wheel with maturin (`pyproject.toml`), a release build.
#[test]
#[ignore = "pip builds the wheel with maturin in release mode: minutes; run with --ignored"]
fn python_hook_fails_then_passes() -> Result {
    // Not the binary under test: the hook must run the one in its own virtualenv.
    fails_then_passes(
        "ctxlint-python",
        &std::env::var("PATH").unwrap_or_default(),
        &[RUST, PYTHON],
    )
}
