//! Exporting a notebook with marimo's exporters: ipynb, Markdown and flat script in-process,
//! HTML through a `marimo export html` child process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pyo3::intern;
use pyo3::prelude::*;

use crate::BridgeError;
use crate::runner::{Runner, python_error};

/// A format `hexa export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// A standalone HTML page with the outputs of a full run, made by a `marimo export html`
    /// child process.
    Html,
    /// A Jupyter notebook (nbformat 4) without outputs.
    Ipynb,
    /// marimo's Markdown notebook format, with cells as ```` ```python {.marimo} ```` fences.
    Markdown,
    /// A flat Python script with the cells in dependency order.
    Script,
}

impl ExportFormat {
    /// Returns the name marimo's `export` subcommand and `hexa export --to` use.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Ipynb => "ipynb",
            ExportFormat::Markdown => "md",
            ExportFormat::Script => "script",
        }
    }

    /// Returns the usual file suffix of the format, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Html => "html",
            ExportFormat::Ipynb => "ipynb",
            ExportFormat::Markdown => "md",
            ExportFormat::Script => "script.py",
        }
    }
}

/// Converts `source` in the embedded interpreter; HTML is not handled here.
pub(crate) fn convert(
    py: Python<'_>,
    runner: &Runner,
    source: &str,
    filename: &Path,
    format: ExportFormat,
) -> Result<String, BridgeError> {
    let result = runner.module(py).call_method1(
        intern!(py, "export"),
        (source, filename.to_string_lossy(), format.name()),
    );
    match result {
        Ok(text) => text.extract().map_err(|e| python_error(py, &e)),
        Err(err) => {
            let missing = runner
                .module(py)
                .getattr("MissingPackageError")
                .is_ok_and(|class| err.value(py).is_instance(&class).unwrap_or(false));
            if missing {
                let package: String = err
                    .value(py)
                    .getattr("package")
                    .and_then(|p| p.extract())
                    .unwrap_or_else(|_| "nbformat".to_string());
                return Err(BridgeError::MissingPackage { package });
            }
            Err(runner.map_error(py, &err, filename))
        }
    }
}

/// Runs `marimo export html` on the notebook file and returns the page it prints.
///
/// HTML needs the notebook's outputs, and marimo produces them only through a session whose
/// kernel is a separate process started with `sys.executable`. In the embedded interpreter
/// that is the hexa binary, so the export runs as a child process of the environment's
/// `marimo` command instead.
pub(crate) fn export_html(python: &Path, notebook: &Path) -> Result<String, BridgeError> {
    let marimo = marimo_executable(python)?;
    let failed = |message: String| BridgeError::Export {
        notebook: notebook.to_path_buf(),
        message,
    };
    if !notebook.is_file() {
        return Err(failed(
            "HTML export runs the notebook file, but it does not exist".to_string(),
        ));
    }
    let dir = match notebook.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    tracing::debug!(marimo = %marimo.display(), notebook = %notebook.display(), "exporting html");
    // `-y` answers marimo's prompts, `--no-sandbox` keeps it in this environment.
    let output = Command::new(&marimo)
        .args(["-y", "export", "html", "--no-sandbox"])
        .arg(notebook)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| failed(format!("failed to start {}: {e}", marimo.display())))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(failed(format!(
            "marimo export html exited with {}: {}",
            output.status,
            last_lines(&stderr, 20)
        )));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| failed("marimo export html printed invalid UTF-8".to_string()))
}

/// Returns the `marimo` command installed beside `python` in the same environment.
pub fn marimo_executable(python: &Path) -> Result<PathBuf, BridgeError> {
    let candidate = python.with_file_name("marimo");
    if candidate.is_file() {
        Ok(candidate)
    } else {
        Err(BridgeError::Marimo {
            executable: python.to_path_buf(),
            problem: format!("the marimo command is missing ({})", candidate.display()),
            install_command: crate::marimo_install_command(python),
        })
    }
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}
