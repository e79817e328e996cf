//! `hexa kernel install`: writes the kernelspec that Jupyter clients start the kernel from.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::KernelError;

/// Where to install the kernelspec.
#[derive(Debug, Clone)]
pub enum InstallLocation {
    /// The user's Jupyter data directory (`$JUPYTER_DATA_DIR` or `~/.local/share/jupyter`).
    User,
    /// `share/jupyter` of the active Python environment (`sys.prefix`).
    SysPrefix(PathBuf),
    /// `share/jupyter` under this prefix.
    Prefix(PathBuf),
}

/// Writes `kernels/<name>/kernel.json` and the logos; returns the kernelspec directory.
///
/// `executable` is the `hexa` binary the spec starts, and `python` the environment it passes
/// with `--python`, if any.
pub fn install(
    location: &InstallLocation,
    name: &str,
    executable: &Path,
    python: Option<&Path>,
) -> Result<PathBuf, KernelError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(KernelError::Install(format!(
            "invalid kernel name `{name}`: use letters, digits, `.`, `_` and `-`"
        )));
    }
    let data_dir = match location {
        InstallLocation::User => user_data_dir()?,
        InstallLocation::SysPrefix(prefix) | InstallLocation::Prefix(prefix) => {
            prefix.join("share").join("jupyter")
        }
    };
    let dir = data_dir.join("kernels").join(name);
    std::fs::create_dir_all(&dir)
        .map_err(|e| KernelError::Install(format!("cannot create {}: {e}", dir.display())))?;

    let mut argv = vec![executable.display().to_string()];
    if let Some(python) = python {
        argv.extend(["--python".to_string(), python.display().to_string()]);
    }
    argv.extend(["kernel", "--connection-file", "{connection_file}"].map(String::from));
    let spec = json!({
        "argv": argv,
        "display_name": if name == "hexa" { "hexa (Python + flowcharts)".to_string() } else { name.to_string() },
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {"debugger": false},
    });
    let text = serde_json::to_string_pretty(&spec).unwrap_or_default();
    write(&dir.join("kernel.json"), text.as_bytes())?;
    write(&dir.join("logo-svg.svg"), LOGO_SVG.as_bytes())?;
    Ok(dir)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), KernelError> {
    std::fs::write(path, bytes)
        .map_err(|e| KernelError::Install(format!("cannot write {}: {e}", path.display())))
}

fn user_data_dir() -> Result<PathBuf, KernelError> {
    if let Some(dir) = std::env::var_os("JUPYTER_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME")
        .ok_or_else(|| KernelError::Install("HOME is not set; use --prefix".to_string()))?;
    Ok(PathBuf::from(home).join(".local/share/jupyter"))
}

const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><polygon points="32,4 56,18 56,46 32,60 8,46 8,18" fill="#3b6ea5"/><text x="32" y="41" font-family="sans-serif" font-size="24" fill="#fff" text-anchor="middle">hx</text></svg>
"##;
