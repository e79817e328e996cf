//! The Python thread: initialises CPython, loads `runtime.py` and runs one job at a time.
//!
//! Output goes out as [`Event`]s on the channel of the job that produced it, so the shell
//! handler publishes a request's output before it sends that request's `idle`.

use std::ffi::CString;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use pyo3::exceptions::{PyEOFError, PyKeyboardInterrupt};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCFunction, PyDict, PyTuple};
use serde_json::Value;
use tokio::sync::{mpsc::UnboundedSender, oneshot};

use crate::KernelError;

const RUNTIME_SOURCE: &str = include_str!("runtime.py");

/// Something a running cell produced, in the order it produced it.
#[derive(Debug)]
pub enum Event {
    /// Text written to `stdout` or `stderr`.
    Stream {
        /// `stdout` or `stderr`.
        name: String,
        /// The text.
        text: String,
    },
    /// A `display()` call. `update` marks an `update_display_data`.
    Display {
        /// MIME bundle.
        data: Value,
        /// Metadata per MIME type.
        metadata: Value,
        /// Transient data such as `display_id`.
        transient: Value,
        /// Replace an earlier display with the same id.
        update: bool,
    },
    /// The value of the cell's last expression.
    Result {
        /// MIME bundle.
        data: Value,
        /// Metadata per MIME type.
        metadata: Value,
    },
    /// A `comm_open`, `comm_msg` or `comm_close` that a comm sends to the client.
    Comm {
        /// The message type.
        msg_type: String,
        /// `comm_id`, `data` and, for `comm_open`, `target_name`.
        content: Value,
        /// Message metadata.
        metadata: Value,
        /// Binary buffers.
        buffers: Vec<bytes::Bytes>,
    },
    /// Exception that the cell raised, as the content of an `error` message.
    Error(Value),
    /// `clear_output()`.
    Clear {
        /// Wait for the next output before clearing.
        wait: bool,
    },
    /// An `input()` or `getpass()` call. The user's reply goes back on `reply`.
    Input {
        /// Prompt text.
        prompt: String,
        /// Whether the input is a password.
        password: bool,
        /// Sender for the user's reply. Dropping it ends the wait with `EOFError`.
        reply: mpsc::Sender<String>,
    },
}

/// What `execute` returns: the reply fields, such as `status` and `ename`.
pub type Outcome = Result<Value, KernelError>;

type Job = Box<dyn FnOnce(Python<'_>, &Bound<'_, PyAny>) + Send>;

/// State shared by the Python thread and the threads that interrupt it.
#[derive(Default)]
struct Shared {
    /// A cell is running.
    busy: AtomicBool,
    /// The running cell waits for `input()`.
    waiting_for_input: AtomicBool,
    /// An interrupt arrived for the running cell.
    interrupted: AtomicBool,
    /// `pthread_self()` of the Python thread, for `pthread_kill`.
    pthread: Mutex<Option<libc::pthread_t>>,
    /// `threading.get_ident()` of the Python thread, for `PyThreadState_SetAsyncExc`.
    python_ident: AtomicU64,
    /// The thread runs Python's SIGINT handler, so a signal also wakes `time.sleep`.
    signal_handler: AtomicBool,
    /// Where the running job's events go.
    events: Mutex<Option<UnboundedSender<Event>>>,
    /// Event channel for output between jobs, such as a background thread's prints.
    idle_events: Mutex<Option<UnboundedSender<Event>>>,
    /// The `Runtime` object, for calls that cannot wait for the running job.
    runtime: std::sync::OnceLock<Py<PyAny>>,
}

/// Start-up result of the Python thread, which resolves once it has loaded `runtime.py` or
/// failed to.
pub struct Startup(oneshot::Receiver<Result<(), KernelError>>);

impl Startup {
    /// Waits for the Python thread to be ready for jobs.
    pub async fn ready(self) -> Result<(), KernelError> {
        self.0.await.unwrap_or_else(|_| {
            Err(KernelError::Python(
                "the Python thread exited during start-up".into(),
            ))
        })
    }
}

/// Handle to the Python thread, cheap to clone.
#[derive(Clone)]
pub struct Executor {
    jobs: mpsc::Sender<Job>,
    shared: Arc<Shared>,
}

/// One `execute_request`, already checked.
#[derive(Debug, Clone)]
pub struct ExecuteJob {
    /// Code of the cell, or the generated script of a flowchart cell.
    pub code: String,
    /// `silent` from the request.
    pub silent: bool,
    /// `store_history` from the request.
    pub store_history: bool,
    /// `allow_stdin` from the request.
    pub allow_stdin: bool,
    /// The execution count shown for this cell.
    pub count: u64,
    /// `user_expressions` as JSON.
    pub user_expressions: Value,
    /// Run `code` as a generated flowchart script whose `main()` locals stay in the namespace.
    pub flowchart: bool,
    /// File name that the cell is compiled with while the debugger runs.
    pub filename: Option<String>,
}

impl Executor {
    /// Starts the Python thread for `env` and returns at once, so the sockets can be bound
    /// while CPython starts. Jobs queue until `runtime.py` is loaded, and the returned
    /// [`Startup`] reports whether loading worked.
    pub fn start(
        env: hexa_marimo::PythonEnv,
    ) -> Result<(Self, Startup, std::thread::JoinHandle<()>), KernelError> {
        let (jobs, receiver) = mpsc::channel::<Job>();
        let (ready_sender, ready) = oneshot::channel();
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("hexa-kernel-python".to_string())
            .spawn(move || python_thread(env, thread_shared, receiver, ready_sender))
            .map_err(|e| KernelError::Python(format!("failed to spawn the Python thread: {e}")))?;
        Ok((Self { jobs, shared }, Startup(ready), handle))
    }

    fn submit<T: Send + 'static>(
        &self,
        job: impl FnOnce(Python<'_>, &Bound<'_, PyAny>) -> Result<T, KernelError> + Send + 'static,
    ) -> oneshot::Receiver<Result<T, KernelError>> {
        let (done, receiver) = oneshot::channel();
        let boxed: Job = Box::new(move |py, runtime| {
            let _ = done.send(job(py, runtime));
        });
        if self.jobs.send(boxed).is_err() {
            tracing::error!("the Python thread has stopped");
        }
        receiver
    }

    /// Runs a cell. Its output arrives on `events` before the returned reply fields.
    pub async fn execute(&self, job: ExecuteJob, events: UnboundedSender<Event>) -> Outcome {
        let shared = Arc::clone(&self.shared);
        let receiver = self.submit(move |py, runtime| {
            // A signal that arrived after the previous cell ended must not hit this one.
            let _ = py.check_signals();
            *lock(&shared.events) = Some(events.clone());
            shared.interrupted.store(false, Ordering::SeqCst);
            shared.busy.store(true, Ordering::SeqCst);
            let result = run_cell(py, runtime, &job);
            shared.busy.store(false, Ordering::SeqCst);
            let _ = py.check_signals();
            *lock(&shared.events) = lock(&shared.idle_events).clone();
            match result {
                Ok(value) => Ok(value),
                Err(error) => Ok(escaped_error(py, &error, &events)),
            }
        });
        receiver.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Passes a client's comm message (`message` is its JSON) to `Runtime.handle_comm`.
    /// Output of the comm's handlers arrives on `events`.
    pub async fn comm(
        &self,
        msg_type: String,
        message: String,
        buffers: Vec<bytes::Bytes>,
        events: UnboundedSender<Event>,
    ) -> Outcome {
        let shared = Arc::clone(&self.shared);
        let receiver = self.submit(move |py, runtime| {
            *lock(&shared.events) = Some(events);
            shared.interrupted.store(false, Ordering::SeqCst);
            shared.busy.store(true, Ordering::SeqCst);
            let buffers: Vec<Bound<'_, PyBytes>> =
                buffers.iter().map(|b| PyBytes::new(py, b)).collect();
            let result = runtime
                .call_method1("handle_comm", (msg_type, message, buffers))
                .and_then(|value| value.extract::<String>());
            shared.busy.store(false, Ordering::SeqCst);
            let _ = py.check_signals();
            *lock(&shared.events) = lock(&shared.idle_events).clone();
            let text = result.map_err(|e| python_error(py, &e))?;
            serde_json::from_str(&text).map_err(|e| KernelError::Python(e.to_string()))
        });
        receiver.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Returns the sink for text captured from fds 1 and 2. It sends the text to the running
    /// job's events, or between jobs to the idle events.
    pub fn output_sink(&self) -> crate::capture::Sink {
        let shared = Arc::clone(&self.shared);
        Arc::new(move |name, text| {
            if let Some(events) = lock(&shared.events).as_ref() {
                let _ = events.send(Event::Stream {
                    name: name.to_string(),
                    text,
                });
            }
        })
    }

    /// Sends output that arrives while no job runs (a background thread's prints) to `events`.
    pub fn set_idle_events(&self, events: UnboundedSender<Event>) {
        *lock(&self.shared.idle_events) = Some(events.clone());
        let mut current = lock(&self.shared.events);
        if current.is_none() {
            *current = Some(events);
        }
    }

    /// Calls a `Runtime` method that returns JSON text and parses it.
    pub async fn call_json(&self, method: &'static str, args: Vec<Value>) -> Outcome {
        let receiver = self.submit(move |py, runtime| call_runtime(py, runtime, method, &args));
        receiver.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Calls a `Runtime` method that returns JSON text from a thread of its own, without
    /// waiting for the running job.
    ///
    /// The call gets the GIL whenever the running cell releases it, as it does while the
    /// debugger holds the cell at a breakpoint. Before Python is ready, the call waits in the
    /// queue like [`Executor::call_json`].
    pub async fn call_json_now(&self, method: &'static str, args: Vec<Value>) -> Outcome {
        if self.shared.runtime.get().is_none() {
            return self.call_json(method, args).await;
        }
        let shared = Arc::clone(&self.shared);
        let call = tokio::task::spawn_blocking(move || {
            Python::attach(|py| match shared.runtime.get() {
                Some(runtime) => call_runtime(py, runtime.bind(py), method, &args),
                None => Err(stopped()),
            })
        });
        call.await
            .unwrap_or_else(|e| Err(KernelError::Python(format!("{method} failed: {e}"))))
    }

    /// Interrupts the running cell with KeyboardInterrupt. Returns false, and does nothing,
    /// when no cell runs.
    pub fn interrupt(&self) -> bool {
        let shared = &self.shared;
        if !shared.busy.load(Ordering::SeqCst) {
            return false;
        }
        shared.interrupted.store(true, Ordering::SeqCst);
        if shared.waiting_for_input.load(Ordering::SeqCst) {
            // The input wait polls `interrupted` and raises KeyboardInterrupt itself.
            return true;
        }
        if shared.signal_handler.load(Ordering::SeqCst)
            && let Some(thread) = *lock(&shared.pthread)
        {
            // SAFETY: `thread` is the live Python thread (it runs until the executor is dropped
            // and this handle keeps the executor alive), and CPython's SIGINT handler is
            // installed, so the signal becomes a KeyboardInterrupt and wakes blocking calls.
            let rc = unsafe { libc::pthread_kill(thread, libc::SIGINT) };
            if rc == 0 {
                return true;
            }
            tracing::warn!(
                rc,
                "pthread_kill failed; falling back to an asynchronous exception"
            );
        }
        let ident = shared.python_ident.load(Ordering::SeqCst);
        Python::attach(|_py| {
            // SAFETY: the GIL is held and the exception type is a valid borrowed reference.
            unsafe {
                pyo3::ffi::PyThreadState_SetAsyncExc(
                    ident as std::os::raw::c_long,
                    pyo3::ffi::PyExc_KeyboardInterrupt,
                );
            }
        });
        true
    }
}

fn call_runtime(
    py: Python<'_>,
    runtime: &Bound<'_, PyAny>,
    method: &str,
    args: &[Value],
) -> Outcome {
    let args = args
        .iter()
        .map(|arg| json_to_py(py, arg))
        .collect::<PyResult<Vec<_>>>()
        .and_then(|args| PyTuple::new(py, args))
        .map_err(|e| python_error(py, &e))?;
    let text: String = runtime
        .call_method1(method, args)
        .and_then(|value| value.extract())
        .map_err(|e| python_error(py, &e))?;
    serde_json::from_str(&text).map_err(|e| KernelError::Python(e.to_string()))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Blocks SIGINT in the calling thread and in every thread it starts later. Call it before
/// any thread starts.
///
/// CPython acts on a SIGINT at once only when its main thread runs the C handler, and the
/// operating system delivers a process-wide SIGINT to any thread that does not block it. So
/// every thread (tokio's among them) blocks SIGINT, and only the Python thread unblocks it.
pub fn block_sigint() {
    set_sigint_blocked(true);
}

/// Blocks or unblocks SIGINT in the calling thread. Threads it starts later inherit the mask.
fn set_sigint_blocked(blocked: bool) {
    let how = if blocked {
        libc::SIG_BLOCK
    } else {
        libc::SIG_UNBLOCK
    };
    // SAFETY: `set` is initialised by sigemptyset before use, and pthread_sigmask changes only
    // the calling thread's mask.
    let rc = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::pthread_sigmask(how, &set, std::ptr::null_mut())
    };
    if rc != 0 {
        tracing::warn!(
            rc,
            blocked,
            "pthread_sigmask failed; SIGINT may not interrupt cells"
        );
    }
}

fn stopped() -> KernelError {
    KernelError::Python("the Python thread has stopped".to_string())
}

fn run_cell(py: Python<'_>, runtime: &Bound<'_, PyAny>, job: &ExecuteJob) -> PyResult<Value> {
    let text: String = if job.flowchart {
        let filename = format!("<flowchart-{}>", job.count);
        runtime
            .call_method1(
                "run_flowchart",
                (
                    &job.code,
                    filename,
                    job.store_history,
                    job.allow_stdin,
                    job.count,
                ),
            )?
            .extract()?
    } else {
        let expressions = json_to_py(py, &job.user_expressions)?;
        runtime
            .call_method1(
                "execute",
                (
                    &job.code,
                    job.silent,
                    job.store_history,
                    job.allow_stdin,
                    job.count,
                    expressions,
                    job.filename.as_deref(),
                ),
            )?
            .extract()?
    };
    serde_json::from_str(&text).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// Turns an exception that escaped `Runtime.execute` (a second interrupt that landed in its
/// error handling) into an error reply and publishes it.
fn escaped_error(py: Python<'_>, error: &PyErr, events: &UnboundedSender<Event>) -> Value {
    let ename = error
        .get_type(py)
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "Exception".to_string());
    let evalue = error.value(py).to_string();
    let content = serde_json::json!({
        "status": "error",
        "ename": ename,
        "evalue": evalue,
        "traceback": [format!("{ename}: {evalue}")],
    });
    let _ = events.send(Event::Error(content.clone()));
    content
}

fn python_error(py: Python<'_>, error: &PyErr) -> KernelError {
    let traceback = error
        .traceback(py)
        .and_then(|tb| tb.format().ok())
        .unwrap_or_default();
    KernelError::Python(format!("{traceback}{error}"))
}

fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    let json = py.import(pyo3::intern!(py, "json"))?;
    json.call_method1(pyo3::intern!(py, "loads"), (value.to_string(),))
}

fn python_thread(
    env: hexa_marimo::PythonEnv,
    shared: Arc<Shared>,
    jobs: mpsc::Receiver<Job>,
    ready: oneshot::Sender<Result<(), KernelError>>,
) {
    set_sigint_blocked(false);
    if let Err(error) = hexa_marimo::initialize_python(&env) {
        let _ = ready.send(Err(KernelError::Python(error.to_string())));
        return;
    }
    // SAFETY: pthread_self has no preconditions.
    *lock(&shared.pthread) = Some(unsafe { libc::pthread_self() });

    let runtime = Python::attach(|py| load_runtime(py, &shared).map_err(|e| python_error(py, &e)));
    let runtime = match runtime {
        Ok(runtime) => {
            let _ = ready.send(Ok(()));
            runtime
        }
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    while let Ok(job) = jobs.recv() {
        Python::attach(|py| {
            let runtime = runtime.bind(py);
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(py, runtime)));
            if outcome.is_err() {
                tracing::error!("a Python job panicked; the kernel keeps running");
            }
        });
    }
    tracing::debug!("the Python thread stops");
}

fn load_runtime(py: Python<'_>, shared: &Arc<Shared>) -> PyResult<Py<PyAny>> {
    let code = CString::new(RUNTIME_SOURCE)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    let module = PyModule::from_code(py, &code, c"hexa_kernel_runtime.py", c"hexa_kernel_runtime")?;
    // The `%hexa` line magic runs this same binary as a subprocess.
    if let Ok(exe) = std::env::current_exe() {
        module.setattr("HEXA_EXECUTABLE", exe.to_string_lossy().as_ref())?;
    }

    let emit_shared = Arc::clone(shared);
    let emit = PyCFunction::new_closure(
        py,
        Some(c"emit"),
        None,
        move |args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
            let event = event_from_args(args)?;
            if let Some(events) = lock(&emit_shared.events).as_ref() {
                let _ = events.send(event);
            }
            Ok(())
        },
    )?;

    let input_shared = Arc::clone(shared);
    let request_input = PyCFunction::new_closure(
        py,
        Some(c"request_input"),
        None,
        move |args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>| -> PyResult<String> {
            let (prompt, password): (String, bool) = args.extract()?;
            wait_for_input(args.py(), &input_shared, prompt, password)
        },
    )?;

    let runtime = module.getattr("Runtime")?.call1((emit, request_input))?;
    // The inline matplotlib backend reads the runtime from this attribute.
    module.setattr("RUNTIME", &runtime)?;
    let installed: bool = runtime.getattr("signal_handler_installed")?.extract()?;
    shared.signal_handler.store(installed, Ordering::SeqCst);
    let ident: u64 = py
        .import("threading")?
        .call_method0("get_ident")?
        .extract()?;
    shared.python_ident.store(ident, Ordering::SeqCst);
    let _ = shared.runtime.set(runtime.clone().unbind());
    Ok(runtime.unbind())
}

fn event_from_args(args: &Bound<'_, PyTuple>) -> PyResult<Event> {
    let kind: String = args.get_item(0)?.extract()?;
    let json = |index: usize| -> PyResult<Value> {
        let text: String = args.get_item(index)?.extract()?;
        serde_json::from_str(&text)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    };
    Ok(match kind.as_str() {
        "stream" => Event::Stream {
            name: args.get_item(1)?.extract()?,
            text: args.get_item(2)?.extract()?,
        },
        "display" => Event::Display {
            data: json(1)?,
            metadata: json(2)?,
            transient: json(3)?,
            update: args.get_item(4)?.extract()?,
        },
        "result" => Event::Result {
            data: json(1)?,
            metadata: json(2)?,
        },
        "error" => Event::Error(json(1)?),
        "comm" => Event::Comm {
            msg_type: args.get_item(1)?.extract()?,
            content: json(2)?,
            metadata: json(3)?,
            buffers: args
                .get_item(4)?
                .extract::<Vec<Vec<u8>>>()?
                .into_iter()
                .map(bytes::Bytes::from)
                .collect(),
        },
        "clear" => Event::Clear {
            wait: args.get_item(1)?.extract()?,
        },
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown event kind {other}"
            )));
        }
    })
}

/// Sends an input request and blocks, without the GIL, until the reply or an interrupt.
fn wait_for_input(
    py: Python<'_>,
    shared: &Shared,
    prompt: String,
    password: bool,
) -> PyResult<String> {
    let (reply, answer) = mpsc::channel();
    let sent = lock(&shared.events).as_ref().is_some_and(|events| {
        events
            .send(Event::Input {
                prompt,
                password,
                reply,
            })
            .is_ok()
    });
    if !sent {
        return Err(PyEOFError::new_err(
            "no frontend is connected to answer input()",
        ));
    }
    shared.waiting_for_input.store(true, Ordering::SeqCst);
    let answer = std::sync::Mutex::new(answer);
    let result = py.detach(|| {
        let answer = lock(&answer);
        loop {
            if shared.interrupted.load(Ordering::SeqCst) {
                return Err(true);
            }
            match answer.recv_timeout(Duration::from_millis(20)) {
                Ok(text) => return Ok(text),
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(false),
            }
        }
    });
    shared.waiting_for_input.store(false, Ordering::SeqCst);
    match result {
        Ok(text) => Ok(text),
        Err(true) => Err(PyKeyboardInterrupt::new_err(
            "interrupted while waiting for input",
        )),
        Err(false) => Err(PyEOFError::new_err("the frontend sent no input")),
    }
}
