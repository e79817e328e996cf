//! Statement-level repairs: a `if __name__ == "__main__":` guard at the top of a cell, and
//! blocks with no statement in them.

use tree_sitter::Node;

use super::indent;
use super::rewrite::Edit;
use crate::pyscope::named_children;
use crate::span::Span;

/// Statements whose block must hold at least one statement, as CPython requires.
const BLOCK_OWNERS: &[&str] = &[
    "function_definition",
    "class_definition",
    "if_statement",
    "elif_clause",
    "else_clause",
    "for_statement",
    "while_statement",
    "with_statement",
    "try_statement",
    "except_clause",
    "except_group_clause",
    "finally_clause",
    "case_clause",
];

/// A guard to unwrap: the edit that replaces it by its body, and the `if` line.
#[derive(Debug)]
pub(super) struct Unwrapped {
    pub edit: Edit,
    pub header: Span,
}

/// Finds the first top-level `if __name__ == "__main__":` without `elif`/`else` and returns the
/// edit that replaces it by its body, one indentation level less.
pub(super) fn unwrap_main_guard(code: &str) -> Option<Unwrapped> {
    let tree = crate::pytext::parse_python(code)?;
    let root = tree.root_node();
    let guard = named_children(root).find(|node| is_main_guard(*node, code))?;
    let body = guard.child_by_field_name("consequence")?;
    let colon = colon_before(guard, body)?;
    let header = Span::new(guard.start_byte(), colon.end_byte());

    // `if __name__ == "__main__": main()` keeps the statement on that line.
    if body.start_position().row == colon.end_position().row {
        let edit = Edit::replace(
            header.cover(Span::new(body.start_byte(), body.end_byte())),
            "",
        );
        let text = body.utf8_text(code.as_bytes()).ok()?.to_owned();
        return Some(Unwrapped {
            edit: Edit::replace(edit.span, text),
            header,
        });
    }

    let body_start = line_end(code, colon.end_byte()) + 1;
    let body_end = line_end(code, body.end_byte());
    let body_text = code.get(body_start..body_end)?;
    let lines = indent::lines(body_text);
    let columns = lines
        .iter()
        .filter(|line| !line.blank && !line.in_string && !line.comment)
        .map(|line| line.indent.end - line.indent.start)
        .min()?;
    let mut rewriter = super::rewrite::Rewriter::new(body_text);
    let edits = lines
        .iter()
        .filter(|line| !line.in_string)
        .map(|line| {
            let spaces = line.indent.text(body_text).len();
            let remove = if line.blank {
                spaces
            } else {
                spaces.min(columns)
            };
            Edit::delete(Span::new(line.start, line.start + remove))
        })
        .collect();
    rewriter.apply(edits);

    let guard_indent = &code[line_start(code, guard.start_byte())..guard.start_byte()];
    let mut text = String::new();
    for (index, line) in rewriter.text().split('\n').enumerate() {
        if index > 0 {
            text.push('\n');
        }
        if index > 0 && !line.is_empty() {
            text.push_str(guard_indent);
        }
        text.push_str(line);
    }
    Some(Unwrapped {
        edit: Edit::replace(Span::new(guard.start_byte(), body_end), text),
        header,
    })
}

/// True for `if __name__ == "__main__":` (either operand order, either quote) with no
/// `elif` or `else`.
fn is_main_guard(node: Node, code: &str) -> bool {
    if node.kind() != "if_statement" || node.has_error() {
        return false;
    }
    if node.child_by_field_name("alternative").is_some() {
        return false;
    }
    let Some(condition) = node.child_by_field_name("condition") else {
        return false;
    };
    if condition.kind() != "comparison_operator" || condition.named_child_count() != 2 {
        return false;
    }
    let operator = condition.child_by_field_name("operators");
    if operator.is_none_or(|op| op.kind() != "==") {
        return false;
    }
    let text = |node: Node| node.utf8_text(code.as_bytes()).unwrap_or("");
    let operands: Vec<Node> = named_children(condition).collect();
    let is_name = |node: &Node| node.kind() == "identifier" && text(*node) == "__name__";
    let is_main = |node: &Node| {
        node.kind() == "string" && matches!(text(*node), "\"__main__\"" | "'__main__'")
    };
    (is_name(&operands[0]) && is_main(&operands[1]))
        || (is_main(&operands[0]) && is_name(&operands[1]))
}

/// An empty block: the statement that owns it and where `pass` goes.
#[derive(Debug)]
pub(super) struct EmptyBlock {
    /// The owner's header up to its `:`.
    pub header: Span,
    pub owner_kind: &'static str,
    pub edit: Edit,
}

/// Finds the blocks that hold no statement and returns, for each, the edit that puts `pass`
/// on a new line after the header, one level deeper than the header's line.
pub(super) fn empty_blocks(code: &str) -> Vec<EmptyBlock> {
    let Some(tree) = crate::pytext::parse_python(code) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "block"
            && let Some(empty) = empty_block(node, code)
        {
            found.push(empty);
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    found
}

fn empty_block(block: Node, code: &str) -> Option<EmptyBlock> {
    if named_children(block).any(|child| child.kind() != "comment") {
        return None;
    }
    let owner = block.parent()?;
    let owner_kind = BLOCK_OWNERS.iter().find(|kind| **kind == owner.kind())?;
    if owner.has_error() {
        return None;
    }
    let colon = colon_before(owner, block)?;
    let line = &code[line_start(code, owner.start_byte())..];
    let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
    let at = line_end(code, colon.end_byte());
    Some(EmptyBlock {
        header: Span::new(owner.start_byte(), colon.end_byte()),
        owner_kind,
        edit: Edit::insert(at, format!("\n{indent}    pass")),
    })
}

/// Finds the last `:` child of `owner` before `block`.
fn colon_before<'t>(owner: Node<'t>, block: Node<'t>) -> Option<Node<'t>> {
    let mut cursor = owner.walk();
    owner
        .children(&mut cursor)
        .filter(|child| child.kind() == ":" && child.end_byte() <= block.start_byte())
        .last()
}

fn line_start(code: &str, offset: usize) -> usize {
    code.get(..offset)
        .and_then(|head| head.rfind('\n'))
        .map_or(0, |index| index + 1)
}

fn line_end(code: &str, offset: usize) -> usize {
    let offset = offset.min(code.len());
    code.get(offset..)
        .and_then(|tail| tail.find('\n'))
        .map_or(code.len(), |index| offset + index)
}
