//! The Python side of the bridge: loading `hexa_runner.py` and converting what it returns.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyModule, PyTuple};

use crate::BridgeError;
use crate::control::{AbortReason, JobControl};
use crate::model::{
    CellCallback, CellError, CellResult, CellStatus, MarimoDiagnostic, Output, PythonInfo, Severity,
};

/// Source of the Python module that runs and lints notebooks.
const RUNNER_SOURCE: &str = include_str!("../python/hexa_runner.py");

/// The loaded runner module, which keeps its marimo imports cached for the process.
pub(crate) struct Runner {
    module: Py<PyModule>,
}

/// One cell record as `hexa_runner.py` builds it; every key is always present.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct CellRecord {
    cell_id: String,
    name: String,
    index: i64,
    def_line: i64,
    status: String,
    stdout: String,
    stderr: String,
    elapsed: f64,
    mime: Option<String>,
    data: Option<String>,
    text: Option<String>,
    ename: Option<String>,
    evalue: Option<String>,
    traceback: Option<String>,
    line_in_cell: Option<i64>,
}

/// The cells collected during a run and the caller's streaming callback.
pub(crate) struct Collector {
    pub(crate) cells: Vec<CellResult>,
    on_cell: Option<CellCallback>,
    control: Arc<JobControl>,
}

impl Collector {
    pub(crate) fn new(on_cell: Option<CellCallback>, control: Arc<JobControl>) -> Self {
        Self {
            cells: Vec::new(),
            on_cell,
            control,
        }
    }

    fn push(&mut self, mut cell: CellResult) {
        if let Some(error) = cell
            .error
            .as_mut()
            .filter(|e| e.ename == "KeyboardInterrupt")
        {
            self.control.mark_delivered();
            describe_abort(error, self.control.reason());
        }
        if let Some(on_cell) = self.on_cell.as_mut() {
            on_cell(&cell);
        }
        self.cells.push(cell);
    }
}

/// Rewrites the KeyboardInterrupt the bridge sent so that it names the reason the cell stopped.
fn describe_abort(error: &mut CellError, reason: Option<AbortReason>) {
    match reason {
        Some(AbortReason::Timeout(timeout)) => {
            error.ename = "TimeoutError".to_string();
            error.evalue = format!(
                "the run exceeded its timeout of {} ms, so this cell was interrupted",
                timeout.as_millis()
            );
        }
        Some(AbortReason::Interrupt) => {
            error.evalue = "the run was interrupted".to_string();
        }
        None => {}
    }
}

impl Runner {
    /// Loads `hexa_runner.py` as the module `hexa_runner`; this imports marimo's internals.
    pub(crate) fn load(py: Python<'_>) -> Result<Self, BridgeError> {
        let code = CString::new(RUNNER_SOURCE).expect("hexa_runner.py contains no NUL byte");
        let module = PyModule::from_code(py, &code, c"hexa_runner.py", c"hexa_runner")
            .map_err(|e| python_error(py, &e))?;
        Ok(Self {
            module: module.unbind(),
        })
    }

    /// Returns the loaded `hexa_runner` module.
    pub(crate) fn module<'py>(&self, py: Python<'py>) -> &Bound<'py, PyModule> {
        self.module.bind(py)
    }

    pub(crate) fn info(&self, py: Python<'_>) -> Result<PythonInfo, BridgeError> {
        let call = || -> PyResult<PythonInfo> {
            let info = self.module.bind(py).call_method0(intern!(py, "info"))?;
            Ok(PythonInfo {
                executable: info.get_item("executable")?.extract()?,
                python_version: info.get_item("python_version")?.extract()?,
                marimo_version: info.get_item("marimo_version")?.extract()?,
                site_packages: info.get_item("site_packages")?.extract::<Vec<PathBuf>>()?,
            })
        };
        call().map_err(|e| python_error(py, &e))
    }

    /// Runs a notebook, passing each finished cell to `collector`.
    pub(crate) fn run(
        &self,
        py: Python<'_>,
        source: &str,
        filename: &Path,
        inputs: &[(String, String)],
        collector: Arc<Mutex<Collector>>,
    ) -> Result<(), BridgeError> {
        let sink = Arc::clone(&collector);
        let on_cell = PyCFunction::new_closure(
            py,
            Some(c"on_cell"),
            None,
            move |args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>| {
                let cell = cell_from_record(&args.get_item(0)?)?;
                sink.lock()
                    .unwrap_or_else(|poison| poison.into_inner())
                    .push(cell);
                PyResult::Ok(())
            },
        )
        .map_err(|e| python_error(py, &e))?;

        let result = self.module.bind(py).call_method1(
            intern!(py, "run"),
            (source, filename.to_string_lossy(), inputs.to_vec(), on_cell),
        );
        match result {
            Ok(_) => Ok(()),
            Err(err) => {
                let control = &collector.lock().unwrap_or_else(|p| p.into_inner()).control;
                if err.is_instance_of::<PyKeyboardInterrupt>(py) && control.reason().is_some() {
                    // The interrupt landed before any cell started; the report keeps what ran.
                    tracing::debug!("run interrupted outside a cell");
                    return Ok(());
                }
                Err(self.map_error(py, &err, filename))
            }
        }
    }

    pub(crate) fn check(
        &self,
        py: Python<'_>,
        source: &str,
        filename: &Path,
    ) -> Result<Vec<MarimoDiagnostic>, BridgeError> {
        let module = self.module.bind(py);
        let rows = module
            .call_method1(intern!(py, "check"), (source, filename.to_string_lossy()))
            .map_err(|e| self.map_error(py, &e, filename))?;
        type Row = (
            String,
            String,
            String,
            Option<usize>,
            Option<usize>,
            String,
            bool,
        );
        let rows: Vec<Row> = rows.extract().map_err(|e| python_error(py, &e))?;
        Ok(rows
            .into_iter()
            .map(
                |(code, name, severity, line, column, message, fixable)| MarimoDiagnostic {
                    code,
                    name,
                    severity: parse_severity(&severity),
                    line,
                    column,
                    message,
                    fixable,
                },
            )
            .collect())
    }

    /// Turns the runner's own exception classes into the matching bridge errors.
    pub(crate) fn map_error(&self, py: Python<'_>, err: &PyErr, filename: &Path) -> BridgeError {
        let module = self.module.bind(py);
        let is = |class: &str| {
            module
                .getattr(class)
                .is_ok_and(|class| err.value(py).is_instance(&class).unwrap_or(false))
        };
        let value = err.value(py);
        let text = |attr: &str| -> String {
            value
                .getattr(attr)
                .and_then(|v| v.extract())
                .unwrap_or_default()
        };
        if is("NotebookError") {
            BridgeError::Notebook {
                filename: filename.to_path_buf(),
                message: value.to_string(),
            }
        } else if is("UnknownInputError") {
            let available: Vec<String> = value
                .getattr("available")
                .and_then(|v| v.extract())
                .unwrap_or_default();
            BridgeError::UnknownInput {
                name: text("name"),
                available,
            }
        } else if is("InvalidInputError") {
            BridgeError::InvalidInput {
                name: text("name"),
                message: text("message"),
            }
        } else {
            python_error(py, err)
        }
    }
}

fn parse_severity(severity: &str) -> Severity {
    match severity {
        "breaking" => Severity::Breaking,
        "runtime" => Severity::Runtime,
        "wasm" => Severity::Wasm,
        _ => Severity::Formatting,
    }
}

fn cell_from_record(record: &Bound<'_, PyAny>) -> PyResult<CellResult> {
    let raw: CellRecord = record.extract()?;
    let status = match raw.status.as_str() {
        "ok" => CellStatus::Ok,
        "error" => CellStatus::Error,
        _ => CellStatus::Cancelled,
    };
    let output = match (raw.mime, raw.data) {
        (Some(mime), Some(data)) => Some(Output {
            mime,
            data,
            text: raw.text,
        }),
        _ => None,
    };
    let error = raw.ename.map(|ename| CellError {
        ename,
        evalue: raw.evalue.unwrap_or_default(),
        traceback: raw.traceback.unwrap_or_default(),
        line_in_cell: raw.line_in_cell.and_then(|line| usize::try_from(line).ok()),
    });
    Ok(CellResult {
        cell_id: raw.cell_id,
        name: raw.name,
        index: usize::try_from(raw.index).unwrap_or_default(),
        def_line: usize::try_from(raw.def_line).unwrap_or_default(),
        status,
        stdout: raw.stdout,
        stderr: raw.stderr,
        output,
        error,
        elapsed: Duration::try_from_secs_f64(raw.elapsed).unwrap_or_default(),
    })
}

/// Converts a Python exception into [`BridgeError::Python`], keeping its traceback.
pub(crate) fn python_error(py: Python<'_>, err: &PyErr) -> BridgeError {
    let traceback = err
        .traceback(py)
        .and_then(|tb| tb.format().ok())
        .unwrap_or_default();
    BridgeError::Python {
        message: err.to_string(),
        traceback,
    }
}
