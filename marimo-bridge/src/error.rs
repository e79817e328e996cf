//! The bridge's error type.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can fail in the bridge: finding Python, starting it, and the notebook calls.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// No Python interpreter was found where discovery looked.
    #[error("python not found: {reason}")]
    PythonNotFound {
        /// The places that were tried and the reason none gave an interpreter.
        reason: String,
    },

    /// The discovered interpreter could not be run to read its version.
    #[error("failed to run {executable} to read its version: {message}")]
    PythonProbe {
        /// The interpreter that was run.
        executable: PathBuf,
        /// The failure, as the operating system or the interpreter reported it.
        message: String,
    },

    /// The environment's Python is not the version whose libpython this binary links.
    #[error(
        "{executable} is Python {env_version}, but hexa was built against Python \
         {linked_version}; use an environment with Python {linked_version} or rebuild hexa \
         with PYO3_PYTHON pointing to that interpreter"
    )]
    VersionMismatch {
        /// The environment's interpreter.
        executable: PathBuf,
        /// Its `major.minor` version.
        env_version: String,
        /// The `major.minor` version of the linked libpython.
        linked_version: String,
    },

    /// The embedded interpreter was already initialised for a different environment.
    #[error(
        "the embedded Python was already started with {in_use} in this process and cannot be \
         restarted with {requested}"
    )]
    AlreadyInitialized {
        /// The executable the interpreter was initialised with.
        in_use: PathBuf,
        /// The executable that was requested now.
        requested: PathBuf,
    },

    /// The interpreter failed to initialise.
    #[error("failed to initialise the embedded Python with {executable}: {message}")]
    Initialize {
        /// The executable the interpreter was configured with.
        executable: PathBuf,
        /// CPython's status message.
        message: String,
    },

    /// marimo is missing from the environment or older than the supported version.
    #[error("{problem} in {executable}; install it with: {install_command}")]
    Marimo {
        /// The environment's interpreter.
        executable: PathBuf,
        /// The problem, for example "marimo is not installed".
        problem: String,
        /// The shell command that installs a supported marimo into that environment.
        install_command: String,
    },

    /// A Python package that an export needs is missing from the environment.
    #[error(
        "the Python package {package} is not installed; install it with: python -m pip \
         install {package}"
    )]
    MissingPackage {
        /// The package's name on PyPI.
        package: String,
    },

    /// `marimo export` failed or could not be started.
    #[error("failed to export {}: {message}", notebook.display())]
    Export {
        /// The notebook file.
        notebook: PathBuf,
        /// What failed, with the end of marimo's error output.
        message: String,
    },

    /// A Python exception escaped from the bridge's own Python code.
    #[error("python error: {message}\n{traceback}")]
    Python {
        /// The exception as `Type: message`.
        message: String,
        /// The formatted traceback, or an empty string when there is none.
        traceback: String,
    },

    /// The notebook as a whole cannot be loaded or run: not a marimo file, an unparsable cell,
    /// a cycle or a name defined in several cells. The message is marimo's.
    #[error("{}: {message}", filename.display())]
    Notebook {
        /// The notebook's file name, as given in the request.
        filename: PathBuf,
        /// marimo's description of the problem.
        message: String,
    },

    /// An input names a variable that no cell of the notebook defines.
    #[error("unknown input `{name}`: no cell defines it (defined names: {})", available.join(", "))]
    UnknownInput {
        /// The name given with the input.
        name: String,
        /// The global names the notebook defines, sorted.
        available: Vec<String>,
    },

    /// An input value cannot be applied to the variable or widget it names.
    #[error("invalid input `{name}`: {message}")]
    InvalidInput {
        /// The input's name (several names joined by ", " when marimo rejects a group).
        name: String,
        /// The reason the value was rejected.
        message: String,
    },

    /// The request itself is malformed, for example a filename without the `.py` suffix.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// A cell kept running after the timeout and the interrupt did not stop it, which happens
    /// while it is blocked in native code. The Python thread is still busy with it.
    #[error(
        "the run did not stop within {grace:?} after the {timeout:?} timeout; a cell is \
         probably blocked in native code"
    )]
    Unresponsive {
        /// The run's timeout.
        timeout: Duration,
        /// How long the bridge waited after interrupting the cell.
        grace: Duration,
    },

    /// The Python thread has exited, so the bridge cannot take more work.
    #[error("the Python thread has stopped: {0}")]
    Stopped(String),
}
