//! The Python wheel (`pyproject.toml`, maturin with `bindings = "bin"`): maturin builds it from
//! this checkout, pip installs it into a fresh virtual environment with no Rust toolchain on
//! `PATH`, and the installed `ctxlint` command lints a bad and a good Python example of each
//! seed bug: findings and exit code 1 for the bad ones, nothing and exit code 0 for the good
//! ones. `python -m ctxlint` runs the same binary with the same arguments, standard input and
//! exit code.
//!
//! maturin comes from scripts/setup.sh's venv (`$CTXLINT_TOOLS/venv`), or else from PyPI into
//! a venv under the target directory. The wheel's cargo build has its own target directory, so
//! the first run compiles ctxlint once more (minutes on 2 cores): the test is `#[ignore]`d; run
//! it with `cargo test --test wheel -- --ignored` (scripts/test.sh does).

#[path = "support/pypi.rs"]
mod pypi;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

const MATURIN: &str = "maturin==1.16.0";

/// A bad example of one seed bug and its repaired twin.
struct Pair {
    lint: &'static str,
    bad_file: &'static str,
    bad: &'static str,
    /// The 1-based line the finding must point at.
    bad_line: u64,
    /// The other findings of the bad example, as `(lint, line)`: the seed bug may come with
    /// another that a later lint catches.
    also: &'static [(&'static str, u64)],
    good_file: &'static str,
    good: &'static str,
}

impl Pair {
    /// Every finding of the bad example, as [`findings`] gives them, in line order.
    fn expected(&self) -> Vec<(String, String, u64)> {
        let mut all = vec![(
            self.lint.to_owned(),
            self.bad_file.to_owned(),
            self.bad_line,
        )];
        for (lint, line) in self.also {
            all.push(((*lint).to_owned(), self.bad_file.to_owned(), *line));
        }
        all.sort_by_key(|(_, _, line)| *line);
        all
    }
}

const PAIRS: &[Pair] = &[
    Pair {
        lint: "interior_mutable_default",
        bad_file: "shared_default.py",
        bad: r#""""Collects the names of the handlers a request went through."""
import contextvars

# Every task that never sets `visited` appends to this one list.
visited = contextvars.ContextVar("visited", default=[])


def note(handler):
    visited.get().append(handler)
"#,
        bad_line: 5,
        // `visited.get().append(handler)` writes into that shared default in place.
        also: &[("context_value_mutated_in_place", 9)],
        good_file: "immutable_default.py",
        good: r#""""Collects the names of the handlers a request went through."""
import contextvars

visited = contextvars.ContextVar("visited", default=())


def note(handler):
    visited.set(visited.get() + (handler,))
"#,
    },
    Pair {
        lint: "sync_run_wraps_future",
        bad_file: "run_creates_coroutine.py",
        bad: r#"import asyncio
import contextvars

user = contextvars.ContextVar("user", default=None)


async def greet():
    user.set("guest")
    await asyncio.sleep(0)
    return f"hello {user.get()}"


async def main():
    ctx = contextvars.copy_context()
    # run() returns the coroutine at once; its body then runs in the caller's context.
    return await ctx.run(greet)
"#,
        bad_line: 16,
        also: &[],
        good_file: "run_creates_task.py",
        good: r#"import asyncio
import contextvars

user = contextvars.ContextVar("user", default=None)


async def greet():
    user.set("guest")
    await asyncio.sleep(0)
    return f"hello {user.get()}"


async def main():
    ctx = contextvars.copy_context()
    # The task runs every step of greet() in a copy of ctx.
    return await ctx.run(asyncio.create_task, greet())
"#,
    },
];

fn run(cmd: &mut Command) -> Result<Output> {
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out)
}

/// Builds the wheel of this checkout into `out` and returns its path.
fn build_wheel(maturin: &Path, out: &Path) -> Result<PathBuf> {
    run(Command::new(maturin)
        .args(["build", "--locked", "--out"])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        // Not this test's own target directory, which the running `cargo test` holds.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("wheel-target"),
        ))?;
    let mut wheels = Vec::new();
    for entry in std::fs::read_dir(out)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "whl") {
            wheels.push(path);
        }
    }
    assert_eq!(wheels.len(), 1, "one wheel expected: {wheels:?}");
    let wheel = wheels.remove(0);
    let name = wheel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A binary wheel: any Python 3, no ABI, this platform.
    assert!(name.starts_with("ctxlint-"), "{name}");
    assert!(name.contains("-py3-none-"), "{name}");
    Ok(wheel)
}

/// `PATH` without any directory that holds `cargo` or `rustc`: the installed wheel must not
/// need them.
fn path_without_rust() -> Result<OsString> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| !dir.join("cargo").exists() && !dir.join("rustc").exists())
        .collect();
    Ok(std::env::join_paths(kept)?)
}

/// One finding of `--format json` (cargo's message format): lint, file name, line.
fn findings(stdout: &[u8]) -> Result<Vec<(String, String, u64)>> {
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(stdout).lines() {
        let message: serde_json::Value = serde_json::from_str(line)?;
        let diag = &message["message"];
        let lint = diag["code"]["code"].as_str().unwrap_or_default().to_owned();
        let span = &diag["spans"][0];
        let file = span["file_name"].as_str().unwrap_or_default().to_owned();
        let line = span["line_start"].as_u64().unwrap_or_default();
        found.push((lint, file, line));
    }
    Ok(found)
}

#[test]
#[ignore = "maturin builds ctxlint in its own target directory: minutes; run with --ignored"]
fn installed_wheel_lints_the_seed_examples() -> Result {
    let Some(maturin) = pypi::tool("maturin", MATURIN, "the wheel test")? else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    let wheel = build_wheel(&maturin, &work.path().join("dist"))?;

    let venv = work.path().join("venv");
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    let path = path_without_rust()?;
    run(Command::new(venv.join("bin/python"))
        .args(["-m", "pip", "install", "-q", "--no-index", "--no-deps"])
        .arg(&wheel)
        .env("PATH", &path))?;
    let ctxlint = venv.join("bin/ctxlint");
    assert!(ctxlint.is_file(), "the wheel installed no {ctxlint:?}");

    let src = work.path().join("examples");
    std::fs::create_dir(&src)?;
    let lint = |file: &str| -> Result<Output> {
        Ok(Command::new(&ctxlint)
            .args(["check", "--format", "json", file])
            .current_dir(&src)
            .env("PATH", &path)
            .output()?)
    };
    for pair in PAIRS {
        std::fs::write(src.join(pair.bad_file), pair.bad)?;
        std::fs::write(src.join(pair.good_file), pair.good)?;

        let bad = lint(pair.bad_file)?;
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(bad.status.code(), Some(1), "{}: {stderr}", pair.bad_file);
        assert_eq!(
            findings(&bad.stdout)?,
            pair.expected(),
            "{}: {stderr}",
            pair.bad_file
        );

        let good = lint(pair.good_file)?;
        let stderr = String::from_utf8_lossy(&good.stderr);
        assert_eq!(good.status.code(), Some(0), "{}: {stderr}", pair.good_file);
        assert_eq!(findings(&good.stdout)?, [], "{}: {stderr}", pair.good_file);
    }

    // The whole directory at once, in the default human format: every bad file and no good
    // one is named.
    let all = Command::new(&ctxlint)
        .args(["check", "--color", "never", "."])
        .current_dir(&src)
        .env("PATH", &path)
        .output()?;
    let text = String::from_utf8_lossy(&all.stdout);
    assert_eq!(all.status.code(), Some(1), "{text}");
    for pair in PAIRS {
        assert!(text.contains(pair.bad_file), "{text}");
        assert!(text.contains(pair.lint), "{text}");
        assert!(!text.contains(pair.good_file), "{text}");
    }

    // `python -m ctxlint`: the same binary, arguments, output and exit codes.
    let python = venv.join("bin/python");
    let module = |args: &[&str], stdin: Option<&str>| -> Result<Output> {
        let mut child = Command::new(&python)
            .args(["-m", "ctxlint"])
            .args(args)
            .current_dir(&src)
            .env("PATH", &path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut input = child.stdin.take().ok_or("no stdin")?;
        input.write_all(stdin.unwrap_or("").as_bytes())?;
        drop(input);
        Ok(child.wait_with_output()?)
    };
    for pair in PAIRS {
        for (file, code) in [(pair.bad_file, 1), (pair.good_file, 0)] {
            let direct = lint(file)?;
            let via = module(&["check", "--format", "json", file], None)?;
            assert_eq!(
                via.status.code(),
                Some(code),
                "python -m ctxlint check {file}"
            );
            assert_eq!(via.stdout, direct.stdout, "python -m ctxlint check {file}");
            assert_eq!(via.stderr, direct.stderr, "python -m ctxlint check {file}");
        }
        // Standard input reaches the binary.
        let piped = module(
            &[
                "check",
                "--format",
                "json",
                "-",
                "--stdin-filename",
                pair.bad_file,
            ],
            Some(pair.bad),
        )?;
        assert_eq!(piped.status.code(), Some(1));
        assert_eq!(findings(&piped.stdout)?, pair.expected());
    }
    let version = module(&["--version"], None)?;
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("ctxlint {}", env!("CARGO_PKG_VERSION"))
    );
    let usage = module(&["check", "--format", "xml"], None)?;
    assert_eq!(usage.status.code(), Some(2));
    Ok(())
}
