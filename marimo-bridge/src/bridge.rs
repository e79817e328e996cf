//! The public [`Bridge`]: starts the embedded Python once and sends it notebook jobs.

use std::path::Path;
use std::sync::{Arc, Mutex, Weak, mpsc};
use std::time::{Duration, Instant};

use crate::BridgeError;
use crate::control::{AbortReason, JobControl};
use crate::discover::PythonEnv;
use crate::export::{self, ExportFormat};
use crate::interpreter;
use crate::model::{MarimoDiagnostic, PythonInfo, RunReport, RunRequest};
use crate::runner::Collector;
use crate::worker::Worker;

/// How long a run may take to stop after its timeout before the bridge gives up waiting.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// How often the interrupt is repeated until a cell reports it (a cell may swallow one).
const INTERRUPT_RETRY: Duration = Duration::from_millis(100);

/// The Python thread shared by every [`Bridge`] in the process, while one exists.
static SHARED_WORKER: Mutex<Option<Weak<Worker>>> = Mutex::new(None);

/// Handle to the embedded Python that checks and runs marimo notebooks.
///
/// All Python work runs on one dedicated thread. The methods send it a job and block until the
/// result comes back, so callers never hold the GIL. Jobs run one at a time in the order they
/// were sent. Clones share the thread, and so do bridges started again with the same
/// environment. [`Bridge::interrupt`] is the exception: it takes the GIL for a moment to
/// schedule the KeyboardInterrupt.
#[derive(Clone)]
pub struct Bridge {
    worker: Arc<Worker>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("executable", &self.worker.executable)
            .finish()
    }
}

enum RunEvent {
    Started,
    Finished(Result<(), BridgeError>),
}

impl Bridge {
    /// Starts the Python thread for `env`, imports marimo and loads the runner.
    ///
    /// Fails when the environment's Python version differs from the linked libpython, when
    /// marimo is missing or older than 0.25 (the error carries the install command), or when
    /// the interpreter already runs in this process for another environment.
    pub fn start(env: &PythonEnv) -> Result<Self, BridgeError> {
        let mut shared = SHARED_WORKER
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(worker) = shared.as_ref().and_then(Weak::upgrade) {
            if worker.executable == env.executable {
                return Ok(Self { worker });
            }
            return Err(BridgeError::AlreadyInitialized {
                in_use: worker.executable.clone(),
                requested: env.executable.clone(),
            });
        }

        let started = Instant::now();
        let linked_version = interpreter::linked_version();
        let env_version = interpreter::env_version(&env.executable)?;
        if env_version != linked_version {
            return Err(BridgeError::VersionMismatch {
                executable: env.executable.clone(),
                env_version,
                linked_version,
            });
        }
        let worker = Arc::new(Worker::spawn(&env.executable)?);
        *shared = Some(Arc::downgrade(&worker));
        tracing::info!(
            executable = %env.executable.display(),
            source = ?env.source,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "embedded Python started"
        );
        Ok(Self { worker })
    }

    /// Returns the embedded interpreter's executable, versions and site-packages.
    pub fn info(&self) -> Result<PythonInfo, BridgeError> {
        self.worker.call(|py, runner| runner.info(py))
    }

    /// Lints a notebook with marimo's default rules, without writing any file.
    pub fn check(
        &self,
        source: &str,
        filename: &Path,
    ) -> Result<Vec<MarimoDiagnostic>, BridgeError> {
        check_filename(filename)?;
        let source = source.to_string();
        let filename = filename.to_path_buf();
        self.worker
            .call(move |py, runner| runner.check(py, &source, &filename))
    }

    /// Exports a notebook with marimo's exporters and returns the exported text.
    ///
    /// ipynb, Markdown and script are conversions of the cells, done in-process without
    /// running anything. HTML runs the notebook, so `filename` must name the notebook file on
    /// disk; marimo runs it in a child process (see [`ExportFormat::Html`]).
    pub fn export(
        &self,
        source: &str,
        filename: &Path,
        format: ExportFormat,
    ) -> Result<String, BridgeError> {
        check_filename(filename)?;
        if format == ExportFormat::Html {
            return export::export_html(&self.worker.executable, filename);
        }
        let source = source.to_string();
        let filename = filename.to_path_buf();
        self.worker
            .call(move |py, runner| export::convert(py, runner, &source, &filename, format))
    }

    /// Runs a notebook in-process and returns each cell's result in execution order.
    ///
    /// A failing cell cancels its descendants and the other cells still run. When the timeout
    /// expires, the running cell is interrupted and reported as a `TimeoutError`, and the cells
    /// not run yet are reported as cancelled.
    pub fn run(&self, request: RunRequest) -> Result<RunReport, BridgeError> {
        check_filename(&request.filename)?;
        let RunRequest {
            source,
            filename,
            inputs,
            on_cell,
            timeout,
        } = request;
        let id = self.worker.next_job_id();
        let control = Arc::new(JobControl::new(id));
        let collector = Arc::new(Mutex::new(Collector::new(on_cell, Arc::clone(&control))));

        let (events, received) = mpsc::channel();
        let job_collector = Arc::clone(&collector);
        let job_control = Arc::clone(&control);
        let state = Arc::clone(&self.worker.state);
        self.worker.submit(
            id,
            Box::new(move |py, runner| {
                state.set_current_run(Some(job_control));
                let _ = events.send(RunEvent::Started);
                let result = runner.run(py, &source, &filename, &inputs, job_collector);
                state.set_current_run(None);
                let _ = events.send(RunEvent::Finished(result));
            }),
        )?;

        let stopped = || BridgeError::Stopped("the run ended without a result".to_string());
        match received.recv().map_err(|_| stopped())? {
            RunEvent::Started => {}
            RunEvent::Finished(result) => result?,
        }
        let finished = match timeout {
            None => received.recv().map_err(|_| stopped())?,
            Some(timeout) => match received.recv_timeout(timeout) {
                Ok(event) => event,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(stopped()),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.stop_after_timeout(&control, &received, timeout)?
                }
            },
        };
        if let RunEvent::Finished(result) = finished {
            result?;
        }

        let cells = std::mem::take(&mut collector.lock().unwrap_or_else(|p| p.into_inner()).cells);
        Ok(RunReport { cells })
    }

    /// Interrupts the running cell and ends the run, for Ctrl-C. Returns whether a run was in
    /// progress and the KeyboardInterrupt was scheduled.
    pub fn interrupt(&self) -> bool {
        let Some(control) = self.worker.state.current_run() else {
            return false;
        };
        control.set_reason(AbortReason::Interrupt);
        let scheduled = self.worker.state.interrupt(control.id);
        tracing::info!(job = control.id, scheduled, "interrupt requested");
        scheduled
    }

    fn stop_after_timeout(
        &self,
        control: &JobControl,
        received: &mpsc::Receiver<RunEvent>,
        timeout: Duration,
    ) -> Result<RunEvent, BridgeError> {
        tracing::info!(
            job = control.id,
            timeout_ms = timeout.as_millis() as u64,
            "run timed out"
        );
        control.set_reason(AbortReason::Timeout(timeout));
        let deadline = Instant::now() + STOP_GRACE;
        loop {
            if !control.delivered() {
                self.worker.state.interrupt(control.id);
            }
            match received.recv_timeout(INTERRUPT_RETRY) {
                Ok(event) => return Ok(event),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(BridgeError::Stopped(
                        "the run ended without a result".into(),
                    ));
                }
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() >= deadline => {
                    tracing::error!(job = control.id, "run did not stop after its timeout");
                    return Err(BridgeError::Unresponsive {
                        timeout,
                        grace: STOP_GRACE,
                    });
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

fn check_filename(filename: &Path) -> Result<(), BridgeError> {
    if filename.extension().is_some_and(|ext| ext == "py") {
        Ok(())
    } else {
        Err(BridgeError::InvalidRequest(format!(
            "the notebook filename {} must end in .py",
            filename.display()
        )))
    }
}
