//! The properties that the fuzz targets check, one function per target. They live here so that
//! the fuzzer (`fuzz/`, which includes this file as its library) and the regression tests
//! (`tests/fuzz_regressions.rs`, which replays every input the fuzzer ever failed on) check
//! exactly the same thing. Each function panics when its property does not hold.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ctxlint::{Applicability, CheckOutput, ErrorKind, SourceSpan};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;

/// The path every fuzzed buffer is checked as. Its directory does not exist, so that no
/// `Cargo.toml` or `ctxlint.toml` on the machine joins in and no directory is walked: the
/// result depends on the text alone.
pub fn buffer_path() -> PathBuf {
    PathBuf::from("/nonexistent-ctxlint-fuzz/main.rs")
}

/// As [`buffer_path`], for the Python front end: the extension picks the language.
pub fn python_buffer_path() -> PathBuf {
    PathBuf::from("/nonexistent-ctxlint-fuzz/main.py")
}

/// How long the LSP session waits for the server before calling it a hang. libFuzzer's own
/// `-timeout` is shorter in practice; this bounds the replay in the regression tests.
const SERVER_TIMEOUT: Duration = Duration::from_secs(20);

/// `check_source` on arbitrary text: no panic, every span inside the text and on character
/// boundaries, and every renderer (human, JSON, SARIF, GitHub) copes with the result.
pub fn check_rust(text: &str) {
    check_buffer(&buffer_path(), text);
}

/// [`check_rust`]'s property for a Python buffer, and [`fix_rust`]'s too: the Python front end
/// has machine-applicable suggestions of its own (`create_task(..., context=ctx)`), and one
/// target checks both, since a fix is only ever computed from a check.
pub fn check_python(text: &str) {
    let path = python_buffer_path();
    check_buffer(&path, text);
    fix_buffer(&path, text);
}

fn check_buffer(path: &Path, text: &str) {
    let output = checked(path, text);
    for finding in &output.findings {
        assert_span_in(text, finding.span, "finding");
        if let Some(s) = &finding.suggestion {
            assert_span_in(text, s.span, "suggestion");
        }
    }
    for error in &output.errors {
        assert!(
            matches!(error.kind(), ErrorKind::Parse | ErrorKind::TooDeep),
            "unexpected error kind for a buffer: {error}"
        );
    }
    let _ = output.render_human(false);
    for line in output.render_json().lines() {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
            panic!("render_json wrote a line that is not JSON ({e}): {line}");
        }
    }
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&output.render_sarif()) {
        panic!("render_sarif is not JSON: {e}");
    }
    let _ = output.render_github();
}

/// `--fix` in memory: applying the machine-applicable suggestions never yields text that no
/// longer parses, and once a round applied every suggestion it had (none overlapped), the
/// next check has nothing left to apply. Rounds repeat, as `ctxlint check --fix` does, while
/// overlapping suggestions were held back.
pub fn fix_rust(text: &str) {
    fix_buffer(&buffer_path(), text);
}

fn fix_buffer(path: &Path, text: &str) {
    let mut current = text.to_owned();
    // Each round applies at least one suggestion and the text is finite, but a fuzzed file can
    // nest `run` calls deeply: bound the work per input instead of proving termination here.
    for _ in 0..16 {
        let output = checked(path, &current);
        let applicable: Vec<_> = output
            .findings
            .iter()
            .filter_map(|f| f.suggestion.as_ref())
            .filter(|s| s.applicability == Applicability::MachineApplicable)
            .collect();
        if applicable.is_empty() {
            return;
        }
        let (fixed, applied) = ctxlint::apply_suggestions(&current, applicable.iter().copied());
        assert!(
            applied > 0,
            "no suggestion applied out of {}",
            applicable.len()
        );
        let after = checked(path, &fixed);
        if let Some(e) = after.errors.iter().find(|e| e.kind() == ErrorKind::Parse) {
            panic!("the fixed text does not parse: {e}\n--- before\n{current}\n--- after\n{fixed}");
        }
        if applied == applicable.len() {
            let again: Vec<_> = after
                .findings
                .iter()
                .filter_map(|f| f.suggestion.as_ref())
                .filter(|s| s.applicability == Applicability::MachineApplicable)
                .collect();
            let (twice, _) = ctxlint::apply_suggestions(&fixed, again.iter().copied());
            assert_eq!(
                twice, fixed,
                "fixing a fixed text changed it again\n--- original\n{current}"
            );
            return;
        }
        current = fixed;
    }
}

fn checked(path: &Path, text: &str) -> CheckOutput {
    match ctxlint::check_source(path, text, None) {
        Ok(output) => output,
        Err(e) => panic!("check_source failed on a buffer without configuration: {e}"),
    }
}

fn assert_span_in(text: &str, span: SourceSpan, what: &str) {
    assert!(
        span.byte_start <= span.byte_end
            && span.byte_end <= text.len()
            && text.is_char_boundary(span.byte_start)
            && text.is_char_boundary(span.byte_end),
        "{what} span {span:?} is not a range of the {}-byte text",
        text.len()
    );
    assert!(
        span.line_start >= 1 && span.line_start <= span.line_end,
        "{what} span {span:?} has bad lines"
    );
}

/// The language server fed `bytes` as its input stream, after a well-formed `initialize`
/// handshake: the bytes are read as `Content-Length`-framed JSON-RPC messages by the reader
/// of `ctxlint server`'s standard input (`ctxlint::server::read_message`), up to the first
/// that does not frame or parse (where the server stops reading too). The server must not panic, must answer every request it reads
/// before a `shutdown` (that one included), and must end when its input ends.
pub fn lsp_session(bytes: &[u8]) {
    let (server, client) = Connection::memory();
    let serving = std::thread::Builder::new()
        .name("fuzz-server".to_owned())
        .spawn(move || ctxlint::server::serve(server, &ctxlint::server::ServerOptions::default()));
    let serving = match serving {
        Ok(handle) => handle,
        Err(e) => panic!("cannot start the server thread: {e}"),
    };
    // `initialize` gets id -1, which a fuzzed request may reuse: answers are counted per id.
    let init_id = RequestId::from(-1);
    let init = Request::new(
        init_id.clone(),
        "initialize".to_owned(),
        json!({ "capabilities": {} }),
    );
    let _ = client.sender.send(Message::Request(init));
    match client.receiver.recv_timeout(SERVER_TIMEOUT) {
        Ok(Message::Response(r)) if r.id == init_id && r.response_result.is_ok() => {}
        other => panic!("no answer to `initialize`: {other:?}"),
    }
    let initialized = Notification::new("initialized".to_owned(), json!({}));
    let _ = client.sender.send(Message::Notification(initialized));

    let mut expected: Vec<RequestId> = Vec::new();
    let mut reader = bytes;
    let mut shut_down = false;
    while let Ok(Some(message)) = ctxlint::server::read_message(&mut reader) {
        if let Message::Request(request) = &message
            && !shut_down
        {
            expected.push(request.id.clone());
            shut_down = request.method == "shutdown";
        }
        // A closed channel: the server has stopped reading (after `shutdown`).
        if client.sender.send(message).is_err() {
            break;
        }
    }
    // End of input, as when the editor closes the pipe.
    let Connection { sender, receiver } = client;
    drop(sender);

    let mut answered: Vec<RequestId> = Vec::new();
    let deadline = std::time::Instant::now() + SERVER_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match receiver.recv_timeout(left) {
            Ok(Message::Response(r)) => answered.push(r.id),
            Ok(_) => {}
            // Every sender is gone: the server and its worker have ended.
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                panic!("the server did not end within {SERVER_TIMEOUT:?} of its input ending")
            }
        }
    }
    match serving.join() {
        // A protocol error (say, a message other than `exit` after `shutdown`) is an answer,
        // not a failure.
        Ok(_) => {}
        Err(panic) => std::panic::resume_unwind(panic),
    }
    for id in expected {
        match answered.iter().position(|a| *a == id) {
            Some(at) => {
                answered.swap_remove(at);
            }
            None => panic!("request {id} was never answered"),
        }
    }
}
