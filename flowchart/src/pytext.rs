//! Small Python text helpers: string literals, identifiers, statement kinds and renames.

use tree_sitter::{Node, Parser, Tree};

/// Python 3.11 hard keywords.
pub const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// True when `name` is a Python keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Renders `text` as a Python string literal that evaluates to exactly `text`.
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders multi-line `text` as a triple-quoted string that evaluates to exactly `text`:
/// plain when nothing needs escaping, raw when only backslashes would, escaped otherwise.
/// Used for the diagram and for docstrings. Control characters other than newline and tab
/// are escaped: CPython rejects a NUL byte anywhere in source, even inside a string.
pub fn block_literal(text: &str) -> String {
    let quotes_ok = !text.contains("\"\"\"")
        && !text.ends_with('"')
        && !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t');
    if quotes_ok && !text.contains('\\') {
        return format!("\"\"\"{text}\"\"\"");
    }
    if quotes_ok && !text.ends_with('\\') {
        return format!("r\"\"\"{text}\"\"\"");
    }
    let mut out = String::from("\"\"\"");
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\r' => out.push_str("\\r"),
            '\n' | '\t' => out.push(ch),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push_str("\"\"\"");
    out
}

/// True when `text` is a plain ASCII Python identifier that is not a keyword.
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !is_keyword(text)
}

/// Turns free text into a snake_case identifier of at most `max_words` words, or `None`
/// when nothing usable is left.
pub fn snake_case(text: &str, max_words: usize) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            if ch.is_ascii_uppercase() && prev_lower && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
            current.push(ch.to_ascii_lowercase());
        } else {
            prev_lower = false;
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words.truncate(max_words);
    if words.is_empty() {
        return None;
    }
    let mut name = words.join("_");
    // A pasted paragraph must not become a screen-wide function name.
    name.truncate(40);
    let name_end = name.trim_end_matches('_').len();
    name.truncate(name_end);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "step_");
    }
    if is_keyword(&name) {
        name.push('_');
    }
    Some(name)
}

/// Parses Python source with tree-sitter-python.
pub fn parse_python(code: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .ok()?;
    parser.parse(code, None)
}

/// What a one-line piece of Python is, as far as label reading cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// One or more statements that do something (assignment, call, import, `with`, ...).
    Statement,
    /// A single expression that is not a call or assignment (`i <= n`, `x`, `"hi"`).
    Expression,
    /// Not valid Python, or an empty string.
    Invalid,
}

/// Classifies `code` as a statement list, a lone expression, or invalid Python.
pub fn classify(code: &str) -> CodeKind {
    if code.trim().is_empty() {
        return CodeKind::Invalid;
    }
    let Some(tree) = parse_python(code) else {
        return CodeKind::Invalid;
    };
    let root = tree.root_node();
    if root.has_error() || !crate::pyscope::syntax_errors(code).is_empty() {
        return CodeKind::Invalid;
    }
    let mut cursor = root.walk();
    let statements: Vec<Node> = root
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    // A flow runs as an ordinary function: no `global`, `nonlocal` or `await` in labels.
    let scoped = |n: &Node| matches!(n.kind(), "global_statement" | "nonlocal_statement");
    if statements.iter().any(scoped) || contains_kind(root, "await") {
        return CodeKind::Invalid;
    }
    if let [only] = statements.as_slice() {
        if only.kind() == "expression_statement" && is_bare_annotation(*only) {
            return CodeKind::Invalid;
        }
        if only.kind() == "expression_statement" && !is_effectful_expression(*only) {
            return CodeKind::Expression;
        }
    }
    CodeKind::Statement
}

fn contains_kind(node: Node, kind: &str) -> bool {
    if node.kind() == kind {
        return true;
    }
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .any(|child| contains_kind(child, kind))
}

/// True for `x: y` with no value: valid Python, but in a label it is text (`Emit: i`).
fn is_bare_annotation(statement: Node) -> bool {
    statement.named_child(0).is_some_and(|child| {
        child.kind() == "assignment" && child.child_by_field_name("right").is_none()
    })
}

/// True for expression statements that do something: calls, assignments, `await`, `yield`.
fn is_effectful_expression(statement: Node) -> bool {
    let mut cursor = statement.walk();
    let children: Vec<Node> = statement.named_children(&mut cursor).collect();
    let Some(&only) = children.first().filter(|_| children.len() == 1) else {
        return false;
    };
    matches!(
        only.kind(),
        "assignment" | "augmented_assignment" | "call" | "await" | "yield"
    )
}

/// The target of a lone augmented assignment (`total += x` gives `total`).
pub fn augmented_target(code: &str) -> Option<String> {
    let tree = parse_python(code)?;
    let root = tree.root_node();
    let statement = root
        .named_child(0)
        .filter(|_| root.named_child_count() == 1)?;
    let assignment = statement.named_child(0)?;
    if assignment.kind() != "augmented_assignment" {
        return None;
    }
    let left = assignment.child_by_field_name("left")?;
    (left.kind() == "identifier").then(|| code[left.start_byte()..left.end_byte()].to_string())
}

/// True when `text` is a Python literal `ast.literal_eval` accepts: numbers, strings,
/// `True`/`False`/`None`, and lists, tuples, sets and dicts of them.
pub fn is_literal(text: &str) -> bool {
    if text.trim().is_empty() {
        return false;
    }
    let Some(tree) = parse_python(text) else {
        return false;
    };
    let root = tree.root_node();
    if root.has_error() || root.named_child_count() != 1 {
        return false;
    }
    let Some(statement) = root.named_child(0) else {
        return false;
    };
    if statement.kind() != "expression_statement" || statement.named_child_count() != 1 {
        return false;
    }
    statement.named_child(0).is_some_and(is_literal_node)
}

fn is_literal_node(node: Node) -> bool {
    match node.kind() {
        "integer" | "float" | "string" | "concatenated_string" | "true" | "false" | "none" => true,
        "unary_operator" => node
            .child_by_field_name("argument")
            .is_some_and(is_literal_node),
        "list" | "tuple" | "set" | "dictionary" | "parenthesized_expression" | "pair" => {
            let mut cursor = node.walk();

            node.named_children(&mut cursor)
                .all(|child| child.kind() == "comment" || is_literal_node(child))
        }
        _ => false,
    }
}

/// Identifiers in `code` that are read or written as plain names (not attributes or
/// keyword-argument names), each with its byte range.
pub fn name_tokens(code: &str) -> Vec<(usize, usize)> {
    let Some(tree) = parse_python(code) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect_names(tree.root_node(), &mut out);
    out
}

fn collect_names(node: Node, out: &mut Vec<(usize, usize)>) {
    if node.kind() == "identifier" {
        let parent = node.parent();
        let is_attribute = parent.is_some_and(|p| {
            p.kind() == "attribute" && p.child_by_field_name("attribute") == Some(node)
        });
        let is_keyword_name = parent.is_some_and(|p| {
            p.kind() == "keyword_argument" && p.child_by_field_name("name") == Some(node)
        });
        if !is_attribute && !is_keyword_name {
            out.push((node.start_byte(), node.end_byte()));
        }
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_names(child, out);
    }
}

/// Replaces plain-name identifiers using `rename`; attributes and strings are untouched.
pub fn rename_names(code: &str, rename: impl Fn(&str) -> Option<String>) -> String {
    rename_tokens(code, rename, false)
}

/// Like [`rename_names`], but leaves names that are called (`print(...)`) alone.
pub fn rename_variables(code: &str, rename: impl Fn(&str) -> Option<String>) -> String {
    rename_tokens(code, rename, true)
}

fn rename_tokens(code: &str, rename: impl Fn(&str) -> Option<String>, skip_calls: bool) -> String {
    let mut out = String::with_capacity(code.len());
    let mut last = 0;
    for (start, end) in name_tokens(code) {
        if skip_calls && code[end..].trim_start().starts_with('(') {
            continue;
        }
        if let Some(new) = rename(&code[start..end]) {
            out.push_str(&code[last..start]);
            out.push_str(&new);
            last = end;
        }
    }
    out.push_str(&code[last..]);
    out
}

/// Splits `text` at top-level occurrences of `separator` (outside brackets and quotes).
pub fn split_top_level<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let ch = text[i..].chars().next().unwrap_or(' ');
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) if ch == '\\' => i += 1,
            Some(_) => {}
            None => match ch {
                '"' | '\'' => quote = Some(ch),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ if depth == 0 && text[i..].starts_with(separator) => {
                    let boundary_ok = !separator.starts_with(' ') || i > 0;
                    if boundary_ok {
                        parts.push(&text[start..i]);
                        i += separator.len();
                        start = i;
                        continue;
                    }
                }
                _ => {}
            },
        }
        i += ch.len_utf8().max(1);
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literal_escapes_quotes() {
        assert_eq!(string_literal("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(string_literal("a\\b\n"), "\"a\\\\b\\n\"");
    }

    #[test]
    fn block_literal_falls_back_when_raw_breaks() {
        assert_eq!(block_literal("A --> B"), "\"\"\"A --> B\"\"\"");
        assert_eq!(block_literal("A[\\x\\]"), "r\"\"\"A[\\x\\]\"\"\"");
        assert_eq!(
            block_literal("say \"\"\"x"),
            "\"\"\"say \\\"\\\"\\\"x\"\"\""
        );
    }

    #[test]
    fn block_literal_escapes_control_characters() {
        assert_eq!(block_literal("v = '\0'"), "\"\"\"v = '\\x00'\"\"\"");
        assert_eq!(
            block_literal("a\\b\x1b\tc\n"),
            "\"\"\"a\\\\b\\x1b\tc\n\"\"\""
        );
    }

    #[test]
    fn snake_case_words() {
        assert_eq!(
            snake_case("Validate order!", 5).as_deref(),
            Some("validate_order")
        );
        assert_eq!(
            snake_case("getUserName", 5).as_deref(),
            Some("get_user_name")
        );
        assert_eq!(snake_case("3 tries", 5).as_deref(), Some("step_3_tries"));
        assert_eq!(snake_case("if", 5).as_deref(), Some("if_"));
        assert_eq!(snake_case("¿?", 5), None);
    }

    #[test]
    fn classify_kinds() {
        assert_eq!(classify("x = 5"), CodeKind::Statement);
        assert_eq!(classify("print(i)"), CodeKind::Statement);
        assert_eq!(classify("i <= n"), CodeKind::Expression);
        assert_eq!(classify("Process data"), CodeKind::Invalid);
        assert_eq!(classify("Validate the order"), CodeKind::Invalid);
        assert_eq!(classify("lo = 0, hi = 3"), CodeKind::Invalid);
        assert_eq!(classify("Emit: i"), CodeKind::Invalid);
        assert_eq!(classify("global x"), CodeKind::Invalid);
        assert_eq!(classify("await f()"), CodeKind::Invalid);
    }

    #[test]
    fn literals_recognised() {
        assert!(is_literal("5"));
        assert!(is_literal("-2.5"));
        assert!(is_literal("[1, 2]"));
        assert!(is_literal("\"a b\""));
        assert!(is_literal("{'a': (1, None)}"));
        assert!(!is_literal("a b"));
        assert!(!is_literal("x"));
        assert!(!is_literal("f(1)"));
    }

    #[test]
    fn rename_skips_attributes() {
        let out = rename_names("sum = sum + x.sum", |n| (n == "sum").then(|| "sum_".into()));
        assert_eq!(out, "sum_ = sum_ + x.sum");
    }

    #[test]
    fn split_respects_brackets() {
        assert_eq!(
            split_top_level("lo = 0, hi = len(a, b) - 1", ","),
            vec!["lo = 0", " hi = len(a, b) - 1"]
        );
        assert_eq!(split_top_level("\"a, b\", c", ","), vec!["\"a, b\"", " c"]);
    }
}
