//! Replays every input that a fuzz target failed on (`tests/fuzz/TARGET/`) through the same
//! property as the target (`tests/properties/mod.rs`), and the fuzzers' seeds (the UI cases)
//! too, so that the properties are checked in every test run, not only while fuzzing.

mod properties;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// The files of `dir` (none when it does not exist), sorted.
fn files_in(dir: &Path, extension: Option<&str>) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let wanted = extension.is_none_or(|e| path.extension().is_some_and(|x| x == e));
        if path.is_file() && wanted && path.file_name().is_some_and(|n| n != "README.md") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Runs `property` on each file's bytes; fails naming every file on which it panicked.
fn replay(files: &[PathBuf], property: impl Fn(&[u8])) -> Result {
    let mut failed = Vec::new();
    for file in files {
        let bytes = std::fs::read(file)?;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| property(&bytes)));
        if outcome.is_err() {
            failed.push(file.display().to_string());
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("the property fails on {}", failed.join(", ")).into())
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// As the targets do: bytes that are not UTF-8 are not a source file.
fn as_text(property: fn(&str)) -> impl Fn(&[u8]) {
    move |bytes| {
        if let Ok(text) = std::str::from_utf8(bytes) {
            property(text);
        }
    }
}

#[test]
fn check_rust_regressions_and_seeds() -> Result {
    let mut files = files_in(&root().join("tests/fuzz/check_rust"), None)?;
    let seeds = files_in(&root().join("tests/ui"), Some("rs"))?;
    assert!(seeds.len() > 10, "the UI cases are the seeds: {seeds:?}");
    files.extend(seeds);
    replay(&files, as_text(properties::check_rust))
}

#[test]
fn fix_rust_regressions_and_seeds() -> Result {
    let mut files = files_in(&root().join("tests/fuzz/fix_rust"), None)?;
    files.extend(files_in(&root().join("tests/ui"), Some("rs"))?);
    replay(&files, as_text(properties::fix_rust))
}

#[test]
fn check_python_regressions_and_seeds() -> Result {
    let mut files = files_in(&root().join("tests/fuzz/check_python"), None)?;
    let seeds = files_in(&root().join("tests/ui"), Some("py"))?;
    assert!(
        seeds.len() > 5,
        "the Python UI cases are the seeds: {seeds:?}"
    );
    files.extend(seeds);
    replay(&files, as_text(properties::check_python))
}

#[test]
fn lsp_server_regressions() -> Result {
    replay(
        &files_in(&root().join("tests/fuzz/lsp_server"), None)?,
        properties::lsp_session,
    )
}

/// The `lsp_server` cases through the real binary's standard input too, after an
/// `initialize`: when its input ends, the server must end by itself, with an exit code and
/// without a panic (an oversized `Content-Length` used to abort it).
#[test]
fn lsp_server_regressions_over_stdio() -> Result {
    let dir = tempfile::tempdir()?;
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    for file in files_in(&root().join("tests/fuzz/lsp_server"), None)? {
        let mut input = format!("Content-Length: {}\r\n\r\n{init}", init.len()).into_bytes();
        input.extend(std::fs::read(&file)?);
        let mut child = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
            .arg("server")
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        // The server may stop reading early (that is fine): ignore a broken pipe.
        let _ = stdin.write_all(&input);
        drop(stdin);
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if Instant::now() > deadline {
                child.kill()?;
                return Err(format!("{}: the server did not end", file.display()).into());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            std::io::Read::read_to_string(&mut e, &mut stderr)?;
        }
        assert!(
            status.code().is_some_and(|c| c != 101) && !stderr.contains("panicked"),
            "{}: the server ended with {status}:\n{stderr}",
            file.display()
        );
    }
    Ok(())
}

/// A well-formed session through the fuzz target's harness, with a request after `shutdown`
/// (which the server need not answer), and the same cut short by a malformed frame.
#[test]
fn lsp_session_harness() -> Result {
    fn frame(messages: &[serde_json::Value]) -> Vec<u8> {
        let mut out = Vec::new();
        for m in messages {
            let body = m.to_string();
            out.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
        }
        out
    }
    let uri = "file:///nonexistent-ctxlint-fuzz/main.rs";
    let text = std::fs::read_to_string(root().join("tests/ui/srwf_seed.rs"))?;
    let action = serde_json::json!({
        "textDocument": { "uri": uri },
        "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } },
        "context": { "diagnostics": [] },
    });
    let session = frame(&[
        serde_json::json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": { "uri": uri, "languageId": "rust", "version": 1, "text": text } } }),
        serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": "textDocument/codeAction", "params": action }),
        serde_json::json!({ "jsonrpc": "2.0", "id": "two", "method": "textDocument/hover", "params": {} }),
        serde_json::json!({ "jsonrpc": "2.0", "id": 3, "method": "shutdown" }),
        serde_json::json!({ "jsonrpc": "2.0", "id": 4, "method": "textDocument/codeAction", "params": action }),
    ]);
    properties::lsp_session(&session);
    // Garbage after a valid message ends the input, as on stdio.
    let mut garbled = session.clone();
    garbled.truncate(session.len() / 2);
    garbled.extend(b"Content-Length: x\r\n\r\n{");
    properties::lsp_session(&garbled);
    Ok(())
}
