//! [`check_notebook`]: every check hexa runs on a notebook file without Python, with spans
//! in the file.

use serde::Serialize;
use tree_sitter::{Node, Tree};

use super::{CellKind, NotebookFile, read_notebook};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pyscope::{self, SyntaxIssue, SyntaxIssueKind};
use crate::sanitize::{self, ChangeKind};
use crate::span::Span;
use crate::validate::{self, CellIssue};

/// Options of [`check_notebook`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Report the risky calls (`S` codes) as errors instead of warnings.
    pub strict: bool,
}

/// A diagnostic with its span in the file and the cell it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotebookDiagnostic {
    /// 0-based index into [`NotebookFile::cells`]; `None` outside any cell.
    pub cell: Option<usize>,
    /// The diagnostic, its span in the file.
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

/// The result of [`check_notebook`].
#[derive(Debug, Clone)]
pub struct NotebookReport {
    /// The notebook as read.
    pub notebook: NotebookFile,
    /// Every finding, sorted by position in the file.
    pub diagnostics: Vec<NotebookDiagnostic>,
}

impl NotebookReport {
    /// True when some finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|found| found.diagnostic.is_error())
    }
}

/// Checks a notebook file: its structure (`N`), each cell's syntax and the cell graph (`P`,
/// the same rules as marimo's `MB001` to `MB005`), what `--fix` would clean up (`C`) and
/// risky calls (`S`).
pub fn check_notebook(text: &str, options: CheckOptions) -> NotebookReport {
    let notebook = read_notebook(text);
    let mut found: Vec<NotebookDiagnostic> = notebook
        .diagnostics
        .iter()
        .map(|diagnostic| NotebookDiagnostic {
            cell: None,
            diagnostic: diagnostic.clone(),
        })
        .collect();

    let codes = graph_codes(&notebook);
    let mut parser = pyscope::new_parser();
    let trees: Vec<Option<Tree>> = codes.iter().map(|code| parser.parse(code, None)).collect();
    let mut issues = validate::validate_cells(&codes);
    let mut syntax = Vec::with_capacity(codes.len());
    for (tree, code) in trees.iter().zip(&codes) {
        let found = tree
            .as_ref()
            .map(|tree| sanitize::syntax_issues_in_tree(tree, code));
        syntax.push(found.unwrap_or_default());
    }
    for (index, cell_syntax) in syntax.iter().enumerate() {
        for issue in cell_syntax.iter().cloned() {
            let already = issues
                .iter()
                .any(|other| other.cell == index && other.span == issue.span);
            if !already && issue.kind == SyntaxIssueKind::Syntax {
                issues.push(cell_issue(
                    index,
                    issue.span,
                    Severity::Error,
                    "P001",
                    issue.message,
                ));
            }
        }
    }
    issues.extend(unparsable_issues(&notebook));
    issues.extend(global_issues(&codes, &trees));
    issues.extend(setup_issues(&notebook, &codes));
    issues.extend(cleanup_issues(&notebook, &syntax));
    for mut issue in crate::policy::check_policy_in_trees(&codes, &trees) {
        if options.strict {
            issue.severity = Severity::Error;
        }
        issues.push(issue);
    }

    for issue in issues {
        let Some(cell) = notebook.cells.get(issue.cell) else {
            continue;
        };
        let diagnostic = Diagnostic {
            span: cell.file_span(issue.span),
            severity: issue.severity,
            code: issue.code,
            message: issue.message,
            fix: None,
        };
        found.push(NotebookDiagnostic {
            cell: Some(issue.cell),
            diagnostic,
        });
    }
    found.sort_by(|a, b| {
        let key = |d: &NotebookDiagnostic| (d.diagnostic.span, d.diagnostic.code);
        key(a).cmp(&key(b))
    });
    found.dedup();
    NotebookReport {
        notebook,
        diagnostics: found,
    }
}

/// Returns the code of each cell as it enters the cell graph. An `app._unparsable_cell` takes no part
/// in marimo's graph, so it counts as empty.
pub(super) fn graph_codes(notebook: &NotebookFile) -> Vec<&str> {
    notebook
        .cells
        .iter()
        .map(|cell| match cell.kind {
            CellKind::Unparsable => "",
            _ => cell.code.as_str(),
        })
        .collect()
}

pub(super) fn cell_issue(
    cell: usize,
    span: Span,
    severity: Severity,
    code: &'static str,
    message: impl Into<String>,
) -> CellIssue {
    CellIssue {
        cell,
        span,
        severity,
        code,
        message: message.into(),
    }
}

/// `N004` for each `app._unparsable_cell`, and `P001` for the syntax errors in its code.
fn unparsable_issues(notebook: &NotebookFile) -> Vec<CellIssue> {
    let mut issues = Vec::new();
    for (index, cell) in notebook.cells.iter().enumerate() {
        if cell.kind != CellKind::Unparsable {
            continue;
        }
        let span = Span::new(0, cell.code.len().min(first_line_len(&cell.code)));
        let syntax = sanitize::syntax_issues(&cell.code);
        let message = match syntax.is_empty() {
            true => {
                "cell is stored as unparsable although its code parses; `hexa check --fix` \
                     turns it back into `@app.cell`"
            }
            false => "cell is stored as unparsable because of a syntax error",
        };
        issues.push(cell_issue(index, span, Severity::Error, "N004", message));
        for issue in syntax {
            let code = match issue.kind {
                SyntaxIssueKind::Syntax => "P001",
                SyntaxIssueKind::ImportStar => "P005",
            };
            issues.push(cell_issue(
                index,
                issue.span,
                Severity::Error,
                code,
                issue.message,
            ));
        }
    }
    issues
}

fn first_line_len(code: &str) -> usize {
    code.find('\n').unwrap_or(code.len())
}

/// `N005` for every `global` statement.
fn global_issues(codes: &[&str], trees: &[Option<Tree>]) -> Vec<CellIssue> {
    let mut issues = Vec::new();
    for (index, (code, tree)) in codes.iter().zip(trees).enumerate() {
        let Some(tree) = tree else {
            continue;
        };
        let mut stack = vec![(tree.root_node(), false)];
        while let Some((node, in_function)) = stack.pop() {
            if node.kind() == "global_statement" {
                issues.push(global_issue(index, node, in_function, code));
                continue;
            }
            let nested = in_function || matches!(node.kind(), "function_definition" | "lambda");
            let mut cursor = node.walk();
            stack.extend(
                node.named_children(&mut cursor)
                    .map(|child| (child, nested)),
            );
        }
    }
    issues
}

fn global_issue(cell: usize, node: Node, in_function: bool, code: &str) -> CellIssue {
    let span = Span::new(node.start_byte(), node.end_byte());
    let names: Vec<String> = pyscope::named_children(node)
        .map(|name| format!("`{}`", span_text(name, code)))
        .collect();
    let names = names.join(", ");
    let message = match in_function {
        true => format!(
            "`global` {names} inside a function: marimo does not see the assignment when the \
             function runs, so cells that read {names} do not re-run; return the value instead"
        ),
        false => format!(
            "`global` {names} at the top of a cell does nothing, because top-level names are \
             already global; remove it"
        ),
    };
    cell_issue(cell, span, Severity::Warning, "N005", message)
}

fn span_text<'a>(node: Node, code: &'a str) -> &'a str {
    code.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// `N006` when the setup cell reads a name that another cell defines (marimo's `MB004`).
fn setup_issues(notebook: &NotebookFile, codes: &[&str]) -> Vec<CellIssue> {
    let Some(setup) = notebook
        .cells
        .iter()
        .position(|cell| cell.kind == CellKind::Setup)
    else {
        return Vec::new();
    };
    let setup_scope = pyscope::analyze(codes[setup]);
    if setup_scope.refs.is_empty() {
        return Vec::new();
    }
    let scopes: Vec<pyscope::Scope> = codes.iter().map(|code| pyscope::analyze(code)).collect();
    let mut issues = Vec::new();
    for name in &setup_scope.refs {
        let definer = scopes
            .iter()
            .enumerate()
            .find(|(index, scope)| *index != setup && scope.defs.contains(name));
        if let Some((definer, _)) = definer {
            let span = scopes[setup]
                .ref_spans
                .get(name)
                .copied()
                .unwrap_or_default();
            let message = format!(
                "the setup cell reads `{name}`, which cell {} defines; the setup cell runs \
                 first and may only use its own names",
                definer + 1
            );
            issues.push(cell_issue(setup, span, Severity::Error, "N006", message));
        }
    }
    issues
}

/// `C001` to `C006`: what [`sanitize::sanitize_cell`] would change in each cell.
/// `syntax` contains each cell's syntax issues, empty for unparsable cells.
fn cleanup_issues(notebook: &NotebookFile, syntax: &[Vec<SyntaxIssue>]) -> Vec<CellIssue> {
    let mut issues = Vec::new();
    for (index, cell) in notebook.cells.iter().enumerate() {
        let known = syntax
            .get(index)
            .filter(|_| cell.kind != CellKind::Unparsable);
        if known.is_some_and(|found| !sanitize::may_change(&cell.code, found)) {
            continue;
        }
        for change in sanitize::sanitize_cell(&cell.code).changes {
            let message = match change.kind {
                ChangeKind::Fence => {
                    "the code is wrapped in a markdown fence; `hexa check --fix` keeps only the \
                     fenced code"
                }
                ChangeKind::Tabs => {
                    "tabs in indentation; `hexa check --fix` replaces them with spaces"
                }
                ChangeKind::Dedent => {
                    "the lines are indented more than the cell needs; `hexa check --fix` \
                     removes the extra indentation"
                }
                ChangeKind::MainGuard => {
                    "`if __name__ == \"__main__\":` guard inside a cell; `hexa check --fix` \
                     replaces it with its body"
                }
                ChangeKind::EmptyBlock => {
                    "block with no statement; `hexa check --fix` inserts `pass`"
                }
                ChangeKind::LineEndings => {
                    "`\\r\\n` line endings; `hexa check --fix` replaces them with `\\n`"
                }
            };
            // An insertion points at the character before it, the `:` of the header.
            let before = cell
                .code
                .get(..change.span.start)
                .and_then(|head| head.char_indices().next_back());
            let span = match (change.span.start == change.span.end, before) {
                (true, Some((at, _))) => Span::new(at, change.span.start),
                _ => change.span,
            };
            issues.push(cell_issue(
                index,
                span,
                Severity::Warning,
                change.kind.code(),
                message,
            ));
        }
    }
    issues
}
