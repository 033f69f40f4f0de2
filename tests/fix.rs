//! `ctxlint check --fix` on real files: what it rewrites, what it must never touch, and that
//! a second run changes nothing. The per-case `.fixed` snapshots are in `tests/ui.rs`.

use std::path::Path;
use std::process::{Command, Output};

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

fn ctxlint_in(dir: &Path, args: &[&str]) -> Result<Output> {
    Ok(Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(args)
        .current_dir(dir)
        .output()?)
}

const FIXABLE: &str = "use contextvars::copy_context;\n\
async fn work() {}\n\
async fn f() {\n    let mut ctx = copy_context();\n    ctx.run(|| work()).await;\n    ctx.run(|| work());\n}\n\
fn main() {}\n";

const FIXED: &str = "use contextvars::copy_context;\n\
async fn work() {}\n\
async fn f() {\n    let mut ctx = copy_context();\n    ctx.scope_mut(work()).await;\n    ctx.run(|| work());\n}\n\
fn main() {}\n";

#[test]
fn fix_applies_only_machine_applicable_and_is_idempotent() -> Result {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("main.rs");
    std::fs::write(&file, FIXABLE)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640))?;
    }
    let first = ctxlint_in(
        dir.path(),
        &["check", "--fix", "--color", "never", "main.rs"],
    )?;
    let stderr = String::from_utf8_lossy(&first.stderr);
    // The awaited call is fixed; the bare `run` (maybe incorrect) is left and still reported.
    assert_eq!(std::fs::read_to_string(&file)?, FIXED);
    assert_eq!(first.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("fixed 1 finding in main.rs"), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&first.stdout)
            .matches("sync_run_wraps_future")
            .count(),
        1
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)?.permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "--fix must keep the file's permissions");
    }
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::result::Result<_, _>>()?;
    assert_eq!(names.len(), 1, "{names:?}");

    let second = ctxlint_in(dir.path(), &["check", "--fix", "main.rs"])?;
    assert_eq!(std::fs::read_to_string(&file)?, FIXED);
    assert!(!String::from_utf8_lossy(&second.stderr).contains("fixed"));
    assert_eq!(second.status.code(), Some(1));
    Ok(())
}

#[test]
fn fix_never_touches_a_file_with_parse_errors() -> Result {
    let dir = tempfile::tempdir()?;
    // A fixable call, but the file does not parse: nothing may change.
    let broken = format!("{FIXABLE}\nfn broken( {{\n");
    std::fs::write(dir.path().join("broken.rs"), &broken)?;
    std::fs::write(dir.path().join("good.rs"), FIXABLE)?;
    let out = ctxlint_in(dir.path(), &["check", "--fix", "."])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .collect();
    assert_eq!(
        errors,
        [
            "./broken.rs:10:12: cannot parse: unbalanced delimiters, or an unterminated string, character or block comment"
        ],
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.rs"))?,
        broken
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("good.rs"))?, FIXED);
    Ok(())
}

#[test]
fn fix_changes_nothing_on_clean_code() -> Result {
    let dir = tempfile::tempdir()?;
    let clean = "use contextvars::copy_context;\nasync fn work() {}\n\
                 async fn f() { copy_context().scope(work()).await; }\nfn main() {}\n";
    std::fs::write(dir.path().join("main.rs"), clean)?;
    let out = ctxlint_in(dir.path(), &["check", "--fix", "main.rs"])?;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(dir.path().join("main.rs"))?, clean);
    Ok(())
}
