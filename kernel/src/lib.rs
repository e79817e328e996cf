//! `hexa kernel`: a Jupyter kernel (messaging protocol 5.3) that runs Python through embedded
//! CPython and turns Mermaid flowchart cells into Python that runs in the same namespace.
//!
//! [`messages`] holds the protocol types, `wire` the signed frame format, `transport` the
//! zeromq sockets (one task per channel), `kernel` the request handlers and `executor` the
//! Python thread. `debugger` handles `debug_request` through debugpy, with `dap` as its
//! Debug Adapter Protocol client and `cell_files` naming the cells it debugs. PyO3 is used
//! only in `executor` and for the version in `kernel_info`.
#![deny(missing_docs)]

mod capture;
mod cell_files;
pub mod cli;
mod connection;
mod dap;
mod debugger;
mod executor;
mod flowchart_cell;
mod install;
mod kernel;
pub mod messages;
mod transport;
mod wire;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use capture::{LogWriter, log_writer};
pub use connection::ConnectionInfo;
pub use install::{InstallLocation, install};

/// Why the kernel could not start or install.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KernelError {
    /// The connection file is missing or invalid.
    #[error("invalid connection file {path}: {message}")]
    ConnectionFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A socket could not be bound.
    #[error("cannot bind {0}")]
    Bind(String),
    /// The embedded Python failed to start or a job failed inside the kernel.
    #[error("python: {0}")]
    Python(String),
    /// The kernelspec could not be written.
    #[error("{0}")]
    Install(String),
    /// The tokio runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// Maximum time that the sockets get to send the last replies after a shutdown request.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(200);

/// Runs the kernel for `connection_file` until a client sends `shutdown_request`.
///
/// The kernel binds the sockets and replies to `kernel_info` while CPython starts on its own
/// thread. Requests that need Python wait for it. A Python that fails to start stops the
/// kernel with that error.
pub fn run(connection_file: &Path, env: hexa_marimo::PythonEnv) -> Result<(), KernelError> {
    let info = ConnectionInfo::read(connection_file)?;
    executor::block_sigint();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| KernelError::Runtime(e.to_string()))?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let served = runtime.block_on(serve(info, env, cwd));
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    // The Python thread ends when the last executor handle is gone. A cell that ignores the
    // interrupt would keep it alive, so the thread is joined only when it has already finished.
    let python_thread = served?;
    if python_thread.is_finished() {
        let _ = python_thread.join();
    }
    tracing::info!("kernel stopped");
    Ok(())
}

/// Binds the sockets, then starts Python. Returns the Python thread once the kernel stops.
async fn serve(
    info: ConnectionInfo,
    env: hexa_marimo::PythonEnv,
    cwd: PathBuf,
) -> Result<std::thread::JoinHandle<()>, KernelError> {
    // Listen for SIGTERM before the sockets open, so a client that stops the kernel as soon
    // as it replies still gets a clean shutdown.
    let sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .inspect_err(|error| tracing::warn!(%error, "cannot listen for SIGTERM"))
        .ok();
    let signer = wire::Signer::new(&info.key);
    let shutdown = CancellationToken::new();
    let mut tasks = JoinSet::new();
    let channels = transport::bind(&info, &signer, &shutdown, &mut tasks).await?;
    let debugpy = debugger::debugpy_installed(&env.executable);
    let (executor, startup, python_thread) = executor::Executor::start(env)?;
    // Held until the kernel stops. Dropping it points fds 1 and 2 back at the originals.
    let _capture = capture::Capture::start(executor.output_sink())
        .inspect_err(|error| tracing::warn!(%error, "cannot capture fds 1 and 2"))
        .ok();
    let session = uuid::Uuid::new_v4().to_string();
    let debugger = debugger::Debugger::new(debugpy, channels.iopub.clone(), session.clone());
    let kernel = kernel::Kernel {
        session,
        executor,
        debugger: Arc::new(debugger),
        iopub: channels.iopub.clone(),
        shutdown: shutdown.clone(),
        cwd,
        last_execute: Arc::default(),
    };
    kernel.announce_start();
    let (idle_events, idle_queue) = tokio::sync::mpsc::unbounded_channel();
    kernel.executor.set_idle_events(idle_events);
    tasks.spawn(kernel::publish_idle_output(kernel.clone(), idle_queue));
    tracing::info!(ip = %info.ip, shell = info.shell_port, "kernel started");

    let failed_start = Arc::new(OnceLock::new());
    let stop_on_failure = shutdown.clone();
    let failure = Arc::clone(&failed_start);
    tasks.spawn(async move {
        tokio::select! {
            () = stop_on_failure.cancelled() => {}
            ready = startup.ready() => match ready {
                Ok(()) => tracing::debug!("the Python thread is ready"),
                Err(error) => {
                    tracing::error!(%error, "Python failed to start, stopping the kernel");
                    let _ = failure.set(error);
                    stop_on_failure.cancel();
                }
            },
        }
    });
    tasks.spawn(stop_when_orphaned(shutdown.clone()));
    let stop_on_signal = shutdown.clone();
    tasks.spawn(async move {
        tokio::select! {
            () = stop_on_signal.cancelled() => {}
            () = terminate_signal(sigterm) => {
                tracing::info!("SIGTERM received; shutting down");
                stop_on_signal.cancel();
            }
        }
    });
    tasks.spawn(kernel::serve_control(
        kernel.clone(),
        channels.control_in,
        channels.control_out,
    ));
    tasks.spawn(kernel::serve_shell(
        kernel,
        channels.shell_in,
        channels.shell_out,
        channels.stdin_in,
        channels.stdin_out,
    ));
    drop(channels.iopub);

    shutdown.cancelled().await;
    let _ = tokio::time::timeout(SHUTDOWN_GRACE * 5, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tokio::time::sleep(SHUTDOWN_GRACE).await;
    match failed_start.get() {
        Some(error) => Err(error.clone()),
        None => Ok(python_thread),
    }
}

/// Interval at which the kernel checks that the process that started it is still running.
const PARENT_POLL: Duration = Duration::from_secs(1);

/// Shuts the kernel down once the process that started it has exited, which the kernel
/// detects as a change of its parent process id. So a client killed without a shutdown
/// request leaves no kernel behind.
async fn stop_when_orphaned(shutdown: CancellationToken) {
    // SAFETY: getppid has no preconditions and cannot fail.
    let parent = unsafe { libc::getppid() };
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(PARENT_POLL) => {}
        }
        // SAFETY: getppid has no preconditions and cannot fail.
        let now = unsafe { libc::getppid() };
        if now != parent {
            tracing::warn!(
                parent,
                "the process that started the kernel exited; shutting down"
            );
            shutdown.cancel();
            return;
        }
    }
}

async fn terminate_signal(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut signal) => {
            signal.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}
