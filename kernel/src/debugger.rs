//! The Jupyter debugger on top of debugpy: `debug_request` on control, replied to with
//! `debug_reply`, and the adapter's events published as `debug_event` on iopub.
//!
//! The first `initialize` starts debugpy's adapter from the Python thread (so debugpy traces
//! that thread) and connects to it as a DAP client. Most requests go to the adapter as they
//! are, and the kernel handles the Jupyter ones (`debugInfo`, `dumpCell`, `inspectVariables`,
//! ...) itself. **Every request gets a DAP response, with `success: false` and a message when
//! it fails. Nothing a client sends can stop the kernel.**

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use crate::cell_files::{self, CellFiles};
use crate::dap::{DapClient, DapError};
use crate::executor::Executor;
use crate::messages::Message;
use crate::transport::Iopub;

mod variables;

/// How long `attach` waits for the adapter's `initialized` event.
const INITIALIZED_TIMEOUT: Duration = Duration::from_secs(30);

/// Error of a debug request. Its text becomes the response's `message`.
#[derive(Debug, thiserror::Error)]
enum DebugError {
    #[error("debugpy is not installed in the kernel's Python environment")]
    Unavailable,
    #[error("the debugger has not started; send initialize first")]
    NotStarted,
    #[error("invalid {command} request: {message}")]
    Invalid { command: String, message: String },
    #[error("{0}")]
    Python(String),
    #[error(transparent)]
    Dap(#[from] DapError),
    #[error("cannot write the cell file {path}: {source}")]
    CellFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the debug adapter sent no initialized event in {} s", INITIALIZED_TIMEOUT.as_secs())]
    NotInitialized,
}

/// Debugger state that the event task and the execute handler read. It is kept apart from
/// the connection because a request locks the connection for as long as it runs.
#[derive(Default)]
struct Status {
    started: bool,
    stopped_threads: BTreeSet<i64>,
    /// Breakpoints of the last `setBreakpoints` request per source path, for `debugInfo`.
    breakpoints: BTreeMap<String, Value>,
}

/// The connection to the adapter, and its `initialized` event.
struct Connection {
    client: DapClient,
    port: u16,
    initialized: watch::Receiver<bool>,
    events: tokio::task::JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.events.abort();
    }
}

/// The debugger of one kernel.
pub struct Debugger {
    available: bool,
    cells: CellFiles,
    status: std::sync::Arc<Mutex<Status>>,
    /// Held for the whole of a request, so requests run one at a time, in arrival order.
    connection: tokio::sync::Mutex<Option<Connection>>,
    iopub: mpsc::UnboundedSender<Iopub>,
    session: String,
}

impl Debugger {
    /// Creates a debugger that `kernel_info` offers to clients when `available` (debugpy is
    /// installed).
    pub fn new(available: bool, iopub: mpsc::UnboundedSender<Iopub>, session: String) -> Self {
        Self {
            available,
            cells: CellFiles::for_this_process(),
            status: std::sync::Arc::default(),
            connection: tokio::sync::Mutex::new(None),
            iopub,
            session,
        }
    }

    /// Returns whether `kernel_info` offers the debugger.
    pub fn available(&self) -> bool {
        self.available
    }

    /// Writes `code` to its cell file, so that the adapter can show it, and returns the
    /// file's path for the cell to be compiled with. Returns `None` when the debugger has not
    /// started or the file cannot be written.
    pub fn cell_file(&self, code: &str) -> Option<String> {
        if !lock(&self.status).started {
            return None;
        }
        match self.cells.write(code) {
            Ok(path) => Some(path.to_string_lossy().into_owned()),
            Err(error) => {
                tracing::warn!(%error, "cannot write the cell file; breakpoints will not hit");
                None
            }
        }
    }

    /// Handles the DAP request of one `debug_request` and returns its DAP response.
    pub async fn handle(&self, executor: &Executor, request: &Value) -> Value {
        let Some(command) = request["command"].as_str() else {
            return failure(
                request,
                "invalid debug_request: the DAP request has no command",
            );
        };
        let mut connection = self.connection.lock().await;
        let result = self
            .dispatch(executor, &mut connection, command, request)
            .await;
        if matches!(
            &result,
            Err(DebugError::Dap(DapError::Closed | DapError::Send(_)))
        ) {
            tracing::warn!("lost the connection to the debug adapter, stopping the debugger");
            self.stop(&mut connection);
        }
        match result {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(command, %error, "debug request failed");
                failure(request, &error.to_string())
            }
        }
    }

    async fn dispatch(
        &self,
        executor: &Executor,
        connection: &mut Option<Connection>,
        command: &str,
        request: &Value,
    ) -> Result<Value, DebugError> {
        let arguments = &request["arguments"];
        match command {
            "debugInfo" => return Ok(success(request, self.debug_info())),
            "dumpCell" => return self.dump_cell(request),
            "inspectVariables" => return variables::inspect_variables(executor, request).await,
            "richInspectVariables" => {
                let stopped = !lock(&self.status).stopped_threads.is_empty();
                let open = connection.as_ref();
                return variables::rich_inspect(executor, stopped, open, request).await;
            }
            "modules" => {
                let start = arguments["startModule"].as_u64().unwrap_or(0);
                let count = arguments["moduleCount"].as_u64().filter(|count| *count > 0);
                let args = vec![json!(start), json!(count)];
                let body = python(executor.call_json_now("debug_modules", args).await)?;
                return Ok(success(request, body));
            }
            "initialize" if connection.is_none() => {
                *connection = Some(self.start(executor).await?);
            }
            _ => {}
        }
        let Some(open) = connection.as_ref() else {
            return Err(if self.available {
                DebugError::NotStarted
            } else {
                DebugError::Unavailable
            });
        };
        match command {
            "attach" => self.attach(open, request).await,
            // `attach` has already sent it, because debugpy replies to `attach` only after it.
            "configurationDone" => Ok(success(request, json!({}))),
            "setBreakpoints" => {
                let response = forward(open, request).await?;
                if let Some(path) = arguments["source"]["path"].as_str() {
                    let breakpoints = arguments["breakpoints"].clone();
                    lock(&self.status)
                        .breakpoints
                        .insert(path.to_string(), breakpoints);
                }
                Ok(response)
            }
            "source" => self.source(open, request).await,
            "stackTrace" => {
                let mut response = forward(open, request).await?;
                self.drop_kernel_frames(&mut response);
                Ok(response)
            }
            "variables" => {
                let mut response = forward(open, request).await?;
                if let Some(variables) = response["body"]["variables"].as_array_mut() {
                    variables.retain(variables::shown);
                }
                Ok(response)
            }
            "copyToGlobals" => variables::copy_to_globals(open, request).await,
            "continue" | "next" | "stepIn" | "stepOut" => {
                // debugpy sends no `continued` event for these, and the thread's next
                // `stopped` may come before the response, so the thread counts as running
                // from the moment the request leaves.
                let thread = arguments["threadId"]
                    .as_i64()
                    .filter(|_| command != "continue");
                self.mark_running(thread);
                forward(open, request).await
            }
            "disconnect" => {
                let response = forward(open, request).await;
                self.stop(connection);
                Ok(response?)
            }
            _ => forward(open, request).await,
        }
    }

    /// Starts debugpy (once per process) and connects to its adapter.
    async fn start(&self, executor: &Executor) -> Result<Connection, DebugError> {
        if !self.available {
            return Err(DebugError::Unavailable);
        }
        let endpoint = python(executor.call_json("debugpy_listen", Vec::new()).await)?;
        let port = endpoint[1]
            .as_u64()
            .and_then(|port| u16::try_from(port).ok())
            .ok_or_else(|| {
                DebugError::Python(format!(
                    "invalid debugpy endpoint {endpoint}: no valid port"
                ))
            })?;
        let (event_sender, event_queue) = mpsc::unbounded_channel();
        let client = DapClient::connect(port, event_sender).await?;
        let (initialized_sender, initialized) = watch::channel(false);
        let events = tokio::spawn(publish_events(
            event_queue,
            initialized_sender,
            std::sync::Arc::clone(&self.status),
            self.iopub.clone(),
            self.session.clone(),
        ));
        *lock(&self.status) = Status {
            started: true,
            ..Status::default()
        };
        tracing::info!(port, "connected to the debug adapter");
        Ok(Connection {
            client,
            port,
            initialized,
            events,
        })
    }

    fn stop(&self, connection: &mut Option<Connection>) {
        *connection = None;
        *lock(&self.status) = Status::default();
        tracing::info!("the debugger stopped");
    }

    /// Publishes a `continued` event for each stopped thread after an interrupt ended the
    /// cell it was stopped in.
    ///
    /// The KeyboardInterrupt is raised in debugpy's trace function, where the thread waits
    /// at the breakpoint, so CPython stops tracing the thread and debugpy may send no
    /// `continued`. `Runtime.execute` has debugpy trace the thread again before the next cell.
    pub fn interrupted(&self) {
        let threads = std::mem::take(&mut lock(&self.status).stopped_threads);
        for thread in threads {
            tracing::info!(thread, "interrupted at a breakpoint");
            let event = json!({
                "type": "event",
                "seq": 0,
                "event": "continued",
                "body": {"threadId": thread, "allThreadsContinued": true},
            });
            publish_event(&self.iopub, &self.session, event);
        }
    }

    /// Forgets that `thread` is stopped, or every thread when `None`.
    fn mark_running(&self, thread: Option<i64>) {
        let mut status = lock(&self.status);
        match thread {
            Some(thread) => {
                status.stopped_threads.remove(&thread);
            }
            None => status.stopped_threads.clear(),
        }
    }

    fn debug_info(&self) -> Value {
        let status = lock(&self.status);
        let breakpoints: Vec<Value> = status
            .breakpoints
            .iter()
            .map(|(source, breakpoints)| json!({"source": source, "breakpoints": breakpoints}))
            .collect();
        json!({
            "isStarted": status.started,
            "hashMethod": "Murmur2",
            "hashSeed": cell_files::HASH_SEED,
            "tmpFilePrefix": self.cells.prefix(),
            "tmpFileSuffix": cell_files::SUFFIX,
            "breakpoints": breakpoints,
            "stoppedThreads": status.stopped_threads,
            "richRendering": true,
            "exceptionPaths": ["Python Exceptions"],
            "copyToGlobals": true,
        })
    }

    fn dump_cell(&self, request: &Value) -> Result<Value, DebugError> {
        let code = request["arguments"]["code"]
            .as_str()
            .ok_or_else(|| invalid(request, "arguments.code must be a string"))?;
        let path = self
            .cells
            .write(code)
            .map_err(|source| DebugError::CellFile {
                path: self.cells.path(code),
                source,
            })?;
        Ok(success(
            request,
            json!({"sourcePath": path.to_string_lossy()}),
        ))
    }

    async fn attach(&self, open: &Connection, request: &Value) -> Result<Value, DebugError> {
        let mut arguments = match &request["arguments"] {
            Value::Object(map) => map.clone(),
            _ => serde_json::Map::new(),
        };
        arguments.insert(
            "connect".into(),
            json!({"host": "127.0.0.1", "port": open.port}),
        );
        let attached = open.client.send("attach", Value::Object(arguments)).await?;
        let mut initialized = open.initialized.clone();
        match tokio::time::timeout(INITIALIZED_TIMEOUT, initialized.wait_for(|done| *done)).await {
            Ok(Ok(_)) => {}
            Ok(Err(_)) => return Err(DebugError::Dap(DapError::Closed)),
            Err(_) => return Err(DebugError::NotInitialized),
        }
        open.client
            .request("configurationDone", Value::Null)
            .await?;
        Ok(with_client_seq(attached.wait().await?, request))
    }

    async fn source(&self, open: &Connection, request: &Value) -> Result<Value, DebugError> {
        let path = request["arguments"]["source"]["path"]
            .as_str()
            .map(Path::new);
        if let Some(path) = path.filter(|path| self.cells.contains(path))
            && let Ok(content) = std::fs::read_to_string(path)
        {
            return Ok(success(request, json!({"content": content})));
        }
        forward(open, request).await
    }

    /// Drops the frames below the outermost cell frame, because they are the kernel's own.
    fn drop_kernel_frames(&self, response: &mut Value) {
        let Some(frames) = response["body"]["stackFrames"].as_array_mut() else {
            return;
        };
        let prefix = self.cells.prefix();
        let outermost_cell = frames.iter().rposition(|frame| {
            frame["source"]["path"]
                .as_str()
                .is_some_and(|path| path.starts_with(&prefix))
        });
        if let Some(last) = outermost_cell {
            frames.truncate(last + 1);
            let total = frames.len();
            response["body"]["totalFrames"] = json!(total);
        }
    }
}

impl Drop for Debugger {
    fn drop(&mut self) {
        self.cells.remove();
    }
}

/// Sends a client's request to the adapter and returns the response, addressed to the client.
async fn forward(open: &Connection, request: &Value) -> Result<Value, DebugError> {
    let command = request["command"].as_str().unwrap_or_default();
    let response = open
        .client
        .request(command, request["arguments"].clone())
        .await?;
    Ok(with_client_seq(response, request))
}

/// Publishes the adapter's events as `debug_event` and tracks the stopped threads.
async fn publish_events(
    mut events: mpsc::UnboundedReceiver<Value>,
    initialized: watch::Sender<bool>,
    status: std::sync::Arc<Mutex<Status>>,
    iopub: mpsc::UnboundedSender<Iopub>,
    session: String,
) {
    while let Some(event) = events.recv().await {
        let body = &event["body"];
        let thread = body["threadId"].as_i64();
        match event["event"].as_str() {
            Some("initialized") => {
                let _ = initialized.send(true);
            }
            Some("stopped") => {
                if let Some(thread) = thread {
                    lock(&status).stopped_threads.insert(thread);
                }
            }
            Some("continued") => {
                let mut status = lock(&status);
                match thread {
                    Some(thread) if body["allThreadsContinued"] != json!(true) => {
                        status.stopped_threads.remove(&thread);
                    }
                    _ => status.stopped_threads.clear(),
                }
            }
            _ => {}
        }
        if !publish_event(&iopub, &session, event) {
            break;
        }
    }
}

/// Publishes a DAP event as `debug_event`. Returns false when iopub is closed.
fn publish_event(iopub: &mpsc::UnboundedSender<Iopub>, session: &str, event: Value) -> bool {
    let mut message = Message::new("debug_event", event, None, session);
    message.identities = vec![bytes::Bytes::from_static(b"kernel.hexa.debug_event")];
    iopub.send(Iopub::Message(Box::new(message))).is_ok()
}

fn python(outcome: crate::executor::Outcome) -> Result<Value, DebugError> {
    outcome.map_err(|error| DebugError::Python(error.to_string()))
}

fn invalid(request: &Value, message: &str) -> DebugError {
    DebugError::Invalid {
        command: request["command"].as_str().unwrap_or("debug").to_string(),
        message: message.to_string(),
    }
}

/// Returns the adapter's `response` with the client's sequence number as its `request_seq`.
fn with_client_seq(mut response: Value, request: &Value) -> Value {
    if let Some(map) = response.as_object_mut() {
        map.insert("request_seq".into(), request["seq"].clone());
    }
    response
}

fn success(request: &Value, body: Value) -> Value {
    json!({
        "type": "response",
        "seq": 0,
        "request_seq": request["seq"],
        "command": request["command"],
        "success": true,
        "body": body,
    })
}

fn failure(request: &Value, message: &str) -> Value {
    json!({
        "type": "response",
        "seq": 0,
        "request_seq": request["seq"],
        "command": request["command"],
        "success": false,
        "message": message,
        "body": {},
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Returns whether debugpy is installed in the environment of `executable`
/// (`<env>/bin/python`). It reads the file system because the kernel replies to
/// `kernel_info` before Python starts.
pub fn debugpy_installed(executable: &Path) -> bool {
    let Some(prefix) = executable.parent().and_then(Path::parent) else {
        return false;
    };
    let lib_dirs = [prefix.join("lib"), prefix.join("local/lib")];
    lib_dirs
        .iter()
        .filter_map(|lib| std::fs::read_dir(lib).ok())
        .flatten()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("python"))
        .any(|entry| {
            ["site-packages", "dist-packages"].iter().any(|packages| {
                entry
                    .path()
                    .join(packages)
                    .join("debugpy/__init__.py")
                    .is_file()
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_accepts_any_request() {
        let response = failure(&json!(["not", "an", "object"]), "bad");
        assert_eq!(response["success"], json!(false));
        assert_eq!(response["request_seq"], Value::Null);
    }

    #[test]
    fn debugpy_missing_environment_is_false() {
        assert!(!debugpy_installed(Path::new("/nonexistent/bin/python")));
        assert!(!debugpy_installed(Path::new("python")));
    }
}
