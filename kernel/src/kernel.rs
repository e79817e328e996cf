//! Request handling: the shell and control loops, status messages and the execute flow.
//!
//! **Every request gets `busy` first and `idle` last on iopub, and everything it publishes
//! is queued between the two**, because all iopub messages go through one ordered queue and
//! `idle` is queued only after the executor has finished and its events are published.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::debugger::Debugger;
use crate::executor::{Event, ExecuteJob, Executor};
use crate::flowchart_cell;
use crate::messages::{
    ClearOutput, CompleteRequest, DisplayData, ExecuteInput, ExecuteReply, ExecuteRequest,
    ExecuteResult, HistoryRequest, InputReply, InputRequest, InspectRequest, IsCompleteRequest,
    Message, PROTOCOL_VERSION, ShutdownRequest, Status, StatusReply, StreamContent,
};
use crate::transport::Iopub;

/// Shared state of the request handlers.
#[derive(Clone)]
pub struct Kernel {
    /// Session id of the messages the kernel sends.
    pub session: String,
    /// The Python thread.
    pub executor: Executor,
    /// Debugger that handles `debug_request`.
    pub debugger: Arc<Debugger>,
    /// The iopub queue.
    pub iopub: UnboundedSender<Iopub>,
    /// Cancelled by `shutdown_request`.
    pub shutdown: CancellationToken,
    /// Folder that relative `--notebook` paths start from.
    pub cwd: PathBuf,
    /// Last `execute_request`, which becomes the parent of output printed between cells.
    pub last_execute: Arc<Mutex<Option<Message>>>,
}

impl Kernel {
    fn publish(&self, msg_type: &str, content: Value, parent: &Message) {
        let mut message = Message::new(msg_type, content, Some(parent), &self.session);
        message.identities = vec![format!("kernel.hexa.{msg_type}").into_bytes().into()];
        if self.iopub.send(Iopub::Message(Box::new(message))).is_err() {
            tracing::debug!(msg_type, "iopub is closed");
        }
    }

    /// Waits until everything published so far has been handed to the iopub socket, so a
    /// reply sent next never overtakes the output of its request.
    async fn iopub_flushed(&self) {
        let (done, flushed) = tokio::sync::oneshot::channel();
        if self.iopub.send(Iopub::Flushed(done)).is_ok() {
            let _ = flushed.await;
        }
    }

    fn status(&self, state: &'static str, parent: &Message) {
        let content = serde_json::to_value(Status {
            execution_state: state,
        })
        .unwrap_or_default();
        self.publish("status", content, parent);
    }

    fn reply(&self, out: &UnboundedSender<Message>, request: &Message, content: Value) {
        let msg_type = reply_type(request.msg_type());
        let message = Message::new(&msg_type, content, Some(request), &self.session);
        if out.send(message).is_err() {
            tracing::debug!(msg_type, "reply channel is closed");
        }
    }

    /// Publishes `starting`, as kernels do once their sockets are bound.
    pub fn announce_start(&self) {
        let content = serde_json::to_value(Status {
            execution_state: "starting",
        })
        .unwrap_or_default();
        let mut message = Message::new("status", content, None, &self.session);
        message.identities = vec![bytes::Bytes::from_static(b"kernel.hexa.status")];
        let _ = self.iopub.send(Iopub::Message(Box::new(message)));
    }
}

fn reply_type(request_type: &str) -> String {
    match request_type.strip_suffix("_request") {
        Some(stem) => format!("{stem}_reply"),
        None => format!("{request_type}_reply"),
    }
}

fn error_content(ename: &str, evalue: &str) -> Value {
    json!({"status": "error", "ename": ename, "evalue": evalue, "traceback": []})
}

/// The shell loop: one request at a time, in arrival order.
pub async fn serve_shell(
    kernel: Kernel,
    mut shell_in: UnboundedReceiver<Message>,
    out: UnboundedSender<Message>,
    mut stdin_in: UnboundedReceiver<Message>,
    stdin_out: UnboundedSender<Message>,
) {
    let mut state = ShellState {
        next_count: 1,
        stdin_out,
    };
    loop {
        let request = tokio::select! {
            () = kernel.shutdown.cancelled() => break,
            request = shell_in.recv() => match request {
                Some(request) => request,
                None => break,
            },
        };
        let failed = handle_shell(&kernel, &mut state, &out, &mut stdin_in, &request).await;
        if failed {
            // stop_on_error: abort the execute requests that were queued behind the failed one.
            while let Ok(queued) = shell_in.try_recv() {
                if queued.msg_type() == "execute_request" {
                    abort(&kernel, &state, &out, &queued);
                } else {
                    handle_shell(&kernel, &mut state, &out, &mut stdin_in, &queued).await;
                }
            }
        }
    }
}

struct ShellState {
    /// The execution count the next stored cell gets, as IPython's `execution_count`.
    next_count: u64,
    stdin_out: UnboundedSender<Message>,
}

fn abort(kernel: &Kernel, state: &ShellState, out: &UnboundedSender<Message>, request: &Message) {
    let span = request_span(request);
    let _entered = span.enter();
    tracing::info!("aborted after an earlier error");
    kernel.status("busy", request);
    let content = json!({"status": "aborted", "execution_count": state.next_count - 1});
    kernel.reply(out, request, content);
    kernel.status("idle", request);
}

fn request_span(request: &Message) -> tracing::Span {
    tracing::info_span!(
        "message",
        msg_id = %request.header.msg_id,
        msg_type = %request.header.msg_type
    )
}

/// Handles one shell request. Returns true when it was an execute that failed with
/// `stop_on_error`.
async fn handle_shell(
    kernel: &Kernel,
    state: &mut ShellState,
    out: &UnboundedSender<Message>,
    stdin_in: &mut UnboundedReceiver<Message>,
    request: &Message,
) -> bool {
    let span = request_span(request);
    async {
        let msg_type = request.msg_type().to_string();
        if matches!(msg_type.as_str(), "comm_open" | "comm_msg" | "comm_close") {
            kernel.status("busy", request);
            handle_comm(kernel, state, stdin_in, request).await;
            kernel.status("idle", request);
            return false;
        }
        if !msg_type.ends_with("_request") {
            tracing::warn!("ignored a message of unknown type");
            return false;
        }
        kernel.status("busy", request);
        let mut failed = false;
        let content = match msg_type.as_str() {
            "kernel_info_request" => Some(kernel_info(kernel)),
            "execute_request" => {
                let (content, stop) = execute(kernel, state, stdin_in, request).await;
                failed = stop;
                Some(content)
            }
            "complete_request" => Some(complete(kernel, request).await),
            "inspect_request" => Some(inspect(kernel, request).await),
            "is_complete_request" => Some(is_complete(kernel, request).await),
            "history_request" => Some(history(kernel, request).await),
            "comm_info_request" => Some(comm_info(kernel, request).await),
            "shutdown_request" => Some(shutdown(kernel, request)),
            _ => {
                tracing::warn!("ignored a message of unknown type");
                None
            }
        };
        if let Some(content) = content {
            kernel.iopub_flushed().await;
            kernel.reply(out, request, content);
        }
        kernel.status("idle", request);
        if msg_type == "shutdown_request" {
            kernel.shutdown.cancel();
        }
        failed
    }
    .instrument(span)
    .await
}

/// Runs the control loop beside the shell loop, so the kernel replies to an interrupt while a
/// cell runs.
pub async fn serve_control(
    kernel: Kernel,
    mut control_in: UnboundedReceiver<Message>,
    out: UnboundedSender<Message>,
) {
    // Debug requests wait for the debug adapter, so they run in arrival order on a loop of
    // their own. That way an interrupt never waits behind one.
    let (debug_requests, debug_queue) = mpsc::unbounded_channel();
    tokio::spawn(serve_debug(kernel.clone(), debug_queue, out.clone()));
    loop {
        let request = tokio::select! {
            () = kernel.shutdown.cancelled() => break,
            request = control_in.recv() => match request {
                Some(request) => request,
                None => break,
            },
        };
        if request.msg_type() == "debug_request" {
            let _ = debug_requests.send(request);
            continue;
        }
        let span = request_span(&request);
        let _entered = span.enter();
        let content = match request.msg_type() {
            "kernel_info_request" => kernel_info(&kernel),
            "interrupt_request" => {
                if kernel.executor.interrupt() {
                    tracing::info!("interrupted the running cell");
                } else {
                    tracing::debug!("ignored an interrupt because no cell is running");
                }
                kernel.debugger.interrupted();
                serde_json::to_value(StatusReply { status: "ok" }).unwrap_or_default()
            }
            "shutdown_request" => shutdown(&kernel, &request),
            other if other.ends_with("_request") => error_content(
                "NotImplementedError",
                &format!("{other} is not supported on control"),
            ),
            _ => {
                tracing::warn!("ignored a message of unknown type");
                continue;
            }
        };
        kernel.status("busy", &request);
        kernel.reply(&out, &request, content);
        kernel.status("idle", &request);
        if request.msg_type() == "shutdown_request" {
            kernel.shutdown.cancel();
        }
    }
}

/// Handles `debug_request`s one at a time, beside the control loop.
async fn serve_debug(
    kernel: Kernel,
    mut queue: UnboundedReceiver<Message>,
    out: UnboundedSender<Message>,
) {
    loop {
        let request = tokio::select! {
            () = kernel.shutdown.cancelled() => break,
            request = queue.recv() => match request {
                Some(request) => request,
                None => break,
            },
        };
        let span = request_span(&request);
        async {
            kernel.status("busy", &request);
            let content = kernel
                .debugger
                .handle(&kernel.executor, &request.content)
                .await;
            kernel.reply(&out, &request, content);
            kernel.status("idle", &request);
        }
        .instrument(span)
        .await;
    }
}

fn kernel_info(kernel: &Kernel) -> Value {
    json!({
        "status": "ok",
        "protocol_version": PROTOCOL_VERSION,
        "implementation": "hexa",
        "implementation_version": env!("CARGO_PKG_VERSION"),
        "language_info": {
            "name": "python",
            "version": python_version(),
            "mimetype": "text/x-python",
            "file_extension": ".py",
            "pygments_lexer": "ipython3",
            "codemirror_mode": {"name": "ipython", "version": 3},
            "nbconvert_exporter": "python",
        },
        "banner": "hexa: Python and Mermaid flowchart cells (start a cell with %%flowchart)",
        "help_links": [],
        "debugger": kernel.debugger.available(),
    })
}

/// Returns the version of the linked libpython, which the kernel has checked against the
/// environment's. It can be read before the interpreter starts and while a cell holds the GIL.
fn python_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        // SAFETY: Py_GetVersion returns a pointer to a static NUL-terminated string and may
        // be called before the interpreter is initialised.
        let full = unsafe { std::ffi::CStr::from_ptr(pyo3::ffi::Py_GetVersion()) };
        let full = full.to_string_lossy();
        full.split_whitespace().next().unwrap_or("3").to_string()
    })
}

fn shutdown(kernel: &Kernel, request: &Message) -> Value {
    let restart = request
        .parse_content::<ShutdownRequest>()
        .map(|r| r.restart)
        .unwrap_or(false);
    tracing::info!(restart, "shutting down");
    kernel.executor.interrupt();
    json!({"status": "ok", "restart": restart})
}

async fn complete(kernel: &Kernel, request: &Message) -> Value {
    let Ok(req) = request.parse_content::<CompleteRequest>() else {
        return error_content("ValueError", "invalid complete_request content");
    };
    let cursor = byte_offset(&req.code, req.cursor_pos);
    let code = req.code[..cursor].to_string();
    let cursor_pos = code.chars().count();
    match kernel
        .executor
        .call_json("complete", vec![json!(code), json!(cursor_pos)])
        .await
    {
        Ok(Value::Array(parts)) if parts.len() == 3 => json!({
            "status": "ok",
            "matches": parts[0],
            "cursor_start": parts[1],
            "cursor_end": parts[2],
            "metadata": {},
        }),
        Ok(other) => error_content("ValueError", &format!("unexpected completion {other}")),
        Err(error) => error_content("RuntimeError", &error.to_string()),
    }
}

fn byte_offset(code: &str, cursor_pos: usize) -> usize {
    code.char_indices()
        .nth(cursor_pos)
        .map_or(code.len(), |(i, _)| i)
}

async fn inspect(kernel: &Kernel, request: &Message) -> Value {
    let Ok(req) = request.parse_content::<InspectRequest>() else {
        return error_content("ValueError", "invalid inspect_request content");
    };
    let args = vec![
        json!(req.code),
        json!(req.cursor_pos),
        json!(req.detail_level),
    ];
    match kernel.executor.call_json("inspect", args).await {
        Ok(Value::String(text)) => json!({
            "status": "ok", "found": true, "data": {"text/plain": text}, "metadata": {},
        }),
        Ok(_) => json!({"status": "ok", "found": false, "data": {}, "metadata": {}}),
        Err(error) => error_content("RuntimeError", &error.to_string()),
    }
}

async fn is_complete(kernel: &Kernel, request: &Message) -> Value {
    let Ok(req) = request.parse_content::<IsCompleteRequest>() else {
        return error_content("ValueError", "invalid is_complete_request content");
    };
    // A `%%` cell magic stays open until a blank line, which `Runtime.is_complete` checks.
    if !req.code.starts_with("%%") && flowchart_cell::detect(&req.code).is_some() {
        return json!({"status": "complete"});
    }
    match kernel
        .executor
        .call_json("is_complete", vec![json!(req.code)])
        .await
    {
        Ok(Value::Array(parts)) if parts.len() == 2 => {
            let status = parts[0].clone();
            if status == "incomplete" {
                json!({"status": status, "indent": parts[1]})
            } else {
                json!({"status": status})
            }
        }
        Ok(_) | Err(_) => json!({"status": "unknown"}),
    }
}

async fn history(kernel: &Kernel, request: &Message) -> Value {
    let Ok(req) = request.parse_content::<HistoryRequest>() else {
        return error_content("ValueError", "invalid history_request content");
    };
    let args = vec![
        json!(req.hist_access_type),
        json!(req.output),
        json!(req.session),
        json!(req.start),
        json!(req.stop),
        json!(req.n),
        json!(req.pattern),
        json!(req.unique),
    ];
    match kernel.executor.call_json("history_entries", args).await {
        Ok(history) => json!({"status": "ok", "history": history}),
        Err(error) => error_content("RuntimeError", &error.to_string()),
    }
}

/// Runs an `execute_request`. Returns the reply content and whether queued executes abort.
async fn execute(
    kernel: &Kernel,
    state: &mut ShellState,
    stdin_in: &mut UnboundedReceiver<Message>,
    request: &Message,
) -> (Value, bool) {
    let req = match request.parse_content::<ExecuteRequest>() {
        Ok(req) => req,
        Err(error) => {
            tracing::warn!(%error, "invalid execute_request content");
            let mut content =
                error_content("ValueError", &format!("invalid execute_request: {error}"));
            content["execution_count"] = json!(state.next_count - 1);
            return (content, false);
        }
    };
    let store_history = req.store_history && !req.silent;
    let count = state.next_count;
    if !req.silent {
        let input = ExecuteInput {
            code: req.code.clone(),
            execution_count: count,
        };
        kernel.publish(
            "execute_input",
            serde_json::to_value(input).unwrap_or_default(),
            request,
        );
    }
    if store_history && !req.code.trim().is_empty() {
        state.next_count += 1;
    }
    let reply_count = state.next_count - 1;

    let mut job = ExecuteJob {
        code: req.code.clone(),
        silent: req.silent,
        store_history,
        allow_stdin: req.allow_stdin,
        count,
        user_expressions: Value::Object(req.user_expressions.clone()),
        flowchart: false,
        filename: kernel.debugger.cell_file(&req.code),
    };
    if !job.code.starts_with("%%") {
        job.code = flowchart_cell::expand_line_magics(&job.code);
    }
    if let Some(cell) = flowchart_cell::detect(&req.code) {
        match cell.and_then(|cell| flowchart_cell::prepare(&cell, &kernel.cwd)) {
            Ok(prepared) => {
                show_flowchart(kernel, request, &prepared);
                job.code = prepared.script;
                job.flowchart = true;
            }
            Err(message) => {
                let content = json!({
                    "ename": "FlowchartError",
                    "evalue": message,
                    "traceback": [format!("FlowchartError: {message}")],
                });
                kernel.publish("error", content.clone(), request);
                let mut reply = content;
                reply["status"] = json!("error");
                reply["execution_count"] = json!(reply_count);
                reply["user_expressions"] = json!({});
                reply["payload"] = json!([]);
                return (reply, req.stop_on_error);
            }
        }
    }

    *kernel
        .last_execute
        .lock()
        .unwrap_or_else(|poison| poison.into_inner()) = Some(request.clone());
    let (events, output) = Output::new(job.count, req.silent);
    let running = kernel.executor.execute(job, events);
    let outcome = run_with_events(kernel, state, stdin_in, request, running, output).await;
    let fields = match outcome {
        Ok(fields) => fields,
        Err(error) => {
            tracing::error!(%error, "execution failed inside the kernel");
            error_content("KernelError", &error.to_string())
        }
    };
    let status = fields["status"].as_str().unwrap_or("error").to_string();
    let reply = ExecuteReply {
        status: status.clone(),
        execution_count: reply_count,
        user_expressions: Some(fields.get("user_expressions").cloned().unwrap_or(json!({}))),
        payload: Some(fields["payload"].as_array().cloned().unwrap_or_default()),
        ename: fields["ename"].as_str().map(String::from),
        evalue: fields["evalue"].as_str().map(String::from),
        traceback: fields["traceback"].as_array().map(|lines| {
            lines
                .iter()
                .map(|line| line.as_str().unwrap_or_default().to_string())
                .collect()
        }),
    };
    let failed = status == "error" && req.stop_on_error;
    (serde_json::to_value(reply).unwrap_or_default(), failed)
}

/// Passes a comm message to the Python comm manager and publishes the output of its handlers.
async fn handle_comm(
    kernel: &Kernel,
    state: &ShellState,
    stdin_in: &mut UnboundedReceiver<Message>,
    request: &Message,
) {
    let message = json!({
        "header": request.header,
        "parent_header": request.parent_header,
        "metadata": request.metadata,
        "content": request.content,
    });
    let (events, output) = Output::new(state.next_count.saturating_sub(1), true);
    let running = kernel.executor.comm(
        request.msg_type().to_string(),
        message.to_string(),
        request.buffers.clone(),
        events,
    );
    if let Err(error) = run_with_events(kernel, state, stdin_in, request, running, output).await {
        tracing::error!(%error, "comm handling failed inside the kernel");
    }
}

async fn comm_info(kernel: &Kernel, request: &Message) -> Value {
    let target = request.content["target_name"].as_str().unwrap_or_default();
    match kernel
        .executor
        .call_json("comm_info", vec![json!(target)])
        .await
    {
        Ok(content) => content,
        Err(error) => {
            tracing::error!(%error, "comm_info failed inside the kernel");
            error_content("KernelError", &error.to_string())
        }
    }
}

fn show_flowchart(kernel: &Kernel, request: &Message, prepared: &flowchart_cell::Prepared) {
    for data in [&prepared.diagram, &prepared.python] {
        let display = DisplayData {
            data: data.clone(),
            metadata: json!({}),
            transient: json!({}),
        };
        kernel.publish(
            "display_data",
            serde_json::to_value(display).unwrap_or_default(),
            request,
        );
    }
    if let Some(note) = &prepared.note {
        let stream = StreamContent {
            name: "stdout".into(),
            text: format!("{note}\n"),
        };
        kernel.publish(
            "stream",
            serde_json::to_value(stream).unwrap_or_default(),
            request,
        );
    }
}

/// Events of a running job, with the execution count and `silent` flag for its
/// `execute_result`.
struct Output {
    events: UnboundedReceiver<Event>,
    count: u64,
    silent: bool,
}

impl Output {
    fn new(count: u64, silent: bool) -> (UnboundedSender<Event>, Self) {
        let (sender, events) = mpsc::unbounded_channel();
        (
            sender,
            Self {
                events,
                count,
                silent,
            },
        )
    }
}

/// Publishes output that arrives between cells, such as a background thread's prints, with
/// the last `execute_request` as parent, as ipykernel does.
pub async fn publish_idle_output(kernel: Kernel, mut events: UnboundedReceiver<Event>) {
    loop {
        let event = tokio::select! {
            () = kernel.shutdown.cancelled() => return,
            event = events.recv() => match event {
                Some(event) => event,
                None => return,
            },
        };
        if !matches!(
            event,
            Event::Stream { .. } | Event::Display { .. } | Event::Comm { .. }
        ) {
            continue;
        }
        let parent = kernel
            .last_execute
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .clone();
        match parent {
            Some(parent) => publish_event(&kernel, &parent, event, 0, true),
            None => tracing::debug!("dropped output that arrived before the first cell"),
        }
    }
}

/// Waits for `running`, meanwhile publishing its events in order and forwarding `input()`
/// requests to the client.
async fn run_with_events(
    kernel: &Kernel,
    state: &ShellState,
    stdin_in: &mut UnboundedReceiver<Message>,
    request: &Message,
    running: impl std::future::Future<Output = crate::executor::Outcome>,
    output: Output,
) -> crate::executor::Outcome {
    let Output {
        events: mut event_queue,
        count,
        silent,
    } = output;
    tokio::pin!(running);
    let mut pending_input: Option<std::sync::mpsc::Sender<String>> = None;
    let mut events_open = true;
    loop {
        tokio::select! {
            biased;
            event = event_queue.recv(), if events_open => match event {
                Some(Event::Input { prompt, password, reply }) => {
                    // Drop replies left over from an interrupted input(), so none counts for this one.
                    while stdin_in.try_recv().is_ok() {}
                    let content = InputRequest { prompt, password };
                    let message = Message::new(
                        "input_request",
                        serde_json::to_value(content).unwrap_or_default(),
                        Some(request),
                        &kernel.session,
                    );
                    let _ = state.stdin_out.send(message);
                    pending_input = Some(reply);
                }
                Some(event) => publish_event(kernel, request, event, count, silent),
                None => events_open = false,
            },
            answer = stdin_in.recv(), if pending_input.is_some() => {
                if let (Some(answer), Some(reply)) = (answer, pending_input.take()) {
                    let value = answer.parse_content::<InputReply>().map(|r| r.value).unwrap_or_default();
                    let _ = reply.send(value);
                }
            }
            outcome = &mut running => {
                while let Ok(event) = event_queue.try_recv() {
                    if !matches!(event, Event::Input { .. }) {
                        publish_event(kernel, request, event, count, silent);
                    }
                }
                return outcome;
            }
        }
    }
}

fn publish_event(kernel: &Kernel, request: &Message, event: Event, count: u64, silent: bool) {
    match event {
        Event::Stream { name, text } => {
            let content = StreamContent { name, text };
            kernel.publish(
                "stream",
                serde_json::to_value(content).unwrap_or_default(),
                request,
            );
        }
        Event::Display {
            data,
            metadata,
            transient,
            update,
        } => {
            let msg_type = if update {
                "update_display_data"
            } else {
                "display_data"
            };
            let content = DisplayData {
                data,
                metadata,
                transient,
            };
            kernel.publish(
                msg_type,
                serde_json::to_value(content).unwrap_or_default(),
                request,
            );
        }
        Event::Result { data, metadata } => {
            if !silent {
                let content = ExecuteResult {
                    execution_count: count,
                    data,
                    metadata,
                };
                kernel.publish(
                    "execute_result",
                    serde_json::to_value(content).unwrap_or_default(),
                    request,
                );
            }
        }
        Event::Error(mut content) => {
            if let Some(map) = content.as_object_mut() {
                map.remove("status");
            }
            kernel.publish("error", content, request);
        }
        Event::Clear { wait } => {
            let content = ClearOutput { wait };
            kernel.publish(
                "clear_output",
                serde_json::to_value(content).unwrap_or_default(),
                request,
            );
        }
        Event::Comm {
            msg_type,
            content,
            metadata,
            buffers,
        } => {
            let mut message = Message::new(&msg_type, content, Some(request), &kernel.session);
            message.metadata = metadata;
            message.buffers = buffers;
            message.identities = vec![format!("kernel.hexa.{msg_type}").into_bytes().into()];
            if kernel
                .iopub
                .send(Iopub::Message(Box::new(message)))
                .is_err()
            {
                tracing::debug!(msg_type, "iopub is closed");
            }
        }
        Event::Input { .. } => {}
    }
}
