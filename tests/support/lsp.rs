//! A minimal Language Server Protocol client for tests and benches: it starts `ctxlint
//! server`, frames JSON-RPC messages with `Content-Length` headers, and reads the server's
//! messages on a thread so that every wait has a timeout.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: mpsc::Receiver<Value>,
    next_id: u64,
    /// Notifications read while waiting for something else.
    pub backlog: Vec<Value>,
}

impl Client {
    /// Starts `binary server` in `dir` and completes the `initialize` handshake; returns the
    /// client and the server's `initialize` result.
    pub fn start(binary: &str, dir: &Path) -> Result<(Client, Value)> {
        let mut child = Command::new(binary)
            .arg("server")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin: Some(stdin),
            messages,
            next_id: 1,
            backlog: Vec::new(),
        };
        let root = format!("file://{}", dir.display());
        let result = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": root, "capabilities": {} }),
            Duration::from_secs(30),
        )?;
        client.notify("initialized", json!({}))?;
        Ok((client, result))
    }

    /// The server's process id, to read its memory from `/proc` (tests/server_soak.rs).
    #[allow(dead_code, reason = "only the soak test reads it")]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn send(&mut self, message: &Value) -> Result {
        let body = serde_json::to_vec(message)?;
        let stdin = self.stdin.as_mut().ok_or("the server's input is closed")?;
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len())?;
        stdin.write_all(&body)?;
        stdin.flush()?;
        Ok(())
    }

    pub fn notify(&mut self, method: &str, params: Value) -> Result {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Sends a request and waits for its response; returns its `result`.
    pub fn request(&mut self, method: &str, params: Value, timeout: Duration) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        let response = self.wait(timeout, |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })?;
        if let Some(error) = response.get("error") {
            return Err(format!("{method} failed: {error}").into());
        }
        Ok(response["result"].clone())
    }

    /// Waits for the first message that `matches`, keeping the others in the backlog.
    pub fn wait(&mut self, timeout: Duration, matches: impl Fn(&Value) -> bool) -> Result<Value> {
        if let Some(at) = self.backlog.iter().position(&matches) {
            return Ok(self.backlog.remove(at));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) if matches(&message) => return Ok(message),
                Ok(message) => self.backlog.push(message),
                Err(e) => return Err(format!("no matching message within {timeout:?}: {e}").into()),
            }
        }
    }

    /// Waits for the diagnostics of `uri` at `version`.
    pub fn diagnostics(
        &mut self,
        uri: &str,
        version: i64,
        timeout: Duration,
    ) -> Result<Vec<Value>> {
        let message = self.wait(timeout, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        })?;
        Ok(message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// `shutdown`, then `exit`; returns the server's exit code.
    pub fn stop(mut self) -> Result<Option<i32>> {
        self.request("shutdown", Value::Null, Duration::from_secs(30))?;
        self.notify("exit", Value::Null)?;
        self.stdin = None;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status.code());
            }
            if Instant::now() > deadline {
                self.child.kill()?;
                return Err("the server did not exit after `exit`".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> std::io::Result<Option<Value>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let Some(length) = length else {
        return Ok(None);
    };
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(serde_json::from_slice(&body).ok())
}

/// Applies LSP text edits (positions in UTF-16 units) to `text`.
pub fn apply_edits(text: &str, edits: &[Value]) -> Result<String> {
    let offset = |pos: &Value| -> Result<usize> {
        let line = pos["line"].as_u64().ok_or("no line")? as usize;
        let character = pos["character"].as_u64().ok_or("no character")? as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character {
                return Ok(start + i);
            }
            units += c.len_utf16();
        }
        Ok(text.len())
    };
    let mut ranges = Vec::new();
    for edit in edits {
        let start = offset(&edit["range"]["start"])?;
        let end = offset(&edit["range"]["end"])?;
        let new = edit["newText"].as_str().ok_or("no newText")?.to_owned();
        ranges.push((start, end, new));
    }
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = text.to_owned();
    for (start, end, new) in ranges {
        out.replace_range(start..end, &new);
    }
    Ok(out)
}
