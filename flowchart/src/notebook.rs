//! Reads and rewrites marimo notebook files (`.py`) with tree-sitter, without Python.
//!
//! [`read_notebook`] finds the cells marimo 0.25 recognises: `@app.cell` functions (with their
//! decorator arguments), `@app.function`, `@app.class_definition`, `with app.setup:` and
//! `app._unparsable_cell(r"""...""")`. Each cell's code is stored the way marimo stores it:
//! the body dedented like `textwrap.dedent`, without the trailing `return` that the code
//! generator adds. [`NotebookCell::file_offset`] maps an offset in that code back to the file,
//! so diagnostics point at `FILE:LINE:COL`. [`write_notebook`] replaces cell bodies and keeps
//! every other byte of the file.

mod fix;
mod lint;
mod read;
mod write;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::span::Span;

pub use fix::{AppliedFix, FixedNotebook, fix_notebook};
pub use lint::{CheckOptions, NotebookDiagnostic, NotebookReport, check_notebook};
pub use read::read_notebook;
pub use write::{CellEdit, write_notebook};

/// What declares a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// `with app.setup:`.
    Setup,
    /// `@app.cell`.
    Cell,
    /// `@app.function`: a function other cells may import.
    Function,
    /// `@app.class_definition`.
    Class,
    /// `app._unparsable_cell(...)`: code marimo could not parse when it saved the file.
    Unparsable,
}

/// One cell of a notebook file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotebookCell {
    /// What declares it.
    pub kind: CellKind,
    /// The function or class name, `_` for anonymous cells, `setup` for the setup cell.
    pub name: String,
    /// Keyword arguments of the decorator or of `app.setup(...)`, as written
    /// (`("hide_code", "True")`). For an unparsable cell, its arguments after the code.
    pub options: Vec<(String, String)>,
    /// `async def`.
    pub is_async: bool,
    /// The code as marimo stores it: dedented, without the generated `return`, no trailing
    /// newline. For `@app.function` and `@app.class_definition` it is the whole definition.
    pub code: String,
    /// The whole cell in the file, decorators included.
    pub span: Span,
    /// 1-based line of the `def`, `class`, `with` or `app._unparsable_cell` in the file.
    pub line: usize,
    /// The lines of the file the code was read from, newline of the last one included.
    pub body_span: Span,
    /// Indentation removed from each line of the code.
    pub indent: String,
    /// For each line of `code`, the file offset where that line's text starts.
    line_offsets: Vec<usize>,
    /// `@app.cell` only: the parameter list `(a, b)`, parentheses included.
    pub parameters: Option<Span>,
    /// `@app.cell` only: the trailing `return ...` statement.
    pub return_statement: Option<Span>,
}

impl NotebookCell {
    /// Maps a byte offset in [`NotebookCell::code`] to a byte offset in the file.
    pub fn file_offset(&self, code_offset: usize) -> usize {
        let code_offset = code_offset.min(self.code.len());
        let line = self.code[..code_offset].matches('\n').count();
        let line_start = self.code[..code_offset]
            .rfind('\n')
            .map_or(0, |index| index + 1);
        match self.line_offsets.get(line) {
            Some(start) => start + (code_offset - line_start),
            None => self.body_span.start,
        }
    }

    /// Maps a span of [`NotebookCell::code`] to the file.
    pub fn file_span(&self, span: Span) -> Span {
        Span::new(self.file_offset(span.start), self.file_offset(span.end))
    }
}

/// A notebook file as [`read_notebook`] found it.
#[derive(Debug, Clone, Default)]
pub struct NotebookFile {
    /// The cells in file order, the setup cell included.
    pub cells: Vec<NotebookCell>,
    /// The name the `marimo.App(...)` object is assigned to, usually `app`.
    pub app_name: Option<String>,
    /// Problems with the file's structure (`N001` to `N003`), with spans in the file.
    pub diagnostics: Vec<Diagnostic>,
}

impl NotebookFile {
    /// The cells' code, in file order.
    pub fn codes(&self) -> Vec<&str> {
        self.cells.iter().map(|cell| cell.code.as_str()).collect()
    }
}
