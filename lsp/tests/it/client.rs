//! A minimal LSP client for the end-to-end tests: spawns `hexa lsp` and speaks JSON-RPC
//! with Content-Length framing over its stdin and stdout.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long a test waits for any one message before failing.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The `hexa` binary next to this test binary (`target/debug/hexa`).
pub fn hexa_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    // target/debug/deps/it-HASH -> target/debug/hexa
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary is in target/PROFILE/deps");
    let binary = dir.join("hexa");
    assert!(
        binary.exists(),
        "{} is missing: build it first with `cargo build -p hexa`",
        binary.display()
    );
    binary
}

/// A running `hexa lsp` with the messages it sent and the test has not consumed yet.
pub struct Server {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Messages read while waiting for something else.
    pub backlog: Vec<Value>,
    next_id: i64,
}

impl Server {
    /// Spawns `hexa FLAGS... lsp` (FLAGS are global flags such as `--python`); stderr is
    /// inherited so its logs show in a failing test.
    pub fn spawn_with_flags(flags: &[&str]) -> Self {
        let mut child = Command::new(hexa_binary())
            .args(flags)
            .arg("lsp")
            .env(
                "HEXA_LOG",
                std::env::var("HEXA_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("hexa lsp starts");
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            stdin,
            incoming,
            backlog: Vec::new(),
            next_id: 1,
        }
    }

    /// Spawns the server and runs `initialize` + `initialized` with these capabilities.
    pub fn initialized(capabilities: Value) -> (Self, Value) {
        Server::initialized_with_flags(capabilities, &[])
    }

    /// Like [`Server::initialized`], for `hexa FLAGS... lsp`.
    pub fn initialized_with_flags(capabilities: Value, flags: &[&str]) -> (Self, Value) {
        let mut server = Server::spawn_with_flags(flags);
        let result = server.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": capabilities }),
        );
        server.notify("initialized", json!({}));
        (server, result)
    }

    /// Writes one framed message.
    pub fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its id without waiting.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and returns the whole response (with `result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Sends a request and returns its `result`, failing the test on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// Waits for the response to request `id`.
    pub fn response(&mut self, id: i64) -> Value {
        self.wait_for(|message| message["id"] == json!(id) && message.get("method").is_none())
    }

    /// Waits for a message matching `matches`, keeping the others in the backlog.
    pub fn wait_for(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.backlog.iter().position(&matches) {
            return self.backlog.remove(index);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) if matches(&message) => return message,
                Ok(message) => self.backlog.push(message),
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no matching message within {TIMEOUT:?}; received: {:#?}",
                    self.backlog
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed stdout; received: {:#?}", self.backlog)
                }
            }
        }
    }

    /// Collects every message that arrives within `quiet` of the previous one.
    pub fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut messages = std::mem::take(&mut self.backlog);
        while let Ok(message) = self.incoming.recv_timeout(quiet) {
            messages.push(message);
        }
        messages
    }

    /// Waits for `publishDiagnostics` for `uri` with this version.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"] == json!(version)
        })["params"]
            .clone()
    }

    /// Opens a document.
    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": language, "version": 1, "text": text
            }}),
        );
    }

    /// Sends `shutdown` and `exit` and checks the exit status.
    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("wait for hexa lsp");
        assert!(status.success(), "hexa lsp exited with {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only reached with the child still running when a test failed part way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A file URI for a path.
pub fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

/// Capabilities of a plain client: UTF-16, no resolve support, file creation through edits.
pub fn basic_capabilities() -> Value {
    json!({
        "workspace": { "workspaceEdit": {
            "documentChanges": true, "resourceOperations": ["create"]
        }},
        "textDocument": { "documentSymbol": { "hierarchicalDocumentSymbolSupport": true } }
    })
}

/// Applies LSP text edits (UTF-16 columns) to a text, last edit first.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            let start = offset(text, &edit["range"]["start"]);
            let end = offset(text, &edit["range"]["end"]);
            (
                start,
                end,
                edit["newText"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut out = text.to_string();
    for (start, end, new_text) in spans {
        out.replace_range(start..end, &new_text);
    }
    out
}

fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap_or_default() as usize;
    let column = position["character"].as_u64().unwrap_or_default() as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (index, ch) in text[line_start..].char_indices() {
        if units >= column || ch == '\n' {
            return line_start + index;
        }
        units += ch.len_utf16();
    }
    text.len()
}
