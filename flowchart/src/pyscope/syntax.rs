//! Syntax errors in one cell: tree-sitter's ERROR and MISSING nodes, and the errors tree-sitter
//! accepts but CPython 3.11 or marimo reject.

use tree_sitter::{Node, Tree};

use super::{named_children, new_parser, span_of};
use crate::span::Span;

/// Kind of a [`SyntaxIssue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyntaxIssueKind {
    /// Code CPython 3.11 would not compile.
    Syntax,
    /// `from module import *`, which Python allows but marimo rejects.
    ImportStar,
}

/// One syntax problem in a cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyntaxIssue {
    /// Byte range in the cell's code, at least one byte wide unless the code is empty.
    pub span: Span,
    /// Kind of problem.
    pub kind: SyntaxIssueKind,
    /// A lower-case sentence without a trailing period, such as "`(` was never closed".
    pub message: String,
}

/// Lists the syntax problems of one cell body, sorted by position.
pub fn syntax_errors(code: &str) -> Vec<SyntaxIssue> {
    let mut parser = new_parser();
    match parser.parse(code, None) {
        Some(tree) => syntax_errors_in_tree(&tree, code),
        None => Vec::new(),
    }
}

/// Lists the syntax problems of a tree parsed from `code`.
pub(crate) fn syntax_errors_in_tree(tree: &Tree, code: &str) -> Vec<SyntaxIssue> {
    let root = tree.root_node();
    let mut issues = Vec::new();
    if root.has_error() {
        let bracket_issue = find_bracket_issue(root, code);
        report_error_nodes(root, code, bracket_issue.as_ref(), &mut issues);
        issues.extend(bracket_issue);
    }
    report_rejected_statements(root, code, &mut issues);
    issues.sort_by_key(|issue| (issue.span, issue.message.clone()));
    issues.dedup();
    issues
}

fn issue(span: Span, message: impl Into<String>) -> SyntaxIssue {
    SyntaxIssue {
        span,
        kind: SyntaxIssueKind::Syntax,
        message: message.into(),
    }
}

/// Finds the first unmatched closing bracket, or else the first opening bracket that is never
/// closed, the way CPython's tokenizer reports them. A MISSING closing bracket counts as
/// present because its MISSING node is reported on its own.
fn find_bracket_issue(root: Node, code: &str) -> Option<SyntaxIssue> {
    let mut open: Vec<Node> = Vec::new();
    for leaf in leaves(root) {
        let kind = leaf.kind();
        if matches!(kind, "(" | "[" | "{") && !leaf.is_missing() {
            open.push(leaf);
            continue;
        }
        let Some(expected_open) = opening_of(kind) else {
            continue;
        };
        match open.last() {
            Some(top) if top.kind() == expected_open => {
                open.pop();
            }
            Some(top) if !leaf.is_missing() => {
                let message = format!("closing `{kind}` does not match opening `{}`", top.kind());
                return Some(issue(widen(span_of(leaf), code), message));
            }
            Some(_) => {}
            None => return Some(issue(span_of(leaf), format!("unmatched `{kind}`"))),
        }
    }
    let first = open.first()?;
    Some(issue(
        span_of(*first),
        format!("`{}` was never closed", first.kind()),
    ))
}

fn opening_of(kind: &str) -> Option<&'static str> {
    match kind {
        ")" => Some("("),
        "]" => Some("["),
        "}" => Some("{"),
        _ => None,
    }
}

/// Reports the innermost ERROR nodes and every MISSING node. An ERROR node that contains the
/// bracket issue is left out, because the bracket issue explains it better.
fn report_error_nodes(
    root: Node,
    code: &str,
    bracket_issue: Option<&SyntaxIssue>,
    issues: &mut Vec<SyntaxIssue>,
) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_missing() {
            let span = widen(span_of(node), code);
            issues.push(issue(span, format!("missing `{}`", node.kind())));
            continue;
        }

        let erroneous: Vec<Node> = children(node)
            .filter(|child| child.has_error() || child.is_missing())
            .collect();
        if node.is_error() {
            let covers_bracket = bracket_issue.is_some_and(|bracket| {
                node.start_byte() <= bracket.span.start && bracket.span.start < node.end_byte()
            });
            if covers_bracket {
                continue;
            }
            if erroneous.is_empty() {
                issues.push(describe_error_node(node, code));
                continue;
            }
        }
        stack.extend(erroneous.into_iter().rev());
    }
}

fn describe_error_node(node: Node, code: &str) -> SyntaxIssue {
    let span = widen(span_of(node), code);
    let at_end = code[span.end.min(code.len())..].trim().is_empty();
    if node.start_byte() == node.end_byte() {
        return match at_end {
            true => issue(span, "unexpected end of input"),
            false => issue(
                span,
                format!("invalid syntax near `{}`", excerpt(span.text(code))),
            ),
        };
    }

    let tokens: Vec<Node> = leaves(node).collect();
    let first = tokens
        .first()
        .map(|leaf| leaf.utf8_text(code.as_bytes()).unwrap_or(""));
    let last = tokens
        .last()
        .map(|leaf| leaf.utf8_text(code.as_bytes()).unwrap_or(""));
    let message = match (at_end && tokens.len() > 1, first, last) {
        (true, _, Some(last)) => format!("unexpected end of input after `{}`", excerpt(last)),
        (_, Some(first), _) => format!("invalid syntax near `{}`", excerpt(first)),
        _ => format!("invalid syntax near `{}`", excerpt(span.text(code))),
    };
    issue(span, message)
}

/// Shortens a token to its first line and at most 30 characters.
fn excerpt(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut short: String = line.chars().take(30).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

/// Makes a zero-width span one character wide: the character at the span, or the last
/// character of the code when the span is at its end.
fn widen(span: Span, code: &str) -> Span {
    if span.start < span.end {
        return span;
    }
    let start = span.start.min(code.len());
    if let Some(ch) = code.get(start..).and_then(|rest| rest.chars().next()) {
        return Span::new(start, start + ch.len_utf8());
    }
    match code.char_indices().next_back() {
        Some((index, _)) => Span::new(index, code.len()),
        None => Span::new(0, 0),
    }
}

/// Enclosing function and loop of a node, for the checks that depend on them.
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    /// Directly in a function body (a class body in between resets it).
    in_function: bool,
    /// Inside some function, even through a class body.
    in_any_function: bool,
    in_async_function: bool,
    in_loop: bool,
}

/// Reports statements that tree-sitter parses but CPython or marimo reject. Subtrees under
/// ERROR nodes are skipped because their structure is a guess.
fn report_rejected_statements(root: Node, code: &str, issues: &mut Vec<SyntaxIssue>) {
    let mut stack = vec![(root, Context::default())];
    while let Some((node, context)) = stack.pop() {
        if node.is_error() {
            continue;
        }
        check_statement(node, context, code, issues);

        let mut child_contexts = Vec::new();
        let mut cursor = node.walk();
        for (index, child) in node.children(&mut cursor).enumerate() {
            let field = node.field_name_for_child(index as u32);
            child_contexts.push((child, context_of_child(node, field, context)));
        }
        stack.extend(child_contexts.into_iter().rev());
    }
}

fn context_of_child(parent: Node, field: Option<&str>, context: Context) -> Context {
    match (parent.kind(), field) {
        ("function_definition", Some("body")) => Context {
            in_function: true,
            in_any_function: true,
            in_async_function: children(parent).any(|child| child.kind() == "async"),
            in_loop: false,
        },
        ("lambda", Some("body")) => Context {
            in_function: true,
            in_any_function: true,
            in_async_function: false,
            in_loop: false,
        },
        ("class_definition", Some("body")) => Context {
            in_function: false,
            in_loop: false,
            in_async_function: false,
            ..context
        },
        ("for_statement" | "while_statement", Some("body")) => Context {
            in_loop: true,
            ..context
        },
        _ => context,
    }
}

fn check_statement(node: Node, context: Context, code: &str, issues: &mut Vec<SyntaxIssue>) {
    if !node.is_named() {
        return;
    }
    let span = span_of(node);
    match node.kind() {
        "return_statement" if !context.in_function => {
            issues.push(issue(span, "`return` outside function"));
        }
        "yield" if !context.in_function => issues.push(issue(span, "`yield` outside function")),
        "await" if context.in_function && !context.in_async_function => {
            issues.push(issue(span, "`await` outside async function"));
        }
        "break_statement" if !context.in_loop => issues.push(issue(span, "`break` outside loop")),
        "continue_statement" if !context.in_loop => {
            issues.push(issue(span, "`continue` not properly in loop"));
        }
        "nonlocal_statement" if !context.in_any_function => {
            issues.push(issue(
                span,
                "nonlocal declaration not allowed at module level",
            ));
        }
        "print_statement" => issues.push(issue(span, "missing parentheses in call to `print`")),
        "exec_statement" => issues.push(issue(span, "missing parentheses in call to `exec`")),
        "wildcard_import" => issues.push(SyntaxIssue {
            span: node.parent().map(span_of).unwrap_or(span),
            kind: SyntaxIssueKind::ImportStar,
            message: "importing symbols with `import *` is not allowed in marimo".to_owned(),
        }),
        "block" => check_block(node, code, issues),
        _ => {}
    }
}

/// Reports a compound statement whose block holds no statement, which CPython rejects with
/// "expected an indented block". The span is the line that should have been indented.
fn check_block(block: Node, code: &str, issues: &mut Vec<SyntaxIssue>) {
    let has_statement = named_children(block).any(|child| child.kind() != "comment");
    let Some(owner) = block.parent() else {
        return;
    };
    if has_statement || owner.has_error() {
        return;
    }
    let statement = match owner.kind() {
        "function_definition" => "function definition",
        "class_definition" => "class definition",
        "if_statement" => "`if` statement",
        "elif_clause" => "`elif` statement",
        "else_clause" => "`else` statement",
        "for_statement" => "`for` statement",
        "while_statement" => "`while` statement",
        "with_statement" => "`with` statement",
        "try_statement" => "`try` statement",
        "except_clause" => "`except` statement",
        "finally_clause" => "`finally` statement",
        "match_statement" => "`match` statement",
        "case_clause" => "`case` statement",
        _ => return,
    };
    let line = owner.start_position().row + 1;
    let span = next_code_line(code, block.start_byte())
        .unwrap_or_else(|| last_code_char_before(code, block.start_byte()));
    let message = format!("expected an indented block after {statement} on line {line}");
    issues.push(issue(span, message));
}

/// Finds the first line at or after `offset` that contains code, trimmed, skipping blank lines
/// and comment lines. Returns `None` when only blank and comment lines follow.
fn next_code_line(code: &str, offset: usize) -> Option<Span> {
    let mut line_start = offset.min(code.len());
    while !code.is_char_boundary(line_start) {
        line_start -= 1;
    }
    for line in code[line_start..].split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            let start = line_start + (line.len() - line.trim_start().len());
            return Some(Span::new(start, start + trimmed.len()));
        }
        line_start += line.len();
    }
    None
}

/// Finds the last non-blank character before `offset` (the `:` of a header), for a block that
/// ends the code.
fn last_code_char_before(code: &str, offset: usize) -> Span {
    let head = code
        .get(..offset.min(code.len()))
        .unwrap_or(code)
        .trim_end();
    match head.char_indices().next_back() {
        Some((index, ch)) => Span::new(index, index + ch.len_utf8()),
        None => widen(Span::new(offset, offset), code),
    }
}

fn children<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    (0..node.child_count()).filter_map(move |index| node.child(index))
}

/// Iterates over the tokens under `node` in source order, MISSING tokens included.
fn leaves<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut stack = vec![node];
    std::iter::from_fn(move || {
        while let Some(next) = stack.pop() {
            if next.child_count() == 0 {
                return Some(next);
            }
            let count = next.child_count();
            stack.extend((0..count).rev().filter_map(|index| next.child(index)));
        }
        None
    })
}
