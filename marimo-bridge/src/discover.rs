//! Finding the Python environment to embed: `--python` flag, `VIRTUAL_ENV`, `.venv`, `PATH`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::BridgeError;

/// The discovery step that found a Python environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvSource {
    /// The `--python` command-line flag.
    Flag,
    /// The `VIRTUAL_ENV` environment variable (an activated virtual environment).
    VirtualEnv,
    /// A `.venv` directory in the working directory or one of its parents.
    DotVenv,
    /// The `python3` found on `PATH`.
    Path,
}

/// A Python interpreter chosen by discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonEnv {
    /// The interpreter executable, for example `<venv>/bin/python`.
    pub executable: PathBuf,
    /// The discovery step that found it.
    pub source: EnvSource,
}

/// The environment variables discovery reads, so that tests can pass their own.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryVars {
    /// The value of `VIRTUAL_ENV`.
    pub virtual_env: Option<OsString>,
    /// The value of `PATH`.
    pub path: Option<OsString>,
}

impl DiscoveryVars {
    /// Reads `VIRTUAL_ENV` and `PATH` from the process environment.
    pub fn from_process() -> Self {
        Self {
            virtual_env: std::env::var_os("VIRTUAL_ENV"),
            path: std::env::var_os("PATH"),
        }
    }
}

/// Finds the Python environment to use, reading `VIRTUAL_ENV` and `PATH` from the process.
///
/// The order is: `flag` (an interpreter or a virtual environment directory), `VIRTUAL_ENV`,
/// a `.venv` directory in `cwd` or any parent, then `python3` on `PATH`. The first place that
/// is set decides: a flag or `VIRTUAL_ENV` that points nowhere is an error, not a fall-through.
pub fn discover_python(flag: Option<&Path>, cwd: &Path) -> Result<PythonEnv, BridgeError> {
    discover_python_with(flag, cwd, &DiscoveryVars::from_process())
}

/// Finds the Python environment like [`discover_python`], with the variables given in `vars`.
pub fn discover_python_with(
    flag: Option<&Path>,
    cwd: &Path,
    vars: &DiscoveryVars,
) -> Result<PythonEnv, BridgeError> {
    if let Some(flag) = flag {
        let flag = absolute(flag, cwd);
        let executable = if flag.is_dir() {
            venv_python(&flag)
        } else {
            Some(flag.clone())
        };
        return match executable.filter(|exe| exe.is_file()) {
            Some(executable) => Ok(PythonEnv {
                executable,
                source: EnvSource::Flag,
            }),
            None => Err(not_found(format!(
                "--python {} is neither a Python executable nor a virtual environment with \
                 bin/python",
                flag.display()
            ))),
        };
    }

    if let Some(venv) = vars.virtual_env.as_ref().filter(|v| !v.is_empty()) {
        let venv = absolute(Path::new(venv), cwd);
        return match venv_python(&venv) {
            Some(executable) => Ok(PythonEnv {
                executable,
                source: EnvSource::VirtualEnv,
            }),
            None => Err(not_found(format!(
                "VIRTUAL_ENV is {}, but it has no bin/python",
                venv.display()
            ))),
        };
    }

    for dir in absolute(cwd, cwd).ancestors() {
        let venv = dir.join(".venv");
        if venv.is_dir() {
            return match venv_python(&venv) {
                Some(executable) => Ok(PythonEnv {
                    executable,
                    source: EnvSource::DotVenv,
                }),
                None => Err(not_found(format!(
                    "found {}, but it has no bin/python",
                    venv.display()
                ))),
            };
        }
    }

    if let Some(executable) = vars
        .path
        .as_ref()
        .and_then(|path| find_on_path(path, "python3"))
    {
        return Ok(PythonEnv {
            executable,
            source: EnvSource::Path,
        });
    }

    Err(not_found(format!(
        "no --python flag, VIRTUAL_ENV is not set, no .venv in {} or its parents, and no \
         python3 on PATH",
        cwd.display()
    )))
}

fn not_found(reason: String) -> BridgeError {
    BridgeError::PythonNotFound { reason }
}

fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// Returns the interpreter inside a virtual environment directory, if there is one.
fn venv_python(venv: &Path) -> Option<PathBuf> {
    ["bin/python", "bin/python3", "Scripts/python.exe"]
        .iter()
        .map(|relative| venv.join(relative))
        .find(|candidate| candidate.is_file())
}

fn find_on_path(path: &OsString, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}
