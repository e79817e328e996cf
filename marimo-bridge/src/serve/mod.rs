//! `hexa serve`: a notebooks folder with its index, and `marimo edit --headless` supervised as
//! a child process on 127.0.0.1 with a token.
//!
//! The server is a child process, not the embedded interpreter, because marimo's edit server
//! starts every notebook kernel as a subprocess of `sys.executable`, which is the hexa binary
//! when Python is embedded. Nothing here needs Python in-process, so it lives beside the
//! bridge for the CLI, the language server and the kernel to share.

mod folder;
mod http;
mod process;
mod signals;

use std::path::{Path, PathBuf};

pub use folder::{
    INDEX_FILE, Index, IndexEntry, IndexLock, Notebook, NotebookFolder, Origin, ServerRecord,
    content_hash,
};
pub use http::{HttpResponse, http_get};
pub use process::{
    LOG_FILE, MarimoServer, ServeConfig, notebook_url, process_alive, process_group_alive,
};
pub use signals::shutdown_on_signals;

/// What can fail while keeping a notebooks folder or serving it.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A file operation failed.
    #[error("failed to {action} {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was tried, as a verb: "create", "write", "lock".
        action: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },

    /// The notebooks path exists but is not a folder.
    #[error("{} is not a folder", .0.display())]
    NotADirectory(PathBuf),

    /// The index could not be encoded.
    #[error("{0}")]
    Index(String),

    /// The marimo command is missing from the environment.
    #[error(transparent)]
    Bridge(#[from] crate::BridgeError),

    /// marimo exited or did not answer `/health` in time after a start.
    #[error("marimo did not start: {reason}; the end of its log:\n{log_tail}")]
    NotReady {
        /// What went wrong.
        reason: String,
        /// The last lines marimo wrote.
        log_tail: String,
    },

    /// marimo kept exiting and the supervisor stopped restarting it.
    #[error("marimo exited {restarts} times in a row; giving up (see {})", log.display())]
    TooManyRestarts {
        /// The restarts made.
        restarts: u32,
        /// marimo's log file.
        log: PathBuf,
    },
}

impl ServeError {
    pub(crate) fn io(path: &Path, action: &'static str, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}
