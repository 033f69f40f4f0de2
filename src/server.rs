//! `ctxlint server`: a Language Server over standard input and output.
//!
//! It runs beside rust-analyzer (which keeps showing rustc's and clippy's diagnostics), and:
//!
//! - publishes ctxlint's diagnostics for a Rust or Python buffer when it is opened, changed and
//!   saved, from the buffer's text (the rest of its crate or project is read from disk, for the
//!   shared facts). The buffer's language is the one the editor names (`languageId`), so that
//!   an untitled buffer is checked too; a buffer of another language gets no diagnostics;
//! - offers each suggestion as a quick fix (`textDocument/codeAction`), the machine-applicable
//!   ones marked preferred.
//!
//! Buffers are checked on a worker thread, so a large or pathological buffer never delays the
//! answer to a request, and only the latest text of a buffer is checked when edits arrive
//! faster than checks finish. Text that does not parse (half-typed code) gets an empty list:
//! rust-analyzer already reports syntax errors.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString,
    Position, PublishDiagnosticsParams, Range, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};

use ctxlint_catalogue::Language;

use crate::diagnostic::{Applicability, Finding, SourceSpan};
use crate::error::{Error, ErrorKind};

/// What the server was started with.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// A configuration file for every buffer, instead of the one discovered beside each crate.
    pub config: Option<PathBuf>,
}

/// The text of one open buffer.
#[derive(Debug, Clone)]
struct Doc {
    uri: Uri,
    version: i32,
    text: Arc<str>,
    /// The language the editor said the buffer is in, if ctxlint checks it; `None` when it
    /// named none ctxlint knows, and the buffer's name decides.
    language: Option<Language>,
}

/// The findings of a buffer at one version, kept for code actions.
#[derive(Debug)]
struct Checked {
    version: i32,
    text: Arc<str>,
    findings: Vec<Finding>,
}

/// The open buffers and their last check, keyed by the URI's text (`Uri` itself has interior
/// mutability, which makes it a poor hash key).
#[derive(Default)]
struct Shared {
    docs: Mutex<HashMap<String, Doc>>,
    checked: Mutex<HashMap<String, Checked>>,
}

/// Serves the Language Server Protocol on standard input and output until the client asks
/// the server to shut down and exit.
///
/// # Errors
/// A broken connection or a malformed `initialize` exchange, as [`ErrorKind::Server`].
pub fn serve_stdio(options: &ServerOptions) -> Result<(), Error> {
    // lsp-server's `Connection::stdio`, with [`read_message`] as its reader.
    let (to_server, from_stdin) = crossbeam_channel::bounded::<Message>(0);
    let (to_stdout, from_server) = crossbeam_channel::bounded::<Message>(0);
    let reader = std::thread::Builder::new()
        .name("ctxlint-stdin".to_owned())
        .spawn(move || -> std::io::Result<()> {
            let mut stdin = std::io::stdin().lock();
            while let Some(message) = read_message(&mut stdin)? {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if to_server.send(message).is_err() || exit {
                    break;
                }
            }
            Ok(())
        })
        .map_err(|e| server_error("cannot start the reader thread", e))?;
    let writer = std::thread::Builder::new()
        .name("ctxlint-stdout".to_owned())
        .spawn(move || -> std::io::Result<()> {
            let mut stdout = std::io::stdout().lock();
            from_server
                .into_iter()
                .try_for_each(|message| message.write(&mut stdout))
        })
        .map_err(|e| server_error("cannot start the writer thread", e))?;
    let connection = Connection {
        sender: to_stdout,
        receiver: from_stdin,
    };
    serve(connection, options)?;
    for (name, thread) in [("stdin", reader), ("stdout", writer)] {
        match thread.join() {
            Ok(result) => result.map_err(|e| server_error(name, e))?,
            Err(_) => return Err(server_error(name, "the thread panicked")),
        }
    }
    Ok(())
}

/// The largest message body the server reads: a `Content-Length` above it ends the input, as
/// a malformed header does. Editors send whole buffers; 256 MiB is far above any source file.
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// Reads one `Content-Length`-framed JSON-RPC message, as `ctxlint server` reads its standard
/// input; `Ok(None)` at the end of the input.
///
/// lsp-server's own reader allocates the announced length before reading the body, so a
/// garbled or hostile `Content-Length` aborted the whole process (found by the `lsp_server`
/// fuzz target). Here the length is bounded, and the body grows only as its bytes arrive.
///
/// # Errors
/// A malformed header, a missing or oversized `Content-Length`, a body cut short, or a body
/// that is not a JSON-RPC message, as [`std::io::ErrorKind::InvalidData`] (or the read error).
pub fn read_message(input: &mut impl BufRead) -> std::io::Result<Option<Message>> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let mut size = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let Some(header) = line.strip_suffix("\r\n") else {
            return Err(invalid(format!("malformed header: {line:?}")));
        };
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(": ") else {
            return Err(invalid(format!("malformed header: {header:?}")));
        };
        if name.eq_ignore_ascii_case("Content-Length") {
            let n: usize = value
                .parse()
                .map_err(|e| invalid(format!("bad Content-Length {value:?}: {e}")))?;
            if n > MAX_MESSAGE_BYTES {
                return Err(invalid(format!(
                    "a {n}-byte message is more than the {MAX_MESSAGE_BYTES} bytes read"
                )));
            }
            size = Some(n);
        }
    }
    let size = size.ok_or_else(|| invalid("no Content-Length".to_owned()))?;
    let mut body = Vec::new();
    input.take(size as u64).read_to_end(&mut body)?;
    if body.len() < size {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| invalid(format!("malformed message: {e}")))
}

/// Serves the Language Server Protocol on `connection` (see [`serve_stdio`]).
///
/// # Errors
/// A broken connection or a malformed `initialize` exchange, as [`ErrorKind::Server`].
pub fn serve(connection: Connection, options: &ServerOptions) -> Result<(), Error> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let init = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "ctxlint".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        },
    });
    let (id, _params) = connection
        .initialize_start()
        .map_err(|e| server_error("initialize", e))?;
    connection
        .initialize_finish(id, init)
        .map_err(|e| server_error("initialize", e))?;

    let shared = Arc::new(Shared::default());
    let (jobs, queue) = mpsc::channel::<String>();
    let worker = {
        let shared = Arc::clone(&shared);
        let sender = connection.sender.clone();
        let config = options.config.clone();
        std::thread::Builder::new()
            .name("ctxlint-check".to_owned())
            .spawn(move || check_loop(&queue, &shared, &sender, config.as_deref()))
            .map_err(|e| server_error("cannot start the worker thread", e))?
    };

    let result = main_loop(&connection, &shared, &jobs);
    // Closing the queue ends the worker once it finishes the check in progress.
    drop(jobs);
    let _ = worker.join();
    result
}

fn main_loop(
    connection: &Connection,
    shared: &Shared,
    jobs: &mpsc::Sender<String>,
) -> Result<(), Error> {
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| server_error("shutdown", e))?
                {
                    return Ok(());
                }
                let response = answer(shared, request);
                connection
                    .sender
                    .send(Message::Response(response))
                    .map_err(|e| server_error("send", e))?;
            }
            Message::Notification(notification) => {
                if let Some(uri) = update(shared, notification, connection)? {
                    // A closed queue means the worker died; requests are still answered.
                    let _ = jobs.send(uri);
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Applies a notification to the open buffers; returns the buffer to check again.
fn update(
    shared: &Shared,
    notification: Notification,
    connection: &Connection,
) -> Result<Option<String>, Error> {
    let mut docs = shared.docs.lock().unwrap_or_else(PoisonError::into_inner);
    match notification.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Ok(p) = notification
                .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
            else {
                return Ok(None);
            };
            let doc = p.text_document;
            let key = doc.uri.as_str().to_owned();
            docs.insert(
                key.clone(),
                Doc {
                    uri: doc.uri,
                    version: doc.version,
                    text: Arc::from(doc.text),
                    language: Language::from_lsp_id(&doc.language_id),
                },
            );
            Ok(Some(key))
        }
        DidChangeTextDocument::METHOD => {
            let Ok(p) = notification
                .extract::<lsp_types::DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
            else {
                return Ok(None);
            };
            // Full synchronisation: the last change holds the whole text.
            let Some(change) = p.content_changes.into_iter().last() else {
                return Ok(None);
            };
            let uri = p.text_document.uri;
            let key = uri.as_str().to_owned();
            // The language was named when the buffer was opened.
            let language = docs.get(&key).and_then(|d| d.language);
            docs.insert(
                key.clone(),
                Doc {
                    uri,
                    version: p.text_document.version,
                    text: Arc::from(change.text),
                    language,
                },
            );
            Ok(Some(key))
        }
        DidSaveTextDocument::METHOD => {
            let Ok(p) = notification
                .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
            else {
                return Ok(None);
            };
            let key = p.text_document.uri.as_str().to_owned();
            if let (Some(text), Some(doc)) = (p.text, docs.get_mut(&key)) {
                doc.text = Arc::from(text);
            }
            // Saving can change other files' facts too (an `async fn` of the crate), so the
            // buffer is checked again even when its text is unchanged.
            Ok(docs.contains_key(&key).then_some(key))
        }
        DidCloseTextDocument::METHOD => {
            let Ok(p) = notification
                .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
            else {
                return Ok(None);
            };
            let uri = p.text_document.uri;
            let key = uri.as_str();
            docs.remove(key);
            drop(docs);
            shared
                .checked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(key);
            publish(&connection.sender, uri, Vec::new(), None)?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Answers a request; only code actions are served.
fn answer(shared: &Shared, request: Request) -> Response {
    let id = request.id.clone();
    if request.method != CodeActionRequest::METHOD {
        return Response::new_err(
            id,
            ErrorCode::MethodNotFound as i32,
            format!("unsupported request `{}`", request.method),
        );
    }
    let params = match request.extract::<CodeActionParams>(CodeActionRequest::METHOD) {
        Ok((_, params)) => params,
        Err(e) => {
            return Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("bad code action parameters: {e}"),
            );
        }
    };
    Response::new_ok(id, code_actions(shared, &params))
}

fn code_actions(shared: &Shared, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let current = shared
        .docs
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(uri.as_str())
        .map(|d| d.version);
    let checked = shared
        .checked
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let Some(checked) = checked.get(uri.as_str()) else {
        return Vec::new();
    };
    // Edits computed for an older text would land in the wrong place; the client asks again
    // once the new diagnostics arrive.
    if current != Some(checked.version) {
        return Vec::new();
    }
    let index = LineIndex::new(&checked.text);
    let mut actions = Vec::new();
    for finding in &checked.findings {
        let Some(suggestion) = &finding.suggestion else {
            continue;
        };
        let range = index.range(&checked.text, finding.span);
        if !overlaps(range, params.range) {
            continue;
        }
        let edit = TextEdit {
            range: index.range(&checked.text, suggestion.span),
            new_text: suggestion.replacement.clone(),
        };
        let certain = suggestion.applicability == Applicability::MachineApplicable;
        let title = format!(
            "{}{}",
            finding.texts().suggestion.unwrap_or("apply the suggestion"),
            if certain {
                ""
            } else {
                " (review: maybe incorrect)"
            }
        );
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic(&index, &checked.text, finding)]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(certain),
            ..CodeAction::default()
        }));
    }
    actions
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The worker: checks the buffers named on the queue, latest text first, and publishes.
fn check_loop(
    queue: &mpsc::Receiver<String>,
    shared: &Shared,
    sender: &crossbeam_channel::Sender<Message>,
    config: Option<&Path>,
) {
    while let Ok(first) = queue.recv() {
        // Edits that arrived during the last check collapse into one check per buffer.
        let mut pending = vec![first];
        pending.extend(queue.try_iter());
        let mut seen = HashSet::new();
        pending.retain(|uri| seen.insert(uri.clone()));
        for key in pending {
            let doc = shared
                .docs
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&key)
                .cloned();
            let Some(doc) = doc else {
                continue;
            };
            let path = path_of(&doc.uri);
            let checked = crate::engine::check_source_as(&path, &doc.text, doc.language, config);
            let findings = match checked {
                Ok(output) => output.findings,
                // A bad configuration: nothing can be checked until it is fixed, and the
                // editor's log says why.
                Err(e) => {
                    let params = lsp_types::LogMessageParams {
                        typ: lsp_types::MessageType::ERROR,
                        message: format!("ctxlint: {e}"),
                    };
                    let _ = sender.send(Message::Notification(Notification::new(
                        lsp_types::notification::LogMessage::METHOD.to_owned(),
                        params,
                    )));
                    Vec::new()
                }
            };
            let index = LineIndex::new(&doc.text);
            let diagnostics = findings
                .iter()
                .map(|f| diagnostic(&index, &doc.text, f))
                .collect();
            shared
                .checked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    key,
                    Checked {
                        version: doc.version,
                        text: Arc::clone(&doc.text),
                        findings,
                    },
                );
            if publish(sender, doc.uri, diagnostics, Some(doc.version)).is_err() {
                return;
            }
        }
    }
}

fn publish(
    sender: &crossbeam_channel::Sender<Message>,
    uri: Uri,
    diagnostics: Vec<Diagnostic>,
    version: Option<i32>,
) -> Result<(), Error> {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    sender
        .send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_owned(),
            params,
        )))
        .map_err(|e| server_error("send", e))
}

fn diagnostic(index: &LineIndex, text: &str, finding: &Finding) -> Diagnostic {
    let lint = finding.lint;
    Diagnostic {
        range: index.range(text, finding.span),
        severity: Some(match finding.level {
            ctxlint_catalogue::Level::Deny => DiagnosticSeverity::ERROR,
            _ => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(lint.name.to_owned())),
        code_description: lint
            .help_uri()
            .parse::<Uri>()
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("ctxlint".to_owned()),
        message: {
            let t = finding.texts();
            format!(
                "{}\n{}\nnote: {}\nhelp: {}",
                t.message, t.label, t.note, t.help
            )
        },
        ..Diagnostic::default()
    }
}

/// The file a document URI names. Buffers without a file (`untitled:`) are checked as a file
/// of their own name in the current directory, in the language the editor names.
fn path_of(uri: &Uri) -> PathBuf {
    let text = uri.as_str();
    if let Some(rest) = text.strip_prefix("file://") {
        // `file:///p` has an empty authority; `file://host/p` names a host, ignored here.
        let path = match rest.find('/') {
            Some(at) => &rest[at..],
            None => rest,
        };
        let decoded = percent_decode(path);
        // `file:///C:/x` on Windows.
        #[cfg(windows)]
        let decoded = decoded
            .strip_prefix('/')
            .map(str::to_owned)
            .unwrap_or(decoded);
        return PathBuf::from(decoded);
    }
    let name: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    PathBuf::from(name)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(&h), Some(&l)) = (bytes.get(i + 1), bytes.get(i + 2))
            && let (Some(h), Some(l)) = (hex(h), hex(l))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Byte offsets to LSP positions, whose columns count UTF-16 code units (the protocol's
/// default encoding, which every client supports).
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    fn range(&self, text: &str, span: SourceSpan) -> Range {
        Range {
            start: self.position(text, span.byte_start),
            end: self.position(text, span.byte_end),
        }
    }
}

fn server_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Server,
        None,
        format!("language server: {what}: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16() {
        let text = "ab\né𝄞x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 1), Position::new(0, 1));
        // `é` is one UTF-16 unit, `𝄞` two.
        let x = text.find('x').unwrap_or(0);
        assert_eq!(index.position(text, x), Position::new(1, 3));
        assert_eq!(index.position(text, text.len()), Position::new(2, 0));
    }

    #[test]
    fn read_message_bounds_the_length() {
        use std::io::ErrorKind::{InvalidData, UnexpectedEof};
        let mut oversized: &[u8] = b"Content-Length: 99999999999999\r\n\r\n{}";
        let kind = read_message(&mut oversized).err().map(|e| e.kind());
        assert_eq!(kind, Some(InvalidData));
        let body = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let mut input = framed.as_bytes();
        let message = read_message(&mut input);
        assert!(
            matches!(&message, Ok(Some(Message::Notification(n))) if n.method == "exit"),
            "{message:?}"
        );
        assert!(matches!(read_message(&mut input), Ok(None)));
        let mut cut = &framed.as_bytes()[..framed.len() - 1];
        let kind = read_message(&mut cut).err().map(|e| e.kind());
        assert_eq!(kind, Some(UnexpectedEof));
    }

    #[test]
    fn file_uris_become_paths() {
        let uri: Uri = "file:///tmp/a%20b/main.rs"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(path_of(&uri), PathBuf::from("/tmp/a b/main.rs"));
        let untitled: Uri = "untitled:Untitled-1"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(path_of(&untitled), PathBuf::from("untitled_Untitled_1"));
    }
}
