//! End-to-end tests of `ctxlint check`'s flags beyond the paths and the format: standard input
//! (`-` and `--stdin-filename`), levels from the command line (`--select`, `--ignore`, `-W`,
//! `-A`, `-D`), `--statistics`, `--exit-zero`, `--output-file`, `--diff`, and the progress bar.

#[path = "support/run.rs"]
mod run;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use run::{ctxlint_in, ctxlint_with_stdin, stderr, stdout, write};

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// `(lint, level, file, line)` of each finding of `--format json` output.
fn findings(o: &Output) -> Result<Vec<(String, String, String, u64)>> {
    let mut found = Vec::new();
    for line in stdout(o).lines() {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let message = &value["message"];
        let span = &message["spans"][0];
        found.push((
            message["code"]["code"].as_str().unwrap_or("").to_owned(),
            message["level"].as_str().unwrap_or("").to_owned(),
            span["file_name"].as_str().unwrap_or("").to_owned(),
            span["line_start"].as_u64().unwrap_or(0),
        ));
    }
    Ok(found)
}

fn finding(lint: &str, level: &str, file: &str, line: u64) -> (String, String, String, u64) {
    (lint.to_owned(), level.to_owned(), file.to_owned(), line)
}

/// A crate whose `user.rs` needs facts from `shared.rs` (an `async fn` and an
/// interior-mutable type), with a configuration that denies `interior_mutable_default`.
fn rust_crate() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.2.0\"\nedition = \"2024\"\n\
         [package.metadata.ctxlint.lints]\ninterior_mutable_default = \"deny\"\n",
    )?;
    write(dir.path(), "src/lib.rs", "mod shared;\nmod user;\n")?;
    write(
        dir.path(),
        "src/shared.rs",
        "pub struct Stats { hits: std::sync::atomic::AtomicU32 }\n\
         impl Stats { pub const fn new() -> Self { Stats { hits: std::sync::atomic::AtomicU32::new(0) } } }\n\
         pub async fn work() {}\n",
    )?;
    Ok(dir)
}

const USER_RS: &str = "use contextvars::{copy_context, ContextVar};\nuse crate::shared::{work, Stats};\n\
    static S: ContextVar<Stats> = ContextVar::with_default(\"s\", Stats::new());\n\
    async fn f() { let mut ctx = copy_context(); ctx.run(|| work()).await; }\n";

/// The text on standard input is checked as the named file of its crate: the crate's other
/// files give the facts, the crate's configuration the levels, and findings carry the name.
#[test]
fn stdin_is_checked_as_the_named_file() -> Result {
    let dir = rust_crate()?;
    // `src/user.rs` does not exist on disk: only the text on standard input does.
    let out = ctxlint_with_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "src/user.rs",
            "--format",
            "json",
        ],
        USER_RS,
    )?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        findings(&out)?,
        [
            finding("interior_mutable_default", "error", "src/user.rs", 3),
            finding("sync_run_wraps_future", "warning", "src/user.rs", 4),
        ]
    );
    let value: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().next().ok_or("no line")?)?;
    assert!(
        value["package_id"]
            .as_str()
            .is_some_and(|p| p.ends_with("#app@0.2.0")),
        "{value}"
    );
    assert_eq!(
        stderr(&out),
        "ctxlint: 2 findings (1 denied) in 1 file checked (1 parsed), 0 could not be checked\n"
    );

    // From a subdirectory, the configuration above the current directory still applies, and
    // `--stdin-filename` alone (as ruff takes it) reads standard input too.
    let sub = dir.path().join("src");
    let out = ctxlint_with_stdin(
        &sub,
        &["check", "--stdin-filename", "user.rs", "--format", "json"],
        USER_RS,
    )?;
    assert_eq!(
        findings(&out)?,
        [
            finding("interior_mutable_default", "error", "user.rs", 3),
            finding("sync_run_wraps_future", "warning", "user.rs", 4),
        ]
    );
    // The same from the files on disk.
    write(dir.path(), "src/user.rs", USER_RS)?;
    let on_disk = ctxlint_in(&sub, &["check", "--format", "json", "user.rs"])?;
    assert_eq!(findings(&on_disk)?, findings(&out)?);

    // The human report names it too.
    let human = ctxlint_with_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "src/user.rs",
            "--color",
            "never",
        ],
        USER_RS,
    )?;
    assert!(
        stdout(&human).contains("src/user.rs:3:"),
        "{}",
        stdout(&human)
    );
    Ok(())
}

/// The name's extension chooses the language, and Python's configuration is found from it.
#[test]
fn stdin_in_python() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"app\"\nversion = \"1.0\"\n[tool.ctxlint.lints]\nCTX001 = \"deny\"\n",
    )?;
    let text = "from contextvars import ContextVar\nseen = ContextVar(\"seen\", default=[])\n";
    let out = ctxlint_with_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "app/main.py",
            "--format",
            "json",
        ],
        text,
    )?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        findings(&out)?,
        [finding(
            "interior_mutable_default",
            "error",
            "app/main.py",
            2
        )]
    );
    // The same text named as Rust is not Python: it does not parse.
    let out = ctxlint_with_stdin(
        dir.path(),
        &["check", "-", "--stdin-filename", "main.rs"],
        text,
    )?;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: main.rs:1:6: cannot parse"),
        "{}",
        stderr(&out)
    );
    // A name of no language ctxlint checks has nothing to report.
    let out = ctxlint_with_stdin(
        dir.path(),
        &["check", "-", "--stdin-filename", "notes.txt"],
        text,
    )?;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "ctxlint: 0 findings (0 denied) in 0 files checked (0 parsed), 0 could not be checked\n"
    );
    Ok(())
}

#[test]
fn stdin_usage_errors() -> Result {
    let dir = tempfile::tempdir()?;
    for (args, message) in [
        (
            &["check", "-"][..],
            "error: checking standard input (`-`) needs `--stdin-filename PATH`: its extension \
             chooses the language, and its place the configuration\n",
        ),
        (
            &["check", "-", "src", "--stdin-filename", "a.py"][..],
            "error: `-` (standard input) cannot be checked together with other paths\n",
        ),
        (
            &["check", "src", "--stdin-filename", "a.py"][..],
            "error: `--stdin-filename` names standard input, `-`, which is not among the paths\n",
        ),
    ] {
        let out = ctxlint_in(dir.path(), args)?;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
    }
    let out = ctxlint_with_stdin(
        dir.path(),
        &["check", "-", "--stdin-filename", "a.py"],
        b"# caf\xe9\n",
    )?;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: a.py: not valid UTF-8 (first bad byte at offset 5)\n"
    );
    Ok(())
}

const FIXABLE_PY: &str = "import asyncio\nfrom contextvars import copy_context\n\n\
    async def work():\n    pass\n\nasync def main():\n    ctx = copy_context()\n    await ctx.run(work)\n";

/// `--fix` on standard input prints the fixed text on standard output, and the report of what
/// is left on standard error; no file is written.
#[test]
fn stdin_fix_prints_the_fixed_text() -> Result {
    let dir = tempfile::tempdir()?;
    let on_disk = write(dir.path(), "app.py", "# the file on disk is not touched\n")?;
    let text = FIXABLE_PY.replace(
        "from contextvars import copy_context\n",
        "from contextvars import copy_context, ContextVar\n\nseen = ContextVar(\"s\", default=[])\n",
    );
    let out = ctxlint_with_stdin(
        dir.path(),
        &[
            "check",
            "--fix",
            "-",
            "--stdin-filename",
            "app.py",
            "--color",
            "never",
        ],
        &text,
    )?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        text.replace(
            "await ctx.run(work)",
            "await asyncio.create_task(work(), context=ctx)"
        )
    );
    let err = stderr(&out);
    assert!(err.starts_with("fixed 1 finding in app.py\n"), "{err}");
    assert!(err.contains("[CTX001 interior_mutable_default]"), "{err}");
    assert!(!err.contains("CTX002"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&on_disk)?,
        "# the file on disk is not touched\n"
    );

    // Nothing left: exit 0, and the text is printed whole all the same.
    let out = ctxlint_with_stdin(
        dir.path(),
        &["check", "--fix", "-", "--stdin-filename", "app.py", "-q"],
        FIXABLE_PY,
    )?;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("context=ctx"));
    assert_eq!(stderr(&out), "");
    let clean = ctxlint_with_stdin(
        dir.path(),
        &["check", "--fix", "-", "--stdin-filename", "app.py", "-q"],
        "x = 1\n",
    )?;
    assert_eq!(stdout(&clean), "x = 1\n");

    // `--diff` on standard input.
    let diff = ctxlint_with_stdin(
        dir.path(),
        &["check", "--diff", "-", "--stdin-filename", "app.py"],
        FIXABLE_PY,
    )?;
    assert_eq!(diff.status.code(), Some(1), "{}", stderr(&diff));
    assert_eq!(
        stdout(&diff),
        "--- app.py\n+++ app.py\n@@ -6,4 +6,4 @@\n \n async def main():\n     ctx = copy_context()\n\
         -    await ctx.run(work)\n+    await asyncio.create_task(work(), context=ctx)\n"
    );
    assert_eq!(stderr(&diff), "ctxlint: would fix 1 finding in 1 file\n");
    Ok(())
}

const BAD_RS: &str = "use contextvars::{copy_context, ContextVar};\nuse std::sync::Mutex;\n\
    static X: ContextVar<Mutex<u8>> = ContextVar::with_default(\"x\", Mutex::new(0));\n\
    async fn work() {}\nasync fn f() {\n    let mut ctx = copy_context();\n    ctx.run(|| work()).await;\n}\n\
    fn main() {}\n";

/// The lints and levels that `args` leave, as `(lint, level)`.
fn levels(dir: &Path, args: &[&str]) -> Result<Vec<(String, String)>> {
    let mut all = vec!["check", "--format", "json", "-q", "bad.rs"];
    all.extend_from_slice(args);
    let out = ctxlint_in(dir, &all)?;
    assert_ne!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    Ok(findings(&out)?
        .into_iter()
        .map(|(lint, level, ..)| (lint, level))
        .collect())
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn levels_from_the_command_line() -> Result {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "bad.rs", BAD_RS)?;
    write(
        dir.path(),
        "ctxlint.toml",
        "[lints]\ninterior_mutable_default = \"deny\"\nsync_run_wraps_future = \"allow\"\n",
    )?;
    let imd = "interior_mutable_default";
    let srwf = "sync_run_wraps_future";
    // The configuration alone.
    assert_eq!(levels(dir.path(), &[])?, pairs(&[(imd, "error")]));
    // The command line wins over it, by name, by code, or as `ctxlint::NAME`.
    for args in [
        &["-W", imd, "-D", srwf][..],
        &["--warn", "CTX001", "--deny", "CTX002"][..],
        &[
            "-W",
            "ctxlint::interior_mutable_default",
            "-D",
            "ctxlint::CTX002",
        ][..],
        &["-W", "CTX001,CTX002", "-D", "CTX002"][..],
    ] {
        assert_eq!(
            levels(dir.path(), args)?,
            pairs(&[(imd, "warning"), (srwf, "error")]),
            "{args:?}"
        );
    }
    // A later flag wins over an earlier one.
    assert_eq!(
        levels(dir.path(), &["-A", imd, "-W", imd])?,
        pairs(&[(imd, "warning")])
    );
    assert_eq!(levels(dir.path(), &["-W", imd, "-A", imd])?, pairs(&[]));
    assert_eq!(
        levels(dir.path(), &["--ignore", "CTX001", "-D", imd])?,
        pairs(&[(imd, "error")])
    );
    // `--select`: only these, as warnings; others allowed; later flags still win.
    assert_eq!(
        levels(dir.path(), &["--select", "CTX002"])?,
        pairs(&[(srwf, "warning")])
    );
    assert_eq!(
        levels(dir.path(), &["--select", "CTX002,CTX001"])?,
        pairs(&[(imd, "warning"), (srwf, "warning")])
    );
    assert_eq!(
        levels(dir.path(), &["--select", "CTX002", "-D", srwf])?,
        pairs(&[(srwf, "error")])
    );
    assert_eq!(
        levels(dir.path(), &["-D", imd, "--select", "CTX002"])?,
        pairs(&[(srwf, "warning")])
    );
    assert_eq!(
        levels(dir.path(), &["--select", "CTX002", "-W", imd])?,
        pairs(&[(imd, "warning"), (srwf, "warning")])
    );
    assert_eq!(levels(dir.path(), &["--ignore", imd])?, pairs(&[]));

    // As rustc's `-A`, an attribute in the code sets the level over the command line.
    write(
        dir.path(),
        "bad.rs",
        format!("#![warn(interior_mutable_default)]\n{BAD_RS}"),
    )?;
    assert_eq!(
        levels(dir.path(), &["-A", imd])?,
        pairs(&[(imd, "warning")])
    );
    Ok(())
}

#[test]
fn unknown_lints_on_the_command_line_name_the_flag() -> Result {
    let dir = tempfile::tempdir()?;
    let names: Vec<&str> = ctxlint::catalogue::LINTS.iter().map(|l| l.name).collect();
    for (args, flag) in [
        (&["check", "--select", "CTX001,nope"][..], "--select <NAME>"),
        (&["check", "--ignore", "nope"][..], "--ignore <NAME>"),
        (&["check", "-W", "nope"][..], "--warn <NAME>"),
        (&["check", "-A", "nope"][..], "--allow <NAME>"),
        (&["check", "-D", "nope"][..], "--deny <NAME>"),
    ] {
        let out = ctxlint_in(dir.path(), args)?;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).starts_with(&format!(
                "error: invalid value 'nope' for '{flag}': unknown lint `nope`; the lints are: {}\n",
                names.join(", ")
            )),
            "{}",
            stderr(&out)
        );
    }
    Ok(())
}

#[test]
fn statistics_count_findings_per_lint() -> Result {
    let dir = tempfile::tempdir()?;
    let mut text = String::from(BAD_RS);
    text.push_str(
        "static Y: ContextVar<Mutex<u8>> = ContextVar::with_default(\"y\", Mutex::new(0));\n",
    );
    write(dir.path(), "bad.rs", &text)?;
    let out = ctxlint_in(dir.path(), &["check", "--statistics", "bad.rs"])?;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "2  CTX001  interior_mutable_default\n1  CTX002  sync_run_wraps_future\n"
    );
    assert_eq!(
        stderr(&out),
        "ctxlint: 3 findings (0 denied) in 1 file checked (1 parsed), 0 could not be checked\n"
    );
    let json = ctxlint_in(
        dir.path(),
        &["check", "--statistics", "--format", "json", "-q", "bad.rs"],
    )?;
    let value: serde_json::Value = serde_json::from_str(&stdout(&json))?;
    assert_eq!(
        value,
        serde_json::json!([
            { "code": "CTX001", "name": "interior_mutable_default", "count": 2 },
            { "code": "CTX002", "name": "sync_run_wraps_future", "count": 1 },
        ])
    );
    // Levels apply before counting.
    let allowed = ctxlint_in(
        dir.path(),
        &["check", "--statistics", "-q", "-A", "CTX001", "bad.rs"],
    )?;
    assert_eq!(stdout(&allowed), "1  CTX002  sync_run_wraps_future\n");
    let sarif = ctxlint_in(
        dir.path(),
        &["check", "--statistics", "--format", "sarif", "bad.rs"],
    )?;
    assert_eq!(sarif.status.code(), Some(2));
    assert_eq!(
        stderr(&sarif),
        "error: `--statistics` prints a table (`--format human`) or JSON (`--format json`), not \
         `--format sarif`\n"
    );
    Ok(())
}

#[test]
fn exit_zero_and_output_file() -> Result {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "bad.rs", BAD_RS)?;
    let out = ctxlint_in(dir.path(), &["check", "--exit-zero", "bad.rs"])?;
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("interior_mutable_default"));
    // Errors still exit with 2.
    write(
        dir.path(),
        "broken.rs",
        "use contextvars::Context;\nfn f( {\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "--exit-zero", "bad.rs", "broken.rs"])?;
    assert_eq!(out.status.code(), Some(2));

    // `--output-file`: the report goes there, the summary to standard error as always.
    let out = ctxlint_in(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--output-file",
            "report.json",
            "bad.rs",
        ],
    )?;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "ctxlint: 2 findings (0 denied) in 1 file checked (1 parsed), 0 could not be checked\n"
    );
    let direct = ctxlint_in(dir.path(), &["check", "--format", "json", "bad.rs"])?;
    assert_eq!(
        std::fs::read_to_string(dir.path().join("report.json"))?,
        stdout(&direct)
    );
    // Human output to a file is not coloured under `--color auto`.
    let out = ctxlint_in(dir.path(), &["check", "-o", "report.txt", "bad.rs"])?;
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(dir.path().join("report.txt"))?;
    assert!(text.contains("bad.rs:3:"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    // A file that cannot be created stops the run before it starts.
    let out = ctxlint_in(dir.path(), &["check", "-o", "no/such/dir/r.json", "bad.rs"])?;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: cannot create no/such/dir/r.json: "),
        "{}",
        stderr(&out)
    );
    Ok(())
}

/// `--diff` prints what `--fix` would write, and writes nothing; `patch` turns the files into
/// exactly what `--fix` makes of them.
#[test]
fn diff_shows_what_fix_would_change() -> Result {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "a.rs", BAD_RS)?;
    write(
        dir.path(),
        "pkg/app.py",
        format!(
            "{FIXABLE_PY}\n\nasync def again():\n    ctx = copy_context()\n    await ctx.run(work)\n"
        ),
    )?;
    write(dir.path(), "clean.rs", "fn main() {}\n")?;
    let before_a = std::fs::read_to_string(dir.path().join("a.rs"))?;
    let out = ctxlint_in(dir.path(), &["check", "--diff", "."])?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diff = stdout(&out);
    assert!(diff.starts_with("--- ./a.rs\n+++ ./a.rs\n@@ "), "{diff}");
    assert!(
        diff.contains("-    ctx.run(|| work()).await;\n+    ctx.scope_mut(work()).await;\n"),
        "{diff}"
    );
    assert!(
        diff.contains("--- ./pkg/app.py\n+++ ./pkg/app.py\n"),
        "{diff}"
    );
    assert!(!diff.contains("clean.rs"), "{diff}");
    assert_eq!(stderr(&out), "ctxlint: would fix 3 findings in 2 files\n");
    assert_eq!(std::fs::read_to_string(dir.path().join("a.rs"))?, before_a);

    // The diff applies, and gives what `--fix` writes.
    let fixed = tempfile::tempdir()?;
    for rel in ["a.rs", "pkg/app.py", "clean.rs"] {
        write(fixed.path(), rel, std::fs::read(dir.path().join(rel))?)?;
    }
    let fix = ctxlint_in(fixed.path(), &["check", "--fix", "-q", "."])?;
    assert_eq!(fix.status.code(), Some(1), "{}", stderr(&fix));
    let mut patch = Command::new("patch")
        .args(["-p0", "--quiet"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .spawn()?;
    patch
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(diff.as_bytes())?;
    assert!(patch.wait()?.success());
    for rel in ["a.rs", "pkg/app.py"] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(rel))?,
            std::fs::read_to_string(fixed.path().join(rel))?,
            "{rel}"
        );
    }
    // Nothing left to fix: no diff, exit 0.
    let out = ctxlint_in(dir.path(), &["check", "--diff", "."])?;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "ctxlint: would fix 0 findings in 0 files\n");

    // `--exit-zero` applies to `--diff` too; `--fix` and `--diff` do not go together.
    write(dir.path(), "b.rs", BAD_RS)?;
    let out = ctxlint_in(
        dir.path(),
        &["check", "--diff", "--exit-zero", "-q", "b.rs"],
    )?;
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("+++ b.rs"));
    let out = ctxlint_in(dir.path(), &["check", "--diff", "--fix", "b.rs"])?;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("'--diff' cannot be used with '--fix'")
            || stderr(&out).contains("'--fix' cannot be used with '--diff'"),
        "{}",
        stderr(&out)
    );
    Ok(())
}

/// Many files, so that a progress bar would have something to show.
fn many_files() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    for i in 0..200 {
        write(dir.path(), &format!("src/f{i}.rs"), BAD_RS)?;
    }
    Ok(dir)
}

/// Piped, standard error holds the summary line and nothing else, even when the bar would show
/// at once: the bar is only for a terminal.
#[test]
fn no_progress_bar_when_piped() -> Result {
    let dir = many_files()?;
    let out = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(["check", "--color", "never", "src"])
        .current_dir(dir.path())
        .env("CTXLINT_PROGRESS_DELAY_MS", "0")
        .output()?;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "ctxlint: 400 findings (0 denied) in 200 files checked (200 parsed), 0 could not be checked\n"
    );
    Ok(())
}

/// On a terminal (`script` gives the command one), the bar shows on standard error with the
/// human format, and never with a machine format; standard output is the same either way.
#[cfg(target_os = "linux")]
#[test]
fn progress_bar_only_on_a_terminal_and_for_people() -> Result {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: no `script` (util-linux) to give ctxlint a terminal");
        return Ok(());
    }
    let dir = many_files()?;
    let bin = env!("CARGO_BIN_EXE_ctxlint");
    let on_terminal = |format: &str| -> Result<(String, String)> {
        // Standard output goes to a file; standard error is the terminal that `script` records.
        let command = format!(
            "CTXLINT_PROGRESS_DELAY_MS=0 '{bin}' check --color never --format {format} src > out.txt"
        );
        let out = Command::new("script")
            .args(["-q", "-e", "-c", &command, "typescript"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()?;
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        Ok((
            std::fs::read_to_string(dir.path().join("typescript"))?,
            std::fs::read_to_string(dir.path().join("out.txt"))?,
        ))
    };
    let (terminal, report) = on_terminal("human")?;
    assert!(terminal.contains("/200 files"), "no bar: {terminal:?}");
    assert!(terminal.contains("ctxlint: 400 findings"), "{terminal:?}");
    let piped = ctxlint_in(dir.path(), &["check", "--color", "never", "src"])?;
    assert_eq!(report, stdout(&piped));

    let (terminal, _) = on_terminal("json")?;
    assert!(!terminal.contains("/200 files"), "a bar: {terminal:?}");
    Ok(())
}
