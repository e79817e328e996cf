//! Indentation: tabs mixed with spaces, and code indented as a whole (pasted from inside a
//! function). Lines that start inside a multi-line string are content, so they are never
//! touched.

use tree_sitter::{Node, Tree};

use super::rewrite::Edit;
use crate::pyscope::{SyntaxIssue, SyntaxIssueKind};
use crate::span::Span;

/// Tab widths tried when expanding tabs, the preferred first. Python itself uses 8, editors
/// mostly 4, so 4 wins a tie.
const TAB_WIDTHS: [usize; 3] = [4, 8, 2];

/// One line of code: where it starts, its leading whitespace and whether it is part of a
/// multi-line string.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub start: usize,
    /// Leading spaces and tabs.
    pub indent: Span,
    /// Blank or whitespace-only.
    pub blank: bool,
    /// Only a comment after the indentation.
    pub comment: bool,
    /// Starts inside a string literal that began on an earlier line.
    pub in_string: bool,
}

/// Splits `code` into lines and marks those that start inside a multi-line string.
pub(super) fn lines(code: &str) -> Vec<Line> {
    let string_rows = string_interior_rows(code);
    let mut lines = Vec::new();
    let mut start = 0;
    for (row, line) in code.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent_len = body.len() - body.trim_start_matches([' ', '\t']).len();
        let rest = &body[indent_len..];
        lines.push(Line {
            start,
            indent: Span::new(start, start + indent_len),
            blank: rest.trim().is_empty(),
            comment: rest.starts_with('#'),
            in_string: string_rows.get(row).copied().unwrap_or(false),
        });
        start += line.len();
    }
    lines
}

/// For each row, whether it starts inside a string literal opened on an earlier row.
fn string_interior_rows(code: &str) -> Vec<bool> {
    let mut rows = vec![false; code.split_inclusive('\n').count().max(1)];
    let Some(tree) = crate::pytext::parse_python(code) else {
        return rows;
    };
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "string" {
            let (first, last) = (node.start_position().row, node.end_position().row);
            for row in first + 1..=last {
                if let Some(slot) = rows.get_mut(row) {
                    *slot = true;
                }
            }
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    rows
}

/// Width of an indentation when a tab moves to the next multiple of `tab_width`.
fn width(indent: &str, tab_width: usize) -> usize {
    indent.chars().fold(0, |column, ch| match ch {
        '\t' => (column / tab_width + 1) * tab_width,
        _ => column + 1,
    })
}

/// Tab expansion: the edits and how many lines they change.
#[derive(Debug)]
pub(super) struct Expanded {
    pub edits: Vec<Edit>,
    pub lines: usize,
    pub tab_width: usize,
    /// From the first to the last changed indentation.
    pub span: Span,
}

/// Replaces tabs in indentation by spaces, with the tab width that leaves the fewest syntax
/// errors. Returns `None` when no indentation contains a tab.
pub(super) fn expand_tabs(code: &str) -> Option<Expanded> {
    let lines = lines(code);
    let tabbed: Vec<&Line> = lines
        .iter()
        .filter(|line| !line.in_string && line.indent.text(code).contains('\t'))
        .collect();
    let (first, last) = (tabbed.first()?, tabbed.last()?);

    let edits_for = |tab_width: usize| -> Vec<Edit> {
        tabbed
            .iter()
            .map(|line| {
                let spaces = " ".repeat(width(line.indent.text(code), tab_width));
                Edit::replace(line.indent, spaces)
            })
            .collect()
    };
    let mut best: Option<(usize, usize)> = None;
    for tab_width in TAB_WIDTHS {
        let mut rewriter = super::rewrite::Rewriter::new(code);
        rewriter.apply(edits_for(tab_width));
        let errors = super::syntax_issues(rewriter.text()).len();
        if best.is_none_or(|(_, fewest)| errors < fewest) {
            best = Some((tab_width, errors));
        }
    }
    let tab_width = best.map_or(TAB_WIDTHS[0], |(tab_width, _)| tab_width);
    Some(Expanded {
        edits: edits_for(tab_width),
        lines: tabbed.len(),
        tab_width,
        span: first.indent.cover(last.indent),
    })
}

/// Removal of indentation common to the code lines.
#[derive(Debug)]
pub(super) struct Dedented {
    pub edits: Vec<Edit>,
    pub columns: usize,
    pub span: Span,
}

/// Removes the indentation every code line shares, as `textwrap.dedent` does, but leaves
/// string content alone and lets comment lines sit further left. When only the first line is
/// flush left and it does not open a block, the rest is dedented on its own, which repairs
/// code whose first line lost its indentation when it was copied.
pub(super) fn dedent(code: &str) -> Option<Dedented> {
    let lines = lines(code);
    let code_lines: Vec<&Line> = lines
        .iter()
        .filter(|line| !line.blank && !line.in_string && !line.comment)
        .collect();
    let common = code_lines
        .iter()
        .map(|line| line.indent.end - line.indent.start)
        .min()?;
    if common > 0 {
        return Some(dedent_lines(&lines, 0, common, code));
    }

    let (first, rest) = code_lines.split_first()?;
    let first_text = code[first.indent.end..]
        .lines()
        .next()
        .unwrap_or("")
        .trim_end();
    let rest_common = rest
        .iter()
        .map(|line| line.indent.end - line.indent.start)
        .min()?;
    if first.indent.start != first.indent.end || rest_common == 0 || first_text.ends_with(':') {
        return None;
    }
    let from_row = lines.iter().position(|line| line.start > first.start)?;
    let dedented = dedent_lines(&lines, from_row, rest_common, code);
    let mut rewriter = super::rewrite::Rewriter::new(code);
    rewriter.apply(dedented.edits.clone());
    let before = super::syntax_issues(code).len();
    let after = super::syntax_issues(rewriter.text()).len();
    (after < before).then_some(dedented)
}

/// Removes up to `columns` leading spaces from the code and comment lines from `from_row` on.
fn dedent_lines(lines: &[Line], from_row: usize, columns: usize, code: &str) -> Dedented {
    let mut edits = Vec::new();
    for line in lines.iter().skip(from_row).filter(|line| !line.in_string) {
        let indent = line.indent.text(code);
        let spaces = indent.len() - indent.trim_start_matches(' ').len();
        let remove = if line.blank {
            indent.len()
        } else {
            spaces.min(columns)
        };
        if remove > 0 {
            edits.push(Edit::delete(Span::new(line.start, line.start + remove)));
        }
    }
    let span = match (edits.first(), edits.last()) {
        (Some(first), Some(last)) => first.span.cover(last.span),
        _ => Span::default(),
    };
    Dedented {
        edits,
        columns,
        span,
    }
}

/// Finds statements indented deeper than the statement before them in the same block, which
/// CPython rejects with "unexpected indent" and tree-sitter-python 0.25 accepts silently.
pub(crate) fn unexpected_indents(tree: &Tree) -> Vec<SyntaxIssue> {
    let mut issues = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if matches!(node.kind(), "module" | "block") {
            check_block_columns(node, &mut issues);
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    issues.sort_by_key(|issue| issue.span);
    issues
}

fn check_block_columns(block: Node, issues: &mut Vec<SyntaxIssue>) {
    let mut cursor = block.walk();
    let statements: Vec<Node> = block
        .named_children(&mut cursor)
        .filter(|child| child.kind() != "comment" && !child.is_error())
        .collect();
    let Some(first) = statements.first() else {
        return;
    };
    let expected = if block.kind() == "module" {
        0
    } else {
        first.start_position().column
    };
    let mut previous_end_row = None;
    for statement in &statements {
        let start = statement.start_position();
        let new_line = previous_end_row.is_none_or(|row| start.row > row);
        if new_line && start.column > expected {
            issues.push(SyntaxIssue {
                span: first_line_of(*statement),
                kind: SyntaxIssueKind::Syntax,
                message: "unexpected indent".to_owned(),
            });
        }
        previous_end_row = Some(statement.end_position().row);
    }
}

/// Returns the part of a node on its first line.
fn first_line_of(node: Node) -> Span {
    let start = node.start_byte();
    if node.end_position().row == node.start_position().row {
        return Span::new(start, node.end_byte());
    }
    let mut cursor = node.walk();
    let mut end = start;
    for child in node.children(&mut cursor) {
        if child.start_position().row != node.start_position().row {
            break;
        }
        end = if child.end_position().row == node.start_position().row {
            child.end_byte()
        } else {
            first_line_of(child).end
        };
    }
    Span::new(start, end.max(start + 1).min(node.end_byte()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_width_counts_columns() {
        assert_eq!(width("\t", 4), 4);
        assert_eq!(width("  \t", 4), 4);
        assert_eq!(width("\t  ", 8), 10);
    }

    #[test]
    fn string_rows_marked() {
        let rows = string_interior_rows("x = '''\n  a\n'''\ny = 1\n");
        assert_eq!(rows, vec![false, true, true, false]);
    }
}
