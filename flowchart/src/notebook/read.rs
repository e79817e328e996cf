//! [`read_notebook`]: splits the file at the lines that start cells, then parses each part on
//! its own with tree-sitter, so a syntax error in one cell cannot hide the cells after it.
//! marimo falls back to a similar line scanner when `ast.parse` fails on the whole file.

use tree_sitter::Node;

use super::{CellKind, NotebookCell, NotebookFile};
use crate::diagnostic::Diagnostic;
use crate::pyscope::named_children;
use crate::pytext::parse_python;
use crate::span::Span;

/// A part of the file: the header, one cell, or the run guard.
struct Chunk<'a> {
    /// Byte offset of the part in the file.
    start: usize,
    /// 0-based row of its first line in the file.
    row: usize,
    text: &'a str,
}

/// Reads the cells of a marimo notebook. Never fails: what it cannot read becomes a
/// diagnostic in [`NotebookFile::diagnostics`].
pub fn read_notebook(text: &str) -> NotebookFile {
    let line_starts = line_starts(text);
    let app_name = find_app_name(text);
    let app = app_name.clone().unwrap_or_else(|| "app".to_owned());
    let mut notebook = NotebookFile {
        app_name,
        ..NotebookFile::default()
    };
    if notebook.app_name.is_none() {
        notebook.diagnostics.push(Diagnostic::error(
            "N001",
            Span::new(0, text.len().min(1)),
            "no `app = marimo.App(...)` found: this is not a marimo notebook",
        ));
    }

    let reader = Reader {
        text,
        app: &app,
        line_starts: &line_starts,
    };
    for chunk in chunks(text, &app, &line_starts) {
        reader.read_chunk(&chunk, &mut notebook);
    }
    notebook
}

struct Reader<'a> {
    text: &'a str,
    app: &'a str,
    line_starts: &'a [usize],
}

impl Reader<'_> {
    fn read_chunk(&self, chunk: &Chunk, notebook: &mut NotebookFile) {
        let Some(tree) = parse_python(chunk.text) else {
            return;
        };
        let mut found_cell = false;
        for node in named_children(tree.root_node()) {
            if node.kind() == "comment" {
                continue;
            }
            if !found_cell && let Some(cell) = self.cell(node, chunk) {
                notebook.cells.push(cell);
                found_cell = true;
                continue;
            }
            self.check_outside(node, chunk, notebook);
        }
    }

    /// Reports a top-level statement that is not part of a cell.
    fn check_outside(&self, node: Node, chunk: &Chunk, notebook: &mut NotebookFile) {
        let span = Span::new(node.start_byte(), node.end_byte()).shifted(chunk.start);
        if node.is_error() || node.has_error() {
            notebook.diagnostics.push(Diagnostic::error(
                "N003",
                span,
                "syntax error outside any cell",
            ));
            return;
        }
        let text = span.text(self.text);
        let allowed = match node.kind() {
            "import_statement" => text.starts_with("import marimo"),
            "expression_statement" => {
                let first = node.named_child(0);
                let is_docstring = first.is_some_and(|child| child.kind() == "string");
                is_docstring
                    || text.starts_with("__generated_with")
                    || text.starts_with(&format!("{} =", self.app))
                    || text.starts_with(&format!("{}=", self.app))
            }
            "if_statement" => text.starts_with("if __name__"),
            _ => false,
        };
        if !allowed {
            notebook.diagnostics.push(Diagnostic::warning(
                "N002",
                span,
                "code outside any cell: marimo does not run it",
            ));
        }
    }

    fn cell(&self, node: Node, chunk: &Chunk) -> Option<NotebookCell> {
        match node.kind() {
            "decorated_definition" => self.decorated_cell(node, chunk),
            "with_statement" => self.setup_cell(node, chunk),
            "expression_statement" => self.unparsable_cell(node, chunk),
            _ => None,
        }
    }

    fn decorated_cell(&self, node: Node, chunk: &Chunk) -> Option<NotebookCell> {
        let decorator = named_children(node).find(|child| child.kind() == "decorator")?;
        let expression = decorator.named_child(0)?;
        let (target, arguments) = split_call(expression);
        let kind = match chunk_text(target, chunk) {
            text if text == format!("{}.cell", self.app) => CellKind::Cell,
            text if text == format!("{}.function", self.app) => CellKind::Function,
            text if text == format!("{}.class_definition", self.app) => CellKind::Class,
            _ => return None,
        };
        let definition = node.child_by_field_name("definition")?;
        let name = definition
            .child_by_field_name("name")
            .map_or("_", |name| chunk_text(name, chunk))
            .to_owned();
        let is_async = definition
            .child(0)
            .is_some_and(|first| first.kind() == "async");
        let mut cell = NotebookCell {
            kind,
            name,
            options: arguments
                .map(|args| keyword_arguments(args, chunk))
                .unwrap_or_default(),
            is_async,
            code: String::new(),
            span: self.file_span(node, chunk),
            line: chunk.row + definition.start_position().row + 1,
            body_span: Span::default(),
            indent: String::new(),
            line_offsets: Vec::new(),
            parameters: None,
            return_statement: None,
        };

        if kind != CellKind::Cell {
            // The code is the definition itself, other decorators included.
            let first_row = chunk.row + decorator.end_position().row + 1;
            let last_row = chunk.row + node.end_position().row;
            self.fill_body(&mut cell, first_row, last_row, None);
            return Some(cell);
        }

        cell.parameters = definition
            .child_by_field_name("parameters")
            .map(|parameters| self.file_span(parameters, chunk));
        let body = definition.child_by_field_name("body");
        let colon = colon_before(definition, body);
        let header_row = chunk.row
            + colon.map_or(definition.start_position().row, |colon| {
                colon.end_position().row
            });
        let statements: Vec<Node> = body
            .map(|body| {
                named_children(body)
                    .filter(|child| child.kind() != "comment")
                    .collect()
            })
            .unwrap_or_default();
        let last_row = match (statements.last(), body) {
            (Some(last), _) if last.kind() == "return_statement" => {
                cell.return_statement = Some(self.file_span(*last, chunk));
                (chunk.row + last.start_position().row).checked_sub(1)
            }
            (_, Some(body)) => Some(chunk.row + body.end_position().row),
            _ => None,
        };
        let insert_at = cell
            .return_statement
            .map(|ret| self.line_start_of(ret.start));
        match (body, last_row) {
            (Some(body), _) if chunk.row + body.start_position().row == header_row => {
                // `def _(): x = 1` on one line.
                let span = self.file_span(body, chunk);
                cell.code = span.text(self.text).to_owned();
                cell.line_offsets = vec![span.start];
                cell.body_span = span;
            }
            (_, Some(last_row)) => self.fill_body(&mut cell, header_row + 1, last_row, insert_at),
            _ => self.fill_body(&mut cell, header_row + 1, header_row, insert_at),
        }
        Some(cell)
    }

    fn setup_cell(&self, node: Node, chunk: &Chunk) -> Option<NotebookCell> {
        let clause = named_children(node).find(|child| child.kind() == "with_clause")?;
        let item = named_children(clause).find(|child| child.kind() == "with_item")?;
        let value = item.child_by_field_name("value")?;
        let (target, arguments) = split_call(value);
        if chunk_text(target, chunk) != format!("{}.setup", self.app) {
            return None;
        }
        let body = node.child_by_field_name("body");
        let colon = colon_before(node, body)?;
        let header_row = chunk.row + colon.end_position().row;
        let mut cell = NotebookCell {
            kind: CellKind::Setup,
            name: "setup".to_owned(),
            options: arguments
                .map(|args| keyword_arguments(args, chunk))
                .unwrap_or_default(),
            is_async: false,
            code: String::new(),
            span: self.file_span(node, chunk),
            line: chunk.row + node.start_position().row + 1,
            body_span: Span::default(),
            indent: String::new(),
            line_offsets: Vec::new(),
            parameters: None,
            return_statement: None,
        };
        let last_row = chunk.row + node.end_position().row;
        self.fill_body(&mut cell, header_row + 1, last_row, None);
        Some(cell)
    }

    fn unparsable_cell(&self, node: Node, chunk: &Chunk) -> Option<NotebookCell> {
        let call = node.named_child(0).filter(|child| child.kind() == "call")?;
        let function = call.child_by_field_name("function")?;
        if chunk_text(function, chunk) != format!("{}._unparsable_cell", self.app) {
            return None;
        }
        let arguments = call.child_by_field_name("arguments")?;
        let string = named_children(arguments).find(|child| child.kind() == "string")?;
        let options = keyword_arguments(arguments, chunk);
        let name = options
            .iter()
            .find(|(key, _)| key == "name")
            .map(|(_, value)| value.trim_matches(['"', '\'']).to_owned())
            .unwrap_or_else(|| "_".to_owned());
        let mut cell = NotebookCell {
            kind: CellKind::Unparsable,
            name,
            options,
            is_async: false,
            code: String::new(),
            span: self.file_span(node, chunk),
            line: chunk.row + node.start_position().row + 1,
            body_span: Span::default(),
            indent: String::new(),
            line_offsets: Vec::new(),
            parameters: None,
            return_statement: None,
        };
        let content = named_children(string).find(|child| child.kind() == "string_content");
        let (first_row, last_row) = (string.start_position().row, string.end_position().row);
        match content {
            Some(content) if first_row == last_row => {
                let span = self.file_span(content, chunk);
                cell.code = span.text(self.text).to_owned();
                cell.line_offsets = vec![span.start];
                cell.body_span = span;
            }
            _ if first_row == last_row => {}
            // NOTE: escapes in a string that is not raw are kept as written, not decoded.
            _ => {
                // The code sits on the lines between the quotes, indented by the generator.
                self.fill_body(
                    &mut cell,
                    chunk.row + first_row + 1,
                    chunk.row + last_row - 1,
                    None,
                );
            }
        }
        Some(cell)
    }

    /// Takes rows `first_row..=last_row` of the file as the cell's code: blank lines at either
    /// end dropped, the common indentation removed. An empty range leaves an empty body at
    /// `insert_at` (or at the start of `first_row`).
    fn fill_body(
        &self,
        cell: &mut NotebookCell,
        first_row: usize,
        last_row: usize,
        insert_at: Option<usize>,
    ) {
        let rows: Vec<usize> = (first_row..=last_row)
            .filter(|row| *row < self.line_starts.len())
            .collect();
        let is_blank = |row: &usize| self.line(*row).trim().is_empty();
        let first = rows.iter().position(|row| !is_blank(row));
        let last = rows.iter().rposition(|row| !is_blank(row));
        let (Some(first), Some(last)) = (first, last) else {
            let at = insert_at.unwrap_or_else(|| self.row_start(first_row));
            cell.body_span = Span::new(at, at);
            return;
        };
        let rows = &rows[first..=last];
        let indent = common_indent(rows.iter().map(|row| self.line(*row)));
        let mut code = String::new();
        for (index, row) in rows.iter().enumerate() {
            let line = self.line(*row);
            let removed = if line.trim().is_empty() {
                line.len()
            } else {
                indent.len()
            };
            cell.line_offsets
                .push(self.row_start(*row) + removed.min(line.len()));
            if index > 0 {
                code.push('\n');
            }
            code.push_str(line.get(removed..).unwrap_or(""));
        }
        let end = self.row_start(rows[rows.len() - 1] + 1);
        cell.body_span = Span::new(self.row_start(rows[0]), end);
        cell.indent = indent.to_owned();
        cell.code = code;
    }

    /// The text of a row, without its line ending.
    fn line(&self, row: usize) -> &str {
        let start = self.row_start(row);
        let end = self.row_start(row + 1);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    fn row_start(&self, row: usize) -> usize {
        self.line_starts
            .get(row)
            .copied()
            .unwrap_or(self.text.len())
    }

    fn line_start_of(&self, offset: usize) -> usize {
        let row = self
            .line_starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1);
        self.row_start(row)
    }

    fn file_span(&self, node: Node, chunk: &Chunk) -> Span {
        Span::new(node.start_byte(), node.end_byte()).shifted(chunk.start)
    }
}

/// Splits `name(args)` into `name` and the argument list; anything else has no arguments.
fn split_call(expression: Node) -> (Node, Option<Node>) {
    if expression.kind() == "call"
        && let Some(function) = expression.child_by_field_name("function")
    {
        return (function, expression.child_by_field_name("arguments"));
    }
    (expression, None)
}

fn keyword_arguments(arguments: Node, chunk: &Chunk) -> Vec<(String, String)> {
    named_children(arguments)
        .filter(|child| child.kind() == "keyword_argument")
        .filter_map(|argument| {
            let name = argument.child_by_field_name("name")?;
            let value = argument.child_by_field_name("value")?;
            Some((
                chunk_text(name, chunk).to_owned(),
                chunk_text(value, chunk).to_owned(),
            ))
        })
        .collect()
}

fn chunk_text<'a>(node: Node, chunk: &Chunk<'a>) -> &'a str {
    chunk
        .text
        .get(node.start_byte()..node.end_byte())
        .unwrap_or("")
}

fn colon_before<'t>(owner: Node<'t>, body: Option<Node<'t>>) -> Option<Node<'t>> {
    let limit = body.map_or(usize::MAX, |body| body.start_byte());
    let mut cursor = owner.walk();
    owner
        .children(&mut cursor)
        .filter(|child| child.kind() == ":" && child.end_byte() <= limit)
        .last()
}

/// The longest run of leading whitespace that every non-blank line starts with.
fn common_indent<'a>(lines: impl Iterator<Item = &'a str>) -> &'a str {
    let mut common: Option<&str> = None;
    for line in lines.filter(|line| !line.trim().is_empty()) {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        common = Some(match common {
            None => indent,
            Some(current) => {
                let shared = current
                    .bytes()
                    .zip(indent.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                &current[..shared]
            }
        });
    }
    common.unwrap_or("")
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
    starts
}

/// Finds `NAME = marimo.App(...)` at the start of a line.
fn find_app_name(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        let name = name.trim_end();
        let is_name = !name.is_empty()
            && !name.starts_with(|c: char| c.is_whitespace() || c.is_ascii_digit())
            && name.chars().all(|c| c == '_' || c.is_alphanumeric());
        let value = value.trim_start();
        let is_app = value.starts_with("marimo.App(") || value.starts_with("mo.App(");
        (is_name && is_app).then(|| name.to_owned())
    })
}

/// Splits the file before each line that starts a cell or the run guard, at column 0.
// NOTE: a top-level string whose lines start with `@app.cell` at column 0 would be split
// too. marimo's code generator indents cell code, so only hand-written files can do this.
fn chunks<'a>(text: &'a str, app: &str, line_starts: &[usize]) -> Vec<Chunk<'a>> {
    let markers = [
        format!("@{app}.cell"),
        format!("@{app}.function"),
        format!("@{app}.class_definition"),
        format!("with {app}.setup"),
        format!("{app}._unparsable_cell"),
        "if __name__".to_owned(),
    ];
    let mut starts = vec![(0, 0)];
    for (row, start) in line_starts.iter().enumerate() {
        let line = &text[*start..];
        let is_marker = markers.iter().any(|marker| {
            line.starts_with(marker.as_str())
                && line[marker.len()..].starts_with(|c: char| !(c == '_' || c.is_alphanumeric()))
        });
        if is_marker && *start > 0 {
            starts.push((row, *start));
        }
    }
    starts
        .iter()
        .enumerate()
        .map(|(index, (row, start))| {
            let end = starts.get(index + 1).map_or(text.len(), |(_, next)| *next);
            Chunk {
                start: *start,
                row: *row,
                text: &text[*start..end],
            }
        })
        .collect()
}
