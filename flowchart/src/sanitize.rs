//! Cleans up a cell body that a person edited or a language model wrote, before it is stored
//! in a notebook.
//!
//! [`sanitize_cell`] runs these steps in order, each on the result of the one before:
//!
//! 1. `\r\n` line endings become `\n`.
//! 2. When the text does not parse and contains a markdown fence tagged `python` (or untagged),
//!    only the fenced code is kept. The prose around it and other fences (`bash`) go.
//!    Text that parses is never unfenced, so a fence inside a string literal stays.
//! 3. Tabs in indentation become spaces, with the tab width (4, 8 or 2) that leaves the fewest
//!    syntax errors, 4 on a tie.
//! 4. Indentation shared by every line is removed.
//! 5. A top-level `if __name__ == "__main__":` guard without `else` is replaced by its body.
//!    A cell is the notebook's entry point, so the code the guard protects is what the cell
//!    is meant to run. Under `marimo run` and `marimo edit` the guard would be true anyway,
//!    because marimo runs cells with `__name__ == "__main__"`, but `import`ing the notebook
//!    would skip it.
//! 6. Each block that holds no statement (`def step():` with nothing under it) gets `pass`,
//!    because CPython rejects it and tree-sitter does not flag it.
//!
//! Lines that start inside a multi-line string are never re-indented.

mod blocks;
mod fence;
mod indent;
mod rewrite;

use serde::Serialize;
use tree_sitter::Tree;

use crate::pyscope::{self, SyntaxIssue};
use crate::span::Span;
use rewrite::{Edit, Rewriter};

/// Kind of a [`Change`], each with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// `C001`: the code was wrapped in a markdown fence, with or without prose around it.
    Fence,
    /// `C002`: tabs in indentation were replaced by spaces.
    Tabs,
    /// `C003`: indentation shared by all lines was removed.
    Dedent,
    /// `C004`: a top-level `if __name__ == "__main__":` guard was replaced by its body.
    MainGuard,
    /// `C005`: `pass` was put in a block that held no statement.
    EmptyBlock,
    /// `C006`: `\r\n` line endings were replaced by `\n`.
    LineEndings,
}

impl ChangeKind {
    /// Returns the stable code listed in docs/diagnostics.md.
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Fence => "C001",
            ChangeKind::Tabs => "C002",
            ChangeKind::Dedent => "C003",
            ChangeKind::MainGuard => "C004",
            ChangeKind::EmptyBlock => "C005",
            ChangeKind::LineEndings => "C006",
        }
    }
}

/// One thing [`sanitize_cell`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The kind of change.
    pub kind: ChangeKind,
    /// The part of the original code it concerns. An insertion has an empty span at the place
    /// it went in.
    pub span: Span,
    /// A lower-case sentence without a trailing period, such as "inserted `pass` into the
    /// empty body of the function definition on line 1".
    pub message: String,
}

/// A sanitized cell body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    /// The cleaned code.
    pub code: String,
    /// The changes, in the order the steps ran. Empty when `code` equals the input.
    pub changes: Vec<Change>,
    /// Syntax problems left in `code`, with spans in `code` (not in the input).
    pub issues: Vec<SyntaxIssue>,
}

impl Sanitized {
    /// True when the cleaned code has no syntax problem left.
    pub fn is_valid(&self) -> bool {
        self.issues.is_empty()
    }
}

/// Most rounds of `pass` insertion. Each round fills every empty block it finds, and a new
/// round is only needed when a filled block reveals another one.
const MAX_PASS_ROUNDS: usize = 8;

/// Cleans up one cell body. Pure, and total: any input gives a result.
pub fn sanitize_cell(code: &str) -> Sanitized {
    let issues = syntax_issues(code);
    if !may_change(code, &issues) {
        return Sanitized {
            code: code.to_owned(),
            changes: Vec::new(),
            issues,
        };
    }

    let mut rewriter = Rewriter::new(code);
    let mut changes = Vec::new();

    normalize_line_endings(&mut rewriter, &mut changes);
    strip_fences(&mut rewriter, &mut changes);

    if let Some(expanded) = indent::expand_tabs(rewriter.text()) {
        let noun = if expanded.lines == 1 { "line" } else { "lines" };
        let message = format!(
            "replaced tabs with spaces (a tab to the next multiple of {}) in the indentation \
             of {} {noun}",
            expanded.tab_width, expanded.lines
        );
        record(
            &mut rewriter,
            &mut changes,
            ChangeKind::Tabs,
            expanded.span,
            message,
        );
        rewriter.apply(expanded.edits);
    }

    if let Some(dedented) = indent::dedent(rewriter.text()) {
        let message = format!("removed {} columns of indentation", dedented.columns);
        record(
            &mut rewriter,
            &mut changes,
            ChangeKind::Dedent,
            dedented.span,
            message,
        );
        rewriter.apply(dedented.edits);
    }

    if let Some(unwrapped) = blocks::unwrap_main_guard(rewriter.text()) {
        let message = "replaced the `if __name__ == \"__main__\":` guard with its body";
        record(
            &mut rewriter,
            &mut changes,
            ChangeKind::MainGuard,
            unwrapped.header,
            message,
        );
        rewriter.apply(vec![unwrapped.edit]);
    }

    fill_empty_blocks(&mut rewriter, &mut changes, code);

    let code = rewriter.into_text();
    let issues = syntax_issues(&code);
    Sanitized {
        code,
        changes,
        issues,
    }
}

/// Lists the syntax problems of one cell body: [`pyscope::syntax_errors`] plus statements
/// indented deeper than the one before them ("unexpected indent"), which tree-sitter accepts.
pub fn syntax_issues(code: &str) -> Vec<SyntaxIssue> {
    match crate::pytext::parse_python(code) {
        Some(tree) => syntax_issues_in_tree(&tree, code),
        None => Vec::new(),
    }
}

/// [`syntax_issues`] of a tree parsed from `code`.
pub(crate) fn syntax_issues_in_tree(tree: &Tree, code: &str) -> Vec<SyntaxIssue> {
    let mut issues = pyscope::syntax_errors_in_tree(tree, code);
    issues.extend(indent::unexpected_indents(tree));
    issues.sort_by_key(|issue| (issue.span, issue.message.clone()));
    issues.dedup();
    issues
}

/// True when [`sanitize_cell`] may change `code`, whose syntax issues are `issues`. False
/// means it certainly returns `code` unchanged, which saves its parses on clean cells.
pub(crate) fn may_change(code: &str, issues: &[SyntaxIssue]) -> bool {
    let first_line = code.lines().find(|line| !line.trim().is_empty());
    !issues.is_empty()
        || code.contains('\r')
        || code.contains('\t')
        || code.contains("__main__")
        || first_line.is_some_and(|line| line.starts_with(' '))
}

/// Sanitizes several cells at once.
pub fn sanitize_cells(cells: &[&str]) -> Vec<Sanitized> {
    cells.iter().map(|code| sanitize_cell(code)).collect()
}

/// Records a change whose span is given in the current text of `rewriter`.
fn record(
    rewriter: &mut Rewriter,
    changes: &mut Vec<Change>,
    kind: ChangeKind,
    span: Span,
    message: impl Into<String>,
) {
    changes.push(Change {
        kind,
        span: rewriter.original_span(span),
        message: message.into(),
    });
}

fn normalize_line_endings(rewriter: &mut Rewriter, changes: &mut Vec<Change>) {
    let edits: Vec<Edit> = rewriter
        .text()
        .match_indices("\r\n")
        .map(|(at, _)| Edit::delete(Span::new(at, at + 1)))
        .collect();
    let (Some(first), Some(last)) = (edits.first(), edits.last()) else {
        return;
    };
    let span = first.span.cover(last.span);
    let message = "replaced `\\r\\n` line endings with `\\n`";
    record(rewriter, changes, ChangeKind::LineEndings, span, message);
    rewriter.apply(edits);
}

fn strip_fences(rewriter: &mut Rewriter, changes: &mut Vec<Change>) {
    let text = rewriter.text();
    let has_fence_line = text.lines().any(|line| {
        let trimmed = line.trim_start();
        trimmed.starts_with("```") || trimmed.starts_with("~~~")
    });
    if !has_fence_line || syntax_issues(text).is_empty() {
        return;
    }
    if let Some(unfenced) = fence::unfence(text) {
        record(
            rewriter,
            changes,
            ChangeKind::Fence,
            unfenced.opener,
            unfenced.message,
        );
        rewriter.apply(unfenced.edits);
    }
}

/// Puts `pass` in every empty block. Messages count lines in `original`, the input.
fn fill_empty_blocks(rewriter: &mut Rewriter, changes: &mut Vec<Change>, original: &str) {
    for _ in 0..MAX_PASS_ROUNDS {
        let empty = blocks::empty_blocks(rewriter.text());
        if empty.is_empty() {
            return;
        }
        let mut edits = Vec::with_capacity(empty.len());
        for block in empty {
            let header = rewriter.original_span(block.header);
            let line = original
                .get(..header.start)
                .unwrap_or("")
                .matches('\n')
                .count()
                + 1;
            let statement = describe_owner(block.owner_kind);
            let message =
                format!("inserted `pass` into the empty body of {statement} on line {line}");
            record(
                rewriter,
                changes,
                ChangeKind::EmptyBlock,
                block.edit.span,
                message,
            );
            edits.push(block.edit);
        }
        rewriter.apply(edits);
    }
}

fn describe_owner(kind: &str) -> &'static str {
    match kind {
        "function_definition" => "the function definition",
        "class_definition" => "the class definition",
        "if_statement" => "the `if` statement",
        "elif_clause" => "the `elif` clause",
        "else_clause" => "the `else` clause",
        "for_statement" => "the `for` statement",
        "while_statement" => "the `while` statement",
        "with_statement" => "the `with` statement",
        "try_statement" => "the `try` statement",
        "except_clause" | "except_group_clause" => "the `except` clause",
        "finally_clause" => "the `finally` clause",
        "case_clause" => "the `case` clause",
        _ => "the statement",
    }
}
