//! `ctxlint cargo-check`, read as rust-analyzer reads `check.overrideCommand`: the whole
//! stream is parsed with `cargo_metadata::Message`, on a small crate that has both a clippy
//! warning and a ctxlint finding.

use std::path::Path;
use std::process::Command;

use cargo_metadata::Message;

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

#[test]
fn clippy_and_ctxlint_messages_in_one_stream() -> Result {
    let dir = tempfile::tempdir()?;
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\ncontextvars = {{ path = {:?} }}\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )?;
    std::fs::create_dir_all(dir.path().join("src"))?;
    std::fs::write(
        dir.path().join("src/main.rs"),
        "use contextvars::copy_context;\n\
         async fn work() {}\n\
         pub async fn f() {\n    let mut ctx = copy_context();\n    ctx.run(|| work()).await;\n}\n\
         fn one() -> u8 {\n    return 1;\n}\n\
         fn main() {\n    let _ = one();\n}\n",
    )?;
    let out = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .arg("cargo-check")
        .current_dir(dir.path())
        // The dependencies are those of this workspace, already downloaded.
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", dir.path().join("target"))
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    // clippy passed (warnings only); ctxlint found something.
    assert_eq!(out.status.code(), Some(1), "{stderr}");

    let messages: Vec<Message> =
        Message::parse_stream(&out.stdout[..]).collect::<std::result::Result<_, _>>()?;
    let codes: Vec<String> = messages
        .iter()
        .filter_map(|m| match m {
            Message::CompilerMessage(c) => c.message.code.as_ref().map(|c| c.code.clone()),
            _ => None,
        })
        .collect();
    assert!(
        codes.iter().any(|c| c == "clippy::needless_return"),
        "{codes:?}\n{stderr}"
    );
    let ours = messages
        .iter()
        .find_map(|m| match m {
            Message::CompilerMessage(c)
                if c.message
                    .code
                    .as_ref()
                    .is_some_and(|c| c.code == "sync_run_wraps_future") =>
            {
                Some(c)
            }
            _ => None,
        })
        .ok_or("no ctxlint message")?;
    assert_eq!(ours.message.spans[0].line_start, 5);
    assert!(
        ours.package_id.repr.contains("#app@0.1.0"),
        "{}",
        ours.package_id
    );
    // cargo's own messages pass through, and `build-finished` comes last, after ours.
    assert!(
        messages
            .iter()
            .any(|m| matches!(m, Message::CompilerArtifact(_)))
    );
    assert!(
        matches!(messages.last(), Some(Message::BuildFinished(f)) if f.success),
        "{:?}",
        messages.last()
    );
    Ok(())
}

#[test]
fn outside_a_cargo_project_nothing_is_checked() -> Result {
    let dir = tempfile::tempdir()?;
    // A finding that must not be reported: this directory is not a cargo project.
    std::fs::write(
        dir.path().join("stray.rs"),
        "use contextvars::ContextVar;\nuse std::sync::Mutex;\n\
         static X: ContextVar<Mutex<u8>> = ContextVar::with_default(\"x\", Mutex::new(0));\n",
    )?;
    let out = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .arg("cargo-check")
        .current_dir(dir.path())
        .env("CARGO_NET_OFFLINE", "true")
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("interior_mutable_default"), "{stdout}");
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Cargo.toml"));
    Ok(())
}
