//! Initialising the embedded CPython once per process for the chosen environment.

use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use pyo3::ffi;
use pyo3::prelude::*;

use crate::BridgeError;

/// The executable the interpreter was initialised with; CPython cannot be re-initialised.
static INITIALIZED_WITH: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Returns `major.minor` of the libpython this process loaded, for example `3.11`.
pub(crate) fn linked_version() -> String {
    // SAFETY: Py_GetVersion returns a pointer to a static, NUL-terminated string and may be
    // called before the interpreter is initialised.
    let full = unsafe { CStr::from_ptr(ffi::Py_GetVersion()) }.to_string_lossy();
    major_minor(&full)
}

/// Takes `major.minor` from a version string such as `3.11.7 (main, ...)`.
pub(crate) fn major_minor(version: &str) -> String {
    let number = version.split_whitespace().next().unwrap_or_default();
    number.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// Returns `major.minor` of the environment's Python. It reads the virtual environment's
/// `pyvenv.cfg` when there is one, and otherwise runs the interpreter once (an estimated
/// 20 ms).
pub(crate) fn env_version(executable: &Path) -> Result<String, BridgeError> {
    match venv_config_version(executable) {
        Some(version) => Ok(version),
        None => probe_version(executable),
    }
}

/// Reads `version` (venv) or `version_info` (uv) from the `pyvenv.cfg` beside `executable`
/// or one folder up, where PEP 405 puts it.
fn venv_config_version(executable: &Path) -> Option<String> {
    let bin = executable.parent()?;
    let text = [bin, bin.parent()?]
        .iter()
        .find_map(|dir| std::fs::read_to_string(dir.join("pyvenv.cfg")).ok())?;
    text.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        let version = major_minor(value.trim());
        let is_version = matches!(key.trim(), "version" | "version_info");
        (is_version && version.contains('.')).then_some(version)
    })
}

/// Runs the environment's interpreter once to read its `major.minor` version.
fn probe_version(executable: &Path) -> Result<String, BridgeError> {
    let probe = |message: String| BridgeError::PythonProbe {
        executable: executable.to_path_buf(),
        message,
    };
    let output = Command::new(executable)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .map_err(|e| probe(e.to_string()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(probe(format!(
            "exited with {}: {}",
            output.status,
            stderr.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Initialises the embedded interpreter for `env` on the calling thread, without importing
/// marimo. It is meant for hosts, such as the Jupyter kernel, that run their own Python code.
///
/// The thread that initialises CPython becomes its main thread, the only one where Python
/// signal handlers run. Fails when the environment's Python version differs from the linked
/// libpython, or when the interpreter already runs for another environment.
pub fn initialize_python(env: &crate::PythonEnv) -> Result<(), BridgeError> {
    let linked_version = linked_version();
    let env_version = env_version(&env.executable)?;
    if env_version != linked_version {
        return Err(BridgeError::VersionMismatch {
            executable: env.executable.clone(),
            env_version,
            linked_version,
        });
    }
    ensure_initialized(&env.executable)
}

/// Initialises the interpreter with `executable` unless this process already did.
///
/// Setting `PyConfig.executable` makes CPython's path calculation find the environment's
/// `pyvenv.cfg`, so `sys.prefix`, `sys.executable` and site-packages are the environment's.
/// Signal handlers are not installed because the host program owns Ctrl-C.
pub(crate) fn ensure_initialized(executable: &Path) -> Result<(), BridgeError> {
    let mut initialized = INITIALIZED_WITH
        .lock()
        .unwrap_or_else(|poison| poison.into_inner());
    if let Some(in_use) = initialized.as_ref() {
        return if same_file(in_use, executable) {
            Ok(())
        } else {
            Err(BridgeError::AlreadyInitialized {
                in_use: in_use.clone(),
                requested: executable.to_path_buf(),
            })
        };
    }

    // SAFETY: Py_IsInitialized may be called at any time.
    if unsafe { ffi::Py_IsInitialized() } != 0 {
        // Another part of the process started Python first: accept it if it is the same one.
        let in_use = Python::attach(|py| -> PyResult<PathBuf> {
            py.import("sys")?.getattr("executable")?.extract()
        })
        .map_err(|e| BridgeError::Initialize {
            executable: executable.to_path_buf(),
            message: e.to_string(),
        })?;
        if !same_file(&in_use, executable) {
            return Err(BridgeError::AlreadyInitialized {
                in_use,
                requested: executable.to_path_buf(),
            });
        }
        *initialized = Some(in_use);
        return Ok(());
    }

    initialize_from_config(executable)?;
    tracing::debug!(executable = %executable.display(), "initialised the embedded Python");
    *initialized = Some(executable.to_path_buf());
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

fn initialize_from_config(executable: &Path) -> Result<(), BridgeError> {
    let failed = |message: String| BridgeError::Initialize {
        executable: executable.to_path_buf(),
        message,
    };
    let path = CString::new(executable.as_os_str().as_encoded_bytes())
        .map_err(|_| failed("the path contains a NUL byte".to_string()))?;

    // SAFETY: the PyConfig is initialised by PyConfig_InitPythonConfig before any field is
    // read, every field pointer passed to CPython points into that same struct, and
    // PyConfig_Clear frees what CPython allocated on every path. The caller holds the
    // INITIALIZED_WITH lock, so no other thread initialises Python at the same time.
    unsafe {
        let mut config = std::mem::MaybeUninit::<ffi::PyConfig>::uninit();
        ffi::PyConfig_InitPythonConfig(config.as_mut_ptr());
        let config = config.as_mut_ptr();
        (*config).install_signal_handlers = 0;

        let status = ffi::PyConfig_SetBytesString(
            config,
            std::ptr::addr_of_mut!((*config).executable),
            path.as_ptr(),
        );
        if ffi::PyStatus_Exception(status) != 0 {
            ffi::PyConfig_Clear(config);
            return Err(failed(status_message(&status)));
        }

        let status = ffi::Py_InitializeFromConfig(config);
        ffi::PyConfig_Clear(config);
        if ffi::PyStatus_Exception(status) != 0 {
            return Err(failed(status_message(&status)));
        }

        // Release the GIL that initialisation left with this thread, as Python::initialize does,
        // so that any thread can attach.
        ffi::PyEval_SaveThread();
    }
    Ok(())
}

fn status_message(status: &ffi::PyStatus) -> String {
    if status.err_msg.is_null() {
        return format!("initialisation failed (exit code {})", status.exitcode);
    }
    // SAFETY: a non-null err_msg is a static NUL-terminated string set by CPython.
    unsafe { CStr::from_ptr(status.err_msg) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venv_with(config: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        std::fs::write(dir.path().join("pyvenv.cfg"), config).unwrap();
        let python = dir.path().join("bin/python");
        (dir, python)
    }

    #[test]
    fn config_version_from_venv() {
        let (_dir, python) = venv_with("home = /usr/bin\nversion = 3.12.4\n");
        assert_eq!(venv_config_version(&python).as_deref(), Some("3.12"));
    }

    #[test]
    fn config_version_info_from_uv() {
        let (_dir, python) =
            venv_with("home = /usr/bin\nimplementation = CPython\nversion_info = 3.13.1\n");
        assert_eq!(venv_config_version(&python).as_deref(), Some("3.13"));
    }

    #[test]
    fn config_without_version_is_none() {
        let (_dir, python) = venv_with("home = /usr/bin\nversion = unknown\n");
        assert_eq!(venv_config_version(&python), None);
        assert_eq!(
            venv_config_version(Path::new("/nonexistent/bin/python")),
            None
        );
    }

    #[test]
    fn config_and_probe_agree_on_venv() {
        let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
        let from_config =
            venv_config_version(&python).expect("missing .venv/pyvenv.cfg, run `make venv`");
        assert_eq!(from_config, probe_version(&python).unwrap());
        assert_eq!(from_config, linked_version());
    }
}
