//! Requests and results of the bridge's notebook calls.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The interpreter the bridge embeds and the marimo it imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonInfo {
    /// `sys.executable` inside the embedded interpreter (the environment's python).
    pub executable: PathBuf,
    /// The full Python version, for example `3.11.7`.
    pub python_version: String,
    /// `marimo.__version__`.
    pub marimo_version: String,
    /// The environment's site-packages directories (`site.getsitepackages()`).
    pub site_packages: Vec<PathBuf>,
}

/// Callback invoked on the Python thread as each cell finishes.
pub type CellCallback = Box<dyn FnMut(&CellResult) + Send>;

/// A notebook to run.
#[derive(Default)]
pub struct RunRequest {
    /// The notebook's `.py` source text.
    pub source: String,
    /// The notebook's file name; it must end in `.py` but need not exist. marimo uses it for
    /// `__file__` and in messages.
    pub filename: PathBuf,
    /// Input values as `(name, raw text)` pairs, as given with `--set name=text`.
    ///
    /// The text is read as a Python literal when `ast.literal_eval` accepts it (`5`, `2.5`,
    /// `[1, 2]`, `"a b"`) and kept as a string otherwise. When the cell defining `name` assigns
    /// it from a `ui` call (`mo.ui.number(...)`), the cell runs and the widget's value is then
    /// set as if typed in the browser. `mo.ui.number` and `slider` need a number within the
    /// widget's range. `mo.ui.text` and `text_area` get the unquoted string, or else the raw
    /// text (so `[1, 2]` stays `"[1, 2]"`). Other widgets get the literal as their frontend value.
    /// Any other definition is overridden like marimo's `App.run(defs=...)`: the defining cell
    /// is pruned, so it must define nothing else.
    pub inputs: Vec<(String, String)>,
    /// Called with each cell's result as soon as the cell finishes, so output can be streamed.
    pub on_cell: Option<CellCallback>,
    /// Maximum wall-clock time for the run, counted from when the Python thread starts it.
    pub timeout: Option<Duration>,
}

impl fmt::Debug for RunRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunRequest")
            .field("filename", &self.filename)
            .field("source_len", &self.source.len())
            .field("inputs", &self.inputs)
            .field("on_cell", &self.on_cell.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The results of a run, one per cell that was scheduled, in execution order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunReport {
    /// Per-cell results. Cells pruned by an input override and disabled cells are absent.
    pub cells: Vec<CellResult>,
}

impl RunReport {
    /// Returns the result of the cell with the given id.
    pub fn cell(&self, cell_id: &str) -> Option<&CellResult> {
        self.cells.iter().find(|cell| cell.cell_id == cell_id)
    }

    /// Tells whether any cell failed.
    pub fn has_errors(&self) -> bool {
        self.cells
            .iter()
            .any(|cell| cell.status == CellStatus::Error)
    }
}

/// Outcome of a cell's run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellStatus {
    /// The cell ran to the end (this includes a cell that called `mo.stop`).
    Ok,
    /// The cell raised an exception, or was interrupted or timed out.
    Error,
    /// The cell did not run because an ancestor failed or the run was stopped.
    Cancelled,
}

/// One cell's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CellResult {
    /// marimo's cell id (`setup` for the setup cell, otherwise ids like `Hbol`).
    pub cell_id: String,
    /// The cell's function name (`_` for anonymous cells).
    pub name: String,
    /// 0-based position of the cell in the file (the setup cell counts).
    pub index: usize,
    /// 1-based line of the cell's `def` (or `with app.setup:`) in the file.
    pub def_line: usize,
    /// Outcome of the cell's run.
    pub status: CellStatus,
    /// Text the cell wrote to `sys.stdout`.
    pub stdout: String,
    /// Text the cell wrote to `sys.stderr`.
    pub stderr: String,
    /// The cell's visual output (its last expression), if it has one.
    pub output: Option<Output>,
    /// The exception, when the status is [`CellStatus::Error`].
    pub error: Option<CellError>,
    /// Wall-clock time the cell took (zero for cancelled cells).
    pub elapsed: Duration,
}

/// A cell's visual output, formatted by marimo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The MIME type marimo chose, for example `text/html` or `text/markdown`.
    pub mime: String,
    /// The formatted data in that MIME type.
    pub data: String,
    /// A plain-text form: `repr()` of plain Python values, the source of `mo.md`, none for
    /// other HTML such as widgets.
    pub text: Option<String>,
}

/// The exception a cell raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The exception's class name, for example `ZeroDivisionError` (or `TimeoutError` when the
    /// bridge interrupted the cell on timeout).
    pub ename: String,
    /// The exception's message.
    pub evalue: String,
    /// The formatted traceback, starting at the cell's own frame.
    pub traceback: String,
    /// 1-based line within the cell body of the innermost frame in the cell's code.
    pub line_in_cell: Option<usize>,
}

/// Severity of a marimo lint diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The notebook cannot run (MB codes).
    Breaking,
    /// The notebook runs but may behave unexpectedly (MR codes).
    Runtime,
    /// Style and file-format problems (MF codes).
    Formatting,
    /// Problems only under WebAssembly (MW codes).
    Wasm,
}

/// One diagnostic from marimo's lint rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarimoDiagnostic {
    /// The rule code, for example `MB002`.
    pub code: String,
    /// The rule name, for example `multiple-definitions`.
    pub name: String,
    /// Severity of the problem.
    pub severity: Severity,
    /// 1-based line in the file; `None` for diagnostics about the whole file.
    pub line: Option<usize>,
    /// 1-based column in the file; `None` when the line is `None`.
    pub column: Option<usize>,
    /// marimo's message.
    pub message: String,
    /// Whether `marimo check --fix` fixes it without `--unsafe-fixes`.
    pub fixable: bool,
}
