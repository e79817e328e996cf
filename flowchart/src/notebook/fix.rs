//! [`fix_notebook`]: the fixes `hexa check --fix` applies. Each is safe, meaning the notebook
//! computes the same values afterwards:
//!
//! - the cleanups of [`crate::sanitize::sanitize_cell`] (`C` codes);
//! - an import repeated word for word in several cells is kept in the first cell and deleted
//!   from the others, unless that would create a cycle;
//! - a name defined in several cells that no cell reads from another cell (a loop variable,
//!   a `with ... as f` target, a temporary) is renamed to `_name` in each, which makes it
//!   private to its cell.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use tree_sitter::Node;

use super::{CellEdit, CellKind, NotebookFile, read_notebook, write_notebook};
use crate::pyscope::{self, Scope, named_children};
use crate::pytext::parse_python;
use crate::sanitize;
use crate::span::Span;

/// One fix that was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedFix {
    /// 0-based index into the cells of the file before the fix.
    pub cell: usize,
    /// The place in the file before the fix.
    pub span: Span,
    /// The code of the diagnostic the fix resolves.
    pub code: &'static str,
    /// What was done, lower-case, without a trailing period.
    pub message: String,
}

/// The fixed file and the fixes applied to it.
#[derive(Debug, Clone)]
pub struct FixedNotebook {
    /// The new file. Equal to the input when `fixes` is empty.
    pub text: String,
    /// Fixes in the order they were applied.
    pub fixes: Vec<AppliedFix>,
}

/// Applies the safe fixes to a notebook file.
pub fn fix_notebook(text: &str) -> FixedNotebook {
    let notebook = read_notebook(text);
    if notebook.app_name.is_none() {
        return FixedNotebook {
            text: text.to_owned(),
            fixes: Vec::new(),
        };
    }
    let mut fixer = Fixer {
        notebook: &notebook,
        codes: notebook
            .cells
            .iter()
            .map(|cell| cell.code.clone())
            .collect(),
        fixes: Vec::new(),
    };
    fixer.sanitize();
    fixer.merge_imports();
    fixer.make_private();
    let restored = fixer.restore_unparsable();

    let edits: Vec<CellEdit> = fixer
        .codes
        .iter()
        .enumerate()
        .filter(|(index, code)| **code != notebook.cells[*index].code || restored.contains(index))
        .map(|(cell, code)| CellEdit {
            cell,
            code: code.clone(),
        })
        .collect();
    let fixed = match edits.is_empty() {
        true => text.to_owned(),
        false => write_notebook(text, &notebook, &edits),
    };
    FixedNotebook {
        text: fixed,
        fixes: fixer.fixes,
    }
}

struct Fixer<'a> {
    notebook: &'a NotebookFile,
    codes: Vec<String>,
    fixes: Vec<AppliedFix>,
}

impl Fixer<'_> {
    fn record(&mut self, cell: usize, span: Span, code: &'static str, message: String) {
        let span = self.notebook.cells[cell].file_span(span);
        self.fixes.push(AppliedFix {
            cell,
            span,
            code,
            message,
        });
    }

    fn sanitize(&mut self) {
        for index in 0..self.codes.len() {
            let sanitized = sanitize::sanitize_cell(&self.codes[index]);
            for change in &sanitized.changes {
                self.record(
                    index,
                    change.span,
                    change.kind.code(),
                    change.message.clone(),
                );
            }
            self.codes[index] = sanitized.code;
        }
    }

    /// Each cell's names and whether it compiles, with the current edits.
    fn graph(&self) -> (Vec<Scope>, Vec<bool>) {
        let mut scopes = Vec::with_capacity(self.codes.len());
        let mut compiles = Vec::with_capacity(self.codes.len());
        for code in &self.codes {
            // An unparsable cell whose code now parses becomes an `@app.cell` when written.
            let in_graph = sanitize::syntax_issues(code).is_empty();
            compiles.push(in_graph);
            scopes.push(if in_graph {
                pyscope::analyze(code)
            } else {
                Scope::default()
            });
        }
        (scopes, compiles)
    }

    fn cycle_count(&self) -> usize {
        let codes: Vec<&str> = self.codes.iter().map(String::as_str).collect();
        crate::validate::validate_cells(&codes)
            .iter()
            .filter(|issue| issue.code == "P003")
            .count()
    }

    /// Names that more than one cell in the graph defines, with those cells in file order.
    fn duplicates(&self) -> (BTreeMap<String, Vec<usize>>, Vec<Scope>) {
        let (scopes, compiles) = self.graph();
        let mut definers: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (cell, scope) in scopes
            .iter()
            .enumerate()
            .filter(|(cell, _)| compiles[*cell])
        {
            for name in &scope.defs {
                definers.entry(name.clone()).or_default().push(cell);
            }
        }
        definers.retain(|_, cells| cells.len() > 1);
        (definers, scopes)
    }

    /// Finds the `app._unparsable_cell`s whose code now parses, which [`write_notebook`] turns
    /// into `@app.cell`s.
    fn restore_unparsable(&mut self) -> Vec<usize> {
        let mut restored = Vec::new();
        for (index, cell) in self.notebook.cells.iter().enumerate() {
            if cell.kind == CellKind::Unparsable
                && sanitize::syntax_issues(&self.codes[index]).is_empty()
            {
                let span = Span::new(0, self.codes[index].len().min(1));
                let message = "turned the unparsable cell, whose code parses, into an `@app.cell`";
                self.record(index, span, "N004", message.to_owned());
                restored.push(index);
            }
        }
        restored
    }

    fn merge_imports(&mut self) {
        let (duplicates, _) = self.duplicates();
        for (name, definers) in duplicates {
            let imports: Vec<Vec<Import>> = definers
                .iter()
                .map(|cell| top_level_imports(&self.codes[*cell]))
                .collect();
            let Some(signature) = only_import_signature(&name, &definers, &imports, &self.codes)
            else {
                continue;
            };
            let before = self.codes.clone();
            let cycles_before = self.cycle_count();
            let mut removed = Vec::new();
            for (position, cell) in definers.iter().enumerate().skip(1) {
                let statements: Vec<&Import> = imports[position]
                    .iter()
                    .filter(|import| import.binds(&name))
                    .collect();
                if statements.iter().any(|import| import.bindings.len() > 1) {
                    continue;
                }
                let mut code = self.codes[*cell].clone();
                for import in statements.iter().rev() {
                    code.replace_range(import.line.start..import.line.end, "");
                }
                removed.extend(statements.iter().map(|import| (*cell, import.span)));
                self.codes[*cell] = code;
            }
            if self.cycle_count() > cycles_before {
                self.codes = before;
                continue;
            }
            let first = definers[0] + 1;
            for (cell, span) in removed {
                let message = format!("removed `{signature}`, which cell {first} already runs");
                self.record(cell, span, "P002", message);
            }
        }
    }

    fn make_private(&mut self) {
        let (duplicates, scopes) = self.duplicates();
        for (name, definers) in duplicates {
            let private = format!("_{name}");
            let read_anywhere = scopes.iter().any(|scope| scope.refs.contains(&name));
            let all_cells = definers
                .iter()
                .all(|cell| self.notebook.cells[*cell].kind == CellKind::Cell);
            if read_anywhere || !all_cells {
                continue;
            }
            let renamed: Option<Vec<(String, Vec<Span>)>> = definers
                .iter()
                .map(|cell| rename(&self.codes[*cell], &name, &private))
                .collect();
            let Some(renamed) = renamed else {
                continue;
            };
            for (cell, (code, spans)) in definers.iter().zip(renamed) {
                let role = binding_role(&self.codes[*cell], &name);
                // Earlier fixes may have moved the code, so the place reported is found again
                // in the cell as read.
                let original = &self.notebook.cells[*cell].code;
                let span = rename(original, &name, &private)
                    .and_then(|(_, places)| places.first().copied())
                    .unwrap_or_default();
                let places = match spans.len() {
                    1 => "1 place".to_owned(),
                    count => format!("{count} places"),
                };
                let message = format!(
                    "renamed the {role} `{name}` to `{private}` ({places}), so it is private to \
                     cell {}",
                    cell + 1
                );
                self.record(*cell, span, "P002", message);
                self.codes[*cell] = code;
            }
        }
    }
}

/// A top-level import statement of a cell.
struct Import {
    /// The statement.
    span: Span,
    /// Its whole line, newline included. Empty when it shares the line with other code.
    line: Span,
    /// Bound name and a normalised form of the import that binds it.
    bindings: Vec<(String, String)>,
}

impl Import {
    fn binds(&self, name: &str) -> bool {
        self.bindings.iter().any(|(bound, _)| bound == name)
    }
}

fn top_level_imports(code: &str) -> Vec<Import> {
    let Some(tree) = parse_python(code) else {
        return Vec::new();
    };
    let mut imports = Vec::new();
    for node in named_children(tree.root_node()) {
        if !matches!(node.kind(), "import_statement" | "import_from_statement") {
            continue;
        }
        let span = Span::new(node.start_byte(), node.end_byte());
        let line_start = code[..span.start].rfind('\n').map_or(0, |index| index + 1);
        let line_end = code[span.end..]
            .find('\n')
            .map_or(code.len(), |index| span.end + index + 1);
        let alone = code[line_start..span.start].trim().is_empty()
            && code[span.end..line_end].trim().is_empty();
        let line = if alone {
            Span::new(line_start, line_end)
        } else {
            Span::new(span.start, span.start)
        };
        imports.push(Import {
            span,
            line,
            bindings: import_bindings(node, code),
        });
    }
    imports
}

fn import_bindings(node: Node, code: &str) -> Vec<(String, String)> {
    let text = |node: Node| {
        code.get(node.start_byte()..node.end_byte())
            .unwrap_or("")
            .to_owned()
    };
    let module = node.child_by_field_name("module_name").map(text);
    let mut cursor = node.walk();
    let names: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
    let mut bindings = Vec::new();
    for name in names {
        let (dotted, alias) = match name.kind() {
            "aliased_import" => (
                name.child_by_field_name("name")
                    .map(text)
                    .unwrap_or_default(),
                name.child_by_field_name("alias").map(text),
            ),
            _ => (text(name), None),
        };
        let dotted: String = dotted.split_whitespace().collect();
        let (bound, signature) = match (&module, alias) {
            (None, Some(alias)) => (alias.clone(), format!("import {dotted} as {alias}")),
            (None, None) => {
                let head = dotted.split('.').next().unwrap_or("").to_owned();
                (head.clone(), format!("import {head}"))
            }
            (Some(module), Some(alias)) => (
                alias.clone(),
                format!("from {module} import {dotted} as {alias}"),
            ),
            (Some(module), None) => (dotted.clone(), format!("from {module} import {dotted}")),
        };
        bindings.push((bound, signature));
    }
    bindings
}

/// The import signature when every definer binds `name` only through top-level imports with
/// that same signature.
fn only_import_signature(
    name: &str,
    definers: &[usize],
    imports: &[Vec<Import>],
    codes: &[String],
) -> Option<String> {
    let mut signatures = BTreeSet::new();
    for (position, cell) in definers.iter().enumerate() {
        let statements: Vec<&Import> = imports[position].iter().filter(|i| i.binds(name)).collect();
        if statements.is_empty()
            || statements
                .iter()
                .any(|import| import.line.start == import.line.end)
        {
            return None;
        }
        for import in &statements {
            signatures.extend(
                import
                    .bindings
                    .iter()
                    .filter(|(bound, _)| bound == name)
                    .map(|(_, sig)| sig.clone()),
            );
        }
        // Without its imports the cell must not bind the name any more.
        let mut code = codes[*cell].clone();
        for import in statements.iter().rev() {
            code.replace_range(import.line.start..import.line.end, "");
        }
        if pyscope::analyze(&code).defs.contains(name) {
            return None;
        }
    }
    match signatures.len() {
        1 => signatures.into_iter().next(),
        _ => None,
    }
}

/// Renames every use of the cell-level `name` to `private`, returning the new code and the
/// renamed places. `None` when a rename could change meaning: the name is imported, declared
/// `global`/`nonlocal`, bound again in a nested function, class or comprehension, used with
/// `globals()`/`locals()`/`vars()`, or `private` is already taken.
fn rename(code: &str, name: &str, private: &str) -> Option<(String, Vec<Span>)> {
    let tree = parse_python(code)?;
    if tree.root_node().has_error() {
        return None;
    }
    let mut places = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_statement"
            | "import_from_statement"
            | "global_statement"
            | "nonlocal_statement" => {
                if contains_identifier(node, name, code) {
                    return None;
                }
                continue;
            }
            "identifier" => {
                let text = code.get(node.start_byte()..node.end_byte()).unwrap_or("");
                if text == private || (text == "globals" || text == "locals" || text == "vars") {
                    return None;
                }
                if text == name && is_variable(node) {
                    if in_nested_scope(node) && is_binding(node) {
                        return None;
                    }
                    places.push(Span::new(node.start_byte(), node.end_byte()));
                }
            }
            _ => {}
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    places.sort();
    let mut renamed = code.to_owned();
    for place in places.iter().rev() {
        renamed.replace_range(place.start..place.end, private);
    }
    Some((renamed, places))
}

fn contains_identifier(node: Node, name: &str, code: &str) -> bool {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        if node.kind() == "identifier" && code.get(node.start_byte()..node.end_byte()) == Some(name)
        {
            return true;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    false
}

/// False for attribute names (`x.name`) and keyword-argument names (`f(name=1)`).
fn is_variable(node: Node) -> bool {
    let Some(parent) = node.parent() else {
        return true;
    };
    let is_field = |field: &str| parent.child_by_field_name(field) == Some(node);
    match parent.kind() {
        "attribute" => !is_field("attribute"),
        "keyword_argument" => !is_field("name"),
        "keyword_pattern" => parent.named_child(0) != Some(node),
        _ => true,
    }
}

const SCOPES: &[&str] = &[
    "function_definition",
    "lambda",
    "class_definition",
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
];

fn in_nested_scope(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(ancestor) = current {
        if SCOPES.contains(&ancestor.kind()) {
            return true;
        }
        current = ancestor.parent();
    }
    false
}

/// True when the identifier is bound here: a parameter, an assignment or loop target, a
/// `def`/`class` name, an `as` alias or a walrus target.
fn is_binding(node: Node) -> bool {
    let mut child = node;
    let mut current = node.parent();
    while let Some(parent) = current {
        let is_field = |field: &str| parent.child_by_field_name(field) == Some(child);
        let bound = match parent.kind() {
            "parameters"
            | "lambda_parameters"
            | "default_parameter"
            | "typed_parameter"
            | "typed_default_parameter"
            | "list_splat_pattern"
            | "dictionary_splat_pattern" => {
                return parent.kind() != "default_parameter" || is_field("name");
            }
            "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
                is_field("left")
            }
            "function_definition" | "class_definition" => is_field("name"),
            "as_pattern" => is_field("alias"),
            "named_expression" => is_field("name"),
            _ => false,
        };
        if bound {
            return true;
        }
        if SCOPES.contains(&parent.kind()) || parent.kind().ends_with("statement") {
            return false;
        }
        child = parent;
        current = parent.parent();
    }
    false
}

/// Describes how a cell binds `name`: "loop variable", "`with` target" or "variable".
fn binding_role(code: &str, name: &str) -> &'static str {
    let scope = pyscope::analyze(code);
    let Some(span) = scope.def_spans.get(name) else {
        return "variable";
    };
    let Some(tree) = parse_python(code) else {
        return "variable";
    };
    let node = tree
        .root_node()
        .descendant_for_byte_range(span.start, span.end);
    let mut current = node.and_then(|node| node.parent());
    while let Some(ancestor) = current {
        match ancestor.kind() {
            "for_statement" | "for_in_clause" => return "loop variable",
            "with_item" | "with_clause" => return "`with` target",
            "module" | "block" => return "variable",
            _ => current = ancestor.parent(),
        }
    }
    "variable"
}
