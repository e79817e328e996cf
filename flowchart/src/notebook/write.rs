//! [`write_notebook`]: puts new code into cells and keeps the rest of the file byte for byte.

use std::collections::BTreeSet;

use super::{CellKind, NotebookFile};
use crate::pyscope::{self, Scope};
use crate::span::Span;

/// New code for one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellEdit {
    /// 0-based index into [`NotebookFile::cells`].
    pub cell: usize,
    /// The new code, dedented as in [`super::NotebookCell::code`].
    pub code: String,
}

/// Rewrites `text`, read as `notebook`, with the edited cells' new code.
///
/// An `@app.cell` also gets a new parameter list and `return` statement, computed from the
/// new code the way marimo's code generator writes them: the parameters are the names the
/// cell reads that other `@app.cell` cells define, the return lists the names it defines,
/// both sorted. An `app._unparsable_cell` whose new code has no syntax error becomes an
/// `@app.cell`. Edits for cells that do not exist are ignored, and of two edits for the same
/// cell the last wins.
pub fn write_notebook(text: &str, notebook: &NotebookFile, edits: &[CellEdit]) -> String {
    let mut codes: Vec<&str> = notebook.codes();
    let mut edited = vec![false; codes.len()];
    for edit in edits {
        if let Some(code) = codes.get_mut(edit.cell) {
            *code = edit.code.as_str();
            edited[edit.cell] = true;
        }
    }
    let scopes: Vec<Scope> = codes.iter().map(|code| pyscope::analyze(code)).collect();

    let mut replacements: Vec<(Span, String)> = Vec::new();
    for (index, cell) in notebook.cells.iter().enumerate() {
        if !edited[index] {
            continue;
        }
        let code = codes[index];
        let indent = match (cell.kind, cell.indent.as_str()) {
            (CellKind::Function | CellKind::Class, indent) => indent,
            (_, "") => "    ",
            (_, indent) => indent,
        };
        match cell.kind {
            CellKind::Cell => {
                replacements.push((cell.body_span, indent_lines(code, indent)));
                if let Some(parameters) = cell.parameters {
                    let names = parameters_of(index, notebook, &scopes);
                    replacements.push((parameters, format!("({})", names.join(", "))));
                }
                if let Some(statement) = cell.return_statement {
                    replacements.push((statement, return_statement(&scopes[index])));
                }
            }
            CellKind::Unparsable if crate::sanitize::syntax_issues(code).is_empty() => {
                let name = if crate::pytext::is_identifier(&cell.name) {
                    &cell.name
                } else {
                    "_"
                };
                let parameters = parameters_of(index, notebook, &scopes).join(", ");
                let mut cell_text = format!("@app.cell\ndef {name}({parameters}):\n");
                cell_text.push_str(&indent_lines(code, "    "));
                if ends_with_import(code) {
                    cell_text.push('\n');
                }
                cell_text.push_str("    ");
                cell_text.push_str(&return_statement(&scopes[index]));
                replacements.push((cell.span, cell_text));
            }
            CellKind::Setup | CellKind::Function | CellKind::Class | CellKind::Unparsable => {
                replacements.push((cell.body_span, indent_lines(code, indent)));
            }
        }
    }

    replacements.sort_by_key(|(span, _)| (span.start, span.end));
    let mut out = String::with_capacity(text.len());
    let mut position = 0;
    for (span, replacement) in replacements {
        if span.start < position || span.end > text.len() {
            continue;
        }
        out.push_str(&text[position..span.start]);
        out.push_str(&replacement);
        position = span.end;
    }
    out.push_str(&text[position..]);
    out
}

/// Indents each non-empty line and ends every line with a newline. Empty code gives "".
fn indent_lines(code: &str, indent: &str) -> String {
    let mut out = String::with_capacity(code.len() + 16);
    if code.is_empty() {
        return out;
    }
    for line in code.split('\n') {
        if !line.trim().is_empty() {
            out.push_str(indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The names cell `index` reads that another `@app.cell` cell defines, sorted.
fn parameters_of(index: usize, notebook: &NotebookFile, scopes: &[Scope]) -> Vec<String> {
    let defined_elsewhere: BTreeSet<&String> = notebook
        .cells
        .iter()
        .zip(scopes)
        .enumerate()
        .filter(|(other, (cell, _))| *other != index && cell.kind == CellKind::Cell)
        .flat_map(|(_, (_, scope))| scope.defs.iter())
        .collect();
    scopes[index]
        .refs
        .iter()
        .filter(|name| defined_elsewhere.contains(name))
        .cloned()
        .collect()
}

/// `return`, `return (x,)` or `return x, y`, as marimo's code generator writes them.
fn return_statement(scope: &Scope) -> String {
    let defs: Vec<&str> = scope.defs.iter().map(String::as_str).collect();
    match defs.as_slice() {
        [] => "return".to_owned(),
        [one] => format!("return ({one},)"),
        many => format!("return {}", many.join(", ")),
    }
}

fn ends_with_import(code: &str) -> bool {
    code.lines()
        .last()
        .is_some_and(|line| line.starts_with("import ") || line.starts_with("from "))
}
