//! Running the `ctxlint` binary in a directory and writing the files it checks, for the
//! integration tests that drive the command line (`#[path]`-included, as `pypi.rs` is).

// Each test crate uses the part it needs.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `ctxlint ARGS` in `dir` with nothing on standard input.
pub fn ctxlint_in(dir: &Path, args: &[&str]) -> std::io::Result<Output> {
    ctxlint_with_stdin(dir, args, "")
}

/// Runs `ctxlint ARGS` in `dir` with `stdin` on its standard input.
pub fn ctxlint_with_stdin(
    dir: &Path,
    args: &[&str],
    stdin: impl AsRef<[u8]>,
) -> std::io::Result<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        // The binary may exit before reading all of it (a usage error): that is not a failure.
        let _ = input.write_all(stdin.as_ref());
    }
    child.wait_with_output()
}

/// The standard output, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `text` to `dir/rel`, making its directories.
pub fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) -> std::io::Result<PathBuf> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&path, text)?;
    Ok(path)
}

/// The errors on standard error, each whole, without its `error: ` prefix: tests compare a
/// whole message, so that a message that repeats its path or loses a word fails them.
pub fn errors(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter_map(|line| line.strip_prefix("error: "))
        .map(str::to_owned)
        .collect()
}

/// Asserts that `o`'s standard error holds the error `want`, whole.
#[track_caller]
pub fn assert_error(o: &Output, want: &str) {
    let errors = errors(o);
    assert!(
        errors.iter().any(|e| e == want),
        "no error `{want}` among {errors:#?}"
    );
}
