//! The dedicated Python thread: initialises the interpreter, then runs jobs from a channel.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;

use pyo3::exceptions::PyModuleNotFoundError;
use pyo3::intern;
use pyo3::prelude::*;

use crate::BridgeError;
use crate::control::ThreadState;
use crate::interpreter;
use crate::runner::{Runner, python_error};

/// Oldest marimo release whose internals `hexa_runner.py` works with, as (major, minor).
const MIN_MARIMO: (u64, u64) = (0, 25);

/// A unit of Python work; it runs on the Python thread with the GIL held.
type Job = Box<dyn FnOnce(Python<'_>, &Runner) + Send>;

/// Handle to the Python thread. The thread exits when the last handle is dropped.
pub(crate) struct Worker {
    jobs: mpsc::Sender<(u64, Job)>,
    pub(crate) state: Arc<ThreadState>,
    next_id: AtomicU64,
    pub(crate) executable: PathBuf,
}

impl Worker {
    /// Starts the Python thread and waits until marimo is imported and the runner is loaded.
    pub(crate) fn spawn(executable: &Path) -> Result<Self, BridgeError> {
        let (jobs, job_receiver) = mpsc::channel();
        let (ready_sender, ready) = mpsc::channel();
        let state = Arc::new(ThreadState::default());
        let thread_state = Arc::clone(&state);
        let thread_executable = executable.to_path_buf();
        thread::Builder::new()
            .name("hexa-python".to_string())
            .spawn(move || {
                python_thread(thread_executable, thread_state, job_receiver, ready_sender)
            })
            .map_err(|e| BridgeError::Stopped(format!("failed to spawn the Python thread: {e}")))?;
        ready.recv().map_err(|_| {
            BridgeError::Stopped("the Python thread exited during start-up".to_string())
        })??;
        Ok(Self {
            jobs,
            state,
            next_id: AtomicU64::new(1),
            executable: executable.to_path_buf(),
        })
    }

    /// Reserves the id of the next job; ids start at 1 because 0 means "idle".
    pub(crate) fn next_job_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::SeqCst)
    }

    /// Queues a job, which fails when the Python thread has exited.
    pub(crate) fn submit(&self, id: u64, job: Job) -> Result<(), BridgeError> {
        self.jobs
            .send((id, job))
            .map_err(|_| BridgeError::Stopped("it no longer accepts jobs".to_string()))
    }

    /// Runs `f` on the Python thread and waits for its result.
    pub(crate) fn call<T, F>(&self, f: F) -> Result<T, BridgeError>
    where
        T: Send + 'static,
        F: FnOnce(Python<'_>, &Runner) -> Result<T, BridgeError> + Send + 'static,
    {
        let (sender, receiver) = mpsc::channel();
        let job: Job = Box::new(move |py, runner| {
            // The caller may have stopped waiting, so a failed send is ignored.
            let _ = sender.send(f(py, runner));
        });
        self.submit(self.next_job_id(), job)?;
        receiver
            .recv()
            .map_err(|_| BridgeError::Stopped("the job ended without a result".to_string()))?
    }
}

fn python_thread(
    executable: PathBuf,
    state: Arc<ThreadState>,
    jobs: mpsc::Receiver<(u64, Job)>,
    ready: mpsc::Sender<Result<(), BridgeError>>,
) {
    let started = interpreter::ensure_initialized(&executable)
        .and_then(|()| Python::attach(|py| start_runner(py, &executable, &state)));
    let runner = match started {
        Ok(runner) => runner,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    tracing::debug!("python thread ready");

    for (id, job) in jobs {
        Python::attach(|py| {
            state.running_job.store(id, Ordering::SeqCst);
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| job(py, &runner)));
            state.running_job.store(0, Ordering::SeqCst);
            state.clear_pending_interrupt(py);
            if outcome.is_err() {
                tracing::error!(
                    job = id,
                    "a job panicked on the Python thread; it keeps serving"
                );
            }
        });
    }
    Python::attach(|_py| drop(runner));
    tracing::debug!("python thread stopped");
}

/// Records the thread's ident, checks marimo and loads the runner module.
fn start_runner(
    py: Python<'_>,
    executable: &Path,
    state: &ThreadState,
) -> Result<Runner, BridgeError> {
    let ident: u64 = py
        .import("threading")
        .and_then(|threading| threading.call_method0(intern!(py, "get_ident"))?.extract())
        .map_err(|e| python_error(py, &e))?;
    state.ident.store(ident, Ordering::SeqCst);

    let marimo = py.import("marimo").map_err(|e| {
        let problem = if e.is_instance_of::<PyModuleNotFoundError>(py) {
            "marimo is not installed".to_string()
        } else {
            format!("importing marimo failed ({e})")
        };
        marimo_error(executable, problem)
    })?;
    let version: String = marimo
        .getattr(intern!(py, "__version__"))
        .and_then(|v| v.extract())
        .map_err(|e| python_error(py, &e))?;
    match parse_version(&version) {
        Some(found) if found >= MIN_MARIMO => {}
        Some(_) => {
            let problem = format!("marimo {version} is older than the supported 0.25");
            return Err(marimo_error(executable, problem));
        }
        None => tracing::warn!(version, "cannot parse the marimo version; trying it anyway"),
    }
    tracing::debug!(marimo = version, "marimo imported");
    Runner::load(py)
}

fn marimo_error(executable: &Path, problem: String) -> BridgeError {
    BridgeError::Marimo {
        executable: executable.to_path_buf(),
        problem,
        install_command: marimo_install_command(executable),
    }
}

/// Returns the shell command that installs a supported marimo into the environment of `python`.
pub fn marimo_install_command(python: &Path) -> String {
    format!("{} -m pip install 'marimo>=0.25'", python.display())
}

/// Reads `(major, minor)` from a version such as `0.25.2` or `0.26.0.dev1`.
fn parse_version(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_version_reads_major_minor() {
        assert_eq!(parse_version("0.25.2"), Some((0, 25)));
        assert_eq!(parse_version("1.0.0.dev3"), Some((1, 0)));
        assert_eq!(parse_version("garbage"), None);
    }

    #[test]
    fn install_command_names_the_interpreter() {
        let command = marimo_install_command(Path::new("/env/bin/python"));
        assert_eq!(command, "/env/bin/python -m pip install 'marimo>=0.25'");
    }
}
