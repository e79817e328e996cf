//! `workspace/executeCommand` commands: generate a notebook file, run a notebook through
//! marimo, open a notebook in marimo's editor.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hexa_flowchart::generate::Target;
use hexa_marimo::{Bridge, CellResult, CellStatus, RunRequest};
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::Uri;

use crate::analysis::Analysis;
use crate::documents::Kind;
use crate::generate;
use crate::server::{Backend, blocking, invalid_params};

/// Writes `NAME.py` (or `NAME-2.py`, ...) beside the flowchart. Arguments: the document URI,
/// then optionally `"notebook"` (default) or `"script"`.
pub const GENERATE_NOTEBOOK: &str = "hexa.generateNotebook";
/// Runs a notebook, or the notebook generated from a flowchart, through marimo. Arguments:
/// the document URI, then optionally an object of input values (`{"n": "15"}`).
pub const RUN_NOTEBOOK: &str = "hexa.runNotebook";
/// Opens the notebook in marimo's editor through `hexa serve`.
pub const OPEN_IN_MARIMO: &str = "hexa.openInMarimo";
/// Every command the server registers.
pub const ALL: &[&str] = &[GENERATE_NOTEBOOK, RUN_NOTEBOOK, OPEN_IN_MARIMO];

/// Longest a `hexa.runNotebook` run may take before marimo interrupts it.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// Sets a flag when dropped: a request future that `$/cancelRequest` drops tells its
/// blocking work to stop before it writes anything.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A document's text and kind: the open version if the client has it open, else the file.
fn source(backend: &Backend, uri: &Uri) -> Result<(Kind, String, PathBuf)> {
    let path = uri
        .to_file_path()
        .ok_or_else(|| invalid_params(format!("not a file URI: {}", uri.as_str())))?
        .into_owned();
    if let Some(snapshot) = backend.store.get(uri) {
        return Ok((snapshot.kind, snapshot.text.clone(), path));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|error| invalid_params(format!("failed to read {}: {error}", path.display())))?;
    let language = if path.extension().is_some_and(|ext| ext == "py") {
        "python"
    } else {
        ""
    };
    Ok((Kind::detect(uri, language, &text), text, path))
}

fn uri_argument(arguments: &[Value]) -> Result<Uri> {
    let text = arguments
        .first()
        .and_then(Value::as_str)
        .ok_or_else(|| invalid_params("the first argument must be a document URI"))?;
    text.parse()
        .map_err(|_| invalid_params(format!("invalid URI: {text}")))
}

/// `hexa.generateNotebook`: generates and writes a new file, never replacing one. Returns
/// `{"uri", "path"}` of the written file.
pub async fn generate_notebook(backend: &Backend, arguments: Vec<Value>) -> Result<Option<Value>> {
    let uri = uri_argument(&arguments)?;
    let target_name = arguments.get(1).and_then(Value::as_str);
    let target = generate::parse_target(target_name)
        .ok_or_else(|| invalid_params("the target must be \"notebook\" or \"script\""))?;
    let (kind, text, source) = source(backend, &uri)?;
    if kind == Kind::Notebook || kind == Kind::Other {
        return Err(invalid_params(format!(
            "{} is not a flowchart",
            source.display()
        )));
    }
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel = CancelOnDrop(Arc::clone(&cancelled));
    blocking(move || {
        let analysis = Analysis::new(kind, &text);
        let chart = analysis
            .charts
            .first()
            .ok_or_else(|| invalid_params(format!("{}: no flowchart found", source.display())))?;
        let generated = chart
            .generate(target.clone())
            .map_err(|error| invalid_params(format!("{}: {error}", source.display())))?;
        let path = generate::free_path(&source, &target)
            .ok_or_else(|| invalid_params("no free file name beside the document"))?;
        // NOTE: a cancel that arrives after this check still lets the write finish; the
        // client then gets the cancelled error and a complete file.
        if cancelled.load(Ordering::SeqCst) {
            return Err(Error::request_cancelled());
        }
        generate::write_new(&path, &generated.text).map_err(|error| Error {
            code: ErrorCode::InternalError,
            message: format!("failed to write {}: {error}", path.display()).into(),
            data: None,
        })?;
        tracing::info!(path = %path.display(), "wrote generated file");
        let written = Uri::from_file_path(&path).map(|uri| uri.as_str().to_string());
        Ok(Some(json!({ "uri": written, "path": path })))
    })
    .await
}

/// The marimo bridge, started on first use and kept for the life of the server.
static BRIDGE: Mutex<Option<Bridge>> = Mutex::new(None);

fn bridge(python: Option<&Path>) -> Result<Bridge> {
    let mut slot = BRIDGE.lock().unwrap_or_else(|poison| poison.into_inner());
    if let Some(bridge) = slot.as_ref() {
        return Ok(bridge.clone());
    }
    let failed = |message: String| Error {
        code: ErrorCode::InternalError,
        message: message.into(),
        data: None,
    };
    let cwd = std::env::current_dir()
        .map_err(|error| failed(format!("failed to read the current directory: {error}")))?;
    let env = hexa_marimo::discover_python(python, &cwd)
        .map_err(|error| failed(format!("failed to find Python: {error}")))?;
    let bridge =
        Bridge::start(&env).map_err(|error| failed(format!("failed to start marimo: {error}")))?;
    *slot = Some(bridge.clone());
    Ok(bridge)
}

/// `hexa.runNotebook`: runs the notebook through marimo on the bridge's Python thread and
/// returns `{"cells": [...]}` with each cell's status, output and error.
pub async fn run_notebook(backend: &Backend, arguments: Vec<Value>) -> Result<Option<Value>> {
    let uri = uri_argument(&arguments)?;
    let inputs: Vec<(String, String)> = match arguments.get(1) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| {
                let raw = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                (name.clone(), raw)
            })
            .collect(),
        Some(_) => {
            return Err(invalid_params(
                "the inputs must be an object of name: value",
            ));
        }
    };
    let (kind, text, path) = source(backend, &uri)?;
    let python = backend.python.clone();
    let running: Arc<Mutex<Option<Bridge>>> = Arc::new(Mutex::new(None));
    let _interrupt = InterruptOnDrop(Arc::clone(&running));
    blocking(move || {
        let (notebook, filename) = match kind {
            Kind::Notebook => (text, path),
            Kind::Mermaid | Kind::Markdown => {
                let analysis = Analysis::new(kind, &text);
                let chart = analysis.charts.first().ok_or_else(|| {
                    invalid_params(format!("{}: no flowchart found", path.display()))
                })?;
                let generated = chart
                    .generate(Target::Notebook)
                    .map_err(|error| invalid_params(format!("{}: {error}", path.display())))?;
                (
                    generated.text,
                    generate::default_path(&path, &Target::Notebook),
                )
            }
            Kind::Other => {
                return Err(invalid_params(format!(
                    "{} is not a notebook",
                    path.display()
                )));
            }
        };
        let bridge = bridge(python.as_deref())?;
        *running.lock().unwrap_or_else(|poison| poison.into_inner()) = Some(bridge.clone());
        let report = bridge
            .run(RunRequest {
                source: notebook,
                filename,
                inputs,
                on_cell: None,
                timeout: Some(RUN_TIMEOUT),
            })
            .map_err(|error| Error {
                code: ErrorCode::InternalError,
                message: format!("failed to run the notebook: {error}").into(),
                data: None,
            })?;
        let cells: Vec<Value> = report.cells.iter().map(cell_json).collect();
        Ok(Some(json!({ "cells": cells })))
    })
    .await
}

/// Interrupts the running notebook when the request is cancelled.
struct InterruptOnDrop(Arc<Mutex<Option<Bridge>>>);

impl Drop for InterruptOnDrop {
    fn drop(&mut self) {
        let running = self.0.lock().unwrap_or_else(|poison| poison.into_inner());
        if let Some(bridge) = running.as_ref() {
            bridge.interrupt();
        }
    }
}

fn cell_json(cell: &CellResult) -> Value {
    let status = match cell.status {
        CellStatus::Ok => "ok",
        CellStatus::Error => "error",
        CellStatus::Cancelled => "cancelled",
    };
    json!({
        "cellId": cell.cell_id,
        "name": cell.name,
        "index": cell.index,
        "defLine": cell.def_line,
        "status": status,
        "stdout": cell.stdout,
        "stderr": cell.stderr,
        "output": cell.output.as_ref().map(|output| json!({
            "mime": output.mime,
            "data": output.data,
            "text": output.text,
        })),
        "error": cell.error.as_ref().map(|error| json!({
            "ename": error.ename,
            "evalue": error.evalue,
            "traceback": error.traceback,
            "lineInCell": error.line_in_cell,
        })),
        "elapsedMs": cell.elapsed.as_millis(),
    })
}

/// `hexa.openInMarimo`: finds the `hexa serve` that serves the notebook's folder, or starts
/// one, and returns `{"url"}` for the notebook in it; the URL is also sent with
/// `window/showDocument`.
pub async fn open_in_marimo(backend: &Backend, arguments: Vec<Value>) -> Result<Option<Value>> {
    let uri = uri_argument(&arguments)?;
    let path = uri
        .to_file_path()
        .ok_or_else(|| invalid_params(format!("not a file URI: {}", uri.as_str())))?
        .into_owned();
    let python = backend.python.clone();
    let url = blocking(move || served_url(&path, python.as_deref())).await?;
    let shown = backend
        .client
        .show_document(tower_lsp_server::ls_types::ShowDocumentParams {
            uri: url
                .parse()
                .map_err(|_| invalid_params(format!("invalid URL: {url}")))?,
            external: Some(true),
            take_focus: Some(true),
            selection: None,
        })
        .await;
    if let Err(error) = shown {
        tracing::warn!(%error, "window/showDocument failed");
    }
    Ok(Some(json!({ "url": url })))
}

/// Log of a `hexa serve` that the language server started, in the served folder.
pub const SERVE_LOG_FILE: &str = ".hexa-serve.log";

/// Longest wait for a started `hexa serve` to record itself and answer `/health`.
const SERVE_START_TIMEOUT: Duration = Duration::from_secs(30);

/// Pause between two reads of the index while a started `hexa serve` comes up.
const SERVE_POLL_INTERVAL: Duration = Duration::from_millis(200);

fn serve_error(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

/// The URL of a notebook in the live `hexa serve` of its folder, starting `hexa serve` when
/// none runs.
fn served_url(path: &Path, python: Option<&Path>) -> Result<String> {
    use hexa_marimo::serve::{NotebookFolder, notebook_url};

    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let folder = NotebookFolder::open(dir).map_err(|error| serve_error(error.to_string()))?;
    let record = match live_server(&folder)? {
        Some(record) => record,
        None => start_serve(&folder, python)?,
    };
    let file = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    Ok(notebook_url(record.port, &record.token, file.as_deref()))
}

/// The server recorded in the folder's index, if its processes exist and it answers
/// `/health`.
fn live_server(
    folder: &hexa_marimo::serve::NotebookFolder,
) -> Result<Option<hexa_marimo::serve::ServerRecord>> {
    use hexa_marimo::serve::{http_get, process_alive};

    let lock = folder
        .lock()
        .map_err(|error| serve_error(error.to_string()))?;
    let record = folder.read_index(&lock).server;
    drop(lock);
    let Some(record) = record else {
        return Ok(None);
    };
    let healthy = process_alive(record.pid)
        && process_alive(record.marimo_pid)
        && http_get(record.port, "/health", &[], Duration::from_secs(2))
            .is_ok_and(|response| response.status == 200);
    Ok(healthy.then_some(record))
}

/// Starts `hexa serve DIR` as a detached child in its own process group, with its output in
/// [`SERVE_LOG_FILE`], and waits until the index records it and it answers `/health`.
///
/// The child outlives the request and the language server; the user stops it like any
/// `hexa serve` (Ctrl-C in a terminal does not reach it, so `kill PID` with the pid from
/// the log or the index).
fn start_serve(
    folder: &hexa_marimo::serve::NotebookFolder,
    python: Option<&Path>,
) -> Result<hexa_marimo::serve::ServerRecord> {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::Instant;

    let dir = folder.dir();
    let log_path = dir.join(SERVE_LOG_FILE);
    let failed_to = |action: &str, error: std::io::Error| {
        serve_error(format!("failed to {action} for hexa serve: {error}"))
    };
    let exe = std::env::current_exe().map_err(|error| failed_to("find the hexa binary", error))?;
    let log = std::fs::File::create(&log_path)
        .map_err(|error| failed_to(&format!("create the log {}", log_path.display()), error))?;
    let log_for_stderr = log
        .try_clone()
        .map_err(|error| failed_to("open the log", error))?;
    let mut command = Command::new(exe);
    if let Some(python) = python {
        command.arg("--python").arg(python);
    }
    command
        .arg("serve")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_for_stderr)
        .process_group(0);
    let mut child = command
        .spawn()
        .map_err(|error| failed_to("start the process", error))?;
    let pid = child.id();
    tracing::info!(pid, dir = %dir.display(), log = %log_path.display(), "started hexa serve");

    let deadline = Instant::now() + SERVE_START_TIMEOUT;
    let outcome = loop {
        if let Some(record) = live_server(folder)? {
            break Ok(record);
        }
        match child.try_wait() {
            Ok(Some(status)) => {
                break Err(serve_error(format!(
                    "hexa serve {} exited with {status} before it served; the end of {}:\n{}",
                    dir.display(),
                    log_path.display(),
                    log_tail(&log_path)
                )));
            }
            Ok(None) => {}
            Err(error) => break Err(failed_to("wait on the process", error)),
        }
        if Instant::now() >= deadline {
            // `pid` is the child spawned above and not yet reaped, so the id is still ours.
            // SIGTERM (not `Child::kill`'s SIGKILL) lets `hexa serve` stop marimo first.
            if let Err(error) = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
            {
                tracing::warn!(pid, %error, "failed to stop hexa serve");
            }
            break Err(serve_error(format!(
                "hexa serve {} did not answer within {} s; the end of {}:\n{}",
                dir.display(),
                SERVE_START_TIMEOUT.as_secs(),
                log_path.display(),
                log_tail(&log_path)
            )));
        }
        std::thread::sleep(SERVE_POLL_INTERVAL);
    };
    // Reap the child when it exits, so a stopped server leaves no zombie behind the
    // language server.
    std::thread::spawn(move || {
        let status = child.wait();
        tracing::info!(pid, ?status, "hexa serve exited");
    });
    outcome
}

/// Returns the last 20 lines of a log file, for an error message.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
